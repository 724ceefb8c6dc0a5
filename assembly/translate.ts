// Direct-map relocation: remap tables and the virt_to_phys / phys_to_virt
// batch kernels.
//
// A REMAPPED section owns a forward directory (layout.ts): per pageblock,
// either LINEAR (page i is at a base pfn + i; identity when never moved) or a
// block of per-page frames. A section whose frames received relocated pages
// owns a reverse directory: per pageblock EMPTY, LINEAR (frame i holds page
// base + i) or a block of per-frame pages. Both hold global pfns, so a pair
// may lie in this window at both ends (NEAR: remap keeps both directions) or
// at one end only (FAR: remapOut records the forward half on the shard that
// owns the pages, remapIn the reverse half on the shard that owns the
// frames). Relocation moves runs, so both directions stay a few hundred bytes
// per section; the planning steps count the blocks a partial run may need.
//
// Rules (shared with the reference engine; the contract states them):
// - remap needs both ranges present; a target frame that already holds a
//   relocated page, near or far, refuses the call (E_EXISTS on newStartPfn);
//   remapIn likewise; remapOut cannot see far frames and never refuses them;
// - relocating a page again (remap or remapOut) drops its previous NEAR
//   reverse entry first; a FAR one is the other shard's to drop;
// - a page may be relocated onto its own frame: by remap, an identity entry
//   that is still a reverse entry; by remapOut(old, n, old), identity with no
//   reverse entry (the page is home again);
// - clearRemap drops the forward directories of the sections with the near
//   reverse entries they created, and the far pages their frames hold;
//   removeSections drops the reverse directories, sending near pages whose
//   frames went away back to identity (far pages are their own shard's to
//   reset), and keeps the forward directory of a removed section while a
//   page of it lives on a surviving frame (XLATE_GONE: its direct-map
//   addresses still reach those pages and miss elsewhere).

import {
  BAD_ADDRESS,
  NONE,
  PAGEBLOCK_ORDER,
  PAGEBLOCK_PAGE_MASK,
  PAGEBLOCKS_PER_SECTION,
  PAGE_MASK_LOW,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PFN_SECTION_SHIFT,
  SECTION_REMAPPED,
} from './constants';
import { E_EXISTS, E_FULL, OK, fail } from './errors';
import {
  ENTRY_ADDR,
  ENTRY_BASE_AT,
  ENTRY_BASE_MASK,
  ENTRY_BLOCK,
  ENTRY_LINEAR,
  ENTRY_PFN,
  ENTRY_WIDE,
  IO_XLATE_FAST,
  IO_XLATE_MISS,
  IO_XLATE_SLOW,
  PFN_BLOCK_BASE_LIMIT,
  PFN_BLOCK_BASE_SHIFT,
  PFN_DELTA_NIL,
  POOL_FORWARD,
  POOL_PFN_BLOCK,
  POOL_PFN_WIDE_BLOCK,
  POOL_REVERSE,
  SEC_FLAGS,
  SIZE_OF_PFN_WIDE_BLOCK,
  SIZE_OF_REVERSE_DIR,
  forwardTable,
  gBasePfn,
  gPageOffset,
  gForwardPtrs,
  gIoArea,
  gNrPages,
  gNrSections,
  gPfnScratch,
  gReversePtrs,
  gXlateMap,
  isPresent,
  pageblockInSection,
  pageblockOf,
  reverseTable,
  secAddr,
  secMovedCount,
  secReverseCount,
  sectionOf,
  sectionPartHi,
  sectionPartLo,
  sectionStart,
  setSecMovedCount,
  setSecReverseCount,
  setXlateState,
  xlateState,
  XLATE_DIRECT,
  XLATE_GONE,
  XLATE_MISS,
  XLATE_REMAPPED,
} from './layout';
import { needAdd, needReset, poolAlloc, poolFree, reserveNeeds } from './pool';

/** Argument position of newStartPfn in remap(oldStartPfn, nrPages, newStartPfn). */
const REMAP_ARG_NEW_START: i32 = 2;
/** Argument position of newStartPfn in remapIn(newStartPfn, nrPages, oldStartPfn). */
const REMAP_IN_ARG_NEW_START: i32 = 0;

// ---- the values of one pageblock ------------------------------------------------------
//
// Every entry of either directory stands for 512 values, each a global pfn
// or NONE (forward: identity; reverse: no page held). A change to part of a
// pageblock decodes them into the scratch, changes them there and encodes
// them back: one encoder picks the canonical form and the block for both
// directions, and the planning steps run the same code without storing.

/** Forms of an entry, in the order the records they need grow. */
export const FORM_EMPTY: u32 = 0; //  no value (forward: every page at its own frame)
export const FORM_LINEAR: u32 = 1; // one run: value i = first + i
export const FORM_NARROW: u32 = 2; // a PFN BLOCK
export const FORM_WIDE: u32 = 3; //   a WIDE PFN BLOCK

/** The base of a PFN BLOCK entry, from its 29 bits. */
@inline export function entryBase(e: u64): u64 {
  return ((e >> ENTRY_BASE_AT) & ENTRY_BASE_MASK) << PFN_BLOCK_BASE_SHIFT;
}

/** Value i of a block entry: a global pfn, or NONE. */
@inline export function blockValue(e: u64, i: u32): u64 {
  const block = <usize>(e & ENTRY_ADDR);
  if ((e & ENTRY_WIDE) != 0) return load<u64>(block + (<usize>i << 3));
  const d = load<u32>(block + (<usize>i << 2));
  return d == PFN_DELTA_NIL ? NONE : entryBase(e) + <u64>d;
}

/**
 * The form of entry `e`. A forward entry is LINEAR unless it is a block, and
 * EMPTY when that run is the pageblock's own pfns (`pbPfn`, its first).
 */
@inline export function formOf(e: u64, pbPfn: u64, forward: bool): u32 {
  if ((e & ENTRY_BLOCK) != 0) return (e & ENTRY_WIDE) != 0 ? FORM_WIDE : FORM_NARROW;
  if (forward) return e == pbPfn ? FORM_EMPTY : FORM_LINEAR;
  return e == 0 ? FORM_EMPTY : FORM_LINEAR;
}

@inline export function formPool(form: u32): u32 {
  return form == FORM_WIDE ? POOL_PFN_WIDE_BLOCK : POOL_PFN_BLOCK;
}

