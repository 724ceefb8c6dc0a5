/**
 * The engine contract: what one pfn-range engine shard does, in types only.
 *
 * Three things implement it: the WASM engine in this thread
 * (`src/engine/engine.ts`), the plain-TypeScript oracle
 * (`src/reference/ref-engine.ts`), and, wrapped in promises by Comlink, the
 * worker client (`src/worker/client.ts`). Callers that `await` every call run
 * unchanged against all three.
 *
 * Conventions (the kernel's):
 * - pfns are absolute page frame numbers, passed as numbers (exact to 2^53);
 * - ranges are half-open `[startPfn, endPfn)`; `startPfn === endPfn` is an
 *   empty range and a no-op;
 * - a shard owns the window `[basePfn, basePfn + nrPages)`, both section
 *   aligned, at most 2^32 pages;
 * - a far pfn (a frame or page of another shard, in remapOut and remapIn)
 *   lies outside the window and below MAX_PHYS_PFN (2^40);
 * - counts are numbers of pages unless the name says otherwise.
 *
 * Errors: a bad call throws an `EngineError` (see `src/contract/errors.ts`)
 * whose `code` is an `EngineStatusName` and whose `arg` names the offending
 * argument. A call that throws leaves the shard exactly as it was.
 * Checks, in this order for every range argument: the value is a finite
 * non-negative integer (E_ARG), `startPfn >= basePfn` (E_RANGE, startPfn),
 * `endPfn <= basePfn + nrPages` (E_RANGE, endPfn), `endPfn >= startPfn`
 * (E_ORDER, endPfn).
 */

/** Mirrors `PageClass` in `src/contract/constants.ts` (0..7). */
export type PageClassId = number;
/** A bit set of page classes: bit `1 << cls`. */
export type ClassMask = number;

export interface EngineOptions {
  /** First pfn of the window; a multiple of PAGES_PER_SECTION. */
  basePfn: number;
  /** Window size in pages; a multiple of PAGES_PER_SECTION, at most 2^32. */
  nrPages: number;
  /**
   * Cap on the engine's linear memory in bytes (default: the WASM maximum, 4 GiB).
   * Lets tests and embedders see E_FULL without filling 4 GiB.
   */
  maxBytes?: number;
  /**
   * The direct-map base the shard translates with: va = pa + pageOffset
   * (default PAGE_OFFSET, 4-level paging; PAGE_OFFSET_L5 for 5-level). Page
   * aligned, at or above 2^63 (the kernel half), else E_ARG.
   */
  pageOffset?: bigint;
}

export interface EngineInfo {
  basePfn: number;
  nrPages: number;
  /** Sections in the window: nrPages / PAGES_PER_SECTION. */
  nrSections: number;
  /** The direct-map base (EngineOptions.pageOffset). */
  pageOffset: bigint;
}

/** Per-class page counts, indexed by class id; length NR_PAGE_CLASSES. */
export type ClassCounts = Float64Array;

export interface ScanResult {
  /** ScanStatus: DONE, MORE or UNMOVABLE. */
  status: number;
  /** Where the next call should resume (endPfn when DONE, the unmovable pfn when UNMOVABLE). */
  nextPfn: number;
  /** The first page whose class is in the unmovable mask, or -1. */
  unmovablePfn: number;
  /** Total pages in `runs`. */
  movablePages: number;
  /**
   * Movable runs in ascending pfn order, as pairs `[startPfn, nrPages]`.
   * Adjacent movable pages are always one run. Length is 2 * number of runs.
   */
  runs: Float64Array;
}

/** A scan whose runs went to the runs buffer ({@link EngineApi.migrateScanInPlace}): the ScanResult less its runs, and how many. */
export interface ScanSummary {
  status: number;
  nextPfn: number;
  unmovablePfn: number;
  movablePages: number;
  /** Runs written to the runs buffer, as pairs from its start. */
  nrRuns: number;
}

