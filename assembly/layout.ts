// Linear-memory layout of one shard, and the accessors over it.
//
// The engine uses no allocator and no managed objects: `init()` lays the
// static part out by hand from `__heap_base`, sized for the window, and the
// pools grow above it with memory.grow.
//
//   0            __heap_base (64-aligned)
//   ├────────────┼───────────────────────────────────────────────────────────────┐
//   │ AS statics │ STATIC PART (sized by init for nrSections S, maxBytes M)      │
//   │            │                                                               │
//   │            │  pool descriptors   NR_POOLS x 64 B, plane buddy state 64 B   │
//   │            │  section table      S x 32 B   (SECTION RECORD below)         │
//   │            │  section sums       ceil(S/64) x 32 x 8 u32: the even nodes   │
//   │            │                     of each group's Fenwick tree (COUNT SUMS) │
//   │            │  group sums         ceil(S/64) x 8 u64: Fenwick nodes over    │
//   │            │                     the 64-section groups (COUNT SUMS)        │
//   │            │  present map        ceil(S/64) u64  bit s: section s present │
//   │            │  translation map    S + 1 bytes: per section MISS (absent),   │
//   │            │                     DIRECT or REMAPPED; byte S is a MISS      │
//   │            │                     sentinel for addresses past the window    │
//   │            │  class maps x 8     ceil(S/64) u64  bit s: has a page of class│
//   │            │  scratch map        ceil(S/64) u64  (claim planning)          │
//   │            │  forward dir ptr    S x u32   (0: none)                       │
//   │            │  reverse dir ptr    S x u32   (0: none)                       │
//   │            │  page owner map     one byte per 64 KiB WASM page of M        │
//   │            │  pfn scratch        u64 x 512: one pageblock's remap values   │
//   │            │  I/O area           IO_AREA_BYTES (results, small batches)    │
//   ├────────────┴───────────────────────────────────────────────────────────────┤
//   │ POOL REGIONS, grown on demand, interleaved, each page's owner in the map:  │
//   │   MIXED (512 B records), PLANE buddy (64/128/256 B), FORWARD (512 B),      │
//   │   REVERSE (512 B), PFN_BLOCK (2056 B), PFN_WIDE_BLOCK (4 KiB), and         │
//   │   translation batch buffers.                                               │
//   └────────────────────────────────────────────────────────────────────────────┘
//
// SECTION RECORD (32 B, one per window section)
//   +0  u8   flags (SectionFlag bits)      +1 u8 zone     +2 u16 nid
//   +4  u8   repr: ABSENT | UNIFORM | MIXED
//   +5  u8   class of every page           (UNIFORM)
//   +6  u8   tag of every pageblock        (UNIFORM)
//   +8  u32  address of the MIXED record   (MIXED)
//   +12 u16 x 8  pages per class            (present sections; max 32,768)
//   +28 u16  frames of this section holding relocated pages (reverse entries;
//            max 32,768)
//   +30 u16  pages of this section relocated away: forward entries that are
//            not identity (max 32,768; countRemapped sums them)
//
// COUNT SUMS: prefix sums of the section counts, per class, so that the
// whole sections of any range count in O(log sections), whatever its length.
// Sections go in groups of 64 (one word of the section bitmaps); G groups.
// Each group has a Fenwick tree over its sections, nodes j = 1..64, node j
// holding the pages per class of the lowbit(j) sections ending at section
// 64g + j - 1; a tree over the groups does the same one level up:
//   section sums: the EVEN nodes j of each group's tree, u32 x 8 each (a
//     group holds at most 2^21 pages), 32 per group (16 B per section); an
//     odd node covers its one section and is that section's SEC_COUNTS, so
//     it is not stored. The last group is padded to 64 with phantom
//     sections that count nothing. Node 64 holds the whole group.
//   group sums: node g + 1 of the groups' tree, u64 x 8 per group (up to
//     2^32 pages).
// Pages of a class in sections [0, s) are the group nodes of (s >> 6) plus
// the in-group nodes of (s & 63), popcount-many each.
// Why Fenwick trees at both levels: counts change inside the recolor kernels
// (setSecCount, several times per pageblock a fill touches) far more often
// than ranges are counted, and the model counts between its changes (a
// claim counts, then recolors, then the next one counts). Flat prefix sums
// would make a change cost O(sections); prefix sums rebuilt lazily would
// make the first count after a change cost O(sections) and write on a read.
// Fenwick trees keep both a change and a count at a few loads per level (at
// most 6 in a group, log2(G) + 1 across groups), exact at all times, so
// validate() checks every node. Two levels rather than one tree over all
// sections: u32 nodes inside a group rather than u64, and the nodes one
// change touches in a group share a few cache lines.
//
// MIXED SECTION RECORD (512 B, pool MIXED)
//   +0   u32 x 64  pageblock entries: a class (0..7) when the pageblock is
//                  uniform, else its PLANE record's address (64-aligned, so
//                  always >= 64) OR its depth (1..3) in the low bits
//   +256 u8  x 64  pageblock tags
//   +320 u64 x 8   per class: bit k set when pageblock k has a page of the class
//   +384 u16 x 8 x 8  per class c, per chunk q (pageblocks 8q .. 8q + 7, 4096
//                  pages): pages of class c in chunk q (at +384 + 16c + 2q).
//                  A count of part of a section takes the whole chunks from
//                  here and visits the planes of at most half a chunk
//                  (state.ts), so a range's edge section reads a few cache
//                  lines rather than the planes of half a section.
//
// PLANE RECORD (depth x 64 B in a buddy block of 64 / 128 / 256 B, buddy.ts;
// pool ids PLANE1 / PLANE2 / PLANE name the three sizes): one mixed
// pageblock of 512 pages, holding only the planes its classes need:
//   +0   u64 x 8   plane 0 (class bit 0 of page i is bit i%64 of word i/64)
//   +64  u64 x 8   plane 1   (depth >= 2: a class 2..7 is present)
//   +128 u64 x 8   plane 2   (depth 3: a class 4..7 is present)
// Missing planes read as zero. The depth is at least what the classes need;
// a call shrinks it when a smaller block is to spare (not reserved).
//
// Remap tables hold GLOBAL pfns, so a page may be relocated to a frame of
// another shard (remapOut) and a frame may hold a page of another shard
// (remapIn). A value is NEAR when it lies in this window (the other half of
// its pair is in this shard's tables) and FAR otherwise (below MAX_PHYS_PFN,
// its other half in another shard's, or nowhere).
//
// FORWARD DIRECTORY (512 B, pool FORWARD): one u64 per pageblock of a
//   REMAPPED section, saying where its pages are now:
//     bit 62 clear: LINEAR, page i is at global pfn (the entry) + i; the
//                   pageblock's own pfn is identity (never relocated);
//     bit 62 set:   BLOCK of per-page frames, NONE meaning identity:
//
//        63  62  61  60 ............. 32  31 ................ 0
//       [ 0 | 1 | W | base >> 11 (29 bits) | block address      ]
//
//                   W clear: a PFN BLOCK, whose values are base + delta;
//                   W set: a WIDE PFN BLOCK (base bits 0).
//   Relocation moves runs, so most pageblocks stay LINEAR and a lookup reads
//   one 8-byte entry: 3% of a 4 TiB window's sections fit in 500 KiB (L2).
//   Pages relocated one by one cost a block per pageblock they touch.
// REVERSE DIRECTORY (512 B, pool REVERSE): one u64 per pageblock of a section
//   whose frames received relocated pages, saying which page each frame holds:
//     0:            EMPTY, no frame of the pageblock holds a relocated page;
//     bit 63 set:   LINEAR, frame i holds the page at global pfn
//                   (bits 0..52) + i, for all 512 frames;
//     bit 62 set:   BLOCK, as above, NONE meaning the frame holds none.
//   SEC_REVERSE_COUNT counts the frames holding a page; the directory goes
//   when it reaches 0.
//
// PFN BLOCK (2 KiB, pool PFN_BLOCK): 512 values, each a global pfn or NONE,
// as u32 deltas from the base its entry holds; the one format of both
// directions:
//   +0  u32 x 512  value i - base, or PFN_DELTA_NIL for NONE
// The base is the lowest value rounded down to 2^11 pages, so 29 bits of the
// entry hold it for every pfn below 2^40 (MAX_PHYS_PFN) and a lookup reads
// the entry and one delta, never a second line of the block. The values of a
// pageblock are frames of one run of allocations (or pages of one source
// range), so they span far less than 2^32 and u32 deltas hold them at half
// the cost of u64 values, wherever the frames are: identity pages are NONE
// rather than their own pfn, so a pageblock whose slab pages went to another
// node still fits.
// WIDE PFN BLOCK (4 KiB, pool PFN_WIDE_BLOCK): u64 x 512 values, for the rare
// pageblock whose values span 2^32 pages or more (frames of nodes far apart
// in one pageblock), or lie at 2^40 or above (a window that high). Once WIDE,
// a block stays WIDE until its pageblock turns EMPTY or LINEAR: narrowing
// again would take a record the call did not plan.
//
// Canonical remap entries: a pageblock of one run of values is LINEAR (of no
// value, forward identity or reverse EMPTY), never a block; a forward block
// never holds a page's own pfn (identity is NONE); a PFN BLOCK's base is its
// lowest value rounded down to 2^11. validate() checks them.
//
// Canonical form: a pageblock whose pages share one class is a uniform entry,
// and a section whose pages share one class and whose pageblocks share one
// tag is UNIFORM. validate() checks it.

