/**
 * util-linux lsmem run against an exported sysfs tree, and the ranges it
 * must print for a list of model blocks (util-linux sys-utils/lsmem.c).
 *
 * lsmem 2.38.1 rules restated here:
 * - ZONES is filled only when `memory0/valid_zones` exists, so only when the
 *   machine has a memory0;
 * - NODE is filled only when the first block (in versionsort order) has a
 *   node link;
 * - with every column a split column, a block joins the previous range when
 *   its id follows on (holes always split) and state, node and zones are
 *   equal; a range with an Unknown zone never merges;
 * - ZONES lists a block's valid_zones tokens joined with `/`;
 * - REMOVABLE is shown only for online blocks.
 */
import { execFileSync } from 'node:child_process';
import type { BlockInfo } from '../../src/model/core/types.js';
import { hex } from '../../src/util/format.js';

/** The columns the acceptance tests print: everything lsmem knows about a block range. */
export const LSMEM_COLUMNS = 'RANGE,SIZE,STATE,REMOVABLE,BLOCK,NODE,ZONES';

export interface LsmemRow {
  range: string;
  size: number;
  state: string;
  removable: boolean;
  block: string;
  node: number | null;
  zones: string | null;
}

/** Run lsmem with `args`; a missing lsmem is an error that says how to get it. */
export function runLsmem(args: readonly string[]): string {
  try {
    return execFileSync('lsmem', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    if (e.code === 'ENOENT') {
      throw new Error('lsmem (util-linux) is not installed or not on PATH; these tests need it: apt-get install util-linux');
    }
    throw new Error(`lsmem ${args.join(' ')} failed (status ${e.status}): ${e.stderr ?? e.message}`);
  }
}

/** `lsmem -J -b -o LSMEM_COLUMNS --sysroot root`, parsed. */
export function lsmemJson(root: string): LsmemRow[] {
  return (JSON.parse(runLsmem(['-J', '-b', '-o', LSMEM_COLUMNS, '--sysroot', root])) as { memory: LsmemRow[] }).memory;
}

/**
 * `lsmem -b -o LSMEM_COLUMNS --sysroot root`: the table rows below the header,
 * one cell per column. Cells may be blank (REMOVABLE of an offline block), so
 * columns are found where every line, header included, has a space.
 */
export function lsmemTable(root: string): string[][] {
  // The header, then one line per range; the summary lines that follow are not table rows.
  const lines = runLsmem(['-b', '-o', LSMEM_COLUMNS, '--sysroot', root])
    .split('\n')
    .filter((line, i) => i === 0 || line.startsWith('0x'));
  const width = Math.max(...lines.map((line) => line.length));
  const padded = lines.map((line) => line.padEnd(width));
  const segments: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= width; i++) {
    const blank = i === width || padded.every((line) => line[i] === ' ');
    if (!blank && start < 0) start = i;
    else if (blank && start >= 0) {
      segments.push([start, i]);
      start = -1;
    }
  }
  const cells = padded.map((line) => segments.map(([from, to]) => line.slice(from, to).trim()));
  if (cells[0].join(',') !== LSMEM_COLUMNS) throw new Error(`unexpected lsmem table layout:\n${lines.join('\n')}`);
  return cells.slice(1);
}

/** The value after `label` in `lsmem -b --summary=only`. */
export function lsmemSummaryValue(root: string, label: string): number {
  const summary = runLsmem(['-b', '--summary=only', '--sysroot', root]);
  const line = summary.split('\n').find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no "${label}" line in lsmem output:\n${summary}`);
  return Number(line.slice(label.length).trim());
}

/** lsmem's zone names, matched case-insensitively; anything else is Unknown. */
const LSMEM_ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Highmem', 'Movable', 'Device', 'None'];

/** The ZONES text lsmem prints for a valid_zones text: each token by its name, joined with `/` (`Movable/Normal`). */
export function lsmemZones(validZones: string): string {
  return validZones
    .split(' ')
    .map((token) => LSMEM_ZONE_NAMES.find((name) => name.toLowerCase() === token.toLowerCase()) ?? 'Unknown')
    .join('/');
}

export interface ExpectedLsmemRange {
  firstId: number;
  lastId: number;
  state: string;
  node: number | null;
  zones: string | null;
}

/** The ranges lsmem must print for `blocks` (ascending id) with every column a split column. */
export function expectedLsmemRanges(blocks: readonly BlockInfo[]): ExpectedLsmemRange[] {
  const sorted = [...blocks].sort((a, b) => a.id - b.id);
  const haveZones = sorted.some((b) => b.id === 0);
  const haveNodes = sorted.length > 0 && sorted[0].nids.length > 0;
  const ranges: ExpectedLsmemRange[] = [];
  for (const block of sorted) {
    if (block.nids.length > 1) throw new Error(`memory${block.id} spans nodes ${block.nids}: lsmem's node for it depends on readdir order`);
    const node = haveNodes ? (block.nids[0] ?? -1) : null;
    const zones = haveZones ? lsmemZones(block.validZones) : null;
    const last = ranges.at(-1);
    if (
      last !== undefined &&
      last.lastId + 1 === block.id &&
      last.state === block.state &&
      last.node === node &&
      last.zones === zones &&
      !(zones ?? '').split('/').includes('Unknown')
    ) {
      last.lastId = block.id;
    } else {
      ranges.push({ firstId: block.id, lastId: block.id, state: block.state, node, zones });
    }
  }
  return ranges;
}

export function hex16(value: number): string {
  return hex(value, 16);
}
