/**
 * Sets of pfn ranges: ascending, disjoint, half-open `[startPfn, endPfn)`
 * lists, the shape of a zone's member ranges. Every function here returns a
 * new list and leaves its inputs alone; work is per range, never per page.
 * Also the alignment arithmetic ranges need, and the kernel's unsigned
 * division for page counts.
 */
import type { PfnRange } from './state.js';

/** Pages in the ranges. */
export function rangePages(ranges: readonly PfnRange[]): number {
  let pages = 0;
  for (const r of ranges) pages += r.endPfn - r.startPfn;
  return pages;
}

/** Sort, drop empty ranges and merge touching or overlapping ones. */
export function normalizeRanges(ranges: readonly PfnRange[]): PfnRange[] {
  const sorted = ranges.filter((r) => r.endPfn > r.startPfn).sort((a, b) => a.startPfn - b.startPfn);
  const out: PfnRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r.startPfn <= last.endPfn) last.endPfn = Math.max(last.endPfn, r.endPfn);
    else out.push({ startPfn: r.startPfn, endPfn: r.endPfn });
  }
  return out;
}

/** `ranges` plus `[startPfn, endPfn)`. */
export function addRange(ranges: readonly PfnRange[], startPfn: number, endPfn: number): PfnRange[] {
  return normalizeRanges([...ranges, { startPfn, endPfn }]);
}

/** `ranges` minus `[startPfn, endPfn)`. */
export function subtractRange(ranges: readonly PfnRange[], startPfn: number, endPfn: number): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of ranges) {
    if (r.endPfn <= startPfn || r.startPfn >= endPfn) {
      out.push({ startPfn: r.startPfn, endPfn: r.endPfn });
      continue;
    }
    if (r.startPfn < startPfn) out.push({ startPfn: r.startPfn, endPfn: startPfn });
    if (r.endPfn > endPfn) out.push({ startPfn: endPfn, endPfn: r.endPfn });
  }
  return out;
}

/** `ranges` minus every range of `holes`. */
export function subtractRanges(ranges: readonly PfnRange[], holes: readonly PfnRange[]): PfnRange[] {
  let out = ranges.map((r) => ({ ...r }));
  for (const hole of holes) out = subtractRange(out, hole.startPfn, hole.endPfn);
  return out;
}

/** The parts of `ranges` inside `[startPfn, endPfn)`. */
export function clipRanges(ranges: readonly PfnRange[], startPfn: number, endPfn: number): PfnRange[] {
  const out: PfnRange[] = [];
  for (const r of ranges) {
    const lo = Math.max(r.startPfn, startPfn);
    const hi = Math.min(r.endPfn, endPfn);
    if (lo < hi) out.push({ startPfn: lo, endPfn: hi });
  }
  return out;
}

/** Pages of `ranges` inside `[startPfn, endPfn)`. */
export function pagesInside(ranges: readonly PfnRange[], startPfn: number, endPfn: number): number {
  return rangePages(clipRanges(ranges, startPfn, endPfn));
}

/**
 * `dividend / divisor` as C divides unsigned longs: exact for every
 * non-negative integer below 2^53, where `Math.floor(a / b)` can round a
 * quotient just below an integer up to it.
 */
export function divFloor(dividend: number, divisor: number): number {
  return (dividend - (dividend % divisor)) / divisor;
}

export function alignDown(value: number, align: number): number {
  return Math.floor(value / align) * align;
}

export function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** A positive power of two below 2^53. */
export function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 0 && 2 ** Math.round(Math.log2(value)) === value;
}