/** Values of entry `e` (of form `form`) that are not NONE. */
function valueCount(e: u64, form: u32): u32 {
  if (form == FORM_EMPTY) return 0;
  if (form == FORM_LINEAR) return PAGES_PER_PAGEBLOCK;
  let n: u32 = 0;
  for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) if (blockValue(e, i) != NONE) n++;
  return n;
}

/** Frees the block of entry `e`, if it has one. */
@inline function freeEntryBlock(e: u64, form: u32): void {
  if (form >= FORM_NARROW) poolFree(formPool(form), <usize>(e & ENTRY_ADDR));
}

@inline function scratchAt(i: u32): usize {
  return gPfnScratch + (<usize>i << 3);
}

/** Decodes entry `e` into the scratch; returns how many values are not NONE. */
function scratchLoad(e: u64, pbPfn: u64, forward: bool): u32 {
  const form = formOf(e, pbPfn, forward);
  if (form == FORM_EMPTY) {
    memory.fill(gPfnScratch, 0xff, <usize>PAGES_PER_PAGEBLOCK << 3);
    return 0;
  }
  if (form == FORM_LINEAR) {
    const first = e & ENTRY_PFN;
    for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) store<u64>(scratchAt(i), first + i);
    return PAGES_PER_PAGEBLOCK;
  }
  let n: u32 = 0;
  for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) {
    const v = blockValue(e, i);
    store<u64>(scratchAt(i), v);
    if (v != NONE) n++;
  }
  return n;
}

/** Scratch values [i0, i0 + n) become v0, v0 + 1, ..., or all NONE when v0 is NONE. */
function scratchSetRun(i0: u32, n: u32, v0: u64): void {
  for (let j: u32 = 0; j < n; j++) store<u64>(scratchAt(i0 + j), v0 == NONE ? NONE : v0 + j);
}

// What the last scratchForm found: the values that are not NONE, and a PFN BLOCK's base.
let gFormCount: u32 = 0;
let gFormBase: u64 = 0;

/** The base of a PFN BLOCK whose lowest value is `low`. */
@inline export function pfnBlockBase(low: u64): u64 {
  return low & ~((<u64>1 << PFN_BLOCK_BASE_SHIFT) - 1);
}

/**
 * The canonical form of the scratch's values, replacing an entry of form
 * `was`: EMPTY, LINEAR (one run of 512), else a PFN BLOCK when its base fits
 * the entry and every value lies less than PFN_DELTA_NIL above it, else a
 * WIDE one; a WIDE block stays WIDE (narrowing would take a record the call
 * did not plan).
 */
function scratchForm(was: u32): u32 {
  const first = load<u64>(gPfnScratch);
  let linear = first != NONE;
  let n: u32 = 0;
  let low: u64 = NONE;
  let high: u64 = 0;
  for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) {
    const v = load<u64>(scratchAt(i));
    if (v == NONE) {
      linear = false;
      continue;
    }
    n++;
    low = min<u64>(low, v);
    high = max<u64>(high, v);
    if (v != first + i) linear = false;
  }
  const base = pfnBlockBase(low);
  gFormCount = n;
  gFormBase = base;
  if (n == 0) return FORM_EMPTY;
  if (linear) return FORM_LINEAR;
  if (was == FORM_WIDE || base >= PFN_BLOCK_BASE_LIMIT || high - base >= <u64>PFN_DELTA_NIL) return FORM_WIDE;
  return FORM_NARROW;
}

/** Plans the record an entry of form `was` takes to become form `form`. */
@inline function needForm(was: u32, form: u32): void {
  if (form >= FORM_NARROW && form != was) needAdd(formPool(form), 1);
}

/**
 * Writes the scratch back to the entry at `ea` in canonical form, keeping
 * its block when the form stays; returns how many values are not NONE.
 */
function scratchStore(ea: usize, pbPfn: u64, forward: bool): u32 {
  const e = load<u64>(ea);
  const was = formOf(e, pbPfn, forward);
  const form = scratchForm(was);
  let entry: u64;
  if (form == FORM_EMPTY) {
    entry = forward ? pbPfn : 0;
  } else if (form == FORM_LINEAR) {
    entry = (forward ? 0 : ENTRY_LINEAR) | load<u64>(gPfnScratch);
  } else {
    const block = form == was ? <usize>(e & ENTRY_ADDR) : poolAlloc(formPool(form));
    if (form == FORM_WIDE) {
      memory.copy(block, gPfnScratch, SIZE_OF_PFN_WIDE_BLOCK);
      entry = ENTRY_BLOCK | ENTRY_WIDE | <u64>block;
    } else {
      const base = gFormBase;
      for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) {
        const v = load<u64>(scratchAt(i));
        store<u32>(block + (<usize>i << 2), v == NONE ? PFN_DELTA_NIL : <u32>(v - base));
      }
      entry = ENTRY_BLOCK | ((base >> PFN_BLOCK_BASE_SHIFT) << ENTRY_BASE_AT) | <u64>block;
    }
  }
  if (form != was) freeEntryBlock(e, was);
  store<u64>(ea, entry);
  return gFormCount;
}

// ---- pieces of a range ----------------------------------------------------------------
// A run of pages or frames is changed pageblock by pageblock; only its first
// and last pageblock can be partial, and only they can take a block.

/** Length of the first pageblock piece of [start, start + n) (n > 0). */
@inline function firstPieceLen(start: u64, n: u64): u32 {
  return <u32>min<u64>(n, PAGES_PER_PAGEBLOCK - (start & PAGEBLOCK_PAGE_MASK));
}
/** Length of the last pageblock piece of [.., end) (non-empty). */
@inline function lastPieceLen(end: u64): u32 {
  return <u32>((end - 1) & PAGEBLOCK_PAGE_MASK) + 1;
}

/** Global pfn of the first page of the window pageblock holding `off`. */
@inline function pageblockPfn(off: u64): u64 {
  return gBasePfn + (off & ~(<u64>PAGEBLOCK_PAGE_MASK));
}

/** A global pfn of this window: true for NEAR values, false for FAR ones. */
@inline export function isNear(pfn: u64): bool {
  return pfn - gBasePfn < gNrPages;
}

@inline function entryAddr(dir: usize, off: u64): usize {
  return dir + (<usize>pageblockInSection(pageblockOf(off)) << 3);
}

