/**
 * `npm run bench`: every suite on the 4 TiB fleet window, side by side with
 * the reference engine (and roaring where it has the operation), then the
 * ratio targets of docs/design.md as PASS/FAIL lines. Results go to
 * `bench-results/<timestamp>.json` and `bench-results/latest.json`.
 *
 * Suites run read-only first; the ones that change state (claim, the
 * tag-aware claims and retags, setClass, the translation remaps) run last.
 * Two machine-level suites follow, on machines of their own: booting inputs
 * at the kernel's table limits, and filling whole machines through the page
 * allocator (64 TiB on WASM; both engines on a size the reference holds).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { NR_PAGE_CLASSES, MIGRATETYPE_MASK, Migratetype, PAGES_PER_PAGEBLOCK, PAGE_CLASS_NAMES, PageClass } from '../src/contract/constants.js';
import { createEngine } from '../src/engine/index.js';
import { createRefEngine } from '../src/reference/ref-engine.js';
import { judgeTargets, sinkValue, type Row } from './common.js';
import { benchTables, tableText, verdictLines, type BenchReport } from './report.js';
import { FLEET, applyFleet, describeFleet, loadRoaring, roaringOfClasses, type FleetContext } from './datasets.js';
import { claimSuite } from './suites/claim.js';
import { countSuite } from './suites/count.js';
import { findNextSuite } from './suites/find-next.js';
import { migrateScanSuite } from './suites/migrate-scan.js';
import { pageblockSuite } from './suites/pageblocks.js';
import { setClassSuite } from './suites/set-class.js';
import { taggedSuite } from './suites/tagged.js';
import { inputLimitsSuite } from './suites/input-limits.js';
import { machineFillSuite } from './suites/machine-fill.js';
import { studyThroughputSuite } from './suites/study-throughput.js';
import { translateSuite } from './suites/translate.js';
import { parallelSuite } from './suites/parallel.js';
import { sparseMachineSuite } from './suites/sparse-machine.js';
import { translationBoundarySuite } from './suites/translate-boundary.js';
import { findPackageRoot } from '../src/util/package-root.js';

const RESULTS_DIR = 'bench-results';
/** `--quick`: a 2^26-page window, to check the harness in seconds. Its figures are not the claim. */
const QUICK = process.argv.includes('--quick');
const QUICK_PAGES = 2 ** 26;

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function timed<T>(what: string, work: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const value = await work();
  console.log(`  ${what}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return value;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  console.log(`pfnlab bench: node ${process.version}, ${cpus()[0]?.model ?? 'unknown cpu'} x${cpus().length}`);

  const roaring = await loadRoaring();
  if (roaring === undefined) console.log('roaring not installed: its columns stay empty');

  console.log(`\ndataset: 2^${Math.log2(QUICK ? QUICK_PAGES : FLEET.nrPages)}-page fleet window${QUICK ? ' (--quick: harness check, not a measurement)' : ''}`);
  const layout = await timed('describe', () => describeFleet(QUICK ? QUICK_PAGES : FLEET.nrPages));
  const opts = { basePfn: layout.basePfn, nrPages: layout.nrPages };
  const wasm = await createEngine(opts);
  await timed(`build on WASM (${layout.nrRuns} setClass runs)`, () => applyFleet(wasm, layout));
  const ref = createRefEngine(opts);
  await timed('build on reference', () => applyFleet(ref, layout));

  const counts = wasm.countClasses(layout.basePfn, layout.basePfn + layout.nrPages);
  const unmovable = counts[PageClass.SLAB]! + counts[PageClass.PGTABLE]! + counts[PageClass.PINNED]! + counts[PageClass.RESERVED]!;
  const nrPageblocks = layout.nrPages / PAGES_PER_PAGEBLOCK;
  const unmovableBlocks = wasm.countPageblocks(layout.basePfn, layout.basePfn + layout.nrPages, MIGRATETYPE_MASK, Migratetype.UNMOVABLE);
  console.log(
    `  unmovable pages ${((100 * unmovable) / layout.nrPages).toFixed(2)}% of memory, in ` +
      `${((100 * unmovableBlocks) / nrPageblocks).toFixed(1)}% of pageblocks; ` +
      Array.from({ length: NR_PAGE_CLASSES }, (_, c) => `${PAGE_CLASS_NAMES[c]} ${((100 * counts[c]!) / layout.nrPages).toFixed(2)}%`).join(', '),
  );
  const builtBytes = wasm.bytesUsed();
  console.log(
    `  state: WASM ${(builtBytes / 2 ** 20).toFixed(0)} MiB (${((8 * builtBytes) / layout.nrPages).toFixed(3)} bits/page), ` +
      `reference ${(ref.bytesUsed() / 2 ** 20).toFixed(0)} MiB`,
  );

  const ctx: FleetContext = { layout, wasm, ref };
  if (roaring !== undefined) {
    const bitmaps = await timed('roaring bitmaps of SLAB and PINNED', () =>
      roaringOfClasses(roaring, wasm, [PageClass.SLAB, PageClass.PINNED]),
    );
    ctx.roaring = { slab: bitmaps.get(PageClass.SLAB)!, pinned: bitmaps.get(PageClass.PINNED)! };
  }

  console.log('\nmeasuring...');
  const rows: Row[] = [];
  // The tagged suite checks both engines' answers before timing, so it runs
  // while their states are still equal: before the first suite that changes
  // them (each engine runs as many timed calls as its own calibration asks).
  for (const suite of [countSuite, findNextSuite, pageblockSuite, migrateScanSuite, taggedSuite, claimSuite, setClassSuite]) {
    rows.push(...(await timed(suite.name, () => suite(ctx))));
  }
  collectGarbage();
  const translation = await timed('translateSuite', () => translateSuite(wasm, layout, QUICK));
  collectGarbage();
  const translationBoundary = await timed('translationBoundarySuite', () => translationBoundarySuite(layout, QUICK));
  collectGarbage();
  const inputLimits = await timed('inputLimitsSuite', () => inputLimitsSuite());
  collectGarbage();
  const machineFill = await timed('machineFillSuite', () => machineFillSuite(QUICK));
  collectGarbage();
  const studyThroughput = await timed('studyThroughputSuite', () => studyThroughputSuite(QUICK));
  collectGarbage();
  const parallel = await timed('parallelSuite', () => parallelSuite(QUICK));
  collectGarbage();
  const sparse = QUICK ? undefined : await timed('sparseMachineSuite', () => sparseMachineSuite());

  const totalSec = (performance.now() - t0) / 1000;
  const report: BenchReport = {
    quick: QUICK,
    startedAt: startedAt.toISOString(),
    durationSec: totalSec,
    node: process.version,
    cpu: cpus()[0]?.model,
    cpus: cpus().length,
    roaring: roaring !== undefined,
    dataset: {
      basePfn: layout.basePfn,
      nrPages: layout.nrPages,
      setClassRuns: layout.nrRuns,
      classCounts: Object.fromEntries(Array.from(counts, (n, c) => [PAGE_CLASS_NAMES[c], n])),
      unmovablePageShare: unmovable / layout.nrPages,
      unmovablePageblockShare: unmovableBlocks / nrPageblocks,
      wasmBytesAfterBuild: builtBytes,
      wasmBytesUsed: wasm.bytesUsed(),
    },
    rows,
    translation,
    translationBoundary,
    inputLimits,
    machineFill,
    studyThroughput,
    parallel,
    sparse,
    targets: judgeTargets(rows),
    checksum: sinkValue(),
  };
  for (const table of benchTables(report)) console.log(`\n${tableText(table)}`);
  console.log('\ntargets (docs/design.md) and aims, measured in this run:');
  for (const line of verdictLines(report)) console.log(line);
  const dir = join(findPackageRoot(import.meta.url), RESULTS_DIR, QUICK ? 'quick' : '');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = JSON.stringify(report, null, 2);
  writeFileSync(file, json);
  writeFileSync(join(dir, 'latest.json'), json);
  console.log(`\nwhole run ${totalSec.toFixed(0)} s; results written to ${file} (and latest.json)`);
  // Two engines that end a fill in different states are a bug, whatever the timings.
  if (machineFill.mismatch !== undefined || studyThroughput.mismatch !== undefined || parallel.mismatch !== undefined) process.exitCode = 1;
}

await main();
