/**
 * `Engine`: the WASM pfn-range engine behind the {@link EngineApi} contract,
 * for direct same-thread use (tests, benchmarks, the worker entry).
 *
 * The wrapper is thin on purpose: the engine checks every argument itself and
 * reports a refusal as a status code plus the position of the bad argument,
 * which this class turns into an {@link EngineError} naming it. Results are
 * read from the engine's I/O area through views made after the call (a call
 * may grow memory, which detaches older views) and copied out, so no result
 * aliases WASM memory.
 */

import { BAD_ADDRESS, NR_PAGE_CLASSES, PAGE_OFFSET, PAGES_PER_SECTION } from '../contract/constants.js';
import type {
  ClassCounts,
  EngineApi,
  EngineInfo,
  EngineOptions,
  RemapCount,
  RetagResult,
  ScanResult,
  ScanSummary,
  TranslateBuffers,
  TranslateCounts,
  TranslateResult,
} from '../contract/engine-api.js';
import {
  INVARIANT_NAMES,
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
  WASM_ONLY_OP_ARGS,
  POOL_FORWARD,
  POOL_MIXED,
  POOL_PLANE,
  POOL_PLANE1,
  POOL_PFN_BLOCK,
  POOL_PFN_WIDE_BLOCK,
  POOL_PLANE2,
  POOL_REVERSE,
  SIZE_OF_U32,
  SIZE_OF_U64,
  type RawEngineExports,
  type WasmOnlyOpName,
} from './abi.js';
import { EngineError, statusName } from '../contract/errors.js';
import { argName, checkArgTypes, type OpName } from '../contract/ops.js';
import { defaultEngineVariant, instantiateEngine, type EngineVariant } from './load.js';

/** Default cap on linear memory: the WASM32 maximum, 4 GiB. */
export const DEFAULT_MAX_BYTES = 2 ** 32;

/** What {@link Engine.representationStats} reports. */
export interface RepresentationStats {
  /** Sections held as MIXED records (the rest of the present ones are UNIFORM). */
  mixedSections: number;
  /** Pageblocks held as bit-plane records (the rest are one class). */
  mixedPageblocks: number;
  /** REMAPPED sections' forward tables. */
  forwardTables: number;
  /** Sections holding relocated pages, with a reverse table. */
  reverseTables: number;
  /** Pageblocks of either table relocated page by page: PFN BLOCKs (u32 deltas from a base). */
  pfnBlocks: number;
  /** Of those, pageblocks whose frames span 2^32 pages or more: WIDE PFN BLOCKs (u64 each). */
  widePfnBlocks: number;
}

/** The refusal the engine just reported, with the offending argument named by its position. */
function errorFor(x: RawEngineExports, status: number, op: OpName | WasmOnlyOpName, detail?: string): EngineError {
  const argIndex = x.lastErrorArg();
  const wasmOnly: readonly string[] | undefined = (WASM_ONLY_OP_ARGS as Record<string, readonly string[]>)[op];
  const arg = wasmOnly !== undefined ? wasmOnly[argIndex] : argName(op as OpName, argIndex);
  return new EngineError(statusName(status), op, arg, detail);
}

/**
 * The WASM engine behind the contract. Each call first checks its arguments'
 * JavaScript types: the WASM would convert a string, `null` or `true` to a
 * number and act on it. The fast path is one `typeof` per argument; a
 * mismatch goes to the operation table's check, which names the argument.
 */
export class Engine implements EngineApi {
  readonly #x: RawEngineExports;
  readonly #info: EngineInfo;
  readonly #io: number;
  readonly #bulkBytes: number;
  readonly #runCapacity: number;
  readonly #translateCapacity: number;
  /** The build this instance runs. */
  readonly variant: EngineVariant;

