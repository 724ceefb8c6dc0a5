// validate(): recheck every invariant from scratch. Slow on purpose (it
// recounts every plane and walks every table); the differential tests call it
// after every step. Scratch counters live in the I/O area.

import {
  MAX_NID,
  MAX_PHYS_PFN,
  NONE,
  NR_PAGE_CLASSES,
  PAGEBLOCKS_PER_SECTION,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  SECTION_FLAGS_SETTABLE,
  SECTION_PRESENT,
  SECTION_REMAPPED,
  TAG_BITS,
} from './constants';
import {
  E_INVARIANT,
  INV_ABSENT_SECTION,
  INV_CANONICAL_PAGEBLOCK,
  INV_CANONICAL_SECTION,
  INV_CLASS_SUMMARY,
  INV_COUNTS,
  INV_FREE_LIST,
  INV_GROUP_COUNTS,
  INV_PAGEBLOCK_SUMMARY,
  INV_PLANE_CLASS,
  INV_POOL,
  INV_PRESENT_MAP,
  INV_REMAP_COUNT,
  INV_REMAP_MAPS,
  INV_REMAP_TABLE,
  INV_REPR,
  INV_REVERSE_TABLE,
  INV_SECTION_FLAGS,
  INV_TAG,
  INV_UNIFORM_CLASS,
  fail,
} from './errors';
import {
  ENTRY_ADDR,
  ENTRY_BASE_AT,
  ENTRY_BASE_MASK,
  ENTRY_BLOCK,
  ENTRY_LINEAR,
  ENTRY_PFN,
  ENTRY_PLANE_MIN,
  ENTRY_WIDE,
  IO_BULK,
  NR_POOLS,
  POOL_BUMP,
  POOL_BUMP_END,
  POOL_FORWARD,
  POOL_FREE_COUNT,
  POOL_FREE_HEAD,
  POOL_LIVE,
  POOL_MIXED,
  POOL_PAGES_AT,
  POOL_PLANE,
  POOL_PLANE1,
  POOL_PLANE2,
  POOL_RECORD_BYTES_AT,
  POOL_PFN_BLOCK,
  POOL_PFN_WIDE_BLOCK,
  POOL_REVERSE,
  REPR_ABSENT,
  REPR_MIXED,
  REPR_UNIFORM,
  SEC_CLASS,
  SEC_FLAGS,
  SEC_MOVED_COUNT,
  SEC_MIXED,
  SEC_NID,
  SEC_TAG,
  SIZE_OF_SECTION,
  PAGEBLOCKS_PER_CHUNK,
  WASM_PAGE_SHIFT,
  chunkCountAddr,
  chunkOfPageblock,
  classMap,
  forwardTable,
  GROUP_SHIFT,
  SECTIONS_PER_GROUP,
  gBasePfn,
  groupSumAddr,
  gIoArea,
  gMapWords,
  gNrPages,
  gNrSections,
  gOwnerMap,
  gPresentMap,
  gScratchMap,
  mapTest,
  mapWord,
  mixedEntry,
  mixedTag,
  pbMapAddr,
  reverseTable,
  secAddr,
  secCount,
  sectionSumAddr,
  secMovedCount,
  secRepr,
  secReverseCount,
  xlateState,
  XLATE_DIRECT,
  XLATE_GONE,
  XLATE_MISS,
  XLATE_REMAPPED,
} from './layout';
import { depthOfMask, planeAddr, planeCountAll, planeDepth, planePresence } from './planes';
import { poolAddr } from './pool';
import { FORM_EMPTY, FORM_LINEAR, FORM_NARROW, FORM_WIDE, blockValue, entryBase, formOf, forwardGet, isNear, pfnBlockBase, reverseGet, gGoneSections } from './translate';
import { buddyLive, buddyLiveBlock, buddyValidate } from './buddy';

/** Section where validate() found the broken invariant (-1 if not section specific). */
export let gInvalidSection: i32 = -1;

