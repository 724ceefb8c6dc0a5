/**
 * The bench's results as tables: one builder per suite, shared by the
 * console (`npm run bench`) and the README's performance section
 * (`npm run bench:readme`), so the two cannot tell different stories. Every
 * builder puts a figure beside the baseline it is judged against: the
 * reference engine, roaring, the streaming read, the in-WASM batch, one
 * thread, or the kernel's own memmap.
 */
import { formatNs, formatRate, judgeTargets, ratioOf, Target, type Measurement, type Row, type TargetVerdict } from './common.js';
import type { InputLimitRow } from './suites/input-limits.js';
import type { MachineFillReport } from './suites/machine-fill.js';
import type { ParallelReport } from './suites/parallel.js';
import type { SparseMachineReport } from './suites/sparse-machine.js';
import type { StudyThroughputReport } from './suites/study-throughput.js';
import { SIMD_STREAM_AIM_RATIO, ZERO_COPY_AIM_RATIO, type BoundaryRow, type TranslationBoundaryReport } from './suites/translate-boundary.js';
import type { TranslationReport } from './suites/translate.js';

/** What one `npm run bench` writes to bench-results/<timestamp>.json. */
export interface BenchReport {
  quick: boolean;
  startedAt: string;
  durationSec: number;
  node: string;
  cpu?: string;
  cpus: number;
  roaring: boolean;
  dataset: {
    basePfn: number;
    nrPages: number;
    setClassRuns: number;
    classCounts: Record<string, number>;
    unmovablePageShare: number;
    unmovablePageblockShare: number;
    /** The fleet's state once built (runs before this field existed lack it). */
    wasmBytesAfterBuild?: number;
    /** The state at the end of the run, after the suites that claim, retag and remap. */
    wasmBytesUsed: number;
  };
  rows: Row[];
  translation: TranslationReport;
  translationBoundary: TranslationBoundaryReport;
  inputLimits: InputLimitRow[];
  machineFill: MachineFillReport;
  studyThroughput: StudyThroughputReport;
  parallel: ParallelReport;
  sparse?: SparseMachineReport;
  targets: TargetVerdict[];
  checksum: number;
}

/** One table: a title, a header, rows of cells (first column text, the rest figures), and notes under it. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  notes: string[];
}

/** The memmap the kernel keeps per page: one 64-byte struct page. */
const KERNEL_BITS_PER_PAGE = 512;

function cell(m: Measurement | undefined): string {
  return m === undefined ? '-' : `${formatRate(m.opsPerSec)} ±${m.rmePct.toFixed(0)}%`;
}

function primitivesTable(rows: readonly Row[]): Table {
  const notes: string[] = [];
  const body = rows.map((row) => {
    const ratio = ratioOf(row);
    if (row.note !== undefined) notes.push(`${row.suite}: ${row.primitive}: ${row.note}`);
    const overRoaring = row.roaring === undefined ? '-' : `${(row.roaring.nsPerOp / row.wasm.nsPerOp).toFixed(2)}x`;
    return [
      `${row.suite}: ${row.primitive}`,
      cell(row.wasm),
      formatNs(row.wasm.nsPerOp),
      cell(row.ref),
      ratio === undefined ? '-' : `${ratio.toFixed(1)}x`,
      row.roaring === undefined ? '-' : cell(row.roaring),
      overRoaring,
      row.target === undefined ? '' : `>= ${Target[row.target].minRatio}x`,
    ];
  });
  return {
    title: 'primitives (ops/s; WASM/ref and WASM/roaring = WASM speed over theirs)',
    header: ['primitive', 'WASM ops/s', 'WASM/op', 'ref ops/s', 'WASM/ref', 'roaring ops/s', 'WASM/roaring', 'target'],
    rows: body,
    notes,
  };
}

