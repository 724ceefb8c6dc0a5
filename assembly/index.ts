// The engine's ABI: flat exports over f64 / i32 / usize.
//
// Conventions:
// - pfns, counts and masks arrive as f64 and are checked here (see args.ts);
// - calls that only succeed or fail return an i32 status (0 or a negative
//   E_* code); calls that return a number return an f64, NaN on failure with
//   the code in lastStatus();
// - a refusal names the offending parameter by position (lastErrorArg());
// - bulk results go to the I/O area (ioArea()) at the offsets of layout.ts.
//
// Every call checks everything and reserves pool records before it changes
// anything, so a refused call leaves the shard exactly as it was.

import {
  checkClass,
  checkMask,
  checkRange,
  checkRelocationArgs,
  checkSpan,
  gEndOff,
  gStartOff,
  isCount,
  isFarRange,
  isIntIn,
  isWindowSpan,
} from './args';
import { claimPages, gClaimEnd } from './claim';
import * as C from './constants';
import {
  ALL_CLASSES,
  CLAIM_LOWEST,
  CLAIM_RANDOM_PAGEBLOCK,
  MAX_NID,
  MAX_READ_CLASSES_PAGES,
  MAX_WINDOW_PAGES,
  NONE,
  NO_CLASS,
  NO_TAG,
  NO_ZONE,
  NR_PAGE_CLASSES,
  PAGEBLOCK_ISOLATE,
  PAGEBLOCK_ORDER,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PFN_SECTION_SHIFT,
  SECTION_FLAGS_SETTABLE,
  SECTION_PAGE_MASK,
  TAG_BITS,
} from './constants';
import {
  E_ALIGN,
  E_ARG,
  E_CLASS,
  E_FULL,
  E_INVARIANT,
  E_NOSPC,
  E_ORDER,
  E_NOT_PRESENT,
  E_EXISTS,
  E_RANGE,
  OK,
  clearError,
  fail,
  gErrorArg,
} from './errors';
import {
  forwardTable,
  IO_BULK,
  IO_COUNTS,
  IO_REMAP_SECTIONS,
  IO_RETAG_GOOD,
  IO_SCAN_MOVABLE,
  IO_SCAN_NEXT,
  IO_SCAN_RUNS,
  IO_SCAN_UNMOVABLE,
  IO_XLATE_FAST,
  IO_XLATE_MISS,
  IO_XLATE_SLOW,
  NR_POOLS,
  POOL_FORWARD,
  POOL_LIVE,
  POOL_MIXED,
  POOL_PLANE,
  POOL_PLANE1,
  POOL_PLANE2,
  PLANE_BYTES,
  POOL_PFN_BLOCK,
  POOL_PFN_WIDE_BLOCK,
  POOL_REVERSE,
  OWNER_TRANSLATE,
  SIZE_OF_FORWARD_DIR,
  SIZE_OF_MIXED,
  SIZE_OF_PFN_BLOCK,
  SIZE_OF_PFN_WIDE_BLOCK,
  SIZE_OF_REVERSE_DIR,
  SIZE_OF_RUN,
  SIZE_OF_TRANSLATION,
  WASM_PAGE_SHIFT,
  gBasePfn,
  gIoArea,
  gNrPages,
  gNrSections,
  gOwnerMap,
  gStaticEnd,
  isPresent,
  placeStatic,
  pageblockInSection,
  secAddr,
  sectionOf,
  sectionOfPageblock,
  sectionPartHi,
  sectionPartLo,
  setWindow,
} from './layout';
import { growPages, needAdd, needReset, poolAddr, poolBytes, poolSetup, reserveNeeds } from './pool';
import {
  countPageblocksRange,
  countRange,
  countRangeMask,
  countTaggedRange,
  findNextOff,
  gRetagBlocks,
  gRetagGoodPages,
  planRecolor,
  planRetag,
  rangePresent,
  recolorRange,
  retagQualifying,
  retagRange,
} from './range';
import { scanRange } from './scan';
import { addSectionRange, removeSectionRange, sectionWord, setFlagsRange, setNodeRange, setZoneRange } from './sections';
import { pageblockClasses, pageblockTag, readSectionClasses } from './state';
import {
  clearRemapNeeds,
  clearRemapSection,
  countRemappedRange,
  gRemappedSections,
  physToVirtBatch,
  forgetFarPages,
  resetGoneSections,
  remapInPages,
  remapOutPages,
  remapPages,
  removalNeeds,
  virtToPhysBatch,
  setPageOffset,
  streamBatch,
} from './translate';
import {
  FORWARD_POOL_CHUNK_PAGES,
  IO_AREA_BYTES,
  MAX_MEMORY_PAGES,
  MIXED_POOL_CHUNK_PAGES,
  PFN_BLOCK_POOL_CHUNK_PAGES,
  PFN_WIDE_BLOCK_POOL_CHUNK_PAGES,
  REVERSE_POOL_CHUNK_PAGES,
} from './tuning';
import { gInvalidSection, validateAll } from './validate';
import { buddyReset } from './buddy';

let gReady = false;
let gLastStatus: i32 = 0;
let gTranslateBuffer: usize = 0;
let gTranslateCapacity: u32 = 0;
/** The zero-copy classes buffer (one byte per page) and runs buffer (SIZE_OF_RUN per run). */
let gClassesBuffer: usize = 0;
let gClassesCapacity: u32 = 0;
let gRunsBuffer: usize = 0;
let gRunsCapacity: u32 = 0;

/** Bytes of the I/O area available to bulk results. */
const IO_BULK_BYTES: u32 = IO_AREA_BYTES - IO_BULK;

@inline function failNumber(status: i32): f64 {
  gLastStatus = status;
  return NaN;
}

// ---- ABI plumbing -------------------------------------------------------------------

export function lastErrorArg(): i32 {
  return gErrorArg;
}
export function lastStatus(): i32 {
  return gLastStatus;
}
export function ioArea(): usize {
  return gIoArea;
}
export function ioBulkOffset(): u32 {
  return IO_BULK;
}
export function ioBulkBytes(): u32 {
  return IO_BULK_BYTES;
}
export function invalidSection(): i32 {
  return gInvalidSection;
}