// Live records found while walking the sections, per pool.
let gLiveMixed: u32 = 0;
let gLivePlanes1: u32 = 0;
let gLivePlanes2: u32 = 0;
let gLivePlanes3: u32 = 0;
let gLiveForward: u32 = 0;
let gLiveReverse: u32 = 0;
let gLivePfnBlocks: u32 = 0;
let gLiveWidePfnBlocks: u32 = 0;

@inline function legalTag(tag: u32): bool {
  return (tag & ~TAG_BITS) == 0 && (tag & 3) != 3;
}

@inline function ownedBy(addr: usize, pool: u32): bool {
  return addr != 0 && load<u8>(gOwnerMap + (addr >> WASM_PAGE_SHIFT)) == <u8>(pool + 1);
}

function bad(inv: i32, s: i32): i32 {
  gInvalidSection = s;
  return fail(E_INVARIANT, inv);
}

function checkMixed(s: u32, sec: usize): i32 {
  const rec = <usize>load<u32>(sec, SEC_MIXED);
  if (!ownedBy(rec, POOL_MIXED)) return bad(INV_POOL, <i32>s);
  gLiveMixed++;
  const acc = gIoArea + IO_BULK; // u64 x 8 recounts
  const pbMaps = acc + 64; //       u64 x 8 pageblock presence words
  const chunkAcc = acc + 128; //    u64 x 8 recounts of the current chunk
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    store<u64>(acc + (<usize>c << 3), 0);
    store<u64>(pbMaps + (<usize>c << 3), 0);
  }
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    if (!legalTag(mixedTag(rec, k))) return bad(INV_TAG, <i32>s);
    if ((k & (PAGEBLOCKS_PER_CHUNK - 1)) == 0) memory.fill(chunkAcc, 0, NR_PAGE_CLASSES << 3);
    const e = mixedEntry(rec, k);
    let presence: u32;
    if (e < ENTRY_PLANE_MIN) {
      if (e >= NR_PAGE_CLASSES) return bad(INV_UNIFORM_CLASS, <i32>s);
      presence = 1 << e;
      const slot = chunkAcc + (<usize>e << 3);
      store<u64>(slot, load<u64>(slot) + PAGES_PER_PAGEBLOCK);
    } else {
      const depth = planeDepth(e);
      if (depth == 0 || (e & 60) != 0 || !buddyLiveBlock(planeAddr(e), depth - 1)) return bad(INV_POOL, <i32>s);
      if (depth == 3) gLivePlanes3++;
      else if (depth == 2) gLivePlanes2++;
      else gLivePlanes1++;
      presence = planePresence(e);
      if ((presence & (presence - 1)) == 0) return bad(INV_CANONICAL_PAGEBLOCK, <i32>s);
      // Deep enough for its classes (it may be deeper: shrinking is optional).
      if (depthOfMask(presence) > depth) return bad(INV_PLANE_CLASS, <i32>s);
      planeCountAll(e, 0, PAGES_PER_PAGEBLOCK, chunkAcc);
    }
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
      if ((presence >> c) & 1) {
        const slot = pbMaps + (<usize>c << 3);
        store<u64>(slot, load<u64>(slot) | (<u64>1 << <u64>k));
      }
    }
    // A chunk's last pageblock: its counts, then the section's.
    if ((k & (PAGEBLOCKS_PER_CHUNK - 1)) != PAGEBLOCKS_PER_CHUNK - 1) continue;
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
      const n = load<u64>(chunkAcc + (<usize>c << 3));
      if (<u64>load<u16>(chunkCountAddr(rec, c, chunkOfPageblock(k))) != n) return bad(INV_COUNTS, <i32>s);
      const slot = acc + (<usize>c << 3);
      store<u64>(slot, load<u64>(slot) + n);
    }
  }
  let oneClass = false;
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    if (load<u64>(pbMapAddr(rec, c)) != load<u64>(pbMaps + (<usize>c << 3))) return bad(INV_PAGEBLOCK_SUMMARY, <i32>s);
    if (load<u64>(acc + (<usize>c << 3)) != <u64>secCount(sec, c)) return bad(INV_COUNTS, <i32>s);
    if (secCount(sec, c) == PAGES_PER_SECTION) oneClass = true;
  }
  // Canonical: a section of one class and one tag must be UNIFORM.
  if (oneClass) {
    const t = mixedTag(rec, 0);
    let oneTag = true;
    for (let k: u32 = 1; k < PAGEBLOCKS_PER_SECTION; k++) if (mixedTag(rec, k) != t) oneTag = false;
    if (oneTag) return bad(INV_CANONICAL_SECTION, <i32>s);
  }
  return 0;
}

