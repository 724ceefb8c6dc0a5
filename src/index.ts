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
 */
import { bootMachine } from './model/machine.js';
import type { BootOptions, Machine, MachineSpec } from './model/types.js';
import type { Scenario } from './study/scenario.js';

export * from './contract/constants.js';
export { createEngine, Engine, EngineError } from './engine/index.js';
export { createRefEngine, RefEngine } from './reference/ref-engine.js';
export { createWorkerEngine, type WorkerEngine } from './worker/index.js';
export type * from './contract/engine-api.js';
export type * from './model/types.js';
export { bootMachine } from './model/machine.js';
export { checkScenarioText, parseScenario, ScenarioError, type Scenario } from './study/scenario.js';
export { runScenario } from './study/runner.js';

/**
 * Boot a machine from a scenario (its machine and command line; its steps are
 * not run: use {@link runScenario} for that) or from a bare MachineSpec.
 * With `{ worker: true }` every engine shard runs in its own worker thread;
 * both paths answer through the same `Machine` contract.
 */
export function createMachine(from: Scenario | MachineSpec, options: BootOptions = {}): Promise<Machine> {
  const spec = 'steps' in from ? from.machine : from;
  return bootMachine(spec, options);
}
