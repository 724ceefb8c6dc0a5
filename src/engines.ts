/**
 * Choosing an engine: the one place that knows the concrete engines.
 *
 * The model and the study layer only see `EngineFactory` from the contract.
 * The composition roots (the package entry `index.ts` and the CLI entry
 * `cli.ts`) turn a user's choice into a factory here and inject it. The
 * engine modules load on demand, so a machine on the reference engine never
 * instantiates WASM and an in-thread machine never starts a worker.
 */
import type { EngineChoice, EngineFactory } from './contract/engine-api.js';

export type { EngineChoice };

/** The engine factory a choice asks for. Throws for a choice that names no engine. */
export async function engineFactoryFor(choice: EngineChoice = {}): Promise<EngineFactory> {
  const kind = choice.engine ?? 'wasm';
  if (kind !== 'wasm' && kind !== 'reference') {
    throw new Error(`options.engine must be 'wasm' or 'reference', got ${JSON.stringify(kind)}`);
  }
  if (choice.worker === true) {
    if (kind === 'reference') {
      throw new Error("options.worker runs the WASM engine only: use engine 'wasm' with worker true, or worker false with engine 'reference'");
    }
    const { createWorkerEngine } = await import('./worker/client.js');
    return (opts) => createWorkerEngine(opts);
  }
  if (kind === 'reference') {
    const { createRefEngine } = await import('./reference/ref-engine.js');
    return async (opts) => createRefEngine(opts);
  }
  const { createEngine } = await import('./engine/index.js');
  return (opts) => createEngine(opts);
}