/**
 * The entries of a remap directory of section s: legal bits, owned blocks,
 * and the canonical form (a block is neither EMPTY nor one run, a PFN
 * BLOCK's base is its lowest value rounded down to 2^11, a forward block
 * never holds a page's own pfn). Errors are `inv`.
 */
function checkDirEntries(s: u32, dir: usize, forward: bool, inv: i32): i32 {
  const base = gBasePfn + <u64>s * PAGES_PER_SECTION;
  for (let k: u32 = 0; k < PAGEBLOCKS_PER_SECTION; k++) {
    const e = load<u64>(dir + (<usize>k << 3));
    const pbPfn = base + <u64>k * PAGES_PER_PAGEBLOCK;
    const form = formOf(e, pbPfn, forward);
    if (form == FORM_EMPTY) continue;
    if (form == FORM_LINEAR) {
      if ((e & ~((forward ? 0 : ENTRY_LINEAR) | ENTRY_PFN)) != 0) return bad(inv, <i32>s);
      continue;
    }
    const baseBits = form == FORM_WIDE ? 0 : ENTRY_BASE_MASK << ENTRY_BASE_AT;
    if ((e & ~(ENTRY_BLOCK | ENTRY_WIDE | baseBits | ENTRY_ADDR)) != 0) return bad(inv, <i32>s);
    const block = <usize>(e & ENTRY_ADDR);
    if (!ownedBy(block, form == FORM_WIDE ? POOL_PFN_WIDE_BLOCK : POOL_PFN_BLOCK)) return bad(INV_POOL, <i32>s);
    if (form == FORM_WIDE) gLiveWidePfnBlocks++;
    else gLivePfnBlocks++;
    const first = blockValue(e, 0);
    let n: u32 = 0;
    let low = NONE;
    let linear = first != NONE;
    for (let i: u32 = 0; i < PAGES_PER_PAGEBLOCK; i++) {
      const v = blockValue(e, i);
      if (v == NONE) {
        linear = false;
        continue;
      }
      if (forward && v == pbPfn + i) return bad(inv, <i32>s);
      if (v != first + i) linear = false;
      low = min<u64>(low, v);
      n++;
    }
    if (n == 0 || linear) return bad(inv, <i32>s);
    if (form == FORM_NARROW && entryBase(e) != pfnBlockBase(low)) return bad(inv, <i32>s);
  }
  return 0;
}

