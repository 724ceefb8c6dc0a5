/**
 * Fact 79: hot-adding 1 TiB to ZONE_MOVABLE without memmap_on_memory costs
 * 16 GiB of memmap (4,194,304 pages: 64 bytes of struct page per 4 KiB
 * page, 512 pages per 128 MiB section), allocated from kernel zones
 * (mm/sparse-vmemmap.c `vmemmap_alloc_block`, GFP_KERNEL on the target
 * node, falling back along its zonelist). The memory onlined to Movable
 * cannot hold it, so a big ZONE_MOVABLE needs kernel memory in proportion
 * (Documentation/admin-guide/mm/memory-hotplug.rst, "ZONE_MOVABLE").
 * With memmap_on_memory the same pages sit at the start of each added
 * block instead, and kernel zones give nothing.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { BLOCK_2G_PAGES, boot, countClass, countClassEverywhere, expectOk, GiB, machineSpec, nodeOf, zoneOf } from '../hotplug/helpers.js';

const TiB = 1024 * GiB;
/** 1 TiB of struct pages: 2^28 pages × 64 bytes / 4096. */
const MEMMAP_PAGES_PER_TIB = 4_194_304;
const HOT_BASE = 64 * GiB;
const HOT_BLOCKS = { firstBlockId: HOT_BASE / (2 * GiB), lastBlockId: (HOT_BASE + TiB) / (2 * GiB) - 1 };

/**
 * Bare metal with 2 GiB blocks: node 0 has [0, 2 GiB) and 36 GiB of Normal
 * from 4 GiB (enough for 16 GiB of memmap above the min marks), or as much
 * as asked; node 1 is an empty 1 TiB slot at 64 GiB.
 */
function spec(cmdline = '', normalGiB = 36): MachineSpec {
  return machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: normalGiB * GiB } },
      { node: 1, slot: { base: HOT_BASE, size: TiB }, hotpluggable: true },
    ],
    { cmdline, hypervisor: false, blockSize: 2 * GiB },
  );
}

async function kernelFree(machine: Awaited<ReturnType<typeof boot>>): Promise<number> {
  return (await nodeOf(machine, 0)).zones.filter((z) => z.zoneIdx <= 2).reduce((sum, z) => sum + z.freePages, 0);
}

test('fact 79: 1 TiB onlined to Movable takes 4,194,304 pages of memmap from kernel zones', async () => {
  const machine = await boot(spec());
  try {
    const vmemmapBefore = await countClassEverywhere(machine, PageClass.VMEMMAP);
    const freeBefore = await kernelFree(machine);
    expect(freeBefore).toBeGreaterThan(MEMMAP_PAGES_PER_TIB);

    expectOk(await machine.addMemory({ node: 1, base: HOT_BASE, size: TiB }));
    expectOk(await machine.onlineBlocks(HOT_BLOCKS, 'online_movable'));
    await machine.checkInvariants();

    expect(await countClassEverywhere(machine, PageClass.VMEMMAP)).toBe(vmemmapBefore + MEMMAP_PAGES_PER_TIB);
    // All of it in node 0's kernel zones (node 1 has none), none in the added memory.
    expect(await kernelFree(machine)).toBe(freeBefore - MEMMAP_PAGES_PER_TIB);
    expect(await countClass(machine, HOT_BASE / 4096, (HOT_BASE + TiB) / 4096, PageClass.VMEMMAP)).toBe(0);
    const movable = await zoneOf(machine, 1, 'Movable');
    expect(movable.managedPages).toBe(TiB / 4096);
    expect(movable.freePages).toBe(TiB / 4096);
  } finally {
    await machine.close();
  }
});

test('fact 79: with memmap_on_memory the memmap sits in the added blocks and kernel zones give nothing', async () => {
  const machine = await boot(spec('memory_hotplug.memmap_on_memory=Y'));
  try {
    const freeBefore = await kernelFree(machine);
    expectOk(await machine.addMemory({ node: 1, base: HOT_BASE, size: TiB, memmapOnMemory: true }));
    expectOk(await machine.onlineBlocks(HOT_BLOCKS, 'online_movable'));
    await machine.checkInvariants();

    expect(await kernelFree(machine)).toBe(freeBefore);
    expect(await countClass(machine, HOT_BASE / 4096, (HOT_BASE + TiB) / 4096, PageClass.VMEMMAP)).toBe(MEMMAP_PAGES_PER_TIB);
    // 8192 pages at the start of each of the 512 blocks (fact 17): the last block's, for one.
    const lastStartPfn = (HOT_BASE + TiB) / 4096 - BLOCK_2G_PAGES;
    expect(await countClass(machine, lastStartPfn, lastStartPfn + BLOCK_2G_PAGES / 64, PageClass.VMEMMAP)).toBe(BLOCK_2G_PAGES / 64);
    expect(await countClass(machine, lastStartPfn + BLOCK_2G_PAGES / 64, lastStartPfn + BLOCK_2G_PAGES, PageClass.VMEMMAP)).toBe(0);
    expect((await zoneOf(machine, 1, 'Movable')).managedPages).toBe(TiB / 4096 - MEMMAP_PAGES_PER_TIB);
  } finally {
    await machine.close();
  }
});

test('fact 79: with 12 GiB of Normal the same hot-add is ENOMEM: the kernel zones cannot hold 16 GiB of memmap', async () => {
  const machine = await boot(spec('', 12));
  try {
    expect(await kernelFree(machine)).toBeLessThan(MEMMAP_PAGES_PER_TIB);
    const outcome = await machine.addMemory({ node: 1, base: HOT_BASE, size: TiB });
    expect(outcome.ok ? 'ok' : outcome.errno).toBe('ENOMEM');
    expect(outcome.message).toContain(`${MEMMAP_PAGES_PER_TIB} pages`);
    expect((await machine.blocks()).some((b) => b.startPfn >= HOT_BASE / 4096)).toBe(false);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
