// claim() and claimTagged(): move nrPages pages of one class to another,
// lowest first or by seeded random pageblock order, optionally only from
// pageblocks of some tags and at most so many from each pageblock.

import { CLAIM_LOWEST, PAGEBLOCK_ORDER } from './constants';
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
  sectionPartHi,
  sectionPartLo,
  sectionStart,
} from './layout';
import { gPermMask, gPermX0, permutationParams, permutationStep } from './permute';
import { depthOfClass, poolOfDepth } from './planes';
import { needAdd, needReset, needsFit, reserveNeeds } from './pool';
import { countRangeClass, countTaggedRange, nextCandidateSection, planRecolor, recolorRange, selectNthOff } from './range';
import {
  countPageblockClass,
  lastInPageblock,
  pageblockRecolorPool,
  pageblockTag,
  pageblocksMatching,
  planSectionRecolorBound,
  recolorSection,
  sectionSplitNeeded,
  selectInPageblock,
} from './state';

/** Result of a successful claim: highest changed offset + 1 (0 when nothing was asked). */
export let gClaimEnd: u64 = 0;

/** Argument position of nrPages in claim(...) and claimTagged(...). */
const ARG_NR_PAGES: i32 = 2;

// ---- the entry -------------------------------------------------------------------------
//
// claim() is claimTagged() with no tag filter (tagMask 0, tagValue 0) and no
// per-pageblock limit (0). Both check availability with counts first
// (E_NOSPC, nothing changed) and reserve pool records before the first change
// (E_FULL, nothing changed). A filter or a limit only narrows which pageblocks
// offer pages, and how many each offers.

/**
 * claim / claimTagged over [startOff, endOff): nrPages pages of fromCls taken
 * for toCls, in pfn order (CLAIM_LOWEST) or by seeded pageblock order, from
 * the pageblocks whose tag & tagMask is tagValue, at most `limit` pages from
 * any one pageblock (0: no limit; the caller passes 0 for limits of 512 and
 * more, which no pageblock reaches). Leaves the result in gClaimEnd.
 */
export function claimPages(
  startOff: u64,
  endOff: u64,
  nrPages: u64,
  fromCls: u32,
  toCls: u32,
  mode: u32,
  seed: u32,
  tagMask: u32,
  tagValue: u32,
  limit: u32,
): i32 {
  // A limited claim plans exactly (takeByPageblock), and that walk finds a
  // shortfall as it goes: counting the offers first would walk them twice.
  const countedByPlan = limit != 0 && fromCls != toCls && (tagValue & ~tagMask) == 0;
  if (!countedByPlan && availablePages(startOff, endOff, nrPages, fromCls, tagMask, tagValue, limit) < nrPages) return fail(E_NOSPC, ARG_NR_PAGES);
  gClaimEnd = 0;
  if (nrPages == 0) return 0;
  if (mode == CLAIM_LOWEST) {
    // Unfiltered, the lowest pages are one prefix of the range: one recolor.
    if (tagMask == 0 && limit == 0) return takeLowestPrefix(startOff, endOff, nrPages, fromCls, toCls);
  }
  return takeByPageblock(startOff, endOff, nrPages, fromCls, toCls, mode == CLAIM_LOWEST, seed, tagMask, tagValue, limit);
}

/** The pages a claim can take: the sum over eligible pageblocks of min(fromCls pages in the range, limit). */
function availablePages(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, tagMask: u32, tagValue: u32, limit: u32): u64 {
  if ((tagValue & ~tagMask) != 0) return 0; // no tag matches
  if (limit != 0) return walkInOrder(startOff, endOff, nrPages, fromCls, fromCls, tagMask, tagValue, limit, SINK_COUNT);
  if (tagMask == 0) return countRangeClass(startOff, endOff, fromCls);
  return countTaggedRange(startOff, endOff, <u32>1 << fromCls, tagMask, tagValue);
}

/** Unfiltered LOWEST: everything of fromCls up to the nrPages-th page. */
function takeLowestPrefix(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32): i32 {
  const last = selectNthOff(startOff, endOff, fromCls, nrPages);
  planRecolor(startOff, last + 1, <u32>1 << fromCls, toCls);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  recolorRange(startOff, last + 1, <u32>1 << fromCls, toCls);
  gClaimEnd = last + 1;
  return 0;
}

