/**
 * The lifecycle gives the same results on every engine: a seeded sequence of
 * adds, removes, onlines, offlines, allocations, frees, notifier injections
 * and sysfs writes runs on the in-thread WASM engine, the plain-TypeScript
 * reference engine and WASM engines in worker threads. After every step the
 * outcomes and everything observable must agree, and the invariants hold on
 * each machine.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import type { AllocKind, MachineSpec, OnlineRequestType } from '../../../src/model/core/types.js';
import { Prng } from '../../helpers/prng.js';
import { GiB, MEMORY_DIR, machineSpec, observe } from './helpers.js';

const SEED = 20261122;
const STEPS = 60;
const BLOCK = 128 * 2 ** 20;

/** Small enough for the reference engine: node 0 [0, 2G), node 1 [4G, 5G) + slot [5G, 6G), node 2 slot [6G, 7G). */
const SPEC: MachineSpec = machineSpec(
  [
    { node: 1, boot: { base: 4 * GiB, size: 1 * GiB }, slot: { base: 5 * GiB, size: 1 * GiB }, hotpluggable: true },
    { node: 2, slot: { base: 6 * GiB, size: 1 * GiB }, hotpluggable: true },
  ],
  { cmdline: 'movable_node' },
);

const machines: BootedMachine[] = [];

beforeAll(async () => {
  machines.push(
    await bootMachine(SPEC, { engine: 'wasm' }),
    await bootMachine(SPEC, { engine: 'reference' }),
    await bootMachine(SPEC, { engine: 'wasm', worker: true }),
  );
});
afterAll(async () => {
  await Promise.all(machines.map((m) => m.close()));
});

type Step = { what: string; run: (machine: BootedMachine) => Promise<unknown> };

function randomStep(prng: Prng): Step {
  const slotBlock = (): number => prng.int(40, 56); // [5G, 7G)
  const anyBlock = (): number => prng.pick([prng.int(1, 16), prng.int(32, 56)]);
  const kinds: AllocKind[] = ['user', 'slab', 'pgtable', 'pinned'];
  const types: OnlineRequestType[] = ['online', 'online_kernel', 'online_movable'];
  switch (prng.weighted([3, 1, 2, 4, 4, 4, 2, 1, 2])) {
    case 0: {
      const first = slotBlock();
      const nrBlocks = prng.int(1, 5);
      const nid = first < 48 ? 1 : 2;
      const req = { node: nid, base: first * BLOCK, size: nrBlocks * BLOCK, memmapOnMemory: false };
      return { what: `add ${JSON.stringify(req)}`, run: (m) => m.addMemory(req) };
    }
    case 1: {
      const first = slotBlock();
      const size = prng.int(1, 3) * BLOCK;
      return { what: `remove ${first}`, run: (m) => m.removeMemory(first * BLOCK, size) };
    }
    case 2: {
      const first = prng.pick([slotBlock(), anyBlock()]);
      const size = prng.int(1, 3) * BLOCK;
      return { what: `offline_and_remove ${first}`, run: (m) => m.offlineAndRemoveMemory(first * BLOCK, size) };
    }
    case 3: {
      const first = prng.pick([slotBlock(), anyBlock()]);
      const last = first + prng.int(0, 4);
      const type = prng.pick(types);
      return { what: `online ${first}-${last} ${type}`, run: (m) => m.onlineBlocks({ firstBlockId: first, lastBlockId: last }, type) };
    }
    case 4: {
      // Node 1's boot blocks, where user pages land first, half of the time.
      const first = prng.pick([slotBlock(), anyBlock(), prng.int(32, 40), prng.int(32, 40)]);
      const last = first + prng.int(0, 4);
      return { what: `offline ${first}-${last}`, run: (m) => m.offlineBlocks({ firstBlockId: first, lastBlockId: last }) };
    }
    case 5: {
      const req = { kind: prng.pick(kinds), size: prng.int(1, 20_000) * 4096, node: prng.int(0, 3) };
      return { what: `alloc ${JSON.stringify(req)}`, run: (m) => m.alloc(req) };
    }
    case 6: {
      const req = { kind: prng.pick(kinds), size: prng.int(1, 5_000) * 4096, node: prng.int(0, 3), seed: prng.u32() };
      return { what: `free ${JSON.stringify(req)}`, run: (m) => m.free(req) };
    }
    case 7: {
      const action = prng.pick(['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const);
      const errno = prng.chance(0.3) ? ('EBUSY' as const) : null;
      return { what: `inject ${action} ${errno}`, run: async (m) => m.injectNotifierError(action, errno) };
    }
    default: {
      const id = prng.pick([slotBlock(), anyBlock()]);
      const [file, value] = prng.pick([
        ['state', 'offline'],
        ['state', 'online'],
        ['state', 'online_movable'],
        ['online', '1'],
        ['online', '0'],
      ]);
      return { what: `echo ${value} > memory${id}/${file}`, run: (m) => m.sysfsWrite(`${MEMORY_DIR}/memory${id}/${file}`, value) };
    }
  }
}

test(`${STEPS} seeded lifecycle steps agree on the WASM, reference and worker engines`, async () => {
  const prng = new Prng(SEED);
  let okSteps = 0;
  let migratedPages = 0;
  // A prologue that puts user pages where offlines will find them.
  const prologue: Step[] = [
    { what: 'alloc user 300 MiB on node 1', run: (m) => m.alloc({ kind: 'user', size: 300 * 2 ** 20, node: 1 }) },
    { what: 'offline 32-33', run: (m) => m.offlineBlocks({ firstBlockId: 32, lastBlockId: 33 }) },
  ];
  for (let i = 0; i < STEPS; i++) {
    const step = i < prologue.length ? prologue[i] : randomStep(prng);
    const outcomes = [];
    for (const machine of machines) outcomes.push(await step.run(machine));
    for (const machine of machines) await machine.checkInvariants();
    expect(outcomes[1], `step ${i}: ${step.what}`).toEqual(outcomes[0]);
    expect(outcomes[2], `step ${i}: ${step.what}`).toEqual(outcomes[0]);
    const seen = await Promise.all(machines.map((m) => observe(m)));
    expect(seen[1], `step ${i}: ${step.what}`).toEqual(seen[0]);
    expect(seen[2], `step ${i}: ${step.what}`).toEqual(seen[0]);
    const outcome = outcomes[0] as { ok?: boolean; migratedPages?: number } | undefined;
    if (outcome === undefined || outcome.ok === true) okSteps++;
    migratedPages += outcome?.migratedPages ?? 0;
  }
  // The sequence must exercise success paths and migration, not only refusals.
  expect(okSteps).toBeGreaterThan(STEPS / 4);
  expect(migratedPages).toBeGreaterThan(0);
});
