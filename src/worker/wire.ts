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
import type { EngineApi, EngineInfo, EngineOptions, ScanResult, TranslateBuffers, TranslateResult } from '../contract/engine-api.js';
import { ENGINE_OPS, OP_NAMES, type OpName, type ResultKind } from '../contract/ops.js';

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

/**
 * How a result of each kind crosses the boundary: small values are cloned;
 * the bulk kinds are rebuilt around an owned array whose buffer is then
 * transferred, so a 16 Mi-entry translation result moves in constant time
 * instead of being structured-cloned (about 1.2 GB/s here).
 */
const SEND_RESULT: Record<ResultKind, (value: never) => unknown> = {
  void: (value) => value,
  number: (value) => value,
  info: (value) => value,
  u32s: transferArray,
  u8s: transferArray,
  f64s: transferArray,
  scan: (result: ScanResult) => {
    const runs = ownedArray(result.runs);
    const { status, nextPfn, unmovablePfn, movablePages } = result;
    return Comlink.transfer({ status, nextPfn, unmovablePfn, movablePages, runs }, [runs.buffer as ArrayBuffer]);
  },
  retag: (value) => value,
  remapCount: (value) => value,
  translation: (result: TranslateResult) => {
    const out = ownedArray(result.out);
    return Comlink.transfer({ out, fast: result.fast, slow: result.slow, miss: result.miss }, [out.buffer as ArrayBuffer]);
  },
  buffers: (buffers: TranslateBuffers) => (isShared(buffers.input) && isShared(buffers.output) ? buffers : null),
  classesBuffer: (buffer: Uint8Array) => (isShared(buffer) ? buffer : null),
  runsBuffer: (buffer: Float64Array) => (isShared(buffer) ? buffer : null),
  translateCounts: (value) => value,
  scanSummary: (value) => value,
};

/**
 * Whether a zero-copy buffer can cross as itself: views of shared memory
 * arrive as views of the same memory. Anything else would arrive as a copy
 * (or, transferred, take the engine's whole memory with it), so the served
 * side sends null and the client keeps buffers of its own.
 */
function isShared(array: BulkArray): boolean {
  return typeof SharedArrayBuffer === 'function' && array.buffer instanceof SharedArrayBuffer;
}

/** `result` of `op`, marked so that its bulk arrays are moved rather than copied. */
export function sendResult(op: OpName, result: unknown): unknown {
  return (SEND_RESULT[ENGINE_OPS[op].result] as (value: unknown) => unknown)(result);
}

/** `args` of `op` with its bulk inputs (translation batches) marked to be moved. */
export function sendArgs(op: OpName, args: readonly unknown[]): unknown[] {
  const params = ENGINE_OPS[op].args;
  return args.map((arg, i) => (i < params.length && params[i][1] === 'addresses' ? transferArray(arg as BigUint64Array) : arg));
}

// ---- the worker-side object -------------------------------------------------------

/** Which build of the engine a worker loads (passed through to the engine builder). */
export type EngineVariantName = EngineVariant;

/** Builds the engine inside the worker, from the options and build the client sent. */
export type WorkerEngineBuilder = (opts: EngineOptions, variant?: EngineVariantName) => EngineApi | Promise<EngineApi>;

/** What a worker exposes: the engine contract plus its one-time start-up call. */
export interface ServedEngineApi extends EngineApi {
  /** Create the worker's engine; must be the first call, and only one. */
  init(opts: EngineOptions, variant?: EngineVariantName): Promise<EngineInfo>;
}

/**
 * The object a worker exposes over Comlink: `init`, then one method per row
 * of the operation table, each forwarding to the engine and sending its
 * result as the table's result kind says.
 */
export function serveEngine(build: WorkerEngineBuilder): ServedEngineApi {
  let engine: EngineApi | undefined;
  let starting = false;
  const current = (): EngineApi => {
    if (engine === undefined) throw new Error('worker engine not started: call init(opts) first');
    return engine;
  };
  const served: Record<string, unknown> = {
    async init(opts: EngineOptions, variant?: EngineVariantName): Promise<EngineInfo> {
      if (starting) throw new Error('init: this worker already has an engine');
      starting = true;
      try {
        engine = await build(opts, variant);
      } catch (error) {
        starting = false;
        throw error;
      }
      return engine.info();
    },
  };
  for (const op of OP_NAMES) {
    served[op] = (...args: unknown[]) => {
      const target = current();
      return sendResult(op, (target[op] as (...a: unknown[]) => unknown).apply(target, args));
    };
  }
  return served as unknown as ServedEngineApi;
}