/**
 * The engine's copy of the shared constants, as f64 in the I/O bulk area in
 * a fixed order (see ABI_CONSTANT_NAMES in src/engine/abi.ts), followed by
 * PAGE_OFFSET and BAD_ADDRESS as u64. Returns how many f64 were written.
 */
export function abiConstants(): i32 {
  const at = gIoArea + IO_BULK;
  let i: usize = 0;
  store<f64>(at + (i++ << 3), <f64>C.PAGE_SHIFT);
  store<f64>(at + (i++ << 3), <f64>C.PAGEBLOCK_ORDER);
  store<f64>(at + (i++ << 3), <f64>C.PAGES_PER_PAGEBLOCK);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_SIZE_BITS);
  store<f64>(at + (i++ << 3), <f64>C.PFN_SECTION_SHIFT);
  store<f64>(at + (i++ << 3), <f64>C.PAGES_PER_SECTION);
  store<f64>(at + (i++ << 3), <f64>C.PAGEBLOCKS_PER_SECTION);
  store<f64>(at + (i++ << 3), <f64>C.MAX_ORDER_NR_PAGES);
  store<f64>(at + (i++ << 3), <f64>C.MAX_WINDOW_PAGES);
  store<f64>(at + (i++ << 3), <f64>C.MAX_PHYS_PFN);
  store<f64>(at + (i++ << 3), <f64>C.MAX_TRANSLATE_BATCH);
  store<f64>(at + (i++ << 3), <f64>C.MAX_READ_CLASSES_PAGES);
  store<f64>(at + (i++ << 3), <f64>C.MAX_SCAN_RUNS);
  store<f64>(at + (i++ << 3), <f64>C.NR_PAGE_CLASSES);
  store<f64>(at + (i++ << 3), <f64>C.NO_CLASS);
  store<f64>(at + (i++ << 3), <f64>C.ALL_CLASSES);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_FREE);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_USER);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_SLAB);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_PGTABLE);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_PINNED);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_RESERVED);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_VMEMMAP);
  store<f64>(at + (i++ << 3), <f64>C.CLASS_SLAB_RECLAIMABLE);
  store<f64>(at + (i++ << 3), <f64>C.MIGRATE_UNMOVABLE);
  store<f64>(at + (i++ << 3), <f64>C.MIGRATE_MOVABLE);
  store<f64>(at + (i++ << 3), <f64>C.MIGRATE_RECLAIMABLE);
  store<f64>(at + (i++ << 3), <f64>C.MIGRATETYPE_MASK);
  store<f64>(at + (i++ << 3), <f64>C.PAGEBLOCK_ISOLATE);
  store<f64>(at + (i++ << 3), <f64>C.NO_TAG);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_PRESENT);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_ONLINE);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_EARLY);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_MEMMAP_ON_MEMORY);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_REMAPPED);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_FLAGS_SETTABLE);
  store<f64>(at + (i++ << 3), <f64>C.NO_ZONE);
  store<f64>(at + (i++ << 3), <f64>C.MAX_NID);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_WORD_ZONE_SHIFT);
  store<f64>(at + (i++ << 3), <f64>C.SECTION_WORD_NID_SHIFT);
  store<f64>(at + (i++ << 3), <f64>C.CLAIM_LOWEST);
  store<f64>(at + (i++ << 3), <f64>C.CLAIM_RANDOM_PAGEBLOCK);
  store<f64>(at + (i++ << 3), <f64>C.SCAN_DONE);
  store<f64>(at + (i++ << 3), <f64>C.SCAN_MORE);
  store<f64>(at + (i++ << 3), <f64>C.SCAN_UNMOVABLE);
  store<f64>(at + (i++ << 3), <f64>OK);
  store<f64>(at + (i++ << 3), <f64>E_RANGE);
  store<f64>(at + (i++ << 3), <f64>E_ORDER);
  store<f64>(at + (i++ << 3), <f64>E_CLASS);
  store<f64>(at + (i++ << 3), <f64>E_FULL);
  store<f64>(at + (i++ << 3), <f64>E_ALIGN);
  store<f64>(at + (i++ << 3), <f64>E_NOT_PRESENT);
  store<f64>(at + (i++ << 3), <f64>E_EXISTS);
  store<f64>(at + (i++ << 3), <f64>E_NOSPC);
  store<f64>(at + (i++ << 3), <f64>E_ARG);
  store<f64>(at + (i++ << 3), <f64>E_INVARIANT);
  store<u64>(at + (i++ << 3), C.PAGE_OFFSET);
  store<u64>(at + (i++ << 3), C.BAD_ADDRESS);
  return <i32>i;
}

/**
 * The engine's copy of what src/engine/abi.ts mirrors from layout.ts (pool
 * ids, I/O-area offsets, record sizes), as f64 in the I/O bulk area in a
 * fixed order (see ABI_OFFSET_NAMES there). Returns how many f64 were written.
 */