import {
  NR_PAGE_CLASSES,
  PAGEBLOCK_ORDER,
  PAGEBLOCK_PAGE_MASK,
  PAGEBLOCKS_PER_SECTION,
  PAGEBLOCKS_PER_SECTION_SHIFT,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PFN_SECTION_SHIFT,
} from './constants';

// ---- section record ---------------------------------------------------------

export const SIZE_OF_SECTION: u32 = 32;
export const SECTION_RECORD_SHIFT: u32 = 5;
export const SEC_FLAGS: u32 = 0;
export const SEC_ZONE: u32 = 1;
export const SEC_NID: u32 = 2;
export const SEC_REPR: u32 = 4;
export const SEC_CLASS: u32 = 5;
export const SEC_TAG: u32 = 6;
export const SEC_MIXED: u32 = 8;
export const SEC_COUNTS: u32 = 12;
export const SEC_REVERSE_COUNT: u32 = 28;
export const SEC_MOVED_COUNT: u32 = 30;

// ---- count sums ------------------------------------------------------------------

/** Sections per group: one word of the section bitmaps. */
export const GROUP_SHIFT: u32 = 6;
export const SECTIONS_PER_GROUP: u32 = 1 << GROUP_SHIFT;
export const GROUP_SECTION_MASK: u32 = SECTIONS_PER_GROUP - 1;
/** One stored in-group node: u32 x 8. */
export const SIZE_OF_SECTION_SUM: u32 = 32;
export const SECTION_SUM_SHIFT: u32 = 5;
/** A group's stored in-group nodes: the 32 even ones of 64. */
export const SIZE_OF_GROUP_SECTION_SUMS: u32 = (SECTIONS_PER_GROUP >> 1) * SIZE_OF_SECTION_SUM;
export const GROUP_SECTION_SUMS_SHIFT: u32 = GROUP_SHIFT - 1 + SECTION_SUM_SHIFT;
/** u64 x 8 per group. */
export const SIZE_OF_GROUP_SUMS: u32 = 64;
export const GROUP_SUMS_SHIFT: u32 = 6;

