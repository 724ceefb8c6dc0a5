/**
 * Bad input to the allocator's calls is EINVAL naming the field, and the
 * machine is unchanged: nothing allocated, freed, retagged or counted.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BootedMachine } from '../../../src/model/machine.js';
import type { AllocRequest, WorkloadSpec } from '../../../src/model/core/types.js';
import { boot, observe, twoNodeVm } from '../hotplug/helpers.js';

let machine: BootedMachine;
beforeAll(async () => {
  machine = await boot(twoNodeVm('movable_node'));
  // Something to free and to churn, so a refused call has state it could have changed.
  await machine.workload({ node: 'spread', anon: { share: 0.2 }, file: { share: 0.1 }, slab: { share: 0.01 }, placement: 'fragmented', seed: 5 });
});
afterAll(() => machine?.close());

const badAllocs: [string, unknown, RegExp][] = [
  ['an unknown kind', { kind: 'dentries', size: 4096, node: 0 }, /^kind must be anon, file, slab, slab_reclaimable, pgtable, pinned, user, got "dentries"/],
  ['a negative size', { kind: 'anon', size: -4096, node: 0 }, /^size must be a positive integer number of bytes, got -4096/],
  ['a THP share over 1', { kind: 'anon', size: 4096, node: 0, thp: 1.5 }, /^thp must be a share from 0 to 1, got 1\.5/],
  ['an unknown placement', { kind: 'anon', size: 4096, node: 0, placement: 'scattered' }, /^placement must be grouped, fragmented, compact/],
  ['a node that is not possible', { kind: 'slab', size: 4096, node: 9 }, /^node 9 is not possible/],
];

test.each(badAllocs)('alloc with %s: EINVAL, nothing changed', async (_what, request, message) => {
  const before = await observe(machine);
  const outcome = await machine.alloc(request as AllocRequest);
  expect(outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
  expect(outcome.message).toMatch(message);
  expect(await observe(machine)).toEqual(before);
});

const badWorkloads: [string, unknown, RegExp][] = [
  ['shares over 100%', { node: 'spread', anon: { share: 0.7 }, file: { share: 0.4 } }, /^the shares add up to 110%, more than all of memory/],
  ['a negative size', { node: 0, slab: { bytes: -1 } }, /^slab\.bytes must be a byte count, got -1/],
  ['a share over 1', { node: 0, anon: { share: 2 } }, /^anon\.share must be from 0 to 1, got 2/],
  ['a node without memory', { node: 2, anon: { share: 0.1 } }, /^node must be a node with memory or "spread", got 2/],
];

test.each(badWorkloads)('workload with %s: EINVAL, nothing changed', async (_what, spec, message) => {
  const before = await observe(machine);
  const outcome = await machine.workload(spec as WorkloadSpec);
  expect(outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
  expect(outcome.message).toMatch(message);
  expect(await observe(machine)).toEqual(before);
});

test('churn with a share over 1 or an impossible node, and a free of more than the node holds: EINVAL, nothing changed', async () => {
  const before = await observe(machine);
  for (const [call, message] of [
    [() => machine.churn({ share: 1.5, node: 'spread' }), /^share must be from 0 to 1, got 1\.5/],
    [() => machine.churn({ share: 0.1, node: 9 }), /^node must be a node or "spread", got 9/],
    [() => machine.free({ kind: 'pinned', size: 2 ** 40, node: 0 }), /^node 0 holds \d+ pinned pages, fewer than the 268435456 to free/],
  ] as const) {
    const outcome = await call();
    expect(outcome).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(outcome.message).toMatch(message);
  }
  expect(await observe(machine)).toEqual(before);
});
