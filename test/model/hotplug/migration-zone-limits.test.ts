/**
 * Fact 36: pages migrated out of a Normal-zone block are allocated only from
 * zones up to Normal, above their min marks, so a node whose only free
 * memory is Movable cannot take them; pages from a Movable block may land
 * in Movable.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { boot, countClass, expectErrno, expectOk, GiB, twoNodeVm, zoneOf } from './helpers.js';

test('Normal source: targets only kernel zones; Movable source: Movable targets too', async () => {
  // Node 1 [6G, 8G) is Movable (movable_node); node 2 gets a hot-added block.
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    // Node 2's blocks added (their memmap comes from node 0), then node 0's
    // kernel zones taken by slab down to their min marks before node 2 has
    // online memory; node 1's Movable zone stays free.
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 256 * 2 ** 20 }));
    const [slab] = (await machine.headroom(0)).filter((h) => h.kind === 'slab');
    expectOk(await machine.alloc({ kind: 'slab', size: slab.pages * 4096, node: 0 }));
    expect((await zoneOf(machine, 1, 'Movable')).freePages).toBeGreaterThan(0);
    expectOk(await machine.onlineBlocks({ firstBlockId: 80 }, 'online_kernel'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 81 }, 'online_movable'));
    // Node 2's zonelist is Movable first, then Normal: more page cache than
    // the Movable block has free puts some in the Normal one. (Page cache:
    // movable memory with no page tables to place.)
    const movableFree = (await zoneOf(machine, 2, 'Movable')).freePages;
    const placed = await machine.alloc({ kind: 'file', size: (movableFree + 10) * 4096, node: 2 });
    expectOk(placed);
    const byZone = 'byZone' in placed ? placed.byZone : {};
    const inNormal = byZone['2:Normal'] ?? 0;
    const inMovable = byZone['2:Movable'] ?? 0;
    expect(inNormal).toBeGreaterThan(0);
    expect(await countClass(machine, 80 * 32768, 81 * 32768, PageClass.USER)).toBe(inNormal);
    expect(await countClass(machine, 81 * 32768, 82 * 32768, PageClass.USER)).toBe(inMovable);
    await machine.checkInvariants();

    machine.setOfflineRetryBudget(2);
    const normal = await machine.offlineBlocks({ firstBlockId: 80 });
    expectErrno(normal, 'EINTR');
    expect(normal).toMatchObject({ reason: 'no migration target', migratedPages: 0 });

    const movable = await machine.offlineBlocks({ firstBlockId: 81 });
    expectOk(movable);
    expect(movable.migratedByNode).toEqual({ 1: inMovable });
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
