/**
 * The worker side of the boundary: one engine shard served over a Comlink
 * endpoint. The Node entry (`engine.worker.ts`) and the browser entry
 * (`browser-worker.ts`) differ only in where their endpoint comes from.
 */
import * as Comlink from 'comlink';
import { createEngine, defaultWorkerEngineVariant } from '../engine/index.js';
import { installEngineErrorHandler, serveEngine } from './wire.js';

/**
 * Serve an engine, created by the first `init` call, on `endpoint`; unless the
 * client names a build, the one that can share its memory with the caller
 * (defaultWorkerEngineVariant), for zero-copy translation buffers.
 */
export function hostEngine(endpoint: Comlink.Endpoint): void {
  installEngineErrorHandler();
  Comlink.expose(
    serveEngine((opts, variant) => createEngine(opts, variant ?? defaultWorkerEngineVariant())),
    endpoint,
  );
}
