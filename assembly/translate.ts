// Direct-map relocation: remap tables and the virt_to_phys / phys_to_virt
// batch kernels.
//
// A REMAPPED section owns a forward directory (layout.ts): per pageblock,
// either LINEAR (page i is at a base offset + i; identity when never moved)
// or a FORWARD BLOCK of per-page offsets. A section whose frames received
// relocated pages owns a reverse directory: per pageblock NONE, LINEAR (frame
// i holds page base + i) or a REVERSE BLOCK of per-frame offsets and bits.
// Relocation moves runs, so both directions stay a few hundred bytes per
// section; the planning steps count the blocks a partial run may need.
// Rules (shared with the reference engine):
// - remap needs both ranges present; a target frame that already holds a
//   relocated page refuses the call (E_EXISTS on newStartPfn);
// - remapping a page again drops its previous reverse entry first;
// - a page may be relocated onto its own frame (identity entry, still a
//   reverse entry);
// - clearRemap drops the forward directories of the sections and the reverse
//   entries they created; removeSections drops both directions, sending pages
//   whose frames went away back to identity.

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
import { E_EXISTS, E_FULL, fail } from './errors';
import {
  FORWARD_ENTRY_BLOCK,
  FORWARD_ENTRY_LOW,
  IO_XLATE_FAST,
  IO_XLATE_MISS,
  IO_XLATE_SLOW,
  POOL_FORWARD,
  POOL_FORWARD_BLOCK,
  POOL_REVERSE,
  POOL_REVERSE_BLOCK,
  REVERSE_BLOCK_BITS,
  REVERSE_ENTRY_BLOCK,
  REVERSE_ENTRY_LINEAR,
  REVERSE_ENTRY_LOW,
  SEC_FLAGS,
  SIZE_OF_REVERSE_DIR,
  forwardTable,
  gBasePfn,
  gForwardPtrs,
  gIoArea,
  gNrPages,
  gReversePtrs,
  pageblockInSection,
  pageblockOf,
  reverseTable,
  secReverseCount,
  setSecReverseCount,
  gNrSections,
  gXlateMap,
  secAddr,
  sectionOf,
  sectionPartHi,
  sectionPartLo,
  sectionStart,
  setXlateState,
  xlateState,
  XLATE_DIRECT,
  XLATE_MISS,
  XLATE_REMAPPED,
} from './layout';
import { needAdd, needReset, poolAlloc, poolFree, reserveNeeds } from './pool';

/** Argument position of newStartPfn in remap(oldStartPfn, nrPages, newStartPfn). */
const ARG_NEW_START: i32 = 2;

// ---- forward directories -------------------------------------------------------------

@inline function forwardEntryAddr(dir: usize, k: u32): usize {
  return dir + (<usize>k << 3);
}

/** Window offset of the frame holding page x (whose section has a directory). */
@inline export function forwardGet(dir: usize, x: u64): u64 {
  const e = load<u64>(forwardEntryAddr(dir, pageblockInSection(pageblockOf(x))));
  const i = <u32>(x & PAGEBLOCK_PAGE_MASK);
  if ((e & FORWARD_ENTRY_BLOCK) != 0) return <u64>load<u32>(<usize>(e & FORWARD_ENTRY_LOW) + (<usize>i << 2));
  return (e & FORWARD_ENTRY_LOW) + i;
}

/** A directory with every pageblock LINEAR at its own frames. */
function newForwardDir(s: u32): usize {
  const dir = poolAlloc(POOL_FORWARD);
  const base = sectionStart(s);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    store<u64>(forwardEntryAddr(dir, k), base + (<u64>k << PAGEBLOCK_ORDER));
  }
  return dir;
}

/** Frees a directory and its blocks. */
function freeForwardDir(dir: usize): void {
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = load<u64>(forwardEntryAddr(dir, k));
    if ((e & FORWARD_ENTRY_BLOCK) != 0) poolFree(POOL_FORWARD_BLOCK, <usize>(e & FORWARD_ENTRY_LOW));
  }
  poolFree(POOL_FORWARD, dir);
}

/**
 * Pages [x0, x0 + n) of one pageblock now live at frames [t0, t0 + n). A
 * partial run into a LINEAR pageblock that it does not continue needs one
 * reserved FORWARD BLOCK; a block that turns linear again is freed.
 */