export function abiOffsets(): i32 {
  const at = gIoArea + IO_BULK;
  let i: usize = 0;
  store<f64>(at + (i++ << 3), <f64>POOL_MIXED);
  store<f64>(at + (i++ << 3), <f64>POOL_PLANE);
  store<f64>(at + (i++ << 3), <f64>POOL_FORWARD);
  store<f64>(at + (i++ << 3), <f64>POOL_REVERSE);
  store<f64>(at + (i++ << 3), <f64>POOL_PLANE1);
  store<f64>(at + (i++ << 3), <f64>POOL_PLANE2);
  store<f64>(at + (i++ << 3), <f64>POOL_PFN_BLOCK);
  store<f64>(at + (i++ << 3), <f64>POOL_PFN_WIDE_BLOCK);
  store<f64>(at + (i++ << 3), <f64>IO_COUNTS);
  store<f64>(at + (i++ << 3), <f64>IO_SCAN_NEXT);
  store<f64>(at + (i++ << 3), <f64>IO_SCAN_UNMOVABLE);
  store<f64>(at + (i++ << 3), <f64>IO_SCAN_MOVABLE);
  store<f64>(at + (i++ << 3), <f64>IO_SCAN_RUNS);
  store<f64>(at + (i++ << 3), <f64>IO_XLATE_FAST);
  store<f64>(at + (i++ << 3), <f64>IO_XLATE_SLOW);
  store<f64>(at + (i++ << 3), <f64>IO_XLATE_MISS);
  store<f64>(at + (i++ << 3), <f64>IO_RETAG_GOOD);
  store<f64>(at + (i++ << 3), <f64>IO_REMAP_SECTIONS);
  store<f64>(at + (i++ << 3), <f64>IO_BULK);
  store<f64>(at + (i++ << 3), <f64>sizeof<f64>());
  store<f64>(at + (i++ << 3), <f64>sizeof<u64>());
  store<f64>(at + (i++ << 3), <f64>sizeof<u32>());
  store<f64>(at + (i++ << 3), <f64>SIZE_OF_RUN);
  return <i32>i;
}

// ---- set-up -------------------------------------------------------------------------------

/** init(basePfn, nrPages, maxBytes): lays out the shard. Once per instance. */
export function init(basePfn: f64, nrPages: f64, maxBytes: f64, pageOffsetHi: f64, pageOffsetLo: f64): i32 {
  clearError();
  if (gReady) return fail(E_EXISTS, -1);
  if (!isCount(basePfn)) return fail(E_ARG, 0);
  if (!isCount(nrPages)) return fail(E_ARG, 1);
  const base = <u64>basePfn;
  const pages = <u64>nrPages;
  if ((base & SECTION_PAGE_MASK) != 0) return fail(E_ALIGN, 0);
  if ((pages & SECTION_PAGE_MASK) != 0) return fail(E_ALIGN, 1);
  if (pages == 0 || pages > MAX_WINDOW_PAGES) return fail(E_RANGE, 1);
  // The window end must stay an exact f64 integer (a safe integer).
  if (<f64>(base + pages) >= C.MAX_PFN_EXCLUSIVE) return fail(E_RANGE, 0);
  if (!(maxBytes > 0) || floor<f64>(maxBytes) != maxBytes) return fail(E_ARG, 2);
  // The direct-map base, as two u32 halves (f64 holds no u64): page aligned,
  // in the kernel half (bit 63 set), as the kernels' signed compares assume.
  if (!isIntIn(pageOffsetHi, 0xffffffff) || pageOffsetHi < 2147483648 || !isIntIn(pageOffsetLo, 0xffffffff) || (<u32>pageOffsetLo & (C.PAGE_SIZE - 1)) != 0) {
    return fail(E_ARG, 3);
  }
  const maxPages = <u32>min<f64>(floor<f64>(maxBytes / 65536), <f64>MAX_MEMORY_PAGES);
  setWindow(base, pages, maxPages);
  setPageOffset((<u64>(<u32>pageOffsetHi) << 32) | <u64>(<u32>pageOffsetLo));
  const end = placeStatic(__heap_base);
  const needPages = <u32>((end + 0xffff) >> WASM_PAGE_SHIFT);
  const have = <u32>memory.size();
  if (needPages > maxPages) return fail(E_FULL, 2);
  if (needPages > have && growPages(needPages - have) == 0) return fail(E_FULL, 2);
  // Fresh pages are zero: every section is ABSENT, every map empty.
  memory.fill(gOwnerMap, 0, maxPages);
  poolSetup(POOL_MIXED, SIZE_OF_MIXED, MIXED_POOL_CHUNK_PAGES);
  // The plane pools are the orders of one buddy allocator (block sizes here).
  poolSetup(POOL_PLANE1, PLANE_BYTES, 1);
  poolSetup(POOL_PLANE2, 2 * PLANE_BYTES, 1);
  poolSetup(POOL_PLANE, 4 * PLANE_BYTES, 1);
  buddyReset();
  resetGoneSections();
  poolSetup(POOL_FORWARD, SIZE_OF_FORWARD_DIR, FORWARD_POOL_CHUNK_PAGES);
  poolSetup(POOL_REVERSE, SIZE_OF_REVERSE_DIR, REVERSE_POOL_CHUNK_PAGES);
  poolSetup(POOL_PFN_BLOCK, SIZE_OF_PFN_BLOCK, PFN_BLOCK_POOL_CHUNK_PAGES);
  poolSetup(POOL_PFN_WIDE_BLOCK, SIZE_OF_PFN_WIDE_BLOCK, PFN_WIDE_BLOCK_POOL_CHUNK_PAGES);
  gReady = true;
  return OK;
}

/** Bytes of linear memory the shard's state uses: static part plus pool high-water marks. */
export function bytesUsed(): f64 {
  return <f64>gStaticEnd + <f64>poolBytes();
}

// ---- sections -----------------------------------------------------------------------------

/** Checks a section-aligned range; on success the window sections are [sA, sB] of gStartOff/gEndOff. */
function checkAligned(startPfn: f64, endPfn: f64): i32 {
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  if ((gStartOff & SECTION_PAGE_MASK) != 0) return fail(E_ALIGN, 0);
  if ((gEndOff & SECTION_PAGE_MASK) != 0) return fail(E_ALIGN, 1);
  return OK;
}

/** Every section intersecting [gStartOff, gEndOff) present? (true for an empty range) */
function allPresent(): bool {
  if (gStartOff >= gEndOff) return true;
  return rangePresent(gStartOff, gEndOff);
}

