/**
 * The reference engine: a plain, dense TypeScript implementation of
 * {@link EngineApi}. It is the oracle the WASM engine is tested against, so it
 * is written to be obviously right rather than fast or small.
 */
import {
  ALL_CLASSES,
  BAD_ADDRESS,
  MAX_NID,
  MAX_PHYS_PFN,
  MAX_TRANSLATE_BATCH,
  MAX_READ_CLASSES_PAGES,
  MAX_SCAN_RUNS,
  MAX_WINDOW_PAGES,
  MIGRATETYPE_MASK,
  NO_CLASS,
  NO_TAG,
  NO_ZONE,
  NR_PAGE_CLASSES,
  PAGEBLOCK_ISOLATE,
  PAGEBLOCKS_PER_SECTION,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PAGE_OFFSET,
  PAGE_SIZE,
  PAGE_SHIFT,
  ClaimMode,
  SECTION_FLAGS_SETTABLE,
  SECTION_WORD_NID_SHIFT,
  SECTION_WORD_ZONE_SHIFT,
  ScanStatus,
  SectionFlag,
} from '../contract/constants.js';
import { EngineError } from '../contract/errors.js';
import { argName, checkArgTypes, type OpName } from '../contract/ops.js';
import { pageblockOrder } from '../contract/permute.js';
import type {
  ClassCounts,
  ClassMask,
  EngineApi,
  EngineInfo,
  EngineOptions,
  PageClassId,
  RemapCount,
  RetagResult,
  ScanResult,
  ScanSummary,
  TranslateBuffers,
  TranslateCounts,
  TranslateResult,
} from '../contract/engine-api.js';

/** Largest span readClasses() returns in one call. */
/** Number of Migratetype values (UNMOVABLE, MOVABLE, RECLAIMABLE). */
const NR_MIGRATETYPES = 3;
/** Every bit a pageblock tag can hold: the migratetype and MIGRATE_ISOLATE. */
const TAG_BITS = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;
/** Largest zone id readSections() can carry (NO_ZONE included). */
const MAX_ZONE_ID = NO_ZONE;
/** Nominal bytes one remap pair costs in the two maps, for bytesUsed(). */
const BYTES_PER_REMAP_PAIR = 32;

const PAGE_SHIFT_BIG = BigInt(PAGE_SHIFT);
const PAGE_OFFSET_MASK_BIG = (1n << PAGE_SHIFT_BIG) - 1n;
const U64_MASK = (1n << 64n) - 1n;

/** An integer in [0, max]. */
function isIntUpTo(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= max;
}

function isCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * The reference engine for one shard window `[basePfn, basePfn + nrPages)`.
 *
 * State, dense and per section (a section that is not present holds `null`):
 * one class byte per page, one tag byte per pageblock, and per window section
 * its flags, zone and node. Remapping is a set of `(oldPfn, newPfn)` pairs
 * kept in two maps, forward (old page to the frame that now holds it) and
 * reverse (frame to the old page it holds). The only cache is the per-section
 * page count of each class; {@link RefEngine.validate} recounts it.
 *
 * Rules this implementation fixes where `src/contract/engine-api.ts` leaves a choice (the
 * WASM engine follows the same ones):
 *
 * Argument checks, in this order, and the first failure throws:
 * 0. every argument has its kind's JavaScript type (`checkArgTypes` in
 *    `src/contract/ops.ts`: numbers, a boolean for setIsolate, a
 *    BigUint64Array for translation batches), else E_ARG naming the first
 *    that does not;
 * 1. a `[startPfn, endPfn)` range, as the contract header says: E_ARG startPfn,
 *    E_ARG endPfn (each must be a finite non-negative safe integer), E_RANGE
 *    startPfn, E_RANGE endPfn, E_ORDER endPfn (the `(start, count)` forms
 *    below follow the same ladder);
 * 2. section alignment where required (E_ALIGN startPfn, then endPfn);
 * 3. the other arguments in parameter order: a count (claim's nrPages,
 *    claimTagged's maxPerPageblock, retagPageblocks' maxBlocks and minGood)
 *    that is not a non-negative safe integer is E_ARG; a class that is not an integer
 *    in `[0, NR_PAGE_CLASSES)` is E_CLASS; any other bad value is E_ARG naming
 *    it (masks within ALL_CLASSES, tag masks and values within the tag bits
 *    0..7, migratetypes 0..2, node ids 0..MAX_NID, zone ids 0..255, section
 *    flags within SECTION_FLAGS_SETTABLE, claim mode LOWEST or
 *    RANDOM_PAGEBLOCK, maxRuns an integer >= 1, then the masks of migrateScan
 *    must not intersect: E_ARG unmovableMask);
 * 4. state: E_NOT_PRESENT naming the range's start argument, E_EXISTS,
 *    E_NOSPC (nrPages). (The WASM engine's E_FULL comes after all of these;
 *    this engine never runs out of space.)
 * `claim`'s seed is not checked beyond its type: it is used as `seed >>> 0`.
 * Window options: E_ARG basePfn / nrPages, E_ALIGN basePfn / nrPages, E_RANGE nrPages (0 or above 2^32), E_RANGE
 * basePfn (window end past 2^53), E_ARG maxBytes (given but not a positive
 * integer); the value of maxBytes is otherwise ignored.
 *
 * Range shapes:
 * - The `(start, count)` reads check E_ARG on each, then E_RANGE on the start
 *   if it lies outside `[windowStart, windowEnd]` (the end itself is allowed,
 *   for an empty read), then E_RANGE on the count if the span passes the
 *   window end: `readClasses(startPfn, nrPages)` (nrPages above 2^24 is E_ARG),
 *   `readPageblockTags(startPfn, nrPageblocks)` (the span starts at the
 *   pageblock holding startPfn) and `readSections(startSectionNr, count)`
 *   (absolute section numbers, within the window's sections).
 * - `remap(oldStartPfn, nrPages, newStartPfn)`: E_ARG in parameter order;
 *   E_RANGE oldStartPfn if `[oldStartPfn, oldStartPfn + nrPages)` is not inside
 *   the window, E_RANGE newStartPfn likewise; E_NOT_PRESENT oldStartPfn /
 *   newStartPfn; E_EXISTS newStartPfn.
 * - `remapOut(oldStartPfn, nrPages, newStartPfn)`: E_ARG in parameter order;
 *   E_RANGE oldStartPfn as remap; E_RANGE newStartPfn unless newStartPfn is
 *   oldStartPfn or `[newStartPfn, newStartPfn + nrPages)` is far (ends at or
 *   below MAX_PHYS_PFN and, when not empty, misses the window); then, for
 *   nrPages > 0, E_NOT_PRESENT oldStartPfn.
 * - `remapIn(newStartPfn, nrPages, oldStartPfn)`: E_ARG in parameter order;
 *   E_RANGE newStartPfn if the frames are not inside the window; E_RANGE
 *   oldStartPfn unless the pages are far or oldStartPfn is newStartPfn; then,
 *   for nrPages > 0, E_NOT_PRESENT newStartPfn, E_EXISTS newStartPfn (not
 *   when forgetting).
 * - An empty range passes the checks (an empty `[windowEnd, windowEnd)` too)
 *   and changes nothing. `claim` of 0 pages returns 0.
 * - `setClass`, `setSectionFlags`, `setSectionNode`, `setSectionZone`,
 *   `setMigratetype`, `setIsolate` need every section they touch present.
 *   The reads, `claim`, `claimTagged`, `migrateScan`, `countPageblocks`,
 *   `countTagged`, `retagPageblocks`, `clearRemap` and `countRemapped` do
 *   not: sections that are not present are skipped.
 *
 * Claim: RANDOM_PAGEBLOCK numbers the pageblocks that intersect the range
 * from the lowest (index 0) up, whether present or not, visits them in the
 * order of `pageblockOrder(count, seed)` and takes the `fromCls` pages of
 * each that lie inside the range, lowest first. `fromCls === toCls` is allowed.
 * claimTagged is the same walk over the same numbering, skipping pageblocks
 * whose tag does not match and taking from each at most what it offers (its
 * fromCls pages in the range, capped at maxPerPageblock).
 *
 * Migration scan: contiguous movable pages form one run, across pageblock and
 * present-section edges. When `maxRuns` runs are held and a movable page
 * would start another, the scan stops with MORE at that page.
 *
 * Translation (addresses are u64; sums wrap modulo 2^64 like u64 arithmetic).
 * The forward map holds pages of the window (to frames anywhere), the
 * reverse map frames of the window (holding pages from anywhere). An entry
 * whose other end lies in the window is half of a NEAR pair, held in both
 * maps; an entry whose other end lies outside is FAR, held in one map only
 * (its other half belongs to another shard).
 * - remap: the frames `[newStartPfn, +nrPages)` must have no reverse entry yet,
 *   near or far (else E_EXISTS newStartPfn, checked before anything changes).
 *   For each old page, its previous forward entry is dropped first (with its
 *   reverse entry, when near), then the pair (old, new) is added; the
 *   sections of the old pages become REMAPPED. Remapping a page onto its own
 *   frame is allowed (an identity pair).
 * - remapOut: for each old page, its previous forward entry is dropped as in
 *   remap, then the far entry (old, new) is added, or none when newStartPfn
 *   is oldStartPfn (the page is home); the sections become REMAPPED. Far
 *   frames are not checked.
 * - remapIn: the frames must have no reverse entry yet (E_EXISTS
 *   newStartPfn); each gets the far entry (frame, old). No flag changes.
 *   With oldStartPfn === newStartPfn the frames drop their far entries
 *   instead (near ones stay), the undo of a remapIn.
 * - clearRemap: every section intersecting the range loses REMAPPED and every
 *   forward entry of a page in it (with its reverse entry, when near), and
 *   every far reverse entry of a frame in it. Near pairs whose frame lies in
 *   it and whose page lies outside stay.
 * - removeSections: drops every pair whose near frame lies in a removed
 *   section, and every far reverse entry of a frame in one; a page in a
 *   surviving section whose frame was removed translates through identity
 *   again (its section stays REMAPPED). A page of a removed section keeps a
 *   pair whose frame survives (near or far), and its section stays REMAPPED
 *   while it holds one; addSections over such a section is E_EXISTS.
 * - countRemapped: `pages`, forward entries of pages in the range whose frame
 *   is not the page's own; `sections`, REMAPPED sections intersecting it.
 * - virtToPhys: `va < PAGE_OFFSET`, a pfn outside the window, or in a
 *   section that is not present unless the page has a pair: miss
 *   (BAD_ADDRESS). Section not REMAPPED: fast,
 *   `va - PAGE_OFFSET`. Otherwise slow: through the pair of that page, or
 *   identity if it has none.
 * - physToVirt: a frame outside the window or in a section that is not
 *   present: miss. A frame with a reverse entry: slow, the old page's
 *   direct-map address (same offset in page). A frame of a REMAPPED section
 *   whose own page moved elsewhere (a non-identity pair) and that holds no
 *   relocated page: miss (BAD_ADDRESS). Any other frame of a REMAPPED section:
 *   slow, `pa + PAGE_OFFSET`. Any other frame: fast, `pa + PAGE_OFFSET`.
 */
export class RefEngine implements EngineApi {
  readonly #basePfn: number;
  /** The direct-map base: va = pa + pageOffset. */
  readonly #pageOffset: bigint;
  readonly #nrPages: number;
  readonly #endPfn: number;
  readonly #nrSections: number;
  readonly #baseSectionNr: number;

  /** Class of each page, per window section; null while the section is not present. */
  readonly #classes: (Uint8Array | null)[];
  /** Tag of each pageblock, per window section; null while the section is not present. */
  readonly #tags: (Uint8Array | null)[];
  /** Cache: pages of each class, per window section. */
  readonly #classCounts: (Uint32Array | null)[];
  readonly #sectionFlags: Uint8Array;
  readonly #sectionZone: Uint8Array;
  readonly #sectionNid: Uint16Array;
  /** Old pfn (in the window) → frame that now holds the page (anywhere). */
  readonly #forward = new Map<number, number>();
  /** The zero-copy translation buffers handed out (plain arrays here: there is no other memory to view). */
  #translateInput = new BigUint64Array(0);
  #classesBuffer = new Uint8Array(0);
  #runsBuffer = new Float64Array(0);
  #translateOutput = new BigUint64Array(0);
  /** Frame (in the window) → old pfn of the page it holds (anywhere). */
  readonly #reverse = new Map<number, number>();

  constructor(opts: EngineOptions) {
    const op = 'createRefEngine';
    const { basePfn, nrPages } = opts;
    if (!isCount(basePfn)) throw new EngineError('E_ARG', op, 'basePfn');
    if (!isCount(nrPages)) throw new EngineError('E_ARG', op, 'nrPages');
    if (basePfn % PAGES_PER_SECTION !== 0) throw new EngineError('E_ALIGN', op, 'basePfn');
    if (nrPages % PAGES_PER_SECTION !== 0) throw new EngineError('E_ALIGN', op, 'nrPages');
    if (nrPages === 0 || nrPages > MAX_WINDOW_PAGES) throw new EngineError('E_RANGE', op, 'nrPages');
    if (!Number.isSafeInteger(basePfn + nrPages)) throw new EngineError('E_RANGE', op, 'basePfn');
    // maxBytes is checked like the WASM engine checks it, then ignored: this
    // engine never runs out of table space.
    const { maxBytes } = opts;
    if (maxBytes !== undefined && (!(maxBytes > 0) || Math.floor(maxBytes) !== maxBytes)) {
      throw new EngineError('E_ARG', op, 'maxBytes');
    }
    const pageOffset: unknown = opts.pageOffset ?? PAGE_OFFSET;
    if (typeof pageOffset !== 'bigint' || pageOffset < 2n ** 63n || pageOffset >= 2n ** 64n || pageOffset % BigInt(PAGE_SIZE) !== 0n) {
      throw new EngineError('E_ARG', op, 'pageOffset');
    }
    this.#pageOffset = pageOffset;
    this.#basePfn = basePfn;
    this.#nrPages = nrPages;
    this.#endPfn = basePfn + nrPages;
    this.#nrSections = nrPages / PAGES_PER_SECTION;
    this.#baseSectionNr = basePfn / PAGES_PER_SECTION;
    this.#classes = new Array<Uint8Array | null>(this.#nrSections).fill(null);
    this.#tags = new Array<Uint8Array | null>(this.#nrSections).fill(null);
    this.#classCounts = new Array<Uint32Array | null>(this.#nrSections).fill(null);
    this.#sectionFlags = new Uint8Array(this.#nrSections);
    this.#sectionZone = new Uint8Array(this.#nrSections);
    this.#sectionNid = new Uint16Array(this.#nrSections);
  }

  info(): EngineInfo {
    return { basePfn: this.#basePfn, nrPages: this.#nrPages, nrSections: this.#nrSections, pageOffset: this.#pageOffset };
  }

  // ---- sections -------------------------------------------------------------

  addSections(startPfn: number, endPfn: number, nid: number, cls: PageClassId, mt: number, flags: number): void {
    checkArgTypes('addSections', arguments);
    const op = 'addSections';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkSectionAligned(op, startPfn, endPfn);
    this.#checkNid(op, nid);
    this.#checkClass(op, 'cls', cls);
    this.#checkMigratetype(op, mt);
    this.#checkSettableFlags(op, 'flags', flags);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) {
      if (this.#isPresent(s)) {
        throw new EngineError('E_EXISTS', op, 'startPfn', `section ${this.#baseSectionNr + s} is already present`);
      }
      if (this.#isRemapped(s)) {
        throw new EngineError('E_EXISTS', op, 'startPfn', `section ${this.#baseSectionNr + s} was removed, but its direct map still reaches relocated pages`);
      }
    }
    for (let s = first; s < last; s++) {
      this.#classes[s] = new Uint8Array(PAGES_PER_SECTION).fill(cls);
      this.#tags[s] = new Uint8Array(PAGEBLOCKS_PER_SECTION).fill(mt);
      const counts = new Uint32Array(NR_PAGE_CLASSES);
      counts[cls] = PAGES_PER_SECTION;
      this.#classCounts[s] = counts;
      this.#sectionFlags[s] = SectionFlag.PRESENT | flags;
      this.#sectionZone[s] = NO_ZONE;
      this.#sectionNid[s] = nid;
    }
  }

  removeSections(startPfn: number, endPfn: number): void {
    checkArgTypes('removeSections', arguments);
    const op = 'removeSections';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkSectionAligned(op, startPfn, endPfn);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    if (first === last) return;
    // A pair whose frame is removed goes; a removed page whose frame survives
    // keeps its pair (its direct-map address still reaches it).
    for (const [oldPfn, newPfn] of [...this.#forward]) {
      if (newPfn >= startPfn && newPfn < endPfn) this.#dropPair(oldPfn);
    }
    this.#dropFarReverse(startPfn, endPfn);
    for (let s = first; s < last; s++) {
      this.#classes[s] = null;
      this.#tags[s] = null;
      this.#classCounts[s] = null;
      this.#sectionFlags[s] &= SectionFlag.REMAPPED;
      this.#sectionZone[s] = 0;
      this.#sectionNid[s] = 0;
    }
    // Removed sections stay REMAPPED while one of their pages keeps a pair.
    const kept = new Set<number>();
    for (const oldPfn of this.#forward.keys()) kept.add(this.#sectionIndexOf(oldPfn));
    for (let s = 0; s < this.#nrSections; s++) {
      if (!this.#isPresent(s) && !kept.has(s)) this.#sectionFlags[s] = 0;
    }
  }

  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): void {
    checkArgTypes('setSectionFlags', arguments);
    const op = 'setSectionFlags';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkSettableFlags(op, 'setMask', setMask);
    this.#checkSettableFlags(op, 'clearMask', clearMask);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) {
      this.#sectionFlags[s] = (this.#sectionFlags[s] | setMask) & ~clearMask;
    }
  }

  setSectionNode(startPfn: number, endPfn: number, nid: number): void {
    checkArgTypes('setSectionNode', arguments);
    const op = 'setSectionNode';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkNid(op, nid);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) this.#sectionNid[s] = nid;
  }

  setSectionZone(startPfn: number, endPfn: number, zone: number): void {
    checkArgTypes('setSectionZone', arguments);
    const op = 'setSectionZone';
    this.#checkRange(op, startPfn, endPfn);
    if (!Number.isInteger(zone) || zone < 0 || zone > MAX_ZONE_ID) throw new EngineError('E_ARG', op, 'zone');
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) this.#sectionZone[s] = zone;
  }

  readSections(startSectionNr: number, count: number): Uint32Array {
    checkArgTypes('readSections', arguments);
    const op = 'readSections';
    if (!isCount(startSectionNr)) throw new EngineError('E_ARG', op, 'startSectionNr');
    if (!isCount(count)) throw new EngineError('E_ARG', op, 'count');
    const endSectionNr = this.#baseSectionNr + this.#nrSections;
    if (startSectionNr < this.#baseSectionNr || startSectionNr > endSectionNr) {
      throw new EngineError('E_RANGE', op, 'startSectionNr');
    }
    if (startSectionNr + count > endSectionNr) throw new EngineError('E_RANGE', op, 'count');
    const out = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const s = startSectionNr - this.#baseSectionNr + i;
      if (!this.#isPresent(s)) continue;
      out[i] =
        (this.#sectionFlags[s] |
          (this.#sectionZone[s] << SECTION_WORD_ZONE_SHIFT) |
          (this.#sectionNid[s] << SECTION_WORD_NID_SHIFT)) >>>
        0;
    }
    return out;
  }

  // ---- page state -----------------------------------------------------------

  setClass(startPfn: number, endPfn: number, cls: PageClassId): void {
    checkArgTypes('setClass', arguments);
    const op = 'setClass';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkClass(op, 'cls', cls);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const classes = this.#classes[s]!;
      const counts = this.#classCounts[s]!;
      for (let i = from; i < to; i++) counts[classes[i]]--;
      classes.fill(cls, from, to);
      counts[cls] += to - from;
    });
  }

  countClasses(startPfn: number, endPfn: number): ClassCounts {
    checkArgTypes('countClasses', arguments);
    this.#checkRange('countClasses', startPfn, endPfn);
    return this.#countClasses(startPfn, endPfn);
  }

  count(startPfn: number, endPfn: number, mask: ClassMask): number {
    checkArgTypes('count', arguments);
    const op = 'count';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkClassMask(op, 'mask', mask);
    const counts = this.#countClasses(startPfn, endPfn);
    let total = 0;
    for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) {
      if (mask & (1 << cls)) total += counts[cls];
    }
    return total;
  }

  countTagged(startPfn: number, endPfn: number, mask: ClassMask, tagMask: number, tagValue: number): number {
    checkArgTypes('countTagged', arguments);
    const op = 'countTagged';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkClassMask(op, 'mask', mask);
    this.#checkTagBits(op, 'tagMask', tagMask);
    this.#checkTagBits(op, 'tagValue', tagValue);
    let total = 0;
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const classes = this.#classes[s];
      const tags = this.#tags[s];
      if (classes === null || tags === null) return;
      for (let i = from; i < to; i++) {
        if (mask & (1 << classes[i]) && (tags[Math.floor(i / PAGES_PER_PAGEBLOCK)] & tagMask) === tagValue) total++;
      }
    });
    return total;
  }

  findNext(startPfn: number, endPfn: number, mask: ClassMask): number {
    checkArgTypes('findNext', arguments);
    const op = 'findNext';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkClassMask(op, 'mask', mask);
    let found = -1;
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const classes = this.#classes[s];
      if (classes === null || !this.#sectionHasClassIn(s, mask)) return;
      for (let i = from; i < to; i++) {
        if (mask & (1 << classes[i])) {
          found = this.#pfnOf(s, i);
          return 'stop';
        }
      }
    });
    return found;
  }

  readClasses(startPfn: number, nrPages: number): Uint8Array {
    checkArgTypes('readClasses', arguments);
    return this.#readClasses('readClasses', startPfn, nrPages, MAX_READ_CLASSES_PAGES);
  }

  classesBuffer(nrPages: number): Uint8Array {
    checkArgTypes('classesBuffer', arguments);
    if (!isIntUpTo(nrPages, MAX_READ_CLASSES_PAGES)) throw new EngineError('E_ARG', 'classesBuffer', 'nrPages');
    if (nrPages > this.#classesBuffer.length) this.#classesBuffer = new Uint8Array(nrPages);
    return this.#classesBuffer.subarray(0, nrPages);
  }

  readClassesInPlace(startPfn: number, nrPages: number): void {
    checkArgTypes('readClassesInPlace', arguments);
    this.#classesBuffer.set(this.#readClasses('readClassesInPlace', startPfn, nrPages, this.#classesBuffer.length));
  }

  /** readClasses with nrPages at most `limit`. */
  #readClasses(op: OpName, startPfn: number, nrPages: number, limit: number): Uint8Array {
    if (!isCount(startPfn)) throw new EngineError('E_ARG', op, 'startPfn');
    if (!isCount(nrPages) || nrPages > limit) throw new EngineError('E_ARG', op, 'nrPages');
    if (startPfn < this.#basePfn || startPfn > this.#endPfn) throw new EngineError('E_RANGE', op, 'startPfn');
    if (startPfn + nrPages > this.#endPfn) throw new EngineError('E_RANGE', op, 'nrPages');
    const out = new Uint8Array(nrPages).fill(NO_CLASS);
    this.#forEachSectionSlice(startPfn, startPfn + nrPages, (s, from, to) => {
      const classes = this.#classes[s];
      if (classes === null) return;
      out.set(classes.subarray(from, to), this.#pfnOf(s, from) - startPfn);
    });
    return out;
  }

  claim(
    startPfn: number,
    endPfn: number,
    nrPages: number,
    fromCls: PageClassId,
    toCls: PageClassId,
    mode: number,
    seed: number,
  ): number {
    checkArgTypes('claim', arguments);
    const op = 'claim';
    this.#checkClaim(op, startPfn, endPfn, nrPages, fromCls, toCls, mode);
    const available = this.#countClasses(startPfn, endPfn)[fromCls];
    if (available < nrPages) {
      throw new EngineError('E_NOSPC', op, 'nrPages', `${available} pages of class ${fromCls} in the range`);
    }
    if (nrPages === 0) return 0;

    let remaining = nrPages;
    let highestPfn = -1;
    /** Takes the fromCls pages of `[fromPfn, toPfn)`, lowest first, until none remain to take. */
    const takeFrom = (fromPfn: number, toPfn: number): void => {
      this.#forEachSectionSlice(fromPfn, toPfn, (s, from, to) => {
        const classes = this.#classes[s];
        if (remaining === 0 || classes === null) return;
        const counts = this.#classCounts[s]!;
        for (let i = from; i < to && remaining > 0; i++) {
          if (classes[i] !== fromCls) continue;
          classes[i] = toCls;
          counts[fromCls]--;
          counts[toCls]++;
          remaining--;
          highestPfn = Math.max(highestPfn, this.#pfnOf(s, i));
        }
      });
    };

    if (mode === ClaimMode.LOWEST) {
      takeFrom(startPfn, endPfn);
    } else {
      const firstBlockPfn = startPfn - (startPfn % PAGES_PER_PAGEBLOCK);
      const nrPageblocks = Math.ceil((endPfn - firstBlockPfn) / PAGES_PER_PAGEBLOCK);
      for (const k of pageblockOrder(nrPageblocks, seed >>> 0)) {
        const blockStartPfn = firstBlockPfn + k * PAGES_PER_PAGEBLOCK;
        takeFrom(Math.max(blockStartPfn, startPfn), Math.min(blockStartPfn + PAGES_PER_PAGEBLOCK, endPfn));
        if (remaining === 0) break;
      }
    }
    if (remaining !== 0) throw new EngineError('E_INVARIANT', op, undefined, 'claim ran out of pages after counting them');
    return highestPfn + 1;
  }

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
  ): number {
    checkArgTypes('claimTagged', arguments);
    const op = 'claimTagged';
    this.#checkClaim(op, startPfn, endPfn, nrPages, fromCls, toCls, mode);
    this.#checkTagBits(op, 'tagMask', tagMask);
    this.#checkTagBits(op, 'tagValue', tagValue);
    if (!isCount(maxPerPageblock)) throw new EngineError('E_ARG', op, 'maxPerPageblock');
    const limit = maxPerPageblock === 0 ? Infinity : maxPerPageblock;

    // Every pageblock intersecting the range, numbered from the lowest as claim numbers them.
    const firstBlockPfn = startPfn - (startPfn % PAGES_PER_PAGEBLOCK);
    const nrPageblocks = endPfn > startPfn ? Math.ceil((endPfn - firstBlockPfn) / PAGES_PER_PAGEBLOCK) : 0;
    /** The part of pageblock k inside the range, and its fromCls pages in it, lowest first (none if not eligible). */
    const eligiblePages = (k: number): number[] => {
      const blockStartPfn = firstBlockPfn + k * PAGES_PER_PAGEBLOCK;
      const s = this.#sectionIndexOf(blockStartPfn);
      const classes = this.#classes[s];
      const tags = this.#tags[s];
      if (classes === null || tags === null) return [];
      if ((tags[this.#pageblockIndexInSection(blockStartPfn)] & tagMask) !== tagValue) return [];
      const pfns: number[] = [];
      const fromPfn = Math.max(blockStartPfn, startPfn);
      const toPfn = Math.min(blockStartPfn + PAGES_PER_PAGEBLOCK, endPfn);
      for (let pfn = fromPfn; pfn < toPfn; pfn++) {
        if (classes[pfn - this.#pfnOf(s, 0)] === fromCls) pfns.push(pfn);
      }
      return pfns;
    };
    let available = 0;
    for (let k = 0; k < nrPageblocks; k++) available += Math.min(eligiblePages(k).length, limit);
    if (available < nrPages) {
      throw new EngineError('E_NOSPC', op, 'nrPages', `${available} pages of class ${fromCls} can be taken under the tag filter and limit`);
    }
    if (nrPages === 0) return 0;

    const order = mode === ClaimMode.LOWEST ? Array.from({ length: nrPageblocks }, (_, k) => k) : pageblockOrder(nrPageblocks, seed >>> 0);
    let remaining = nrPages;
    let highestPfn = -1;
    for (const k of order) {
      const offered = eligiblePages(k).slice(0, Math.min(limit, remaining));
      for (const pfn of offered) {
        const s = this.#sectionIndexOf(pfn);
        const counts = this.#classCounts[s]!;
        this.#classes[s]![pfn - this.#pfnOf(s, 0)] = toCls;
        counts[fromCls]--;
        counts[toCls]++;
        highestPfn = Math.max(highestPfn, pfn);
      }
      remaining -= offered.length;
      if (remaining === 0) break;
    }
    if (remaining !== 0) throw new EngineError('E_INVARIANT', op, undefined, 'claimTagged ran out of pages after counting them');
    return highestPfn + 1;
  }

  migrateScan(
    startPfn: number,
    endPfn: number,
    movableMask: ClassMask,
    unmovableMask: ClassMask,
    maxRuns: number,
  ): ScanResult {
    checkArgTypes('migrateScan', arguments);
    return this.#migrateScan('migrateScan', startPfn, endPfn, movableMask, unmovableMask, maxRuns, Infinity);
  }

  runsBuffer(maxRuns: number): Float64Array {
    checkArgTypes('runsBuffer', arguments);
    if (!isIntUpTo(maxRuns, MAX_SCAN_RUNS)) throw new EngineError('E_ARG', 'runsBuffer', 'maxRuns');
    if (2 * maxRuns > this.#runsBuffer.length) this.#runsBuffer = new Float64Array(2 * maxRuns);
    return this.#runsBuffer.subarray(0, 2 * maxRuns);
  }

  migrateScanInPlace(startPfn: number, endPfn: number, movableMask: ClassMask, unmovableMask: ClassMask, maxRuns: number): ScanSummary {
    checkArgTypes('migrateScanInPlace', arguments);
    const limit = this.#runsBuffer.length / 2;
    const { runs, ...summary } = this.#migrateScan('migrateScanInPlace', startPfn, endPfn, movableMask, unmovableMask, maxRuns, limit);
    this.#runsBuffer.set(runs);
    return { ...summary, nrRuns: runs.length / 2 };
  }

  /** migrateScan with maxRuns at most `maxRunsLimit` (checked after migrateScan's own checks). */
  #migrateScan(
    op: OpName,
    startPfn: number,
    endPfn: number,
    movableMask: ClassMask,
    unmovableMask: ClassMask,
    maxRuns: number,
    maxRunsLimit: number,
  ): ScanResult {
    this.#checkRange(op, startPfn, endPfn);
    this.#checkClassMask(op, 'movableMask', movableMask);
    this.#checkClassMask(op, 'unmovableMask', unmovableMask);
    if ((movableMask & unmovableMask) !== 0) {
      throw new EngineError('E_ARG', op, 'unmovableMask', 'the movable and unmovable masks intersect');
    }
    if (!Number.isSafeInteger(maxRuns) || maxRuns < 1) throw new EngineError('E_ARG', op, 'maxRuns');
    if (maxRuns > maxRunsLimit) throw new EngineError('E_ARG', op, 'maxRuns');

    const runs: number[] = [];
    let movablePages = 0;
    let status: number = ScanStatus.DONE;
    let nextPfn = endPfn;
    let unmovablePfn = -1;
    const interesting = movableMask | unmovableMask;
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const classes = this.#classes[s];
      if (status !== ScanStatus.DONE || classes === null || !this.#sectionHasClassIn(s, interesting)) return;
      for (let i = from; i < to; i++) {
        const bit = 1 << classes[i];
        const pfn = this.#pfnOf(s, i);
        if (bit & unmovableMask) {
          status = ScanStatus.UNMOVABLE;
          nextPfn = pfn;
          unmovablePfn = pfn;
          return;
        }
        if (!(bit & movableMask)) continue;
        const nrRuns = runs.length / 2;
        const extendsLastRun = nrRuns > 0 && runs[2 * nrRuns - 2] + runs[2 * nrRuns - 1] === pfn;
        if (extendsLastRun) {
          runs[2 * nrRuns - 1]++;
        } else if (nrRuns === maxRuns) {
          status = ScanStatus.MORE;
          nextPfn = pfn;
          return;
        } else {
          runs.push(pfn, 1);
        }
        movablePages++;
      }
    });
    return { status, nextPfn, unmovablePfn, movablePages, runs: Float64Array.from(runs) };
  }

  // ---- pageblock tags -------------------------------------------------------

  setMigratetype(startPfn: number, endPfn: number, mt: number): void {
    checkArgTypes('setMigratetype', arguments);
    const op = 'setMigratetype';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkMigratetype(op, mt);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    this.#forEachPageblock(startPfn, endPfn, (tags, b) => {
      tags[b] = (tags[b] & ~MIGRATETYPE_MASK) | mt;
    });
  }

  setIsolate(startPfn: number, endPfn: number, isolate: boolean): void {
    checkArgTypes('setIsolate', arguments);
    const op = 'setIsolate';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkAllPresent(op, 'startPfn', startPfn, endPfn);
    this.#forEachPageblock(startPfn, endPfn, (tags, b) => {
      tags[b] = isolate ? tags[b] | PAGEBLOCK_ISOLATE : tags[b] & ~PAGEBLOCK_ISOLATE;
    });
  }

  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number {
    checkArgTypes('countPageblocks', arguments);
    const op = 'countPageblocks';
    this.#checkRange(op, startPfn, endPfn);
    this.#checkTagBits(op, 'mask', mask);
    this.#checkTagBits(op, 'value', value);
    let total = 0;
    this.#forEachPageblock(startPfn, endPfn, (tags, b) => {
      if ((tags[b] & mask) === value) total++;
    });
    return total;
  }

  retagPageblocks(
    startPfn: number,
    endPfn: number,
    maxBlocks: number,
    tagMask: number,
    tagValue: number,
    newMt: number,
    goodMask: ClassMask,
    minGood: number,
  ): RetagResult {
    checkArgTypes('retagPageblocks', arguments);
    const op = 'retagPageblocks';
    this.#checkRange(op, startPfn, endPfn);
    if (!isCount(maxBlocks)) throw new EngineError('E_ARG', op, 'maxBlocks');
    this.#checkTagBits(op, 'tagMask', tagMask);
    this.#checkTagBits(op, 'tagValue', tagValue);
    if (!Number.isInteger(newMt) || newMt < 0 || newMt >= NR_MIGRATETYPES) throw new EngineError('E_ARG', op, 'newMt');
    this.#checkClassMask(op, 'goodMask', goodMask);
    if (!isCount(minGood)) throw new EngineError('E_ARG', op, 'minGood');
    let blocks = 0;
    let goodPages = 0;
    // Only pageblocks wholly inside the range: the first one starting at or after startPfn.
    const firstBlockPfn = Math.ceil(startPfn / PAGES_PER_PAGEBLOCK) * PAGES_PER_PAGEBLOCK;
    for (let blockPfn = firstBlockPfn; blockPfn + PAGES_PER_PAGEBLOCK <= endPfn && blocks < maxBlocks; blockPfn += PAGES_PER_PAGEBLOCK) {
      const s = this.#sectionIndexOf(blockPfn);
      const classes = this.#classes[s];
      const tags = this.#tags[s];
      if (classes === null || tags === null) continue;
      const b = this.#pageblockIndexInSection(blockPfn);
      if ((tags[b] & tagMask) !== tagValue) continue;
      let good = 0;
      const first = blockPfn - this.#pfnOf(s, 0);
      for (let i = first; i < first + PAGES_PER_PAGEBLOCK; i++) if (goodMask & (1 << classes[i])) good++;
      if (good < minGood) continue;
      // The migratetype changes; MIGRATE_ISOLATE stays as it was.
      tags[b] = (tags[b] & ~MIGRATETYPE_MASK) | newMt;
      blocks++;
      goodPages += good;
    }
    return { blocks, goodPages };
  }

  readPageblockTags(startPfn: number, nrPageblocks: number): Uint8Array {
    checkArgTypes('readPageblockTags', arguments);
    return this.#perPageblockFrom('readPageblockTags', startPfn, nrPageblocks, NO_TAG, (out, i, s, k) => {
      const tags = this.#tags[s];
      if (tags) out[i] = tags[k];
    });
  }

  readPageblockClasses(startPfn: number, nrPageblocks: number): Uint8Array {
    checkArgTypes('readPageblockClasses', arguments);
    return this.#perPageblockFrom('readPageblockClasses', startPfn, nrPageblocks, 0, (out, i, s, k) => {
      const classes = this.#classes[s];
      if (classes === null) return;
      for (const cls of classes.subarray(k * PAGES_PER_PAGEBLOCK, (k + 1) * PAGES_PER_PAGEBLOCK)) out[i] |= 1 << cls;
    });
  }

  /**
   * The argument checks both per-pageblock reads share; only then the output,
   * one byte per pageblock starting as `fill`, and `visit(out, i, s, k)` for
   * the i-th pageblock from the one holding startPfn: section s, pageblock k in it.
   */
  #perPageblockFrom(
    op: string,
    startPfn: number,
    nrPageblocks: number,
    fill: number,
    visit: (out: Uint8Array, i: number, s: number, k: number) => void,
  ): Uint8Array {
    if (!isCount(startPfn)) throw new EngineError('E_ARG', op, 'startPfn');
    if (!isCount(nrPageblocks)) throw new EngineError('E_ARG', op, 'nrPageblocks');
    if (startPfn < this.#basePfn || startPfn > this.#endPfn) throw new EngineError('E_RANGE', op, 'startPfn');
    const firstBlockPfn = startPfn - (startPfn % PAGES_PER_PAGEBLOCK);
    if (firstBlockPfn + nrPageblocks * PAGES_PER_PAGEBLOCK > this.#endPfn) {
      throw new EngineError('E_RANGE', op, 'nrPageblocks');
    }
    const out = new Uint8Array(nrPageblocks).fill(fill);
    for (let i = 0; i < nrPageblocks; i++) {
      const blockPfn = firstBlockPfn + i * PAGES_PER_PAGEBLOCK;
      visit(out, i, this.#sectionIndexOf(blockPfn), this.#pageblockIndexInSection(blockPfn));
    }
    return out;
  }

  // ---- translation ----------------------------------------------------------

  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    checkArgTypes('remap', arguments);
    const op = 'remap';
    this.#checkCounts(op, arguments);
    if (!this.#inWindow(oldStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'oldStartPfn');
    if (!this.#inWindow(newStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'newStartPfn');
    this.#checkAllPresent(op, 'oldStartPfn', oldStartPfn, oldStartPfn + nrPages);
    this.#checkAllPresent(op, 'newStartPfn', newStartPfn, newStartPfn + nrPages);
    this.#checkFramesFree(op, newStartPfn, nrPages);
    for (let i = 0; i < nrPages; i++) {
      const oldPfn = oldStartPfn + i;
      this.#dropPair(oldPfn);
      this.#forward.set(oldPfn, newStartPfn + i);
      this.#reverse.set(newStartPfn + i, oldPfn);
    }
    this.#markRemapped(oldStartPfn, nrPages);
  }

  remapOut(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    checkArgTypes('remapOut', arguments);
    const op = 'remapOut';
    this.#checkCounts(op, arguments);
    if (!this.#inWindow(oldStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'oldStartPfn');
    const home = newStartPfn === oldStartPfn;
    if (!home && !this.#isFar(newStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'newStartPfn');
    if (nrPages === 0) return;
    this.#checkAllPresent(op, 'oldStartPfn', oldStartPfn, oldStartPfn + nrPages);
    for (let i = 0; i < nrPages; i++) {
      this.#dropPair(oldStartPfn + i);
      if (!home) this.#forward.set(oldStartPfn + i, newStartPfn + i);
    }
    this.#markRemapped(oldStartPfn, nrPages);
  }

  remapIn(newStartPfn: number, nrPages: number, oldStartPfn: number): void {
    checkArgTypes('remapIn', arguments);
    const op = 'remapIn';
    this.#checkCounts(op, arguments);
    if (!this.#inWindow(newStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'newStartPfn');
    const forget = oldStartPfn === newStartPfn;
    if (!forget && !this.#isFar(oldStartPfn, nrPages)) throw new EngineError('E_RANGE', op, 'oldStartPfn');
    if (nrPages === 0) return;
    this.#checkAllPresent(op, 'newStartPfn', newStartPfn, newStartPfn + nrPages);
    if (forget) {
      this.#dropFarReverse(newStartPfn, newStartPfn + nrPages);
      return;
    }
    this.#checkFramesFree(op, newStartPfn, nrPages);
    for (let i = 0; i < nrPages; i++) this.#reverse.set(newStartPfn + i, oldStartPfn + i);
  }

  clearRemap(startPfn: number, endPfn: number): void {
    checkArgTypes('clearRemap', arguments);
    this.#checkRange('clearRemap', startPfn, endPfn);
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    if (first === last) return;
    const clearedStartPfn = this.#pfnOf(first, 0);
    const clearedEndPfn = this.#pfnOf(last, 0);
    for (const oldPfn of [...this.#forward.keys()]) {
      if (oldPfn >= clearedStartPfn && oldPfn < clearedEndPfn) this.#dropPair(oldPfn);
    }
    this.#dropFarReverse(clearedStartPfn, clearedEndPfn);
    for (let s = first; s < last; s++) this.#sectionFlags[s] &= ~SectionFlag.REMAPPED;
  }

  countRemapped(startPfn: number, endPfn: number): RemapCount {
    checkArgTypes('countRemapped', arguments);
    this.#checkRange('countRemapped', startPfn, endPfn);
    let pages = 0;
    for (const [oldPfn, newPfn] of this.#forward) {
      if (oldPfn >= startPfn && oldPfn < endPfn && newPfn !== oldPfn) pages++;
    }
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    let sections = 0;
    for (let s = first; s < last; s++) if (this.#isRemapped(s)) sections++;
    return { pages, sections };
  }

  virtToPhys(vas: BigUint64Array): TranslateResult {
    checkArgTypes('virtToPhys', arguments);
    const out = new BigUint64Array(vas.length);
    let fast = 0;
    let slow = 0;
    let miss = 0;
    for (let i = 0; i < vas.length; i++) {
      const va = vas[i];
      const pfn = va >= this.#pageOffset ? this.#windowPfnOf(va - this.#pageOffset) : -1;
      const gone = pfn >= 0 && !this.#isPresent(this.#sectionIndexOf(pfn));
      if (pfn < 0 || (gone && !this.#forward.has(pfn))) {
        out[i] = BAD_ADDRESS;
        miss++;
        continue;
      }
      const pa = va - this.#pageOffset;
      if (!this.#isRemapped(this.#sectionIndexOf(pfn))) {
        out[i] = pa;
        fast++;
        continue;
      }
      const framePfn = this.#forward.get(pfn) ?? pfn;
      out[i] = (BigInt(framePfn) << PAGE_SHIFT_BIG) | (pa & PAGE_OFFSET_MASK_BIG);
      slow++;
    }
    return { out, fast, slow, miss };
  }

  translateBuffers(n: number): TranslateBuffers {
    checkArgTypes('translateBuffers', arguments);
    if (!isIntUpTo(n, MAX_TRANSLATE_BATCH)) throw new EngineError('E_ARG', 'translateBuffers', 'n');
    if (n > this.#translateInput.length) {
      // As the engine does: a larger batch gets fresh buffers, a smaller one the same.
      this.#translateInput = new BigUint64Array(n);
      this.#translateOutput = new BigUint64Array(n);
    }
    return { input: this.#translateInput.subarray(0, n), output: this.#translateOutput.subarray(0, n) };
  }

  virtToPhysInPlace(n: number): TranslateCounts {
    checkArgTypes('virtToPhysInPlace', arguments);
    return this.#inPlace('virtToPhysInPlace', n, (input) => this.virtToPhys(input));
  }

  physToVirtInPlace(n: number): TranslateCounts {
    checkArgTypes('physToVirtInPlace', arguments);
    return this.#inPlace('physToVirtInPlace', n, (input) => this.physToVirt(input));
  }

  #inPlace(op: OpName, n: number, translate: (input: BigUint64Array) => TranslateResult): TranslateCounts {
    if (!isIntUpTo(n, this.#translateInput.length)) throw new EngineError('E_ARG', op, 'n');
    const { out, fast, slow, miss } = translate(this.#translateInput.subarray(0, n));
    this.#translateOutput.set(out);
    return { fast, slow, miss };
  }

  /** `pa + pageOffset` as a u64 (wrapping like the engine's arithmetic). */
  #directMapAddress(pa: bigint): bigint {
    return (pa + this.#pageOffset) & U64_MASK;
  }

  physToVirt(pas: BigUint64Array): TranslateResult {
    checkArgTypes('physToVirt', arguments);
    const out = new BigUint64Array(pas.length);
    let fast = 0;
    let slow = 0;
    let miss = 0;
    for (let i = 0; i < pas.length; i++) {
      const pa = pas[i];
      const pfn = this.#windowPfnOf(pa);
      if (pfn < 0 || !this.#isPresent(this.#sectionIndexOf(pfn))) {
        out[i] = BAD_ADDRESS;
        miss++;
        continue;
      }
      const heldPfn = this.#reverse.get(pfn);
      if (heldPfn !== undefined) {
        out[i] = this.#directMapAddress((BigInt(heldPfn) << PAGE_SHIFT_BIG) | (pa & PAGE_OFFSET_MASK_BIG));
        slow++;
        continue;
      }
      if (!this.#isRemapped(this.#sectionIndexOf(pfn))) {
        out[i] = this.#directMapAddress(pa);
        fast++;
        continue;
      }
      const movedTo = this.#forward.get(pfn);
      if (movedTo !== undefined && movedTo !== pfn) {
        out[i] = BAD_ADDRESS;
        miss++;
        continue;
      }
      out[i] = this.#directMapAddress(pa);
      slow++;
    }
    return { out, fast, slow, miss };
  }

  // ---- self checks ----------------------------------------------------------

  validate(): void {
    const broken = (what: string): never => {
      throw new EngineError('E_INVARIANT', 'validate', undefined, what);
    };
    for (let s = 0; s < this.#nrSections; s++) {
      const classes = this.#classes[s];
      const tags = this.#tags[s];
      const counts = this.#classCounts[s];
      const flags = this.#sectionFlags[s];
      const present = (flags & SectionFlag.PRESENT) !== 0;
      if (present !== (classes !== null) || present !== (tags !== null) || present !== (counts !== null)) {
        broken(`section ${s}: PRESENT flag disagrees with its page state`);
      }
      if (!present) {
        if ((flags & ~SectionFlag.REMAPPED) !== 0 || this.#sectionZone[s] !== 0 || this.#sectionNid[s] !== 0) {
          broken(`section ${s}: not present but has flags, zone or node`);
        }
        continue;
      }
      if (this.#sectionNid[s] > MAX_NID) broken(`section ${s}: node id out of range`);
      const recount = new Uint32Array(NR_PAGE_CLASSES);
      for (const cls of classes!) {
        if (cls >= NR_PAGE_CLASSES) broken(`section ${s}: page class ${cls} is not a class`);
        recount[cls]++;
      }
      for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) {
        if (recount[cls] !== counts![cls]) broken(`section ${s}: cached count of class ${cls} is stale`);
      }
      for (const tag of tags!) {
        if ((tag & ~TAG_BITS) !== 0 || (tag & MIGRATETYPE_MASK) >= NR_MIGRATETYPES) {
          broken(`section ${s}: illegal pageblock tag ${tag}`);
        }
      }
    }
    for (const [oldPfn, newPfn] of this.#forward) {
      if (!this.#inWindow(oldPfn, 1)) broken(`forward entry of page ${oldPfn} outside the window`);
      if (!this.#isRemapped(this.#sectionIndexOf(oldPfn))) broken(`remapped page ${oldPfn} is in a section not REMAPPED`);
      if (this.#inWindow(newPfn, 1)) {
        if (this.#reverse.get(newPfn) !== oldPfn) broken(`remap pair ${oldPfn} -> ${newPfn} has no reverse entry`);
        if (!this.#isPresent(this.#sectionIndexOf(newPfn))) broken(`frame ${newPfn} of a remap pair is not present`);
      } else if (!this.#isFar(newPfn, 1)) {
        broken(`page ${oldPfn} relocated to frame ${newPfn}, past MAX_PHYS_PFN`);
      }
    }
    for (const [newPfn, oldPfn] of this.#reverse) {
      if (!this.#inWindow(newPfn, 1) || !this.#isPresent(this.#sectionIndexOf(newPfn))) {
        broken(`reverse entry of frame ${newPfn}, not a present frame of the window`);
      }
      if (this.#inWindow(oldPfn, 1)) {
        if (this.#forward.get(oldPfn) !== newPfn) broken(`frame ${newPfn} holds page ${oldPfn}, which is not relocated there`);
      } else if (!this.#isFar(oldPfn, 1)) {
        broken(`frame ${newPfn} holds page ${oldPfn}, past MAX_PHYS_PFN`);
      }
    }
    // A removed section stays REMAPPED exactly while a page of it keeps a pair.
    const kept = new Set<number>();
    for (const [oldPfn, newPfn] of this.#forward) {
      const s = this.#sectionIndexOf(oldPfn);
      if (this.#isPresent(s)) continue;
      if (newPfn === oldPfn) broken(`removed page ${oldPfn} keeps an identity pair`);
      kept.add(s);
    }
    for (let s = 0; s < this.#nrSections; s++) {
      if (this.#isRemapped(s) && !this.#isPresent(s) && !kept.has(s)) broken(`section ${s}: REMAPPED, not present, and no page of it relocated`);
    }
  }

  bytesUsed(): number {
    let bytes = this.#sectionFlags.byteLength + this.#sectionZone.byteLength + this.#sectionNid.byteLength;
    for (let s = 0; s < this.#nrSections; s++) {
      bytes += (this.#classes[s]?.byteLength ?? 0) + (this.#tags[s]?.byteLength ?? 0);
      bytes += this.#classCounts[s]?.byteLength ?? 0;
    }
    return bytes + ((this.#forward.size + this.#reverse.size) * BYTES_PER_REMAP_PAIR) / 2;
  }

  // ---- checks ---------------------------------------------------------------

  #checkRange(op: string, startPfn: number, endPfn: number): void {
    if (!isCount(startPfn)) throw new EngineError('E_ARG', op, 'startPfn');
    if (!isCount(endPfn)) throw new EngineError('E_ARG', op, 'endPfn');
    if (startPfn < this.#basePfn) throw new EngineError('E_RANGE', op, 'startPfn');
    if (endPfn > this.#endPfn) throw new EngineError('E_RANGE', op, 'endPfn');
    if (endPfn < startPfn) throw new EngineError('E_ORDER', op, 'endPfn');
  }

  #checkSectionAligned(op: string, startPfn: number, endPfn: number): void {
    if (startPfn % PAGES_PER_SECTION !== 0) throw new EngineError('E_ALIGN', op, 'startPfn');
    if (endPfn % PAGES_PER_SECTION !== 0) throw new EngineError('E_ALIGN', op, 'endPfn');
  }

  #checkClass(op: string, argName: string, cls: number): void {
    if (!Number.isInteger(cls) || cls < 0 || cls >= NR_PAGE_CLASSES) throw new EngineError('E_CLASS', op, argName);
  }

  /** The checks claim and claimTagged share: the range, nrPages, fromCls, toCls, mode. */
  #checkClaim(op: string, startPfn: number, endPfn: number, nrPages: number, fromCls: number, toCls: number, mode: number): void {
    this.#checkRange(op, startPfn, endPfn);
    if (!isCount(nrPages)) throw new EngineError('E_ARG', op, 'nrPages');
    this.#checkClass(op, 'fromCls', fromCls);
    this.#checkClass(op, 'toCls', toCls);
    if (mode !== ClaimMode.LOWEST && mode !== ClaimMode.RANDOM_PAGEBLOCK) throw new EngineError('E_ARG', op, 'mode');
  }

  /** E_ARG naming the first parameter of `op` whose value is not a count (for calls that take only pfns and counts). */
  #checkCounts(op: OpName, args: ArrayLike<unknown>): void {
    for (let i = 0, name = argName(op, 0); name !== undefined; name = argName(op, ++i)) {
      if (!isCount(args[i] as number)) throw new EngineError('E_ARG', op, name);
    }
  }

  /** The sections of the pages `[oldStartPfn, oldStartPfn + nrPages)` are REMAPPED. */
  #markRemapped(oldStartPfn: number, nrPages: number): void {
    const [first, last] = this.#sectionSpan(oldStartPfn, oldStartPfn + nrPages);
    for (let s = first; s < last; s++) this.#sectionFlags[s] |= SectionFlag.REMAPPED;
  }

  #checkClassMask(op: string, argName: string, mask: number): void {
    if (!Number.isInteger(mask) || mask < 0 || (mask & ~ALL_CLASSES) !== 0) throw new EngineError('E_ARG', op, argName);
  }

  #checkTagBits(op: string, argName: string, bits: number): void {
    if (!Number.isInteger(bits) || bits < 0 || (bits & ~TAG_BITS) !== 0) throw new EngineError('E_ARG', op, argName);
  }

  #checkMigratetype(op: string, mt: number): void {
    if (!Number.isInteger(mt) || mt < 0 || mt >= NR_MIGRATETYPES) throw new EngineError('E_ARG', op, 'mt');
  }

  #checkNid(op: string, nid: number): void {
    if (!Number.isInteger(nid) || nid < 0 || nid > MAX_NID) throw new EngineError('E_ARG', op, 'nid');
  }

  #checkSettableFlags(op: string, argName: string, flags: number): void {
    if (!Number.isInteger(flags) || flags < 0 || (flags & ~SECTION_FLAGS_SETTABLE) !== 0) {
      throw new EngineError('E_ARG', op, argName);
    }
  }

  /** E_NOT_PRESENT unless every section that `[startPfn, endPfn)` touches is present. */
  #checkAllPresent(op: string, argName: string, startPfn: number, endPfn: number): void {
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) {
      if (!this.#isPresent(s)) {
        throw new EngineError('E_NOT_PRESENT', op, argName, `section ${this.#baseSectionNr + s} is not present`);
      }
    }
  }

  // ---- geometry -------------------------------------------------------------

  /** `[startPfn, startPfn + nrPages)` lies inside the window. */
  #inWindow(startPfn: number, nrPages: number): boolean {
    return startPfn >= this.#basePfn && startPfn + nrPages <= this.#endPfn;
  }

  /** `[startPfn, startPfn + nrPages)` is far: it ends at or below MAX_PHYS_PFN and, when not empty, misses the window. */
  #isFar(startPfn: number, nrPages: number): boolean {
    if (startPfn + nrPages > MAX_PHYS_PFN) return false;
    return nrPages === 0 || startPfn + nrPages <= this.#basePfn || startPfn >= this.#endPfn;
  }

  /** Window section index of a pfn inside the window. */
  #sectionIndexOf(pfn: number): number {
    return Math.floor((pfn - this.#basePfn) / PAGES_PER_SECTION);
  }

  #pfnOf(sectionIndex: number, pageIndex: number): number {
    return this.#basePfn + sectionIndex * PAGES_PER_SECTION + pageIndex;
  }

  #pageblockIndexInSection(pfn: number): number {
    return Math.floor(((pfn - this.#basePfn) % PAGES_PER_SECTION) / PAGES_PER_PAGEBLOCK);
  }

  /** Window section indexes `[first, last)` that `[startPfn, endPfn)` touches. */
  #sectionSpan(startPfn: number, endPfn: number): [number, number] {
    if (endPfn <= startPfn) return [0, 0];
    return [this.#sectionIndexOf(startPfn), this.#sectionIndexOf(endPfn - 1) + 1];
  }

  /** Calls `visit(sectionIndex, fromPage, toPage)` for each section's part of the range, in pfn order, until it returns 'stop'. */
  #forEachSectionSlice(
    startPfn: number,
    endPfn: number,
    visit: (sectionIndex: number, fromPage: number, toPage: number) => void | 'stop',
  ): void {
    const [first, last] = this.#sectionSpan(startPfn, endPfn);
    for (let s = first; s < last; s++) {
      const sectionStartPfn = this.#pfnOf(s, 0);
      const from = Math.max(startPfn, sectionStartPfn) - sectionStartPfn;
      const to = Math.min(endPfn, sectionStartPfn + PAGES_PER_SECTION) - sectionStartPfn;
      if (visit(s, from, to) === 'stop') return;
    }
  }

  /** Calls `visit(tags, indexInSection)` for every pageblock of a present section that intersects the range. */
  #forEachPageblock(startPfn: number, endPfn: number, visit: (tags: Uint8Array, blockIndex: number) => void): void {
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const tags = this.#tags[s];
      if (tags === null) return;
      const firstBlock = Math.floor(from / PAGES_PER_PAGEBLOCK);
      const lastBlock = Math.floor((to - 1) / PAGES_PER_PAGEBLOCK);
      for (let b = firstBlock; b <= lastBlock; b++) visit(tags, b);
    });
  }

  /** The pfn of a physical address inside the window, or -1. */
  #windowPfnOf(pa: bigint): number {
    const pfn = pa >> PAGE_SHIFT_BIG;
    if (pfn < BigInt(this.#basePfn) || pfn >= BigInt(this.#endPfn)) return -1;
    return Number(pfn);
  }

  #isPresent(sectionIndex: number): boolean {
    return (this.#sectionFlags[sectionIndex] & SectionFlag.PRESENT) !== 0;
  }

  #isRemapped(sectionIndex: number): boolean {
    return (this.#sectionFlags[sectionIndex] & SectionFlag.REMAPPED) !== 0;
  }

  /** Whether the section's cached counts show a page of a class in `mask`. */
  #sectionHasClassIn(sectionIndex: number, mask: ClassMask): boolean {
    const counts = this.#classCounts[sectionIndex];
    if (!counts) return false;
    for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) {
      if (mask & (1 << cls) && counts[cls] > 0) return true;
    }
    return false;
  }

  #countClasses(startPfn: number, endPfn: number): ClassCounts {
    const counts = new Float64Array(NR_PAGE_CLASSES);
    this.#forEachSectionSlice(startPfn, endPfn, (s, from, to) => {
      const classes = this.#classes[s];
      if (classes === null) return;
      if (from === 0 && to === PAGES_PER_SECTION) {
        const cached = this.#classCounts[s]!;
        for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) counts[cls] += cached[cls];
        return;
      }
      for (let i = from; i < to; i++) counts[classes[i]]++;
    });
    return counts;
  }

  /** Drops the forward entry of `oldPfn`, if it has one, with its reverse entry when near. */
  #dropPair(oldPfn: number): void {
    const newPfn = this.#forward.get(oldPfn);
    if (newPfn === undefined) return;
    this.#forward.delete(oldPfn);
    if (this.#reverse.get(newPfn) === oldPfn) this.#reverse.delete(newPfn);
  }

  /** Drops the far reverse entries (pages of other shards) of the frames in `[startPfn, endPfn)`. */
  #dropFarReverse(startPfn: number, endPfn: number): void {
    for (const [newPfn, oldPfn] of [...this.#reverse]) {
      if (newPfn >= startPfn && newPfn < endPfn && !this.#inWindow(oldPfn, 1)) this.#reverse.delete(newPfn);
    }
  }

  /** E_EXISTS newStartPfn if a frame of `[newStartPfn, newStartPfn + nrPages)` already holds a relocated page. */
  #checkFramesFree(op: string, newStartPfn: number, nrPages: number): void {
    for (let i = 0; i < nrPages; i++) {
      const holder = this.#reverse.get(newStartPfn + i);
      if (holder !== undefined) {
        throw new EngineError('E_EXISTS', op, 'newStartPfn', `frame ${newStartPfn + i} already holds page ${holder}`);
      }
    }
  }
}



/** A reference engine for the window `[opts.basePfn, opts.basePfn + opts.nrPages)`. */
export function createRefEngine(opts: EngineOptions): RefEngine {
  return new RefEngine(opts);
}
