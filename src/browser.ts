/**
 * pfnlab in a browser: the same machine façade, engines and scenario runner
 * as the Node entry (`index.ts`), with shards in module workers instead of
 * worker threads. Nothing reachable from here imports a `node:` module; the
 * engine's WASM and the worker script are named with
 * `new URL(..., import.meta.url)` so that bundlers emit both.
 *
 * ```ts
 * import { createMachine, parseScenario } from 'pfnlab/browser';
 * const machine = await createMachine(parseScenario(text, 'box.yaml'), { worker: true });
 * await machine.offlineBlocks({ node: 1 });
 * console.log(await machine.zoneinfo());
 * ```
 *
 * This is a composition root, like `index.ts`: it turns a choice into an
 * engine factory and hands it to the model.
 */
import type { EngineFactory } from './contract/engine-api.js';
import { createEngine } from './engine/index.js';
import { bootMachine, type BootedMachine } from './model/machine.js';
import type { Machine, MachineSpec } from './model/core/types.js';
import { createRefEngine } from './reference/ref-engine.js';
import type { RunReport, StepReport } from './study/report.js';
import { runScenario as runWithEngines, runStep, type RunOptions } from './study/runner.js';
import type { Scenario } from './study/scenario.js';
import { createBrowserWorkerEngine, type BrowserWorkerOptions } from './worker/browser-endpoint.js';

export * from './contract/index.js';
export { createEngine, Engine } from './engine/index.js';
export { setEngineWasmSource, type EngineVariant } from './engine/load.js';
export { createRefEngine, RefEngine } from './reference/ref-engine.js';
export { createBrowserWorkerEngine, type BrowserWorkerOptions } from './worker/browser-endpoint.js';
export type { WorkerEngine } from './worker/remote-engine.js';
export type * from './model/core/types.js';
export { MachineClosedError } from './model/machine.js';
export { checkScenarioText, parseScenario, ScenarioError, type Scenario } from './study/scenario.js';
export type { RunReport, StepReport } from './study/report.js';
export { groupBlocks, type BlockRangeReport } from './study/report.js';
export { ONLINE_REQUEST_TYPES } from './model/core/types.js';

/**
 * How to boot in a page: the WASM engine (default) or the reference, in the
 * page's thread or one module worker per shard (`worker: true`, or the
 * worker options to use).
 */
export interface BrowserBootOptions {
  engine?: 'wasm' | 'reference';
  worker?: boolean | BrowserWorkerOptions;
}

/** The engine factory a choice asks for. Throws for a choice that names no engine. */
export function browserEngineFactory(options: BrowserBootOptions = {}): EngineFactory {
  const kind = options.engine ?? 'wasm';
  if (kind !== 'wasm' && kind !== 'reference') {
    throw new Error(`options.engine must be 'wasm' or 'reference', got ${JSON.stringify(kind)}`);
  }
  if (options.worker !== undefined && options.worker !== false) {
    if (kind === 'reference') throw new Error("options.worker runs the WASM engine only: use engine 'wasm' with a worker");
    const workerOptions = options.worker === true ? {} : options.worker;
    return (opts) => createBrowserWorkerEngine(opts, workerOptions);
  }
  return kind === 'reference' ? async (opts) => createRefEngine(opts) : (opts) => createEngine(opts);
}

/** Boot a machine from a scenario (its steps are not run) or a bare MachineSpec. */
export function createMachine(from: Scenario | MachineSpec, options: BrowserBootOptions = {}): Promise<BootedMachine> {
  const spec = 'steps' in from ? from.machine : from;
  return bootMachine(spec, { engines: browserEngineFactory(options) });
}

/** Boot the scenario's machine, run its steps, and return the report. */
export function runScenario(
  scenario: Scenario,
  options: BrowserBootOptions & Omit<RunOptions, 'engines'> = {},
): Promise<RunReport> {
  const { engine, worker, ...rest } = options;
  return runWithEngines(scenario, { ...rest, engines: browserEngineFactory({ engine, worker }) });
}

/**
 * Run one step of `scenario` on a machine already booted from it (a page
 * stepping through a scenario). `stdout` receives what an export to `-` prints.
 */
export function runScenarioStep(
  machine: Machine,
  scenario: Scenario,
  stepIndex: number,
  options: BrowserBootOptions & { stdout?: (text: string) => void } = {},
): Promise<StepReport> {
  const step = scenario.steps[stepIndex];
  if (step === undefined) throw new RangeError(`${scenario.file} has no step ${stepIndex} (it has ${scenario.steps.length})`);
  return runStep(machine, step, { scenario, engines: browserEngineFactory(options), stdout: options.stdout ?? (() => {}) });
}

export type { Machine };