// ---- forward directories -------------------------------------------------------------

/**
 * Global pfn of the frame holding page `off` (window offset; `pfn` is its
 * own global pfn) of a section with forward directory `dir`.
 */
@inline export function forwardPfn(dir: usize, off: u64, pfn: u64): u64 {
  const e = load<u64>(entryAddr(dir, off));
  const i = <u32>(off & PAGEBLOCK_PAGE_MASK);
  if ((e & ENTRY_BLOCK) == 0) return e + i;
  // Moved and unmoved pages alternate in a block: selects, not branches.
  const block = <usize>(e & ENTRY_ADDR);
  if ((e & ENTRY_WIDE) != 0) {
    const t = load<u64>(block + (<usize>i << 3));
    return select<u64>(pfn, t, t == NONE);
  }
  const d = load<u32>(block + (<usize>i << 2));
  return select<u64>(pfn, entryBase(e) + <u64>d, d == PFN_DELTA_NIL);
}

/** forwardPfn of a page given by its window offset only. */
@inline export function forwardGet(dir: usize, off: u64): u64 {
  return forwardPfn(dir, off, gBasePfn + off);
}

/** A directory with every pageblock LINEAR at its own frames. */
function newForwardDir(s: u32): usize {
  const dir = poolAlloc(POOL_FORWARD);
  const base = gBasePfn + sectionStart(s);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    store<u64>(dir + (<usize>k << 3), base + (<u64>k * PAGES_PER_PAGEBLOCK));
  }
  return dir;
}

/** Frees a directory and its blocks. */
function freeForwardDir(s: u32, dir: usize): void {
  const base = gBasePfn + sectionStart(s);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = load<u64>(dir + (<usize>k << 3));
    freeEntryBlock(e, formOf(e, base + <u64>k * PAGES_PER_PAGEBLOCK, true));
  }
  poolFree(POOL_FORWARD, dir);
}

function addMovedCount(s: u32, delta: i32): void {
  const sec = secAddr(s);
  setSecMovedCount(sec, <u32>(<i32>secMovedCount(sec) + delta));
}

/** The scratch for a partial forward run: the pageblock's values with [x0, x0 + n) at frames t0..; returns the values before. */
function forwardScratch(e: u64, pbPfn: u64, x0: u64, n: u32, t0: u64): u32 {
  const before = scratchLoad(e, pbPfn, true);
  const i0 = <u32>(x0 & PAGEBLOCK_PAGE_MASK);
  // A page at its own frame is NONE, never its own pfn (canonical).
  scratchSetRun(i0, n, t0 == pbPfn + i0 ? NONE : t0);
  return before;
}

/**
 * Pages [x0, x0 + n) of one pageblock (window offsets) now live at global
 * frames [t0, t0 + n); t0 at the pages' own pfn sends them home.
 */
function forwardSetRun(x0: u64, n: u32, t0: u64): void {
  const s = sectionOf(x0);
  const ea = entryAddr(forwardTable(s), x0);
  const pbPfn = pageblockPfn(x0);
  const e = load<u64>(ea);
  let before: u32;
  let after: u32;
  if (n == PAGES_PER_PAGEBLOCK) {
    const was = formOf(e, pbPfn, true);
    before = valueCount(e, was);
    freeEntryBlock(e, was);
    store<u64>(ea, t0);
    after = t0 == pbPfn ? 0 : PAGES_PER_PAGEBLOCK;
  } else {
    before = forwardScratch(e, pbPfn, x0, n, t0);
    after = scratchStore(ea, pbPfn, true);
  }
  addMovedCount(s, <i32>after - <i32>before);
}

/** Plans forwardSetRun(x0, n, t0) on the current state. */
function forwardSetRunNeeds(x0: u64, n: u32, t0: u64): void {
  if (n == PAGES_PER_PAGEBLOCK) return;
  const dir = forwardTable(sectionOf(x0));
  const pbPfn = pageblockPfn(x0);
  const e = dir == 0 ? pbPfn : load<u64>(entryAddr(dir, x0));
  forwardScratch(e, pbPfn, x0, n, t0);
  const was = formOf(e, pbPfn, true);
  needForm(was, scratchForm(was));
}

// ---- reverse directories ----------------------------------------------------------------

/** Global pfn of the page frame `t` (window offset) holds, or NONE. */
export function reverseGet(t: u64): u64 {
  const dir = reverseTable(sectionOf(t));
  if (dir == 0) return NONE;
  const e = load<u64>(entryAddr(dir, t));
  const i = <u32>(t & PAGEBLOCK_PAGE_MASK);
  if ((e & ENTRY_BLOCK) != 0) return blockValue(e, i);
  return e == 0 ? NONE : (e & ENTRY_PFN) + i;
}

/** Do any frames of [lo, hi) (section page offsets) of section s hold a relocated page? */
function reverseHeld(s: u32, lo: u32, hi: u32): bool {
  const dir = reverseTable(s);
  if (dir == 0) return false;
  for (let off = lo; off < hi; ) {
    const k = off >> PAGEBLOCK_ORDER;
    const end = min<u32>(hi, (k + 1) * PAGES_PER_PAGEBLOCK);
    const e = load<u64>(dir + (<usize>k << 3));
    const form = formOf(e, 0, false);
    if (form == FORM_LINEAR) return true;
    if (form != FORM_EMPTY) {
      for (let i = off & PAGEBLOCK_PAGE_MASK; i < end - k * PAGES_PER_PAGEBLOCK; i++) if (blockValue(e, i) != NONE) return true;
    }
    off = end;
  }
  return false;
}

/** Changes section s's count of frames holding a page; the directory goes at 0. */
function addReverseCount(s: u32, delta: i32): void {
  const sec = secAddr(s);
  const left = <u32>(<i32>secReverseCount(sec) + delta);
  setSecReverseCount(sec, left);
  if (left == 0) {
    poolFree(POOL_REVERSE, reverseTable(s));
    store<u32>(gReversePtrs + (<usize>s << 2), 0);
  }
}

/**
 * Frames [t0, t0 + n) of one pageblock (window offsets) now hold pages
 * x0, x0 + 1, ... (global pfns), or none when x0 is NONE.
 */
