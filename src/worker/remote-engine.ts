/**
 * The main thread's side of an engine shard in a worker, independent of the
 * platform: Node's `worker_threads` (`client.ts`) and browsers
 * (`browser-endpoint.ts`) each supply an {@link EngineThread}.
 *
 * Every {@link EngineApi} call becomes a promise. A call costs about 56 µs of
 * latency here (thread wake-up), so callers send coarse commands: ranges and
 * batches, never loops of per-page calls. Bulk results come back transferred;
 * translation inputs are transferred out (see {@link RemoteEngine.virtToPhys}).
 */
import * as Comlink from 'comlink';
import type { EngineApi, EngineInfo, EngineOptions, ScanResult, TranslateResult } from '../contract/engine-api.js';
import { installEngineErrorHandler, transferArray, type EngineVariantName, type ServedEngineApi } from './wire.js';

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

/**
 * Wrap `thread` and create its engine. Rejects with the engine's own error
 * (e.g. an `EngineError` for bad options) if the shard cannot be created; the
 * thread is stopped in that case.
 */
export async function startRemoteEngine(
  thread: EngineThread,
  opts: EngineOptions,
  variant: EngineVariantName | undefined,
): Promise<WorkerEngine> {
  installEngineErrorHandler();
  const engine = new RemoteEngine(thread);
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
 */
export class RemoteEngine implements WorkerEngine {
  readonly threadId: number;
  readonly #thread: EngineThread;
  readonly #remote: Comlink.Remote<ServedEngineApi>;
  readonly #inFlight = new Set<(error: unknown) => void>();
  /** Why calls fail from now on; set once the thread is gone or stopping. */
  #gone: unknown = undefined;

  constructor(thread: EngineThread) {
    this.#thread = thread;
    this.threadId = thread.threadId;
    this.#remote = Comlink.wrap<ServedEngineApi>(thread.endpoint);
    thread.onGone((error) => this.#fail(error));
  }

  /** Create the thread's engine; the first call, made once by the factory functions. */
  start(opts: EngineOptions, variant: EngineVariantName | undefined): Promise<EngineInfo> {
    return this.#call(() => this.#remote.init(opts, variant));
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

  #call<T>(send: () => Promise<T>): Promise<T> {
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
      sent.then(
        (value) => {
          this.#inFlight.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.#inFlight.delete(reject);
          reject(error);
        },
      );
    });
  }

  info(): Promise<EngineInfo> {
    return this.#call(() => this.#remote.info());
  }

  addSections(startPfn: number, endPfn: number, nid: number, cls: number, mt: number, flags: number): Promise<void> {
    return this.#call(() => this.#remote.addSections(startPfn, endPfn, nid, cls, mt, flags));
  }
  removeSections(startPfn: number, endPfn: number): Promise<void> {
    return this.#call(() => this.#remote.removeSections(startPfn, endPfn));
  }
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): Promise<void> {
    return this.#call(() => this.#remote.setSectionFlags(startPfn, endPfn, setMask, clearMask));
  }
  setSectionNode(startPfn: number, endPfn: number, nid: number): Promise<void> {
    return this.#call(() => this.#remote.setSectionNode(startPfn, endPfn, nid));
  }
  setSectionZone(startPfn: number, endPfn: number, zone: number): Promise<void> {
    return this.#call(() => this.#remote.setSectionZone(startPfn, endPfn, zone));
  }
  readSections(startSectionNr: number, count: number): Promise<Uint32Array> {
    return this.#call(() => this.#remote.readSections(startSectionNr, count));
  }

  setClass(startPfn: number, endPfn: number, cls: number): Promise<void> {
    return this.#call(() => this.#remote.setClass(startPfn, endPfn, cls));
  }
  countClasses(startPfn: number, endPfn: number): Promise<Float64Array> {
    return this.#call(() => this.#remote.countClasses(startPfn, endPfn));
  }
  count(startPfn: number, endPfn: number, mask: number): Promise<number> {
    return this.#call(() => this.#remote.count(startPfn, endPfn, mask));
  }
  findNext(startPfn: number, endPfn: number, mask: number): Promise<number> {
    return this.#call(() => this.#remote.findNext(startPfn, endPfn, mask));
  }
  readClasses(startPfn: number, nrPages: number): Promise<Uint8Array> {
    return this.#call(() => this.#remote.readClasses(startPfn, nrPages));
  }
  claim(
    startPfn: number,
    endPfn: number,
    nrPages: number,
    fromCls: number,
    toCls: number,
    mode: number,
    seed: number,
  ): Promise<number> {
    return this.#call(() => this.#remote.claim(startPfn, endPfn, nrPages, fromCls, toCls, mode, seed));
  }
  migrateScan(
    startPfn: number,
    endPfn: number,
    movableMask: number,
    unmovableMask: number,
    maxRuns: number,
  ): Promise<ScanResult> {
    return this.#call(() => this.#remote.migrateScan(startPfn, endPfn, movableMask, unmovableMask, maxRuns));
  }

  setMigratetype(startPfn: number, endPfn: number, mt: number): Promise<void> {
    return this.#call(() => this.#remote.setMigratetype(startPfn, endPfn, mt));
  }
  setIsolate(startPfn: number, endPfn: number, isolate: boolean): Promise<void> {
    return this.#call(() => this.#remote.setIsolate(startPfn, endPfn, isolate));
  }
  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): Promise<number> {
    return this.#call(() => this.#remote.countPageblocks(startPfn, endPfn, mask, value));
  }
  readPageblockTags(startPfn: number, nrPageblocks: number): Promise<Uint8Array> {
    return this.#call(() => this.#remote.readPageblockTags(startPfn, nrPageblocks));
  }

  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): Promise<void> {
    return this.#call(() => this.#remote.remap(oldStartPfn, nrPages, newStartPfn));
  }
  clearRemap(startPfn: number, endPfn: number): Promise<void> {
    return this.#call(() => this.#remote.clearRemap(startPfn, endPfn));
  }
  /**
   * `vas` is moved to the worker, not copied: when it is the only view of its
   * buffer it is detached (length 0) once this returns. Pass `vas.slice()` to
   * keep it. A view into a larger buffer is copied first and left intact.
   */
  virtToPhys(vas: BigUint64Array): Promise<TranslateResult> {
    return this.#call(() => this.#remote.virtToPhys(transferArray(vas)));
  }
  /** `pas` is moved like {@link virtToPhys}'s input. */
  physToVirt(pas: BigUint64Array): Promise<TranslateResult> {
    return this.#call(() => this.#remote.physToVirt(transferArray(pas)));
  }

  validate(): Promise<void> {
    return this.#call(() => this.#remote.validate());
  }
  bytesUsed(): Promise<number> {
    return this.#call(() => this.#remote.bytesUsed());
  }
}