export const REPR_ABSENT: u32 = 0;
export const REPR_UNIFORM: u32 = 1;
export const REPR_MIXED: u32 = 2;

// ---- mixed section record ----------------------------------------------------

export const SIZE_OF_MIXED: u32 = 512;
export const MIXED_ENTRIES: u32 = 0;
export const MIXED_TAGS: u32 = 256;
export const MIXED_CLASS_PB_MAPS: u32 = 320;
export const MIXED_CHUNK_COUNTS: u32 = 384;
/** Chunks of a section: 8 of 8 pageblocks (4096 pages) each. */
export const CHUNK_PAGEBLOCKS_SHIFT: u32 = 3;
export const PAGEBLOCKS_PER_CHUNK: u32 = 1 << CHUNK_PAGEBLOCKS_SHIFT;
export const CHUNK_PAGE_SHIFT: u32 = PAGEBLOCK_ORDER + CHUNK_PAGEBLOCKS_SHIFT;
export const PAGES_PER_CHUNK: u32 = 1 << CHUNK_PAGE_SHIFT;
export const CHUNKS_PER_SECTION: u32 = PAGEBLOCKS_PER_SECTION >> CHUNK_PAGEBLOCKS_SHIFT;
/** Bytes of one class's chunk counts (u16 x 8). */
export const CHUNK_COUNTS_PER_CLASS: u32 = CHUNKS_PER_SECTION << 1;
/** Entries below this value are uniform classes, the rest plane entries (address | depth). */
export const ENTRY_PLANE_MIN: u32 = 8;

// ---- plane record --------------------------------------------------------------

export const PLANE_WORDS: u32 = 8;
export const PLANE_BYTES: u32 = 64;

// ---- remap tables ------------------------------------------------------------------

export const SIZE_OF_FORWARD_DIR: u32 = 64 << 3;
export const SIZE_OF_REVERSE_DIR: u32 = 64 << 3;
/** Directory entry flags (both directions): a block entry, and a WIDE one. */
export const ENTRY_BLOCK: u64 = <u64>1 << 62;
export const ENTRY_WIDE: u64 = <u64>1 << 61;
/** Reverse directory entry flag: LINEAR (forward LINEAR entries carry no flag). */
export const ENTRY_LINEAR: u64 = <u64>1 << 63;
/** The pfn of a LINEAR entry: pfns are exact f64 integers, below 2^53. */
export const ENTRY_PFN: u64 = (<u64>1 << 53) - 1;
/** The block address of a block entry. */
export const ENTRY_ADDR: u64 = 0xffffffff;
/** A PFN BLOCK entry's base: bits 32..60 hold base >> PFN_BLOCK_BASE_SHIFT. */
export const ENTRY_BASE_AT: u64 = 32;
export const ENTRY_BASE_MASK: u64 = (<u64>1 << 29) - 1;
export const PFN_BLOCK_BASE_SHIFT: u64 = 11;
/** Bases below this fit the entry: 2^40, MAX_PHYS_PFN. */
export const PFN_BLOCK_BASE_LIMIT: u64 = (ENTRY_BASE_MASK + 1) << PFN_BLOCK_BASE_SHIFT;
export const SIZE_OF_PFN_BLOCK: u32 = 512 << 2;
export const SIZE_OF_PFN_WIDE_BLOCK: u32 = 512 << 3;
/** A PFN BLOCK delta standing for NONE; so a delta is at most 2^32 - 2. */
export const PFN_DELTA_NIL: u32 = 0xffffffff;

