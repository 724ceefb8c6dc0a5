// Units, class ids, tag bits, flags and codes of the engine.
//
// These mirror `src/contract/constants.ts` on the TypeScript side. `abiConstants()` in
// `index.ts` writes them to the I/O area so `test/engine/abi-constants.test.ts`
// can check that both copies agree.

/** x86_64 base page: 4 KiB. */
export const PAGE_SHIFT: u32 = 12;
export const PAGE_SIZE: u32 = 1 << PAGE_SHIFT;
export const PAGE_MASK_LOW: u64 = (<u64>1 << PAGE_SHIFT) - 1;

/** pageblock_order 9: 512 pages. */
export const PAGEBLOCK_ORDER: u32 = 9;
export const PAGES_PER_PAGEBLOCK: u32 = 1 << PAGEBLOCK_ORDER;
export const PAGEBLOCK_PAGE_MASK: u32 = PAGES_PER_PAGEBLOCK - 1;

/** SECTION_SIZE_BITS 27: 32,768 pages of 4 KiB. */
export const SECTION_SIZE_BITS: u32 = 27;
export const PFN_SECTION_SHIFT: u32 = SECTION_SIZE_BITS - PAGE_SHIFT;
export const PAGES_PER_SECTION: u32 = 1 << PFN_SECTION_SHIFT;
export const SECTION_PAGE_MASK: u32 = PAGES_PER_SECTION - 1;
export const PAGEBLOCKS_PER_SECTION_SHIFT: u32 = PFN_SECTION_SHIFT - PAGEBLOCK_ORDER;
export const PAGEBLOCKS_PER_SECTION: u32 = 1 << PAGEBLOCKS_PER_SECTION_SHIFT;

/** The buddy allocator's largest chunk (MAX_PAGE_ORDER 10). */
export const MAX_ORDER_NR_PAGES: u32 = 1024;

/** One shard holds at most 2^32 pages, so in-window page offsets fit in u32. */
export const MAX_WINDOW_PAGES: u64 = <u64>1 << 32;
/** pfns cross the ABI as f64, exact below 2^53. */
export const MAX_PFN_EXCLUSIVE: f64 = 9007199254740992.0;
/**
 * Far pfns (frames or pages of another shard) lie below 2^40: 52 physical
 * address bits with 5-level paging (4 PiB) less PAGE_SHIFT.
 */
export const MAX_PHYS_PFN: u64 = <u64>1 << 40;

/**
 * Addresses one zero-copy translation batch may hold (translateBuffers): its
 * input and output take 16 B each, 256 MiB at this size.
 */
export const MAX_TRANSLATE_BATCH: u32 = 1 << 24;

/**
 * x86_64 direct-map base with 4-level paging (no KASLR): va = pa +
 * PAGE_OFFSET. The default of init's pageOffset; a 5-level machine's is
 * 0xff11000000000000.
 */
export const PAGE_OFFSET: u64 = 0xffff888000000000;
/** Translation result for an address the shard cannot translate. */
export const BAD_ADDRESS: u64 = 0xffffffffffffffff;

/** Page classes (PageClass). */
export const CLASS_FREE: u32 = 0;
export const CLASS_USER: u32 = 1;
export const CLASS_SLAB: u32 = 2;
export const CLASS_PGTABLE: u32 = 3;
export const CLASS_PINNED: u32 = 4;
export const CLASS_RESERVED: u32 = 5;
export const CLASS_VMEMMAP: u32 = 6;
/** Reclaimable slab (dentries, inodes: __GFP_RECLAIMABLE). */
export const CLASS_SLAB_RECLAIMABLE: u32 = 7;
/** Eight classes: three bit-planes hold them all, so no plane value is illegal. */
export const NR_PAGE_CLASSES: u32 = 8;
export const NO_CLASS: u32 = 255;
export const ALL_CLASSES: u32 = (1 << NR_PAGE_CLASSES) - 1;

/** Pageblock tag: bits 0-1 migratetype, bit 2 isolate. */
export const MIGRATE_UNMOVABLE: u32 = 0;
export const MIGRATE_MOVABLE: u32 = 1;
export const MIGRATE_RECLAIMABLE: u32 = 2;
export const NR_MIGRATETYPES: u32 = 3;
export const MIGRATETYPE_MASK: u32 = 0b011;
export const PAGEBLOCK_ISOLATE: u32 = 0b100;
/** Every bit a legal tag may carry. */
export const TAG_BITS: u32 = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;
export const NO_TAG: u32 = 255;

/** Section flags (SectionFlag). */
export const SECTION_PRESENT: u32 = 1 << 0;
export const SECTION_ONLINE: u32 = 1 << 1;
export const SECTION_EARLY: u32 = 1 << 2;
export const SECTION_MEMMAP_ON_MEMORY: u32 = 1 << 3;
export const SECTION_REMAPPED: u32 = 1 << 4;
export const SECTION_FLAGS_SETTABLE: u32 = SECTION_ONLINE | SECTION_EARLY | SECTION_MEMMAP_ON_MEMORY;
export const NO_ZONE: u32 = 255;
export const MAX_NID: u32 = 1023;
export const SECTION_WORD_ZONE_SHIFT: u32 = 8;
export const SECTION_WORD_NID_SHIFT: u32 = 16;

/** claim() modes (ClaimMode). */
export const CLAIM_LOWEST: u32 = 0;
export const CLAIM_RANDOM_PAGEBLOCK: u32 = 1;

/** migrateScan() outcomes (ScanStatus). */
export const SCAN_DONE: i32 = 0;
export const SCAN_MORE: i32 = 1;
export const SCAN_UNMOVABLE: i32 = 2;

/** Largest readClasses() request (pages), and so the largest classes buffer. */
export const MAX_READ_CLASSES_PAGES: u64 = <u64>1 << 24;
/** Runs one zero-copy scan buffer may hold (runsReserve): 256 MiB of f64 pairs. */
export const MAX_SCAN_RUNS: u32 = 1 << 24;

/** "No such offset": larger than any in-window page offset. */
export const NONE: u64 = 0xffffffffffffffff;
