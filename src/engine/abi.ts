/**
 * The typed ABI of the WASM engine: its raw exports, the I/O-area offsets, and
 * the tables that turn its numeric answers (argument positions, invariant ids,
 * constant order) into names. Offsets and sizes mirror `assembly/layout.ts`;
 * this is their one home on the TypeScript side.
 */

/** Raw exports of `build/<variant>.wasm` (see `assembly/index.ts`). u32/usize results need `>>> 0`. */
export interface RawEngineExports {
  readonly memory: WebAssembly.Memory;
  _start?: () => void;
  init(basePfn: number, nrPages: number, maxBytes: number, pageOffsetHi: number, pageOffsetLo: number): number;
  lastErrorArg(): number;
  lastStatus(): number;
  ioArea(): number;
  ioBulkOffset(): number;
  ioBulkBytes(): number;
  invalidSection(): number;
  abiConstants(): number;
  abiOffsets(): number;
  bytesUsed(): number;

  addSections(startPfn: number, endPfn: number, nid: number, cls: number, mt: number, flags: number): number;
  removeSections(startPfn: number, endPfn: number): number;
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): number;
  setSectionNode(startPfn: number, endPfn: number, nid: number): number;
  setSectionZone(startPfn: number, endPfn: number, zone: number): number;
  readSections(startSectionNr: number, count: number, chunkFirst: number, chunkLen: number): number;

  setClass(startPfn: number, endPfn: number, cls: number): number;
  countClasses(startPfn: number, endPfn: number): number;
  count(startPfn: number, endPfn: number, mask: number): number;
  countTagged(startPfn: number, endPfn: number, mask: number, tagMask: number, tagValue: number): number;
  findNext(startPfn: number, endPfn: number, mask: number): number;
  readClasses(startPfn: number, nrPages: number, chunkFirst: number, chunkLen: number): number;
  claim(startPfn: number, endPfn: number, nrPages: number, fromCls: number, toCls: number, mode: number, seed: number): number;
  claimTagged(
    startPfn: number,
    endPfn: number,
    nrPages: number,
    fromCls: number,
    toCls: number,
    mode: number,
    seed: number,
    tagMask: number,
    tagValue: number,
    maxPerPageblock: number,
  ): number;
  migrateScan(startPfn: number, endPfn: number, movableMask: number, unmovableMask: number, maxRuns: number, chunkRuns: number): number;
  scanRunCapacity(): number;

  setMigratetype(startPfn: number, endPfn: number, mt: number): number;
  setIsolate(startPfn: number, endPfn: number, isolate: number): number;
  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number;
  /** Returns the pageblocks retagged (NaN on refusal); their good pages are at IO_RETAG_GOOD. */
  retagPageblocks(
    startPfn: number,
    endPfn: number,
    maxBlocks: number,
    tagMask: number,
    tagValue: number,
    newMt: number,
    goodMask: number,
    minGood: number,
  ): number;
  readPageblockTags(startPfn: number, nrPageblocks: number, chunkFirst: number, chunkLen: number): number;
  readPageblockClasses(startPfn: number, nrPageblocks: number, chunkFirst: number, chunkLen: number): number;

  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): number;
  remapOut(oldStartPfn: number, nrPages: number, newStartPfn: number): number;
  remapIn(newStartPfn: number, nrPages: number, oldStartPfn: number): number;
  clearRemap(startPfn: number, endPfn: number): number;
  /** Returns the pages relocated away (NaN on refusal); the REMAPPED sections are at IO_REMAP_SECTIONS. */
  countRemapped(startPfn: number, endPfn: number): number;
  ioTranslateCapacity(): number;
  virtToPhysIo(n: number): number;
  physToVirtIo(n: number): number;
  translateReserve(n: number): number;
  translateInPtr(): number;
  translateOutPtr(): number;
  virtToPhysBuffers(n: number): number;
  physToVirtBuffers(n: number): number;
  classesReserve(nrPages: number): number;
  classesPtr(): number;
  readClassesBuffer(startPfn: number, nrPages: number): number;
  runsReserve(maxRuns: number): number;
  runsPtr(): number;
  migrateScanBuffer(startPfn: number, endPfn: number, movableMask: number, unmovableMask: number, maxRuns: number): number;
  /** Streams the first n translation inputs (to the outputs when write is 1); their sum, NaN on refusal. */
  streamBuffers(n: number, write: number): number;

  validate(): number;
  poolLiveRecords(pool: number): number;
}