// ---- pools ---------------------------------------------------------------------------

export const POOL_MIXED: u32 = 0;
export const POOL_PLANE: u32 = 1;
export const POOL_FORWARD: u32 = 2;
export const POOL_REVERSE: u32 = 3;
/** PFN BLOCKs and WIDE PFN BLOCKs, of either direction. */
export const POOL_PFN_BLOCK: u32 = 4;
export const POOL_PFN_WIDE_BLOCK: u32 = 5;
export const POOL_PLANE1: u32 = 6;
export const POOL_PLANE2: u32 = 7;
export const NR_POOLS: u32 = 8;
/** Page owner ids in the page owner map (pool id + 1; 0 is the static part). */
export const OWNER_STATIC: u8 = 0;
export const OWNER_TRANSLATE: u8 = 0x40;
/** Pages of the plane records' buddy allocator (pools PLANE1, PLANE2, PLANE). */
export const OWNER_BUDDY: u8 = 0x20;
export const OWNER_NONE: u8 = 0xff;

// POOL DESCRIPTOR (64 B per pool id, at gPoolTable + id x 64). Every POOL_*
// below is a byte offset; where the field's name carries a unit, the offset's
// name ends in _AT so that it never reads as a size or a page count.
//   +0  u32  record size in bytes          +4  u32  growth step in WASM pages
//   +8  u32  free-list head                +12 u32  free records
//   +16 u32  bump pointer                  +20 u32  bump region end
//   +24 u32  live records                  +28 u32  WASM pages grown
//   +32 u32  records the call planned      +36 u32  of those, records not
//            to take (needAdd)                      taken yet (reserveNeeds)

export const SIZE_OF_POOL: u32 = 64;
export const POOL_RECORD_BYTES_AT: u32 = 0;
export const POOL_CHUNK_PAGES_AT: u32 = 4;
export const POOL_FREE_HEAD: u32 = 8;
export const POOL_FREE_COUNT: u32 = 12;
export const POOL_BUMP: u32 = 16;
export const POOL_BUMP_END: u32 = 20;
export const POOL_LIVE: u32 = 24;
export const POOL_PAGES_AT: u32 = 28;
/** Records the current call planned to take (needReset / needAdd). */
export const POOL_NEED: u32 = 32;
/** Of those, records not taken yet (set by reserveNeeds): optional allocations must leave them. */
export const POOL_RESERVED: u32 = 36;

// ---- plane buddy allocator state (gBuddy, 64 B; buddy.ts) ------------------------------------
//
//   +0   u32 x 3   free-list head of each order (0: empty list)
//   +12  u32 x 3   free blocks of each order
//   +24  u32 x 3   live (handed out) blocks of each order
//   +36  u32       WASM pages the allocator owns
//   +40  ...       unused up to 64 B

export const SIZE_OF_BUDDY_STATE: u32 = 64;
export const BUDDY_HEADS: u32 = 0;
export const BUDDY_FREE_COUNTS: u32 = 12;
export const BUDDY_LIVE_COUNTS: u32 = 24;
export const BUDDY_PAGES: u32 = 36;

export const WASM_PAGE_SHIFT: u32 = 16;
export const WASM_PAGE_BYTES: u32 = 1 << WASM_PAGE_SHIFT;

// ---- I/O area ----------------------------------------------------------------------------
// Small results go at fixed offsets at the start of the I/O area; bulk results
// (runs, classes, tags, section words, translation batches) follow IO_BULK.

export const IO_COUNTS: u32 = 0; //       f64 x 8: per-class counts (to IO_SCAN_NEXT)
export const IO_SCAN_NEXT: u32 = 64; //   f64: scan nextPfn
export const IO_SCAN_UNMOVABLE: u32 = 72; // f64: scan unmovablePfn (-1 if none)
export const IO_SCAN_MOVABLE: u32 = 80; // f64: pages in the runs written
export const IO_SCAN_RUNS: u32 = 88; //   f64: number of runs written
export const IO_XLATE_FAST: u32 = 96; //  f64: translation fast count
export const IO_XLATE_SLOW: u32 = 104; // f64: translation slow count
export const IO_XLATE_MISS: u32 = 112; // f64: translation miss count
export const IO_RETAG_GOOD: u32 = 120; // f64: retagPageblocks' good pages
export const IO_REMAP_SECTIONS: u32 = 128; // f64: countRemapped's sections
export const IO_BULK: u32 = 256;

/** One migrateScan run in the bulk area: f64 startPfn at +0, f64 nrPages at +8. */
export const SIZE_OF_RUN: u32 = 16;
export const RUN_START_PFN: u32 = 0;
export const RUN_NR_PAGES: u32 = 8;
/** One address of a translation batch: a u64 in, and a u64 out in the output half. */
export const SIZE_OF_TRANSLATION: u32 = 16;

// ---- window and static part (set by init) ------------------------------------------------

