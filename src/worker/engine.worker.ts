/**
 * Worker entry for Node: one engine shard per `worker_threads` worker.
 *
 * The engine is created by the first call, `init(opts, variant)` (see
 * `engine-host.ts`). Node 20 cannot start a worker from TypeScript, so this
 * runs from `dist/src/worker/engine.worker.js` (`npm run build:ts`).
 * Browsers use `browser-worker.ts`, which carries no `node:` import.
 */
import { parentPort } from 'node:worker_threads';
import { hostEngine } from './engine-host.js';
import { parentPortEndpoint } from './node-endpoint.js';

if (parentPort === null) throw new Error('engine.worker must run in a worker thread');
hostEngine(parentPortEndpoint(parentPort));
