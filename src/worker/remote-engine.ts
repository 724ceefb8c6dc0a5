/**
 * The main thread's side of an engine shard in a worker, independent of the
 * platform: Node's `worker_threads` (`client.ts`) and browsers
 * (`browser-endpoint.ts`) each supply an {@link EngineThread}.
 *
 * Every {@link EngineApi} call becomes a promise. A call costs about 56 µs of
 * latency here (thread wake-up), so callers send coarse commands: ranges and
 * batches, never loops of per-page calls. Bulk results come back transferred.
 *
 * Translation inputs are moved to the worker, not copied: a `BigUint64Array`
 * that is the only view of its buffer is detached (length 0) once
 * `virtToPhys`/`physToVirt` is called. Pass `vas.slice()` to keep it. A view
 * into a larger buffer is copied first and left intact.
 *
 * Zero-copy batches (`translateBuffers`) are views of the worker engine's own
 * memory when it is shared (the shared-memory build, which workers load where
 * the platform can share memory with them): a batch then crosses as one call
 * and nothing else. Where it cannot be shared, the buffers live on this side
 * and each in-place call sends its batch as a copying call would.
 */
import * as Comlink from 'comlink';
import type { ClassMask, EngineApi, EngineInfo, EngineOptions, ScanResult, ScanSummary, TranslateBuffers, TranslateCounts, TranslateResult } from '../contract/engine-api.js';
import { EngineError } from '../contract/errors.js';
import { checkArgTypes, OP_NAMES, type OpName } from '../contract/ops.js';
import { installEngineErrorHandler, sendArgs, type EngineVariantName, type ServedEngineApi } from './wire.js';

/** {@link EngineApi} with every result delivered as a promise. */
export type AsyncEngineApi = {
  [K in keyof EngineApi]: (...args: Parameters<EngineApi[K]>) => Promise<ReturnType<EngineApi[K]>>;
};

/** A shard in a worker thread: the async engine contract plus its lifecycle. */
export interface WorkerEngine extends AsyncEngineApi {
  /** Identifies the worker thread (Node's `threadId`; a counter in browsers). */
  readonly threadId: number;
  /**
   * Stop the worker. Calls still pending reject; later calls reject at once.
   * Safe to call more than once.
   */
  terminate(): Promise<void>;
}

/** What a platform provides for one worker running `engine.worker`. */
export interface EngineThread {
  readonly endpoint: Comlink.Endpoint;
  readonly threadId: number;
  /** Register `listener` for the thread's failure or exit (called at most once). */
  onGone(listener: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** How the main thread talks to one worker. */
export interface RemoteOptions {
  /**
   * Give up on a call that has not answered after this many milliseconds:
   * it rejects with an {@link EngineTimeoutError}, the shard is marked broken
   * (every call in flight and every later call rejects with the same error)
   * and its thread is stopped, since a worker that stopped answering cannot
   * be trusted to hold the state it had. Absent or 0: wait for ever, as a
   * thread that is alive may legitimately take long on a big window.
   */
  callTimeoutMs?: number;
}

/** A worker call that did not answer in time; the shard is broken from then on. */
export class EngineTimeoutError extends Error {
  override readonly name = 'EngineTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly op: string,
    readonly threadId: number,
    readonly timeoutMs: number,
  ) {
    super(`worker engine (thread ${threadId}): ${op} did not answer within ${timeoutMs} ms; the shard is marked broken and its worker stopped`);
  }
}

/**
 * Wrap `thread` and create its engine. Rejects with the engine's own error
 * (e.g. an `EngineError` for bad options) if the shard cannot be created; the
 * thread is stopped in that case.
 */
export async function startRemoteEngine(
  thread: EngineThread,
  opts: EngineOptions,
  variant: EngineVariantName | undefined,
  remoteOptions: RemoteOptions = {},
): Promise<WorkerEngine> {
  installEngineErrorHandler();
  const timeout = remoteOptions.callTimeoutMs ?? 0;
  if (!(Number.isSafeInteger(timeout) && timeout >= 0)) {
    await thread.stop();
    throw new RangeError(`callTimeoutMs must be a non-negative integer (milliseconds), got ${String(timeout)}`);
  }
  const engine = new RemoteEngine(thread, timeout);
  try {
    await engine.start(opts, variant);
  } catch (error) {
    await engine.terminate();
    throw error;
  }
  return engine;
}

/**
 * Forwards each call through Comlink. Comlink alone would leave a call pending
 * forever if the thread died, so this keeps the reject function of every call
 * in flight and fails them all when the thread errors or exits.
 *
 * The engine methods are not written out here: one per row of the operation
 * table is installed on the prototype below. Each checks its arguments' types
 * first (a refusal rejects at once with the same EngineError the engine would
 * give, and nothing is sent), then sends the call with its bulk inputs moved.
 */
// The class and this interface merge: the table supplies the methods.
export interface RemoteEngine extends AsyncEngineApi {}
export class RemoteEngine implements WorkerEngine {
  readonly threadId: number;
  readonly #thread: EngineThread;
  readonly #remote: Comlink.Remote<ServedEngineApi>;
  readonly #inFlight = new Set<(error: unknown) => void>();
  /** Why calls fail from now on; set once the thread is gone, stopping or broken. */
  #gone: unknown = undefined;
  /** Per-call timeout in milliseconds; 0 for none. */
  readonly #timeoutMs: number;
  /** Zero-copy buffers of this side, by kind, when the worker's memory cannot be shared. */
  #local: { translate?: TranslateBuffers; classes?: Uint8Array; runs?: Float64Array } = {};

