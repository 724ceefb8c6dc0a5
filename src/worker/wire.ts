/**
 * What crosses the worker boundary besides plain calls: engine errors with
 * their fields, and bulk results moved (transferred) rather than copied.
 *
 * Both sides of the boundary import this module. Comlink keeps its transfer
 * handlers per loaded copy, so the worker entry and the client each install the
 * error handler into the copy they use.
 */
import * as Comlink from 'comlink';
import { ENGINE_STATUS_TEXT, type EngineStatusName } from '../contract/constants.js';
import { EngineError } from '../contract/errors.js';
import type { EngineVariant } from '../engine/load.js';
import type {
  ClassCounts,
  ClassMask,
  EngineApi,
  EngineInfo,
  EngineOptions,
  PageClassId,
  ScanResult,
  TranslateResult,
} from '../contract/engine-api.js';

// ---- errors -------------------------------------------------------------------

/** An error as it travels: Comlink's own fields plus the engine's. */
interface WireError {
  message: string;
  name: string;
  stack: string | undefined;
  code?: string;
  op?: string;
  arg?: string;
}

/** Comlink's wire form of a thrown value (see its built-in "throw" handler). */
type WireThrow = { isError: true; value: WireError } | { isError: false; value: unknown };

function isEngineStatusName(code: unknown): code is EngineStatusName {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(ENGINE_STATUS_TEXT, code);
}

/** Rebuild an engine error on the receiving side, message and all. */
function reviveError(wire: WireError): Error {
  if (wire.name === 'EngineError' && isEngineStatusName(wire.code) && typeof wire.op === 'string') {
    const error = new EngineError(wire.code, wire.op, wire.arg);
    // The sender's message may carry a detail the constructor cannot rebuild.
    error.message = wire.message;
    if (wire.stack !== undefined) error.stack = wire.stack;
    return error;
  }
  const error = Object.assign(new Error(wire.message), { name: wire.name });
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.code !== undefined) Object.assign(error, { code: wire.code });
  return error;
}

function toWireError(error: Error): WireError {
  const wire: WireError = { message: error.message, name: error.name, stack: error.stack };
  const fields = error as Partial<Record<'code' | 'op' | 'arg', unknown>>;
  if (typeof fields.code === 'string') wire.code = fields.code;
  if (typeof fields.op === 'string') wire.op = fields.op;
  if (typeof fields.arg === 'string') wire.arg = fields.arg;
  return wire;
}

let errorHandlerInstalled = false;

/**
 * Replace Comlink's "throw" handler (which keeps only message, name and stack)
 * with one that also carries `code`, `op` and `arg`, and rebuilds an
 * {@link EngineError} on the receiving side. Idempotent.
 */
export function installEngineErrorHandler(): void {
  if (errorHandlerInstalled) return;
  const builtIn = Comlink.transferHandlers.get('throw');
  if (builtIn === undefined) throw new Error('comlink has no "throw" transfer handler to extend');
  const handler: Comlink.TransferHandler<{ value: unknown }, WireThrow> = {
    // Comlink marks thrown values with a private symbol; only its own test knows it.
    canHandle: (value): value is { value: unknown } => builtIn.canHandle(value),
    serialize({ value }) {
      if (value instanceof Error) return [{ isError: true, value: toWireError(value) }, []];
      return [{ isError: false, value }, []];
    },
    deserialize(wire) {
      if (wire.isError) throw reviveError(wire.value);
      throw wire.value;
    },
  };
  Comlink.transferHandlers.set('throw', handler as Comlink.TransferHandler<unknown, unknown>);
  errorHandlerInstalled = true;
}

// ---- bulk data ------------------------------------------------------------------

/** The typed arrays the contract moves. */
export type BulkArray = Float64Array | Uint32Array | Uint8Array | BigUint64Array;

/**
 * `array` itself when it is the sole view of a plain ArrayBuffer, else a copy
 * that is. A view into WASM memory (or any larger buffer) must be copied:
 * transferring its buffer would detach, or silently copy, the whole memory.
 */
export function ownedArray<T extends BulkArray>(array: T): T {
  const buffer = array.buffer;
  const sole =
    buffer instanceof ArrayBuffer && array.byteOffset === 0 && array.byteLength === buffer.byteLength;
  return sole ? array : (array.slice() as T);
}

/** Mark `array` (or an owned copy) to be moved, not cloned, by the next postMessage. */
export function transferArray<T extends BulkArray>(array: T): T {
  const owned = ownedArray(array);
  return Comlink.transfer(owned, [owned.buffer as ArrayBuffer]);
}

function transferTranslation(result: TranslateResult): TranslateResult {
  const out = ownedArray(result.out);
  return Comlink.transfer(
    { out, fast: result.fast, slow: result.slow, miss: result.miss },
    [out.buffer as ArrayBuffer],
  );
}

// ---- the worker-side object -------------------------------------------------------

/** Which build of the engine a worker loads (passed through to the engine factory). */
export type EngineVariantName = EngineVariant;