function translationTable(report: TranslationReport): Table {
  const far = report.far;
  const before = new Map(report.rows.filter((row) => row.phase === 'before').map((row) => [row.mix, row]));
  const rows = report.rows.map((row) => {
    // The far mix has no before: it compares with the in-window slow path.
    const base = row.phase === 'after' ? before.get(row.mix === 'far' ? 'remapped' : row.mix) : undefined;
    return [
      `${row.mix}, ${row.phase}`,
      `${row.wasmNs.toFixed(2)} ±${row.wasmRmePct.toFixed(0)}%`,
      row.aimNs === undefined ? '' : `< ${row.aimNs}`,
      base === undefined ? '' : `${(row.wasmNs / base.wasmNs).toFixed(2)}x${row.mix === 'far' ? ' (vs remapped)' : ''}`,
      row.wasmSmallNs.toFixed(2),
      `${row.refNs.toFixed(1)} ±${row.refRmePct.toFixed(0)}%`,
      base === undefined ? '' : `${(row.refNs / base.refNs).toFixed(2)}x`,
      `${(row.refNs / row.wasmNs).toFixed(0)}x`,
    ];
  });
  return {
    title:
      `translation: 2^${Math.log2(report.batch)} random addresses per WASM batch over the fleet window, ${report.remappedSections} sections ` +
      `(${report.relocatedPages} pages) remapped inside it; the reference takes 2^${Math.log2(report.refBatch)} per batch on its own smaller window ` +
      '(a JS Map holds at most 2^24 remap pairs), so the WASM engine is also timed on that window',
    header: ['batch, phase', 'WASM ns/lookup', 'aim', 'after/before', "WASM, ref's window", 'ref ns/lookup', 'ref after/before', 'ref/WASM'],
    rows,
    notes: [
      `then ${far.sections} sections (a node's worth) remapped to another node's shard: ${far.relocatedPages} slab pages in ${far.calls} remapIn + remapOut ` +
        `pairs in ${far.setupMs.toFixed(0)} ms; fleet window +${(far.sourceBytes / 2 ** 20).toFixed(2)} MiB ` +
        `(${far.pfnBlocks} PFN BLOCKs, ${far.widePfnBlocks} WIDE), far node +${(far.farNodeBytes / 2 ** 20).toFixed(2)} MiB`,
      `EngineApi virtToPhys (copies in and out), mixed batch after: ${report.copyingMixedNs.toFixed(2)} ns/lookup`,
      ...report.rows.filter((row) => row.note !== undefined).map((row) => `${row.mix} ${row.phase}: ${row.note}`),
    ],
  };
}

function boundaryTable(title: string, baseline: string, rows: readonly BoundaryRow[], notes: string[]): Table {
  return {
    title,
    header: ['path', 'ns/lookup', `x ${baseline}`],
    rows: rows.map((row) => [row.what, `${row.nsPerLookup.toFixed(3)} ±${row.rmePct.toFixed(0)}%`, row.ratio.toFixed(2)]),
    notes,
  };
}

function boundaryTables(report: TranslationBoundaryReport): Table[] {
  const batch = `2^${Math.log2(report.batch)}`;
  return [
    boundaryTable(`direct-map translation of ${batch} addresses against the memory bandwidth of the same bytes`, 'streaming read', report.kernels, [
      `SIMD translation / streaming copy (read and write, the bytes translation moves): ${report.simdOverCopy.toFixed(2)}x`,
    ]),
    boundaryTable(`the mixed batch through the engine API (${batch} addresses per call)`, 'in-WASM batch', report.api, report.note === undefined ? [] : [report.note]),
  ];
}

function wallTable(title: string, rows: readonly InputLimitRow[], notes: string[] = []): Table {
  return {
    title,
    header: ['step', 'WASM s', 'reference s', 'ref/WASM'],
    rows: rows.map((row) => [
      row.what,
      row.wasmSec.toFixed(2),
      row.refSec === undefined ? '-' : row.refSec.toFixed(2),
      row.refSec === undefined ? '-' : `${(row.refSec / row.wasmSec).toFixed(1)}x`,
    ]),
    notes,
  };
}

function machineFillTable(report: MachineFillReport): Table {
  const notes = [
    `full-size fill: ${(report.fullAllocatedPages / 2 ** 28).toFixed(2)} TiB allocated, WASM state ${(report.fullStateBytes / 2 ** 20).toFixed(0)} MiB after the fill`,
  ];
  if (report.mismatch !== undefined) notes.push(`ENGINES DIFFER after the same fill: ${report.mismatch}`);
  return wallTable('whole machines filled through the page allocator (wall seconds; WASM median of 3, reference one run)', report.rows, notes);
}

