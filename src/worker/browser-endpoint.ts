/**
 * Engine shards in browser module workers.
 *
 * The page serves the built `engine.worker.js` (and the engine it imports) and
 * passes its URL here. Calls behave as with the Node client (`client.ts`).
 */
import type { EngineOptions } from '../contract/engine-api.js';
import { startRemoteEngine, type EngineThread, type RemoteOptions, type WorkerEngine } from './remote-engine.js';
import type { EngineVariantName } from './wire.js';

/** Browsers have no thread ids; number the workers this page started. */
let nextThreadId = 1;

function browserThread(worker: Worker): EngineThread {
  return {
    endpoint: worker,
    threadId: nextThreadId++,
    onGone(listener) {
      worker.addEventListener(
        'error',
        (event: ErrorEvent) => listener(event.error ?? new Error(`worker engine failed: ${event.message}`)),
        { once: true },
      );
    },
    async stop() {
      worker.terminate();
    },
  };
}

/** Start a module worker from `url` holding one engine shard with `opts`. */
export function createBrowserWorkerEngine(
  url: string | URL,
  opts: EngineOptions,
  variant?: EngineVariantName,
  remoteOptions: RemoteOptions = {},
): Promise<WorkerEngine> {
  const worker = new Worker(url, { type: 'module' });
  return startRemoteEngine(browserThread(worker), opts, variant, remoteOptions);
}
