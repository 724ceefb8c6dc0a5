/**
 * memmap_on_memory on a 2 GiB block (facts 16, 17): the block's first
 * 8,192 pages (32 MiB = 2 GiB / 64) hold its own struct pages. Online adds
 * 524,288 present pages and 516,096 managed ones; offline and re-online keep
 * exactly that. Without memmap_on_memory all 524,288 pages are managed and
 * the 32 MiB of memmap comes out of node 0's kernel zones instead.
 */
import { describe, expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { bareMetal2G, BLOCK_2G_PAGES, boot, countClass, countClassEverywhere, expectOk, GiB, nodeOf, zoneOf } from './helpers.js';

const BASE = 8 * GiB;
const BLOCK_ID = 4;
/** 2 GiB / 4 KiB pages x 64-byte struct page / 4 KiB. */
const VMEMMAP_PAGES = (BLOCK_2G_PAGES * 64) / 4096;

describe('memory_hotplug.memmap_on_memory=Y, 2 GiB block added with the memmap inside', () => {
  test('present +524,288, managed +516,096; offline and re-online keep it', async () => {
    const machine = await boot(bareMetal2G('memory_hotplug.memmap_on_memory=Y'));
    try {
      const kernelFreeBefore = (await zoneOf(machine, 0, 'Normal')).freePages;
      expectOk(await machine.addMemory({ node: 1, base: BASE, size: 2 * GiB, memmapOnMemory: true }));
      await machine.checkInvariants();
      expect(VMEMMAP_PAGES).toBe(8192);
      // The memmap lives in the block itself: kernel zones give nothing.
      expect((await zoneOf(machine, 0, 'Normal')).freePages).toBe(kernelFreeBefore);
      const startPfn = BASE / 4096;
      expect(await countClass(machine, startPfn, startPfn + BLOCK_2G_PAGES, PageClass.VMEMMAP)).toBe(VMEMMAP_PAGES);

      for (let round = 0; round < 2; round++) {
        expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_movable'));
        await machine.checkInvariants();
        const zone = await zoneOf(machine, 1, 'Movable');
        expect(zone.presentPages).toBe(BLOCK_2G_PAGES);
        expect(zone.managedPages).toBe(516_096);
        expect(zone.freePages).toBe(516_096);
        expect(zone.spannedPages).toBe(BLOCK_2G_PAGES);
        expect((await nodeOf(machine, 1)).nodePresentPages).toBe(BLOCK_2G_PAGES);

        expectOk(await machine.offlineBlocks({ firstBlockId: BLOCK_ID }));
        await machine.checkInvariants();
        const after = await zoneOf(machine, 1, 'Movable');
        expect(after).toMatchObject({ presentPages: 0, managedPages: 0, spannedPages: 0, zoneStartPfn: 0 });
        // The self-hosted memmap stays until the memory is removed.
        expect(await countClass(machine, startPfn, startPfn + BLOCK_2G_PAGES, PageClass.VMEMMAP)).toBe(VMEMMAP_PAGES);
      }

      expectOk(await machine.removeMemory(BASE, 2 * GiB));
      await machine.checkInvariants();
      expect(await countClassEverywhere(machine, PageClass.VMEMMAP)).toBe(0);
    } finally {
      await machine.close();
    }
  });

  test('memmapOnMemory not requested: all pages managed, 32 MiB of memmap taken from kernel zones and given back at remove', async () => {
    const machine = await boot(bareMetal2G('memory_hotplug.memmap_on_memory=Y'));
    try {
      const kernelFreeBefore = (await zoneOf(machine, 0, 'Normal')).freePages;
      const managedBefore = (await zoneOf(machine, 0, 'Normal')).managedPages;
      expectOk(await machine.addMemory({ node: 1, base: BASE, size: 2 * GiB }));
      await machine.checkInvariants();
      // 16 sections x 2 MiB of memmap from node 0 (node 1 has no memory yet).
      expect((await zoneOf(machine, 0, 'Normal')).freePages).toBe(kernelFreeBefore - 16 * 512);
      expect((await zoneOf(machine, 0, 'Normal')).managedPages).toBe(managedBefore);

      expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_movable'));
      await machine.checkInvariants();
      expect(await zoneOf(machine, 1, 'Movable')).toMatchObject({ presentPages: BLOCK_2G_PAGES, managedPages: BLOCK_2G_PAGES, freePages: BLOCK_2G_PAGES });

      expectOk(await machine.offlineAndRemoveMemory(BASE, 2 * GiB));
      await machine.checkInvariants();
      expect((await zoneOf(machine, 0, 'Normal')).freePages).toBe(kernelFreeBefore);
    } finally {
      await machine.close();
    }
  });

  test('the parameter off (N): a request for memmap_on_memory is not honoured', async () => {
    const machine = await boot(bareMetal2G());
    try {
      expectOk(await machine.addMemory({ node: 1, base: BASE, size: 2 * GiB, memmapOnMemory: true }));
      expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_movable'));
      await machine.checkInvariants();
      expect(await zoneOf(machine, 1, 'Movable')).toMatchObject({ presentPages: BLOCK_2G_PAGES, managedPages: BLOCK_2G_PAGES });
    } finally {
      await machine.close();
    }
  });
});