/** What {@link EngineApi.retagPageblocks} did. */
export interface RetagResult {
  /** Pageblocks retagged. */
  blocks: number;
  /** Pages whose class is in the call's `goodMask`, in the pageblocks retagged. */
  goodPages: number;
}

/** What {@link EngineApi.countRemapped} found. */
export interface RemapCount {
  /** Pages of the range relocated away: their forward entry is not identity (a near or a far frame). */
  pages: number;
  /** REMAPPED sections the range intersects. */
  sections: number;
}

export interface TranslateResult {
  /** One output address per input; BAD_ADDRESS where the shard cannot translate. */
  out: BigUint64Array;
  /** Inputs answered from the direct map (section not remapped). */
  fast: number;
  /** Inputs answered through a remap table. */
  slow: number;
  /** Inputs outside the shard, in a section that is not present, or unmapped. */
  miss: number;
}

/** What a zero-copy batch found: the counts of a {@link TranslateResult}, the addresses staying in the buffers. */
export interface TranslateCounts {
  fast: number;
  slow: number;
  miss: number;
}

/**
 * Buffers for zero-copy translation batches, handed out by the engine: write
 * addresses to `input`, call an in-place translation, read `output`.
 */
export interface TranslateBuffers {
  input: BigUint64Array;
  output: BigUint64Array;
}

export interface EngineApi {
  info(): EngineInfo;

  // ---- sections -------------------------------------------------------------

