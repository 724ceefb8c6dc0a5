/**
 * Fact 65: GFP_PGTABLE_USER (GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT,
 * include/asm-generic/pgalloc.h) has highest zone Normal and migratetype
 * UNMOVABLE: a user page-table page is never in ZONE_MOVABLE. So mapping
 * memory that lives in ZONE_MOVABLE still costs kernel memory, on another
 * node when the mapping's node has nothing but ZONE_MOVABLE.
 */
import { expect, test } from 'vitest';
import { classBit, Migratetype, PageClass } from '../../../src/contract/constants.js';
import { __GFP_ACCOUNT, __GFP_HIGHMEM, __GFP_MOVABLE, __GFP_ZERO, GFP_KERNEL, GFP_PGTABLE_USER, gfpMigratetype, gfpZone, KIND_SPECS } from '../../../src/model/alloc/gfp.js';
import { mappingTablePages } from '../../../src/model/alloc/pgtable.js';
import { countIn } from '../../../src/model/core/page-state.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';
import type { AllocOutcome } from '../../../src/model/core/types.js';
import { boot, expectOk, GiB, twoNodeVm } from '../hotplug/helpers.js';

test('fact 65: GFP_PGTABLE_USER → highest zone Normal, UNMOVABLE; it is the page-table kind’s mask', () => {
  expect(GFP_PGTABLE_USER).toBe(GFP_KERNEL | __GFP_ZERO | __GFP_ACCOUNT);
  expect(GFP_PGTABLE_USER & (__GFP_HIGHMEM | __GFP_MOVABLE)).toBe(0);
  expect(gfpZone(GFP_PGTABLE_USER)).toBe(ZONE_NORMAL);
  expect(gfpMigratetype(GFP_PGTABLE_USER)).toBe(Migratetype.UNMOVABLE);
  expect(KIND_SPECS.pgtable.gfp).toBe(GFP_PGTABLE_USER);
  expect(KIND_SPECS.pgtable.cls).toBe(PageClass.PGTABLE);
});

test('fact 65: anonymous memory on an all-Movable node gets its page tables from another node’s kernel zones', async () => {
  // movable_node: node 1 ([6 GiB, 8 GiB), hotpluggable) is all ZONE_MOVABLE.
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const node1 = machine.node(1)!;
    expect(node1.zones[ZONE_NORMAL].presentPages).toBe(0);
    const movable1 = node1.zones[ZONE_MOVABLE].memberRanges;
    const pgtable = classBit(PageClass.PGTABLE);
    expect(await countIn(machine.shards, movable1, pgtable)).toBe(0);

    const outcome = (await machine.alloc({ kind: 'anon', size: 1 * GiB, node: 1 })) as AllocOutcome;
    expectOk(outcome);
    // The data is movable and stays on its node, in ZONE_MOVABLE.
    expect(outcome.byZone).toEqual({ '1:Movable': GiB / 4096 });
    // 512 PTE pages, a PMD and a PUD page for 1 GiB in one mm.
    expect(outcome.pageTablePages).toBe(mappingTablePages({ bytes: GiB, backing: 'anon', hugeShare: 0, processes: 1, levels: machine.pagingLevels }).total);
    expect(outcome.pageTablePages).toBeGreaterThanOrEqual(514);
    // None of them in node 1's ZONE_MOVABLE: all in node 0's kernel zones.
    expect(await countIn(machine.shards, movable1, pgtable)).toBe(0);
    const kernel0 = machine.node(0)!.zones.filter((z) => z.zoneIdx <= ZONE_NORMAL).flatMap((z) => z.memberRanges);
    expect(await countIn(machine.shards, kernel0, pgtable)).toBe(outcome.pageTablePages);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
