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
import { formatNs, judgeTargets, printRows, printTable, printVerdicts, sinkValue, type Row } from './common.js';
import { FLEET, applyFleet, describeFleet, loadRoaring, roaringOfClasses, type FleetContext } from './datasets.js';
import { claimSuite } from './suites/claim.js';
import { countSuite } from './suites/count.js';
import { findNextSuite } from './suites/find-next.js';
import { migrateScanSuite } from './suites/migrate-scan.js';
import { pageblockSuite } from './suites/pageblocks.js';
import { setClassSuite } from './suites/set-class.js';
import { taggedSuite } from './suites/tagged.js';
import { inputLimitsSuite, type InputLimitRow } from './suites/input-limits.js';
import { machineFillSuite, type MachineFillReport } from './suites/machine-fill.js';
import { studyThroughputSuite, type StudyThroughputReport } from './suites/study-throughput.js';
import { translateSuite, type TranslationReport } from './suites/translate.js';
import { parallelSuite, type ParallelReport } from './suites/parallel.js';
import { sparseMachineSuite, type SparseMachineReport } from './suites/sparse-machine.js';
import { SIMD_STREAM_AIM_RATIO, ZERO_COPY_AIM_RATIO, translationBoundarySuite, type BoundaryRow, type TranslationBoundaryReport } from './suites/translate-boundary.js';
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

function printTranslation(report: TranslationReport): void {
  console.log(
    `\ntranslation: 2^${Math.log2(report.batch)} random addresses per WASM batch over the fleet window; ${report.remappedSections} sections ` +
      `(${report.relocatedPages} pages) remapped inside it in ${(report.remapSetupMs / 1000).toFixed(1)} s; ` +
      `reference: 2^${Math.log2(report.refBatch)} per batch on its own smaller window (a JS Map holds at most 2^24 remap pairs)`,
  );
  const far = report.far;
  console.log(
    `then ${far.sections} sections (a node's worth) remapped to another node's shard: ${far.relocatedPages} slab pages in ${far.calls} remapIn + remapOut ` +
      `pairs in ${far.setupMs.toFixed(0)} ms; fleet window +${(far.sourceBytes / 2 ** 20).toFixed(2)} MiB ` +
      `(${far.pfnBlocks} PFN BLOCKs, ${far.widePfnBlocks} WIDE), far node +${(far.farNodeBytes / 2 ** 20).toFixed(2)} MiB; ` +
      `countRemapped: ${far.countedPages} pages, ${far.countedSections} sections`,
  );
  const before = new Map(report.rows.filter((row) => row.phase === 'before').map((row) => [row.mix, row]));
  const lines = [['batch', 'phase', 'WASM ns/lookup', 'aim', 'after/before', "WASM, ref's window", 'ref ns/lookup', 'ref after/before', 'WASM/ref']];
  for (const row of report.rows) {
    // The far mix has no before: it compares with the in-window slow path.
    const base = row.phase === 'after' ? before.get(row.mix === 'far' ? 'remapped' : row.mix) : undefined;
    lines.push([
      row.mix,
      row.phase,
      `${row.wasmNs.toFixed(2)} ±${row.wasmRmePct.toFixed(0)}%`,
      row.aimNs === undefined ? '' : `< ${row.aimNs}`,
      base === undefined ? '' : `${(row.wasmNs / base.wasmNs).toFixed(2)}x${row.mix === 'far' ? ' (vs remapped)' : ''}`,
      row.wasmSmallNs.toFixed(2),
      `${row.refNs.toFixed(1)} ±${row.refRmePct.toFixed(0)}%`,
      base === undefined ? '' : `${(row.refNs / base.refNs).toFixed(2)}x`,
      `${(row.refNs / row.wasmNs).toFixed(0)}x`,
    ]);
  }
  printTable(lines);
  for (const row of report.rows) if (row.note !== undefined) console.log(`  note: ${row.mix} ${row.phase}: ${row.note}`);
  console.log(`  EngineApi virtToPhys (copies in and out), mixed batch after: ${report.copyingMixedNs.toFixed(2)} ns/lookup`);
}

function printBoundaryTable(title: string, baseline: string, rows: readonly BoundaryRow[]): void {
  console.log(`\n${title}`);
  const lines = [['path', 'ns/lookup', `x ${baseline}`]];
  for (const row of rows) lines.push([row.what, `${row.nsPerLookup.toFixed(3)} ±${row.rmePct.toFixed(0)}%`, row.ratio.toFixed(2)]);
  printTable(lines);
}

function printTranslationBoundary(report: TranslationBoundaryReport): void {
  printBoundaryTable(`direct-map translation of 2^${Math.log2(report.batch)} addresses against the memory bandwidth of the same bytes`, 'streaming read', report.kernels);
  console.log(`  SIMD translation / streaming copy (read and write, the bytes translation moves): ${report.simdOverCopy.toFixed(2)}x`);
  printBoundaryTable(`the mixed batch through the engine API (2^${Math.log2(report.batch)} addresses per call)`, 'in-WASM batch', report.api);
  if (report.note !== undefined) console.log(`  note: ${report.note}`);
}