function studyThroughputTable(report: StudyThroughputReport): Table {
  const notes = [`worker threads / one thread: ${report.speedup.toFixed(2)}x`];
  if (report.mismatch !== undefined) notes.push(`RESULTS DIFFER: ${report.mismatch}`);
  return {
    title: 'study throughput (points per second; each point boots the 64 TiB machine, fills a little and measures headroom)',
    header: ['run', 'points', 'seconds', 'points/s'],
    rows: report.rows.map((row) => [row.what, String(row.points), row.seconds.toFixed(2), row.pointsPerSecond.toFixed(2)]),
    notes,
  };
}

function parallelTable(report: ParallelReport): Table {
  const notes = [`workers, fill node after node: ${report.workersNodeAfterNodeFillSec.toFixed(2)} s`];
  if (report.mismatch !== undefined) notes.push(`MACHINES DIFFER: ${report.mismatch}`);
  return {
    title: `one shard per worker against one thread (${report.machine}, ${report.cpus} CPUs; wall seconds)`,
    header: ['step', 'one thread s', 'workers s', 'speed-up'],
    rows: report.steps.map((step) => {
      const modes = Object.values(step.seconds);
      return [step.what, modes[0]!.toFixed(2), modes[1]!.toFixed(2), `${step.speedUp.toFixed(2)}x`];
    }),
    notes,
  };
}

function sparseTable(report: SparseMachineReport): Table {
  return {
    title:
      `sparse 52-bit machine (${report.scenario}): ${report.nodes} nodes, ${(report.presentBytes / 2 ** 40).toFixed(1)} TiB of RAM ` +
      `across ${(report.addressSpaceBytes / 2 ** 50).toFixed(2)} PiB, ${report.shards} shards`,
    header: ['step', 'wall s', 'state MiB'],
    rows: report.steps.map((step) => [step.what, step.wallSec.toFixed(2), (step.stateBytes / 2 ** 20).toFixed(1)]),
    notes: [
      `total ${report.totalSec.toFixed(1)} s; ${report.filledBitsPerPage.toFixed(3)} bits per page after the fill ` +
        `(the kernel's memmap: ${KERNEL_BITS_PER_PAGE}); ${report.migratedPages} pages migrated`,
    ],
  };
}

/** Every table of a run, in the order the console prints them. */
export function benchTables(report: BenchReport): Table[] {
  const tables = [
    primitivesTable(report.rows),
    translationTable(report.translation),
    ...boundaryTables(report.translationBoundary),
    wallTable("inputs at the kernel's table limits (wall seconds, median of 3)", report.inputLimits),
    machineFillTable(report.machineFill),
    studyThroughputTable(report.studyThroughput),
    parallelTable(report.parallel),
  ];
  if (report.sparse !== undefined) tables.push(sparseTable(report.sparse));
  return tables;
}

/** The run's verdicts: the docs/design.md ratio targets (PASS/FAIL) and the issue aims (MET/MISS). */
export function verdictLines(report: BenchReport): string[] {
  const lines = judgeTargets(report.rows).map((v) => {
    const worst = Number.isFinite(v.worstRatio) ? `${v.worstRatio.toFixed(1)}x` : 'n/a';
    return `${v.pass ? 'PASS' : 'FAIL'}  ${v.name}: at least ${v.minRatio}x the reference on every row (${v.rows} rows; weakest ${worst}, ${v.worstPrimitive})`;
  });
  const met = (ok: boolean): string => (ok ? 'MET ' : 'MISS');
  for (const row of report.translation.rows) {
    if (row.aimNs === undefined) continue;
    lines.push(`${met(row.wasmNs < row.aimNs)}  translation aim, ${row.mix} ${row.phase}: under ${row.aimNs} ns per lookup (${formatNs(row.wasmNs)})`);
  }
  const boundary = report.translationBoundary;
  lines.push(
    `${met(boundary.zeroCopyWorker <= ZERO_COPY_AIM_RATIO)}  zero-copy virtToPhys through a worker within ${ZERO_COPY_AIM_RATIO}x of the in-WASM batch ` +
      `(${boundary.zeroCopyWorker.toFixed(2)}x${boundary.workerShared ? '' : ', buffers NOT shared'})`,
    `${met(boundary.simdOverRead <= SIMD_STREAM_AIM_RATIO)}  SIMD direct-map translation within ${SIMD_STREAM_AIM_RATIO}x of the streaming read ` +
      `(${boundary.simdOverRead.toFixed(2)}x; of the streaming copy ${boundary.simdOverCopy.toFixed(2)}x)`,
  );
  const counts = report.rows.filter((row) => row.roaring !== undefined && row.suite === 'count');
  if (counts.length > 0) {
    const worst = counts.reduce((a, b) => (a.roaring!.nsPerOp / a.wasm.nsPerOp <= b.roaring!.nsPerOp / b.wasm.nsPerOp ? a : b));
    const ratio = worst.roaring!.nsPerOp / worst.wasm.nsPerOp;
    lines.push(`${met(ratio >= 1)}  counts at least as fast as roaring's rangeCardinality on every row it has (weakest ${ratio.toFixed(2)}x, ${worst.primitive})`);
  }
  return lines;
}