function forwardSetRun(x0: u64, n: u32, t0: u64): void {
  const dir = forwardTable(sectionOf(x0));
  const ea = forwardEntryAddr(dir, pageblockInSection(pageblockOf(x0)));
  const e = load<u64>(ea);
  if (n == PAGES_PER_PAGEBLOCK) {
    if ((e & FORWARD_ENTRY_BLOCK) != 0) poolFree(POOL_FORWARD_BLOCK, <usize>(e & FORWARD_ENTRY_LOW));
    store<u64>(ea, t0);
    return;
  }
  const i0 = <u32>(x0 & PAGEBLOCK_PAGE_MASK);
  let block: usize;
  if ((e & FORWARD_ENTRY_BLOCK) == 0) {
    if (e + i0 == t0) return; // the run continues the linear mapping
    block = poolAlloc(POOL_FORWARD_BLOCK);
    for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) store<u32>(block + (<usize>i << 2), <u32>(e + i));
    store<u64>(ea, FORWARD_ENTRY_BLOCK | <u64>block);
  } else {
    block = <usize>(e & FORWARD_ENTRY_LOW);
  }
  for (let j: u32 = 0; j < n; j++) store<u32>(block + (<usize>(i0 + j) << 2), <u32>(t0 + j));
  // Back to LINEAR when the block is one run.
  const first = load<u32>(block);
  for (let i: u32 = 1; i < PAGES_PER_PAGEBLOCK; i++) {
    if (load<u32>(block + (<usize>i << 2)) != first + i) return;
  }
  poolFree(POOL_FORWARD_BLOCK, block);
  store<u64>(ea, <u64>first);
}

/** Does a partial run [x0, x0 + n) of one pageblock to frames t0.. need a new block? */
function forwardRunNeedsBlock(x0: u64, n: u32, t0: u64): bool {
  if (n == PAGES_PER_PAGEBLOCK) return false;
  const dir = forwardTable(sectionOf(x0));
  if (dir == 0) return true;
  const e = load<u64>(forwardEntryAddr(dir, pageblockInSection(pageblockOf(x0))));
  if ((e & FORWARD_ENTRY_BLOCK) != 0) return false;
  return e + (x0 & PAGEBLOCK_PAGE_MASK) != t0;
}

// ---- reverse directories ----------------------------------------------------------------

@inline function reverseEntryAddr(dir: usize, k: u32): usize {
  return dir + (<usize>k << 3);
}

@inline function bitsTest(bits: usize, i: u32): bool {
  return ((load<u64>(bits + (<usize>(i >> 6) << 3)) >> <u64>(i & 63)) & 1) != 0;
}

/** Window offset of the page frame t holds, or NONE. */
export function reverseGet(t: u64): u64 {
  const dir = reverseTable(sectionOf(t));
  if (dir == 0) return NONE;
  const e = load<u64>(reverseEntryAddr(dir, pageblockInSection(pageblockOf(t))));
  const i = <u32>(t & PAGEBLOCK_PAGE_MASK);
  if (e == 0) return NONE;
  if ((e & REVERSE_ENTRY_LINEAR) != 0) return (e & REVERSE_ENTRY_LOW) + i;
  const block = <usize>(e & REVERSE_ENTRY_LOW);
  if (!bitsTest(block + REVERSE_BLOCK_BITS, i)) return NONE;
  return <u64>load<u32>(block + (<usize>i << 2));
}

/** Do any frames of [lo, hi) (section page offsets) of section s hold a relocated page? */
function reverseAny(s: u32, lo: u32, hi: u32): bool {
  const dir = reverseTable(s);
  if (dir == 0) return false;
  for (let off = lo; off < hi; ) {
    const k = off >> PAGEBLOCK_ORDER;
    const end = min<u32>(hi, (k + 1) << PAGEBLOCK_ORDER);
    const e = load<u64>(reverseEntryAddr(dir, k));
    if ((e & REVERSE_ENTRY_LINEAR) != 0) return true;
    if (e != 0) {
      const bits = <usize>(e & REVERSE_ENTRY_LOW) + REVERSE_BLOCK_BITS;
      for (let i = off & PAGEBLOCK_PAGE_MASK; i < (end - (k << PAGEBLOCK_ORDER)); i++) if (bitsTest(bits, i)) return true;
    }
    off = end;
  }
  return false;
}

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
 * Frames [t0, t0 + n) of one pageblock, which hold no relocated page yet, now
 * hold pages [x0, x0 + n). A partial run into a NONE pageblock takes a block.
 */