  /** Use {@link createEngine}; this wraps an instance that init() already laid out. */
  constructor(exports: RawEngineExports, info: EngineInfo, variant: EngineVariant = 'release') {
    this.#x = exports;
    this.variant = variant;
    this.#info = { ...info };
    this.#io = exports.ioArea() >>> 0;
    this.#bulkBytes = exports.ioBulkBytes() >>> 0;
    this.#runCapacity = exports.scanRunCapacity() >>> 0;
    this.#translateCapacity = exports.ioTranslateCapacity() >>> 0;
  }

  // ---- plumbing ------------------------------------------------------------------------

  #check(status: number, op: OpName | WasmOnlyOpName): void {
    if (status < 0) throw errorFor(this.#x, status, op);
  }

  /** Number-returning exports give NaN on refusal, with the code in lastStatus(). */
  #number(result: number, op: OpName): number {
    if (result !== result) throw errorFor(this.#x, this.#x.lastStatus(), op);
    return result;
  }

  #f64At(offset: number, length: number): Float64Array {
    return new Float64Array(this.#x.memory.buffer, this.#io + offset, length);
  }

  #f64(offset: number): number {
    return this.#f64At(offset, 1)[0]!;
  }

  info(): EngineInfo {
    return { ...this.#info };
  }

  // ---- sections ------------------------------------------------------------------------------

  addSections(startPfn: number, endPfn: number, nid: number, cls: number, mt: number, flags: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof nid !== 'number' ||
      typeof cls !== 'number' ||
      typeof mt !== 'number' ||
      typeof flags !== 'number'
    ) {
      checkArgTypes('addSections', [startPfn, endPfn, nid, cls, mt, flags]);
    }
    this.#check(this.#x.addSections(startPfn, endPfn, nid, cls, mt, flags), 'addSections');
  }

  removeSections(startPfn: number, endPfn: number): void {
    if (typeof startPfn !== 'number' || typeof endPfn !== 'number') checkArgTypes('removeSections', [startPfn, endPfn]);
    this.#check(this.#x.removeSections(startPfn, endPfn), 'removeSections');
  }

  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof setMask !== 'number' ||
      typeof clearMask !== 'number'
    ) {
      checkArgTypes('setSectionFlags', [startPfn, endPfn, setMask, clearMask]);
    }
    this.#check(this.#x.setSectionFlags(startPfn, endPfn, setMask, clearMask), 'setSectionFlags');
  }

  setSectionNode(startPfn: number, endPfn: number, nid: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof nid !== 'number'
    ) {
      checkArgTypes('setSectionNode', [startPfn, endPfn, nid]);
    }
    this.#check(this.#x.setSectionNode(startPfn, endPfn, nid), 'setSectionNode');
  }

  setSectionZone(startPfn: number, endPfn: number, zone: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof zone !== 'number'
    ) {
      checkArgTypes('setSectionZone', [startPfn, endPfn, zone]);
    }
    this.#check(this.#x.setSectionZone(startPfn, endPfn, zone), 'setSectionZone');
  }

  readSections(startSectionNr: number, count: number): Uint32Array {
    if (
      typeof startSectionNr !== 'number' ||
      typeof count !== 'number'
    ) {
      checkArgTypes('readSections', [startSectionNr, count]);
    }
    const x = this.#x;
    this.#check(x.readSections(startSectionNr, count, 0, 0), 'readSections');
    const out = new Uint32Array(count);
    const chunk = Math.floor(this.#bulkBytes / SIZE_OF_U32);
    for (let first = 0; first < count; first += chunk) {
      const len = Math.min(chunk, count - first);
      this.#check(x.readSections(startSectionNr, count, first, len), 'readSections');
      out.set(new Uint32Array(x.memory.buffer, this.#io + IO_BULK, len), first);
    }
    return out;
  }

  // ---- page state ----------------------------------------------------------------------------

  setClass(startPfn: number, endPfn: number, cls: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof cls !== 'number'
    ) {
      checkArgTypes('setClass', [startPfn, endPfn, cls]);
    }
    this.#check(this.#x.setClass(startPfn, endPfn, cls), 'setClass');
  }

  countClasses(startPfn: number, endPfn: number): ClassCounts {
    if (typeof startPfn !== 'number' || typeof endPfn !== 'number') checkArgTypes('countClasses', [startPfn, endPfn]);
    this.#check(this.#x.countClasses(startPfn, endPfn), 'countClasses');
    return this.#f64At(IO_COUNTS, NR_PAGE_CLASSES).slice();
  }

  count(startPfn: number, endPfn: number, mask: number): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof mask !== 'number'
    ) {
      checkArgTypes('count', [startPfn, endPfn, mask]);
    }
    return this.#number(this.#x.count(startPfn, endPfn, mask), 'count');
  }

  countTagged(startPfn: number, endPfn: number, mask: number, tagMask: number, tagValue: number): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof mask !== 'number' ||
      typeof tagMask !== 'number' ||
      typeof tagValue !== 'number'
    ) {
      checkArgTypes('countTagged', [startPfn, endPfn, mask, tagMask, tagValue]);
    }
    return this.#number(this.#x.countTagged(startPfn, endPfn, mask, tagMask, tagValue), 'countTagged');
  }

  findNext(startPfn: number, endPfn: number, mask: number): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof mask !== 'number'
    ) {
      checkArgTypes('findNext', [startPfn, endPfn, mask]);
    }
    return this.#number(this.#x.findNext(startPfn, endPfn, mask), 'findNext');
  }

  readClasses(startPfn: number, nrPages: number): Uint8Array {
    if (typeof startPfn !== 'number' || typeof nrPages !== 'number') checkArgTypes('readClasses', [startPfn, nrPages]);
    const x = this.#x;
    this.#check(x.readClasses(startPfn, nrPages, 0, 0), 'readClasses');
    const out = new Uint8Array(nrPages);
    const chunk = this.#bulkBytes;
    for (let first = 0; first < nrPages; first += chunk) {
      const len = Math.min(chunk, nrPages - first);
      this.#check(x.readClasses(startPfn, nrPages, first, len), 'readClasses');
      out.set(new Uint8Array(x.memory.buffer, this.#io + IO_BULK, len), first);
    }
    return out;
  }

  /** A view of the engine's classes buffer (see the contract; growth of unshared memory detaches it). */
  classesBuffer(nrPages: number): Uint8Array {
    if (typeof nrPages !== 'number') checkArgTypes('classesBuffer', [nrPages]);
    const x = this.#x;
    this.#check(x.classesReserve(nrPages), 'classesBuffer');
    return new Uint8Array(x.memory.buffer, x.classesPtr() >>> 0, nrPages);
  }

  readClassesInPlace(startPfn: number, nrPages: number): void {
    if (typeof startPfn !== 'number' || typeof nrPages !== 'number') checkArgTypes('readClassesInPlace', [startPfn, nrPages]);
    this.#check(this.#x.readClassesBuffer(startPfn, nrPages), 'readClassesInPlace');
  }

  claim(startPfn: number, endPfn: number, nrPages: number, fromCls: number, toCls: number, mode: number, seed: number): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof nrPages !== 'number' ||
      typeof fromCls !== 'number' ||
      typeof toCls !== 'number' ||
      typeof mode !== 'number' ||
      typeof seed !== 'number'
    ) {
      checkArgTypes('claim', [startPfn, endPfn, nrPages, fromCls, toCls, mode, seed]);
    }
    return this.#number(this.#x.claim(startPfn, endPfn, nrPages, fromCls, toCls, mode, seed >>> 0), 'claim');
  }

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
  ): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof nrPages !== 'number' ||
      typeof fromCls !== 'number' ||
      typeof toCls !== 'number' ||
      typeof mode !== 'number' ||
      typeof seed !== 'number' ||
      typeof tagMask !== 'number' ||
      typeof tagValue !== 'number' ||
      typeof maxPerPageblock !== 'number'
    ) {
      checkArgTypes('claimTagged', [startPfn, endPfn, nrPages, fromCls, toCls, mode, seed, tagMask, tagValue, maxPerPageblock]);
    }
    return this.#number(
      this.#x.claimTagged(startPfn, endPfn, nrPages, fromCls, toCls, mode, seed >>> 0, tagMask, tagValue, maxPerPageblock),
      'claimTagged',
    );
  }

  migrateScan(startPfn: number, endPfn: number, movableMask: number, unmovableMask: number, maxRuns: number): ScanResult {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof movableMask !== 'number' ||
      typeof unmovableMask !== 'number' ||
      typeof maxRuns !== 'number'
    ) {
      checkArgTypes('migrateScan', [startPfn, endPfn, movableMask, unmovableMask, maxRuns]);
    }
    const x = this.#x;
    const parts: Float64Array[] = [];
    let runs = 0;
    let movablePages = 0;
    let from = startPfn;
    for (;;) {
      const want = Math.max(1, Math.min(this.#runCapacity, maxRuns - runs));
      const status = x.migrateScan(from, endPfn, movableMask, unmovableMask, maxRuns, want);
      this.#check(status, 'migrateScan');
      const got = this.#f64(IO_SCAN_RUNS);
      if (got > 0) parts.push(this.#f64At(IO_BULK, 2 * got).slice());
      runs += got;
      movablePages += this.#f64(IO_SCAN_MOVABLE);
      const nextPfn = this.#f64(IO_SCAN_NEXT);
      // A full chunk that is not yet maxRuns continues where it stopped.
      if (status === 1 && runs < maxRuns) {
        from = nextPfn;
        continue;
      }
      const out = new Float64Array(2 * runs);
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
      return { status, nextPfn, unmovablePfn: this.#f64(IO_SCAN_UNMOVABLE), movablePages, runs: out };
    }
  }

  /** A view of the engine's runs buffer, 2 * maxRuns values (see the contract; growth of unshared memory detaches it). */
  runsBuffer(maxRuns: number): Float64Array {
    if (typeof maxRuns !== 'number') checkArgTypes('runsBuffer', [maxRuns]);
    const x = this.#x;
    this.#check(x.runsReserve(maxRuns), 'runsBuffer');
    return new Float64Array(x.memory.buffer, x.runsPtr() >>> 0, 2 * maxRuns);
  }

  migrateScanInPlace(startPfn: number, endPfn: number, movableMask: number, unmovableMask: number, maxRuns: number): ScanSummary {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof movableMask !== 'number' ||
      typeof unmovableMask !== 'number' ||
      typeof maxRuns !== 'number'
    ) {
      checkArgTypes('migrateScanInPlace', [startPfn, endPfn, movableMask, unmovableMask, maxRuns]);
    }
    const status = this.#x.migrateScanBuffer(startPfn, endPfn, movableMask, unmovableMask, maxRuns);
    this.#check(status, 'migrateScanInPlace');
    return {
      status,
      nextPfn: this.#f64(IO_SCAN_NEXT),
      unmovablePfn: this.#f64(IO_SCAN_UNMOVABLE),
      movablePages: this.#f64(IO_SCAN_MOVABLE),
      nrRuns: this.#f64(IO_SCAN_RUNS),
    };
  }

  // ---- pageblock tags ------------------------------------------------------------------------

  setMigratetype(startPfn: number, endPfn: number, mt: number): void {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof mt !== 'number'
    ) {
      checkArgTypes('setMigratetype', [startPfn, endPfn, mt]);
    }
    this.#check(this.#x.setMigratetype(startPfn, endPfn, mt), 'setMigratetype');
  }

  setIsolate(startPfn: number, endPfn: number, isolate: boolean): void {
    if (typeof startPfn !== 'number' || typeof endPfn !== 'number' || typeof isolate !== 'boolean') {
      checkArgTypes('setIsolate', [startPfn, endPfn, isolate]);
    }
    this.#check(this.#x.setIsolate(startPfn, endPfn, isolate ? 1 : 0), 'setIsolate');
  }

  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof mask !== 'number' ||
      typeof value !== 'number'
    ) {
      checkArgTypes('countPageblocks', [startPfn, endPfn, mask, value]);
    }
    return this.#number(this.#x.countPageblocks(startPfn, endPfn, mask, value), 'countPageblocks');
  }

  retagPageblocks(
    startPfn: number,
    endPfn: number,
    maxBlocks: number,
    tagMask: number,
    tagValue: number,
    newMt: number,
    goodMask: number,
    minGood: number,
  ): RetagResult {
    if (
      typeof startPfn !== 'number' ||
      typeof endPfn !== 'number' ||
      typeof maxBlocks !== 'number' ||
      typeof tagMask !== 'number' ||
      typeof tagValue !== 'number' ||
      typeof newMt !== 'number' ||
      typeof goodMask !== 'number' ||
      typeof minGood !== 'number'
    ) {
      checkArgTypes('retagPageblocks', [startPfn, endPfn, maxBlocks, tagMask, tagValue, newMt, goodMask, minGood]);
    }
    const blocks = this.#number(
      this.#x.retagPageblocks(startPfn, endPfn, maxBlocks, tagMask, tagValue, newMt, goodMask, minGood),
      'retagPageblocks',
    );
    return { blocks, goodPages: this.#f64(IO_RETAG_GOOD) };
  }

  readPageblockTags(startPfn: number, nrPageblocks: number): Uint8Array {
    return this.#readPerPageblock('readPageblockTags', startPfn, nrPageblocks);
  }

  readPageblockClasses(startPfn: number, nrPageblocks: number): Uint8Array {
    return this.#readPerPageblock('readPageblockClasses', startPfn, nrPageblocks);
  }

  /** One byte per pageblock, read through the bulk area a chunk at a time. */
  #readPerPageblock(op: 'readPageblockTags' | 'readPageblockClasses', startPfn: number, nrPageblocks: number): Uint8Array {
    if (typeof startPfn !== 'number' || typeof nrPageblocks !== 'number') checkArgTypes(op, [startPfn, nrPageblocks]);
    const x = this.#x;
    const read = x[op];
    this.#check(read(startPfn, nrPageblocks, 0, 0), op);
    const out = new Uint8Array(nrPageblocks);
    const chunk = this.#bulkBytes;
    for (let first = 0; first < nrPageblocks; first += chunk) {
      const len = Math.min(chunk, nrPageblocks - first);
      this.#check(read(startPfn, nrPageblocks, first, len), op);
      out.set(new Uint8Array(x.memory.buffer, this.#io + IO_BULK, len), first);
    }
    return out;
  }

  // ---- translation ----------------------------------------------------------------------------

  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    if (
      typeof oldStartPfn !== 'number' ||
      typeof nrPages !== 'number' ||
      typeof newStartPfn !== 'number'
    ) {
      checkArgTypes('remap', [oldStartPfn, nrPages, newStartPfn]);
    }
    this.#check(this.#x.remap(oldStartPfn, nrPages, newStartPfn), 'remap');
  }

  remapOut(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    if (typeof oldStartPfn !== 'number' || typeof nrPages !== 'number' || typeof newStartPfn !== 'number') {
      checkArgTypes('remapOut', [oldStartPfn, nrPages, newStartPfn]);
    }
    this.#check(this.#x.remapOut(oldStartPfn, nrPages, newStartPfn), 'remapOut');
  }

  remapIn(newStartPfn: number, nrPages: number, oldStartPfn: number): void {
    if (typeof newStartPfn !== 'number' || typeof nrPages !== 'number' || typeof oldStartPfn !== 'number') {
      checkArgTypes('remapIn', [newStartPfn, nrPages, oldStartPfn]);
    }
    this.#check(this.#x.remapIn(newStartPfn, nrPages, oldStartPfn), 'remapIn');
  }

  clearRemap(startPfn: number, endPfn: number): void {
    if (typeof startPfn !== 'number' || typeof endPfn !== 'number') checkArgTypes('clearRemap', [startPfn, endPfn]);
    this.#check(this.#x.clearRemap(startPfn, endPfn), 'clearRemap');
  }

  countRemapped(startPfn: number, endPfn: number): RemapCount {
    if (typeof startPfn !== 'number' || typeof endPfn !== 'number') checkArgTypes('countRemapped', [startPfn, endPfn]);
    const pages = this.#number(this.#x.countRemapped(startPfn, endPfn), 'countRemapped');
    return { pages, sections: this.#f64(IO_REMAP_SECTIONS) };
  }

  virtToPhys(vas: BigUint64Array): TranslateResult {
    if (!(vas instanceof BigUint64Array)) checkArgTypes('virtToPhys', [vas]);
    return this.#translateCopied(vas, 0);
  }

  physToVirt(pas: BigUint64Array): TranslateResult {
    if (!(pas instanceof BigUint64Array)) checkArgTypes('physToVirt', [pas]);
    return this.#translateCopied(pas, 1);
  }

  /** Runs a batch through the I/O area in chunks: copy in, translate, copy out. */
  #translateCopied(input: BigUint64Array, direction: 0 | 1): TranslateResult {
    const x = this.#x;
    const cap = this.#translateCapacity;
    const out = new BigUint64Array(input.length);
    let fast = 0;
    let slow = 0;
    let miss = 0;
    const inAt = this.#io + IO_BULK;
    const outAt = inAt + cap * SIZE_OF_U64;
    for (let first = 0; first < input.length; first += cap) {
      const len = Math.min(cap, input.length - first);
      new BigUint64Array(x.memory.buffer, inAt, len).set(input.subarray(first, first + len));
      const status = direction === 0 ? x.virtToPhysIo(len) : x.physToVirtIo(len);
      this.#check(status, direction === 0 ? 'virtToPhys' : 'physToVirt');
      out.set(new BigUint64Array(x.memory.buffer, outAt, len), first);
      fast += this.#f64(IO_XLATE_FAST);
      slow += this.#f64(IO_XLATE_SLOW);
      miss += this.#f64(IO_XLATE_MISS);
    }
    return { out, fast, slow, miss };
  }

  /**
   * Views of the engine's own memory for batches of n addresses (see the
   * contract). With the shared-memory build (the one workers load) the views
   * stay valid when memory grows; otherwise growth detaches them.
   */
  translateBuffers(n: number): TranslateBuffers {
    if (typeof n !== 'number') checkArgTypes('translateBuffers', [n]);
    const x = this.#x;
    this.#check(x.translateReserve(n), 'translateBuffers');
    const buffer = x.memory.buffer;
    return {
      input: new BigUint64Array(buffer, x.translateInPtr() >>> 0, n),
      output: new BigUint64Array(buffer, x.translateOutPtr() >>> 0, n),
    };
  }

  virtToPhysInPlace(n: number): TranslateCounts {
    if (typeof n !== 'number') checkArgTypes('virtToPhysInPlace', [n]);
    this.#check(this.#x.virtToPhysBuffers(n), 'virtToPhysInPlace');
    return this.#translateCounts();
  }

  physToVirtInPlace(n: number): TranslateCounts {
    if (typeof n !== 'number') checkArgTypes('physToVirtInPlace', [n]);
    this.#check(this.#x.physToVirtBuffers(n), 'physToVirtInPlace');
    return this.#translateCounts();
  }

  #translateCounts(): TranslateCounts {
    return { fast: this.#f64(IO_XLATE_FAST), slow: this.#f64(IO_XLATE_SLOW), miss: this.#f64(IO_XLATE_MISS) };
  }

  /**
   * The bench's bandwidth limit beside translation: reads the first n inputs
   * of translateBuffers() in WASM (and with `write`, copies them to the
   * outputs), the same bytes a batch moves with no lookup. Returns their sum.
   */
  streamBuffers(n: number, write: boolean): number {
    const sum = this.#x.streamBuffers(n, write ? 1 : 0);
    if (sum !== sum) throw errorFor(this.#x, this.#x.lastStatus(), 'streamBuffers');
    return sum;
  }

  // ---- self checks ---------------------------------------------------------------------------

  validate(): void {
    const x = this.#x;
    const status = x.validate();
    if (status >= 0) return;
    const invariant = x.lastErrorArg();
    const section = x.invalidSection();
    const detail =
      (INVARIANT_NAMES[invariant] ?? `invariant ${invariant}`) +
      (section >= 0 ? ` (window section ${section}, section nr ${this.#info.basePfn / PAGES_PER_SECTION + section})` : '');
    throw new EngineError(statusName(status), 'validate', undefined, detail);
  }

  bytesUsed(): number {
    return this.#x.bytesUsed();
  }

  /**
   * Records in use by the compressed representation: MIXED sections, plane
   * records of mixed pageblocks, and remap tables. Uniform space costs none.
   */
  representationStats(): RepresentationStats {
    const x = this.#x;
    return {
      mixedSections: x.poolLiveRecords(POOL_MIXED),
      mixedPageblocks: x.poolLiveRecords(POOL_PLANE1) + x.poolLiveRecords(POOL_PLANE2) + x.poolLiveRecords(POOL_PLANE),
      forwardTables: x.poolLiveRecords(POOL_FORWARD),
      reverseTables: x.poolLiveRecords(POOL_REVERSE),
      pfnBlocks: x.poolLiveRecords(POOL_PFN_BLOCK),
      widePfnBlocks: x.poolLiveRecords(POOL_PFN_WIDE_BLOCK),
    };
  }

  /** Linear memory the instance holds, state and scratch alike (what the OS sees). */
  memoryBytes(): number {
    return this.#x.memory.buffer.byteLength;
  }
}

