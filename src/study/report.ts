/**
 * The run report: a plain, deterministic record of a scenario run (JSON), and
 * the terminal summary drawn from it.
 *
 * Determinism: the report holds no timestamps, wall times or absolute paths,
 * and every object is built with a fixed key order, so the same scenario and
 * seed give a byte-identical JSON text.
 */

import { PAGE_SHIFT } from '../contract/constants.js';
import { hex, hexDigits } from '../util/format.js';
import type { AllocOutcome, BlockInfo, BlockState, KernelPagesMoved, KindHeadroom, NodeStats, ZoneStats } from '../model/core/types.js';
import type { StepKind } from './scenario.js';
import type { MovableRatioResult, RatioProbe } from './movable-ratio.js';
import type { SchemeComparison } from './schemes.js';

/** Version of the report layout below; bump it when a field changes meaning. */
export const REPORT_FORMAT = 1;

const PAGES_PER_GIB = 2 ** (30 - PAGE_SHIFT);

/** A zone as the report prints it: its name and counters, as the machine reports them (ZoneStats). */
export type ZoneReport = Pick<ZoneStats, 'name' | 'zoneStartPfn' | 'spannedPages' | 'presentPages' | 'managedPages' | 'freePages'>;

/** A node as the report prints it: the node's span and present pages under the names zones use. */
export interface NodeReport extends Pick<NodeStats, 'nid' | 'online' | 'hasMemory' | 'hasNormalMemory' | 'nodeStartPfn'> {
  spannedPages: number;
  presentPages: number;
  /** Every zone of the node in zone index order, empty ones included. */
  zones: ZoneReport[];
}

/**
 * A run of memory blocks the way lsmem groups them: adjacent block ids with
 * the same state, nodes and zone text.
 */
export interface BlockRangeReport {
  /** `memory0-511`, or `memory7` for a single block. */
  blocks: string;
  firstBlockId: number;
  nrBlocks: number;
  state: BlockState;
  /** Nodes the blocks are linked under. */
  nodes: number[];
  /** valid_zones text of the blocks (the zone of an online block, or `none`; the candidates of an offline one). */
  zones: string;
  /** lsmem's RANGE column: first and last byte, inclusive, as 0x%016x. */
  range: string;
  sizeBytes: number;
}

export interface BlockTotals {
  online: number;
  offline: number;
  onlineBytes: number;
  offlineBytes: number;
}

export type StepStatus = 'ok' | 'failed';

/** A block that failed inside a multi-block step (online, offline, offline_and_remove...). */
export interface BlockFailureReport {
  id: number;
  errno?: string;
  message?: string;
}

/** One destination of an export step: where it went and how much it wrote there. */
export interface ExportReport {
  kind: 'sysfs' | 'zoneinfo' | 'iomem';
  /** As the step or option gave it (relative paths stay relative; - is standard output). */
  path: string;
  /** Regular files written (0 for standard output). */
  files: number;
  /** The sysfs tree's directories and symlinks. */
  dirs?: number;
  links?: number;
  /** Bytes in the files (or sent to standard output). */
  bytes: number;
}

/** What an allocation placed. */
export interface AllocationReport {
  allocatedPages: number;
  pageTablePages: number;
  reclaimedPages: number;
  byZone: Record<string, number>;
}