export function addSections(startPfn: f64, endPfn: f64, nid: f64, cls: f64, mt: f64, flags: f64): i32 {
  clearError();
  let r = checkAligned(startPfn, endPfn);
  if (r != OK) return r;
  if (!isIntIn(nid, MAX_NID)) return fail(E_ARG, 2);
  r = checkClass(cls, 3);
  if (r != OK) return r;
  if (!isIntIn(mt, C.NR_MIGRATETYPES - 1)) return fail(E_ARG, 4);
  if (!isIntIn(flags, 0xff) || (<u32>flags & ~SECTION_FLAGS_SETTABLE) != 0) return fail(E_ARG, 5);
  if (gStartOff == gEndOff) return OK;
  const sA = sectionOf(gStartOff);
  const sB = sectionOf(gEndOff - 1);
  // A removed section whose direct-map range still reaches relocated pages
  // cannot come back under them (clearRemap releases it).
  for (let s = sA; s <= sB; s++) if (isPresent(s) || forwardTable(s) != 0) return fail(E_EXISTS, 0);
  addSectionRange(sA, sB, <u32>nid, <u32>cls, <u32>mt, <u32>flags);
  return OK;
}

export function removeSections(startPfn: f64, endPfn: f64): i32 {
  clearError();
  const r = checkAligned(startPfn, endPfn);
  if (r != OK) return r;
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  const sA = sectionOf(gStartOff);
  const sB = sectionOf(gEndOff - 1);
  // Pages elsewhere that were relocated into these sections go back to identity,
  // which may split LINEAR forward entries.
  needReset();
  removalNeeds(sA, sB);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  removeSectionRange(sA, sB);
  return OK;
}

/** Shared head of the per-section attribute setters: range, then presence. */
function checkSectionsRange(startPfn: f64, endPfn: f64): i32 {
  return checkRange(startPfn, endPfn, 0, 1);
}

export function setSectionFlags(startPfn: f64, endPfn: f64, setMask: f64, clearMask: f64): i32 {
  clearError();
  const r = checkSectionsRange(startPfn, endPfn);
  if (r != OK) return r;
  if (!isIntIn(setMask, 0xff) || (<u32>setMask & ~SECTION_FLAGS_SETTABLE) != 0) return fail(E_ARG, 2);
  if (!isIntIn(clearMask, 0xff) || (<u32>clearMask & ~SECTION_FLAGS_SETTABLE) != 0) return fail(E_ARG, 3);
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  setFlagsRange(sectionOf(gStartOff), sectionOf(gEndOff - 1), <u32>setMask, <u32>clearMask);
  return OK;
}

export function setSectionNode(startPfn: f64, endPfn: f64, nid: f64): i32 {
  clearError();
  const r = checkSectionsRange(startPfn, endPfn);
  if (r != OK) return r;
  if (!isIntIn(nid, MAX_NID)) return fail(E_ARG, 2);
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  setNodeRange(sectionOf(gStartOff), sectionOf(gEndOff - 1), <u32>nid);
  return OK;
}

export function setSectionZone(startPfn: f64, endPfn: f64, zone: f64): i32 {
  clearError();
  const r = checkSectionsRange(startPfn, endPfn);
  if (r != OK) return r;
  if (!isIntIn(zone, NO_ZONE)) return fail(E_ARG, 2);
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  setZoneRange(sectionOf(gStartOff), sectionOf(gEndOff - 1), <u32>zone);
  return OK;
}

/**
 * readSections(startSectionNr, count) for the chunk [chunkFirst, chunkFirst +
 * chunkLen) of the request: u32 words to the bulk area. The sections must lie
 * in the window (start may equal its end for an empty read).
 */
export function readSections(startSectionNr: f64, count: f64, chunkFirst: u32, chunkLen: u32): i32 {
  clearError();
  if (!isCount(startSectionNr)) return fail(E_ARG, 0);
  if (!isCount(count)) return fail(E_ARG, 1);
  const baseSection = gBasePfn >> PFN_SECTION_SHIFT;
  const endSection = baseSection + gNrSections;
  if (startSectionNr < <f64>baseSection || startSectionNr > <f64>endSection) return fail(E_RANGE, 0);
  if (startSectionNr + count > <f64>endSection) return fail(E_RANGE, 1);
  const first = <u64>startSectionNr + chunkFirst;
  const out = gIoArea + IO_BULK;
  for (let i: u32 = 0; i < chunkLen; i++) {
    const nr = first + i;
    store<u32>(out + (<usize>i << 2), sectionWord(<u32>(nr - baseSection)));
  }
  return OK;
}

// ---- page state -----------------------------------------------------------------------------

export function setClass(startPfn: f64, endPfn: f64, cls: f64): i32 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  r = checkClass(cls, 2);
  if (r != OK) return r;
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  planRecolor(gStartOff, gEndOff, ALL_CLASSES, <u32>cls);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  recolorRange(gStartOff, gEndOff, ALL_CLASSES, <u32>cls);
  return OK;
}

/** Per-class counts of the range as f64 x 8 at IO_COUNTS. */
export function countClasses(startPfn: f64, endPfn: f64): i32 {
  clearError();
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  const acc = gIoArea + IO_COUNTS;
  memory.fill(acc, 0, NR_PAGE_CLASSES << 3);
  countRange(gStartOff, gEndOff, ALL_CLASSES, acc);
  for (let c: u32 = 0; c < NR_PAGE_CLASSES; c++) {
    const slot = acc + (<usize>c << 3);
    store<f64>(slot, <f64>load<u64>(slot));
  }
  return OK;
}

/** Pages of [gStartOff, gEndOff) whose class is in `mask` (whole sections from the count sums). */
function countCheckedRange(mask: u32): f64 {
  return <f64>countRangeMask(gStartOff, gEndOff, mask);
}

export function count(startPfn: f64, endPfn: f64, mask: f64): f64 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK) r = checkMask(mask, ALL_CLASSES, 2);
  if (r != OK) return failNumber(r);
  return countCheckedRange(<u32>mask);
}

/** countTagged(startPfn, endPfn, mask, tagMask, tagValue): pages of `mask` classes in the pageblocks whose tag matches. */
export function countTagged(startPfn: f64, endPfn: f64, mask: f64, tagMask: f64, tagValue: f64): f64 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK) r = checkMask(mask, ALL_CLASSES, 2);
  if (r == OK) r = checkMask(tagMask, TAG_BITS, 3);
  if (r == OK) r = checkMask(tagValue, TAG_BITS, 4);
  if (r != OK) return failNumber(r);
  // No filter: every pageblock matches, and the class counts answer.
  if (tagMask == 0 && tagValue == 0) return countCheckedRange(<u32>mask);
  return <f64>countTaggedRange(gStartOff, gEndOff, <u32>mask, <u32>tagMask, <u32>tagValue);
}

