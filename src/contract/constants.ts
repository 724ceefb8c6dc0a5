/**
 * Units, layout numbers and engine codes shared by every TypeScript layer.
 *
 * This is the one home of these numbers on the TypeScript side. The engine
 * keeps its own copy in `assembly/constants.ts`; `test/engine/abi-constants.test.ts`
 * checks that the two agree, so they cannot drift apart silently.
 */

/** x86_64 base page: 4 KiB. */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

/** pageblock_order 9: 512 pages, 2 MiB. */
export const PAGEBLOCK_ORDER = 9;
export const PAGES_PER_PAGEBLOCK = 1 << PAGEBLOCK_ORDER;

/** SECTION_SIZE_BITS 27: 128 MiB sections of 32,768 pages (PFN_SECTION_SHIFT 15). */
export const SECTION_SIZE_BITS = 27;
export const PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT;
export const PAGES_PER_SECTION = 1 << PFN_SECTION_SHIFT;
export const PAGEBLOCKS_PER_SECTION = PAGES_PER_SECTION / PAGES_PER_PAGEBLOCK;

/** MAX_PAGE_ORDER 10: the buddy allocator's largest chunk, 1024 pages. */
export const MAX_ORDER_NR_PAGES = 1024;

/** One engine shard holds at most 2^32 pages (16 TiB), so in-window offsets fit in u32. */
export const MAX_WINDOW_PAGES = 2 ** 32;

/**
 * Far pfns, the frames or pages of another shard that remapOut and remapIn
 * name, lie below 2^40: 52 physical address bits (`MAX_PHYSMEM_BITS` with
 * 5-level paging, 4 PiB) less PAGE_SHIFT.
 */
export const MAX_PHYS_PFN = 2 ** 40;

/** Addresses one zero-copy translation batch may hold ({@link EngineApi.translateBuffers}); 256 MiB of buffers at this size. */
export const MAX_TRANSLATE_BATCH = 2 ** 24;
/** Pages one readClasses call returns, and one classes buffer holds. */
export const MAX_READ_CLASSES_PAGES = 2 ** 24;
/** Runs one zero-copy runs buffer may hold ({@link EngineApi.runsBuffer}). */
export const MAX_SCAN_RUNS = 2 ** 24;

/** x86_64 direct-map base (4-level paging, no KASLR): va = pa + PAGE_OFFSET. The engines' default. */
export const PAGE_OFFSET = 0xffff888000000000n;
/**
 * The direct-map base with 5-level paging (no KASLR; Documentation/arch/x86/x86_64/mm.rst):
 * 32 PB of direct map, room for all of a 52-bit physical space.
 */
export const PAGE_OFFSET_L5 = 0xff11000000000000n;
/** Translation result for an address the shard cannot translate. */
export const BAD_ADDRESS = 0xffffffffffffffffn;

/**
 * Page state classes. Every page of a present section has exactly one.
 * Pages of sections that are not present have none (reported as {@link NO_CLASS}).
 */
export const PageClass = {
  FREE: 0,
  USER: 1,
  SLAB: 2,
  PGTABLE: 3,
  PINNED: 4,
  RESERVED: 5,
  VMEMMAP: 6,
  /** Reclaimable slab: dentries, inodes (`__GFP_RECLAIMABLE`), freed under memory pressure. */
  SLAB_RECLAIMABLE: 7,
} as const;
export type PageClass = (typeof PageClass)[keyof typeof PageClass];
export const NR_PAGE_CLASSES = 8;
export const PAGE_CLASS_NAMES = ['FREE', 'USER', 'SLAB', 'PGTABLE', 'PINNED', 'RESERVED', 'VMEMMAP', 'SLAB_RECLAIMABLE'] as const;
/** What per-page reads return for a page outside every present section. */
export const NO_CLASS = 255;
/** A class mask with every class set. */
export const ALL_CLASSES = (1 << NR_PAGE_CLASSES) - 1;