function checkRemap(s: u32, sec: usize): i32 {
  const flags = <u32>load<u8>(sec, SEC_FLAGS);
  const table = forwardTable(s);
  const remapped = (flags & SECTION_REMAPPED) != 0;
  const state = !remapped ? XLATE_DIRECT : mapTest(gPresentMap, s) ? XLATE_REMAPPED : XLATE_GONE;
  if (remapped != (table != 0) || xlateState(s) != state) {
    return bad(INV_REMAP_MAPS, <i32>s);
  }
  const base = <u64>s * PAGES_PER_SECTION;
  if (table == 0) {
    if (secMovedCount(sec) != 0) return bad(INV_REMAP_COUNT, <i32>s);
  } else {
    if (!ownedBy(table, POOL_FORWARD)) return bad(INV_POOL, <i32>s);
    gLiveForward++;
    const r = checkDirEntries(s, table, true, INV_REMAP_TABLE);
    if (r != 0) return r;
    let moved: u32 = 0;
    for (let i: u32 = 0; i < PAGES_PER_SECTION; i++) {
      const x = base + i;
      const t = forwardGet(table, x);
      if (t == gBasePfn + x) continue;
      moved++;
      if (isNear(t)) {
        // A page moved in the window: its frame is present and points back.
        const tOff = t - gBasePfn;
        if (!mapTest(gPresentMap, <u32>(tOff / PAGES_PER_SECTION))) return bad(INV_REMAP_TABLE, <i32>s);
        if (reverseGet(tOff) != gBasePfn + x) return bad(INV_REMAP_TABLE, <i32>s);
      } else if (t >= MAX_PHYS_PFN) {
        return bad(INV_REMAP_TABLE, <i32>s);
      }
    }
    if (moved != secMovedCount(sec)) return bad(INV_REMAP_COUNT, <i32>s);
  }
  const rdir = reverseTable(s);
  const held = secReverseCount(sec);
  if (rdir == 0) return held == 0 ? 0 : bad(INV_REVERSE_TABLE, <i32>s);
  if (!ownedBy(rdir, POOL_REVERSE)) return bad(INV_POOL, <i32>s);
  gLiveReverse++;
  const r = checkDirEntries(s, rdir, false, INV_REVERSE_TABLE);
  if (r != 0) return r;
  let n: u32 = 0;
  for (let i: u32 = 0; i < PAGES_PER_SECTION; i++) {
    const x = reverseGet(base + i);
    if (x == NONE) continue;
    n++;
    if (isNear(x)) {
      // The page this frame holds is relocated here.
      const xOff = x - gBasePfn;
      const ftable = forwardTable(<u32>(xOff / PAGES_PER_SECTION));
      if (ftable == 0 || forwardGet(ftable, xOff) != gBasePfn + base + i) return bad(INV_REVERSE_TABLE, <i32>s);
    } else if (x >= MAX_PHYS_PFN) {
      return bad(INV_REVERSE_TABLE, <i32>s);
    }
  }
  if (n != held || n == 0) return bad(INV_REVERSE_TABLE, <i32>s);
  return 0;
}