// ---- the walks -------------------------------------------------------------------------
//
// A claim visits pageblocks, in pfn order or in the seeded order, and takes
// pages of fromCls from each until nrPages are taken; a pageblock gives what
// it offers (its fromCls pages in the range, at most `limit`), or only the
// pages still wanted. Each walk runs into a sink: COUNT adds up what every
// eligible pageblock offers and changes nothing (the E_NOSPC check of a
// limited claim that plans nothing); PLAN counts the records the takes need,
// and the pages they take, and changes nothing (when the cheap bound does not
// fit or would cost more than the plan; a limited claim learns its shortfall
// here); APPLY recolors. The passes are one kernel, so they visit the same
// pageblocks with the same takes.
//
// AssemblyScript has no closures. Rather than a call through the function
// table per pageblock, the sink is a constant argument of an @inline kernel,
// so each inlined copy keeps only its own sink's branch (in release.wat, the
// PLAN copies of the walks hold no recolor code and the APPLY copies no plan
// code).

const SINK_PLAN: u32 = 0;
const SINK_APPLY: u32 = 1;
const SINK_COUNT: u32 = 2;

/** Pages of class cls in [lo, hi) of pageblock k of section s (0 for an absent section). */
@inline function availableIn(s: u32, k: u32, lo: u32, hi: u32, cls: u32): u32 {
  if (!isPresent(s)) return 0;
  const sec = secAddr(s);
  if (secCount(sec, cls) == 0) return 0;
  return countPageblockClass(sec, k, lo, hi, cls);
}

/** What a pageblock holding `here` eligible pages offers: at most `limit` (0: all). */
@inline function offerOf(here: u32, limit: u32): u32 {
  return limit != 0 && here > limit ? limit : here;
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
 * Feeds a take of `take` of the `here` fromCls pages of [lo, hi) of window
 * pageblock pb to the PLAN or APPLY sink; returns, for APPLY, the offset
 * just past the highest page changed.
 */
@inline function feedTake(pb: u64, s: u32, k: u32, lo: u32, hi: u32, here: u32, take: u32, fromCls: u32, toCls: u32, sink: u32): u64 {
  // Every source page of the part, or only some of them.
  const all = take == here;
  if (sink == SINK_PLAN) {
    planTake(s, k, lo, hi, all, <u32>1 << fromCls, toCls);
    return 0;
  }
  return applyTake(pb, s, k, lo, hi, all, take, fromCls, toCls);
}

/**
 * The walk over the permutation set by permutationParams: every pageblock
 * intersecting the range, present or not, in the seeded order; feeds each
 * eligible one's take to `sink` (SINK_PLAN or SINK_APPLY, a constant) until
 * nrPages pages are taken. Returns, for SINK_APPLY, the offset just past the
 * highest changed page.
 */
@inline function walkRandom(
  startOff: u64,
  endOff: u64,
  nrPages: u64,
  fromCls: u32,
  toCls: u32,
  tagMask: u32,
  tagValue: u32,
  limit: u32,
  sink: u32,
): u64 {
  const pbFirst = pageblockOf(startOff);
  const pbLast = lastPageblock(endOff);
  const n = pbLast - pbFirst + 1;
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
      // The caller sends tagMask 0 only with tagValue 0: every pageblock
      // matches. The tag is one load; the count reads the pageblock's planes.
      const here = tagMask == 0 || (isPresent(s) && (pageblockTag(secAddr(s), k) & tagMask) == tagValue) ? availableIn(s, k, lo, hi, fromCls) : 0;
      if (here != 0) {
        const take = <u32>min<u64>(<u64>offerOf(here, limit), left);
        highest = max<u64>(highest, feedTake(pb, s, k, lo, hi, here, take, fromCls, toCls, sink));
        left -= take;
      }
    }
    x = permutationStep(x);
  }
  return sink == SINK_PLAN ? nrPages - left : highest;
}

/**
 * The walk in pfn order: sections through the class maps, and in each only
 * the pageblocks whose summary and tag match (pageblocksMatching), so space
 * without fromCls or of other tags is skipped. Feeds each take to `sink`
 * (a constant) until nrPages pages are taken; SINK_COUNT ignores nrPages and
 * returns what all of them offer, the others as walkRandom.
 */
