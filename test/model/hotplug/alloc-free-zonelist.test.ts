/**
 * The allocator along the preferred node's zonelist: user memory may use
 * ZONE_MOVABLE, slab, page tables and pinned memory may not. Kernel
 * allocations stop at the kernel zones' min marks and end in an OOM kill
 * even while Movable is free (the "lowmem" imbalance); a user mapping then
 * fails on its page tables (fact 65). Managed pages never change. free()
 * releases a seeded random subset of a kind's pages on a node.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { boot, countClass, countClassEverywhere, expectErrno, expectOk, GiB, nodeOf, observe, twoNodeVm, zoneOf } from './helpers.js';

test('user pages fill Movable first on a Movable node; kernel kinds go to another node', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const managedBefore = (await machine.nodes()).map((n) => n.zones.map((z) => z.managedPages));
    expectOk(await machine.alloc({ kind: 'user', size: 1 * GiB, node: 1 }));
    // Lowest pfns of node 1's Movable zone: [6G, 7G).
    expect(await countClass(machine, (6 * GiB) / 4096, (7 * GiB) / 4096, PageClass.USER)).toBe(GiB / 4096);
    for (const kind of ['slab', 'pgtable', 'pinned'] as const) {
      expectOk(await machine.alloc({ kind, size: 64 * 2 ** 20, node: 1 }));
    }
    await machine.checkInvariants();
    // None of them in node 1 (Movable only); all in node 0's kernel zones.
    // The GiB of anonymous memory came with its page tables: 512 PTE pages,
    // a PMD page and a PUD page (facts 65 and 77).
    for (const cls of [PageClass.SLAB, PageClass.PGTABLE, PageClass.PINNED]) {
      expect(await countClass(machine, (6 * GiB) / 4096, (8 * GiB) / 4096, cls)).toBe(0);
      expect(await countClassEverywhere(machine, cls)).toBe((64 * 2 ** 20) / 4096 + (cls === PageClass.PGTABLE ? 514 : 0));
    }
    expect((await machine.nodes()).map((n) => n.zones.map((z) => z.managedPages))).toEqual(managedBefore);
    // A sub-page size rounds up to a page.
    expectOk(await machine.alloc({ kind: 'slab', size: 100, node: 0 }));
    expect(await countClassEverywhere(machine, PageClass.SLAB)).toBe((64 * 2 ** 20) / 4096 + 1);
  } finally {
    await machine.close();
  }
});

test('lowmem imbalance: slab stops at the kernel zones\' min marks and ends in an OOM kill while Movable is free', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const kernelFree = (await nodeOf(machine, 0)).zones.reduce((sum, z) => sum + z.freePages, 0);
    const filled = await machine.alloc({ kind: 'slab', size: kernelFree * 4096, node: 0 });
    expect(filled.ok).toBe(false);
    expect(filled).toMatchObject({ failure: { outcome: 'oom', kind: 'slab', movableFreePages: (2 * GiB) / 4096 } });
    expect(filled.errno).toBeUndefined();
    // Every kernel zone stopped at or below min + reserve; what it kept is the reserve the kernel keeps.
    for (const zone of (await nodeOf(machine, 0)).zones.filter((z) => z.presentPages > 0)) {
      expect(zone.freePages).toBeLessThanOrEqual(zone.watermarks.min + zone.lowmemReserve[2] + 1);
    }
    const before = await observe(machine);
    for (const kind of ['slab', 'pgtable'] as const) {
      const outcome = await machine.alloc({ kind, size: 4096, node: kind === 'slab' ? 1 : 0 });
      expect(outcome).toMatchObject({ ok: false, allocatedPages: 0, failure: { outcome: 'oom', kind } });
    }
    expect(await observe(machine)).toEqual(before);
    expect((await zoneOf(machine, 1, 'Movable')).freePages).toBe((2 * GiB) / 4096);
    // A user mapping finds room in Movable for its page, but not for its page tables.
    const mapped = await machine.alloc({ kind: 'anon', size: 4096, node: 0 });
    expect(mapped).toMatchObject({ ok: false, allocatedPages: 0, pageTablePages: 0, failure: { outcome: 'oom', kind: 'pgtable' } });
    expect(mapped.message).toMatch(/ZONE_MOVABLE still has 524288 free pages/);
    expect(await observe(machine)).toEqual(before);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});

test('free releases a seeded random subset: the same seed gives the same pages, another seed others', async () => {
  const pagesAfterFree = async (seed: number): Promise<Uint8Array> => {
    const machine = await boot(twoNodeVm('movable_node'));
    try {
      expectOk(await machine.alloc({ kind: 'user', size: 1 * GiB, node: 1 }));
      expectOk(await machine.free({ kind: 'user', size: 256 * 2 ** 20, node: 1, seed }));
      await machine.checkInvariants();
      expect(await countClass(machine, (6 * GiB) / 4096, (8 * GiB) / 4096, PageClass.USER)).toBe((768 * 2 ** 20) / 4096);
      const startPfn = (6 * GiB) / 4096;
      return await machine.shards.shardOfPfn(startPfn)!.engine.readClasses(startPfn, GiB / 4096);
    } finally {
      await machine.close();
    }
  };
  const a = await pagesAfterFree(11);
  const b = await pagesAfterFree(11);
  const c = await pagesAfterFree(12);
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  // Not just the lowest or highest pages: freed pages are spread over the GiB.
  const freedInFirstHalf = a.subarray(0, a.length / 2).filter((cls) => cls === PageClass.FREE).length;
  expect(freedInFirstHalf).toBeGreaterThan(0);
  expect(freedInFirstHalf).toBeLessThan((256 * 2 ** 20) / 4096);
});

test('freeing more than the node holds is refused', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.alloc({ kind: 'pgtable', size: 4096, node: 0 }));
    const before = await observe(machine);
    expectErrno(await machine.free({ kind: 'pgtable', size: 2 * 4096, node: 0 }), 'EINVAL');
    expectErrno(await machine.free({ kind: 'pgtable', size: 4096, node: 1 }), 'EINVAL');
    expect(await observe(machine)).toEqual(before);
  } finally {
    await machine.close();
  }
});
