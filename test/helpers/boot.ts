/**
 * Booting machines in tests: the model takes an injected engine factory, and
 * tests name the engine they want, as users of the package entry do.
 */
import type { EngineChoice } from '../../src/contract/engine-api.js';
import { engineFactoryFor } from '../../src/engines.js';
import { bootMachine as bootWithEngines, type BootedMachine } from '../../src/model/machine.js';
import type { MachineSpec } from '../../src/model/core/types.js';

export type { BootedMachine };

/** Boot `spec` on the chosen engine (the WASM engine in this thread by default). */
export async function bootMachine(spec: MachineSpec, choice: EngineChoice = {}): Promise<BootedMachine> {
  return bootWithEngines(spec, { engines: await engineFactoryFor(choice) });
}