export function findNext(startPfn: f64, endPfn: f64, mask: f64): f64 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK) r = checkMask(mask, ALL_CLASSES, 2);
  if (r != OK) return failNumber(r);
  const off = findNextOff(gStartOff, gEndOff, <u32>mask, false);
  return off == NONE ? -1 : <f64>(gBasePfn + off);
}

/** readClasses(startPfn, nrPages): the chunk [chunkFirst, chunkFirst + chunkLen) as u8 to the bulk area. */
export function readClasses(startPfn: f64, nrPages: f64, chunkFirst: u32, chunkLen: u32): i32 {
  const r = checkReadClasses(startPfn, nrPages, <f64>MAX_READ_CLASSES_PAGES);
  if (r != OK) return r;
  readClassesTo(gStartOff + chunkFirst, gStartOff + chunkFirst + chunkLen, gIoArea + IO_BULK);
  return OK;
}

/** readClasses into the zero-copy classes buffer, all of [startPfn, + nrPages) at once (nrPages up to its capacity). */
export function readClassesBuffer(startPfn: f64, nrPages: f64): i32 {
  const r = checkReadClasses(startPfn, nrPages, <f64>gClassesCapacity);
  if (r != OK) return r;
  readClassesTo(gStartOff, gEndOff, gClassesBuffer);
  return OK;
}

/** readClasses' checks, nrPages at most `limit`; sets gStartOff / gEndOff. */
function checkReadClasses(startPfn: f64, nrPages: f64, limit: f64): i32 {
  clearError();
  if (!isCount(startPfn)) return fail(E_ARG, 0);
  if (!isCount(nrPages) || nrPages > limit) return fail(E_ARG, 1);
  if (startPfn > <f64>(gBasePfn + gNrPages)) return fail(E_RANGE, 0);
  return checkSpan(startPfn, nrPages, 0, 1);
}

/** The class of each page of window offsets [off, end) to `out`, a byte each (NO_CLASS where absent). */
function readClassesTo(startOff: u64, endOff: u64, out: usize): void {
  let off = startOff;
  while (off < endOff) {
    const s = sectionOf(off);
    const lo = sectionPartLo(s, off);
    const hi = sectionPartHi(s, endOff);
    if (isPresent(s)) readSectionClasses(secAddr(s), lo, hi, out);
    else memory.fill(out, <u8>NO_CLASS, hi - lo);
    out += hi - lo;
    off += hi - lo;
  }
}

/** The checks claim and claimTagged share: the range, nrPages, fromCls, toCls, mode (positions 0..5). */
function checkClaim(startPfn: f64, endPfn: f64, nrPages: f64, fromCls: f64, toCls: f64, mode: f64): i32 {
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  if (!isCount(nrPages)) return fail(E_ARG, 2);
  r = checkClass(fromCls, 3);
  if (r == OK) r = checkClass(toCls, 4);
  if (r != OK) return r;
  if (mode != <f64>CLAIM_LOWEST && mode != <f64>CLAIM_RANDOM_PAGEBLOCK) return fail(E_ARG, 5);
  return OK;
}

/** The shared tail of claim and claimTagged (arguments checked): the highest changed pfn + 1, 0, or NaN. */
function claimChecked(nrPages: f64, fromCls: f64, toCls: f64, mode: f64, seed: u32, tagMask: u32, tagValue: u32, limit: u32): f64 {
  const r = claimPages(gStartOff, gEndOff, <u64>nrPages, <u32>fromCls, <u32>toCls, <u32>mode, seed, tagMask, tagValue, limit);
  if (r != OK) return failNumber(r);
  return gClaimEnd == 0 ? 0 : <f64>(gBasePfn + gClaimEnd);
}

/** claim(...): returns the highest changed pfn + 1 (0 when nrPages is 0), NaN on refusal. */
export function claim(startPfn: f64, endPfn: f64, nrPages: f64, fromCls: f64, toCls: f64, mode: f64, seed: u32): f64 {
  clearError();
  const r = checkClaim(startPfn, endPfn, nrPages, fromCls, toCls, mode);
  if (r != OK) return failNumber(r);
  return claimChecked(nrPages, fromCls, toCls, mode, seed, 0, 0, 0);
}

/**
 * claimTagged(..., seed, tagMask, tagValue, maxPerPageblock): claim from the
 * pageblocks whose tag & tagMask is tagValue, at most maxPerPageblock pages
 * from each (0: no limit). Returns as claim.
 */
export function claimTagged(
  startPfn: f64,
  endPfn: f64,
  nrPages: f64,
  fromCls: f64,
  toCls: f64,
  mode: f64,
  seed: u32,
  tagMask: f64,
  tagValue: f64,
  maxPerPageblock: f64,
): f64 {
  clearError();
  let r = checkClaim(startPfn, endPfn, nrPages, fromCls, toCls, mode);
  if (r == OK) r = checkMask(tagMask, TAG_BITS, 7);
  if (r == OK) r = checkMask(tagValue, TAG_BITS, 8);
  if (r == OK && !isCount(maxPerPageblock)) r = fail(E_ARG, 9);
  if (r != OK) return failNumber(r);
  // No pageblock offers more than its 512 pages: a larger limit is none.
  const limit = maxPerPageblock >= <f64>PAGES_PER_PAGEBLOCK ? 0 : <u32>maxPerPageblock;
  return claimChecked(nrPages, fromCls, toCls, mode, seed, <u32>tagMask, <u32>tagValue, limit);
}

/**
 * migrateScan(startPfn, endPfn, movableMask, unmovableMask, maxRuns), at most
 * chunkRuns runs per call (the caller continues a MORE from nextPfn while
 * maxRuns allows). Returns the ScanStatus, or a negative code.
 */
