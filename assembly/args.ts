// Argument checks shared by the exports. Values arrive as f64 (pfns are exact
// to 2^53) and are checked before anything else happens; a failing check
// records the argument's position (see errors.ts).

import { MAX_PFN_EXCLUSIVE, MAX_PHYS_PFN, NR_PAGE_CLASSES } from './constants';
import { E_ARG, E_CLASS, E_ORDER, E_RANGE, OK, fail } from './errors';
import { gBasePfn, gNrPages } from './layout';

/** In-window offsets of the last range that passed checkRange. */
export let gStartOff: u64 = 0;
export let gEndOff: u64 = 0;

/** A finite non-negative integer below 2^53. */
@inline export function isCount(x: f64): bool {
  return x >= 0 && x < MAX_PFN_EXCLUSIVE && floor<f64>(x) == x;
}

/** An integer in [0, maxValue]. */
@inline export function isIntIn(x: f64, maxValue: u32): bool {
  return x >= 0 && x <= <f64>maxValue && floor<f64>(x) == x;
}

/**
 * The protocol's ladder for a range: both values finite non-negative integers
 * (E_ARG), startPfn >= basePfn (E_RANGE startPfn), endPfn <= window end
 * (E_RANGE endPfn), endPfn >= startPfn (E_ORDER endPfn).
 */
export function checkRange(startPfn: f64, endPfn: f64, argStart: i32, argEnd: i32): i32 {
  if (!isCount(startPfn)) return fail(E_ARG, argStart);
  if (!isCount(endPfn)) return fail(E_ARG, argEnd);
  const s = <u64>startPfn;
  const e = <u64>endPfn;
  if (s < gBasePfn) return fail(E_RANGE, argStart);
  if (e > gBasePfn + gNrPages) return fail(E_RANGE, argEnd);
  if (e < s) return fail(E_ORDER, argEnd);
  gStartOff = s - gBasePfn;
  gEndOff = e - gBasePfn;
  return OK;
}

/** The same ladder for a range given as a start and a length. */
export function checkSpan(startPfn: f64, nrPages: f64, argStart: i32, argLen: i32): i32 {
  if (!isCount(startPfn)) return fail(E_ARG, argStart);
  if (!isCount(nrPages)) return fail(E_ARG, argLen);
  const s = <u64>startPfn;
  const n = <u64>nrPages;
  if (s < gBasePfn) return fail(E_RANGE, argStart);
  if (s + n > gBasePfn + gNrPages) return fail(E_RANGE, argLen);
  gStartOff = s - gBasePfn;
  gEndOff = s + n - gBasePfn;
  return OK;
}

/**
 * The values of a relocation call (remap, remapOut, remapIn: a start, a
 * count, a start) are counts: E_ARG naming the first that is not.
 */
export function checkRelocationArgs(firstStartPfn: f64, nrPages: f64, secondStartPfn: f64): i32 {
  if (!isCount(firstStartPfn)) return fail(E_ARG, 0);
  if (!isCount(nrPages)) return fail(E_ARG, 1);
  if (!isCount(secondStartPfn)) return fail(E_ARG, 2);
  return OK;
}

/** [startPfn, startPfn + nrPages) lies in the window. */
export function isWindowSpan(startPfn: u64, nrPages: u64): bool {
  return startPfn >= gBasePfn && startPfn + nrPages <= gBasePfn + gNrPages;
}

/**
 * A far range [startPfn, startPfn + nrPages) (integers already checked): below
 * MAX_PHYS_PFN and clear of the window. An empty one only needs its start
 * at or below MAX_PHYS_PFN.
 */
export function isFarRange(startPfn: u64, nrPages: u64): bool {
  if (startPfn + nrPages > MAX_PHYS_PFN) return false;
  return nrPages == 0 || startPfn + nrPages <= gBasePfn || startPfn >= gBasePfn + gNrPages;
}

export function checkClass(cls: f64, arg: i32): i32 {
  return isIntIn(cls, NR_PAGE_CLASSES - 1) ? OK : fail(E_CLASS, arg);
}

export function checkMask(mask: f64, maxMask: u32, arg: i32): i32 {
  return isIntIn(mask, maxMask) ? OK : fail(E_ARG, arg);
}