export let gBasePfn: u64 = 0;
/** The direct-map base this shard translates with (init's pageOffset): va = pa + gPageOffset. */
export let gPageOffset: u64 = 0;
export let gBasePfnF: f64 = 0;
export let gNrPages: u64 = 0;
export let gNrSections: u32 = 0;
/** u64 words in one per-section bitmap. */
export let gMapWords: u32 = 0;
export let gMaxPages: u32 = 0;

export let gPoolTable: usize = 0;
/** The plane records' buddy allocator state (buddy.ts), 64 B. */
export let gBuddy: usize = 0;
export let gSectionTable: usize = 0;
/** COUNT SUMS: the even in-group Fenwick nodes, u32 x 8 each, 32 per group. */
export let gSectionSums: usize = 0;
/** COUNT SUMS: Fenwick nodes over the 64-section groups, u64 x 8 per group. */
export let gGroupSums: usize = 0;
export let gPresentMap: usize = 0;
export let gXlateMap: usize = 0;
export let gClassMaps: usize = 0;
export let gScratchMap: usize = 0;
export let gForwardPtrs: usize = 0;
export let gReversePtrs: usize = 0;
export let gOwnerMap: usize = 0;
/** u64 x 512: the values of one pageblock's remap entry while a call rewrites it (translate.ts). */
export let gPfnScratch: usize = 0;
export let gIoArea: usize = 0;
export let gStaticEnd: usize = 0;

export function setWindow(basePfn: u64, nrPages: u64, maxPages: u32): void {
  gBasePfn = basePfn;
  gBasePfnF = <f64>basePfn;
  gNrPages = nrPages;
  gNrSections = <u32>(nrPages >> PFN_SECTION_SHIFT);
  gMapWords = (gNrSections + 63) >> 6;
  gMaxPages = maxPages;
}

@inline function align64(x: usize): usize {
  return (x + 63) & ~(<usize>63);
}

/** Places every static table; returns the end address of the static part. */
export function placeStatic(start: usize): usize {
  const sections = <usize>gNrSections;
  const mapBytes = <usize>gMapWords << 3;
  let at = align64(start);
  gPoolTable = at;
  at = align64(at + NR_POOLS * SIZE_OF_POOL);
  gBuddy = at;
  at = align64(at + SIZE_OF_BUDDY_STATE);
  gSectionTable = at;
  at = align64(at + (sections << SECTION_RECORD_SHIFT));
  // A group per word of the section bitmaps (the last one padded to 64 sections).
  const groups = <usize>gMapWords;
  gSectionSums = at;
  at = align64(at + (groups << GROUP_SECTION_SUMS_SHIFT));
  gGroupSums = at;
  at = align64(at + groups * <usize>SIZE_OF_GROUP_SUMS);
  gPresentMap = at;
  at = align64(at + mapBytes);
  gXlateMap = at;
  at = align64(at + sections + 1);
  gClassMaps = at;
  at = align64(at + mapBytes * NR_PAGE_CLASSES);
  gScratchMap = at;
  at = align64(at + mapBytes);
  gForwardPtrs = at;
  at = align64(at + (sections << 2));
  gReversePtrs = at;
  at = align64(at + (sections << 2));
  gOwnerMap = at;
  at = align64(at + <usize>gMaxPages);
  gPfnScratch = at;
  at = align64(at + SIZE_OF_PFN_SCRATCH);
  gIoArea = at;
  at = align64(at + IO_AREA_BYTES_LOCAL);
  gStaticEnd = at;
  return at;
}

import { IO_AREA_BYTES } from './tuning';
const IO_AREA_BYTES_LOCAL: usize = <usize>IO_AREA_BYTES;
const SIZE_OF_PFN_SCRATCH: usize = <usize>PAGES_PER_PAGEBLOCK << 3;

// ---- accessors ---------------------------------------------------------------------------

@inline export function secAddr(sectionIdx: u32): usize {
  return gSectionTable + (<usize>sectionIdx << SECTION_RECORD_SHIFT);
}
@inline export function secRepr(sec: usize): u32 {
  return load<u8>(sec, SEC_REPR);
}
/** Class of every page of a UNIFORM section. */
@inline export function secClass(sec: usize): u32 {
  return load<u8>(sec, SEC_CLASS);
}
/** Tag of every pageblock of a UNIFORM section. */
@inline export function secTag(sec: usize): u32 {
  return load<u8>(sec, SEC_TAG);
}
/** Address of a MIXED section's record. */
@inline export function secMixed(sec: usize): usize {
  return <usize>load<u32>(sec, SEC_MIXED);
}
@inline export function secCount(sec: usize, cls: u32): u32 {
  return load<u16>(sec + (<usize>cls << 1), SEC_COUNTS);
}
/**
 * Sets a section's count of a class and keeps the count sums in step. Every
 * change of a count goes through here, or through setSecCountDeferred and
 * then syncCountSums.
 */
