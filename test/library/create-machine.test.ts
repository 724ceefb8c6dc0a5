/**
 * The library entry point: createMachine boots the same machine from a
 * scenario or from its bare MachineSpec, in this thread or with one worker
 * per shard, and all of them answer alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { createMachine, parseScenario } from '../../src/index.js';

const file = join(import.meta.dirname, '../../scenarios/small-vm.yaml');

test('createMachine from a scenario, a spec, and through workers gives one machine', async () => {
  const scenario = parseScenario(readFileSync(file, 'utf8'), file);
  const machines = [
    await createMachine(scenario),
    await createMachine(scenario.machine),
    await createMachine(scenario, { worker: true }),
  ];
  try {
    const views = await Promise.all(machines.map(async (m) => ({ nodes: await m.nodes(), blocks: await m.blocks(), zoneinfo: await m.zoneinfo() })));
    expect(views[0].blocks.length).toBeGreaterThan(0);
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  } finally {
    await Promise.all(machines.map((m) => m.close()));
  }
});
