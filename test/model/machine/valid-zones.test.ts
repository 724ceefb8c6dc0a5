/**
 * valid_zones of offline blocks: the zone choice of mm/memory_hotplug.c `zone_for_pfn_range` (contig-zones and
 * auto-movable) over the zones a booted machine has. Offline blocks do not
 * exist at boot, so these are blocks as hot-add would create them, read
 * through the same text function sysfs uses, over the booted machine's
 * zones (the policy itself is tested on its own in test/model/zone-policy).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { blockGeometry } from '../../../src/model/boot/block-size.js';
import { MIN_MEMORY_BLOCK_SIZE } from '../../../src/model/core/kernel.js';
import { MemoryBlock, validZonesText } from '../../../src/model/hotplug/memory-blocks.js';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { GiB, pfn, singleNodeWithPciHole } from '../../helpers/machines.js';
import { ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

const PARAMS = '/sys/module/memory_hotplug/parameters';
const BLOCK_PAGES = pfn(128 * 2 ** 20);

/** An offline, hot-added block of 128 MiB at `startBytes` on node 0. */
function offlineBlockAt(startBytes: number): MemoryBlock {
  const block = new MemoryBlock(pfn(startBytes) / BLOCK_PAGES, blockGeometry(MIN_MEMORY_BLOCK_SIZE), 'offline', false);
  block.nid = 0;
  return block;
}

describe('contig-zones on a 7 GiB single node (RAM up to 8 GiB)', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
  });
  afterAll(() => machine?.close());

  test('fact 6: a block above all zones reads "Normal Movable"', () => {
    expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Normal Movable');
    expect(validZonesText(machine.policy, offlineBlockAt(100 * GiB))).toBe('Normal Movable');
  });

  test('a block inside the DMA32 span picks DMA32, then offers Movable', () => {
    expect(validZonesText(machine.policy, offlineBlockAt(3 * GiB))).toBe('DMA32 Movable');
  });

  test('a block at 0 meets the DMA span first: "DMA Movable"', () => {
    expect(validZonesText(machine.policy, offlineBlockAt(0))).toBe('DMA Movable');
  });

  test('fact 13: online_kernel for a block at 5 GiB picks Normal', () => {
    expect(zoneForPfnRange(machine.policy, 'online_kernel', 0, null, pfn(5 * GiB), BLOCK_PAGES)).toBe(ZONE_NORMAL);
  });

  test('auto-movable with ratio 301: a block above all zones goes Movable first ("Movable Normal")', async () => {
    await machine.sysfsWrite(`${PARAMS}/online_policy`, 'auto-movable');
    try {
      expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Movable Normal');
      // fact 22: ratio 0 sends every plain online to the kernel zone.
      await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '0');
      expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Normal Movable');
    } finally {
      await machine.sysfsWrite(`${PARAMS}/online_policy`, 'contig-zones');
      await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '301');
    }
  });

  test('auto-movable budget: 301% of the boot kernel pages, checked against the block size', async () => {
    // present_early of the kernel zones: 3,998 + 782,336 + 1,048,576 = 1,834,910 pages.
    // A ratio of 1 allows 18,349 movable pages: less than one 32,768-page block.
    await machine.sysfsWrite(`${PARAMS}/online_policy`, 'auto-movable');
    try {
      await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '1');
      expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Normal Movable');
      // A ratio of 2 allows 36,698 pages: one block fits.
      await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '2');
      expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Movable Normal');
    } finally {
      await machine.sysfsWrite(`${PARAMS}/online_policy`, 'contig-zones');
      await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '301');
    }
  });
});

test('fact 6 with movable_node: a block above all zones reads "Movable Normal"', async () => {
  const machine = await bootMachine(singleNodeWithPciHole({ cmdline: 'movable_node' }), { engine: 'reference' });
  try {
    expect(validZonesText(machine.policy, offlineBlockAt(8 * GiB))).toBe('Movable Normal');
  } finally {
    await machine.close();
  }
});

test('fact 7: an offline block inside the node\'s Movable span reads "Movable Normal" without movable_node', async () => {
  // movablecore=1000M puts ZONE_MOVABLE at pfn 2,097,152 - 256,000 = 1,841,152.
  const machine = await bootMachine(singleNodeWithPciHole({ cmdline: 'movablecore=1000M' }), { engine: 'reference' });
  try {
    const movable = (await machine.nodes())[0].zones[3];
    expect(movable.zoneStartPfn).toBe(1_841_152);
    expect(validZonesText(machine.policy, offlineBlockAt(7.5 * GiB))).toBe('Movable Normal');
    // Above every zone again, contig-zones without movable_node prefers Normal.
    expect(validZonesText(machine.policy, offlineBlockAt(9 * GiB))).toBe('Normal Movable');
    // The booted block holding the boundary spans Normal and Movable.
    expect((await machine.sysfsRead('/sys/devices/system/memory/memory56/valid_zones'))).toEqual({ ok: true, value: 'none\n' });
  } finally {
    await machine.close();
  }
});