function reverseAddRun(t0: u64, n: u32, x0: u64): void {
  const s = sectionOf(t0);
  let dir = reverseTable(s);
  if (dir == 0) {
    dir = poolAlloc(POOL_REVERSE);
    memory.fill(dir, 0, SIZE_OF_REVERSE_DIR);
    store<u32>(gReversePtrs + (<usize>s << 2), <u32>dir);
  }
  const ea = reverseEntryAddr(dir, pageblockInSection(pageblockOf(t0)));
  const e = load<u64>(ea);
  if (n == PAGES_PER_PAGEBLOCK) {
    store<u64>(ea, REVERSE_ENTRY_LINEAR | x0);
  } else {
    let block: usize;
    if (e == 0) {
      block = poolAlloc(POOL_REVERSE_BLOCK);
      memory.fill(block + REVERSE_BLOCK_BITS, 0, 64);
      store<u64>(ea, REVERSE_ENTRY_BLOCK | <u64>block);
    } else {
      block = <usize>(e & REVERSE_ENTRY_LOW);
    }
    const i0 = <u32>(t0 & PAGEBLOCK_PAGE_MASK);
    const bits = block + REVERSE_BLOCK_BITS;
    for (let j: u32 = 0; j < n; j++) {
      const i = i0 + j;
      store<u32>(block + (<usize>i << 2), <u32>(x0 + j));
      const p = bits + (<usize>(i >> 6) << 3);
      store<u64>(p, load<u64>(p) | (<u64>1 << <u64>(i & 63)));
    }
    // Every frame holding one run of pages: back to LINEAR.
    let full = true;
    for (let w: u32 = 0; w < 8; w++) if (load<u64>(bits + (<usize>w << 3)) != <u64>-1) full = false;
    if (full) {
      const first = load<u32>(block);
      let linear = true;
      for (let i: u32 = 1; i < PAGES_PER_PAGEBLOCK && linear; i++) linear = load<u32>(block + (<usize>i << 2)) == first + i;
      if (linear) {
        poolFree(POOL_REVERSE_BLOCK, block);
        store<u64>(ea, REVERSE_ENTRY_LINEAR | <u64>first);
      }
    }
  }
  addReverseCount(s, <i32>n);
}

/** Would dropping frames [t0, t0 + n) of one pageblock need a new block? */
function reverseDropNeedsBlock(t0: u64, n: u32): bool {
  if (n == PAGES_PER_PAGEBLOCK) return false;
  const dir = reverseTable(sectionOf(t0));
  return (load<u64>(reverseEntryAddr(dir, pageblockInSection(pageblockOf(t0)))) & REVERSE_ENTRY_LINEAR) != 0;
}

/** Frames [t0, t0 + n) of one pageblock, which all hold relocated pages, hold none now. */
function reverseDropRun(t0: u64, n: u32): void {
  const s = sectionOf(t0);
  const dir = reverseTable(s);
  const ea = reverseEntryAddr(dir, pageblockInSection(pageblockOf(t0)));
  let e = load<u64>(ea);
  if (n == PAGES_PER_PAGEBLOCK) {
    if ((e & REVERSE_ENTRY_BLOCK) != 0) poolFree(POOL_REVERSE_BLOCK, <usize>(e & REVERSE_ENTRY_LOW));
    store<u64>(ea, 0);
  } else {
    if ((e & REVERSE_ENTRY_LINEAR) != 0) {
      // Part of a LINEAR pageblock goes: spell it out frame by frame first.
      const first = e & REVERSE_ENTRY_LOW;
      const block = poolAlloc(POOL_REVERSE_BLOCK);
      for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) store<u32>(block + (<usize>i << 2), <u32>(first + i));
      memory.fill(block + REVERSE_BLOCK_BITS, 0xff, 64);
      e = REVERSE_ENTRY_BLOCK | <u64>block;
      store<u64>(ea, e);
    }
    const block = <usize>(e & REVERSE_ENTRY_LOW);
    const bits = block + REVERSE_BLOCK_BITS;
    const i0 = <u32>(t0 & PAGEBLOCK_PAGE_MASK);
    for (let i = i0; i < i0 + n; i++) {
      const p = bits + (<usize>(i >> 6) << 3);
      store<u64>(p, load<u64>(p) & ~(<u64>1 << <u64>(i & 63)));
    }
    let empty = true;
    for (let w: u32 = 0; w < 8; w++) if (load<u64>(bits + (<usize>w << 3)) != 0) empty = false;
    if (empty) {
      poolFree(POOL_REVERSE_BLOCK, block);
      store<u64>(ea, 0);
    }
  }
  addReverseCount(s, -(<i32>n));
}

