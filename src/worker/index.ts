/**
 * The worker boundary's public surface in Node (`pfnlab/worker`). Under the
 * `browser` condition that name resolves to `browser.ts` instead, since this
 * module pulls in `worker_threads`.
 */
export type * from '../contract/engine-api.js';
export { createWorkerEngine, EngineTimeoutError, workerEntryPath, type WorkerEngineOptions } from './client.js';
export type { AsyncEngineApi, EngineThread, RemoteOptions, WorkerEngine } from './remote-engine.js';
export type { EngineVariantName } from './wire.js';