@inline function walkInOrder(
  startOff: u64,
  endOff: u64,
  nrPages: u64,
  fromCls: u32,
  toCls: u32,
  tagMask: u32,
  tagValue: u32,
  limit: u32,
  sink: u32,
): u64 {
  if (startOff >= endOff) return 0;
  const srcMask = <u32>1 << fromCls;
  const sB = sectionOf(endOff - 1);
  let left = nrPages;
  // SINK_COUNT: pages offered; PLAN and APPLY: the offset past the highest change.
  let result: u64 = 0;
  let s = sectionOf(startOff);
  while (s <= sB && (sink == SINK_COUNT ? result < nrPages : left != 0)) {
    s = nextCandidateSection(s, sB, srcMask, false);
    if (s > sB) break;
    const sec = secAddr(s);
    const lo = sectionPartLo(s, startOff);
    const hi = sectionPartHi(s, endOff);
    const kLo = pageblockOf(lo);
    const kHi = lastPageblock(hi);
    // Picked before any change: a take only touches its own pageblock.
    let has = pageblocksMatching(sec, kLo, kHi, srcMask, tagMask, tagValue);
    while (has != 0) {
      const k = <u32>ctz<u64>(has);
      has &= has - 1;
      const pbLo = pageblockPartLo(k, kLo, lo);
      const pbHi = pageblockPartHi(k, kHi, hi);
      const here = countPageblockClass(sec, k, pbLo, pbHi, fromCls);
      if (here == 0) continue; // an edge pageblock whose fromCls pages lie outside the range
      if (sink == SINK_COUNT) {
        result += offerOf(here, limit);
        if (result >= nrPages) break;
        continue;
      }
      const take = <u32>min<u64>(<u64>offerOf(here, limit), left);
      const pb = (sectionStart(s) >> PAGEBLOCK_ORDER) + k;
      result = max<u64>(result, feedTake(pb, s, k, pbLo, pbHi, here, take, fromCls, toCls, sink));
      left -= take;
      if (left == 0) break;
    }
    s++;
  }
  return sink == SINK_PLAN ? nrPages - left : result;
}

/** Clears the scratch map bits a PLAN walk set (sections of [startOff, endOff)). */
function clearScratch(startOff: u64, endOff: u64): void {
  const sA = sectionOf(startOff);
  const sB = sectionOf(endOff - 1);
  for (let s = sA; s <= sB; s++) mapClear(gScratchMap, s);
}

/**
 * An upper bound on the records a claim takes, cheap to compute: a split of
 * every UNIFORM section of fromCls in the range, planes for the two
 * range-edge pageblocks and the last partly taken one, a deeper plane for
 * every mixed pageblock holding fromCls when toCls needs more planes, and,
 * with a limit, a plane for every pageblock the limit cuts short (each such
 * take is `limit` pages, so at most nrPages / limit of them). Order and tag
 * filter do not matter: every other take empties its part of fromCls.
 */
function planClaimBound(startOff: u64, endOff: u64, nrPages: u64, fromCls: u32, toCls: u32, limit: u32): void {
  needReset();
  let planes: u64 = 3;
  if (limit != 0) planes += min<u64>((nrPages + limit - 1) / limit, lastPageblock(endOff) - pageblockOf(startOff) + 1);
  needAdd(poolOfDepth(depthOfClass(max<u32>(fromCls, toCls))), <u32>min<u64>(planes, 0xffffffff));
  const sB = sectionOf(endOff - 1);
  let s = sectionOf(startOff);
  while (s <= sB) {
    s = nextCandidateSection(s, sB, <u32>1 << fromCls, false);
    if (s > sB) break;
    planSectionRecolorBound(secAddr(s), fromCls, toCls);
    s++;
  }
}

/**
 * A claim by pageblocks, in seeded order or (`inOrder`) in pfn order: the
 * cheap record bound when it fits as is, else the exact plan (a PLAN walk),
 * then the APPLY walk.
 */
function takeByPageblock(
  startOff: u64,
  endOff: u64,
  nrPages: u64,
  fromCls: u32,
  toCls: u32,
  inOrder: bool,
  seed: u32,
  tagMask: u32,
  tagValue: u32,
  limit: u32,
): i32 {
  if (!inOrder) permutationParams(lastPageblock(endOff) - pageblockOf(startOff) + 1, seed);
  if (fromCls != toCls) {
    // The bound reads every section of the range. A claim of fewer pages
    // than the range has pageblocks visits fewer pageblocks than that, so its
    // exact plan costs less; a limited claim plans exactly to find a
    // shortfall (claimPages did not count its offers).
    const pageblocks = lastPageblock(endOff) - pageblockOf(startOff) + 1;
    let exact = limit != 0 || nrPages < pageblocks;
    if (!exact) {
      planClaimBound(startOff, endOff, nrPages, fromCls, toCls, limit);
      exact = !needsFit();
    }
    if (exact) {
      needReset();
      const planned = inOrder
        ? walkInOrder(startOff, endOff, nrPages, fromCls, toCls, tagMask, tagValue, limit, SINK_PLAN)
        : walkRandom(startOff, endOff, nrPages, fromCls, toCls, tagMask, tagValue, limit, SINK_PLAN);
      clearScratch(startOff, endOff);
      if (planned < nrPages) return fail(E_NOSPC, ARG_NR_PAGES);
    }
    if (!reserveNeeds()) return fail(E_FULL, -1);
  }
  gClaimEnd = inOrder
    ? walkInOrder(startOff, endOff, nrPages, fromCls, toCls, tagMask, tagValue, limit, SINK_APPLY)
    : walkRandom(startOff, endOff, nrPages, fromCls, toCls, tagMask, tagValue, limit, SINK_APPLY);
  return 0;
}