export interface StepReport {
  index: number;
  kind: StepKind;
  /** What the step did, in one line (`read /sys/.../state`). */
  what: string;
  status: StepStatus;
  /** The errno name when the operation itself returned an error. */
  errno?: string;
  message?: string;
  /** For a mismatch: what the scenario expected and what the machine gave. */
  expected?: unknown;
  actual?: unknown;
  /** Export steps: what each export wrote, as far as it got. */
  written?: ExportReport[];
  /** The text a read step returned, without its trailing newline. */
  value?: string;
  /** Lifecycle steps: how long the operation would take on real hardware (the cost model), in seconds. */
  modelledSeconds?: number;
  /** Offline steps (offline, offline_and_remove): pages migrated out of the range. */
  migratedPages?: number;
  /** Offline steps: pages migrated, by target node id (ascending). */
  migratedByNode?: Record<string, number>;
  /** Offline steps: migration passes repeated after the first. */
  retries?: number;
  /** Offline steps: why the offline stopped, when the model says. */
  reason?: string;
  /** Offline steps under offline-migrated: kernel pages copied or relocated under stop_machine. */
  kernelPages?: KernelPagesMoved;
  /** Alloc steps: what the allocation placed ("node:zone" to pages, in allocation order). */
  allocation?: AllocationReport;
  /** Workload steps: pages asked for and allocated, per kind (page tables as `pgtable`). */
  kinds?: Record<string, { requestedPages: number; allocatedPages: number }>;
  /** Allocating steps that could not be satisfied: how it ended, the zones below their marks, free Movable memory. */
  failure?: AllocOutcome['failure'];
  /** Headroom steps: how much more of each kind each node can allocate. */
  headroom?: KindHeadroom[];
  /** max_movable_ratio steps: the answer and every machine the search booted. */
  movableRatio?: MovableRatioReport;
  /** compare_schemes steps: both hot-remove schemes side by side. */
  schemes?: SchemeComparison;
  /** Multi-block steps: blocks that succeeded and failed. */
  blocksOk?: number;
  blocksFailed?: number;
  /** The first failed blocks, ascending id (at most 16; blocksFailed counts them all). */
  failedBlocks?: BlockFailureReport[];
}

export interface RunReport {
  format: typeof REPORT_FORMAT;
  scenario: { name: string; file: string; description: string; seed: number };
  machine: { type: 'bare-metal' | 'vm'; cmdline: string; blockSizeBytes: number; nrNodes: number };
  nodes: NodeReport[];
  blocks: BlockRangeReport[];
  blockTotals: BlockTotals;
  warnings: string[];
  unknownParams: string[];
  steps: StepReport[];
  result: { steps: number; ok: number; failed: number };
}

// ---- building -------------------------------------------------------------------

/**
 * The report's view of a node: the one place the machine's NodeStats become
 * report fields, in the order the JSON prints them (expect checks read
 * these too).
 */
export function nodeReport(node: NodeStats): NodeReport {
  return {
    nid: node.nid,
    online: node.online,
    hasMemory: node.hasMemory,
    hasNormalMemory: node.hasNormalMemory,
    nodeStartPfn: node.nodeStartPfn,
    spannedPages: node.nodeSpannedPages,
    presentPages: node.nodePresentPages,
    zones: [...node.zones]
      .sort((a, b) => a.zoneIdx - b.zoneIdx)
      .map((zone) => ({
        name: zone.name,
        zoneStartPfn: zone.zoneStartPfn,
        spannedPages: zone.spannedPages,
        presentPages: zone.presentPages,
        managedPages: zone.managedPages,
        freePages: zone.freePages,
      })),
  };
}

function sameNodes(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((nid, i) => nid === b[i]);
}

/** Group blocks as lsmem does when it splits on state, node and zones. */
export function groupBlocks(blocks: readonly BlockInfo[], blockSizeBytes: number): BlockRangeReport[] {
  const sorted = [...blocks].sort((a, b) => a.id - b.id);
  const ranges: BlockRangeReport[] = [];
  let current: { first: BlockInfo; count: number } | null = null;
  const flush = () => {
    if (!current) return;
    const { first, count } = current;
    const last = first.id + count - 1;
    ranges.push({
      blocks: count === 1 ? `memory${first.id}` : `memory${first.id}-${last}`,
      firstBlockId: first.id,
      nrBlocks: count,
      state: first.state,
      nodes: [...first.nids],
      zones: first.validZones,
      range: `${hex(first.id * blockSizeBytes, 16)}-${hex((last + 1) * blockSizeBytes - 1, 16)}`,
      sizeBytes: count * blockSizeBytes,
    });
  };
  for (const block of sorted) {
    if (
      current &&
      block.id === current.first.id + current.count &&
      block.state === current.first.state &&
      block.validZones === current.first.validZones &&
      sameNodes(block.nids, current.first.nids)
    ) {
      current.count++;
      continue;
    }
    flush();
    current = { first: block, count: 1 };
  }
  flush();
  return ranges;
}

