/**
 * Engine work over pfn ranges that may cross shard windows: each range is
 * split at window edges and every piece becomes one coarse engine call.
 * Nothing here loops over pages; the loops run over ranges and shards.
 */
import { ClaimMode, NR_PAGE_CLASSES, type PageClass } from '../../contract/constants.js';
import type { PfnRange } from '../hotplug/memory-blocks.js';
import type { ShardPiece, ShardSet } from './shards.js';

/** The shard pieces of every range, in range order. */
export function piecesOf(shards: ShardSet, ranges: readonly PfnRange[]): ShardPiece[] {
  return ranges.flatMap((r) => shards.split(r.startPfn, r.endPfn));
}

/** Pages whose class is in `mask`, over all ranges. */
export async function countIn(shards: ShardSet, ranges: readonly PfnRange[], mask: number): Promise<number> {
  const counts = await Promise.all(piecesOf(shards, ranges).map((p) => p.shard.engine.count(p.startPfn, p.endPfn, mask)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Pages per class over all ranges, indexed by class id. */
export async function countClassesIn(shards: ShardSet, ranges: readonly PfnRange[]): Promise<number[]> {
  const totals = new Array<number>(NR_PAGE_CLASSES).fill(0);
  const all = await Promise.all(piecesOf(shards, ranges).map((p) => p.shard.engine.countClasses(p.startPfn, p.endPfn)));
  for (const counts of all) for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) totals[cls] += counts[cls];
  return totals;
}

/** Lowest pfn of the ranges whose class is in `mask`, or -1. */
export async function findNextIn(shards: ShardSet, ranges: readonly PfnRange[], mask: number): Promise<number> {
  for (const p of piecesOf(shards, ranges)) {
    const pfn = await p.shard.engine.findNext(p.startPfn, p.endPfn, mask);
    if (pfn >= 0) return pfn;
  }
  return -1;
}

/**
 * Move `nrPages` pages of class `from` in the ranges to class `to`, taking
 * them piece by piece in range order (LOWEST: the lowest pfns overall). With
 * RANDOM_PAGEBLOCK each piece gets a share proportional to its `from` pages
 * (largest remainders first), so a random subset spreads over every piece.
 * The caller makes sure enough pages exist; a shortfall throws before any
 * page changes.
 */
export async function claimIn(
  shards: ShardSet,
  ranges: readonly PfnRange[],
  nrPages: number,
  from: PageClass,
  to: PageClass,
  mode: ClaimMode = ClaimMode.LOWEST,
  seed = 0,
): Promise<void> {
  if (nrPages === 0) return;
  const pieces = piecesOf(shards, ranges);
  const available = await Promise.all(pieces.map((p) => p.shard.engine.count(p.startPfn, p.endPfn, 1 << from)));
  const total = available.reduce((sum, n) => sum + n, 0);
  if (total < nrPages) throw new Error(`claimIn: ${nrPages} pages of class ${from} wanted, ${total} in the ranges`);
  const shares = mode === ClaimMode.LOWEST ? lowestShares(available, nrPages) : proportionalShares(available, nrPages);
  for (let i = 0; i < pieces.length; i++) {
    if (shares[i] === 0) continue;
    const p = pieces[i];
    // Each piece gets its own seed so equal-sized pieces do not repeat one pattern.
    await p.shard.engine.claim(p.startPfn, p.endPfn, shares[i], from, to, mode, (seed + i * 0x9e3779b9) >>> 0);
  }
}

function lowestShares(available: readonly number[], nrPages: number): number[] {
  let left = nrPages;
  return available.map((n) => {
    const take = Math.min(n, left);
    left -= take;
    return take;
  });
}

function proportionalShares(available: readonly number[], nrPages: number): number[] {
  const total = available.reduce((sum, n) => sum + n, 0);
  const exact = available.map((n) => (n * nrPages) / total);
  const shares = exact.map((x, i) => Math.min(available[i], Math.floor(x)));
  let left = nrPages - shares.reduce((sum, n) => sum + n, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  while (left > 0) {
    let progressed = false;
    for (const { i } of order) {
      if (left === 0) break;
      if (shares[i] < available[i]) {
        shares[i]++;
        left--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return shares;
}

/** Run `call` on every shard piece of `[startPfn, endPfn)`. */
export async function forEachPiece(
  shards: ShardSet,
  startPfn: number,
  endPfn: number,
  call: (piece: ShardPiece) => unknown,
): Promise<void> {
  for (const piece of shards.split(startPfn, endPfn)) await call(piece);
}

/** Every page of the range takes class `cls`. */
export function setClassOver(shards: ShardSet, startPfn: number, endPfn: number, cls: PageClass): Promise<void> {
  return forEachPiece(shards, startPfn, endPfn, (p) => p.shard.engine.setClass(p.startPfn, p.endPfn, cls));
}

/** Every pageblock of the range takes migratetype `mt`. */
export function setMigratetypeOver(shards: ShardSet, startPfn: number, endPfn: number, mt: number): Promise<void> {
  return forEachPiece(shards, startPfn, endPfn, (p) => p.shard.engine.setMigratetype(p.startPfn, p.endPfn, mt));
}

/** Set or clear MIGRATE_ISOLATE on every pageblock of the range. */
export function setIsolateOver(shards: ShardSet, startPfn: number, endPfn: number, isolate: boolean): Promise<void> {
  return forEachPiece(shards, startPfn, endPfn, (p) => p.shard.engine.setIsolate(p.startPfn, p.endPfn, isolate));
}

/** Pageblocks of the range whose `tag & mask === value`. */
export async function countPageblocksOver(shards: ShardSet, startPfn: number, endPfn: number, mask: number, value: number): Promise<number> {
  let n = 0;
  for (const p of shards.split(startPfn, endPfn)) n += await p.shard.engine.countPageblocks(p.startPfn, p.endPfn, mask, value);
  return n;
}

/** Set then clear section flags over the range. */
export function setSectionFlagsOver(shards: ShardSet, startPfn: number, endPfn: number, setMask: number, clearMask: number): Promise<void> {
  return forEachPiece(shards, startPfn, endPfn, (p) => p.shard.engine.setSectionFlags(p.startPfn, p.endPfn, setMask, clearMask));
}

/** Set the zone id of every section of the range. */
export function setSectionZoneOver(shards: ShardSet, startPfn: number, endPfn: number, zoneId: number): Promise<void> {
  return forEachPiece(shards, startPfn, endPfn, (p) => p.shard.engine.setSectionZone(p.startPfn, p.endPfn, zoneId));
}