export function migrateScan(startPfn: f64, endPfn: f64, movableMask: f64, unmovableMask: f64, maxRuns: f64, chunkRuns: u32): i32 {
  const r = checkScan(startPfn, endPfn, movableMask, unmovableMask, maxRuns);
  if (r != OK) return r;
  const limit = <u32>min<f64>(min<f64>(maxRuns, <f64>chunkRuns), <f64>scanRunCapacity());
  return scanRange(gStartOff, gEndOff, <u32>movableMask, <u32>unmovableMask, limit, gIoArea + IO_BULK);
}

/** migrateScan with its runs to the zero-copy runs buffer, all at once (maxRuns up to its capacity). */
export function migrateScanBuffer(startPfn: f64, endPfn: f64, movableMask: f64, unmovableMask: f64, maxRuns: f64): i32 {
  const r = checkScan(startPfn, endPfn, movableMask, unmovableMask, maxRuns);
  if (r != OK) return r;
  if (maxRuns > <f64>gRunsCapacity) return fail(E_ARG, 4);
  return scanRange(gStartOff, gEndOff, <u32>movableMask, <u32>unmovableMask, <u32>maxRuns, gRunsBuffer);
}

/** migrateScan's checks: the range, the masks (disjoint), maxRuns a count of at least 1. */
function checkScan(startPfn: f64, endPfn: f64, movableMask: f64, unmovableMask: f64, maxRuns: f64): i32 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK) r = checkMask(movableMask, ALL_CLASSES, 2);
  if (r == OK) r = checkMask(unmovableMask, ALL_CLASSES, 3);
  if (r != OK) return r;
  if ((<u32>movableMask & <u32>unmovableMask) != 0) return fail(E_ARG, 3);
  if (!isCount(maxRuns) || maxRuns < 1) return fail(E_ARG, 4);
  return OK;
}

/** Largest number of runs one migrateScan call can return. */
export function scanRunCapacity(): u32 {
  return IO_BULK_BYTES / SIZE_OF_RUN;
}

// ---- pageblock tags ---------------------------------------------------------------------------

/** Shared tail of setMigratetype / setIsolate: presence, reservation, change. */
function retag(andMask: u32, orMask: u32): i32 {
  if (gStartOff == gEndOff) return OK;
  if (!allPresent()) return fail(E_NOT_PRESENT, 0);
  planRetag(gStartOff, gEndOff, andMask, orMask);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  retagRange(gStartOff, gEndOff, andMask, orMask);
  return OK;
}

export function setMigratetype(startPfn: f64, endPfn: f64, mt: f64): i32 {
  clearError();
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  if (!isIntIn(mt, C.NR_MIGRATETYPES - 1)) return fail(E_ARG, 2);
  return retag(PAGEBLOCK_ISOLATE, <u32>mt);
}

export function setIsolate(startPfn: f64, endPfn: f64, isolate: i32): i32 {
  clearError();
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  return isolate != 0 ? retag(TAG_BITS, PAGEBLOCK_ISOLATE) : retag(TAG_BITS & ~PAGEBLOCK_ISOLATE, 0);
}

export function countPageblocks(startPfn: f64, endPfn: f64, mask: f64, value: f64): f64 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK) r = checkMask(mask, TAG_BITS, 2);
  if (r == OK) r = checkMask(value, TAG_BITS, 3);
  if (r != OK) return failNumber(r);
  if (gStartOff == gEndOff) return 0;
  return <f64>countPageblocksRange(gStartOff, gEndOff, <u32>mask, <u32>value);
}

/**
 * retagPageblocks(startPfn, endPfn, maxBlocks, tagMask, tagValue, newMt,
 * goodMask, minGood): the pageblocks retagged; the good pages they hold go to
 * IO_RETAG_GOOD (f64). NaN on refusal.
 */
export function retagPageblocks(
  startPfn: f64,
  endPfn: f64,
  maxBlocks: f64,
  tagMask: f64,
  tagValue: f64,
  newMt: f64,
  goodMask: f64,
  minGood: f64,
): f64 {
  clearError();
  let r = checkRange(startPfn, endPfn, 0, 1);
  if (r == OK && !isCount(maxBlocks)) r = fail(E_ARG, 2);
  if (r == OK) r = checkMask(tagMask, TAG_BITS, 3);
  if (r == OK) r = checkMask(tagValue, TAG_BITS, 4);
  if (r == OK && !isIntIn(newMt, C.NR_MIGRATETYPES - 1)) r = fail(E_ARG, 5);
  if (r == OK) r = checkMask(goodMask, ALL_CLASSES, 6);
  if (r == OK && !isCount(minGood)) r = fail(E_ARG, 7);
  if (r != OK) return failNumber(r);
  // A window holds fewer than 2^32 pageblocks, and no pageblock more than 512 good pages.
  const blocks = <u32>min<f64>(maxBlocks, <f64>0xffffffff);
  const good = <u32>min<f64>(minGood, <f64>(PAGES_PER_PAGEBLOCK + 1));
  r = retagQualifying(gStartOff, gEndOff, blocks, <u32>tagMask, <u32>tagValue, <u32>newMt, <u32>goodMask, good);
  if (r != OK) return failNumber(r);
  store<f64>(gIoArea + IO_RETAG_GOOD, <f64>gRetagGoodPages);
  return <f64>gRetagBlocks;
}

/**
 * The checks the two per-pageblock reads share: startPfn in the window, and
 * nrPageblocks pageblocks from the one holding it inside the window. Returns
 * OK with gPbFirst set to the first pageblock's window index, or the refusal.
 */
