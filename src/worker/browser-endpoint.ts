/**
 * Engine shards in browser module workers.
 *
 * By default each shard runs the package's `browser-worker.js`, which a
 * bundler emits as its own chunk; a page may host a worker script itself and
 * pass its URL. Calls behave as with the Node client (`client.ts`).
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

export interface BrowserWorkerOptions extends RemoteOptions {
  /** Engine build the worker loads; the engine's default when omitted. */
  variant?: EngineVariantName;
  /**
   * A worker script to run instead of the package's own `browser-worker.js`
   * (for pages that host it themselves); it must serve an engine as that one does.
   */
  workerUrl?: string | URL;
}

/** The package's worker, written as one expression so that bundlers emit and rewrite it. */
function packagedWorker(): Worker {
  return new Worker(new URL('./browser-worker.js', import.meta.url), { type: 'module' });
}

/**
 * Start a module worker holding one engine shard with `opts`. Rejects with the
 * engine's own error if the shard cannot be created; the worker is stopped then.
 */
export function createBrowserWorkerEngine(opts: EngineOptions, options: BrowserWorkerOptions = {}): Promise<WorkerEngine> {
  const { variant, workerUrl, ...remote } = options;
  const worker = workerUrl === undefined ? packagedWorker() : new Worker(workerUrl, { type: 'module' });
  return startRemoteEngine(browserThread(worker), opts, variant, remote);
}
