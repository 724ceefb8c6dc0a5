/**
 * Worker entry: one engine shard per worker thread.
 *
 * The engine is created by the first call, `init(opts, variant)`, so the same
 * entry serves Node (`worker_threads`, which could pass options as workerData)
 * and browsers (which cannot). Node 20 cannot start a worker from TypeScript, so
 * this runs from `dist/src/worker/engine.worker.js` (`npm run build:ts`).
 */
import * as Comlink from 'comlink';
import { createEngine } from '../engine/index.js';
import { installEngineErrorHandler, serveEngine } from './wire.js';

installEngineErrorHandler();

const api = serveEngine((opts, variant) => createEngine(opts, variant));

async function parentEndpoint(): Promise<Comlink.Endpoint> {
  if (typeof process !== 'undefined' && process.versions?.node !== undefined) {
    const { parentPort } = await import('node:worker_threads');
    const { parentPortEndpoint } = await import('./node-endpoint.js');
    if (parentPort === null) throw new Error('engine.worker must run in a worker thread');
    return parentPortEndpoint(parentPort);
  }
  return globalThis as unknown as Comlink.Endpoint;
}

Comlink.expose(api, await parentEndpoint());
