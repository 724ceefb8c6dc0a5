// Window-level range kernels: they walk the sections of [startOff, endOff)
// (page offsets from basePfn, u64 because the window end 2^32 does not fit a
// u32), use the section bitmaps to skip what cannot match, and hand each
// section's part to the kernels in state.ts.

import { ALL_CLASSES, NONE, NR_PAGE_CLASSES, PAGEBLOCK_ISOLATE, PAGEBLOCK_PAGE_MASK, PAGES_PER_SECTION } from './constants';
import { E_FULL, OK, fail } from './errors';
import {
  POOL_MIXED,
  classMap,
  countSumsBetween,
  gPresentMap,
  isPresent,
  lastPageblock,
  mapWord,
  pageblockOf,
  secAddr,
  sectionOf,
  sectionPartHi,
  sectionPartLo,
  sectionStart,
} from './layout';
import {
  countSection,
  countSectionClass,
  countSectionMask,
  countSectionTagged,
  countTaggedPageblocks,
  findInSection,
  gQualifiedGoodPages,
  pageblockSpan,
  planRecolorSection,
  qualifyingPageblocks,
  recolorSection,
  retagSection,
  sectionSplitNeeded,
  selectInSection,
  tagSplitNeeded,
  touchSectionParts,
} from './state';
import { depthOfClass } from './planes';
import { needAdd, needReset, needsFit, reserveNeeds } from './pool';

/** Lowest absent section in [sA, sB], or sB + 1 when all are present. */
export function firstAbsentSection(sA: u32, sB: u32): u32 {
  let s = sA;
  while (s <= sB) {
    const wi = s >> 6;
    let w = ~mapWord(gPresentMap, wi) & (<u64>-1 << <u64>(s & 63));
    if (w != 0) {
      const found = (wi << 6) + <u32>ctz<u64>(w);
      return found <= sB ? found : sB + 1;
    }
    s = (wi + 1) << 6;
  }
  return sB + 1;
}

/** Are all sections intersecting the non-empty range [startOff, endOff) present? */
export function rangePresent(startOff: u64, endOff: u64): bool {
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  return firstAbsentSection(sA, sB) > sB;
}

/**
 * Lowest section in [s, sB] whose summary says it has a page of a class in
 * `mask` (or, with `absentToo`, that is absent), or sB + 1.
 */
export function nextCandidateSection(s: u32, sB: u32, mask: u32, absentToo: bool): u32 {
  while (s <= sB) {
    const wi = s >> 6;
    let w: u64 = absentToo ? ~mapWord(gPresentMap, wi) : 0;
    let m = mask;
    while (m != 0) {
      w |= mapWord(classMap(<u32>ctz<u32>(m)), wi);
      m &= m - 1;
    }
    w &= <u64>-1 << <u64>(s & 63);
    if (w != 0) {
      const found = (wi << 6) + <u32>ctz<u64>(w);
      return found <= sB ? found : sB + 1;
    }
    s = (wi + 1) << 6;
  }
  return sB + 1;
}

// ---- class changes ------------------------------------------------------------------

/**
 * Plans the records recolorRange(startOff, endOff, srcMask, dst) may take:
 * a MIXED record for each partly covered UNIFORM section it splits (at most
 * two), and for each pageblock the record pageblockRecolorPool names: new
 * planes for partly covered uniform pageblocks (at most two) and deeper
 * planes for mixed pageblocks that receive a class they cannot hold yet (any
 * number, for a claim into a deep class).
 */
export function planRecolor(startOff: u64, endOff: u64, srcMask: u32, dst: u32): void {
  needReset();
  srcMask &= ~(<u32>1 << dst);
  if (srcMask == 0 || startOff >= endOff) return;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  if (isPresent(sA) && sectionSplitNeeded(secAddr(sA), sectionPartLo(sA, startOff), sectionPartHi(sA, endOff), srcMask)) needAdd(POOL_MIXED, 1);
  if (sB != sA && isPresent(sB) && sectionSplitNeeded(secAddr(sB), 0, sectionPartHi(sB, endOff), srcMask)) needAdd(POOL_MIXED, 1);
  // Fully covered pageblocks become uniform unless some class outside srcMask
  // stays; only then can they need deeper planes.
  const walkAll = (srcMask | (<u32>1 << dst)) != ALL_CLASSES && depthOfClass(dst) > 1;
  let s = sA;
  while (s <= sB) {
    if (!walkAll && s != sA && s != sB) s = sB;
    s = nextCandidateSection(s, sB, srcMask, false);
    if (s > sB) break;
    planRecolorSection(secAddr(s), sectionPartLo(s, startOff), sectionPartHi(s, endOff), srcMask, dst, walkAll);
    s++;
  }
}