  constructor(thread: EngineThread, timeoutMs = 0) {
    this.#thread = thread;
    this.#timeoutMs = timeoutMs;
    this.threadId = thread.threadId;
    this.#remote = Comlink.wrap<ServedEngineApi>(thread.endpoint);
    thread.onGone((error) => this.#fail(error));
  }

  /** Create the thread's engine; the first call, made once by the factory functions. */
  start(opts: EngineOptions, variant: EngineVariantName | undefined): Promise<EngineInfo> {
    return this.#call('init', () => this.#remote.init(opts, variant));
  }

  async terminate(): Promise<void> {
    if (this.#gone === undefined) this.#fail(new Error('worker engine terminated'));
    await this.#thread.stop();
  }

  #fail(error: unknown): void {
    if (this.#gone !== undefined) return;
    this.#gone = error;
    for (const reject of this.#inFlight) reject(error);
    this.#inFlight.clear();
  }

  /** @internal Send `op` to the worker; the methods the table installs call this. */
  callRemote(op: keyof EngineApi, args: unknown[]): Promise<unknown> {
    try {
      checkArgTypes(op, args);
    } catch (error) {
      return Promise.reject(error);
    }
    const remote = this.#remote as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    return this.#call(op, () => remote[op](...sendArgs(op, args)));
  }

  #call<T>(op: string, send: () => Promise<T>): Promise<T> {
    if (this.#gone !== undefined) return Promise.reject(this.#gone);
    return new Promise<T>((resolve, reject) => {
      let sent: Promise<T>;
      try {
        sent = send();
      } catch (error) {
        reject(error);
        return;
      }
      this.#inFlight.add(reject);
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (this.#timeoutMs > 0) {
        timer = setTimeout(() => this.#breakDown(new EngineTimeoutError(op, this.threadId, this.#timeoutMs)), this.#timeoutMs);
      }
      const settle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        this.#inFlight.delete(reject);
      };
      sent.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  // ---- zero-copy buffers -----------------------------------------------------------
  // The worker answers a buffer request with views of its shared memory, or
  // null when its memory is its own; then the buffers live here, and each
  // in-place call goes as the copying call, after the checks the engine
  // makes before that call's own (the buffer's capacity), and the result is
  // copied into them.

  async translateBuffers(n: number): Promise<TranslateBuffers> {
    const shared = (await this.callRemote('translateBuffers', [n])) as TranslateBuffers | null;
    if (shared !== null) {
      delete this.#local.translate;
      return shared;
    }
    let local = this.#local.translate;
    if (local === undefined || n > local.input.length) {
      local = { input: new BigUint64Array(n), output: new BigUint64Array(n) };
      this.#local.translate = local;
    }
    return { input: local.input.subarray(0, n), output: local.output.subarray(0, n) };
  }

  virtToPhysInPlace(n: number): Promise<TranslateCounts> {
    return this.#translateInPlace('virtToPhysInPlace', 'virtToPhys', n);
  }

  physToVirtInPlace(n: number): Promise<TranslateCounts> {
    return this.#translateInPlace('physToVirtInPlace', 'physToVirt', n);
  }

  async #translateInPlace(op: OpName, copying: 'virtToPhys' | 'physToVirt', n: number): Promise<TranslateCounts> {
    const local = this.#local.translate;
    if (local === undefined) return (await this.callRemote(op, [n])) as TranslateCounts;
    checkArgTypes(op, [n]);
    if (!isCountUpTo(n, local.input.length)) throw new EngineError('E_ARG', op, 'n');
    const { out, fast, slow, miss } = (await this.callRemote(copying, [local.input.slice(0, n)])) as TranslateResult;
    local.output.set(out);
    return { fast, slow, miss };
  }

  async classesBuffer(nrPages: number): Promise<Uint8Array> {
    const shared = (await this.callRemote('classesBuffer', [nrPages])) as Uint8Array | null;
    if (shared !== null) {
      delete this.#local.classes;
      return shared;
    }
    if (this.#local.classes === undefined || nrPages > this.#local.classes.length) this.#local.classes = new Uint8Array(nrPages);
    return this.#local.classes.subarray(0, nrPages);
  }

  async readClassesInPlace(startPfn: number, nrPages: number): Promise<void> {
    const local = this.#local.classes;
    if (local === undefined) return (await this.callRemote('readClassesInPlace', [startPfn, nrPages])) as void;
    const op = 'readClassesInPlace';
    checkArgTypes(op, [startPfn, nrPages]);
    if (!isCountUpTo(startPfn, Number.MAX_SAFE_INTEGER)) throw new EngineError('E_ARG', op, 'startPfn');
    if (!isCountUpTo(nrPages, local.length)) throw new EngineError('E_ARG', op, 'nrPages');
    local.set((await this.callRemote('readClasses', [startPfn, nrPages])) as Uint8Array);
  }

  async runsBuffer(maxRuns: number): Promise<Float64Array> {
    const shared = (await this.callRemote('runsBuffer', [maxRuns])) as Float64Array | null;
    if (shared !== null) {
      delete this.#local.runs;
      return shared;
    }
    if (this.#local.runs === undefined || 2 * maxRuns > this.#local.runs.length) this.#local.runs = new Float64Array(2 * maxRuns);
    return this.#local.runs.subarray(0, 2 * maxRuns);
  }

  async migrateScanInPlace(startPfn: number, endPfn: number, movableMask: ClassMask, unmovableMask: ClassMask, maxRuns: number): Promise<ScanSummary> {
    const args = [startPfn, endPfn, movableMask, unmovableMask, maxRuns];
    const local = this.#local.runs;
    if (local === undefined) return (await this.callRemote('migrateScanInPlace', args)) as ScanSummary;
    checkArgTypes('migrateScanInPlace', args);
    // The copying scan makes every check but the capacity's, which comes last.
    const { runs, ...summary } = (await this.callRemote('migrateScan', args)) as ScanResult;
    if (maxRuns > local.length / 2) throw new EngineError('E_ARG', 'migrateScanInPlace', 'maxRuns');
    local.set(runs);
    return { ...summary, nrRuns: runs.length / 2 };
  }

  /** A call timed out: fail everything with `error` and stop the thread. */
  #breakDown(error: EngineTimeoutError): void {
    this.#fail(error);
    void this.#thread.stop().catch(() => undefined);
  }
}

/** The calls the class writes out itself: the zero-copy buffers depend on what the worker can share. */
const OWN_METHODS: ReadonlySet<OpName> = new Set([
  'translateBuffers',
  'virtToPhysInPlace',
  'physToVirtInPlace',
  'classesBuffer',
  'readClassesInPlace',
  'runsBuffer',
  'migrateScanInPlace',
]);

/** A non-negative integer no larger than `max`, as the engine checks a count against a capacity. */
function isCountUpTo(value: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value <= max;
}

for (const op of OP_NAMES) {
  if (OWN_METHODS.has(op)) continue;
  Object.defineProperty(RemoteEngine.prototype, op, {
    value: function (this: RemoteEngine, ...args: unknown[]) {
      return this.callRemote(op, args);
    },
    writable: true,
    configurable: true,
  });
}
