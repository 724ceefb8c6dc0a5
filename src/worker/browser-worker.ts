/**
 * Worker entry for browsers: one engine shard per module worker, serving on
 * the worker's global scope. `browser-endpoint.ts` starts it; bundlers find
 * it there through `new Worker(new URL(...), { type: 'module' })`.
 */
import type { Endpoint } from 'comlink';
import { hostEngine } from './engine-host.js';

hostEngine(globalThis as unknown as Endpoint);