function checkSection(s: u32): i32 {
  const sec = secAddr(s);
  const repr = secRepr(sec);
  const flags = <u32>load<u8>(sec, SEC_FLAGS);
  if (repr == REPR_ABSENT) {
    // A removed section keeps only the forward entries of pages that moved
    // to frames that survive: its REMAPPED flag, its moved count, its directory.
    const gone = forwardTable(s) != 0;
    for (let i: u32 = 0; i < SIZE_OF_SECTION; i++) {
      if (gone && (i == SEC_FLAGS || i == SEC_MOVED_COUNT || i == SEC_MOVED_COUNT + 1)) continue;
      if (load<u8>(sec + i) != 0) return bad(INV_ABSENT_SECTION, <i32>s);
    }
    if (mapTest(gPresentMap, s) || xlateState(s) != (gone ? XLATE_GONE : XLATE_MISS)) return bad(INV_PRESENT_MAP, <i32>s);
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) if (mapTest(classMap(c), s)) return bad(INV_CLASS_SUMMARY, <i32>s);
    if (reverseTable(s) != 0) return bad(INV_ABSENT_SECTION, <i32>s);
    if (!gone) return 0;
    if (flags != SECTION_REMAPPED || secMovedCount(sec) == 0) return bad(INV_ABSENT_SECTION, <i32>s);
    return checkRemap(s, sec);
  }
  if (repr != REPR_UNIFORM && repr != REPR_MIXED) return bad(INV_REPR, <i32>s);
  if ((flags & SECTION_PRESENT) == 0 || (flags & ~(SECTION_PRESENT | SECTION_FLAGS_SETTABLE | SECTION_REMAPPED)) != 0) {
    return bad(INV_SECTION_FLAGS, <i32>s);
  }
  if (<u32>load<u16>(sec, SEC_NID) > MAX_NID) return bad(INV_SECTION_FLAGS, <i32>s);
  if (!mapTest(gPresentMap, s)) return bad(INV_PRESENT_MAP, <i32>s);
  if (repr == REPR_UNIFORM) {
    const cls = <u32>load<u8>(sec, SEC_CLASS);
    if (cls >= NR_PAGE_CLASSES) return bad(INV_UNIFORM_CLASS, <i32>s);
    if (!legalTag(<u32>load<u8>(sec, SEC_TAG))) return bad(INV_TAG, <i32>s);
    if (load<u32>(sec, SEC_MIXED) != 0) return bad(INV_REPR, <i32>s);
    for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
      if (secCount(sec, c) != (c == cls ? PAGES_PER_SECTION : 0)) return bad(INV_COUNTS, <i32>s);
    }
  } else {
    const r = checkMixed(s, sec);
    if (r != 0) return r;
  }
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    if (mapTest(classMap(c), s) != (secCount(sec, c) != 0)) return bad(INV_CLASS_SUMMARY, <i32>s);
  }
  return checkRemap(s, sec);
}

/** Bits past the last section must stay clear in every section bitmap. */
function checkMapTails(): i32 {
  if (xlateState(gNrSections) != XLATE_MISS) return bad(INV_REMAP_MAPS, -1);
  const tailBits = gNrSections & 63;
  if (tailBits == 0) return 0;
  const last = gMapWords - 1;
  const beyond = <u64>-1 << <u64>tailBits;
  if ((mapWord(gPresentMap, last) & beyond) != 0) return bad(INV_PRESENT_MAP, -1);
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) if ((mapWord(classMap(c), last) & beyond) != 0) return bad(INV_CLASS_SUMMARY, -1);
  return 0;
}

function checkPools(): i32 {
  for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
    const p = poolAddr(pool);
    const recordBytes = load<u32>(p, POOL_RECORD_BYTES_AT);
    const live = load<u32>(p, POOL_LIVE);
    let expect: u32 = 0;
    if (pool == POOL_MIXED) expect = gLiveMixed;
    else if (pool == POOL_PLANE) expect = gLivePlanes3;
    else if (pool == POOL_PLANE2) expect = gLivePlanes2;
    else if (pool == POOL_PLANE1) expect = gLivePlanes1;
    else if (pool == POOL_FORWARD) expect = gLiveForward;
    else if (pool == POOL_PFN_BLOCK) expect = gLivePfnBlocks;
    else if (pool == POOL_PFN_WIDE_BLOCK) expect = gLiveWidePfnBlocks;
    else expect = gLiveReverse;
    if (live != expect) return bad(INV_POOL, -1);
    if (pool == POOL_PLANE || pool == POOL_PLANE1 || pool == POOL_PLANE2) continue; // checked by buddyValidate
    // The free list: owned records, no cycle, the recorded length.
    const freeCount = load<u32>(p, POOL_FREE_COUNT);
    let n: u32 = 0;
    let rec = <usize>load<u32>(p, POOL_FREE_HEAD);
    while (rec != 0) {
      if (!ownedBy(rec, pool) || n > freeCount) return bad(INV_FREE_LIST, -1);
      n++;
      rec = <usize>load<u32>(rec);
    }
    if (n != freeCount) return bad(INV_FREE_LIST, -1);
    // Everything handed out fits in what the pool grew.
    const bumpLeft = <u64>(load<u32>(p, POOL_BUMP_END) - load<u32>(p, POOL_BUMP));
    const capacity = <u64>load<u32>(p, POOL_PAGES_AT) << WASM_PAGE_SHIFT;
    if ((<u64>live + <u64>freeCount) * <u64>recordBytes + bumpLeft > capacity) return bad(INV_POOL, -1);
  }
  if (!buddyValidate()) return bad(INV_FREE_LIST, -1);
  if (buddyLive(0) != gLivePlanes1 || buddyLive(1) != gLivePlanes2 || buddyLive(2) != gLivePlanes3) return bad(INV_POOL, -1);
  return 0;
}