  /**
   * Make the sections of `[startPfn, endPfn)` present (both ends section aligned,
   * else E_ALIGN). Every page gets class `cls`, every pageblock tag `mt`, every
   * section node `nid`, zone NO_ZONE and flags `PRESENT | flags` (flags limited
   * to SECTION_FLAGS_SETTABLE, else E_ARG). Any section already present, or
   * removed while its pages kept relocated frames (still REMAPPED: its
   * direct-map range is in use until clearRemap): E_EXISTS.
   */
  addSections(startPfn: number, endPfn: number, nid: number, cls: PageClassId, mt: number, flags: number): void;
  /**
   * Drop the sections of `[startPfn, endPfn)` (section aligned; every one must be
   * present, else E_NOT_PRESENT): page state, tags, flags and reverse tables go.
   * A page of this window whose frame goes translates through identity
   * again (its section, if it survives, stays REMAPPED). A page of these
   * sections relocated to a frame that survives (in this window or far)
   * keeps its pair: its direct-map address still translates to that frame,
   * so the section stays REMAPPED though not present, until its last such
   * pair goes (its frame removed, or clearRemap); every other address of it
   * misses. Frames of these sections forget the far pages they held; the
   * other shard's halves of those pairs are the caller's to clear
   * (remapOut(old, n, old) or clearRemap on the pages' shard).
   */
  removeSections(startPfn: number, endPfn: number): void;
  /** Set then clear flags on every section that intersects the range (all must be present). */
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): void;
  /** Set the node id (0..MAX_NID) of every section that intersects the range (all present). */
  setSectionNode(startPfn: number, endPfn: number, nid: number): void;
  /** Set the zone id (0..254, or NO_ZONE) of every section that intersects the range (all present). */
  setSectionZone(startPfn: number, endPfn: number, zone: number): void;
  /**
   * Packed records of `count` sections from absolute section number
   * `startSectionNr` (flags | zone << 8 | nid << 16); 0 for sections not present.
   */
  readSections(startSectionNr: number, count: number): Uint32Array;

  // ---- page state -----------------------------------------------------------

  /** Every page of the range takes class `cls`. The range may only touch present sections. */
  setClass(startPfn: number, endPfn: number, cls: PageClassId): void;
  /** Pages per class in the range; pages of sections that are not present are not counted. */
  countClasses(startPfn: number, endPfn: number): ClassCounts;
  /** Pages in the range whose class is in `mask` (mask within ALL_CLASSES, else E_ARG). */
  count(startPfn: number, endPfn: number, mask: ClassMask): number;
  /**
   * Pages in the range whose class is in `mask`, counting only the pageblocks
   * whose `tag & tagMask === tagValue` (pages of sections that are not
   * present are not counted). `tagMask` 0 with `tagValue` 0 matches every
   * pageblock, and the result is then `count(startPfn, endPfn, mask)`; a
   * `tagValue` with a bit outside `tagMask` matches none. `mask` within
   * ALL_CLASSES, `tagMask` and `tagValue` within the tag bits (0..7), else
   * E_ARG naming it, in that order after the range.
   */
  countTagged(startPfn: number, endPfn: number, mask: ClassMask, tagMask: number, tagValue: number): number;
  /** Lowest pfn in the range whose class is in `mask`, or -1. */
  findNext(startPfn: number, endPfn: number, mask: ClassMask): number;
  /** Class of each page of `[startPfn, startPfn + nrPages)` (NO_CLASS outside present sections); nrPages <= 2^24. */
  readClasses(startPfn: number, nrPages: number): Uint8Array;
  /**
   * A buffer for readClassesInPlace of up to `nrPages` pages (at most
   * MAX_READ_CLASSES_PAGES, else E_ARG), owned by the engine as the
   * translation buffers are (see translateBuffers, whose rules it shares).
   */
  classesBuffer(nrPages: number): Uint8Array;
  /** readClasses into the classes buffer, from its start; nrPages up to the buffer handed out (else E_ARG). */
  readClassesInPlace(startPfn: number, nrPages: number): void;
  /**
   * Move `nrPages` pages of class `fromCls` inside the range to class `toCls`.
   * LOWEST takes them in pfn order. RANDOM_PAGEBLOCK visits the range's
   * pageblocks in the order of `pageblockOrder(nrPageblocks, seed)` (see
   * `src/contract/permute.ts`) and takes the `fromCls` pages of each, lowest first,
   * until done. Fewer than `nrPages` such pages in the range: E_NOSPC.
   * Returns the highest pfn changed plus one (0 when nrPages is 0).
   */
  claim(startPfn: number, endPfn: number, nrPages: number, fromCls: PageClassId, toCls: PageClassId, mode: number, seed: number): number;
  /**
   * {@link claim} restricted to some pageblocks and capped per pageblock: the
   * mechanism under mobility grouping (take pages of the caller's own
   * migratetype's pageblocks first), stealing (take from a fallback type's
   * pageblocks without retagging them) and workloads that spread pages thinly.
   *
   * The eligible pageblocks are those that intersect the range, lie in
   * present sections and whose `tag & tagMask === tagValue` (`tagMask` 0 with
   * `tagValue` 0: every one; a `tagValue` bit outside `tagMask`: none). A
   * pageblock offers its `fromCls` pages that lie inside the range, at most
   * `maxPerPageblock` of them (0: no limit; the limit bounds this call's
   * takes, not the pages of `toCls` a pageblock may hold). Exactly:
   *
   *     available = sum over eligible pageblocks b of
   *                 min(fromCls pages of b inside the range, maxPerPageblock || Infinity)
   *
   * and `available < nrPages` is E_NOSPC (nrPages), before anything changes.
   * Otherwise the call visits the eligible pageblocks, in pfn order (LOWEST)
   * or in the order `pageblockOrder(n, seed)` gives the n pageblocks that
   * intersect the range, present or not, numbered from the lowest
   * (RANDOM_PAGEBLOCK, as claim), and takes from each the lowest of what it
   * offers, up to the pages still wanted, until `nrPages` are taken. Taken
   * pages become `toCls`; no tag changes. With `tagMask` 0, `tagValue` 0 and
   * `maxPerPageblock` 0 this is `claim(...)` exactly. Returns the highest pfn
   * taken plus one (0 when nrPages is 0).
   *
   * Checks, after the range: nrPages (E_ARG), fromCls, toCls (E_CLASS), mode
   * (E_ARG), then tagMask and tagValue (within the tag bits 0..7) and
   * maxPerPageblock (a count), each E_ARG; then E_NOSPC; then E_FULL.
   */
  claimTagged(
    startPfn: number,
    endPfn: number,
    nrPages: number,
    fromCls: PageClassId,
    toCls: PageClassId,
    mode: number,
    seed: number,
    tagMask: number,
    tagValue: number,
    maxPerPageblock: number,
  ): number;
  /**
   * Migration scan: walk the range in pfn order, skipping sections that are not
   * present. Pages whose class is in `unmovableMask` stop the scan (UNMOVABLE);
   * pages in `movableMask` are collected as runs; other pages are skipped. When
   * `maxRuns` runs are full and another movable page is found, the scan stops
   * with MORE and `nextPfn` at that page. The masks must not intersect (E_ARG).
   */
  migrateScan(startPfn: number, endPfn: number, movableMask: ClassMask, unmovableMask: ClassMask, maxRuns: number): ScanResult;
  /**
   * A buffer for migrateScanInPlace of up to `maxRuns` runs (2 * maxRuns
   * values; at most MAX_SCAN_RUNS runs, else E_ARG), owned by the engine as
   * the translation buffers are (see translateBuffers, whose rules it shares).
   */
  runsBuffer(maxRuns: number): Float64Array;
  /**
   * migrateScan with its runs written to the runs buffer from its start,
   * all in one call; `maxRuns` up to the buffer handed out (else E_ARG, after
   * migrateScan's own checks).
   */
  migrateScanInPlace(startPfn: number, endPfn: number, movableMask: ClassMask, unmovableMask: ClassMask, maxRuns: number): ScanSummary;

  // ---- pageblock tags -------------------------------------------------------

  /** Set the migratetype (0..2) of every pageblock that intersects the range (all present). */
  setMigratetype(startPfn: number, endPfn: number, mt: number): void;
  /** Set or clear MIGRATE_ISOLATE on every pageblock that intersects the range (all present). */
  setIsolate(startPfn: number, endPfn: number, isolate: boolean): void;
  /** Pageblocks intersecting the range, in present sections, whose `tag & mask === value`. */
  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number;
  /**
   * The kernel's claim rule as a mechanism ("free and alike pages fill at
   * least half the pageblock: the whole block changes migratetype"), the
   * policy left to the caller.
   *
   * Candidates are the pageblocks lying wholly inside the range (one that
   * straddles either end of the range is never retagged: the kernel does not
   * claim a pageblock that straddles a zone edge), in present sections
   * (others are skipped, not refused), whose `tag & tagMask === tagValue` and
   * that hold at least `minGood` pages whose class is in `goodMask`. The
   * lowest `maxBlocks` candidates (0: none) take migratetype `newMt`.
   * MIGRATE_ISOLATE stays as it is, as with setMigratetype: to leave isolated
   * pageblocks alone, put PAGEBLOCK_ISOLATE in `tagMask` and leave it out of
   * `tagValue`. A candidate that already has migratetype `newMt` counts like
   * any other. Page classes never change.
   *
   * Returns how many pageblocks were retagged and how many pages of the
   * `goodMask` classes they hold. Checks, after the range: maxBlocks (a
   * count), tagMask and tagValue (tag bits 0..7), newMt (0..2), goodMask
   * (within ALL_CLASSES), minGood (a count), each E_ARG; then E_FULL.
   */
  retagPageblocks(
    startPfn: number,
    endPfn: number,
    maxBlocks: number,
    tagMask: number,
    tagValue: number,
    newMt: number,
    goodMask: ClassMask,
    minGood: number,
  ): RetagResult;
  /** Tags of `nrPageblocks` pageblocks from the one holding `startPfn` (NO_TAG outside present sections). */
  readPageblockTags(startPfn: number, nrPageblocks: number): Uint8Array;
  /**
   * Classes held by `nrPageblocks` pageblocks from the one holding `startPfn`:
   * per pageblock, a mask with bit `c` set when one of its pages has class `c`
   * (0 outside present sections). Refused as readPageblockTags is.
   */
  readPageblockClasses(startPfn: number, nrPageblocks: number): Uint8Array;

  // ---- translation ----------------------------------------------------------

  /**
   * Relocate the direct-map pages `[oldStartPfn, oldStartPfn + nrPages)` to the frames
   * `[newStartPfn, newStartPfn + nrPages)` in the same window (both present). The old
   * pages' sections become REMAPPED: their virtual addresses now translate through a
   * per-page table (identity for pages not relocated). The new frames get reverse entries.
   * A frame that already holds a relocated page, of this window or (by
   * {@link remapIn}) of another shard, refuses the call: E_EXISTS newStartPfn.
   * A page relocated before first gives up its previous frame; a page may be
   * relocated onto its own frame (an identity entry that still holds the frame).
   */
  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): void;
  /**
   * Relocate the direct-map pages `[oldStartPfn, oldStartPfn + nrPages)` of this
   * window (present) to frames of another shard, `[newStartPfn, newStartPfn +
   * nrPages)`, far pfns: below MAX_PHYS_PFN and clear of this window. Only the
   * forward half is recorded here: the old sections become REMAPPED and
   * virtToPhys of the old addresses answers the new global physical
   * addresses; the shard owning the frames records the reverse half with
   * {@link remapIn}. `newStartPfn === oldStartPfn` sends the pages home:
   * identity with no reverse entry, as removeSections does in-window to a
   * page whose frame went away.
   *
   * A page relocated before first gives up its previous frame if that frame
   * is in this window (a far frame is its own shard's to free). This shard
   * cannot see far frames, so it never refuses one: call remapIn on the
   * frames' shard first (an occupied frame is E_EXISTS there), then
   * remapOut; should remapOut fail (E_FULL), clearRemap the frames there.
   *
   * Checks: E_ARG oldStartPfn, nrPages, newStartPfn; E_RANGE oldStartPfn if
   * the old range leaves the window; E_RANGE newStartPfn if the new range is
   * not the old one and reaches past MAX_PHYS_PFN or intersects the window
   * (relocation inside the window is {@link remap}); then, for nrPages > 0,
   * E_NOT_PRESENT oldStartPfn and E_FULL.
   */
  remapOut(oldStartPfn: number, nrPages: number, newStartPfn: number): void;
  /**
   * Record that the frames `[newStartPfn, newStartPfn + nrPages)` of this window
   * (present) now hold the pages `[oldStartPfn, oldStartPfn + nrPages)` of
   * another shard, far pfns: the reverse half of a far relocation. physToVirt
   * of those frames answers the old pages' direct-map addresses (same offset
   * in the page); virtToPhys and the section flags do not change.
   *
   * `oldStartPfn === newStartPfn` undoes it: the frames forget the far
   * pages they hold (their near pages stay), as remapOut(old, n, old) sends
   * pages home.
   *
   * Checks: E_ARG newStartPfn, nrPages, oldStartPfn; E_RANGE newStartPfn if
   * the frames leave the window; E_RANGE oldStartPfn if the pages are not
   * the frames themselves and reach past MAX_PHYS_PFN or intersect the
   * window; then, for nrPages > 0, E_NOT_PRESENT newStartPfn, E_EXISTS
   * newStartPfn if a frame already holds a relocated page (near or far; not
   * when forgetting), and E_FULL.
   */
  remapIn(newStartPfn: number, nrPages: number, oldStartPfn: number): void;
  /**
   * Return the sections intersecting the range to the direct map: they drop
   * their forward tables (near and far entries) and the reverse entries
   * their pages made in this window, and their frames forget the far pages
   * they hold (remapIn's entries). Their frames keep the pages of other
   * sections of this window. Far pairs' other halves are the caller's to clear.
   */
  clearRemap(startPfn: number, endPfn: number): void;
  /**
   * How much of the range is relocated, in one call: `pages`, the pages of
   * `[startPfn, endPfn)` whose forward entry is not identity (moved to another
   * frame of this window or of another shard), and `sections`, the REMAPPED
   * sections the range intersects. Sections that are not present count
   * nothing; only the range is checked.
   */
  countRemapped(startPfn: number, endPfn: number): RemapCount;
  /**
   * virt_to_phys for direct-map addresses: `pa = va - PAGE_OFFSET`, then, if the pfn's
   * section is REMAPPED, through its table, which may answer a frame of another
   * shard. A removed section that is still REMAPPED answers only for its
   * relocated pages. Misses give BAD_ADDRESS.
   */
  virtToPhys(vas: BigUint64Array): TranslateResult;
  /**
   * phys_to_virt: a frame that received a relocated page (of this window or,
   * by remapIn, of another shard) maps to that page's old direct-map address;
   * a frame whose own page was relocated away has no mapping
   * (BAD_ADDRESS); any other present frame maps to `pa + PAGE_OFFSET`.
   */
  physToVirt(pas: BigUint64Array): TranslateResult;
  /**
   * Buffers for batches of `n` addresses (an integer up to
   * MAX_TRANSLATE_BATCH, else E_ARG; E_FULL if the engine cannot grow by
   * them), owned by the engine so that a batch crosses no copy: in the WASM
   * engine they are views of its memory; through a worker, views of the
   * worker engine's shared memory where the platform shares memory with
   * workers (Node; cross-origin-isolated pages), else buffers of the caller's
   * side that each in-place call copies across. A request no larger than the
   * buffers already handed out gets views of the same ones, contents kept; a
   * larger one gets fresh, zeroed buffers and the old ones must not be used
   * again. On the WASM engine without shared memory, any call that grows
   * its memory detaches them: ask again after such a call.
   */
  translateBuffers(n: number): TranslateBuffers;
  /**
   * virtToPhys of the first `n` addresses of the buffers' input, written to
   * their output. `n` larger than the buffers handed out: E_ARG.
   */
  virtToPhysInPlace(n: number): TranslateCounts;
  /** physToVirt of the first `n` addresses of the buffers' input, written to their output (as virtToPhysInPlace). */
  physToVirtInPlace(n: number): TranslateCounts;

  // ---- self checks ----------------------------------------------------------

  /** Check every internal invariant; throws EngineError E_INVARIANT naming the first broken one. */
  validate(): void;
  /** Bytes of memory the shard's state uses. */
  bytesUsed(): number;
}

// ---- engines as the model holds them ------------------------------------------

/**
 * An engine whose results may or may not be promises: the in-thread engines
 * (WASM and reference) answer at once, the worker client with promises.
 * Callers that `await` every call use all of them alike.
 */
export type ShardEngine = {
  [K in keyof EngineApi]: (...args: Parameters<EngineApi[K]>) => ReturnType<EngineApi[K]> | Promise<ReturnType<EngineApi[K]>>;
};

/** Which engine a user asks for; the composition roots turn it into an {@link EngineFactory}. */
export interface EngineChoice {
  /** 'wasm' (default) or 'reference': the WASM engine or the plain-TypeScript oracle. */
  engine?: 'wasm' | 'reference';
  /** Run each shard's engine in its own worker thread (default false; WASM only). */
  worker?: boolean;
}

/**
 * Builds one engine shard over a window. The model is given one of these and
 * never chooses an engine itself; the composition roots (the package entry
 * and the CLI entry) pick the WASM engine, the reference or a worker.
 * `E` narrows the result for callers that need a synchronous engine.
 */
export type EngineFactory<E extends ShardEngine = ShardEngine> = (opts: EngineOptions) => Promise<E>;