/** Pages of present sections in [startOff, endOff) whose class is in srcMask take class dst. */
export function recolorRange(startOff: u64, endOff: u64, srcMask: u32, dst: u32): void {
  if (startOff >= endOff) return;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  let s = sA;
  while (s <= sB) {
    // Only sections holding a source page need a visit.
    s = nextCandidateSection(s, sB, srcMask & ~(<u32>1 << dst), false);
    if (s > sB) break;
    recolorSection(s, sectionPartLo(s, startOff), sectionPartHi(s, endOff), srcMask, dst);
    s++;
  }
}

// ---- tags --------------------------------------------------------------------------------

/** The pageblocks of section s that [startOff, endOff) intersects, one bit each. */
@inline function pageblocksIntersecting(s: u32, startOff: u64, endOff: u64): u64 {
  return pageblockSpan(pageblockOf(sectionPartLo(s, startOff)), lastPageblock(sectionPartHi(s, endOff)));
}

/** Plans the MIXED records retagRange may take (sections it splits, at most two). */
export function planRetag(startOff: u64, endOff: u64, andMask: u32, orMask: u32): void {
  needReset();
  if (startOff >= endOff) return;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  if (isPresent(sA) && tagSplitNeeded(secAddr(sA), pageblocksIntersecting(sA, startOff, endOff), andMask, orMask)) needAdd(POOL_MIXED, 1);
  if (sB != sA && isPresent(sB) && tagSplitNeeded(secAddr(sB), pageblocksIntersecting(sB, startOff, endOff), andMask, orMask)) {
    needAdd(POOL_MIXED, 1);
  }
}

/** tag = (tag & andMask) | orMask on every pageblock intersecting [startOff, endOff) (all present). */
export function retagRange(startOff: u64, endOff: u64, andMask: u32, orMask: u32): void {
  if (startOff >= endOff) return;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  for (let s = sA; s <= sB; s++) retagSection(secAddr(s), pageblocksIntersecting(s, startOff, endOff), andMask, orMask);
}

/** Pageblocks intersecting [startOff, endOff) in present sections whose tag & mask is value. */
export function countPageblocksRange(startOff: u64, endOff: u64, mask: u32, value: u32): u64 {
  if (startOff >= endOff) return 0;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  let n: u64 = 0;
  for (let s = sA; s <= sB; s++) {
    if (!isPresent(s)) continue;
    const kLo = pageblockOf(sectionPartLo(s, startOff));
    const kHi = lastPageblock(sectionPartHi(s, endOff));
    n += countTaggedPageblocks(secAddr(s), kLo, kHi, mask, value);
  }
  return n;
}

// ---- the claim rule: retagging the pageblocks that qualify ----------------------------------

/** What the last walkRetag found (AssemblyScript has no tuples). */
export let gRetagBlocks: u64 = 0;
export let gRetagGoodPages: u64 = 0;

/**
 * retagPageblocks' walk over the whole pageblocks of [startOff, endOff), in
 * pfn order: in each present section that may hold a candidate (one holding
 * a good page when minGood > 0), the lowest qualifying pageblocks
 * (qualifyingPageblocks) until maxBlocks are found, totalled in gRetagBlocks
 * and gRetagGoodPages. With `apply` false it only plans the MIXED records of
 * the sections it would split; with `apply` true it retags (migratetype
 * newMt, MIGRATE_ISOLATE kept).
 */
