/**
 * Inputs at the kernel's own table limits, read and booted whole: an SRAT of
 * NR_NODE_MEMBLKS (2048) memory entries over 64 nodes, the largest the kernel
 * accepts, and one of 100,000 entries, which validation refuses naming that
 * limit. Wall seconds per step, medians of a few runs; booting is measured on
 * the WASM engine and on the reference engine, with the ratio.
 */
import { engineFactoryFor } from '../../src/engines.js';
import { bootMachine } from '../../src/model/machine.js';
import { NR_NODE_MEMBLKS } from '../../src/model/core/kernel.js';
import { checkScenarioText, parseScenario } from '../../src/study/scenario.js';

const RUNS = 3;
const NODES = 64;

export interface InputLimitRow {
  what: string;
  wasmSec: number;
  refSec?: number;
}

/** A scenario whose SRAT has `n` 1 GiB entries spread round-robin over the nodes. */
function sratScenario(n: number): string {
  const lines = ['version: 1', 'machine:', '  srat:'];
  for (let i = 0; i < n; i++) lines.push(`    - { node: ${i % NODES}, base: ${i * 2 ** 30}, size: 1G }`);
  return `${lines.join('\n')}\n`;
}

async function medianSec(work: () => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    times.push((performance.now() - t0) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

export async function inputLimitsSuite(): Promise<InputLimitRow[]> {
  const atLimit = sratScenario(NR_NODE_MEMBLKS);
  const scenario = parseScenario(atLimit, 'srat-at-limit.yaml');
  const wasm = await engineFactoryFor({ engine: 'wasm' });
  const ref = await engineFactoryFor({ engine: 'reference' });
  const boot = (engines: typeof wasm) => async (): Promise<void> => {
    const machine = await bootMachine(scenario.machine, { engines });
    await machine.close();
  };
  const huge = sratScenario(100_000);
  const refused = checkScenarioText(huge, 'srat-100k.yaml');
  if (refused.ok) throw new Error('a 100,000-entry SRAT was accepted');
  return [
    { what: `validate: SRAT of ${NR_NODE_MEMBLKS} entries (NR_NODE_MEMBLKS), ${NODES} nodes`, wasmSec: await medianSec(() => checkScenarioText(atLimit, 'a.yaml')) },
    {
      what: `boot: SRAT of ${NR_NODE_MEMBLKS} entries, 2 TiB over ${NODES} nodes`,
      wasmSec: await medianSec(boot(wasm)),
      refSec: await medianSec(boot(ref)),
    },
    { what: 'validate: SRAT of 100,000 entries (refused, naming NR_NODE_MEMBLKS)', wasmSec: await medianSec(() => checkScenarioText(huge, 'b.yaml')) },
  ];
}