let gPbFirst: u64 = 0;
function checkPageblockSpan(startPfn: f64, nrPageblocks: f64): i32 {
  if (!isCount(startPfn)) return fail(E_ARG, 0);
  if (!isCount(nrPageblocks)) return fail(E_ARG, 1);
  const start = <u64>startPfn;
  if (start < gBasePfn || start > gBasePfn + gNrPages) return fail(E_RANGE, 0);
  const pbFirst = (start - gBasePfn) >> PAGEBLOCK_ORDER;
  const windowPbs = gNrPages >> PAGEBLOCK_ORDER;
  if (<u64>nrPageblocks > windowPbs - pbFirst) return fail(E_RANGE, 1);
  gPbFirst = pbFirst;
  return OK;
}

/**
 * readPageblockTags(startPfn, nrPageblocks): the chunk [chunkFirst, chunkFirst
 * + chunkLen) as u8 to the bulk area (NO_TAG outside present sections).
 */
export function readPageblockTags(startPfn: f64, nrPageblocks: f64, chunkFirst: u32, chunkLen: u32): i32 {
  clearError();
  const r = checkPageblockSpan(startPfn, nrPageblocks);
  if (r != OK) return r;
  const out = gIoArea + IO_BULK;
  for (let i: u32 = 0; i < chunkLen; i++) {
    const pb = gPbFirst + chunkFirst + i;
    const s = sectionOfPageblock(pb);
    store<u8>(out + i, isPresent(s) ? <u8>pageblockTag(secAddr(s), pageblockInSection(pb)) : <u8>NO_TAG);
  }
  return OK;
}

/**
 * readPageblockClasses(startPfn, nrPageblocks): per pageblock of the chunk,
 * the mask of the classes its pages hold (0 outside present sections), as u8
 * to the bulk area. A uniform pageblock answers without looking at pages.
 */
export function readPageblockClasses(startPfn: f64, nrPageblocks: f64, chunkFirst: u32, chunkLen: u32): i32 {
  clearError();
  const r = checkPageblockSpan(startPfn, nrPageblocks);
  if (r != OK) return r;
  const out = gIoArea + IO_BULK;
  for (let i: u32 = 0; i < chunkLen; i++) {
    const pb = gPbFirst + chunkFirst + i;
    const s = sectionOfPageblock(pb);
    store<u8>(out + i, isPresent(s) ? <u8>pageblockClasses(secAddr(s), pageblockInSection(pb)) : 0);
  }
  return OK;
}

// ---- translation --------------------------------------------------------------------------------

// The three relocation calls share one ladder: E_ARG on each value in
// order, E_RANGE on the range in the window (argument 0), then on the other
// range (argument 2): in the window too (remap), far or the same (remapOut),
// far (remapIn); then, unless empty, E_NOT_PRESENT on the window's range and,
// for remap, on the other one.
const RELOCATE_NEAR: u32 = 0;
const RELOCATE_OUT: u32 = 1;
const RELOCATE_IN: u32 = 2;

/** After checkRelocation: the first range's window offset, the other range's start (a global pfn) and the pages. */
let gRelocateOff: u64 = 0;
let gRelocateOther: u64 = 0;
let gRelocatePages: u64 = 0;

function checkRelocation(windowStartPfn: f64, nrPages: f64, otherStartPfn: f64, kind: u32): i32 {
  const r = checkRelocationArgs(windowStartPfn, nrPages, otherStartPfn);
  if (r != OK) return r;
  const start = <u64>windowStartPfn;
  const other = <u64>otherStartPfn;
  const n = <u64>nrPages;
  if (!isWindowSpan(start, n)) return fail(E_RANGE, 0);
  const otherOk =
    kind == RELOCATE_NEAR ? isWindowSpan(other, n) : other == start || isFarRange(other, n);
  if (!otherOk) return fail(E_RANGE, 2);
  gRelocateOff = start - gBasePfn;
  gRelocateOther = other;
  gRelocatePages = n;
  if (n == 0) return OK;
  if (!rangePresent(gRelocateOff, gRelocateOff + n)) return fail(E_NOT_PRESENT, 0);
  if (kind == RELOCATE_NEAR && !rangePresent(other - gBasePfn, other - gBasePfn + n)) return fail(E_NOT_PRESENT, 2);
  return OK;
}

export function remap(oldStartPfn: f64, nrPages: f64, newStartPfn: f64): i32 {
  clearError();
  const r = checkRelocation(oldStartPfn, nrPages, newStartPfn, RELOCATE_NEAR);
  if (r != OK) return r;
  return remapPages(gRelocateOff, gRelocatePages, gRelocateOther - gBasePfn);
}

export function clearRemap(startPfn: f64, endPfn: f64): i32 {
  clearError();
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return r;
  if (gStartOff == gEndOff) return OK;
  const sA = sectionOf(gStartOff);
  const sB = sectionOf(gEndOff - 1);
  // Part of a LINEAR reverse pageblock may go, which takes a block.
  needReset();
  for (let s = sA; s <= sB; s++) clearRemapNeeds(s);
  if (!reserveNeeds()) return fail(E_FULL, -1);
  for (let s = sA; s <= sB; s++) clearRemapSection(s);
  return OK;
}

/**
 * remapOut(oldStartPfn, nrPages, newStartPfn): the pages move to frames of
 * another shard, [newStartPfn, + nrPages) below MAX_PHYS_PFN and clear of
 * the window, or home when newStartPfn is oldStartPfn.
 */
export function remapOut(oldStartPfn: f64, nrPages: f64, newStartPfn: f64): i32 {
  clearError();
  const r = checkRelocation(oldStartPfn, nrPages, newStartPfn, RELOCATE_OUT);
  if (r != OK) return r;
  return remapOutPages(gRelocateOff, gRelocatePages, gRelocateOther);
}

/**
 * remapIn(newStartPfn, nrPages, oldStartPfn): frames of this window now hold
 * pages of another shard, [oldStartPfn, + nrPages) below MAX_PHYS_PFN and
 * clear of the window; or, when oldStartPfn is newStartPfn, the frames
 * forget the far pages they hold (the undo of remapIn, as remapOut(old, n,
 * old) sends pages home).
 */