function reverseSetRun(t0: u64, n: u32, x0: u64): void {
  const s = sectionOf(t0);
  let dir = reverseTable(s);
  if (dir == 0) {
    dir = poolAlloc(POOL_REVERSE);
    memory.fill(dir, 0, SIZE_OF_REVERSE_DIR);
    store<u32>(gReversePtrs + (<usize>s << 2), <u32>dir);
  }
  const ea = entryAddr(dir, t0);
  const e = load<u64>(ea);
  let before: u32;
  let after: u32;
  if (n == PAGES_PER_PAGEBLOCK) {
    const was = formOf(e, 0, false);
    before = valueCount(e, was);
    freeEntryBlock(e, was);
    store<u64>(ea, x0 == NONE ? 0 : ENTRY_LINEAR | x0);
    after = x0 == NONE ? 0 : PAGES_PER_PAGEBLOCK;
  } else {
    before = scratchLoad(e, 0, false);
    scratchSetRun(<u32>(t0 & PAGEBLOCK_PAGE_MASK), n, x0);
    after = scratchStore(ea, 0, false);
  }
  addReverseCount(s, <i32>after - <i32>before);
}

/** Plans reverseSetRun(t0, n, x0) on the current state. */
function reverseSetRunNeeds(t0: u64, n: u32, x0: u64): void {
  if (n == PAGES_PER_PAGEBLOCK) return;
  const dir = reverseTable(sectionOf(t0));
  const e = dir == 0 ? 0 : load<u64>(entryAddr(dir, t0));
  const was = formOf(e, 0, false);
  if (x0 == NONE) {
    // Dropping part of a LINEAR run spells it out; other forms only shrink.
    if (was == FORM_LINEAR) needAdd(POOL_PFN_BLOCK, 1);
    return;
  }
  scratchLoad(e, 0, false);
  scratchSetRun(<u32>(t0 & PAGEBLOCK_PAGE_MASK), n, x0);
  needForm(was, scratchForm(was));
  // remap may empty a WIDE pageblock (its pages' old entries) before this run
  // refills it, which then takes a PFN BLOCK instead.
  if (was == FORM_WIDE) needAdd(POOL_PFN_BLOCK, 1);
}

/**
 * The near reverse entries created by pages [xa, xb) of one section with
 * forward directory `dir` (moved pages, and pages relocated onto their own
 * frame), taken run by run: frames consecutive inside one pageblock. With
 * `apply` they are dropped; otherwise their records are planned.
 */
function dropReverseOfRange(dir: usize, xa: u64, xb: u64, apply: bool): void {
  let runT: u64 = 0;
  let runLen: u32 = 0;
  for (let x = xa; x <= xb; x++) {
    let t: u64 = NONE;
    if (x < xb) {
      const pfn = gBasePfn + x;
      const f = forwardPfn(dir, x, pfn);
      if (isNear(f) && (f != pfn || reverseGet(x) == pfn)) t = f - gBasePfn;
    }
    const has = t != NONE;
    if (runLen != 0 && has && t == runT + runLen && (t & PAGEBLOCK_PAGE_MASK) != 0) {
      runLen++;
      continue;
    }
    if (runLen != 0) {
      if (apply) reverseSetRun(runT, runLen, NONE);
      else reverseSetRunNeeds(runT, runLen, NONE);
    }
    runT = t;
    runLen = has ? 1 : 0;
  }
}

/**
 * Frames [lo, hi) of section s forget the far pages they hold (remapIn's
 * entries). With `apply` the entries change; otherwise their records are planned.
 */
function dropFarReverse(s: u32, lo: u32, hi: u32, apply: bool): void {
  for (let k = lo >> PAGEBLOCK_ORDER; k <= (hi - 1) >> PAGEBLOCK_ORDER; k++) {
    const dir = reverseTable(s);
    if (dir == 0) return; // the last held frame went
    const ea = dir + (<usize>k << 3);
    const e = load<u64>(ea);
    const was = formOf(e, 0, false);
    if (was == FORM_EMPTY) continue;
    if (was == FORM_LINEAR && isNear(e & ENTRY_PFN) && isNear((e & ENTRY_PFN) + PAGES_PER_PAGEBLOCK - 1)) continue;
    const before = scratchLoad(e, 0, false);
    const pbBase = k << PAGEBLOCK_ORDER;
    const iLo = max<u32>(lo, pbBase) - pbBase;
    const iHi = min<u32>(hi, pbBase + PAGES_PER_PAGEBLOCK) - pbBase;
    let far: u32 = 0;
    for (let i = iLo; i < iHi; i++) {
      const v = load<u64>(scratchAt(i));
      if (v != NONE && !isNear(v)) {
        store<u64>(scratchAt(i), NONE);
        far++;
      }
    }
    if (far == 0) continue;
    if (apply) addReverseCount(s, <i32>scratchStore(ea, 0, false) - <i32>before);
    else needForm(was, scratchForm(was));
  }
}

// ---- section-level changes ------------------------------------------------------------------

/** Plans clearRemapSection(s). */
export function clearRemapNeeds(s: u32): void {
  const dir = forwardTable(s);
  if (dir != 0) {
    const base = sectionStart(s);
    dropReverseOfRange(dir, base, base + PAGES_PER_SECTION, false);
  }
  dropFarReverse(s, 0, PAGES_PER_SECTION, false);
}

/** Plans clearForwardSection(s). */
export function clearForwardNeeds(s: u32): void {
  const dir = forwardTable(s);
  if (dir == 0) return;
  const base = sectionStart(s);
  dropReverseOfRange(dir, base, base + PAGES_PER_SECTION, false);
}

/** Returns section s to the direct map: the near reverse entries of its pages go, then its directory. */
export function clearForwardSection(s: u32): void {
  const dir = forwardTable(s);
  if (dir == 0) return;
  const base = sectionStart(s);
  dropReverseOfRange(dir, base, base + PAGES_PER_SECTION, true);
  freeForwardDir(s, dir);
  store<u32>(gForwardPtrs + (<usize>s << 2), 0);
  const sec = secAddr(s);
  store<u8>(sec, load<u8>(sec, SEC_FLAGS) & ~(<u8>SECTION_REMAPPED), SEC_FLAGS);
  setSecMovedCount(sec, 0);
  if (xlateState(s) == XLATE_GONE) gGoneSections--;
  setXlateState(s, isPresent(s) ? XLATE_DIRECT : XLATE_MISS);
}

