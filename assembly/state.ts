// Page state of one section: the UNIFORM / MIXED representation, conversion
// between them in one place (split / collapse), and the range kernels that
// change, count and search classes inside a section.
//
// This is the one file that reads the representation tag (SEC_REPR) and the
// MIXED record behind it: the window-level kernels (range.ts, claim.ts,
// sections.ts) ask the functions below, so a new representation changes only
// this file (validate.ts checks the tag independently).
//
// Offsets here are page offsets within a section, [lo, hi) with
// 0 <= lo < hi <= PAGES_PER_SECTION.

import {
  NR_PAGE_CLASSES,
  PAGEBLOCKS_PER_SECTION,
  PAGEBLOCK_ORDER,
  PAGEBLOCK_PAGE_MASK,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
} from './constants';
import {
  CHUNK_COUNTS_PER_CLASS,
  CHUNK_PAGE_SHIFT,
  ENTRY_PLANE_MIN,
  MIXED_TAGS,
  PAGES_PER_CHUNK,
  PLANE_BYTES,
  POOL_MIXED,
  REPR_ABSENT,
  REPR_MIXED,
  REPR_UNIFORM,
  SEC_CLASS,
  SEC_MIXED,
  SEC_REPR,
  SEC_TAG,
  SIZE_OF_SECTION,
  chunkCountAddr,
  chunkOfPageblock,
  classMap,
  pageblockOf,
  lastPageblock,
  mapPut,
  mixedEntry,
  mixedTag,
  pageblockPartHi,
  pageblockPartLo,
  pbMapAddr,
  secAddr,
  secCount,
  secClass,
  secMixed,
  secRepr,
  secTag,
  secCountsHigh,
  secCountsLow,
  setMixedEntry,
  setMixedTag,
  setSecCount,
  setSecCountDeferred,
  syncCountSums,
  addToCountSums,
} from './layout';
import {
  depthOfClass,
  depthOfMask,
  lowMask,
  matchClass,
  matchMask,
  planeAddr,
  planeClassAt,
  planeCountAll,
  planeCountClass,
  planeCountMask,
  planeDepth,
  planeEntry,
  planeFill,
  planeFind,
  planePresence,
  planeFindLast,
  planeSelect,
  poolOfDepth,
} from './planes';
import { needAdd, poolAlloc, poolFree, poolSpare } from './pool';

const ALL_ONES: u64 = <u64>-1;
/** Four u16 chunk counts of PAGES_PER_CHUNK each. */
const CHUNK_FULL_LANES: u64 = <u64>PAGES_PER_CHUNK * 0x0001000100010001;
const TAG_REPLICATE: u64 = 0x0101010101010101;
const BYTES_LOW7: u64 = 0x7f7f7f7f7f7f7f7f;
const BYTES_HIGH: u64 = 0x8080808080808080;
/** Bit 0 of byte i times 2^(7i + 7), i = 0..7 (see mixedTaggedBits). */
const GATHER_BYTE_BITS: u64 = 0x0102040810204080;

// ---- representation changes -----------------------------------------------------

/** UNIFORM -> MIXED with every entry the section's class and tag. Needs one reserved MIXED record. */
export function splitSection(sec: usize): usize {
  const cls = secClass(sec);
  const tag = secTag(sec);
  const rec = poolAlloc(POOL_MIXED);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) setMixedEntry(rec, k, cls);
  memory.fill(rec + MIXED_TAGS, <u8>tag, PAGEBLOCKS_PER_SECTION);
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) store<u64>(pbMapAddr(rec, c), c == cls ? ALL_ONES : 0);
  // Every chunk all of class cls, in u64 stores (a memory.fill this small costs more).
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    const lanes: u64 = c == cls ? CHUNK_FULL_LANES : 0;
    for (let i: u32 = 0; i < CHUNK_COUNTS_PER_CLASS; i += 8) store<u64>(chunkCountAddr(rec, c, 0) + i, lanes);
  }
  store<u32>(sec, <u32>rec, SEC_MIXED);
  store<u8>(sec, <u8>REPR_MIXED, SEC_REPR);
  return rec;
}

/** MIXED -> UNIFORM when every page has one class and every pageblock one tag. */
export function tryCollapseSection(sec: usize): void {
  if (secRepr(sec) != REPR_MIXED) return;
  let cls: u32 = NR_PAGE_CLASSES;
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    if (secCount(sec, c) == PAGES_PER_SECTION) {
      cls = c;
      break;
    }
  }
  if (cls == NR_PAGE_CLASSES) return;
  const rec = secMixed(sec);
  const tag = <u64>load<u8>(rec, MIXED_TAGS);
  const want = tag * TAG_REPLICATE;
  for (let i: u32 = 0; i < PAGEBLOCKS_PER_SECTION; i += 8) {
    if (load<u64>(rec + MIXED_TAGS + i) != want) return;
  }
  // All pages share one class, so (canonical form) every entry is uniform: no planes to free.
  poolFree(POOL_MIXED, rec);
  store<u32>(sec, 0, SEC_MIXED);
  store<u8>(sec, <u8>REPR_UNIFORM, SEC_REPR);
  store<u8>(sec, <u8>cls, SEC_CLASS);
  store<u8>(sec, <u8>tag, SEC_TAG);
}

/** Per-class section summary bits from the section's counts. */
export function refreshSectionSummary(sectionIdx: u32, sec: usize): void {
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    mapPut(classMap(c), sectionIdx, secCount(sec, c) != 0);
  }
}

/** Frees every plane of a MIXED record, then the record. */
export function freeMixed(rec: usize): void {
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = mixedEntry(rec, k);
    if (e >= ENTRY_PLANE_MIN) poolFree(poolOfDepth(planeDepth(e)), planeAddr(e));
  }
  poolFree(POOL_MIXED, rec);
}