/** Text for a terminal: columns padded, figures right-aligned. */
export function tableText(table: Table): string {
  const lines = [table.header, ...table.rows];
  const widths = table.header.map((_, col) => Math.max(...lines.map((line) => line[col]!.length)));
  const render = (line: string[]): string => line.map((text, col) => (col === 0 ? text.padEnd(widths[col]!) : text.padStart(widths[col]!))).join('  ');
  return [
    table.title,
    render(table.header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(render),
    ...table.notes.map((note) => `  note: ${note}`),
  ].join('\n');
}

/** A cell that cannot break a Markdown table. */
function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** GitHub Markdown: the title in bold, figures right-aligned, notes as a list under the table. */
export function tableMarkdown(table: Table): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [
    `**${markdownCell(table.title)}**`,
    '',
    row(table.header),
    `|${table.header.map((_, col) => (col === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...table.rows.map(row),
    ...(table.notes.length > 0 ? ['', ...table.notes.map((note) => `- ${markdownCell(note)}`)] : []),
  ].join('\n');
}

/** Where the README's performance section starts and ends; what lies between is generated. */
export const README_BEGIN = '<!-- bench:begin: generated by `npm run bench:readme` from docs/bench-run.json; edit neither by hand -->';
export const README_END = '<!-- bench:end -->';

function stateText(bytes: number | undefined, when: string, nrPages: number): string {
  if (bytes === undefined) return `WASM state ${when} not recorded`;
  return `WASM state ${when} ${(bytes / 2 ** 20).toFixed(0)} MiB (${((8 * bytes) / nrPages).toFixed(3)} bits per page)`;
}

/** The README's generated block: the run's provenance, every table, and the verdicts. */
export function performanceMarkdown(report: BenchReport): string {
  if (report.quick) throw new Error('performanceMarkdown: a --quick run is a harness check, not a measurement');
  const dataset = report.dataset;
  const provenance =
    `One \`npm run bench\` run, ${report.startedAt.slice(0, 10)}: Node ${report.node} on ${report.cpu ?? 'an unknown CPU'} x${report.cpus}, ` +
    `${(report.durationSec / 60).toFixed(1)} minutes. Fleet window: 2^${Math.log2(dataset.nrPages)} pages, unmovable pages ` +
    `${(100 * dataset.unmovablePageShare).toFixed(2)}% of memory in ${(100 * dataset.unmovablePageblockShare).toFixed(1)}% of pageblocks, ` +
    stateText(dataset.wasmBytesAfterBuild, 'once built', dataset.nrPages) +
    `; ${stateText(dataset.wasmBytesUsed, 'at the end of the run', dataset.nrPages)}.`;
  return [
    README_BEGIN,
    provenance,
    ...benchTables(report).map(tableMarkdown),
    ['```', ...verdictLines(report), '```'].join('\n'),
    README_END,
  ].join('\n\n');
}

/** The generated block of a README, or undefined when its markers are missing. */
export function readmeBlock(readme: string): string | undefined {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  return begin < 0 || end < begin ? undefined : readme.slice(begin, end + README_END.length);
}