/**
 * Removed sections still in the translation map (XLATE_GONE). While there
 * are none, virt_to_phys runs the kernel without their test.
 */
export let gGoneSections: u32 = 0;

export function resetGoneSections(): void {
  gGoneSections = 0;
}

/** Section s, just removed, keeps its directory for the pages that live on. */
export function keepGoneSection(s: u32, moved: u32): void {
  const sec = secAddr(s);
  store<u8>(sec, <u8>SECTION_REMAPPED, SEC_FLAGS);
  setSecMovedCount(sec, moved);
  setXlateState(s, XLATE_GONE);
  gGoneSections++;
}

/**
 * A removed section whose last relocated page went home (its frame was
 * removed, or clearRemap) leaves the translation map: it has nothing left
 * to translate.
 */
function releaseGoneSection(s: u32): void {
  if (xlateState(s) == XLATE_GONE && secMovedCount(secAddr(s)) == 0) clearForwardSection(s);
}

/** clearRemap of section s: its forward side, then the far pages its frames hold. */
export function clearRemapSection(s: u32): void {
  clearForwardSection(s);
  dropFarReverse(s, 0, PAGES_PER_SECTION, true);
}

/**
 * Walks the near pages held by the frames of section s as identity-reset
 * runs: maximal runs of frames holding consecutive pages of one pageblock.
 * With `apply`, sends each run back to identity; returns how many runs are
 * partial pageblocks (each may need a PFN BLOCK).
 */
function reverseRuns(s: u32, apply: bool): u32 {
  const dir = reverseTable(s);
  if (dir == 0) return 0;
  const base = sectionStart(s);
  let partial: u32 = 0;
  let runStart: u64 = 0;
  let runLen: u32 = 0;
  for (let i: u32 = 0; i <= PAGES_PER_SECTION; i++) {
    let x: u64 = NONE;
    if (i < PAGES_PER_SECTION) {
      const v = reverseGet(base + i);
      if (v != NONE && isNear(v)) x = v - gBasePfn;
    }
    const has = x != NONE;
    if (runLen != 0 && has && x == runStart + runLen && (x & PAGEBLOCK_PAGE_MASK) != 0) {
      runLen++;
      continue;
    }
    if (runLen != 0) {
      if (runLen != PAGES_PER_PAGEBLOCK) partial++;
      if (apply) {
        forwardSetRun(runStart, runLen, gBasePfn + runStart);
        releaseGoneSection(sectionOf(runStart));
      }
    }
    runStart = x;
    runLen = has ? 1 : 0;
  }
  return partial;
}

/** Plans removeSections of [sA, sB]: upper bounds of the blocks it may take. */
export function removalNeeds(sA: u32, sB: u32): void {
  for (let s = sA; s <= sB; s++) {
    needAdd(POOL_PFN_BLOCK, reverseRuns(s, false));
    clearForwardNeeds(s);
  }
}

/** Near pages of other sections whose frames lie in section s go back to identity; s loses its reverse directory. */
export function dropReverseSection(s: u32): void {
  const dir = reverseTable(s);
  if (dir == 0) return;
  reverseRuns(s, true);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = load<u64>(dir + (<usize>k << 3));
    freeEntryBlock(e, formOf(e, 0, false));
  }
  poolFree(POOL_REVERSE, dir);
  store<u32>(gReversePtrs + (<usize>s << 2), 0);
  setSecReverseCount(secAddr(s), 0);
}

// ---- relocation -----------------------------------------------------------------------------

/**
 * E_EXISTS (naming argument `argNew`) if a frame of [newOff, newOff + n)
 * already holds a relocated page; plans the reverse directories the frames'
 * sections lack.
 */
function checkFramesFree(newOff: u64, n: u64, argNew: i32): i32 {
  const newEnd = newOff + n;
  for (let s = sectionOf(newOff); s <= sectionOf(newEnd - 1); s++) {
    if (reverseTable(s) == 0) {
      needAdd(POOL_REVERSE, 1);
      continue;
    }
    if (reverseHeld(s, sectionPartLo(s, newOff), sectionPartHi(s, newEnd))) return fail(E_EXISTS, argNew);
  }
  return OK;
}

/** Plans receive(newOff, n, x0). */
function receiveNeeds(newOff: u64, n: u64, x0: u64): void {
  const firstLen = firstPieceLen(newOff, n);
  reverseSetRunNeeds(newOff, firstLen, x0);
  if (n > <u64>firstLen) {
    const lastLen = lastPieceLen(newOff + n);
    reverseSetRunNeeds(newOff + n - lastLen, lastLen, x0 + n - lastLen);
  }
}

/** Frames [newOff, newOff + n), holding none, now hold pages x0, x0 + 1, ... (global pfns). */
function receive(newOff: u64, n: u64, x0: u64): void {
  const newEnd = newOff + n;
  for (let t = newOff; t < newEnd; ) {
    const len = firstPieceLen(t, newEnd - t);
    reverseSetRun(t, len, x0 + (t - newOff));
    t += len;
  }
}

/** Plans relocate(oldOff, n, t0). */
function relocateNeeds(oldOff: u64, n: u64, t0: u64): void {
  const oldEnd = oldOff + n;
  for (let s = sectionOf(oldOff); s <= sectionOf(oldEnd - 1); s++) {
    const dir = forwardTable(s);
    if (dir == 0) {
      needAdd(POOL_FORWARD, 1);
      continue;
    }
    const base = sectionStart(s);
    dropReverseOfRange(dir, base + sectionPartLo(s, oldOff), base + sectionPartHi(s, oldEnd), false);
  }
  const firstLen = firstPieceLen(oldOff, n);
  forwardSetRunNeeds(oldOff, firstLen, t0);
  if (n > <u64>firstLen) {
    const lastLen = lastPieceLen(oldEnd);
    forwardSetRunNeeds(oldEnd - lastLen, lastLen, t0 + n - lastLen);
  }
}