/**
 * The reverse entries created by pages [xa, xb) of one section with forward
 * directory `dir` (moved pages, and pages relocated onto their own frame),
 * taken run by run: frames consecutive inside one pageblock. With `apply`
 * they are dropped; otherwise returns how many runs would need a new block.
 */
function dropReverseOfRange(dir: usize, xa: u64, xb: u64, apply: bool): u32 {
  let needs: u32 = 0;
  let runT: u64 = 0;
  let runLen: u32 = 0;
  for (let x = xa; x <= xb; x++) {
    let t: u64 = 0;
    let has = false;
    if (x < xb) {
      t = forwardGet(dir, x);
      has = t != x || reverseGet(x) == x;
    }
    if (runLen != 0 && has && t == runT + runLen && (t & PAGEBLOCK_PAGE_MASK) != 0) {
      runLen++;
      continue;
    }
    if (runLen != 0) {
      if (apply) reverseDropRun(runT, runLen);
      else if (reverseDropNeedsBlock(runT, runLen)) needs++;
    }
    runT = t;
    runLen = has ? 1 : 0;
  }
  return needs;
}

// ---- section-level changes ------------------------------------------------------------------

/** Reverse blocks clearRemapSection(s) may take (the planning step). */
export function clearRemapBlocks(s: u32): u32 {
  const dir = forwardTable(s);
  if (dir == 0) return 0;
  const base = sectionStart(s);
  return dropReverseOfRange(dir, base, base + PAGES_PER_SECTION, false);
}

/** Returns section s to the direct map: its reverse entries elsewhere go, then its directory. */
export function clearRemapSection(s: u32): void {
  const dir = forwardTable(s);
  if (dir == 0) return;
  const base = sectionStart(s);
  dropReverseOfRange(dir, base, base + PAGES_PER_SECTION, true);
  freeForwardDir(dir);
  store<u32>(gForwardPtrs + (<usize>s << 2), 0);
  const sec = secAddr(s);
  store<u8>(sec, load<u8>(sec, SEC_FLAGS) & ~(<u8>SECTION_REMAPPED), SEC_FLAGS);
  setXlateState(s, XLATE_DIRECT);
}

/**
 * Walks the pages held by the frames of section s as identity-reset runs:
 * maximal runs of frames holding consecutive pages of one pageblock. With
 * `apply`, sends each run back to identity; returns how many runs are
 * partial pageblocks (each may need a forward block).
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
    if (i < PAGES_PER_SECTION) x = reverseGet(base + i);
    const has = x != NONE;
    if (runLen != 0 && has && x == runStart + runLen && (x & PAGEBLOCK_PAGE_MASK) != 0) {
      runLen++;
      continue;
    }
    if (runLen != 0) {
      if (runLen != PAGES_PER_PAGEBLOCK) partial++;
      if (apply) forwardSetRun(runStart, runLen, runStart);
    }
    runStart = x;
    runLen = has ? 1 : 0;
  }
  return partial;
}

/** Forward and reverse blocks removeSections of [sA, sB] may take (upper bounds). */
export function removalForwardBlocks(sA: u32, sB: u32): u32 {
  let n: u32 = 0;
  for (let s = sA; s <= sB; s++) n += reverseRuns(s, false);
  return n;
}
export function removalReverseBlocks(sA: u32, sB: u32): u32 {
  let n: u32 = 0;
  for (let s = sA; s <= sB; s++) n += clearRemapBlocks(s);
  return n;
}

