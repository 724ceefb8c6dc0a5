/**
 * pfnlab's public surface: the machine façade, the engines behind it, the
 * scenario runner, and the contracts' types.
 *
 * ```ts
 * import { createMachine, parseScenario } from 'pfnlab';
 * const machine = await createMachine(parseScenario(text, 'box.yaml'), { worker: true });
 * await machine.offlineBlocks({ node: 1 });
 * console.log(await machine.zoneinfo());
 * await machine.close();
 * ```
 *
 * This is one of the two composition roots (the other is `cli.ts`): it turns
 * an {@link EngineChoice} into an engine factory and hands it to the model.
 */
import type { EngineChoice } from './contract/engine-api.js';
import { engineFactoryFor } from './engines.js';
import { bootMachine } from './model/machine.js';
import type { Machine, MachineSpec } from './model/core/types.js';
import type { RunReport } from './study/report.js';
import { runScenario as runWithEngines, type RunOptions } from './study/runner.js';
import type { Scenario } from './study/scenario.js';
import {
  maxMovableRatio as searchMovableRatio,
  probeMovableRatio as probeRatio,
  type MovableRatioRequest,
  type MovableRatioResult,
  type RatioProbe,
} from './study/movable-ratio.js';

export * from './contract/index.js';
export { createEngine, Engine } from './engine/index.js';
export { createRefEngine, RefEngine } from './reference/ref-engine.js';
export { createWorkerEngine, type WorkerEngine } from './worker/index.js';
export type * from './model/core/types.js';
export { engineFactoryFor } from './engines.js';
export { MachineClosedError } from './model/machine.js';
export { checkScenarioText, parseScenario, ScenarioError, type Scenario } from './study/scenario.js';
export {
  gridKernelBytes,
  RATIO_ROUTES,
  ratioMachine,
  type MovableRatioRequest,
  type MovableRatioResult,
  type ProbeFailure,
  type RatioMachine,
  type RatioProbe,
  type RatioRoute,
} from './study/movable-ratio.js';

/** How to boot: which engine, in which thread. */
export type BootOptions = EngineChoice;

/**
 * Boot a machine from a scenario (its machine and command line; its steps are
 * not run: use {@link runScenario} for that) or from a bare MachineSpec.
 * With `{ worker: true }` every engine shard runs in its own worker thread;
 * both paths answer through the same `Machine` contract.
 */
export async function createMachine(from: Scenario | MachineSpec, options: BootOptions = {}): Promise<Machine> {
  const spec = 'steps' in from ? from.machine : from;
  return bootMachine(spec, { engines: await engineFactoryFor(options) });
}

/** Boot the scenario's machine on the chosen engine, run its steps, and return the report. */
export async function runScenario(
  scenario: Scenario,
  options: BootOptions & Omit<RunOptions, 'engines'> = {},
): Promise<RunReport> {
  const { engine, worker, ...rest } = options;
  return runWithEngines(scenario, { ...rest, engines: await engineFactoryFor({ engine, worker }) });
}

/**
 * The largest MOVABLE:KERNEL ratio at which a workload still fits on a
 * machine, by bisection on whole machines booted on the chosen engine
 * (docs/allocator.md, "How much can be movable").
 */
export async function maxMovableRatio(request: MovableRatioRequest, options: BootOptions = {}): Promise<MovableRatioResult> {
  return searchMovableRatio({ ...request, engines: await engineFactoryFor(options) });
}

/** One probe of {@link maxMovableRatio}: boot, run the workload and judge the fit at `ratio`:1. */
export async function probeMovableRatio(request: MovableRatioRequest, ratio: number, options: BootOptions = {}): Promise<RatioProbe> {
  return probeRatio({ ...request, engines: await engineFactoryFor(options) }, ratio);
}
