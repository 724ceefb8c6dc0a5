/**
 * Node `worker_threads` endpoints for Comlink, for both ends of the boundary.
 *
 * Comlink speaks the DOM's `postMessage`/`addEventListener`; Node's `Worker`
 * and `MessagePort` speak `postMessage`/`on`. Its node adapter bridges the two.
 */
import type { Endpoint } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { MessagePort, Worker } from 'node:worker_threads';

/** The main thread's end of a worker. */
export function workerThreadEndpoint(worker: Worker): Endpoint {
  return nodeEndpoint(worker);
}

/** The worker's end: its port to the thread that started it. */
export function parentPortEndpoint(parentPort: MessagePort): Endpoint {
  return nodeEndpoint(parentPort);
}
