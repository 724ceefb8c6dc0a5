/**
 * The workload's allocations are all or nothing against engine failures too:
 * an allocation spread over several zones that fails in a later zone gives
 * the earlier zones their pages back, and a failing free frees nothing.
 */
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ZONE_NORMAL } from '../../../src/model/core/mmzone.js';
import type { BootedMachine } from '../../../src/model/machine.js';
import { bootWithFaults, expectRolledBack, type EngineFaults } from './engine-faults.js';
import { expectOk, nodeOf, twoNodeVm } from './helpers.js';

let machine: BootedMachine;
let faults: EngineFaults;
beforeEach(async () => {
  ({ machine, faults } = await bootWithFaults(twoNodeVm('movable_node')));
});
afterEach(() => machine?.close());

test('an allocation that fails in its last zone gives the earlier zones their pages back', async () => {
  // More anon pages than node 1 has free: node 1's Movable zone, then node 0's
  // zones, each through one or more tag-aware claims. The same request on a
  // twin machine counts the claims, so the armed one is the last: by then
  // node 1's Movable zone has given its pages.
  const node1Free = (await nodeOf(machine, 1)).zones.reduce((sum, z) => sum + z.freePages, 0);
  const request = { kind: 'anon', size: (node1Free + 1000) * 4096, node: 1 } as const;
  const twin = await bootWithFaults(twoNodeVm('movable_node'));
  try {
    const outcome = await twin.machine.alloc(request);
    expectOk(outcome);
    expect(Object.keys('byZone' in outcome ? outcome.byZone : {})).toEqual(expect.arrayContaining(['1:Movable', '0:Normal']));
    const claims = twin.faults.calls('claimTagged');
    expect(claims).toBeGreaterThan(1);
    await expectRolledBack(machine, faults, 'claimTagged', claims, () => machine.alloc(request));
  } finally {
    await twin.machine.close();
  }
});

test('a free over two zones that fails in the second takes nothing from the first', async () => {
  // Slab pages in node 0's Normal zone and, past it, in DMA32: the free draws from both.
  const normalFree = (await nodeOf(machine, 0)).zones[ZONE_NORMAL].freePages;
  expectOk(await machine.alloc({ kind: 'slab', size: (normalFree + 4000) * 4096, node: 0 }));
  await expectRolledBack(machine, faults, 'claim', 2, () => machine.free({ kind: 'slab', size: normalFree * 4096, node: 0, seed: 7 }));
});