/** The mask bit of one class. */
export function classBit(cls: PageClass): number {
  return 1 << cls;
}

/**
 * Per-pageblock tag: bits 0-1 hold the migratetype (the kernel's enum order),
 * bit 2 is MIGRATE_ISOLATE.
 */
export const Migratetype = {
  UNMOVABLE: 0,
  MOVABLE: 1,
  RECLAIMABLE: 2,
} as const;
export type Migratetype = (typeof Migratetype)[keyof typeof Migratetype];
export const MIGRATETYPE_MASK = 0b011;
export const PAGEBLOCK_ISOLATE = 0b100;
/** What per-pageblock reads return for a pageblock outside every present section. */
export const NO_TAG = 255;

/**
 * Per-section flags held by the engine. PRESENT is owned by addSections /
 * removeSections, REMAPPED by the translation calls; the others are free for
 * the model to set and clear.
 */
export const SectionFlag = {
  PRESENT: 1 << 0,
  ONLINE: 1 << 1,
  EARLY: 1 << 2,
  MEMMAP_ON_MEMORY: 1 << 3,
  REMAPPED: 1 << 4,
} as const;
/** Flags that setSectionFlags may change. */
export const SECTION_FLAGS_SETTABLE = SectionFlag.ONLINE | SectionFlag.EARLY | SectionFlag.MEMMAP_ON_MEMORY;
/** Zone id stored for a section that belongs to no zone yet. */
export const NO_ZONE = 255;
/** Largest node id a section can carry (MAX_NUMNODES is 1024 on x86_64). */
export const MAX_NID = 1023;

/**
 * Packed per-section record returned by readSections():
 * bits 0-7 flags, bits 8-15 zone id, bits 16-31 node id.
 */
export const SECTION_WORD_ZONE_SHIFT = 8;
export const SECTION_WORD_NID_SHIFT = 16;

/** How claim() picks pages. */
export const ClaimMode = {
  /** Lowest pfn first. */
  LOWEST: 0,
  /** Pageblocks in a seeded pseudo-random order, lowest pfn first inside each pageblock. */
  RANDOM_PAGEBLOCK: 1,
} as const;
export type ClaimMode = (typeof ClaimMode)[keyof typeof ClaimMode];

/** Outcome of one migrateScan() call. */
export const ScanStatus = {
  /** Reached endPfn. */
  DONE: 0,
  /** The run buffer filled up; call again from nextPfn. */
  MORE: 1,
  /** Stopped at unmovablePfn, a page whose class is in the unmovable mask. */
  UNMOVABLE: 2,
} as const;
export type ScanStatus = (typeof ScanStatus)[keyof typeof ScanStatus];

/**
 * Engine status codes. The WASM returns them as negative i32; 0 is success.
 * The names are what EngineError.code carries.
 */
export const EngineStatus = {
  OK: 0,
  E_RANGE: -1,
  E_ORDER: -2,
  E_CLASS: -3,
  E_FULL: -4,
  E_ALIGN: -5,
  E_NOT_PRESENT: -6,
  E_EXISTS: -7,
  E_NOSPC: -8,
  E_ARG: -9,
  E_INVARIANT: -10,
} as const;
export type EngineStatusName = Exclude<keyof typeof EngineStatus, 'OK'>;

/** What each status means, for error messages. */
export const ENGINE_STATUS_TEXT: Record<EngineStatusName, string> = {
  E_RANGE: 'pfn outside the range the call allows (the shard window, or for a far range [0, MAX_PHYS_PFN) outside it)',
  E_ORDER: 'end is below start',
  E_CLASS: 'unknown page class',
  E_FULL: 'engine table is full',
  E_ALIGN: 'not section aligned',
  E_NOT_PRESENT: 'range touches a section that is not present',
  E_EXISTS: 'section is already present',
  E_NOSPC: 'not enough pages of the source class',
  E_ARG: 'bad argument value',
  E_INVARIANT: 'internal invariant violated',
};