/** Pages [oldOff, oldOff + n) (window offsets) now live at global frames t0, t0 + 1, ... */
function relocate(oldOff: u64, n: u64, t0: u64): void {
  const oldEnd = oldOff + n;
  const sA = sectionOf(oldOff);
  const sB = sectionOf(oldEnd - 1);
  // 1. Pages relocated before lose their previous near reverse entries.
  for (let s = sA; s <= sB; s++) {
    const dir = forwardTable(s);
    if (dir == 0) continue;
    const base = sectionStart(s);
    dropReverseOfRange(dir, base + sectionPartLo(s, oldOff), base + sectionPartHi(s, oldEnd), true);
  }
  // 2. The old sections leave the direct map.
  for (let s = sA; s <= sB; s++) {
    if (forwardTable(s) == 0) store<u32>(gForwardPtrs + (<usize>s << 2), <u32>newForwardDir(s));
    const sec = secAddr(s);
    store<u8>(sec, load<u8>(sec, SEC_FLAGS) | <u8>SECTION_REMAPPED, SEC_FLAGS);
    setXlateState(s, XLATE_REMAPPED);
  }
  // 3. Forward entries by old pageblock.
  for (let x = oldOff; x < oldEnd; ) {
    const len = firstPieceLen(x, oldEnd - x);
    forwardSetRun(x, len, t0 + (x - oldOff));
    x += len;
  }
}

/** remap() after argument and presence checks: both ranges in this window. */
export function remapPages(oldOff: u64, n: u64, newOff: u64): i32 {
  if (n == 0) return OK;
  needReset();
  const r = checkFramesFree(newOff, n, REMAP_ARG_NEW_START);
  if (r != OK) return r;
  receiveNeeds(newOff, n, gBasePfn + oldOff);
  relocateNeeds(oldOff, n, gBasePfn + newOff);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  relocate(oldOff, n, gBasePfn + newOff);
  receive(newOff, n, gBasePfn + oldOff);
  return OK;
}

/** remapOut() after argument and presence checks: frames far, or the pages' own. */
export function remapOutPages(oldOff: u64, n: u64, newPfn: u64): i32 {
  if (n == 0) return OK;
  needReset();
  relocateNeeds(oldOff, n, newPfn);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  relocate(oldOff, n, newPfn);
  return OK;
}

/** remapIn() after argument and presence checks: pages far. */
export function remapInPages(newOff: u64, n: u64, oldPfn: u64): i32 {
  if (n == 0) return OK;
  needReset();
  const r = checkFramesFree(newOff, n, REMAP_IN_ARG_NEW_START);
  if (r != OK) return r;
  receiveNeeds(newOff, n, oldPfn);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  receive(newOff, n, oldPfn);
  return OK;
}

/** remapIn(frames, n, frames) after argument and presence checks: the frames forget their far pages. */
export function forgetFarPages(newOff: u64, n: u64): i32 {
  if (n == 0) return OK;
  const newEnd = newOff + n;
  const sA = sectionOf(newOff);
  const sB = sectionOf(newEnd - 1);
  needReset();
  for (let s = sA; s <= sB; s++) dropFarReverse(s, sectionPartLo(s, newOff), sectionPartHi(s, newEnd), false);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  for (let s = sA; s <= sB; s++) dropFarReverse(s, sectionPartLo(s, newOff), sectionPartHi(s, newEnd), true);
  return OK;
}

// ---- counting ---------------------------------------------------------------------------------

/** REMAPPED sections the last countRemappedRange touched. */
export let gRemappedSections: u32 = 0;

/**
 * Pages of [startOff, endOff) relocated away (forward entries that are not
 * identity, near or far): whole sections from their counts, the two edge
 * sections pageblock by pageblock. Sets gRemappedSections.
 */
export function countRemappedRange(startOff: u64, endOff: u64): u64 {
  gRemappedSections = 0;
  if (startOff == endOff) return 0;
  let pages: u64 = 0;
  for (let s = sectionOf(startOff); s <= sectionOf(endOff - 1); s++) {
    const dir = forwardTable(s);
    if (dir == 0) continue;
    gRemappedSections++;
    const lo = sectionPartLo(s, startOff);
    const hi = sectionPartHi(s, endOff);
    if (lo == 0 && hi == PAGES_PER_SECTION) {
      pages += secMovedCount(secAddr(s));
      continue;
    }
    const base = sectionStart(s);
    for (let off = lo; off < hi; ) {
      const k = off >> PAGEBLOCK_ORDER;
      const end = min<u32>(hi, (k + 1) * PAGES_PER_PAGEBLOCK);
      const pbPfn = gBasePfn + base + <u64>k * PAGES_PER_PAGEBLOCK;
      const e = load<u64>(dir + (<usize>k << 3));
      const form = formOf(e, pbPfn, true);
      if (form == FORM_LINEAR) pages += <u64>(end - off);
      else if (form != FORM_EMPTY) {
        for (let i = off & PAGEBLOCK_PAGE_MASK; i < end - k * PAGES_PER_PAGEBLOCK; i++) if (blockValue(e, i) != NONE) pages++;
      }
      off = end;
    }
  }
  return pages;
}

// ---- batch kernels --------------------------------------------------------------------------------

/**
 * The pfn of the lowest virtual address below the direct-map base once
 * wrapped: (2^64 - gPageOffset) >> PAGE_SHIFT (128 TiB's pfn with the
 * 4-level base; beyond 2^52 with the 5-level one, so never in a window).
 */
let gWrappedPfnMin: u64 = (0 - PAGE_OFFSET) >> PAGE_SHIFT;

/** The shard's direct-map base (init): va = pa + pageOffset. */
export function setPageOffset(pageOffset: u64): void {
  gPageOffset = pageOffset;
  gWrappedPfnMin = (0 - pageOffset) >> PAGE_SHIFT;
}

/** Bit 63: flipping it makes signed compares order u64 values. */
const SIGN_BIT: u64 = <u64>1 << 63;

/** Non-direct lookups of the running batch (translateSlow), for the I/O area. */
let gBatchSlow: u32 = 0;
let gBatchMiss: u32 = 0;

/**
 * The translation map index of a direct-map address: the section from one
 * shift and one subtraction (the window is section aligned), and the MISS
 * sentinel byte for addresses past the window. An address below the base
 * wraps to a pfn of at least gWrappedPfnMin (128 TiB with 4-level paging), so only windows
 * reaching that high test it (CheckVa = u64); the common case pays nothing.
 */
