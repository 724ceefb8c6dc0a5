// Word-level kernels over the bit-planes of a mixed pageblock.
//
// The class of page i is bit i of plane0 | plane1 << 1 | plane2 << 2. A plane
// record holds only the planes its classes need (its depth): FREE/USER pages
// need one plane, SLAB/PGTABLE two, PINNED and above (up to SLAB_RECLAIMABLE,
// class 7, so every 3-bit value is a class) three. Missing planes
// read as zero. A pageblock entry that is a plane record is its address
// (64-aligned) with the depth in the low bits, so the kernels below take the
// entry and decode it.
//
// The pages of class c in a word are the AND of each plane or its complement;
// masks of several classes OR such minterms together.

import { NR_PAGE_CLASSES } from './constants';
import { PLANE_BYTES, PLANE_WORDS, POOL_PLANE, POOL_PLANE1, POOL_PLANE2 } from './layout';

// ---- entries, depths, pools --------------------------------------------------------

export const ENTRY_DEPTH_MASK: u32 = 3;

@inline export function planeAddr(entry: u32): usize {
  return <usize>(entry & ~(<u32>63));
}
@inline export function planeDepth(entry: u32): u32 {
  return entry & ENTRY_DEPTH_MASK;
}
@inline export function planeEntry(plane: usize, depth: u32): u32 {
  return <u32>plane | depth;
}
/** Planes needed to hold class `cls`: 1 for 0..1, 2 for 2..3, 3 for 4..7. */
@inline export function depthOfClass(cls: u32): u32 {
  return cls < 2 ? 1 : cls < 4 ? 2 : 3;
}
/** Planes needed for a non-empty class mask. */
@inline export function depthOfMask(mask: u32): u32 {
  return depthOfClass(31 - <u32>clz<u32>(mask));
}
@inline export function poolOfDepth(depth: u32): u32 {
  return depth == 3 ? POOL_PLANE : depth == 2 ? POOL_PLANE2 : POOL_PLANE1;
}

@inline function wordA(plane: usize, w: u32): u64 {
  return load<u64>(plane + (<usize>w << 3));
}
@inline function wordB(plane: usize, depth: u32, w: u32): u64 {
  return depth >= 2 ? load<u64>(plane + PLANE_BYTES + (<usize>w << 3)) : 0;
}
@inline function wordC(plane: usize, depth: u32, w: u32): u64 {
  return depth >= 3 ? load<u64>(plane + 2 * PLANE_BYTES + (<usize>w << 3)) : 0;
}

// ---- matching ----------------------------------------------------------------------

/** Pages of class `cls` among the 64 pages whose plane words are a, b, d. */
@inline export function matchClass(cls: u32, a: u64, b: u64, d: u64): u64 {
  const ma = (cls & 1) != 0 ? a : ~a;
  const mb = (cls & 2) != 0 ? b : ~b;
  const md = (cls & 4) != 0 ? d : ~d;
  return ma & mb & md;
}

/**
 * Pages whose class is in `mask`. Splits the 3-variable truth table on the
 * top plane (Shannon expansion) so any mask costs a dozen operations.
 */
@inline export function matchMask(mask: u32, a: u64, b: u64, d: u64): u64 {
  const na = ~a;
  const nb = ~b;
  const m00 = na & nb;
  const m01 = a & nb;
  const m10 = na & b;
  const m11 = a & b;
  let lo: u64 = 0;
  if (mask & 0x01) lo |= m00;
  if (mask & 0x02) lo |= m01;
  if (mask & 0x04) lo |= m10;
  if (mask & 0x08) lo |= m11;
  let hi: u64 = 0;
  if (mask & 0x10) hi |= m00;
  if (mask & 0x20) hi |= m01;
  if (mask & 0x40) hi |= m10;
  if (mask & 0x80) hi |= m11;
  return (lo & ~d) | (hi & d);
}

/** All-ones below bit `hiBit` (exclusive, 1..64). */
@inline export function lowMask(hiBit: u32): u64 {
  return hiBit >= 64 ? <u64>-1 : (<u64>1 << <u64>hiBit) - 1;
}

/** Mask of pages [lo, hi) (pageblock page offsets) inside word w. */
@inline function rangeMask(w: u32, wLo: u32, wHi: u32, lo: u32, hi: u32): u64 {
  let m: u64 = <u64>-1;
  if (w == wLo) m &= <u64>-1 << <u64>(lo & 63);
  if (w == wHi) m &= lowMask(hi - (w << 6));
  return m;
}

// ---- kernels -----------------------------------------------------------------------

/**
 * Classes a plane record of `depth` planes can hold: 2^depth (the missing
 * planes read as zero), so the per-class kernels below skip the rest.
 */
@inline function classesOfDepth(depth: u32): u32 {
  return min<u32>(<u32>1 << depth, NR_PAGE_CLASSES);
}

/** Mask of the classes present in a plane record. */
export function planePresence(entry: u32): u32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const nrClasses = classesOfDepth(depth);
  let seen: u32 = 0;
  for (let w: u32 = 0; w < PLANE_WORDS; w++) {
    const a = wordA(plane, w);
    const b = wordB(plane, depth, w);
    const d = wordC(plane, depth, w);
    for (let c: u32 = 0; c < nrClasses; c++) {
      if (matchClass(c, a, b, d) != 0) seen |= 1 << c;
    }
  }
  return seen;
}