@inline export function setSecCount(sec: usize, cls: u32, n: u32): void {
  const slot = sec + (<usize>cls << 1);
  const old = <u32>load<u16>(slot, SEC_COUNTS);
  if (n == old) return;
  store<u16>(slot, <u16>n, SEC_COUNTS);
  addToCountSums(<u32>((sec - gSectionTable) >> SECTION_RECORD_SHIFT), cls, n - old, cls, 0);
}

/**
 * Sets a section's count of a class and not the count sums: for a kernel
 * that changes many counts of one section, then brings the sums in step
 * once with syncCountSums (the recolor of a section).
 */
@inline export function setSecCountDeferred(sec: usize, cls: u32, n: u32): void {
  store<u16>(sec + (<usize>cls << 1), <u16>n, SEC_COUNTS);
}
/** A section's eight counts as two u64 (classes 0..3, 4..7), for syncCountSums. */
@inline export function secCountsLow(sec: usize): u64 {
  return load<u64>(sec, SEC_COUNTS);
}
@inline export function secCountsHigh(sec: usize): u64 {
  return load<u64>(sec, SEC_COUNTS + 8);
}
/**
 * Brings the count sums in step with section s's counts, which were
 * (before0, before1) (secCountsLow / secCountsHigh) when the sums last
 * agreed with them: the classes whose count changed, found by the u16 lanes
 * that differ, two per walk (a recolor changes two: the source and dst).
 */
export function syncCountSums(sectionNr: u32, sec: usize, before0: u64, before1: u64): void {
  let heldCls: u32 = NR_PAGE_CLASSES;
  let heldDelta: u32 = 0;
  for (let half: u32 = 0; half < 2; half++) {
    const before = half == 0 ? before0 : before1;
    const after = half == 0 ? secCountsLow(sec) : secCountsHigh(sec);
    let differ = before ^ after;
    while (differ != 0) {
      const shift = <u64>ctz<u64>(differ) & ~(<u64>15);
      differ &= ~(<u64>0xffff << shift);
      const cls = (half << 2) + <u32>(shift >> 4);
      const delta = <u32>((after >> shift) & 0xffff) - <u32>((before >> shift) & 0xffff);
      if (heldCls == NR_PAGE_CLASSES) {
        heldCls = cls;
        heldDelta = delta;
      } else {
        addToCountSums(sectionNr, heldCls, heldDelta, cls, delta);
        heldCls = NR_PAGE_CLASSES;
      }
    }
  }
  if (heldCls != NR_PAGE_CLASSES) addToCountSums(sectionNr, heldCls, heldDelta, heldCls, 0);
}

/**
 * Adds deltaA pages of class clsA and deltaB of class clsB (u32 two's
 * complement: a count may fall; clsB may be clsA with deltaB 0) to section
 * s's counts in the count sums: the in-group nodes covering s, then the
 * group nodes covering its group. The first node is s's own (odd) node when
 * s is at an even place in its group: its SEC_COUNTS, already stored. Two
 * classes a walk, because a recolor moves pages from one class to another.
 * Not inlined: setSecCount is inlined in every kernel that changes counts,
 * the walks are not worth copying there.
 */
export function addToCountSums(sectionNr: u32, clsA: u32, deltaA: u32, clsB: u32, deltaB: u32): void {
  const groupNr = sectionNr >> GROUP_SHIFT;
  const atA = <usize>clsA << 2;
  const atB = <usize>clsB << 2;
  let node = (sectionNr & GROUP_SECTION_MASK) + 1;
  node += node & 1;
  while (node <= SECTIONS_PER_GROUP) {
    const at = sectionSumAddr(groupNr, node, 0);
    store<u32>(at + atA, load<u32>(at + atA) + deltaA);
    store<u32>(at + atB, load<u32>(at + atB) + deltaB);
    node += node & (0 - node);
  }
  const wideA = <u64>(<i64>(<i32>deltaA));
  const wideB = <u64>(<i64>(<i32>deltaB));
  let groupNode = groupNr + 1;
  while (groupNode <= gMapWords) {
    const at = groupSumAddr(groupNode - 1, 0);
    store<u64>(at + (atA << 1), load<u64>(at + (atA << 1)) + wideA);
    store<u64>(at + (atB << 1), load<u64>(at + (atB << 1)) + wideB);
    groupNode += groupNode & (0 - groupNode);
  }
}
/** Frames of a section holding relocated pages (u16: at most PAGES_PER_SECTION). */
@inline export function secReverseCount(sec: usize): u32 {
  return load<u16>(sec, SEC_REVERSE_COUNT);
}
@inline export function setSecReverseCount(sec: usize, n: u32): void {
  store<u16>(sec, <u16>n, SEC_REVERSE_COUNT);
}
/** Pages of a section whose forward entry is not identity (u16: at most PAGES_PER_SECTION). */
@inline export function secMovedCount(sec: usize): u32 {
  return load<u16>(sec, SEC_MOVED_COUNT);
}
@inline export function setSecMovedCount(sec: usize, n: u32): void {
  store<u16>(sec, <u16>n, SEC_MOVED_COUNT);
}
/** Even node `node` (2, 4, .. 64) of group g's in-group Fenwick tree, class cls (u32; COUNT SUMS above). */
@inline export function sectionSumAddr(groupNr: u32, node: u32, cls: u32): usize {
  return gSectionSums + (<usize>groupNr << GROUP_SECTION_SUMS_SHIFT) + (<usize>((node >> 1) - 1) << SECTION_SUM_SHIFT) + (<usize>cls << 2);
}
/** Fenwick node of group g (sections 64g .. 64g + 63), class cls (u64; COUNT SUMS above). */
@inline export function groupSumAddr(groupNr: u32, cls: u32): usize {
  return gGroupSums + (<usize>groupNr << GROUP_SUMS_SHIFT) + (<usize>cls << 3);
}
/**
 * Pages whose class is in `mask`, summed over node `node` of group g's
 * in-group tree: an odd node is the one section 64g + node - 1 (its counts).
 */