/** Pages of other sections whose frames lie in section s go back to identity; s loses its reverse directory. */
export function dropReverseSection(s: u32): void {
  const dir = reverseTable(s);
  if (dir == 0) return;
  reverseRuns(s, true);
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = load<u64>(reverseEntryAddr(dir, k));
    if ((e & REVERSE_ENTRY_BLOCK) != 0) poolFree(POOL_REVERSE_BLOCK, <usize>(e & REVERSE_ENTRY_LOW));
  }
  poolFree(POOL_REVERSE, dir);
  store<u32>(gReversePtrs + (<usize>s << 2), 0);
  setSecReverseCount(secAddr(s), 0);
}

// ---- remap --------------------------------------------------------------------------------------

/** remap() after argument and presence checks. */
export function remapPages(oldOff: u64, nrPages: u64, newOff: u64): i32 {
  if (nrPages == 0) return 0;
  const oldEnd = oldOff + nrPages;
  const newEnd = newOff + nrPages;
  const oA = sectionOf(oldOff);
  const oB = sectionOf(oldEnd - 1);
  const nA = sectionOf(newOff);
  const nB = sectionOf(newEnd - 1);
  needReset();
  for (let s = nA; s <= nB; s++) {
    if (reverseTable(s) == 0) {
      needAdd(POOL_REVERSE, 1);
      continue;
    }
    if (reverseAny(s, sectionPartLo(s, newOff), sectionPartHi(s, newEnd))) return fail(E_EXISTS, ARG_NEW_START);
  }
  // Only the first and the last pageblock of either range can be partial.
  const firstLen = <u32>min<u64>(nrPages, PAGES_PER_PAGEBLOCK - (oldOff & PAGEBLOCK_PAGE_MASK));
  if (forwardRunNeedsBlock(oldOff, firstLen, newOff)) needAdd(POOL_FORWARD_BLOCK, 1);
  if (nrPages > <u64>firstLen) {
    const lastLen = <u32>(((oldEnd - 1) & PAGEBLOCK_PAGE_MASK) + 1);
    if (forwardRunNeedsBlock(oldEnd - lastLen, lastLen, newEnd - lastLen)) needAdd(POOL_FORWARD_BLOCK, 1);
  }
  const firstTargetLen = <u32>min<u64>(nrPages, PAGES_PER_PAGEBLOCK - (newOff & PAGEBLOCK_PAGE_MASK));
  if (firstTargetLen != PAGES_PER_PAGEBLOCK) needAdd(POOL_REVERSE_BLOCK, 1);
  if (nrPages > <u64>firstTargetLen && ((newEnd & PAGEBLOCK_PAGE_MASK) != 0)) needAdd(POOL_REVERSE_BLOCK, 1);
  for (let s = oA; s <= oB; s++) {
    const dir = forwardTable(s);
    if (dir == 0) {
      needAdd(POOL_FORWARD, 1);
      continue;
    }
    const base = sectionStart(s);
    needAdd(POOL_REVERSE_BLOCK, dropReverseOfRange(dir, base + sectionPartLo(s, oldOff), base + sectionPartHi(s, oldEnd), false));
  }
  if (!reserveNeeds()) return fail(E_FULL, -1);

  // 1. Pages relocated before lose their previous reverse entries.
  for (let s = oA; s <= oB; s++) {
    const dir = forwardTable(s);
    if (dir == 0) continue;
    const base = sectionStart(s);
    dropReverseOfRange(dir, base + sectionPartLo(s, oldOff), base + sectionPartHi(s, oldEnd), true);
  }
  // 2. The old sections leave the direct map.
  for (let s = oA; s <= oB; s++) {
    if (forwardTable(s) == 0) store<u32>(gForwardPtrs + (<usize>s << 2), <u32>newForwardDir(s));
    const sec = secAddr(s);
    store<u8>(sec, load<u8>(sec, SEC_FLAGS) | <u8>SECTION_REMAPPED, SEC_FLAGS);
    setXlateState(s, XLATE_REMAPPED);
  }
  // 3. Forward entries by old pageblock, reverse entries by target pageblock.
  let x = oldOff;
  while (x < oldEnd) {
    const len = <u32>min<u64>(oldEnd - x, PAGES_PER_PAGEBLOCK - (x & PAGEBLOCK_PAGE_MASK));
    forwardSetRun(x, len, newOff + (x - oldOff));
    x += len;
  }
  let t = newOff;
  while (t < newEnd) {
    const len = <u32>min<u64>(newEnd - t, PAGES_PER_PAGEBLOCK - (t & PAGEBLOCK_PAGE_MASK));
    reverseAddRun(t, len, oldOff + (t - newOff));
    t += len;
  }
  return 0;
}