function printParallel(report: ParallelReport): void {
  console.log(`\none shard per worker against one thread (${report.machine}, ${report.cpus} CPUs; wall seconds)`);
  const lines = [['step', 'one thread s', 'workers s', 'speed-up']];
  for (const step of report.steps) {
    const modes = Object.values(step.seconds);
    lines.push([step.what, modes[0]!.toFixed(2), modes[1]!.toFixed(2), `${step.speedUp.toFixed(2)}x`]);
  }
  printTable(lines);
  console.log(`  workers, fill node after node: ${report.workersNodeAfterNodeFillSec.toFixed(2)} s`);
  if (report.mismatch !== undefined) console.log(`  MACHINES DIFFER: ${report.mismatch}`);
}

function printSparse(report: SparseMachineReport): void {
  console.log(
    `\nsparse 52-bit machine (${report.scenario}): ${report.nodes} nodes, ${(report.presentBytes / 2 ** 40).toFixed(1)} TiB of RAM ` +
      `across ${(report.addressSpaceBytes / 2 ** 50).toFixed(2)} PiB, ${report.shards} shards`,
  );
  const lines = [['step', 'wall s', 'state MiB']];
  for (const step of report.steps) lines.push([step.what, step.wallSec.toFixed(2), (step.stateBytes / 2 ** 20).toFixed(1)]);
  printTable(lines);
  console.log(`  total ${report.totalSec.toFixed(1)} s; ${report.filledBitsPerPage.toFixed(3)} bits per page after the fill; ${report.migratedPages} pages migrated`);
}

/** Wall-clock rows: seconds on each engine and the ratio. */
function printWallRows(title: string, rows: readonly InputLimitRow[]): void {
  console.log(`\n${title}`);
  const lines = [['step', 'WASM s', 'reference s', 'ref/WASM']];
  for (const row of rows) {
    lines.push([
      row.what,
      row.wasmSec.toFixed(2),
      row.refSec === undefined ? '-' : row.refSec.toFixed(2),
      row.refSec === undefined ? '-' : `${(row.refSec / row.wasmSec).toFixed(1)}x`,
    ]);
  }
  printTable(lines);
}

function printMachineFill(report: MachineFillReport): void {
  printWallRows('whole machines filled through the page allocator (wall seconds; WASM median of 3, reference one run)', report.rows);
  console.log(
    `  full-size fill: ${(report.fullAllocatedPages / 2 ** 28).toFixed(2)} TiB allocated, ` +
      `WASM state ${(report.fullStateBytes / 2 ** 20).toFixed(0)} MiB after the fill`,
  );
  if (report.mismatch !== undefined) console.log(`  ENGINES DIFFER after the same fill: ${report.mismatch}`);
}

function printStudyThroughput(report: StudyThroughputReport): void {
  console.log('\nstudy throughput (points per second; each point boots the 64 TiB machine, fills a little and measures headroom)');
  const lines = [['run', 'points', 'seconds', 'points/s']];
  for (const row of report.rows) lines.push([row.what, String(row.points), row.seconds.toFixed(2), row.pointsPerSecond.toFixed(2)]);
  printTable(lines);
  console.log(`  worker threads / one thread: ${report.speedup.toFixed(2)}x`);
  if (report.mismatch !== undefined) console.log(`  RESULTS DIFFER: ${report.mismatch}`);
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
  console.log(
    `  state: WASM ${(wasm.bytesUsed() / 2 ** 20).toFixed(0)} MiB (${((8 * wasm.bytesUsed()) / layout.nrPages).toFixed(3)} bits/page), ` +
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

  console.log('\nprimitives (ops/s; ratio = WASM speed / reference speed)');
  printRows(rows);
  printTranslation(translation);
  printTranslationBoundary(translationBoundary);
  printWallRows("inputs at the kernel's table limits (wall seconds, median of 3)", inputLimits);
  printMachineFill(machineFill);
  printStudyThroughput(studyThroughput);
  printParallel(parallel);
  if (sparse !== undefined) printSparse(sparse);
  const verdicts = judgeTargets(rows);
  console.log('\ntargets (docs/design.md), measured in this run:');
  printVerdicts(verdicts);
  for (const row of translation.rows) {
    if (row.aimNs === undefined) continue;
    console.log(`${row.wasmNs < row.aimNs ? 'MET ' : 'MISS'}  translation aim, ${row.mix} ${row.phase}: under ${row.aimNs} ns per lookup (${formatNs(row.wasmNs)})`);
  }
  const met = (ok: boolean): string => (ok ? 'MET ' : 'MISS');
  console.log(
    `${met(translationBoundary.zeroCopyWorker <= ZERO_COPY_AIM_RATIO)}  zero-copy virtToPhys through a worker within ${ZERO_COPY_AIM_RATIO}x of the in-WASM batch ` +
      `(${translationBoundary.zeroCopyWorker.toFixed(2)}x${translationBoundary.workerShared ? '' : ', buffers NOT shared'})`,
  );
  console.log(
    `${met(translationBoundary.simdOverRead <= SIMD_STREAM_AIM_RATIO)}  SIMD direct-map translation within ${SIMD_STREAM_AIM_RATIO}x of the streaming read ` +
      `(${translationBoundary.simdOverRead.toFixed(2)}x; of the streaming copy ${translationBoundary.simdOverCopy.toFixed(2)}x)`,
  );

  const totalSec = (performance.now() - t0) / 1000;
  const report = {
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
    targets: verdicts,
    checksum: sinkValue(),
  };
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
