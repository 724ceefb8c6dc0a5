/**
 * The auto-movable online policy on booted machines, hot-adding with
 * memhp_default_state=online (facts 19-22): the model's zone choice for each
 * auto-onlined block, read back from the blocks and zones.
 */
import { describe, expect, test } from 'vitest';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { BLOCK_128M_PAGES, boot, expectOk, GiB, twoNodeVm, zoneOf } from './helpers.js';

const AUTO_MOVABLE = 'memory_hotplug.online_policy=auto-movable memhp_default_state=online';

/** One node, RAM [0, `gib` GiB) without holes: present early = all of it. */
function flatVm(gib: number, cmdline: string): MachineSpec {
  return { e820: [{ base: 0, size: gib * GiB, type: 'usable' }], srat: null, reservations: [], blockSize: 'auto', hypervisor: true, slit: null, cmdline };
}

async function zonesOfBlocks(machine: Awaited<ReturnType<typeof boot>>, firstId: number) {
  return (await machine.blocks()).filter((b) => b.id >= firstId).map((b) => b.zone);
}

test('fact 19: 8 GiB of early kernel memory, ratio 301: ungrouped blocks go Movable up to 192, then Normal', async () => {
  const machine = await boot(flatVm(8, AUTO_MOVABLE));
  try {
    expect((await zoneOf(machine, 0, 'DMA')).presentEarlyPages + (await zoneOf(machine, 0, 'DMA32')).presentEarlyPages + (await zoneOf(machine, 0, 'Normal')).presentEarlyPages).toBe(2_097_152);
    const outcome = await machine.addMemory({ node: 0, base: 8 * GiB, size: 200 * 128 * 2 ** 20, group: null });
    expectOk(outcome);
    await machine.checkInvariants();
    const zones = await zonesOfBlocks(machine, 64);
    expect(zones.length).toBe(200);
    expect(zones.slice(0, 192).every((z) => z === 'Movable')).toBe(true);
    expect(zones.slice(192).every((z) => z === 'Normal')).toBe(true);
    expect((await zoneOf(machine, 0, 'Movable')).presentPages).toBe(192 * BLOCK_128M_PAGES);
    // Onlining time is modelled for every block.
    expect(outcome.modelledSeconds).toBeGreaterThan(0);
  } finally {
    await machine.close();
  }
});

describe('fact 20: a 4 GiB VM and one ACPI DIMM (static group)', () => {
  test('16 GiB DIMM: all 128 blocks go Normal', async () => {
    const machine = await boot(flatVm(4, AUTO_MOVABLE));
    try {
      expectOk(await machine.addMemory({ node: 0, base: 4 * GiB, size: 16 * GiB, group: { kind: 'static' } }));
      await machine.checkInvariants();
      const zones = await zonesOfBlocks(machine, 32);
      expect(zones.length).toBe(128);
      expect(new Set(zones)).toEqual(new Set(['Normal']));
      expect(machine.groups.all()).toMatchObject([{ kind: 'static', maxPages: (16 * GiB) / 4096, presentKernelPages: (16 * GiB) / 4096, presentMovablePages: 0 }]);
    } finally {
      await machine.close();
    }
  });

  test('8 GiB DIMM (the default group of an add): all of it goes Movable', async () => {
    const machine = await boot(flatVm(4, AUTO_MOVABLE));
    try {
      expectOk(await machine.addMemory({ node: 0, base: 4 * GiB, size: 8 * GiB }));
      await machine.checkInvariants();
      expect(new Set(await zonesOfBlocks(machine, 32))).toEqual(new Set(['Movable']));
    } finally {
      await machine.close();
    }
  });
});

describe('fact 21: auto_movable_numa_aware and a node without boot memory', () => {
  test.each([
    ['Y', 'Normal'],
    ['N', 'Movable'],
  ])('numa_aware=%s: node 2 memory goes %s', async (aware, zoneName) => {
    const machine = await boot(twoNodeVm(`${AUTO_MOVABLE} memory_hotplug.auto_movable_numa_aware=${aware}`));
    try {
      expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
      await machine.checkInvariants();
      expect(new Set(await zonesOfBlocks(machine, 80))).toEqual(new Set([zoneName]));
    } finally {
      await machine.close();
    }
  });
});

test('fact 22: auto_movable_ratio=0 puts every online in the kernel zone, movable_node or not', async () => {
  const machine = await boot(twoNodeVm(`movable_node ${AUTO_MOVABLE} memory_hotplug.auto_movable_ratio=0`));
  try {
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 1 * GiB }));
    await machine.checkInvariants();
    expect(new Set(await zonesOfBlocks(machine, 64))).toEqual(new Set(['Normal']));
  } finally {
    await machine.close();
  }
});

test('a dynamic group (virtio-mem-like) with 256 MiB units: blocks of a unit share a zone', async () => {
  const machine = await boot(flatVm(4, AUTO_MOVABLE));
  try {
    expectOk(await machine.addMemory({ node: 0, base: 4 * GiB, size: 1 * GiB, group: { kind: 'dynamic', unitBytes: 256 * 2 ** 20 } }));
    await machine.checkInvariants();
    const zones = await zonesOfBlocks(machine, 32);
    for (let i = 0; i < zones.length; i += 2) expect(zones[i + 1]).toBe(zones[i]);
    expect(machine.groups.all()).toMatchObject([{ kind: 'dynamic', unitPages: (256 * 2 ** 20) / 4096, nrMemoryBlocks: 8 }]);
    // A unit that is not a power of two of blocks is refused, and nothing is added.
    const refused = await machine.addMemory({ node: 0, base: 5 * GiB, size: 1 * GiB, group: { kind: 'dynamic', unitBytes: 192 * 2 ** 20 } });
    expect(refused).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect((await machine.blocks()).some((b) => b.id >= 40)).toBe(false);
    expect(machine.groups.all().length).toBe(1);
  } finally {
    await machine.close();
  }
});