function walkRetag(
  startOff: u64,
  endOff: u64,
  maxBlocks: u32,
  tagMask: u32,
  tagValue: u32,
  newMt: u32,
  goodMask: u32,
  minGood: u32,
  apply: bool,
): void {
  gRetagBlocks = 0;
  gRetagGoodPages = 0;
  // A pageblock straddling either end is never a candidate: round the start up, the end down.
  const wholeStart = (startOff + PAGEBLOCK_PAGE_MASK) & ~(<u64>PAGEBLOCK_PAGE_MASK);
  const wholeEnd = endOff & ~(<u64>PAGEBLOCK_PAGE_MASK);
  const sectionMask = minGood != 0 ? goodMask : ALL_CLASSES;
  if (wholeStart >= wholeEnd || maxBlocks == 0 || sectionMask == 0) return;
  const sB = sectionOf(wholeEnd - 1);
  let left = maxBlocks;
  let s = sectionOf(wholeStart);
  while (s <= sB && left != 0) {
    s = nextCandidateSection(s, sB, sectionMask, false);
    if (s > sB) break;
    const sec = secAddr(s);
    const kLo = pageblockOf(sectionPartLo(s, wholeStart));
    const kHi = lastPageblock(sectionPartHi(s, wholeEnd));
    const set = qualifyingPageblocks(sec, kLo, kHi, tagMask, tagValue, goodMask, minGood, left);
    if (apply) retagSection(sec, set, PAGEBLOCK_ISOLATE, newMt);
    else if (tagSplitNeeded(sec, set, PAGEBLOCK_ISOLATE, newMt)) needAdd(POOL_MIXED, 1);
    const n = <u32>popcnt<u64>(set);
    gRetagBlocks += n;
    gRetagGoodPages += gQualifiedGoodPages;
    left -= n;
    s++;
  }
}

/**
 * retagPageblocks over [startOff, endOff): reserves, then retags; the
 * results in gRetagBlocks and gRetagGoodPages. It splits at most three
 * UNIFORM sections (a UNIFORM section qualifies whole or not at all, so only
 * the two edge sections and the one where maxBlocks runs out are retagged in
 * part): that bound is reserved when it fits as is, else the exact plan.
 */
export function retagQualifying(
  startOff: u64,
  endOff: u64,
  maxBlocks: u32,
  tagMask: u32,
  tagValue: u32,
  newMt: u32,
  goodMask: u32,
  minGood: u32,
): i32 {
  needReset();
  needAdd(POOL_MIXED, 3);
  if (!needsFit()) {
    needReset();
    walkRetag(startOff, endOff, maxBlocks, tagMask, tagValue, newMt, goodMask, minGood, false);
  }
  if (!reserveNeeds()) return fail(E_FULL, -1);
  walkRetag(startOff, endOff, maxBlocks, tagMask, tagValue, newMt, goodMask, minGood, true);
  return OK;
}

// ---- counts and searches -----------------------------------------------------------------

// A count of [startOff, endOff) is its whole sections from the count sums
// (layout.ts: O(log sections) whatever the range's length) plus its partial
// edge sections counted in place (state.ts: at most about half a section's
// pageblocks each, and only those holding a class counted).

/** Pages of [startOff, endOff) whose class is in `mask`. */
export function countRangeMask(startOff: u64, endOff: u64, mask: u32): u64 {
  if (startOff >= endOff || mask == 0) return 0;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  const lo = sectionPartLo(sA, startOff);
  const hi = sectionPartHi(sB, endOff);
  if (sA == sB && (lo != 0 || hi != PAGES_PER_SECTION)) {
    return isPresent(sA) ? <u64>countSectionMask(secAddr(sA), lo, hi, mask) : 0;
  }
  let n: u64 = 0;
  let wholeFirst = sA;
  let wholeEnd = sB + 1;
  // Both ends partial: overlap the two edges' cache misses (touchSectionParts).
  if (lo != 0 && hi != PAGES_PER_SECTION && isPresent(sA) && isPresent(sB)) {
    touchSectionParts(secAddr(sA), lo, secAddr(sB), hi - 1, <u32>ctz<u32>(mask));
  }
  if (lo != 0) {
    if (isPresent(sA)) n += <u64>countSectionMask(secAddr(sA), lo, PAGES_PER_SECTION, mask);
    wholeFirst = sA + 1;
  }
  if (hi != PAGES_PER_SECTION) {
    if (isPresent(sB)) n += <u64>countSectionMask(secAddr(sB), 0, hi, mask);
    wholeEnd = sB;
  }
  return wholeFirst < wholeEnd ? n + countSumsBetween(wholeFirst, wholeEnd, mask) : n;
}

/** Pages of class `cls` in [startOff, endOff). */
export function countRangeClass(startOff: u64, endOff: u64, cls: u32): u64 {
  return countRangeMask(startOff, endOff, <u32>1 << cls);
}

