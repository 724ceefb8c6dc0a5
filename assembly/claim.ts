// claim(): move nrPages pages of one class to another, lowest first or by
// seeded random pageblock order.
//
// Both modes check availability with counts first (E_NOSPC, nothing changed)
// and reserve pool records before the first change (E_FULL, nothing changed).

import { PAGEBLOCK_ORDER } from './constants';
import { E_FULL, E_NOSPC, fail } from './errors';
import {
  POOL_MIXED,
  gScratchMap,
  isPresent,
  lastPageblock,
  mapClear,
  mapSet,
  mapTest,
  pageblockInSection,
  pageblockOf,
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

// ---- the random walk -------------------------------------------------------------------
//
// A random claim visits the range's pageblocks in the seeded order and takes
// pages of fromCls from each until nrPages are taken; the last pageblock it
// takes from may give only some of its pages. The walk runs up to twice: into
// the PLAN sink, which counts the records the takes need and changes nothing
// (only when the cheap bound does not fit), then into the APPLY sink, which
// recolors. Both passes are this one kernel, so they visit the same
// pageblocks with the same takes.
//
// AssemblyScript has no closures. Rather than a call through the function
// table per pageblock, the sink is a constant argument of an @inline kernel,
// so each inlined copy keeps only its own sink's branch (in release.wat,
// planRandom holds no recolor code and claimRandom no plan code).

const SINK_PLAN: u32 = 0;
const SINK_APPLY: u32 = 1;

/** Pages of class cls in [lo, hi) of pageblock k of section s (0 for an absent section). */
@inline function availableIn(s: u32, k: u32, lo: u32, hi: u32, cls: u32): u32 {
  if (!isPresent(s)) return 0;
  const sec = secAddr(s);
  if (secCount(sec, cls) == 0) return 0;
  return countPageblockClass(sec, k, lo, hi, cls);
}

/**
 * PLAN sink: the records a take from [lo, hi) of pageblock k of section s
 * needs. The first take from a section splits it if it is UNIFORM (the
 * scratch map marks sections already counted); the pageblock may need a
 * plane record (pageblockRecolorPool). A partial take (not `all`) is planned
 * over [lo, hi - 1): partial, like the real one, whichever pages it takes.
 */
@inline function planTake(s: u32, k: u32, lo: u32, hi: u32, all: bool, srcMask: u32, toCls: u32): void {
  const sec = secAddr(s);
  const takeHi = all ? hi : max<u32>(hi - 1, lo + 1);
  if (!mapTest(gScratchMap, s)) {
    mapSet(gScratchMap, s);
    const pbBase = k << PAGEBLOCK_ORDER;
    if (sectionSplitNeeded(sec, pbBase + lo, pbBase + takeHi, srcMask)) needAdd(POOL_MIXED, 1);
  }
  const pool = pageblockRecolorPool(sec, k, lo, takeHi, srcMask, toCls);
  if (pool >= 0) needAdd(<u32>pool, 1);
}

/**
 * APPLY sink: recolors every page of fromCls in [lo, hi) of window pageblock
 * pb (pageblock k of section s), or with `all` false only the first `take`
 * of them. Returns the offset just past the highest page it changed.
 */
@inline function applyTake(pb: u64, s: u32, k: u32, lo: u32, hi: u32, all: bool, take: u32, fromCls: u32, toCls: u32): u64 {
  const sec = secAddr(s);
  const lastPage = all ? lastInPageblock(sec, k, lo, hi, fromCls) : selectInPageblock(sec, k, lo, hi, fromCls, take);
  const pbBase = k << PAGEBLOCK_ORDER;
  recolorSection(s, pbBase + lo, pbBase + lastPage + 1, <u32>1 << fromCls, toCls);
  return (pb << PAGEBLOCK_ORDER) + lastPage + 1;
}

/**
 * The walk over the permutation set by permutationParams: feeds each take to
 * `sink` (SINK_PLAN or SINK_APPLY, a constant) until nrPages pages are taken.
 * Returns, for SINK_APPLY, the offset just past the highest changed page.
 */
@inline function walkRandom(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32, sink: u32): u64 {
  const pbFirst = pageblockOf(startOff);
  const pbLast = lastPageblock(endOff);
  const n = pbLast - pbFirst + 1;
  const srcMask = <u32>1 << fromCls;
  let left = nrPages;
  let highest: u64 = 0;
  let x = gPermX0;
  const steps = <u64>gPermMask + 1;
  for (let i: u64 = 0; i < steps && left != 0; i++) {
    if (<u64>x < n) {
      const pb = pbFirst + x;
      const s = sectionOfPageblock(pb);
      const k = pageblockInSection(pb);
      const lo = pageblockPartLo(pb, pbFirst, startOff);
      const hi = pageblockPartHi(pb, pbLast, endOff);
      const here = availableIn(s, k, lo, hi, fromCls);
      if (here != 0) {
        // Every source page of the part, or the `left` still wanted.
        const all = <u64>here <= left;
        const take = all ? here : <u32>left;
        if (sink == SINK_PLAN) {
          planTake(s, k, lo, hi, all, srcMask, toCls);
        } else {
          highest = max<u64>(highest, applyTake(pb, s, k, lo, hi, all, take, fromCls, toCls));
        }
        left -= take;
      }
    }
    x = permutationStep(x);
  }
  return highest;
}

/** Plans exactly the records a random claim takes: the walk into the PLAN sink. */
function planRandom(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32): void {
  needReset();
  walkRandom(startOff, endOff, nrPages, fromCls, toCls, SINK_PLAN);
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
  permutationParams(lastPageblock(endOff) - pageblockOf(startOff) + 1, seed);
  if (fromCls != toCls) {
    // The cheap bound when it fits as is; else the exact plan, growing for it.
    planRandomBound(startOff, endOff, fromCls, toCls);
    if (!needsFit()) planRandom(startOff, endOff, nrPages, fromCls, toCls);
    if (!reserveNeeds()) return fail(E_FULL, -1);
  }
  gClaimEnd = walkRandom(startOff, endOff, nrPages, fromCls, toCls, SINK_APPLY);
  return 0;
}