/** Page state of a section record just made present: UNIFORM, every page of class cls, every pageblock tagged tag. */
export function initUniformSection(sec: usize, cls: u32, tag: u32): void {
  store<u8>(sec, <u8>REPR_UNIFORM, SEC_REPR);
  store<u8>(sec, <u8>cls, SEC_CLASS);
  store<u8>(sec, <u8>tag, SEC_TAG);
  setSecCount(sec, cls, PAGES_PER_SECTION);
}

/**
 * Returns a section record to ABSENT: frees its MIXED record and planes,
 * zeroes its counts (and so takes them off its group's) and every field.
 */
export function clearSection(sec: usize): void {
  if (secRepr(sec) == REPR_MIXED) freeMixed(secMixed(sec));
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) setSecCount(sec, c, 0);
  memory.fill(sec, 0, SIZE_OF_SECTION);
  store<u8>(sec, <u8>REPR_ABSENT, SEC_REPR);
}

/**
 * Adds `delta` pages of class cls to pageblock k of a MIXED section: to the
 * section's count (the caller, recolorSection, brings the count sums in step
 * once for the section) and to the count of k's chunk.
 */
@inline function addCount(sec: usize, rec: usize, k: u32, cls: u32, delta: i32): void {
  setSecCountDeferred(sec, cls, <u32>(<i32>secCount(sec, cls) + delta));
  const at = chunkCountAddr(rec, cls, chunkOfPageblock(k));
  store<u16>(at, <u16>(<i32>load<u16>(at) + delta));
}

@inline function setPbBits(rec: usize, k: u32, presence: u32): void {
  const bit = <u64>1 << <u64>k;
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    const p = pbMapAddr(rec, c);
    const w = load<u64>(p);
    store<u64>(p, ((presence >> c) & 1) != 0 ? w | bit : w & ~bit);
  }
}

/** Pageblocks kLo..kHi of a MIXED record holding a page of a class in `mask`, one bit each, from its summary words. */
@inline function pageblocksHolding(rec: usize, mask: u32, kLo: u32, kHi: u32): u64 {
  let has: u64 = 0;
  let m = mask;
  while (m != 0) {
    has |= load<u64>(pbMapAddr(rec, <u32>ctz<u32>(m)));
    m &= m - 1;
  }
  return has & pageblockSpan(kLo, kHi);
}

/** Classes present in pageblock k of a MIXED record, from its summary words. */
@inline function pbPresence(rec: usize, k: u32): u32 {
  let presence: u32 = 0;
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    presence |= <u32>((load<u64>(pbMapAddr(rec, c)) >> <u64>k) & 1) << c;
  }
  return presence;
}

/** A plane record of another depth holding the same pages; frees the old one. */
function resizePlane(entry: u32, depth: u32, optional: bool): u32 {
  const oldDepth = planeDepth(entry);
  const plane = poolAlloc(poolOfDepth(depth), optional);
  const keep = min<u32>(oldDepth, depth);
  memory.copy(plane, planeAddr(entry), <usize>keep * PLANE_BYTES);
  if (depth > keep) memory.fill(plane + <usize>keep * PLANE_BYTES, 0, <usize>(depth - keep) * PLANE_BYTES);
  poolFree(poolOfDepth(oldDepth), planeAddr(entry));
  return planeEntry(plane, depth);
}

/**
 * The pool a recolor of pages [lo, hi) of pageblock k must take a record
 * from (a new plane record, or a deeper one), or -1. The plan functions and
 * recolorPageblock share this rule, so what is reserved is what is taken.
 */
export function pageblockRecolorPool(sec: usize, k: u32, lo: u32, hi: u32, srcMask: u32, dst: u32): i32 {
  srcMask &= ~(<u32>1 << dst);
  const full = lo == 0 && hi == PAGES_PER_PAGEBLOCK;
  if (secRepr(sec) == REPR_UNIFORM) {
    const u = secClass(sec);
    if (full || ((srcMask >> u) & 1) == 0) return -1;
    return <i32>poolOfDepth(depthOfClass(max<u32>(u, dst)));
  }
  const rec = secMixed(sec);
  const e = mixedEntry(rec, k);
  if (e < ENTRY_PLANE_MIN) {
    if (full || ((srcMask >> e) & 1) == 0) return -1;
    return <i32>poolOfDepth(depthOfClass(max<u32>(e, dst)));
  }
  const presence = pbPresence(rec, k);
  if ((presence & srcMask) == 0) return -1;
  if (full && (presence & ~srcMask & ~(<u32>1 << dst)) == 0) return -1; // becomes uniform
  const need = depthOfClass(dst);
  return need > planeDepth(e) ? <i32>poolOfDepth(need) : -1;
}

/**
 * Plans the plane records recolorSection(…, lo, hi, srcMask, dst) takes in
 * this section (srcMask without dst): those of the two edge pageblocks of
 * [lo, hi), and with `walkAll` those of every pageblock of a MIXED section.
 * A UNIFORM section's inner pageblocks are whole and of one class: they take
 * nothing.
 */
export function planRecolorSection(sec: usize, lo: u32, hi: u32, srcMask: u32, dst: u32, walkAll: bool): void {
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  const every = walkAll && secRepr(sec) == REPR_MIXED;
  for (let k = kLo; k <= kHi; k++) {
    if (!every && k != kLo && k != kHi) continue;
    const pool = pageblockRecolorPool(sec, k, pageblockPartLo(k, kLo, lo), pageblockPartHi(k, kHi, hi), srcMask, dst);
    if (pool >= 0) needAdd(<u32>pool, 1);
  }
}

/**
 * Plans an upper bound on what taking pages of class `cls` anywhere in a
 * present section that holds some costs when they become `dst`, leaving out
 * the planes of partly taken pageblocks: the split of a UNIFORM section, and
 * a deeper plane for every mixed pageblock holding cls whose planes cannot
 * hold dst.
 */