// ---- batch kernels --------------------------------------------------------------------------------

/** The pfn of the lowest virtual address below PAGE_OFFSET once wrapped: (2^64 - PAGE_OFFSET) >> PAGE_SHIFT. */
const WRAPPED_PFN_MIN: u64 = (0 - PAGE_OFFSET) >> PAGE_SHIFT;

/**
 * virt_to_phys over n addresses at inPtr, results at outPtr. This is the hot
 * loop: the section index comes from one shift and one subtraction (the
 * window is section aligned), addresses past the window are clamped onto the
 * MISS sentinel byte, and one byte of the translation map decides the direct
 * map; only remapped pages and misses leave the straight-line path. A remapped
 * page costs a directory pointer and one 8-byte entry (plus a block read for
 * pageblocks relocated page by page).
 *
 * An address below PAGE_OFFSET wraps to a pfn of at least WRAPPED_PFN_MIN
 * (128 TiB), so only windows reaching that high must test it: the kernel is
 * instantiated twice, with the test (CheckVa = u64) and without (u32), so
 * the common case pays nothing for it.
 */
function virtToPhysKernel<CheckVa>(inPtr: usize, outPtr: usize, n: u32): void {
  const base = gBasePfn;
  const baseSection = base >> PFN_SECTION_SHIFT;
  const sentinel = <u64>gNrSections;
  const xlate = gXlateMap;
  const forwardPtrs = gForwardPtrs;
  const delta = outPtr - inPtr;
  const end = inPtr + (<usize>n << 3);
  let slow: u32 = 0;
  let miss: u32 = 0;
  for (let p = inPtr; p < end; p += 8) {
    const va = load<u64>(p);
    const pa = va - PAGE_OFFSET;
    let sectionIdx = (pa >> (PAGE_SHIFT + PFN_SECTION_SHIFT)) - baseSection;
    sectionIdx = select<u64>(sectionIdx, sentinel, sectionIdx < sentinel);
    if (sizeof<CheckVa>() == 8) sectionIdx = select<u64>(sectionIdx, sentinel, va >= PAGE_OFFSET);
    const state = load<u8>(xlate + <usize>sectionIdx);
    let out = pa;
    if (state != XLATE_DIRECT) {
      out = BAD_ADDRESS;
      if (state == XLATE_REMAPPED) {
        const off = (pa >> PAGE_SHIFT) - base;
        const dir = <usize>load<u32>(forwardPtrs + (<usize>sectionIdx << 2));
        out = ((base + forwardGet(dir, off)) << PAGE_SHIFT) | (pa & PAGE_MASK_LOW);
        slow++;
      } else {
        miss++;
      }
    }
    store<u64>(p + delta, out);
  }
  const io = gIoArea;
  store<f64>(io + IO_XLATE_FAST, <f64>(n - slow - miss));
  store<f64>(io + IO_XLATE_SLOW, <f64>slow);
  store<f64>(io + IO_XLATE_MISS, <f64>miss);
}

export function virtToPhysBatch(inPtr: usize, outPtr: usize, n: u32): void {
  if (gBasePfn + gNrPages > WRAPPED_PFN_MIN) virtToPhysKernel<u64>(inPtr, outPtr, n);
  else virtToPhysKernel<u32>(inPtr, outPtr, n);
}

/**
 * phys_to_virt over n addresses: a frame holding a relocated page answers
 * that page's direct-map address; a frame whose own page moved away has no
 * mapping; other present frames are identity (fast unless their section is
 * REMAPPED, which needs a directory read).
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
      if (state != XLATE_MISS) {
        const x = reverseGet(off);
        if (x != NONE) {
          out = PAGE_OFFSET + (((base + x) << PAGE_SHIFT) | (pa & PAGE_MASK_LOW));
          slow++;
        } else if (state == XLATE_REMAPPED) {
          if (forwardGet(forwardTable(s), off) == off) {
            out = pa + PAGE_OFFSET;
            slow++;
          }
        } else {
          out = pa + PAGE_OFFSET;
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

