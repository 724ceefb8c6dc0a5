/**
 * The two sides of the worker boundary, behind one async shape, so a test
 * body runs unchanged against the engine in this thread and through a worker.
 */
import { createEngine } from '../../src/engine/index.js';
import { createWorkerEngine, type AsyncEngineApi } from '../../src/worker/client.js';
import type { EngineApi, EngineOptions } from '../../src/contract/engine-api.js';
import { OP_NAMES } from '../../src/contract/ops.js';

export type BoundaryKind = 'in-thread' | 'worker';
export const BOUNDARY_KINDS: readonly BoundaryKind[] = ['in-thread', 'worker'];

export interface OpenEngine {
  kind: BoundaryKind;
  api: AsyncEngineApi;
  close(): Promise<void>;
}

/** The in-thread engine with each result wrapped in a promise (a throw becomes a rejection). */
export function asAsync(engine: EngineApi): AsyncEngineApi {
  const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of OP_NAMES) {
    const fn = engine[method] as (...args: unknown[]) => unknown;
    api[method] = async (...args) => fn.apply(engine, args);
  }
  return api as unknown as AsyncEngineApi;
}

export async function openEngine(kind: BoundaryKind, opts: EngineOptions): Promise<OpenEngine> {
  if (kind === 'in-thread') {
    const engine = await createEngine(opts);
    return { kind, api: asAsync(engine), close: async () => undefined };
  }
  const worker = await createWorkerEngine(opts);
  return { kind, api: worker, close: () => worker.terminate() };
}

/**
 * A fresh copy of every typed-array argument: the worker client moves
 * translation inputs, so one op replayed on two engines needs two copies.
 */
export function copyArgs(args: readonly unknown[]): unknown[] {
  return args.map((arg) => (arg instanceof BigUint64Array ? arg.slice() : arg));
}