/**
 * The count sums are the Fenwick trees of the section counts (layout.ts,
 * COUNT SUMS): each stored (even) in-group node sums its sections (phantom
 * sections past the window count nothing), each group node its groups.
 * Recomputed class by class from running prefix sums in the I/O area: u32 x
 * 65 for a group's sections, then u64 x (G + 1) for the groups.
 */
function checkCountSums(): i32 {
  const sectionPrefix = gIoArea + IO_BULK;
  const groupPrefix = sectionPrefix + ((<usize>SECTIONS_PER_GROUP + 2) << 2); // past the u32 x 65, 8-aligned
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    store<u64>(groupPrefix, 0);
    for (let g: u32 = 0; g < gMapWords; g++) {
      const first = g << GROUP_SHIFT;
      store<u32>(sectionPrefix, 0);
      for (let node: u32 = 1; node <= SECTIONS_PER_GROUP; node++) {
        const s = first + node - 1;
        const n = s < gNrSections ? secCount(secAddr(s), c) : 0;
        store<u32>(sectionPrefix + (<usize>node << 2), load<u32>(sectionPrefix + (<usize>(node - 1) << 2)) + n);
        if ((node & 1) != 0) continue; // an odd node is the section's own count
        const want = load<u32>(sectionPrefix + (<usize>node << 2)) - load<u32>(sectionPrefix + (<usize>(node - (node & (0 - node))) << 2));
        if (load<u32>(sectionSumAddr(g, node, c)) != want) return bad(INV_GROUP_COUNTS, <i32>min<u32>(s, gNrSections - 1));
      }
      const total = <u64>load<u32>(sectionPrefix + (<usize>SECTIONS_PER_GROUP << 2));
      store<u64>(groupPrefix + (<usize>(g + 1) << 3), load<u64>(groupPrefix + (<usize>g << 3)) + total);
    }
    for (let i: u32 = 1; i <= gMapWords; i++) {
      const want = load<u64>(groupPrefix + (<usize>i << 3)) - load<u64>(groupPrefix + (<usize>(i - (i & (0 - i))) << 3));
      if (load<u64>(groupSumAddr(i - 1, c)) != want) return bad(INV_GROUP_COUNTS, <i32>((i - 1) << GROUP_SHIFT));
    }
  }
  return 0;
}

export function validateAll(): i32 {
  gInvalidSection = -1;
  gLiveMixed = 0;
  gLivePlanes1 = 0;
  gLivePlanes2 = 0;
  gLivePlanes3 = 0;
  gLiveForward = 0;
  gLiveReverse = 0;
  gLivePfnBlocks = 0;
  gLiveWidePfnBlocks = 0;
  let gone: u32 = 0;
  for (let s: u32 = 0; s < gNrSections; s++) {
    const r = checkSection(s);
    if (r != 0) return r;
    if (xlateState(s) == XLATE_GONE) gone++;
  }
  // The batch kernel tests for removed sections only while this count says there are some.
  if (gone != gGoneSections) return bad(INV_REMAP_MAPS, -1);
  let r = checkMapTails();
  if (r != 0) return r;
  r = checkCountSums();
  if (r != 0) return r;
  for (let wi: u32 = 0; wi < gMapWords; wi++) {
    if (mapWord(gScratchMap, wi) != 0) return bad(INV_POOL, -1);
  }
  return checkPools();
}