export function planSectionRecolorBound(sec: usize, cls: u32, dst: u32): void {
  if (secRepr(sec) == REPR_UNIFORM) {
    needAdd(POOL_MIXED, 1);
    return;
  }
  const deeper = depthOfClass(dst);
  if (deeper <= 1) return;
  const rec = secMixed(sec);
  let has = load<u64>(pbMapAddr(rec, cls));
  while (has != 0) {
    const e = mixedEntry(rec, <u32>ctz<u64>(has));
    has &= has - 1;
    if (e >= ENTRY_PLANE_MIN && planeDepth(e) < deeper) needAdd(poolOfDepth(deeper), 1);
  }
}

// ---- recolor: the one mutation kernel for classes ------------------------------------

/**
 * Pages of pageblock k in [lo, hi) whose class is in `srcMask` take class
 * `dst` (dst not in srcMask). Updates the section counts and the record's
 * pageblock summaries; the pageblock collapses to a uniform entry when one
 * class is left, and its plane record shrinks when a smaller one is to spare.
 */
function recolorPageblock(sec: usize, rec: usize, k: u32, lo: u32, hi: u32, srcMask: u32, dst: u32): void {
  let e = mixedEntry(rec, k);
  const full = lo == 0 && hi == PAGES_PER_PAGEBLOCK;
  if (e < ENTRY_PLANE_MIN) {
    if (((srcMask >> e) & 1) == 0) return;
    if (full) {
      setMixedEntry(rec, k, dst);
      addCount(sec, rec, k, e, -(<i32>PAGES_PER_PAGEBLOCK));
      addCount(sec, rec, k, dst, <i32>PAGES_PER_PAGEBLOCK);
      setPbBits(rec, k, 1 << dst);
      return;
    }
    const depth = depthOfClass(max<u32>(e, dst));
    const plane = poolAlloc(poolOfDepth(depth), false);
    planeFill(plane, depth, e);
    e = planeEntry(plane, depth);
    setMixedEntry(rec, k, e);
  } else {
    const presence = pbPresence(rec, k);
    if (full && (presence & ~srcMask & ~(<u32>1 << dst)) == 0) {
      // Every page takes dst: straight to a uniform entry.
      for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
        if ((presence >> c) & 1) addCount(sec, rec, k, c, -(<i32>planeCountClass(e, 0, PAGES_PER_PAGEBLOCK, c)));
      }
      addCount(sec, rec, k, dst, <i32>PAGES_PER_PAGEBLOCK);
      poolFree(poolOfDepth(planeDepth(e)), planeAddr(e));
      setMixedEntry(rec, k, dst);
      setPbBits(rec, k, 1 << dst);
      return;
    }
    if (depthOfClass(dst) > planeDepth(e)) {
      e = resizePlane(e, depthOfClass(dst), false);
      setMixedEntry(rec, k, e);
    }
  }
  const plane = planeAddr(e);
  const depth = planeDepth(e);
  const wLo = lo >> 6;
  const wHi = (hi - 1) >> 6;
  const set0: u64 = (dst & 1) != 0 ? ALL_ONES : 0;
  const set1: u64 = (dst & 2) != 0 ? ALL_ONES : 0;
  const set2: u64 = (dst & 4) != 0 ? ALL_ONES : 0;
  const oneSource = (srcMask & (srcMask - 1)) == 0;
  let moved: i32 = 0;
  for (let w = wLo; w <= wHi; w++) {
    let m: u64 = ALL_ONES;
    if (w == wLo) m &= ALL_ONES << <u64>(lo & 63);
    if (w == wHi) m &= lowMask(hi - (w << 6));
    const pa = plane + (<usize>w << 3);
    const a = load<u64>(pa);
    const b: u64 = depth >= 2 ? load<u64>(pa, PLANE_BYTES) : 0;
    const d: u64 = depth >= 3 ? load<u64>(pa, 2 * PLANE_BYTES) : 0;
    const sel = m & matchMask(srcMask, a, b, d);
    if (sel == 0) continue;
    // One source class (a claim's) loses every page moved: counted once, below.
    if (!oneSource) {
      let src = srcMask;
      while (src != 0) {
        const c = <u32>ctz<u32>(src);
        src &= src - 1;
        const n = <i32>popcnt<u64>(sel & matchClass(c, a, b, d));
        if (n) addCount(sec, rec, k, c, -n);
      }
    }
    moved += <i32>popcnt<u64>(sel);
    store<u64>(pa, (a & ~sel) | (set0 & sel));
    if (depth >= 2) store<u64>(pa, (b & ~sel) | (set1 & sel), PLANE_BYTES);
    if (depth >= 3) store<u64>(pa, (d & ~sel) | (set2 & sel), 2 * PLANE_BYTES);
  }
  if (moved == 0) return;
  if (oneSource) addCount(sec, rec, k, <u32>ctz<u32>(srcMask), -moved);
  addCount(sec, rec, k, dst, moved);
  const presence = planePresence(e);
  if ((presence & (presence - 1)) == 0) {
    // One class left: back to a uniform entry.
    poolFree(poolOfDepth(depth), plane);
    setMixedEntry(rec, k, <u32>ctz<u32>(presence));
  } else {
    const want = depthOfMask(presence);
    if (want < depth && poolSpare(poolOfDepth(want))) setMixedEntry(rec, k, resizePlane(e, want, true));
  }
  setPbBits(rec, k, presence);
}

/**
 * Pages [lo, hi) of a present section whose class is in `srcMask` take class
 * `dst`. The caller planned and reserved what planRecolor names: a MIXED
 * record if the section splits, and the plane records of pageblockRecolorPool.
 */
