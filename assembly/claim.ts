// claim(): move nrPages pages of one class to another, lowest first or by
// seeded random pageblock order.
//
// Both modes check availability with counts first (E_NOSPC, nothing changed)
// and reserve pool records before the first change (E_FULL, nothing changed).

import { PAGEBLOCK_ORDER } from './constants';
import { E_FULL, E_NOSPC, fail } from './errors';
import {
  POOL_MIXED,
  pageblockOf,
  gScratchMap,
  isPresent,
  lastPageblock,
  mapClear,
  mapSet,
  mapTest,
  pageblockInSection,
  pageblockPartHi,
  pageblockPartLo,
  secAddr,
  secCount,
  sectionOf,
  sectionOfPageblock,
} from './layout';
import { gPermMask, gPermX0, permutationParams, permutationStep } from './permute';
import { depthOfClass, poolOfDepth } from './planes';
import { needAdd, needReset, needsFit, reserveNeeds } from './pool';
import { countRangeClass, nextCandidateSection, planRecolor, recolorRange, selectNthOff } from './range';
import {
  countPageblockClass,
  lastInPageblock,
  pageblockRecolorPool,
  planSectionRecolorBound,
  recolorSection,
  sectionSplitNeeded,
  selectInPageblock,
} from './state';

/** Result of a successful claim: highest changed offset + 1 (0 when nothing was asked). */
export let gClaimEnd: u64 = 0;

/** Argument positions of claim(startPfn, endPfn, nrPages, fromCls, toCls, mode, seed). */
const ARG_NR_PAGES: i32 = 2;

export function claimLowest(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32): i32 {
  if (countRangeClass(startOff, endOff, fromCls) < nrPages) return fail(E_NOSPC, ARG_NR_PAGES);
  gClaimEnd = 0;
  if (nrPages == 0) return 0;
  const last = selectNthOff(startOff, endOff, fromCls, nrPages);
  planRecolor(startOff, last + 1, <u32>1 << fromCls, toCls);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  recolorRange(startOff, last + 1, <u32>1 << fromCls, toCls);
  gClaimEnd = last + 1;
  return 0;
}

/** Pages of class cls in the part of pageblock pb inside the range (0 for absent sections). */
@inline function availableIn(pb: u64, lo: u32, hi: u32, cls: u32): u32 {
  const s = sectionOfPageblock(pb);
  if (!isPresent(s)) return 0;
  const sec = secAddr(s);
  if (secCount(sec, cls) == 0) return 0;
  return countPageblockClass(sec, pageblockInSection(pb), lo, hi, cls);
}

/**
 * Read-only pass of the random walk: plans exactly the records the claim
 * takes. Each UNIFORM section it touches splits (a MIXED record); each
 * pageblock it takes from may need a plane record (pageblockRecolorPool; the
 * last, partly taken pageblock is planned as partial).
 */
function planRandom(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32): void {
  needReset();
  const pbFirst = pageblockOf(startOff);
  const pbLast = lastPageblock(endOff);
  const n = pbLast - pbFirst + 1;
  const srcMask = <u32>1 << fromCls;
  let left = nrPages;
  let x = gPermX0;
  const steps = <u64>gPermMask + 1;
  for (let i: u64 = 0; i < steps && left != 0; i++) {
    if (<u64>x < n) {
      const pb = pbFirst + x;
      const lo = pageblockPartLo(pb, pbFirst, startOff);
      const hi = pageblockPartHi(pb, pbLast, endOff);
      const here = availableIn(pb, lo, hi, fromCls);
      if (here != 0) {
        const s = sectionOfPageblock(pb);
        const sec = secAddr(s);
        const k = pageblockInSection(pb);
        // A partial take is planned over [lo, hi - 1): partial, like the real one.
        const takeHi = <u64>here <= left ? hi : max<u32>(hi - 1, lo + 1);
        left -= min<u64>(left, here);
        const pbBase = k << PAGEBLOCK_ORDER;
        if (!mapTest(gScratchMap, s)) {
          mapSet(gScratchMap, s);
          if (sectionSplitNeeded(sec, pbBase + lo, pbBase + takeHi, srcMask)) needAdd(POOL_MIXED, 1);
        }
        const pool = pageblockRecolorPool(sec, k, lo, takeHi, srcMask, toCls);
        if (pool >= 0) needAdd(<u32>pool, 1);
      }
    }
    x = permutationStep(x);
  }
  // Leave the scratch map clean for the next call.
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  for (let s = sA; s <= sB; s++) mapClear(gScratchMap, s);
}

/**
 * An upper bound on the records a random claim takes, cheap to compute: a
 * split of every UNIFORM section of fromCls in the range, planes for the two
 * range-edge pageblocks and the last partly taken one, and a deeper plane for
 * every mixed pageblock holding fromCls when toCls needs more planes.
 */
function planRandomBound(startOff: u64, endOff: u64, fromCls: u32, toCls: u32): void {
  needReset();
  needAdd(poolOfDepth(depthOfClass(max<u32>(fromCls, toCls))), 3);
  const sB = sectionOf(endOff - 1);
  let s = sectionOf(startOff);
  while (s <= sB) {
    s = nextCandidateSection(s, sB, <u32>1 << fromCls, false);
    if (s > sB) break;
    planSectionRecolorBound(secAddr(s), fromCls, toCls);
    s++;
  }
}

export function claimRandom(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32, seed: u32): i32 {
  if (countRangeClass(startOff, endOff, fromCls) < nrPages) return fail(E_NOSPC, ARG_NR_PAGES);
  gClaimEnd = 0;
  if (nrPages == 0) return 0;
  const pbFirst = pageblockOf(startOff);
  const pbLast = lastPageblock(endOff);
  const n = pbLast - pbFirst + 1;
  permutationParams(n, seed);
  if (fromCls != toCls) {
    // The cheap bound when it fits as is; else the exact plan, growing for it.
    planRandomBound(startOff, endOff, fromCls, toCls);
    if (!needsFit()) planRandom(startOff, endOff, nrPages, fromCls, toCls);
    if (!reserveNeeds()) return fail(E_FULL, -1);
  }
  let left = nrPages;
  let highest: u64 = 0;
  let x = gPermX0;
  const steps = <u64>gPermMask + 1;
  const srcMask = <u32>1 << fromCls;
  for (let i: u64 = 0; i < steps && left != 0; i++) {
    if (<u64>x < n) {
      const pb = pbFirst + x;
      const lo = pageblockPartLo(pb, pbFirst, startOff);
      const hi = pageblockPartHi(pb, pbLast, endOff);
      const here = availableIn(pb, lo, hi, fromCls);
      if (here != 0) {
        const s = sectionOfPageblock(pb);
        const sec = secAddr(s);
        const k = pageblockInSection(pb);
        let lastPage: u32;
        if (<u64>here <= left) {
          lastPage = lastInPageblock(sec, k, lo, hi, fromCls);
          left -= here;
        } else {
          lastPage = selectInPageblock(sec, k, lo, hi, fromCls, <u32>left);
          left = 0;
        }
        const pbBase = k << PAGEBLOCK_ORDER;
        recolorSection(s, pbBase + lo, pbBase + lastPage + 1, srcMask, toCls);
        const changed = (pb << PAGEBLOCK_ORDER) + lastPage;
        if (changed + 1 > highest) highest = changed + 1;
      }
    }
    x = permutationStep(x);
  }
  gClaimEnd = highest;
  return 0;
}

