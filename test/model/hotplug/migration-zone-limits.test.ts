/**
 * Fact 36: pages migrated out of a Normal-zone block are allocated only from
 * zones up to Normal, so a node whose only free memory is Movable cannot
 * take them; pages from a Movable block may land in Movable.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { boot, countClass, expectErrno, expectOk, GiB, nodeOf, twoNodeVm, zoneOf } from './helpers.js';

test('Normal source: targets only kernel zones; Movable source: Movable targets too', async () => {
  // Node 1 [6G, 8G) is Movable (movable_node); node 2 gets a hot-added block.
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 256 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 80 }, 'online_kernel'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 81 }, 'online_movable'));
    // Node 0's kernel zones full of user pages; node 1's Movable zone stays free.
    const node0Free = (await nodeOf(machine, 0)).zones.reduce((sum, z) => sum + z.freePages, 0);
    expectOk(await machine.alloc({ kind: 'user', size: node0Free * 4096, node: 0 }));
    expect((await zoneOf(machine, 1, 'Movable')).freePages).toBeGreaterThan(0);
    // Node 2's zonelist is Movable first, then Normal: fill the Movable block and put 10 pages in the Normal one.
    const movableFree = (await zoneOf(machine, 2, 'Movable')).freePages;
    expectOk(await machine.alloc({ kind: 'user', size: (movableFree + 10) * 4096, node: 2 }));
    expect(await countClass(machine, 80 * 32768, 81 * 32768, PageClass.USER)).toBe(10);
    expect(await countClass(machine, 81 * 32768, 82 * 32768, PageClass.USER)).toBe(movableFree);
    await machine.checkInvariants();

    machine.setOfflineRetryBudget(2);
    const normal = await machine.offlineBlocks({ firstBlockId: 80 });
    expectErrno(normal, 'EINTR');
    expect(normal).toMatchObject({ reason: 'no migration target', migratedPages: 0 });

    const movable = await machine.offlineBlocks({ firstBlockId: 81 });
    expectOk(movable);
    expect(movable.migratedByNode).toEqual({ 1: movableFree });
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