export function recolorSection(sectionIdx: u32, lo: u32, hi: u32, srcMask: u32, dst: u32): void {
  srcMask &= ~(<u32>1 << dst);
  if (srcMask == 0) return;
  const sec = secAddr(sectionIdx);
  if (secRepr(sec) == REPR_UNIFORM) {
    const u = secClass(sec);
    if (((srcMask >> u) & 1) == 0) return;
    if (lo == 0 && hi == PAGES_PER_SECTION) {
      store<u8>(sec, <u8>dst, SEC_CLASS);
      setSecCount(sec, u, 0);
      setSecCount(sec, dst, PAGES_PER_SECTION);
      mapPut(classMap(u), sectionIdx, false);
      mapPut(classMap(dst), sectionIdx, true);
      return;
    }
    splitSection(sec);
  }
  const rec = secMixed(sec);
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  // The pageblocks change the section's counts alone (addCount); the count
  // sums follow once, for the classes whose count changed. From one source
  // class (a claim's), that is the pages dst gained, taken from the source.
  const oneSource = (srcMask & (srcMask - 1)) == 0;
  const dstBefore = secCount(sec, dst);
  const before0 = oneSource ? 0 : secCountsLow(sec);
  const before1 = oneSource ? 0 : secCountsHigh(sec);
  // Only pageblocks holding a source page need a visit: the summaries say which.
  let has = pageblocksHolding(rec, srcMask, kLo, kHi);
  while (has != 0) {
    const k = <u32>ctz<u64>(has);
    has &= has - 1;
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    recolorPageblock(sec, rec, k, pbLo, pbHi, srcMask, dst);
  }
  if (!oneSource) {
    syncCountSums(sectionIdx, sec, before0, before1);
  } else {
    const moved = secCount(sec, dst) - dstBefore;
    if (moved != 0) addToCountSums(sectionIdx, <u32>ctz<u32>(srcMask), 0 - moved, dst, moved);
  }
  refreshSectionSummary(sectionIdx, sec);
  tryCollapseSection(sec);
}

/** Would recoloring [lo, hi) of this section split it (need a new MIXED record)? */
export function sectionSplitNeeded(sec: usize, lo: u32, hi: u32, srcMask: u32): bool {
  if (secRepr(sec) != REPR_UNIFORM) return false;
  if (lo == 0 && hi == PAGES_PER_SECTION) return false;
  return ((srcMask >> secClass(sec)) & 1) != 0;
}

// ---- tags ----------------------------------------------------------------------------

/** Tag of pageblock k of a present section. */
@inline export function pageblockTag(sec: usize, k: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return secTag(sec);
  return mixedTag(secMixed(sec), k);
}

/** Pageblocks kLo..kHi (0 <= kLo <= kHi <= 63), one bit each. */
@inline export function pageblockSpan(kLo: u32, kHi: u32): u64 {
  return (ALL_ONES << <u64>kLo) & lowMask(kHi + 1);
}

/**
 * Pageblocks of a MIXED record whose tag & tagMask is tagValue, one bit
 * each, from the 64 tag bytes read eight at a time. A tag is below 8, so
 * x = (tag & tagMask) ^ tagValue is below 8 too and x + 0x7f sets the byte's
 * top bit, carrying nothing into the next byte, exactly when x is not 0 (a
 * mismatch). The multiply gathers bit 0 of byte i into bit 56 + i: the
 * partial products land on distinct bits, so nothing carries.
 */
@inline function mixedTaggedBits(rec: usize, tagMask: u32, tagValue: u32): u64 {
  const m = <u64>tagMask * TAG_REPLICATE;
  const v = <u64>tagValue * TAG_REPLICATE;
  let bits: u64 = 0;
  for (let i: u32 = 0; i < PAGEBLOCKS_PER_SECTION >> 3; i++) {
    const x = (load<u64>(rec + MIXED_TAGS + (<usize>i << 3)) & m) ^ v;
    const matched = (~(x + BYTES_LOW7) & BYTES_HIGH) >> 7;
    bits |= ((matched * GATHER_BYTE_BITS) >> 56) << (<u64>i << 3);
  }
  return bits;
}

/** Pageblocks kLo..kHi of a present section whose tag & tagMask is tagValue, one bit each. */
export function pageblocksTagged(sec: usize, kLo: u32, kHi: u32, tagMask: u32, tagValue: u32): u64 {
  // UNIFORM: one tag for all of its pageblocks.
  if (secRepr(sec) == REPR_UNIFORM) return (secTag(sec) & tagMask) == tagValue ? pageblockSpan(kLo, kHi) : 0;
  return mixedTaggedBits(secMixed(sec), tagMask, tagValue) & pageblockSpan(kLo, kHi);
}

/**
 * Pageblocks kLo..kHi of a present section holding a page of a class in
 * `mask` and whose tag & tagMask is tagValue, one bit each: from the MIXED
 * record's summary words and tags, never from its planes.
 */
export function pageblocksMatching(sec: usize, kLo: u32, kHi: u32, mask: u32, tagMask: u32, tagValue: u32): u64 {
  if (secRepr(sec) == REPR_UNIFORM) {
    const hit = ((mask >> secClass(sec)) & 1) != 0 && (secTag(sec) & tagMask) == tagValue;
    return hit ? pageblockSpan(kLo, kHi) : 0;
  }
  const rec = secMixed(sec);
  return pageblocksHolding(rec, mask, kLo, kHi) & mixedTaggedBits(rec, tagMask, tagValue);
}

/** Pageblocks k in [kLo, kHi] of a present section whose tag & mask is value. */
@inline export function countTaggedPageblocks(sec: usize, kLo: u32, kHi: u32, mask: u32, value: u32): u32 {
  return <u32>popcnt<u64>(pageblocksTagged(sec, kLo, kHi, mask, value));
}

