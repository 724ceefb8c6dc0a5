/**
 * memmap_on_memory with 128 MiB blocks (fact 18): 512 pages per block, one
 * pageblock, one PMD; "force" adds nothing. The self-hosted pages are
 * VMEMMAP in an UNMOVABLE pageblock, present in the block's zone, not
 * managed (fact 17 at another block size).
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, countClass, expectOk, GiB, MiB, twoNodeVm, zoneOf } from './helpers.js';
import { memmapOnMemoryPages } from '../../../src/model/hotplug/hot-add.js';

describe('memmapOnMemoryPages', () => {
  test('128 MiB: 512 pages with Y and with force; 0 with N', () => {
    expect(memmapOnMemoryPages(128 * MiB, 'Y')).toBe(512);
    expect(memmapOnMemoryPages(128 * MiB, 'force')).toBe(512);
    expect(memmapOnMemoryPages(128 * MiB, 'N')).toBe(0);
  });

  test('1 GiB and 2 GiB: 4096 and 8192 pages (1/64 of the block)', () => {
    expect(memmapOnMemoryPages(1 * GiB, 'Y')).toBe(4096);
    expect(memmapOnMemoryPages(2 * GiB, 'Y')).toBe(8192);
  });
});

describe.each(['Y', 'force'])('memory_hotplug.memmap_on_memory=%s on a 128 MiB-block VM', (mode) => {
  test('eight blocks: each has 512 VMEMMAP pages in an UNMOVABLE pageblock; online_kernel counts them present, not managed', async () => {
    const machine = await boot(twoNodeVm(`memory_hotplug.memmap_on_memory=${mode}`));
    try {
      const base = 8 * GiB;
      // Node 1's boot memory [6G, 8G) is Normal (no movable_node), with its boot memmap reserved in it.
      const before = await zoneOf(machine, 1, 'Normal');
      expectOk(await machine.addMemory({ node: 1, base, size: 1 * GiB, memmapOnMemory: true }));
      expectOk(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 71 }, 'online_kernel'));
      await machine.checkInvariants();
      const zone = await zoneOf(machine, 1, 'Normal');
      expect(zone.presentPages).toBe(before.presentPages + 8 * BLOCK_128M_PAGES);
      expect(zone.managedPages).toBe(before.managedPages + 8 * (BLOCK_128M_PAGES - 512));
      expect(zone.freePages).toBe(before.freePages + 8 * (BLOCK_128M_PAGES - 512));
      for (let id = 64; id < 72; id++) {
        const startPfn = id * BLOCK_128M_PAGES;
        expect(await countClass(machine, startPfn, startPfn + 512, PageClass.VMEMMAP)).toBe(512);
        expect(await countClass(machine, startPfn + 512, startPfn + BLOCK_128M_PAGES, PageClass.FREE)).toBe(BLOCK_128M_PAGES - 512);
        const shard = machine.shards.shardOfPfn(startPfn);
        const tags = await shard!.engine.readPageblockTags(startPfn, 2);
        expect([tags[0] & 3, tags[1] & 3]).toEqual([Migratetype.UNMOVABLE, Migratetype.MOVABLE]);
      }
    } finally {
      await machine.close();
    }
  });
});