@inline function sectionNodeSum(groupNr: u32, node: u32, mask: u32): u64 {
  let n: u64 = 0;
  let m = mask;
  if ((node & 1) != 0) {
    const sec = secAddr((groupNr << GROUP_SHIFT) + node - 1);
    while (m != 0) {
      n += <u64>secCount(sec, <u32>ctz<u32>(m));
      m &= m - 1;
    }
    return n;
  }
  while (m != 0) {
    n += <u64>load<u32>(sectionSumAddr(groupNr, node, <u32>ctz<u32>(m)));
    m &= m - 1;
  }
  return n;
}
/** Pages whose class is in `mask`, summed over one group node. */
@inline function groupNodeSum(groupNr: u32, mask: u32): u64 {
  let n: u64 = 0;
  let m = mask;
  while (m != 0) {
    n += load<u64>(groupSumAddr(groupNr, <u32>ctz<u32>(m)));
    m &= m - 1;
  }
  return n;
}

/**
 * Pages whose class is in `mask` in the whole sections [sA, sB) (sA <= sB),
 * from the count sums: the prefix of sB less the prefix of sA. Within one
 * Fenwick tree the two walks stop where they meet (clearing the low bits of
 * the higher end until it is at most the lower one, then of the lower end
 * until they are equal: the nodes below are common to both prefixes and
 * cancel), so ends close together read few nodes. u64 arithmetic wraps
 * while a partial result is negative; the result is exact.
 */
export function countSumsBetween(sA: u32, sB: u32, mask: u32): u64 {
  let n: u64 = 0;
  // Groups [gA, gB): their tree's prefixes of gB and gA.
  const gA = sA >> GROUP_SHIFT;
  const gB = sB >> GROUP_SHIFT;
  let hiNode = gB;
  let loNode = gA;
  while (hiNode > loNode) {
    n += groupNodeSum(hiNode - 1, mask);
    hiNode &= hiNode - 1;
  }
  while (loNode > hiNode) {
    n -= groupNodeSum(loNode - 1, mask);
    loNode &= loNode - 1;
  }
  // The sections of gB before sB, less those of gA before sA: one tree when gA == gB.
  hiNode = sB & GROUP_SECTION_MASK;
  loNode = sA & GROUP_SECTION_MASK;
  if (gA == gB) {
    while (hiNode > loNode) {
      n += sectionNodeSum(gB, hiNode, mask);
      hiNode &= hiNode - 1;
    }
    while (loNode > hiNode) {
      n -= sectionNodeSum(gA, loNode, mask);
      loNode &= loNode - 1;
    }
    return n;
  }
  while (hiNode != 0) {
    n += sectionNodeSum(gB, hiNode, mask);
    hiNode &= hiNode - 1;
  }
  while (loNode != 0) {
    n -= sectionNodeSum(gA, loNode, mask);
    loNode &= loNode - 1;
  }
  return n;
}

@inline export function classMap(cls: u32): usize {
  return gClassMaps + ((<usize>cls * <usize>gMapWords) << 3);
}

@inline export function mapTest(map: usize, bit: u32): bool {
  return ((load<u64>(map + ((<usize>(bit >> 6)) << 3)) >> (<u64>(bit & 63))) & 1) != 0;
}
@inline export function mapSet(map: usize, bit: u32): void {
  const p = map + ((<usize>(bit >> 6)) << 3);
  store<u64>(p, load<u64>(p) | (<u64>1 << (<u64>(bit & 63))));
}
@inline export function mapClear(map: usize, bit: u32): void {
  const p = map + ((<usize>(bit >> 6)) << 3);
  store<u64>(p, load<u64>(p) & ~(<u64>1 << (<u64>(bit & 63))));
}
@inline export function mapPut(map: usize, bit: u32, on: bool): void {
  if (on) mapSet(map, bit);
  else mapClear(map, bit);
}
@inline export function mapWord(map: usize, wordIdx: u32): u64 {
  return load<u64>(map + (<usize>wordIdx << 3));
}

/** Translation states of the translation map. */
export const XLATE_MISS: u8 = 0;
export const XLATE_DIRECT: u8 = 1;
export const XLATE_REMAPPED: u8 = 2;
/**
 * A section that is not present but whose direct-map range still reaches
 * relocated pages (removeSections kept their forward entries): lookups go
 * through its directory and miss where a page did not move.
 */