/** Pool ids (assembly/layout.ts POOL_*). */
export const POOL_MIXED = 0;
export const POOL_PLANE = 1;
export const POOL_FORWARD = 2;
export const POOL_REVERSE = 3;
export const POOL_PLANE1 = 6;
export const POOL_PLANE2 = 7;
/** PFN BLOCKs and WIDE PFN BLOCKs of the remap tables, either direction. */
export const POOL_PFN_BLOCK = 4;
export const POOL_PFN_WIDE_BLOCK = 5;

// ---- I/O area (mirrors assembly/layout.ts) ------------------------------------------

/** f64 x 8: per-class counts of countClasses(). */
export const IO_COUNTS = 0;
/** f64 slots written by migrateScan(). */
export const IO_SCAN_NEXT = 64;
export const IO_SCAN_UNMOVABLE = 72;
export const IO_SCAN_MOVABLE = 80;
export const IO_SCAN_RUNS = 88;
/** f64 slots written by the translation kernels. */
export const IO_XLATE_FAST = 96;
export const IO_XLATE_SLOW = 104;
export const IO_XLATE_MISS = 112;
/** f64: the good pages of the pageblocks retagPageblocks() retagged. */
export const IO_RETAG_GOOD = 120;
/** f64: the REMAPPED sections countRemapped() found. */
export const IO_REMAP_SECTIONS = 128;
/** Start of bulk results (runs, classes, tags, section words, translation batches). */
export const IO_BULK = 256;

export const SIZE_OF_F64 = 8;
export const SIZE_OF_U64 = 8;
export const SIZE_OF_U32 = 4;
/** One scan run: f64 startPfn, f64 nrPages. */
export const SIZE_OF_RUN = 16;

// ---- names ------------------------------------------------------------------------------

/**
 * Parameter names of the calls the WASM has beyond the engine contract (the
 * contract's own are in the operation table, `src/contract/ops.ts`): the
 * engine reports a refused argument by position and the wrapper names it.
 */
export const WASM_ONLY_OP_ARGS = {
  createEngine: ['basePfn', 'nrPages', 'maxBytes', 'pageOffset', 'pageOffset'],
  streamBuffers: ['n', 'write'],
} as const satisfies Record<string, readonly string[]>;
export type WasmOnlyOpName = keyof typeof WASM_ONLY_OP_ARGS;

/** What validate() reports, by invariant id (assembly/errors.ts INV_*). */
export const INVARIANT_NAMES: Record<number, string> = {
  1: 'section flags or node id illegal',
  2: 'section representation tag illegal',
  3: 'uniform class illegal',
  4: 'pageblock tag illegal',
  5: 'per-class counts differ from a recount',
  6: 'class summary bit differs from the counts',
  7: 'present map differs from the section table',
  8: 'remapped/direct maps differ from the REMAPPED flag and tables',
  9: 'MIXED section of one class and one tag (not canonical)',
  10: 'plane record of one class (not canonical)',
  11: 'plane record shallower than its classes need',
  12: 'pageblock summary word differs from the entries',
  13: 'pool accounting or ownership broken',
  14: 'pool free list broken',
  15: 'forward table entry without its reverse entry',
  16: 'reverse table entry without its forward entry',
  17: 'absent section carries state',
  18: 'count sums (prefix sums of the section counts) differ from the sections\' counts',
  19: 'count of pages relocated away differs from the forward table',
};

