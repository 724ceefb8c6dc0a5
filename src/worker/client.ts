/**
 * Engine shards in Node worker threads.
 *
 * `createWorkerEngine(opts)` starts a `worker_threads` worker running the
 * compiled `engine.worker.js` and returns a {@link WorkerEngine}: the engine
 * contract with promise results (see `remote-engine.ts` for call semantics).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { findPackageRoot } from '../util/package-root.js';
import { workerThreadEndpoint } from './node-endpoint.js';
import type { EngineOptions } from '../contract/engine-api.js';
import { startRemoteEngine, type EngineThread, type RemoteOptions, type WorkerEngine } from './remote-engine.js';
import type { EngineVariantName } from './wire.js';

export { EngineTimeoutError } from './remote-engine.js';
export type { AsyncEngineApi, RemoteOptions, WorkerEngine } from './remote-engine.js';

export interface WorkerEngineOptions extends RemoteOptions {
  /** Engine build to load in the worker (passed to `createEngine`); the engine's default when omitted. */
  variant?: EngineVariantName;
  /** Worker entry to run instead of the built `dist/src/worker/engine.worker.js`. */
  workerPath?: string;
}

/** Where `npm run build:ts` puts the worker entry, relative to the package root. */
const WORKER_ENTRY_IN_PACKAGE = join('dist', 'src', 'worker', 'engine.worker.js');

/**
 * The compiled worker entry. Node 20 cannot start a worker from TypeScript,
 * so this is the built file under the package root, whether this module runs
 * from its source (vitest) or from `dist/`.
 */
export function workerEntryPath(): string {
  const entry = join(findPackageRoot(import.meta.url), WORKER_ENTRY_IN_PACKAGE);
  if (!existsSync(entry)) {
    throw new Error(`worker entry ${entry} is missing: run npm run build (or npm run build:ts)`);
  }
  return entry;
}

function nodeThread(worker: Worker): EngineThread {
  return {
    endpoint: workerThreadEndpoint(worker),
    threadId: worker.threadId,
    onGone(listener) {
      worker.once('error', listener);
      worker.once('exit', (exitCode: number) => listener(new Error(`worker engine exited with code ${exitCode}`)));
    },
    async stop() {
      await worker.terminate();
    },
  };
}

/**
 * Start a worker thread holding one engine shard with `opts`.
 * Rejects with the engine's own error (e.g. an `EngineError` for bad options)
 * if the shard cannot be created; the worker is stopped in that case.
 */
export function createWorkerEngine(opts: EngineOptions, workerOpts: WorkerEngineOptions = {}): Promise<WorkerEngine> {
  const worker = new Worker(workerOpts.workerPath ?? workerEntryPath());
  return startRemoteEngine(nodeThread(worker), opts, workerOpts.variant, workerOpts);
}