export function remapIn(newStartPfn: f64, nrPages: f64, oldStartPfn: f64): i32 {
  clearError();
  const r = checkRelocation(newStartPfn, nrPages, oldStartPfn, RELOCATE_IN);
  if (r != OK) return r;
  if (gRelocateOther == gBasePfn + gRelocateOff) return forgetFarPages(gRelocateOff, gRelocatePages);
  return remapInPages(gRelocateOff, gRelocatePages, gRelocateOther);
}

/**
 * countRemapped(startPfn, endPfn): the pages of the range relocated away
 * (NaN on refusal); the REMAPPED sections it touches go to IO_REMAP_SECTIONS.
 */
export function countRemapped(startPfn: f64, endPfn: f64): f64 {
  clearError();
  const r = checkRange(startPfn, endPfn, 0, 1);
  if (r != OK) return failNumber(r);
  const pages = countRemappedRange(gStartOff, gEndOff);
  store<f64>(gIoArea + IO_REMAP_SECTIONS, <f64>gRemappedSections);
  return <f64>pages;
}

/** Addresses one I/O-area translation batch can hold. */
export function ioTranslateCapacity(): u32 {
  return IO_BULK_BYTES / SIZE_OF_TRANSLATION;
}

/** virt_to_phys of n addresses from the bulk area; results follow the inputs (at capacity * 8). */
export function virtToPhysIo(n: u32): i32 {
  const cap = ioTranslateCapacity();
  if (n > cap) return fail(E_ARG, 0);
  const inPtr = gIoArea + IO_BULK;
  virtToPhysBatch(inPtr, inPtr + (<usize>cap << 3), n);
  return OK;
}

export function physToVirtIo(n: u32): i32 {
  const cap = ioTranslateCapacity();
  if (n > cap) return fail(E_ARG, 0);
  const inPtr = gIoArea + IO_BULK;
  physToVirtBatch(inPtr, inPtr + (<usize>cap << 3), n);
  return OK;
}

/**
 * Zero-copy translation buffers for batches of n addresses (input then
 * output, u64 each; n an integer up to MAX_TRANSLATE_BATCH). A batch no
 * larger than the buffers already reserved reuses them; a larger one takes
 * fresh memory (the old buffers stay with the instance: they are scratch,
 * not shard state, and bytesUsed does not count them).
 */
export function translateReserve(n: f64): i32 {
  clearError();
  if (!isIntIn(n, C.MAX_TRANSLATE_BATCH)) return fail(E_ARG, 0);
  const count = <u32>n;
  if (count <= gTranslateCapacity) return OK;
  const at = scratchRegion(<u64>count * SIZE_OF_TRANSLATION);
  if (at == 0) return fail(E_FULL, 0);
  gTranslateBuffer = at;
  gTranslateCapacity = count;
  return OK;
}

/**
 * Fresh memory for a zero-copy buffer of `bytes`, its pages marked as
 * translation scratch in the page owner map; 0 when memory cannot grow.
 */
function scratchRegion(bytes: u64): usize {
  const pages = <u32>((bytes + 0xffff) >> WASM_PAGE_SHIFT);
  const at = growPages(pages);
  if (at != 0) memory.fill(gOwnerMap + (at >> WASM_PAGE_SHIFT), OWNER_TRANSLATE, pages);
  return at;
}

/** The zero-copy classes buffer for nrPages pages (as translateReserve: reused when big enough). */
export function classesReserve(nrPages: f64): i32 {
  clearError();
  if (!isCount(nrPages) || nrPages > <f64>MAX_READ_CLASSES_PAGES) return fail(E_ARG, 0);
  const count = <u32>nrPages;
  if (count <= gClassesCapacity) return OK;
  const at = scratchRegion(<u64>count);
  if (at == 0) return fail(E_FULL, 0);
  gClassesBuffer = at;
  gClassesCapacity = count;
  return OK;
}
export function classesPtr(): usize {
  return gClassesBuffer;
}

/** The zero-copy runs buffer for maxRuns runs (as translateReserve: reused when big enough). */
export function runsReserve(maxRuns: f64): i32 {
  clearError();
  if (!isIntIn(maxRuns, C.MAX_SCAN_RUNS)) return fail(E_ARG, 0);
  const count = <u32>maxRuns;
  if (count <= gRunsCapacity) return OK;
  const at = scratchRegion(<u64>count * SIZE_OF_RUN);
  if (at == 0) return fail(E_FULL, 0);
  gRunsBuffer = at;
  gRunsCapacity = count;
  return OK;
}
export function runsPtr(): usize {
  return gRunsBuffer;
}
export function translateInPtr(): usize {
  return gTranslateBuffer;
}
export function translateOutPtr(): usize {
  return gTranslateBuffer + (<usize>gTranslateCapacity << 3);
}
/** n, the batch of an in-place call: an integer no larger than the buffers reserved. */
@inline function checkBatch(n: f64): i32 {
  clearError();
  return isIntIn(n, gTranslateCapacity) ? OK : fail(E_ARG, 0);
}
export function virtToPhysBuffers(n: f64): i32 {
  const r = checkBatch(n);
  if (r != OK) return r;
  virtToPhysBatch(translateInPtr(), translateOutPtr(), <u32>n);
  return OK;
}
export function physToVirtBuffers(n: f64): i32 {
  const r = checkBatch(n);
  if (r != OK) return r;
  physToVirtBatch(translateInPtr(), translateOutPtr(), <u32>n);
  return OK;
}
/** The bench's bandwidth row: streams the first n inputs (copied to the outputs when `write` is 1); NaN when n is too many. */
export function streamBuffers(n: f64, write: u32): f64 {
  const r = checkBatch(n);
  if (r != OK) return failNumber(r);
  return <f64>streamBatch(translateInPtr(), translateOutPtr(), <u32>n, write != 0);
}

// ---- self checks -----------------------------------------------------------------------------------

export function validate(): i32 {
  clearError();
  return validateAll();
}

/** Records in use in a pool (POOL_* ids of layout.ts): shows the representation at work. */
export function poolLiveRecords(pool: u32): u32 {
  return pool < NR_POOLS ? load<u32>(poolAddr(pool), POOL_LIVE) : 0;
}
