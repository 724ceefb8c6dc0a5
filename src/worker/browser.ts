/**
 * The worker boundary's public surface in browsers (`pfnlab/worker` under the
 * `browser` condition): engine shards in module workers. The Node surface
 * is `index.ts`.
 */
export type * from '../contract/engine-api.js';
export { createBrowserWorkerEngine, type BrowserWorkerOptions } from './browser-endpoint.js';
export { EngineTimeoutError } from './remote-engine.js';
export type { AsyncEngineApi, EngineThread, RemoteOptions, WorkerEngine } from './remote-engine.js';
export type { EngineVariantName } from './wire.js';