/** Would retagging the pageblocks of `set` (one bit each) need a split? */
export function tagSplitNeeded(sec: usize, set: u64, andMask: u32, orMask: u32): bool {
  if (secRepr(sec) != REPR_UNIFORM || set == 0 || set == ALL_ONES) return false;
  const t = secTag(sec);
  return ((t & andMask) | orMask) != t;
}

/** tag = (tag & andMask) | orMask for the pageblocks of `set` (one bit each) of a present section. */
export function retagSection(sec: usize, set: u64, andMask: u32, orMask: u32): void {
  if (set == 0) return;
  if (secRepr(sec) == REPR_UNIFORM) {
    const t = secTag(sec);
    const nt = (t & andMask) | orMask;
    if (nt == t) return;
    if (set == ALL_ONES) {
      store<u8>(sec, <u8>nt, SEC_TAG);
      return;
    }
    splitSection(sec);
  }
  const rec = secMixed(sec);
  while (set != 0) {
    const k = <u32>ctz<u64>(set);
    set &= set - 1;
    setMixedTag(rec, k, (mixedTag(rec, k) & andMask) | orMask);
  }
  tryCollapseSection(sec);
}

/** Good pages of the pageblocks the last qualifyingPageblocks() returned (AssemblyScript has no tuples). */
export let gQualifiedGoodPages: u64 = 0;

/**
 * The lowest `maxBlocks` of pageblocks kLo..kHi of a present section whose
 * tag & tagMask is tagValue and that hold at least `minGood` pages whose
 * class is in `goodMask`, one bit each; the good pages they hold go to
 * gQualifiedGoodPages. The tags and summary words pick the candidates; only
 * a candidate's plane record is counted. In a UNIFORM section every
 * pageblock holds the same 512 pages of one class and one tag: all qualify or
 * none.
 */
export function qualifyingPageblocks(sec: usize, kLo: u32, kHi: u32, tagMask: u32, tagValue: u32, goodMask: u32, minGood: u32, maxBlocks: u32): u64 {
  gQualifiedGoodPages = 0;
  if (maxBlocks == 0) return 0;
  if (secRepr(sec) == REPR_UNIFORM) {
    const good: u32 = ((goodMask >> secClass(sec)) & 1) != 0 ? PAGES_PER_PAGEBLOCK : 0;
    if (good < minGood || (secTag(sec) & tagMask) != tagValue) return 0;
    const n = min<u32>(kHi - kLo + 1, maxBlocks);
    gQualifiedGoodPages = <u64>n * good;
    return pageblockSpan(kLo, kLo + n - 1);
  }
  const rec = secMixed(sec);
  let candidates = mixedTaggedBits(rec, tagMask, tagValue) & pageblockSpan(kLo, kHi);
  // A pageblock without a good page cannot hold minGood > 0 of them.
  if (minGood != 0) candidates &= pageblocksHolding(rec, goodMask, kLo, kHi);
  let picked: u64 = 0;
  let left = maxBlocks;
  while (candidates != 0 && left != 0) {
    const k = <u32>ctz<u64>(candidates);
    candidates &= candidates - 1;
    const e = mixedEntry(rec, k);
    let good: u32;
    if (e < ENTRY_PLANE_MIN) good = ((goodMask >> e) & 1) != 0 ? PAGES_PER_PAGEBLOCK : 0;
    else good = goodMask != 0 ? planeCountMask(e, 0, PAGES_PER_PAGEBLOCK, goodMask) : 0;
    if (good < minGood) continue;
    picked |= <u64>1 << <u64>k;
    gQualifiedGoodPages += good;
    left--;
  }
  return picked;
}

// ---- reads -------------------------------------------------------------------------------

/** Class of page `off` (0..32767) of a present section. */
export function classAt(sec: usize, off: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return secClass(sec);
  const e = mixedEntry(secMixed(sec), off >> PAGEBLOCK_ORDER);
  if (e < ENTRY_PLANE_MIN) return e;
  return planeClassAt(e, off & PAGEBLOCK_PAGE_MASK);
}

/**
 * Mask of the classes held by pageblock `k` of a present section: one bit for
 * a uniform section or pageblock, the plane record's presence otherwise.
 */
export function pageblockClasses(sec: usize, k: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return <u32>1 << secClass(sec);
  const e = mixedEntry(secMixed(sec), k);
  return e < ENTRY_PLANE_MIN ? <u32>1 << e : planePresence(e);
}

// ---- counts of a part of a section ------------------------------------------------
//
// A range's whole sections count from the count sums (layout.ts); these
// kernels count its one or two partial edge sections. A MIXED section's part
// takes its whole chunks (8 pageblocks) from the record's chunk counts, and
// counts each partly covered chunk pageblock by pageblock, or as the chunk's
// count less the pageblocks of the chunk outside the part, whichever visits
// fewer pageblocks (for a count of some classes, only the pageblocks the
// summaries say hold one): one edge reads the planes of at most about half a
// chunk, and a few cache lines of the record.

/** u64 x 8: per-class counts of the pageblocks outside a part (countSection's complement). */
const OUTSIDE_COUNTS: usize = memory.data(NR_PAGE_CLASSES << 3, 8);

/** Chunk q's first page, and the end of its pages, in its section. */
@inline function chunkStart(q: u32): u32 {
  return q << CHUNK_PAGE_SHIFT;
}
@inline function chunkEnd(q: u32): u32 {
  return (q + 1) << CHUNK_PAGE_SHIFT;
}
/** Pages of chunks [qA, qB) of a MIXED record whose class is in `mask`. */
@inline function chunkCountsMask(rec: usize, qA: u32, qB: u32, mask: u32): u32 {
  let n: u32 = 0;
  let m = mask;
  while (m != 0) {
    const c = <u32>ctz<u32>(m);
    m &= m - 1;
    for (let q = qA; q < qB; q++) n += <u32>load<u16>(chunkCountAddr(rec, c, q));
  }
  return n;
}

