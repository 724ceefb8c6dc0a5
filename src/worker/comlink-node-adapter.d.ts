/**
 * Types for Comlink's Node adapter. The ESM build ships `node-adapter.mjs`
 * without a `.d.mts` beside it, so under NodeNext resolution TypeScript sees an
 * untyped module (TS7016). This restates its one export.
 */
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  /** The subset of a `worker_threads` MessagePort/Worker the adapter uses. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (value: unknown) => void): void;
    off(type: string, listener: (value: unknown) => void): void;
    start?: () => void;
  }

  /** Adapts a Node `Worker` or `MessagePort` to Comlink's DOM-style endpoint. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