/** lsmem's totals: only blocks exactly `online` count as online. */
export function blockTotals(blocks: readonly BlockInfo[], blockSizeBytes: number): BlockTotals {
  const online = blocks.filter((block) => block.state === 'online').length;
  const offline = blocks.length - online;
  return { online, offline, onlineBytes: online * blockSizeBytes, offlineBytes: offline * blockSizeBytes };
}

/** The report as JSON text, two-space indented, with a final newline. */
export function reportJson(report: RunReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ---- terminal summary -----------------------------------------------------------

/** Pages as GiB with two decimals (deterministic: no locale). */
export function pagesToGib(pages: number): string {
  return (pages / PAGES_PER_GIB).toFixed(2);
}

/** A byte size the way lsmem prints it: one letter, at most one decimal. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P', 'E'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes}B`;
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
  return `${text}${units[unit]}`;
}

function padLeft(text: string | number, width: number): string {
  return String(text).padStart(width);
}

function padRight(text: string | number, width: number): string {
  return String(text).padEnd(width);
}

/** Break a long line at spaces; continuation lines start with `indent`. A word longer than a line is cut by {@link fit}. */
function wrap(line: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > width) {
    const cut = rest.lastIndexOf(' ', width);
    if (cut <= indent.length) break;
    out.push(rest.slice(0, cut));
    rest = `${indent}${rest.slice(cut + 1)}`;
  }
  out.push(rest);
  return out;
}

/** Cut a line to `width` columns, marking the cut. */
function fit(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, width - 3)}...`;
}

const SUMMARY_WIDTH = 100;

function nodeFlags(node: NodeReport): string {
  const flags = [node.online ? 'online' : 'offline'];
  if (node.hasMemory) flags.push('has memory');
  else flags.push('memoryless');
  if (node.hasNormalMemory) flags.push('normal memory');
  return flags.join(', ');
}

/** Seconds for people: s, ms or us with two decimals (deterministic: no locale). */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0 s';
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(2)} ms`;
  return `${(seconds * 1e6).toFixed(2)} us`;
}