/** Pages of [lo, hi) (lo < hi) in the pageblocks of `set` (one bit each), every page of which counts. */
@inline function wholePageblockPages(set: u64, lo: u32, hi: u32): u32 {
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  let n = <u32>popcnt<u64>(set & pageblockSpan(kLo, kHi)) << PAGEBLOCK_ORDER;
  if (((set >> <u64>kLo) & 1) != 0) n -= lo & PAGEBLOCK_PAGE_MASK;
  if (((set >> <u64>kHi) & 1) != 0) n -= PAGEBLOCK_PAGE_MASK - ((hi - 1) & PAGEBLOCK_PAGE_MASK);
  return n;
}

/** Pages [lo, hi) (lo < hi) of a MIXED record, per class, added to acc (u64 x 8). */
function addMixedCounts(rec: usize, lo: u32, hi: u32, acc: usize): void {
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  for (let k = kLo; k <= kHi; k++) {
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    const e = mixedEntry(rec, k);
    if (e < ENTRY_PLANE_MIN) {
      const slot = acc + (<usize>e << 3);
      store<u64>(slot, load<u64>(slot) + <u64>(pbHi - pbLo));
    } else {
      planeCountAll(e, pbLo, pbHi, acc);
    }
  }
}

/**
 * Pages [a, b) of chunk q of a MIXED record, per class, added to acc: the
 * part, or the chunk's counts less the rest of the chunk when that is fewer
 * pageblocks (every pageblock holds a class, so every one is visited). A
 * whole chunk is its counts.
 */
function addChunkPartCounts(rec: usize, q: u32, a: u32, b: u32, acc: usize): void {
  const qs = chunkStart(q);
  const qe = chunkEnd(q);
  const inside = lastPageblock(b) - pageblockOf(a) + 1;
  let outside: u32 = 0;
  if (a != qs) outside += lastPageblock(a) - pageblockOf(qs) + 1;
  if (b != qe) outside += lastPageblock(qe) - pageblockOf(b) + 1;
  if (inside <= outside) {
    addMixedCounts(rec, a, b, acc);
    return;
  }
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) store<u64>(OUTSIDE_COUNTS + (<usize>c << 3), 0);
  if (a != qs) addMixedCounts(rec, qs, a, OUTSIDE_COUNTS);
  if (b != qe) addMixedCounts(rec, b, qe, OUTSIDE_COUNTS);
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    const slot = acc + (<usize>c << 3);
    const n = <u64>load<u16>(chunkCountAddr(rec, c, q)) - load<u64>(OUTSIDE_COUNTS + (<usize>c << 3));
    store<u64>(slot, load<u64>(slot) + n);
  }
}

/** Adds per-class counts of pages [lo, hi) (lo < hi) of a present section to acc (u64 x 8). */
export function countSection(sec: usize, lo: u32, hi: u32, acc: usize): void {
  if (secRepr(sec) == REPR_UNIFORM) {
    const slot = acc + (<usize>secClass(sec) << 3);
    store<u64>(slot, load<u64>(slot) + <u64>(hi - lo));
    return;
  }
  const rec = secMixed(sec);
  const qA = lo >> CHUNK_PAGE_SHIFT;
  const qB = (hi - 1) >> CHUNK_PAGE_SHIFT;
  if (qA == qB) {
    addChunkPartCounts(rec, qA, lo, hi, acc);
    return;
  }
  addChunkPartCounts(rec, qA, lo, chunkEnd(qA), acc);
  if (qA + 1 < qB) {
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
      const slot = acc + (<usize>c << 3);
      store<u64>(slot, load<u64>(slot) + <u64>chunkCountsMask(rec, qA + 1, qB, <u32>1 << c));
    }
  }
  addChunkPartCounts(rec, qB, chunkStart(qB), hi, acc);
}

/**
 * Pages [lo, hi) (lo < hi) of a MIXED record whose class is in `mask`: all
 * the pages of the `only` pageblocks (known to hold no other class), and the
 * matching pages of the `visit` ones, a uniform entry (of a class in `mask`)
 * whole, a plane record read (`one`, a constant: `mask` is the one class
 * `cls`, the cheaper minterm).
 */
@inline function mixedCountIn(rec: usize, lo: u32, hi: u32, only: u64, visit: u64, mask: u32, cls: u32, one: bool): u32 {
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  let n = (only & pageblockSpan(kLo, kHi)) != 0 ? wholePageblockPages(only, lo, hi) : 0;
  let left = visit & pageblockSpan(kLo, kHi);
  while (left != 0) {
    const k = <u32>ctz<u64>(left);
    left &= left - 1;
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    const e = mixedEntry(rec, k);
    if (e < ENTRY_PLANE_MIN) n += pbHi - pbLo;
    else n += one ? planeCountClass(e, pbLo, pbHi, cls) : planeCountMask(e, pbLo, pbHi, mask);
  }
  return n;
}

/**
 * Pages [a, b) of chunk q of a MIXED record whose class is in `mask`: the
 * part, or the chunk's count less the rest of the chunk, whichever visits
 * fewer pageblocks. A whole chunk is its count.
 */
@inline function chunkPartMask(rec: usize, q: u32, a: u32, b: u32, only: u64, visit: u64, mask: u32, cls: u32, one: bool): u32 {
  const qs = chunkStart(q);
  const qe = chunkEnd(q);
  const inside = popcnt<u64>(visit & pageblockSpan(pageblockOf(a), lastPageblock(b)));
  let outside: u64 = 0;
  if (a != qs) outside += popcnt<u64>(visit & pageblockSpan(pageblockOf(qs), lastPageblock(a)));
  if (b != qe) outside += popcnt<u64>(visit & pageblockSpan(pageblockOf(b), lastPageblock(qe)));
  if (inside <= outside && (a != qs || b != qe)) return mixedCountIn(rec, a, b, only, visit, mask, cls, one);
  let n = chunkCountsMask(rec, q, q + 1, mask);
  if (a != qs) n -= mixedCountIn(rec, qs, a, only, visit, mask, cls, one);
  if (b != qe) n -= mixedCountIn(rec, b, qe, only, visit, mask, cls, one);
  return n;
}