@inline function xlateIndex<CheckVa>(va: u64, pageOffset: u64, baseSection: u64, sentinel: u64): u64 {
  let sectionIdx = ((va - pageOffset) >> (PAGE_SHIFT + PFN_SECTION_SHIFT)) - baseSection;
  sectionIdx = select<u64>(sectionIdx, sentinel, sectionIdx < sentinel);
  if (sizeof<CheckVa>() == 8) sectionIdx = select<u64>(sectionIdx, sentinel, va >= pageOffset);
  return sectionIdx;
}

/**
 * The answer for a physical address whose section is not DIRECT: a remapped
 * page costs a directory pointer and one 8-byte entry holding the global pfn
 * (plus a block read for pageblocks relocated page by page), wherever the
 * frame is; a removed section (CheckGone) answers only for its pages that
 * moved; anything else misses. Counts into gBatchSlow / gBatchMiss.
 */
function translateSlow<CheckGone>(pa: u64, state: u8, sectionIdx: u64): u64 {
  const pfn = pa >> PAGE_SHIFT;
  if (sizeof<CheckGone>() == 8 && state == XLATE_GONE) {
    const frame = forwardPfn(<usize>load<u32>(gForwardPtrs + (<usize>sectionIdx << 2)), pfn - gBasePfn, pfn);
    if (frame != pfn) {
      gBatchSlow++;
      return (frame << PAGE_SHIFT) | (pa & PAGE_MASK_LOW);
    }
  } else if (state == XLATE_REMAPPED) {
    const dir = <usize>load<u32>(gForwardPtrs + (<usize>sectionIdx << 2));
    gBatchSlow++;
    return (forwardPfn(dir, pfn - gBasePfn, pfn) << PAGE_SHIFT) | (pa & PAGE_MASK_LOW);
  }
  gBatchMiss++;
  return BAD_ADDRESS;
}

/** virt_to_phys of one address: the scalar truth both kernels share. */
@inline function translateOne<CheckVa, CheckGone>(va: u64, pageOffset: u64, baseSection: u64, sentinel: u64, xlate: usize): u64 {
  const sectionIdx = xlateIndex<CheckVa>(va, pageOffset, baseSection, sentinel);
  const state = load<u8>(xlate + <usize>sectionIdx);
  return state == XLATE_DIRECT ? va - pageOffset : translateSlow<CheckGone>(va - pageOffset, state, sectionIdx);
}

/**
 * virt_to_phys over n addresses at inPtr, results at outPtr: the scalar
 * kernel, one address at a time. One byte of the translation map decides
 * the direct map; only remapped pages and misses leave the straight-line
 * path. Instantiated per CheckVa / CheckGone so the common case carries
 * neither test.
 */
function virtToPhysScalar<CheckVa, CheckGone>(inPtr: usize, outPtr: usize, n: u32): void {
  const pageOffset = gPageOffset;
  const baseSection = gBasePfn >> PFN_SECTION_SHIFT;
  const sentinel = <u64>gNrSections;
  const xlate = gXlateMap;
  const delta = outPtr - inPtr;
  const end = inPtr + (<usize>n << 3);
  for (let p = inPtr; p < end; p += 8) {
    store<u64>(p + delta, translateOne<CheckVa, CheckGone>(load<u64>(p), pageOffset, baseSection, sentinel, xlate));
  }
}

/**
 * The window test of two direct-map addresses in the SIMD kernel: all ones
 * in a lane whose section lies in the window. `q` is the physical address
 * shifted to its section number; (q + bias) is the window index with bit 63
 * flipped, and flipped values order as i64 the way u64 values do, so one
 * signed compare drops addresses below the window with the ones past it.
 * Windows reaching the wrapped pfns (CheckVa = u64) also drop addresses
 * below the direct-map base: not negative as signed, or below it as signed
 * (the base has bit 63 set, as every kernel-half address does).
 */
@inline function inWindow2<CheckVa>(va: v128, q: v128, pageOffset: v128, bias: v128, limit: v128): v128 {
  const inside = i64x2.lt_s(i64x2.add(q, bias), limit);
  if (sizeof<CheckVa>() == 8) return v128.andnot(inside, v128.or(i64x2.ge_s(va, i64x2.splat(0)), i64x2.lt_s(va, pageOffset)));
  return inside;
}

/**
 * The SIMD kernel (builds with WASM SIMD): eight addresses per step, two
 * per v128. The subtraction, the shift and the window test run on all lanes
 * at once, and one test decides whether the whole step lies in the window.
 * WASM has no gather, so each address then loads its translation map byte
 * straight into a lane (the map is addressed from the section number with
 * the window's first section folded into its base, so no lane is narrowed
 * or clamped), and one compare finds whether all eight are DIRECT; if so the
 * step stores its four physical vectors. Any other step, and the tail,
 * goes to the scalar kernel, so it stays the truth for everything but the
 * arithmetic of the direct map. The inner loop breaks out for that call
 * rather than making it: with the slow path inlined into the loop, far
 * lookups ran 2.4x slower than on the scalar build, and with the call in the
 * loop the direct steps ran 13% slower (the constant vectors spilled).
 */