/** The figures of a lifecycle step's outcome, one line each: modelled time and migration, then blocks. */
function outcomeLines(step: StepReport): string[] {
  const lines: string[] = [];
  if (step.modelledSeconds !== undefined) {
    let line = `modelled ${formatSeconds(step.modelledSeconds)}`;
    if (step.migratedPages !== undefined) {
      line += `; migrated ${step.migratedPages} pages (${pagesToGib(step.migratedPages)} GiB)`;
      if (step.retries !== undefined) line += `; ${step.retries} ${step.retries === 1 ? 'retry' : 'retries'}`;
      if (step.reason !== undefined) line += `; ${step.reason}`;
    }
    lines.push(line);
  }
  const kernel = step.kernelPages;
  if (kernel !== undefined) {
    lines.push(
      `stop_machine ${formatSeconds(kernel.stopMachineSeconds)}: copied ${kernel.copiedPages} slab pages (${kernel.remappedSections} sections remapped), ` +
        `relocated ${kernel.pgtablePages} page-table pages`,
    );
  }
  const byNode = Object.entries(step.migratedByNode ?? {});
  if (byNode.length > 0) lines.push(`to ${byNode.map(([nid, pages]) => `node${nid} ${pages}`).join(', ')}`);
  lines.push(...allocationLines(step));
  lines.push(...movableRatioLines(step));
  lines.push(...schemeLines(step));
  if (step.blocksFailed !== undefined && step.blocksFailed > 0) {
    const listed = (step.failedBlocks ?? []).map((block) => `memory${block.id}${block.errno ? ` ${block.errno}` : ''}`);
    const more = step.blocksFailed - listed.length;
    lines.push(
      `${step.blocksOk ?? 0} blocks ok, ${step.blocksFailed} failed: ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    );
  }
  return lines;
}

/** `N pages (X GiB)`. */
function pagesText(pages: number): string {
  return `${pages} pages (${pagesToGib(pages)} GiB)`;
}

/** One machine a max_movable_ratio search booted, as the report carries it: a ratio without kernel memory is null. */
export type RatioProbeReport = Omit<RatioProbe, 'ratio'> & { ratio: number | null };

/** A max_movable_ratio answer as the report carries it (see MovableRatioResult). */
export type MovableRatioReport = Omit<MovableRatioResult, 'ratio' | 'probes'> & { ratio: number | null; probes: RatioProbeReport[] };

/** A search result as the report carries it: JSON has no Infinity, so a ratio without kernel memory is null. */
export function movableRatioReport(result: MovableRatioResult): MovableRatioReport {
  const finite = (ratio: number | null): number | null => (ratio !== null && Number.isFinite(ratio) ? ratio : null);
  return {
    vary: result.vary,
    ratio: finite(result.ratio),
    gridRatio: result.gridRatio,
    kernelBytes: result.kernelBytes,
    movableBytes: result.movableBytes,
    limitedBy: result.limitedBy,
    probes: result.probes.map((probe) => ({ ...probe, ratio: finite(probe.ratio) })),
  };
}

/** `28.26:1`. */
export function ratioText(ratio: number): string {
  return `${+ratio.toFixed(2)}:1`;
}

/** A max_movable_ratio answer: the ratio, its split, what stops a higher one. */
function movableRatioLines(step: StepReport): string[] {
  const result = step.movableRatio;
  if (result === undefined) return [];
  const fits = result.probes.filter((probe) => probe.fits).length;
  const lines = [`${result.probes.length} machines booted (${fits} fit)`];
  if (result.ratio !== null) {
    lines.push(
      `max MOVABLE:KERNEL ${ratioText(result.ratio)}: ${humanBytes(result.movableBytes)} movable, ${humanBytes(result.kernelBytes)} kernel`,
    );
  }
  lines.push(`limited by: ${result.limitedBy}`);
  return lines;
}

/** A compare_schemes answer: per scheme the kernel headroom, then per node what could be removed and at what cost. */
function schemeLines(step: StepReport): string[] {
  const comparison = step.schemes;
  if (comparison === undefined) return [];
  const lines: string[] = [];
  for (const result of comparison.schemes) {
    const headroom = Object.entries(result.kernelHeadroomPages).map(([kind, pages]) => `${kind} ${pagesToGib(pages)}`);
    lines.push(`${result.scheme}: kernel headroom (GiB) ${headroom.join(', ')}; ZONE_MOVABLE free ${pagesToGib(result.movableFreePages)} GiB`);
    for (const node of result.nodes) {
      const notRemoved = node.blocksRemoveFailed > 0 ? `, ${node.blocksRemoveFailed} offline but not removed` : '';
      let line =
        `  node ${node.nid}: removed ${humanBytes(node.removableBytes)} of ${humanBytes(node.presentBytes)} ` +
        `(${node.blocksRemoved} blocks; ${node.blocksFailed} would not go offline${notRemoved}), modelled ${formatSeconds(node.modelledSeconds)}`;
      if (node.stopMachineSeconds > 0) {
        line +=
          `, stop_machine ${formatSeconds(node.stopMachineSeconds)}, ${node.copiedPages} slab pages copied, ${node.pgtablePages} page-table pages, ` +
          `slow lookups ${(node.slowLookupFraction * 100).toFixed(1)}% of slab costing ${node.slowLookupCpuSecondsPerSecond.toFixed(3)} CPU`;
      }
      lines.push(line);
      if (node.firstFailure !== undefined) lines.push(`    first offline failure memory${node.firstFailure.blockId}: ${node.firstFailure.errno}: ${node.firstFailure.message}`);
      const removal = node.firstRemoveFailure;
      if (removal !== undefined) {
        const ids = removal.nrBlocks > 1 ? `${removal.firstBlockId}-${removal.firstBlockId + removal.nrBlocks - 1}` : `${removal.firstBlockId}`;
        lines.push(`    first removal failure memory${ids}: ${removal.errno}: ${removal.message}`);
      }
    }
  }
  if (comparison.lookupNs.direct > 0) {
    lines.push(
      `lookups at ${comparison.lookupsPerSecond}/s: direct ${comparison.lookupNs.direct.toFixed(2)} ns, slow ${comparison.lookupNs.slow.toFixed(2)} ns` +
        (comparison.lookupNs.measured ? ' (measured on the engine in this run)' : ''),
    );
  }
  return lines;
}

/** What an allocating step placed, how a workload's kinds fared, how a failure ended, and a headroom table. */
function allocationLines(step: StepReport): string[] {
  const lines: string[] = [];
  const alloc = step.allocation;
  if (alloc !== undefined) {
    const where = Object.entries(alloc.byZone).map(([key, pages]) => `${key} ${pages}`);
    lines.push(`allocated ${pagesText(alloc.allocatedPages)}${where.length > 0 ? `: ${where.join(', ')}` : ''}`);
    if (alloc.pageTablePages > 0 || alloc.reclaimedPages > 0) {
      lines.push(`page tables ${alloc.pageTablePages} pages; reclaimed ${alloc.reclaimedPages} pages on the way`);
    }
  }
  for (const [kind, { requestedPages, allocatedPages }] of Object.entries(step.kinds ?? {})) {
    if (requestedPages === 0 && allocatedPages === 0) continue;
    const short = allocatedPages < requestedPages ? ` of ${requestedPages} asked` : '';
    lines.push(`${padRight(kind, 17)}${pagesText(allocatedPages)}${short}`);
  }
  const failure = step.failure;
  if (failure !== undefined) {
    lines.push(`${failure.outcome}: ${failure.kind} short of ${failure.missingPages} pages after reclaim`);
    for (const zone of failure.zones) {
      lines.push(`  node ${zone.nid} ${padRight(zone.zone, 8)} free ${zone.freePages}, min ${zone.min} + reserve ${zone.reserve}, low ${zone.low}, high ${zone.high}`);
    }
    lines.push(`ZONE_MOVABLE still free: ${pagesText(failure.movableFreePages)}`);
  }
  let headroomNode: number | null = null;
  for (const entry of step.headroom ?? []) {
    if (entry.node !== headroomNode) lines.push(`node ${(headroomNode = entry.node)}: more pages before the first failure`);
    lines.push(
      `  ${padRight(entry.kind, 17)}${padLeft(pagesText(entry.pages), 24)}, ${pagesToGib(entry.movablePages)} GiB in Movable; limited by ${entry.limitedBy}`,
    );
  }
  return lines;
}

/** One step as summary lines: status, then what it did (an expect step gets a line per assertion). */
/** Where one export went and how much it wrote, in one line. */
function writtenLine(out: ExportReport): string {
  if (out.path === '-') return `wrote ${out.kind} to standard output (${humanBytes(out.bytes)})`;
  if (out.kind !== 'sysfs') return `wrote ${out.kind} to ${out.path} (${humanBytes(out.bytes)})`;
  return `wrote the sysfs tree under ${out.path}: ${out.files} files, ${out.dirs ?? 0} directories, ${out.links ?? 0} links, ${humanBytes(out.bytes)}`;
}

/** Lines of a read step's value the summary shows before it cuts the rest. */
const READ_VALUE_LINES = 12;

/** What a read without `expect` read: one line as is, a longer text as its first lines. */
function readValueLines(value: string): string[] {
  const all = value.split('\n');
  if (all.length === 1) return [`value ${JSON.stringify(value)}`];
  const shown = [`value (${all.length} lines):`, ...all.slice(0, READ_VALUE_LINES).map((line) => `  ${line}`)];
  if (all.length > READ_VALUE_LINES) shown.push(`  ... ${all.length - READ_VALUE_LINES} more lines (the JSON report has them all)`);
  return shown;
}

function stepLines(step: StepReport): string[] {
  const label = padRight(`[${step.index}]`, 6);
  const status = padRight(step.status === 'ok' ? 'ok' : 'FAILED', 8);
  // Expect and export steps list several things; each gets its own line.
  const parts =
    step.kind === 'expect' || step.kind === 'export'
      ? step.what.split('; ').map((part, i) => (i === 0 ? part : `${step.kind} ${part}`))
      : [step.what];
  const indent = ' '.repeat(2 + 6 + 8);
  const lines = parts.map((part, i) => (i === 0 ? `  ${label}${status}${part}` : `${indent}${part}`));
  lines.push(...outcomeLines(step).map((line) => `${indent}${line}`));
  for (const out of step.written ?? []) lines.push(`${indent}${writtenLine(out)}`);
  // A read with nothing to compare against is there to show what it read.
  if (step.kind === 'read' && step.status === 'ok' && step.expected === undefined && step.value !== undefined && !step.what.includes(' == ')) {
    lines.push(...readValueLines(step.value).map((line) => `${indent}${line}`));
  }
  if (step.status === 'failed') {
    if (step.errno) lines.push(`${indent}${step.errno}: ${step.message ?? ''}`);
    else if (step.message) lines.push(...step.message.split('; ').map((problem) => `${indent}${problem}`));
  }
  return lines.flatMap((line) => wrap(line, SUMMARY_WIDTH, `${indent}  `));
}

/** The terminal summary: nodes and zones, block ranges, steps. Lines fit in 100 columns. */
export function renderSummary(report: RunReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(`scenario ${report.scenario.name} (${report.scenario.file})`);
  if (report.scenario.description) lines.push(`  ${report.scenario.description.split('\n')[0]}`);
  lines.push(
    `machine  ${machine.type}, ${machine.nrNodes} node${machine.nrNodes === 1 ? '' : 's'}, ` +
      `memory block ${humanBytes(machine.blockSizeBytes)} (block_size_bytes ${hexDigits(machine.blockSizeBytes)})`,
  );
  lines.push(`cmdline  ${machine.cmdline === '' ? '(empty)' : machine.cmdline}`);
  lines.push('');

  const header =
    `  ${padRight('zone', 8)}${padLeft('start_pfn', 14)}${padLeft('spanned', 14)}${padLeft('present', 14)}` +
    `${padLeft('managed', 14)}${padLeft('present GiB', 13)}${padLeft('managed GiB', 13)}`;
  for (const node of report.nodes) {
    lines.push(`node ${node.nid}  ${nodeFlags(node)}; ${pagesToGib(node.presentPages)} GiB present`);
    const populated = node.zones.filter((zone) => zone.spannedPages > 0 || zone.presentPages > 0);
    if (populated.length === 0) continue;
    lines.push(header);
    for (const zone of populated) {
      lines.push(
        `  ${padRight(zone.name, 8)}${padLeft(zone.zoneStartPfn, 14)}${padLeft(zone.spannedPages, 14)}` +
          `${padLeft(zone.presentPages, 14)}${padLeft(zone.managedPages, 14)}` +
          `${padLeft(pagesToGib(zone.presentPages), 13)}${padLeft(pagesToGib(zone.managedPages), 13)}`,
      );
    }
  }
  lines.push('');

  lines.push(`memory blocks (${report.blocks.length} range${report.blocks.length === 1 ? '' : 's'}, lsmem grouping)`);
  const blockWidth = Math.max(12, ...report.blocks.map((range) => range.blocks.length)) + 2;
  const zonesWidth = Math.max(8, ...report.blocks.map((range) => range.zones.length)) + 2;
  for (const range of report.blocks) {
    const nodes = range.nodes.length === 0 ? '-' : range.nodes.map((nid) => `node${nid}`).join(',');
    lines.push(
      `  ${padRight(range.blocks, blockWidth)}${padRight(range.state, 15)}${padRight(range.zones, zonesWidth)}` +
        `${padRight(nodes, 10)}${padLeft(humanBytes(range.sizeBytes), 7)}`,
    );
  }
  const totals = report.blockTotals;
  lines.push(
    `  online ${humanBytes(totals.onlineBytes)} (${totals.online} blocks), ` +
      `offline ${humanBytes(totals.offlineBytes)} (${totals.offline} blocks)`,
  );

  if (report.warnings.length > 0 || report.unknownParams.length > 0) {
    lines.push('');
    for (const warning of report.warnings) lines.push(`warning  ${warning}`);
    if (report.unknownParams.length > 0) lines.push(`unknown parameters  ${report.unknownParams.join(' ')}`);
  }

  lines.push('');
  lines.push(`steps`);
  if (report.steps.length === 0) lines.push('  (none)');
  for (const step of report.steps) lines.push(...stepLines(step));
  const { result } = report;
  lines.push(`${result.steps} step${result.steps === 1 ? '' : 's'}: ${result.ok} ok, ${result.failed} failed`);
  return `${lines.map((line) => fit(line, SUMMARY_WIDTH)).join('\n')}\n`;
}