/**
 * countSectionMask on a MIXED record, [lo, hi) (lo < hi); `one` as for
 * mixedCountIn. One class visits every pageblock its summary word selects
 * (rarely a uniform one: a class of one pageblock is mostly a minority).
 * Several classes (USER|FREE: most pageblocks hold only those) split the
 * pageblocks by all eight summary words, one cache line: those holding no
 * other class count whole without a visit, only the rest are visited.
 */
@inline function mixedCountMask(rec: usize, lo: u32, hi: u32, mask: u32, one: bool): u32 {
  const cls = <u32>ctz<u32>(mask);
  let only: u64 = 0;
  let visit: u64 = 0;
  if (one) {
    visit = load<u64>(pbMapAddr(rec, cls));
  } else {
    let has: u64 = 0;
    let others: u64 = 0;
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
      const w = load<u64>(pbMapAddr(rec, c));
      const inMask = <u64>0 - <u64>((mask >> c) & 1);
      has |= w & inMask;
      others |= w & ~inMask;
    }
    only = has & ~others;
    visit = has & others;
  }
  const qA = lo >> CHUNK_PAGE_SHIFT;
  const qB = (hi - 1) >> CHUNK_PAGE_SHIFT;
  if (qA == qB) return chunkPartMask(rec, qA, lo, hi, only, visit, mask, cls, one);
  let n = chunkPartMask(rec, qA, lo, chunkEnd(qA), only, visit, mask, cls, one);
  if (qA + 1 < qB) n += chunkCountsMask(rec, qA + 1, qB, mask);
  return n + chunkPartMask(rec, qB, chunkStart(qB), hi, only, visit, mask, cls, one);
}

/**
 * Pages of [lo, hi) (lo < hi) of a present section whose class is in `mask`
 * (not 0): the section's counts when the part is all of it or none of its
 * pages is of `mask`, else the MIXED record's chunks (mixedCountMask).
 */
export function countSectionMask(sec: usize, lo: u32, hi: u32, mask: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return ((mask >> secClass(sec)) & 1) != 0 ? hi - lo : 0;
  let total: u32 = 0;
  let m = mask;
  while (m != 0) {
    total += secCount(sec, <u32>ctz<u32>(m));
    m &= m - 1;
  }
  if (total == 0 || (lo == 0 && hi == PAGES_PER_SECTION)) return total;
  if (total == PAGES_PER_SECTION) return hi - lo;
  const rec = secMixed(sec);
  // Each inlined copy keeps one matcher: one class is the common call.
  if ((mask & (mask - 1)) == 0) return mixedCountMask(rec, lo, hi, mask, true);
  return mixedCountMask(rec, lo, hi, mask, false);
}

/** Where touchSectionParts leaves what it loaded, so no load of it is dropped. */
let gTouchSink: u32 = 0;

/** The lines of one plane record's pageblock at word `w` (one per plane), folded into one value. */
@inline function touchPlanes(entry: u32, w: u32): u32 {
  if (entry < ENTRY_PLANE_MIN) return entry;
  const plane = planeAddr(entry) + (<usize>w << 3);
  let v = load<u32>(plane);
  const depth = planeDepth(entry);
  if (depth >= 2) v ^= load<u32>(plane + PLANE_BYTES);
  if (depth >= 3) v ^= load<u32>(plane + 2 * PLANE_BYTES);
  return v;
}

/**
 * Loads what partial counts of two present sections read first, level by
 * level across both: the section records; then each MIXED record's summary,
 * its entry for the pageblock holding page `pageA` / `pageB` and that
 * chunk's counts; then that pageblock's plane lines. A range that ends inside
 * two sections counts each edge through a chain of three dependent loads
 * (section, record, planes), and on a machine much larger than the caches
 * each is a miss: issued this way the two chains' misses overlap instead of
 * following one another. What is loaded goes to a sink, never to a count.
 */
export function touchSectionParts(secA: usize, pageA: u32, secB: usize, pageB: u32, cls: u32): void {
  const mixedA = secRepr(secA) == REPR_MIXED;
  const mixedB = secRepr(secB) == REPR_MIXED;
  const recA = mixedA ? secMixed(secA) : 0;
  const recB = mixedB ? secMixed(secB) : 0;
  const pbA = pageblockOf(pageA);
  const pbB = pageblockOf(pageB);
  let entryA: u32 = 0;
  let entryB: u32 = 0;
  let v: u32 = 0;
  if (mixedA) {
    entryA = mixedEntry(recA, pbA);
    v ^= load<u32>(pbMapAddr(recA, cls)) ^ <u32>load<u16>(chunkCountAddr(recA, cls, chunkOfPageblock(pbA)));
  }
  if (mixedB) {
    entryB = mixedEntry(recB, pbB);
    v ^= load<u32>(pbMapAddr(recB, cls)) ^ <u32>load<u16>(chunkCountAddr(recB, cls, chunkOfPageblock(pbB)));
  }
  if (mixedA) v ^= touchPlanes(entryA, (pageA & PAGEBLOCK_PAGE_MASK) >> 6);
  if (mixedB) v ^= touchPlanes(entryB, (pageB & PAGEBLOCK_PAGE_MASK) >> 6);
  gTouchSink ^= v;
}

/** Pages of class `cls` in [lo, hi) of a present section. */
export function countSectionClass(sec: usize, lo: u32, hi: u32, cls: u32): u32 {
  if (lo == 0 && hi == PAGES_PER_SECTION) return secCount(sec, cls);
  return countSectionMask(sec, lo, hi, <u32>1 << cls);
}