/** Bad-address constant re-exported for callers of the zero-copy path. */
export { BAD_ADDRESS };

/**
 * A new shard engine over `[basePfn, basePfn + nrPages)`. Each call makes a
 * separate WASM instance (the compiled module is shared per variant). The
 * default build is the SIMD one where the runtime has WASM SIMD.
 */
export async function createEngine(opts: EngineOptions, variant: EngineVariant = defaultEngineVariant()): Promise<Engine> {
  for (const name of ['basePfn', 'nrPages', 'maxBytes'] as const) {
    const value: unknown = opts[name];
    if (typeof value !== 'number' && !(name === 'maxBytes' && value === undefined)) {
      throw new EngineError('E_ARG', 'createEngine', name, `expected a number, got ${value === null ? 'null' : typeof value}`);
    }
  }
  const pageOffset: unknown = opts.pageOffset ?? PAGE_OFFSET;
  if (typeof pageOffset !== 'bigint') {
    throw new EngineError('E_ARG', 'createEngine', 'pageOffset', `expected a bigint, got ${pageOffset === null ? 'null' : typeof pageOffset}`);
  }
  // Out of u64 range: halves that the engine refuses.
  const [hi, lo] = pageOffset >= 0n && pageOffset < 2n ** 64n ? [Number(pageOffset >> 32n), Number(pageOffset & 0xffffffffn)] : [-1, -1];
  const exports = await instantiateEngine(variant);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const status = exports.init(opts.basePfn, opts.nrPages, maxBytes, hi, lo);
  if (status < 0) throw errorFor(exports, status, 'createEngine');
  return new Engine(
    exports,
    {
      basePfn: opts.basePfn,
      nrPages: opts.nrPages,
      nrSections: opts.nrPages / PAGES_PER_SECTION,
      pageOffset,
    },
    variant,
  );
}
