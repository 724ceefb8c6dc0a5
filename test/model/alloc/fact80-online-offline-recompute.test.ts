/**
 * Fact 80 (derived): the VM with 4 GiB hot-added and onlined to
 * ZONE_MOVABLE: Movable min/low/high 128/2847/5566 (min clamped to 128, gaps
 * a quarter of its share ⌊16896 · 1,048,576 / 1,628,656⌋ = 10878), DMA32
 * protection[3] ⌊1,900,544/256⌋ = 7424, Normal protection[3]
 * ⌊1,048,576/32⌋ = 32768, min_free_kbytes still 67584. Every online and
 * offline recomputes (mm/memory_hotplug.c online_pages, offline_pages →
 * init_per_zone_wmark_min), so offlining the memory again gives the boot
 * figures back.
 */
import { expect, test } from 'vitest';
import { bootVm, GiB, marksOf, protectionOf } from './vm.js';

/** memory64-95: [8 GiB, 12 GiB) in 128 MiB blocks. */
const HOT_BLOCKS = { firstBlockId: 64, lastBlockId: 95 };

test('fact 80: 4 GiB onlined to Movable, then offlined again', async () => {
  const machine = await bootVm();
  try {
    const bootMarks = (['DMA', 'DMA32', 'Normal', 'Movable'] as const).map((zone) => marksOf(machine, zone));
    const bootTotal = machine.watermarks.totalreservePages;
    expect((await machine.addMemory({ node: 0, base: 8 * GiB, size: 4 * GiB })).ok).toBe(true);
    // Hot-add alone recomputes nothing: the blocks are offline, no managed count moved.
    expect(marksOf(machine, 'Movable')).toEqual([32, 32, 32, 32]);

    expect((await machine.onlineBlocks(HOT_BLOCKS, 'online_movable')).ok).toBe(true);
    expect(machine.node(0)?.zones[3].managedPages).toBe(1_048_576);
    expect(marksOf(machine, 'Movable').slice(0, 3)).toEqual([128, 2847, 5566]);
    expect(protectionOf(machine, 'DMA32')[3]).toBe(7424);
    expect(protectionOf(machine, 'Normal')[3]).toBe(32_768);
    expect(protectionOf(machine, 'DMA')[3]).toBe(10_442);
    expect(machine.watermarks.settings.minFreeKbytes).toBe(67_584);
    // The kernel zones' marks do not move: Movable is not lowmem.
    expect(marksOf(machine, 'Normal')).toEqual(bootMarks[2]);

    expect((await machine.offlineBlocks(HOT_BLOCKS)).ok).toBe(true);
    expect((['DMA', 'DMA32', 'Normal', 'Movable'] as const).map((zone) => marksOf(machine, zone))).toEqual(bootMarks);
    expect(protectionOf(machine, 'DMA32')).toEqual([0, 0, 3328, 3328, 3328]);
    expect(machine.watermarks.totalreservePages).toBe(bootTotal);
  } finally {
    await machine.close();
  }
});

test('fact 80: each block’s online recomputes, so the marks follow the zone block by block', async () => {
  const machine = await bootVm();
  try {
    await machine.addMemory({ node: 0, base: 8 * GiB, size: 4 * GiB });
    // One 128 MiB block: 32,768 managed Movable pages; min ⌊32768/1024⌋ = 32,
    // gap a quarter of ⌊16896 · 32,768 / 1,628,656⌋ = 339, i.e. 84.
    expect((await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 64 }, 'online_movable')).ok).toBe(true);
    expect(marksOf(machine, 'Movable').slice(0, 3)).toEqual([32, 116, 200]);
    expect(protectionOf(machine, 'Normal')[3]).toBe(1024);
  } finally {
    await machine.close();
  }
});