/**
 * Pages in [lo, hi) of a present section whose class is in `mask`, in
 * pageblocks whose tag & tagMask is tagValue. Only pageblocks the summaries
 * and tags select are visited, and only their plane records are counted.
 */
export function countSectionTagged(sec: usize, lo: u32, hi: u32, mask: u32, tagMask: u32, tagValue: u32): u32 {
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  let has = pageblocksMatching(sec, kLo, kHi, mask, tagMask, tagValue);
  // UNIFORM: all of its pages match, or none.
  if (secRepr(sec) == REPR_UNIFORM) return has != 0 ? hi - lo : 0;
  const rec = secMixed(sec);
  let n: u32 = 0;
  // Every pageblock of the whole section matches the tags: the section's counts answer.
  if (lo == 0 && hi == PAGES_PER_SECTION && mixedTaggedBits(rec, tagMask, tagValue) == ALL_ONES) {
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) if (((mask >> c) & 1) != 0) n += secCount(sec, c);
    return n;
  }
  while (has != 0) {
    const k = <u32>ctz<u64>(has);
    has &= has - 1;
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    const e = mixedEntry(rec, k);
    // A uniform entry the summaries selected is of a class in `mask`.
    n += e < ENTRY_PLANE_MIN ? pbHi - pbLo : planeCountMask(e, pbLo, pbHi, mask);
  }
  return n;
}

/** Pages of class `cls` in pages [lo, hi) of pageblock k of a present section. */
export function countPageblockClass(sec: usize, k: u32, lo: u32, hi: u32, cls: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return secClass(sec) == cls ? hi - lo : 0;
  const e = mixedEntry(secMixed(sec), k);
  if (e < ENTRY_PLANE_MIN) return e == cls ? hi - lo : 0;
  return planeCountClass(e, lo, hi, cls);
}

/** Highest page of class cls in [lo, hi) of pageblock k of a present section. */
export function lastInPageblock(sec: usize, k: u32, lo: u32, hi: u32, cls: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return hi - 1;
  const e = mixedEntry(secMixed(sec), k);
  if (e < ENTRY_PLANE_MIN) return hi - 1;
  return <u32>planeFindLast(e, lo, hi, cls);
}

/** The n-th page of class cls in [lo, hi) of pageblock k of a present section. */
export function selectInPageblock(sec: usize, k: u32, lo: u32, hi: u32, cls: u32, n: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return lo + n - 1;
  const e = mixedEntry(secMixed(sec), k);
  if (e < ENTRY_PLANE_MIN) return lo + n - 1;
  return planeSelect(e, lo, hi, cls, n);
}

/** Page of the n-th page of class `cls` in [lo, hi) of a present section. */
export function selectInSection(sec: usize, lo: u32, hi: u32, cls: u32, n: u32): u32 {
  if (secRepr(sec) == REPR_UNIFORM) return lo + n - 1;
  const rec = secMixed(sec);
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  let left = n;
  for (let k = kLo; k <= kHi; k++) {
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    const e = mixedEntry(rec, k);
    if (e < ENTRY_PLANE_MIN) {
      if (e != cls) continue;
      const here = pbHi - pbLo;
      if (here < left) {
        left -= here;
        continue;
      }
      return (k << PAGEBLOCK_ORDER) + pbLo + left - 1;
    }
    const here = planeCountClass(e, pbLo, pbHi, cls);
    if (here < left) {
      left -= here;
      continue;
    }
    return (k << PAGEBLOCK_ORDER) + planeSelect(e, pbLo, pbHi, cls, left);
  }
  if (ASC_NO_ASSERT == false) assert(false, 'selectInSection past the end');
  return hi - 1;
}

/** Lowest page in [lo, hi) of a present section whose class is in `mask`, or -1. */
export function findInSection(sec: usize, lo: u32, hi: u32, mask: u32): i32 {
  if (secRepr(sec) == REPR_UNIFORM) {
    return ((mask >> secClass(sec)) & 1) != 0 ? <i32>lo : -1;
  }
  const rec = secMixed(sec);
  const kLo = pageblockOf(lo);
  const kHi = lastPageblock(hi);
  let has = pageblocksHolding(rec, mask, kLo, kHi);
  while (has != 0) {
    const k = <u32>ctz<u64>(has);
    has &= has - 1;
    const pbLo = pageblockPartLo(k, kLo, lo);
    const pbHi = pageblockPartHi(k, kHi, hi);
    const e = mixedEntry(rec, k);
    if (e < ENTRY_PLANE_MIN) return <i32>((k << PAGEBLOCK_ORDER) + pbLo);
    const r = planeFind(e, pbLo, pbHi, mask);
    if (r >= 0) return <i32>(k << PAGEBLOCK_ORDER) + r;
  }
  return -1;
}

/** Writes the class of each page of [lo, hi) of a present section to out[0 .. hi-lo). */
export function readSectionClasses(sec: usize, lo: u32, hi: u32, out: usize): void {
  if (secRepr(sec) == REPR_UNIFORM) {
    memory.fill(out, <u8>secClass(sec), hi - lo);
    return;
  }
  const rec = secMixed(sec);
  let at = out;
  let off = lo;
  while (off < hi) {
    const k = off >> PAGEBLOCK_ORDER;
    const pbEnd = min<u32>(hi, (k + 1) << PAGEBLOCK_ORDER);
    const e = mixedEntry(rec, k);
    if (e < ENTRY_PLANE_MIN) {
      memory.fill(at, <u8>e, pbEnd - off);
      at += pbEnd - off;
      off = pbEnd;
    } else {
      for (; off < pbEnd; off++) {
        store<u8>(at, <u8>planeClassAt(e, off & PAGEBLOCK_PAGE_MASK));
        at++;
      }
    }
  }
}