export const XLATE_GONE: u8 = 3;

@inline export function xlateState(sectionIdx: u32): u8 {
  return load<u8>(gXlateMap + <usize>sectionIdx);
}
@inline export function setXlateState(sectionIdx: u32, state: u8): void {
  store<u8>(gXlateMap + <usize>sectionIdx, state);
}

@inline export function isPresent(sectionIdx: u32): bool {
  return mapTest(gPresentMap, sectionIdx);
}

@inline export function mixedEntry(rec: usize, pbIdx: u32): u32 {
  return load<u32>(rec + (<usize>pbIdx << 2), MIXED_ENTRIES);
}
@inline export function setMixedEntry(rec: usize, pbIdx: u32, entry: u32): void {
  store<u32>(rec + (<usize>pbIdx << 2), entry, MIXED_ENTRIES);
}
@inline export function mixedTag(rec: usize, pbIdx: u32): u32 {
  return load<u8>(rec + <usize>pbIdx, MIXED_TAGS);
}
@inline export function setMixedTag(rec: usize, pbIdx: u32, tag: u32): void {
  store<u8>(rec + <usize>pbIdx, <u8>tag, MIXED_TAGS);
}
@inline export function pbMapAddr(rec: usize, cls: u32): usize {
  return rec + MIXED_CLASS_PB_MAPS + (<usize>cls << 3);
}
/** Pages of class cls in chunk q (pageblocks 8q .. 8q + 7) of a MIXED record (u16). */
@inline export function chunkCountAddr(rec: usize, cls: u32, chunk: u32): usize {
  return rec + MIXED_CHUNK_COUNTS + <usize>(cls * CHUNK_COUNTS_PER_CLASS) + (<usize>chunk << 1);
}
@inline export function chunkOfPageblock(pbIdx: u32): u32 {
  return pbIdx >> CHUNK_PAGEBLOCKS_SHIFT;
}


@inline export function forwardTable(sectionIdx: u32): usize {
  return <usize>load<u32>(gForwardPtrs + (<usize>sectionIdx << 2));
}
@inline export function reverseTable(sectionIdx: u32): usize {
  return <usize>load<u32>(gReversePtrs + (<usize>sectionIdx << 2));
}

// ---- parts of a range ---------------------------------------------------------------------
// A range [startOff, endOff) of window page offsets covers a run of sections,
// and in each section a run of pageblocks; only the first and the last unit of
// either run can be partial. These helpers say which pages of one unit the
// range covers, so no kernel writes the edge cases out again.

@inline export function sectionOf(off: u64): u32 {
  return <u32>(off >> PFN_SECTION_SHIFT);
}
@inline export function sectionStart(sectionIdx: u32): u64 {
  return <u64>sectionIdx << PFN_SECTION_SHIFT;
}
/** The part [lo, hi) of section s inside [startOff, endOff) (which must intersect s). */
@inline export function sectionPartLo(s: u32, startOff: u64): u32 {
  const base = sectionStart(s);
  return startOff > base ? <u32>(startOff - base) : 0;
}
@inline export function sectionPartHi(s: u32, endOff: u64): u32 {
  const base = sectionStart(s);
  const end = base + PAGES_PER_SECTION;
  return endOff < end ? <u32>(endOff - base) : PAGES_PER_SECTION;
}

/** Section of window pageblock pb, and pb's index (0..63) inside it. */
@inline export function sectionOfPageblock(pb: u64): u32 {
  return <u32>(pb >> PAGEBLOCKS_PER_SECTION_SHIFT);
}
@inline export function pageblockInSection(pb: u64): u32 {
  return <u32>pb & (PAGEBLOCKS_PER_SECTION - 1);
}

// The pageblock helpers below serve both scales: u32 offsets inside a section
// (pageblocks 0..63) and u64 window offsets (window pageblock numbers).

/** Pageblock holding page `off` (for a range, its first pageblock). */
@inline export function pageblockOf<T>(off: T): T {
  return off >> <T>PAGEBLOCK_ORDER;
}
/** Pageblock holding page `end - 1`, the last of the non-empty range [.., end). */
@inline export function lastPageblock<T>(end: T): T {
  return (end - 1) >> <T>PAGEBLOCK_ORDER;
}
/**
 * The part [lo, hi) of pageblock k inside the range [start, end), whose
 * pageblocks run from kFirst = pageblockOf(start) to kLast = lastPageblock(end).
 */
@inline export function pageblockPartLo<T>(k: T, kFirst: T, start: T): u32 {
  return k == kFirst ? <u32>(start & <T>PAGEBLOCK_PAGE_MASK) : 0;
}
@inline export function pageblockPartHi<T>(k: T, kLast: T, end: T): u32 {
  return k == kLast ? <u32>((end - 1) & <T>PAGEBLOCK_PAGE_MASK) + 1 : PAGES_PER_PAGEBLOCK;
}
