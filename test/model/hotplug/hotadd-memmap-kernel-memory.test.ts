/**
 * Without memmap_on_memory a hot-add takes 2 MiB of memmap per section from
 * kernel zones (ZONE_NORMAL and below): the target node's first, then other
 * nodes in its zonelist order (a node without kernel memory always falls
 * back). The pages stay managed but stop being free, and they make their
 * block unmovable. Like any kernel allocation it stops at the zones' min
 * marks: when kernel memory above them runs out the add is ENOMEM and
 * changes nothing.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { boot, countClassEverywhere, expectErrno, expectOk, GiB, nodeOf, observe, twoNodeVm, zoneOf } from './helpers.js';

async function kernelFree(machine: Awaited<ReturnType<typeof boot>>, nid: number): Promise<number> {
  return (await nodeOf(machine, nid)).zones.filter((z) => z.zoneIdx <= 2).reduce((sum, z) => sum + z.freePages, 0);
}

test('the memmap comes from the target node when it has kernel memory, else from the next node', async () => {
  const machine = await boot(twoNodeVm()); // node 1 is Normal here
  try {
    const node0 = await kernelFree(machine, 0);
    const node1 = await kernelFree(machine, 1);
    const managed1 = (await zoneOf(machine, 1, 'Normal')).managedPages;
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
    await machine.checkInvariants();
    expect(await kernelFree(machine, 1)).toBe(node1 - 8 * 512);
    expect(await kernelFree(machine, 0)).toBe(node0);
    expect((await zoneOf(machine, 1, 'Normal')).managedPages).toBe(managed1);

    // Node 2 has no memory at all: its memmap falls back to node 0 (node 2's zonelist: 0, then 1).
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
    await machine.checkInvariants();
    expect(await kernelFree(machine, 0)).toBe(node0 - 8 * 512);
    expect(await countClassEverywhere(machine, PageClass.VMEMMAP)).toBe(16 * 512);

    // A block holding memmap pages cannot go offline: they are unmovable kernel memory.
    const holder = (await machine.blocks()).find((b) => b.zone === 'Normal' && b.nids.includes(1));
    expect(holder).toBeDefined();
    const outcome = await machine.offlineBlocks({ firstBlockId: holder!.id });
    expectErrno(outcome, 'EBUSY');
    expect(outcome.message).toMatch(/VMEMMAP/);

    // Removal gives the pages back to the zones they came from.
    expectOk(await machine.removeMemory(10 * GiB, 1 * GiB));
    expectOk(await machine.removeMemory(8 * GiB, 1 * GiB));
    await machine.checkInvariants();
    expect(await kernelFree(machine, 0)).toBe(node0);
    expect(await kernelFree(machine, 1)).toBe(node1);
  } finally {
    await machine.close();
  }
});

test('no kernel memory left for the memmap: ENOMEM, nothing changed, even with Movable memory free', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    // Slab takes the kernel zones (node 0's; node 1 is all Movable) down to
    // their min marks, as far as the allocator lets it: what is left is
    // the reserve, which a hot-add's memmap may not use either.
    const [slab] = (await machine.headroom(0)).filter((h) => h.kind === 'slab');
    expect(slab.pages).toBeGreaterThan(8 * 512);
    expectOk(await machine.alloc({ kind: 'slab', size: slab.pages * 4096, node: 0 }));
    expect((await machine.alloc({ kind: 'slab', size: 4096, node: 0 })).ok).toBe(false);
    expect(await kernelFree(machine, 0)).toBeGreaterThan(8 * 512);
    expect((await zoneOf(machine, 1, 'Movable')).freePages).toBeGreaterThan(0);
    const before = await observe(machine);
    const outcome = await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB });
    expectErrno(outcome, 'ENOMEM');
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);
    // With the memmap inside the added memory the add needs no kernel memory.
    const spec = twoNodeVm('movable_node memory_hotplug.memmap_on_memory=Y');
    const other = await boot(spec);
    try {
      const [otherSlab] = (await other.headroom(0)).filter((h) => h.kind === 'slab');
      expectOk(await other.alloc({ kind: 'slab', size: otherSlab.pages * 4096, node: 0 }));
      expectOk(await other.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB, memmapOnMemory: true }));
      await other.checkInvariants();
    } finally {
      await other.close();
    }
  } finally {
    await machine.close();
  }
});