function virtToPhysSimd<CheckVa, CheckGone>(inPtr: usize, outPtr: usize, n: u32): void {
  const pageOffset = gPageOffset;
  const baseSection = gBasePfn >> PFN_SECTION_SHIFT;
  const sentinel = <u64>gNrSections;
  const xlate = gXlateMap;
  // Wraps modulo 2^32 like every wasm32 address: only in-window sections index it.
  const biasedMap = xlate - <usize>baseSection;
  const delta = outPtr - inPtr;
  const stepsEnd = inPtr + (<usize>(n & ~7) << 3);
  const pageOffsetVec = i64x2.splat(<i64>pageOffset);
  const bias = i64x2.splat(<i64>(SIGN_BIT - baseSection));
  const limit = i64x2.splat(<i64>(SIGN_BIT + sentinel));
  const direct = i8x16.splat(<i8>XLATE_DIRECT);
  let p = inPtr;
  while (p < stepsEnd) {
    // Steps that are all DIRECT, with no call in the loop to spill the constant vectors around.
    for (; p < stepsEnd; p += 64) {
      const va0 = v128.load(p);
      const va1 = v128.load(p, 16);
      const va2 = v128.load(p, 32);
      const va3 = v128.load(p, 48);
      const pa0 = i64x2.sub(va0, pageOffsetVec);
      const pa1 = i64x2.sub(va1, pageOffsetVec);
      const pa2 = i64x2.sub(va2, pageOffsetVec);
      const pa3 = i64x2.sub(va3, pageOffsetVec);
      const q0 = i64x2.shr_u(pa0, PAGE_SHIFT + PFN_SECTION_SHIFT);
      const q1 = i64x2.shr_u(pa1, PAGE_SHIFT + PFN_SECTION_SHIFT);
      const q2 = i64x2.shr_u(pa2, PAGE_SHIFT + PFN_SECTION_SHIFT);
      const q3 = i64x2.shr_u(pa3, PAGE_SHIFT + PFN_SECTION_SHIFT);
      const inside = v128.and(
        v128.and(inWindow2<CheckVa>(va0, q0, pageOffsetVec, bias, limit), inWindow2<CheckVa>(va1, q1, pageOffsetVec, bias, limit)),
        v128.and(inWindow2<CheckVa>(va2, q2, pageOffsetVec, bias, limit), inWindow2<CheckVa>(va3, q3, pageOffsetVec, bias, limit)),
      );
      if (!i64x2.all_true(inside)) break;
      // Lanes 8..15 stay DIRECT, so the compare looks at the eight loaded.
      // (Lane numbers must be constants, hence eight lines.)
      let states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q0, 0), direct, 0);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q0, 1), states, 1);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q1, 0), states, 2);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q1, 1), states, 3);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q2, 0), states, 4);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q2, 1), states, 5);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q3, 0), states, 6);
      states = v128.load8_lane(biasedMap + <usize>i64x2.extract_lane(q3, 1), states, 7);
      if (!i8x16.all_true(i8x16.eq(states, direct))) break;
      v128.store(p + delta, pa0);
      v128.store(p + delta, pa1, 16);
      v128.store(p + delta, pa2, 32);
      v128.store(p + delta, pa3, 48);
    }
    if (p >= stepsEnd) break;
    virtToPhysScalar<CheckVa, CheckGone>(p, p + delta, 8);
    p += 64;
  }
  virtToPhysScalar<CheckVa, CheckGone>(stepsEnd, stepsEnd + delta, n & 7);
}

/** One dispatch point: the representation of the build (SIMD or scalar), then the window's tests. */
function virtToPhysKernel<CheckVa, CheckGone>(inPtr: usize, outPtr: usize, n: u32): void {
  if (ASC_FEATURE_SIMD) virtToPhysSimd<CheckVa, CheckGone>(inPtr, outPtr, n);
  else virtToPhysScalar<CheckVa, CheckGone>(inPtr, outPtr, n);
}

export function virtToPhysBatch(inPtr: usize, outPtr: usize, n: u32): void {
  gBatchSlow = 0;
  gBatchMiss = 0;
  const wraps = gBasePfn + gNrPages > gWrappedPfnMin;
  if (gGoneSections != 0) {
    if (wraps) virtToPhysKernel<u64, u64>(inPtr, outPtr, n);
    else virtToPhysKernel<u32, u64>(inPtr, outPtr, n);
  } else if (wraps) virtToPhysKernel<u64, u32>(inPtr, outPtr, n);
  else virtToPhysKernel<u32, u32>(inPtr, outPtr, n);
  const io = gIoArea;
  store<f64>(io + IO_XLATE_FAST, <f64>(n - gBatchSlow - gBatchMiss));
  store<f64>(io + IO_XLATE_SLOW, <f64>gBatchSlow);
  store<f64>(io + IO_XLATE_MISS, <f64>gBatchMiss);
}

/**
 * The memory traffic of a batch with no translation: reads n addresses at
 * inPtr and, when `write`, stores each to outPtr unchanged; returns the sum
 * of what it read (so nothing is optimised away). The bench measures it
 * beside the kernels above as the bandwidth limit of the same bytes.
 */
export function streamBatch(inPtr: usize, outPtr: usize, n: u32, write: bool): u64 {
  const delta = outPtr - inPtr;
  const end = inPtr + (<usize>n << 3);
  let sum: u64 = 0;
  let p = inPtr;
  if (ASC_FEATURE_SIMD) {
    const pairsEnd = inPtr + (<usize>(n & ~1) << 3);
    let acc = i64x2.splat(0);
    for (; p < pairsEnd; p += 16) {
      const v = v128.load(p);
      acc = i64x2.add(acc, v);
      if (write) v128.store(p + delta, v);
    }
    sum = i64x2.extract_lane(acc, 0) + i64x2.extract_lane(acc, 1);
  }
  for (; p < end; p += 8) {
    const v = load<u64>(p);
    sum += v;
    if (write) store<u64>(p + delta, v);
  }
  return sum;
}

/**
 * phys_to_virt over n addresses: a frame holding a relocated page (near or
 * far) answers that page's direct-map address; a frame whose own page moved
 * away has no mapping; other present frames are identity (fast unless their
 * section is REMAPPED, which needs a directory read).
 */
export function physToVirtBatch(inPtr: usize, outPtr: usize, n: u32): void {
  const base = gBasePfn;
  const nrPages = gNrPages;
  let fast: u32 = 0;
  let slow: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const at = <usize>i << 3;
    const pa = load<u64>(inPtr + at);
    const off = (pa >> PAGE_SHIFT) - base;
    let out = BAD_ADDRESS;
    if (off < nrPages) {
      const s = <u32>(off >> PFN_SECTION_SHIFT);
      const state = xlateState(s);
      // A removed section's frames are gone, whatever its pages' entries say.
      if (state == XLATE_DIRECT || state == XLATE_REMAPPED) {
        const x = reverseGet(off);
        if (x != NONE) {
          out = gPageOffset + ((x << PAGE_SHIFT) | (pa & PAGE_MASK_LOW));
          slow++;
        } else if (state == XLATE_REMAPPED) {
          if (forwardGet(forwardTable(s), off) == base + off) {
            out = pa + gPageOffset;
            slow++;
          }
        } else {
          out = pa + gPageOffset;
          fast++;
        }
      }
    }
    store<u64>(outPtr + at, out);
  }
  const io = gIoArea;
  store<f64>(io + IO_XLATE_FAST, <f64>fast);
  store<f64>(io + IO_XLATE_SLOW, <f64>slow);
  store<f64>(io + IO_XLATE_MISS, <f64>(n - fast - slow));
}
