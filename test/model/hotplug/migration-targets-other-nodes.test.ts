/**
 * Fact 35: migration during an offline of node 1 on a 4-node box never
 * targets node 1 itself; targets follow node 1's zonelist (nearest first,
 * the next nodes up before the ones below on a tie). On a single-node box
 * the source node is the only target, and the pages go to its other blocks.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, countClass, expectOk, fourNodeVm, GiB, machineSpec, migratedTotal, nodeOf, zoneOf } from './helpers.js';

test('offlining all of node 1 moves its user pages to nodes 2, 3, 0 in zonelist order, never to node 1', async () => {
  const machine = await boot(fourNodeVm());
  try {
    // Node 1 is [5G, 6G), Movable under movable_node. Fill 3/4 of it.
    const userPages = (3 * GiB) / 4 / 4096;
    expectOk(await machine.alloc({ kind: 'user', size: userPages * 4096, node: 1 }));
    expect(await countClass(machine, (5 * GiB) / 4096, (6 * GiB) / 4096, PageClass.USER)).toBe(userPages);
    // Leave node 2 little room, so the rest spills to node 3: page cache down
    // to 1000 pages above its low mark (a request node 2 can take whole on
    // the fast path). A migration target may go down to min + reserve.
    const before2 = await zoneOf(machine, 2, 'Movable');
    expectOk(await machine.alloc({ kind: 'file', size: (before2.freePages - before2.watermarks.low - 1000) * 4096, node: 2 }));
    const after2 = await zoneOf(machine, 2, 'Movable');
    const room2 = after2.freePages - after2.watermarks.min - after2.lowmemReserve[3];
    expect(room2).toBeLessThan(userPages);

    const outcome = await machine.offlineBlocks({ node: 1 });
    expectOk(outcome);
    await machine.checkInvariants();
    expect(outcome.blocks?.map((b) => b.id)).toEqual(Array.from({ length: 8 }, (_, i) => 47 - i));
    expect(outcome.migratedPages).toBe(userPages);
    expect(migratedTotal(outcome)).toBe(userPages);
    expect(Object.keys(outcome.migratedByNode)).not.toContain('1');
    expect(outcome.migratedByNode['2']).toBe(room2);
    expect(outcome.migratedByNode['3']).toBe(userPages - room2);
    expect(outcome.migratedByNode['0']).toBeUndefined();
    expect((await nodeOf(machine, 1)).hasMemory).toBe(false);
  } finally {
    await machine.close();
  }
});

test('a SLIT makes the nearest node the first target', async () => {
  const slit = [
    [10, 20, 30, 40],
    [20, 10, 40, 15],
    [30, 40, 10, 20],
    [40, 15, 20, 10],
  ];
  const spec = { ...fourNodeVm(), slit };
  const machine = await boot(spec);
  try {
    expectOk(await machine.alloc({ kind: 'user', size: 4096 * 4096, node: 1 }));
    const outcome = await machine.offlineBlocks({ firstBlockId: 40 });
    expectOk(outcome);
    expect(outcome.migratedByNode).toEqual({ 3: 4096 });
  } finally {
    await machine.close();
  }
});

test('on a single-node box the pages move to other blocks of node 0', async () => {
  const machine = await boot(machineSpec([{ node: 0, boot: { base: 4 * GiB, size: 2 * GiB } }]));
  try {
    // Node 0's only Normal memory is [4G, 6G): blocks 32-47. Page cache (user
    // memory without page tables to place) fills from the lowest pfn of Normal.
    expectOk(await machine.alloc({ kind: 'file', size: 100 * 4096, node: 0 }));
    expect(await countClass(machine, 32 * BLOCK_128M_PAGES, 33 * BLOCK_128M_PAGES, PageClass.USER)).toBe(100);
    const outcome = await machine.offlineBlocks({ firstBlockId: 32 });
    expectOk(outcome);
    await machine.checkInvariants();
    expect(outcome.migratedByNode).toEqual({ 0: 100 });
    expect(await countClass(machine, 33 * BLOCK_128M_PAGES, 34 * BLOCK_128M_PAGES, PageClass.USER)).toBe(100);
  } finally {
    await machine.close();
  }
});