/** Builds the engine inside the worker. */
export type EngineFactory = (opts: EngineOptions, variant?: EngineVariantName) => EngineApi | Promise<EngineApi>;

/** What a worker exposes: the engine contract plus its one-time start-up call. */
export interface ServedEngineApi extends EngineApi {
  /** Create the worker's engine; must be the first call, and only one. */
  init(opts: EngineOptions, variant?: EngineVariantName): Promise<EngineInfo>;
}

/**
 * The object a worker exposes over Comlink. It forwards every call to the
 * engine and hands typed-array results over with {@link Comlink.transfer}, so
 * a 16 Mi-entry translation result moves in constant time instead of being
 * structured-cloned (about 1.2 GB/s here).
 */
export class ServedEngine implements ServedEngineApi {
  #engine: EngineApi | undefined;
  #starting = false;

  constructor(private readonly factory: EngineFactory) {}

  async init(opts: EngineOptions, variant?: EngineVariantName): Promise<EngineInfo> {
    if (this.#starting) throw new Error('init: this worker already has an engine');
    this.#starting = true;
    try {
      this.#engine = await this.factory(opts, variant);
    } catch (error) {
      this.#starting = false;
      throw error;
    }
    return this.#engine.info();
  }

  private get engine(): EngineApi {
    if (this.#engine === undefined) throw new Error('worker engine not started: call init(opts) first');
    return this.#engine;
  }

  info(): EngineInfo {
    return this.engine.info();
  }

  addSections(startPfn: number, endPfn: number, nid: number, cls: PageClassId, mt: number, flags: number): void {
    this.engine.addSections(startPfn, endPfn, nid, cls, mt, flags);
  }
  removeSections(startPfn: number, endPfn: number): void {
    this.engine.removeSections(startPfn, endPfn);
  }
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): void {
    this.engine.setSectionFlags(startPfn, endPfn, setMask, clearMask);
  }
  setSectionNode(startPfn: number, endPfn: number, nid: number): void {
    this.engine.setSectionNode(startPfn, endPfn, nid);
  }
  setSectionZone(startPfn: number, endPfn: number, zone: number): void {
    this.engine.setSectionZone(startPfn, endPfn, zone);
  }
  readSections(startSectionNr: number, count: number): Uint32Array {
    return transferArray(this.engine.readSections(startSectionNr, count));
  }

  setClass(startPfn: number, endPfn: number, cls: PageClassId): void {
    this.engine.setClass(startPfn, endPfn, cls);
  }
  countClasses(startPfn: number, endPfn: number): ClassCounts {
    return transferArray(this.engine.countClasses(startPfn, endPfn));
  }
  count(startPfn: number, endPfn: number, mask: ClassMask): number {
    return this.engine.count(startPfn, endPfn, mask);
  }
  findNext(startPfn: number, endPfn: number, mask: ClassMask): number {
    return this.engine.findNext(startPfn, endPfn, mask);
  }
  readClasses(startPfn: number, nrPages: number): Uint8Array {
    return transferArray(this.engine.readClasses(startPfn, nrPages));
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
    return this.engine.claim(startPfn, endPfn, nrPages, fromCls, toCls, mode, seed);
  }
  migrateScan(
    startPfn: number,
    endPfn: number,
    movableMask: ClassMask,
    unmovableMask: ClassMask,
    maxRuns: number,
  ): ScanResult {
    const result = this.engine.migrateScan(startPfn, endPfn, movableMask, unmovableMask, maxRuns);
    const runs = ownedArray(result.runs);
    return Comlink.transfer(
      {
        status: result.status,
        nextPfn: result.nextPfn,
        unmovablePfn: result.unmovablePfn,
        movablePages: result.movablePages,
        runs,
      },
      [runs.buffer as ArrayBuffer],
    );
  }

  setMigratetype(startPfn: number, endPfn: number, mt: number): void {
    this.engine.setMigratetype(startPfn, endPfn, mt);
  }
  setIsolate(startPfn: number, endPfn: number, isolate: boolean): void {
    this.engine.setIsolate(startPfn, endPfn, isolate);
  }
  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number {
    return this.engine.countPageblocks(startPfn, endPfn, mask, value);
  }
  readPageblockTags(startPfn: number, nrPageblocks: number): Uint8Array {
    return transferArray(this.engine.readPageblockTags(startPfn, nrPageblocks));
  }

  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    this.engine.remap(oldStartPfn, nrPages, newStartPfn);
  }
  clearRemap(startPfn: number, endPfn: number): void {
    this.engine.clearRemap(startPfn, endPfn);
  }
  virtToPhys(vas: BigUint64Array): TranslateResult {
    return transferTranslation(this.engine.virtToPhys(vas));
  }
  physToVirt(pas: BigUint64Array): TranslateResult {
    return transferTranslation(this.engine.physToVirt(pas));
  }

  validate(): void {
    this.engine.validate();
  }
  bytesUsed(): number {
    return this.engine.bytesUsed();
  }
}