/**
 * Adds the pages of [startOff, endOff) of each class in `mask` to acc (u64 x
 * 8, zeroed by the caller; a partial edge section adds every class): the
 * partial edge sections counted in place, the whole sections between them
 * from the count sums, class by class.
 */
export function countRange(startOff: u64, endOff: u64, mask: u32, acc: usize): void {
  if (startOff >= endOff || mask == 0) return;
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  const lo = sectionPartLo(sA, startOff);
  const hi = sectionPartHi(sB, endOff);
  if (sA == sB && (lo != 0 || hi != PAGES_PER_SECTION)) {
    if (isPresent(sA)) countSection(secAddr(sA), lo, hi, acc);
    return;
  }
  let wholeFirst = sA;
  let wholeEnd = sB + 1;
  if (lo != 0) {
    if (isPresent(sA)) countSection(secAddr(sA), lo, PAGES_PER_SECTION, acc);
    wholeFirst = sA + 1;
  }
  if (hi != PAGES_PER_SECTION) {
    if (isPresent(sB)) countSection(secAddr(sB), 0, hi, acc);
    wholeEnd = sB;
  }
  if (wholeFirst >= wholeEnd) return;
  let m = mask;
  while (m != 0) {
    const c = <u32>ctz<u32>(m);
    m &= m - 1;
    const slot = acc + (<usize>c << 3);
    store<u64>(slot, load<u64>(slot) + countSumsBetween(wholeFirst, wholeEnd, <u32>1 << c));
  }
}

/**
 * Pages of [startOff, endOff) whose class is in `mask`, in pageblocks whose
 * tag & tagMask is tagValue: sections without such a class are skipped by
 * the class maps, the rest counted by countSectionTagged.
 */
export function countTaggedRange(startOff: u64, endOff: u64, mask: u32, tagMask: u32, tagValue: u32): u64 {
  if (startOff >= endOff || mask == 0 || (tagValue & ~tagMask) != 0) return 0;
  const sB = sectionOf(endOff - 1);
  let n: u64 = 0;
  let s = sectionOf(startOff);
  while (s <= sB) {
    s = nextCandidateSection(s, sB, mask, false);
    if (s > sB) break;
    n += countSectionTagged(secAddr(s), sectionPartLo(s, startOff), sectionPartHi(s, endOff), mask, tagMask, tagValue);
    s++;
  }
  return n;
}

/**
 * Lowest offset in [startOff, endOff) of a page whose class is in `mask`, or
 * (with `absentToo`) of a page in an absent section; NONE if there is none.
 */
export function findNextOff(startOff: u64, endOff: u64, mask: u32, absentToo: bool): u64 {
  if (startOff >= endOff) return NONE;
  const sB = sectionOf(endOff - 1);
  let s = sectionOf(startOff);
  while (s <= sB) {
    s = nextCandidateSection(s, sB, mask, absentToo);
    if (s > sB) return NONE;
    const lo = sectionPartLo(s, startOff);
    if (!isPresent(s)) return sectionStart(s) + lo;
    const r = findInSection(secAddr(s), lo, sectionPartHi(s, endOff), mask);
    if (r >= 0) return sectionStart(s) + <u64>r;
    s++;
  }
  return NONE;
}

/**
 * Offset of the n-th (1-based) page of class `cls` in [startOff, endOff);
 * the caller checked that there are at least n.
 */
export function selectNthOff(startOff: u64, endOff: u64, cls: u32, n: u64): u64 {
  const sB = sectionOf(endOff - 1);
  let s = sectionOf(startOff);
  let left = n;
  while (s <= sB) {
    s = nextCandidateSection(s, sB, <u32>1 << cls, false);
    if (s > sB) break;
    const sec = secAddr(s);
    const lo = sectionPartLo(s, startOff);
    const hi = sectionPartHi(s, endOff);
    const inSection = <u64>countSectionClass(sec, lo, hi, cls);
    if (inSection < left) {
      left -= inSection;
      s++;
      continue;
    }
    return sectionStart(s) + <u64>selectInSection(sec, lo, hi, cls, <u32>left);
  }
  if (ASC_NO_ASSERT == false) assert(false, 'selectNthOff past the end');
  return NONE;
}
