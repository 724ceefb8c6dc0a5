/**
 * Engine shards in Node worker threads.
 *
 * `createWorkerEngine(opts)` starts a `worker_threads` worker running the
 * compiled `engine.worker.js` and returns a {@link WorkerEngine}: the engine
 * contract with promise results (see `remote-engine.ts` for call semantics).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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
const PACKAGE_NAME = 'pfnlab';

/**
 * The compiled worker entry. This module runs either from `src/worker/` (vitest
 * runs TypeScript sources) or from `dist/src/worker/`, so walk up to the package
 * root and take the built file from there in both cases.
 */
export function workerEntryPath(): string {
  const here = fileURLToPath(import.meta.url);
  let dir = dirname(here);
  while (!isPackageRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${here}`);
    dir = parent;
  }
  const entry = join(dir, WORKER_ENTRY_IN_PACKAGE);
  if (!existsSync(entry)) {
    throw new Error(`worker entry ${entry} is missing: run npm run build (or npm run build:ts)`);
  }
  return entry;
}

function isPackageRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
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
