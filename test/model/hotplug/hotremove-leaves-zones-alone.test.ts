/**
 * Hot-remove touches no zone or node counter (mm/memory_hotplug.c `try_remove_memory`:
 * spans shrank at offline already). It releases the blocks, their node
 * links, the sections, the memmap taken from kernel zones and the
 * /proc/iomem range.
 */
import { expect, test } from 'vitest';
import { PageClass, SectionFlag } from '../../../src/contract/constants.js';
import { boot, countClassEverywhere, expectOk, GiB, MEMORY_DIR, NODE_DIR, readSysfs, twoNodeVm } from './helpers.js';

test('removing an offline hot-added range changes no zone counter and gives everything back', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const iomemAtBoot = await machine.iomem();
    const vmemmapAtBoot = await countClassEverywhere(machine, PageClass.VMEMMAP);
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 71 }, 'online'));
    expectOk(await machine.offlineBlocks({ firstBlockId: 64, lastBlockId: 71 }));
    await machine.checkInvariants();
    expect(await machine.iomem()).toContain('200000000-23fffffff : System RAM\n');

    const nodesBefore = (await machine.nodes()).map(({ zones, ...node }) => ({
      ...node,
      zones: zones.map(({ freePages, ...zone }) => zone),
    }));
    const freeBefore = (await machine.nodes()).flatMap((n) => n.zones.map((z) => z.freePages));
    expectOk(await machine.removeMemory(8 * GiB, 1 * GiB));
    await machine.checkInvariants();

    const nodesAfter = (await machine.nodes()).map(({ zones, ...node }) => ({
      ...node,
      zones: zones.map(({ freePages, ...zone }) => zone),
    }));
    expect(nodesAfter).toEqual(nodesBefore);
    // Only free pages move: the 8 sections' memmap (8 x 512 pages) returns to node 0's kernel zones.
    const freeAfter = (await machine.nodes()).flatMap((n) => n.zones.map((z) => z.freePages));
    expect(freeAfter.reduce((a, b) => a + b, 0) - freeBefore.reduce((a, b) => a + b, 0)).toBe(8 * 512);
    expect(await countClassEverywhere(machine, PageClass.VMEMMAP)).toBe(vmemmapAtBoot);

    expect((await machine.blocks()).some((b) => b.id >= 64 && b.id <= 71)).toBe(false);
    expect((await machine.sysfsRead(`${MEMORY_DIR}/memory64/state`)).ok).toBe(false);
    expect(await machine.sysfsList(`${NODE_DIR}/node1`)).not.toContain('memory64');
    expect(await machine.iomem()).toBe(iomemAtBoot);
    const shard = machine.shards.shardOfPfn((8 * GiB) / 4096);
    expect(shard).toBeDefined();
    const words = await shard!.engine.readSections((8 * GiB) / 4096 / 32768, 8);
    expect(Array.from(words).every((w) => (w & SectionFlag.PRESENT) === 0)).toBe(true);
    // Node 1 keeps its boot memory and CPUs: it stays online.
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-1\n');
  } finally {
    await machine.close();
  }
});