/**
 * Pages of [lo, hi) of a plane record (0 <= lo < hi <= 512) whose class is
 * `sel` (`one`, a constant: one class, the cheaper minterm) or in the mask
 * `sel`. Each inlined copy keeps only its own matcher.
 */
@inline function planeCount(entry: u32, lo: u32, hi: u32, sel: u32, one: bool): u32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  let n: u32 = 0;
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  for (let w = wLo; w <= wHi; w++) {
    const a = wordA(plane, w);
    const b = wordB(plane, depth, w);
    const d = wordC(plane, depth, w);
    const m = rangeMask(w, wLo, wHi, lo, hi) & (one ? matchClass(sel, a, b, d) : matchMask(sel, a, b, d));
    n += <u32>popcnt<u64>(m);
  }
  return n;
}

/** Pages of class `cls` in pages [lo, hi) of a plane record (0 <= lo < hi <= 512). */
export function planeCountClass(entry: u32, lo: u32, hi: u32, cls: u32): u32 {
  return planeCount(entry, lo, hi, cls, true);
}

/** Pages whose class is in `mask` in pages [lo, hi) of a plane record (0 <= lo < hi <= 512). */
export function planeCountMask(entry: u32, lo: u32, hi: u32, mask: u32): u32 {
  return planeCount(entry, lo, hi, mask, false);
}

/** Adds the per-class page counts of pages [lo, hi) of a plane record to `acc` (u64 x 8). */
export function planeCountAll(entry: u32, lo: u32, hi: u32, acc: usize): void {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const nrClasses = classesOfDepth(depth);
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  for (let w = wLo; w <= wHi; w++) {
    const m = rangeMask(w, wLo, wHi, lo, hi);
    const a = wordA(plane, w);
    const b = wordB(plane, depth, w);
    const d = wordC(plane, depth, w);
    for (let c: u32 = 0; c < nrClasses; c++) {
      const n = popcnt<u64>(matchClass(c, a, b, d) & m);
      if (n) {
        const slot = acc + (<usize>c << 3);
        store<u64>(slot, load<u64>(slot) + n);
      }
    }
  }
}

/** Lowest page in [lo, hi) of a plane record whose class is in `mask`, or -1. */
export function planeFind(entry: u32, lo: u32, hi: u32, mask: u32): i32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  for (let w = wLo; w <= wHi; w++) {
    const m = rangeMask(w, wLo, wHi, lo, hi) & matchMask(mask, wordA(plane, w), wordB(plane, depth, w), wordC(plane, depth, w));
    if (m != 0) return <i32>((w << 6) + <u32>ctz<u64>(m));
  }
  return -1;
}

/** Highest page in [lo, hi) of a plane record whose class is `cls`, or -1. */
export function planeFindLast(entry: u32, lo: u32, hi: u32, cls: u32): i32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  for (let w = wHi; <i32>w >= <i32>wLo; w--) {
    const m = rangeMask(w, wLo, wHi, lo, hi) & matchClass(cls, wordA(plane, w), wordB(plane, depth, w), wordC(plane, depth, w));
    if (m != 0) return <i32>((w << 6) + 63 - <u32>clz<u64>(m));
  }
  return -1;
}

/**
 * The page holding the n-th (1-based) page of class `cls` in [lo, hi) of a
 * plane record; the caller knows there are at least n.
 */
export function planeSelect(entry: u32, lo: u32, hi: u32, cls: u32, n: u32): u32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  let left = n;
  for (let w = wLo; w <= wHi; w++) {
    let m = rangeMask(w, wLo, wHi, lo, hi) & matchClass(cls, wordA(plane, w), wordB(plane, depth, w), wordC(plane, depth, w));
    const k = <u32>popcnt<u64>(m);
    if (k < left) {
      left -= k;
      continue;
    }
    while (left > 1) {
      m &= m - 1;
      left--;
    }
    return (w << 6) + <u32>ctz<u64>(m);
  }
  if (ASC_NO_ASSERT == false) assert(false, 'planeSelect past the end');
  return hi - 1;
}

/** Class of page `i` of a plane record. */
@inline export function planeClassAt(entry: u32, i: u32): u32 {
  const plane = planeAddr(entry);
  const depth = planeDepth(entry);
  const w = i >> 6;
  const b = <u64>(i & 63);
  return (
    <u32>((wordA(plane, w) >> b) & 1) |
    (<u32>((wordB(plane, depth, w) >> b) & 1) << 1) |
    (<u32>((wordC(plane, depth, w) >> b) & 1) << 2)
  );
}

/** Fills the `depth` planes of a plane record with one class. */
export function planeFill(plane: usize, depth: u32, cls: u32): void {
  for (let j: u32 = 0; j < depth; j++) {
    memory.fill(plane + <usize>j * PLANE_BYTES, ((cls >> j) & 1) != 0 ? 0xff : 0, PLANE_BYTES);
  }
}