/**
 * Order of the values abiConstants() writes (f64 each), then PAGE_OFFSET and
 * BAD_ADDRESS as u64. Names are those of `src/contract/constants.ts` (dotted for
 * members of its objects).
 */
export const ABI_CONSTANT_NAMES = [
  'PAGE_SHIFT',
  'PAGEBLOCK_ORDER',
  'PAGES_PER_PAGEBLOCK',
  'SECTION_SIZE_BITS',
  'PFN_SECTION_SHIFT',
  'PAGES_PER_SECTION',
  'PAGEBLOCKS_PER_SECTION',
  'MAX_ORDER_NR_PAGES',
  'MAX_WINDOW_PAGES',
  'MAX_PHYS_PFN',
  'MAX_TRANSLATE_BATCH',
  'MAX_READ_CLASSES_PAGES',
  'MAX_SCAN_RUNS',
  'NR_PAGE_CLASSES',
  'NO_CLASS',
  'ALL_CLASSES',
  'PageClass.FREE',
  'PageClass.USER',
  'PageClass.SLAB',
  'PageClass.PGTABLE',
  'PageClass.PINNED',
  'PageClass.RESERVED',
  'PageClass.VMEMMAP',
  'PageClass.SLAB_RECLAIMABLE',
  'Migratetype.UNMOVABLE',
  'Migratetype.MOVABLE',
  'Migratetype.RECLAIMABLE',
  'MIGRATETYPE_MASK',
  'PAGEBLOCK_ISOLATE',
  'NO_TAG',
  'SectionFlag.PRESENT',
  'SectionFlag.ONLINE',
  'SectionFlag.EARLY',
  'SectionFlag.MEMMAP_ON_MEMORY',
  'SectionFlag.REMAPPED',
  'SECTION_FLAGS_SETTABLE',
  'NO_ZONE',
  'MAX_NID',
  'SECTION_WORD_ZONE_SHIFT',
  'SECTION_WORD_NID_SHIFT',
  'ClaimMode.LOWEST',
  'ClaimMode.RANDOM_PAGEBLOCK',
  'ScanStatus.DONE',
  'ScanStatus.MORE',
  'ScanStatus.UNMOVABLE',
  'EngineStatus.OK',
  'EngineStatus.E_RANGE',
  'EngineStatus.E_ORDER',
  'EngineStatus.E_CLASS',
  'EngineStatus.E_FULL',
  'EngineStatus.E_ALIGN',
  'EngineStatus.E_NOT_PRESENT',
  'EngineStatus.E_EXISTS',
  'EngineStatus.E_NOSPC',
  'EngineStatus.E_ARG',
  'EngineStatus.E_INVARIANT',
] as const;
export const ABI_U64_CONSTANT_NAMES = ['PAGE_OFFSET', 'BAD_ADDRESS'] as const;

/**
 * Order of the values abiOffsets() writes (f64 each): every pool id, I/O-area
 * offset and size above that mirrors `assembly/layout.ts`, by its name here.
 */
export const ABI_OFFSET_NAMES = [
  'POOL_MIXED',
  'POOL_PLANE',
  'POOL_FORWARD',
  'POOL_REVERSE',
  'POOL_PLANE1',
  'POOL_PLANE2',
  'POOL_PFN_BLOCK',
  'POOL_PFN_WIDE_BLOCK',
  'IO_COUNTS',
  'IO_SCAN_NEXT',
  'IO_SCAN_UNMOVABLE',
  'IO_SCAN_MOVABLE',
  'IO_SCAN_RUNS',
  'IO_XLATE_FAST',
  'IO_XLATE_SLOW',
  'IO_XLATE_MISS',
  'IO_RETAG_GOOD',
  'IO_REMAP_SECTIONS',
  'IO_BULK',
  'SIZE_OF_F64',
  'SIZE_OF_U64',
  'SIZE_OF_U32',
  'SIZE_OF_RUN',
] as const;
