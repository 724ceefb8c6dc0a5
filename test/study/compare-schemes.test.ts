/**
 * Both hot-remove schemes side by side (docs/hot-remove-schemes.md), each
 * node offlined and then hot-removed on a machine of its own.
 *
 * - A fragmented two-node machine with no ZONE_MOVABLE: zone-movable can
 *   offline, so remove, nothing of node 1, every block holding an unmovable
 *   page; offline-migrated offlines and removes every block but the one
 *   holding reserved pages (node 1's memmap), copying slab to node 0's
 *   shard under stop_machine, and reports its cost.
 * - The other side: node 1 hotpluggable with `movable_node`, so under
 *   zone-movable it is all ZONE_MOVABLE and the kernel kinds of the
 *   workload fit node 0's kernel zones. Both schemes remove all of node 1;
 *   only offline-migrated stops the machine and leaves slow lookups behind.
 */
import { expect, test } from 'vitest';
import { compareSchemes } from '../../src/study/schemes.js';
import { engineFactoryFor } from '../../src/engines.js';
import { ZONE_MOVABLE } from '../../src/model/core/mmzone.js';
import { boot, GiB, machineSpec } from '../model/hotplug/helpers.js';

const BLOCK_BYTES = 128 * 2 ** 20;

test('fragmented two-node machine: zone-movable removes nothing of node 1, offline-migrated all but the memmap block', async () => {
  const engines = await engineFactoryFor({ engine: 'wasm' });
  const machine = machineSpec([
    { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
    { node: 1, boot: { base: 8 * GiB, size: 4 * GiB } },
  ]);
  const workload = { node: 'spread' as const, anon: { share: 0.3 }, file: { share: 0.1 }, slab: { share: 0.04 }, placement: 'fragmented' as const, seed: 1 };
  const result = await compareSchemes({ machine, nodes: [1], workload, engines, lookupNs: { direct: 1, slow: 6 }, checkInvariants: true });
  const [zoneMovable, offlineMigrated] = result.schemes;
  expect(zoneMovable.scheme).toBe('zone-movable');
  const zm = zoneMovable.nodes[0];
  expect(zm.removableBytes).toBe(0);
  expect(zm.blocksFailed).toBe(32);
  expect(zm.blocksRemoved).toBe(0);
  expect(zm.firstFailure?.errno).toBe('EBUSY');
  expect(zm.firstFailure?.message).toMatch(/unmovable (SLAB|SLAB_RECLAIMABLE|PGTABLE) page/);
  expect(zm.stopMachineSeconds).toBe(0);

  const om = offlineMigrated.nodes[0];
  expect(om.blocksOffline).toBe(31);
  expect(om.blocksFailed).toBe(1);
  // The 31 blocks that went offline are removed (one run, below the memmap block).
  expect(om.blocksRemoved).toBe(31);
  expect(om.blocksRemoveFailed).toBe(0);
  expect(om.firstRemoveFailure).toBeUndefined();
  expect(om.removableBytes).toBe(31 * BLOCK_BYTES);
  expect(om.firstFailure?.message).toMatch(/unmovable RESERVED page/);
  expect(om.copiedPages).toBeGreaterThan(0);
  expect(om.remappedSections).toBe(31);
  expect(om.stopMachineSeconds).toBeGreaterThan(0);
  expect(om.modelledSeconds).toBeGreaterThan(om.stopMachineSeconds);
  expect(om.slowLookupFraction).toBeGreaterThan(0);
  expect(om.slowLookupFraction).toBeLessThan(1);
  // 1e8 lookups per second, a share of them 5 ns slower.
  expect(om.slowLookupCpuSecondsPerSecond).toBeCloseTo(om.slowLookupFraction * 1e8 * 5e-9, 9);
  expect(result.lookupNs).toEqual({ direct: 1, slow: 6, measured: false });
});

test('node 1 all ZONE_MOVABLE (movable_node): both schemes remove all 32 blocks; only offline-migrated stops the machine and leaves slow lookups', async () => {
  const engines = await engineFactoryFor({ engine: 'wasm' });
  // Node 0: [0, 2G) + [4G, 8G); node 1: [8G, 12G), 32 blocks of 128 MiB,
  // hotpluggable, so memblock puts its memmap on node 0 under both schemes.
  const machine = machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
      { node: 1, boot: { base: 8 * GiB, size: 4 * GiB }, hotpluggable: true },
    ],
    { cmdline: 'movable_node' },
  );
  const NODE1_PAGES = (4 * GiB) / 4096;

  // The machines as booted: node 1 is all Movable under zone-movable, all
  // Normal under offline-migrated, and under both it manages every page it
  // has (no memmap, nothing reserved on it).
  for (const scheme of ['zone-movable', 'offline-migrated'] as const) {
    const booted = await boot({ ...machine, hotRemoveScheme: scheme });
    try {
      const node1 = (await booted.nodes())[1];
      const movable = node1.zones[ZONE_MOVABLE];
      expect(movable.presentPages).toBe(scheme === 'zone-movable' ? NODE1_PAGES : 0);
      const present = node1.zones.reduce((sum, z) => sum + z.presentPages, 0);
      const managed = node1.zones.reduce((sum, z) => sum + z.managedPages, 0);
      expect([present, managed]).toEqual([NODE1_PAGES, NODE1_PAGES]);
    } finally {
      await booted.close();
    }
  }

  // Kernel kinds small enough for node 0's kernel zones under zone-movable;
  // pins, which offline-migrated confines to nodes without the hotplug flag,
  // land on node 0 under both schemes.
  const workload = {
    node: 'spread' as const,
    anon: { share: 0.3 },
    file: { share: 0.1 },
    slab: { share: 0.04 },
    pinned: { share: 0.005 },
    placement: 'fragmented' as const,
    seed: 1,
  };
  const result = await compareSchemes({ machine, nodes: [1], workload, engines, lookupNs: { direct: 1, slow: 6 }, checkInvariants: true });
  const [zoneMovable, offlineMigrated] = result.schemes;
  expect(zoneMovable.scheme).toBe('zone-movable');
  expect(offlineMigrated.scheme).toBe('offline-migrated');

  const zm = zoneMovable.nodes[0];
  expect(zm).toMatchObject({
    nid: 1,
    presentBytes: 4 * GiB,
    removableBytes: 4 * GiB,
    blocksOffline: 32,
    blocksFailed: 0,
    blocksRemoved: 32,
    blocksRemoveFailed: 0,
    stopMachineSeconds: 0,
    copiedPages: 0,
    pgtablePages: 0,
    remappedSections: 0,
    slowLookupFraction: 0,
    slowLookupCpuSecondsPerSecond: 0,
  });
  expect(zm.firstFailure).toBeUndefined();
  expect(zm.modelledSeconds).toBeGreaterThan(0);

  const om = offlineMigrated.nodes[0];
  expect(om).toMatchObject({
    nid: 1,
    presentBytes: 4 * GiB,
    removableBytes: zm.removableBytes,
    blocksOffline: 32,
    blocksFailed: 0,
    blocksRemoved: 32,
    blocksRemoveFailed: 0,
    // 4% of node 1's 1,048,576 managed pages, all copied to node 0 and
    // reached through the remap table of every one of its 32 sections.
    copiedPages: 41943,
    pgtablePages: 632,
    remappedSections: 32,
  });
  expect(om.firstFailure).toBeUndefined();
  expect(om.stopMachineSeconds).toBeGreaterThan(0);
  expect(om.modelledSeconds).toBeGreaterThan(zm.modelledSeconds);
  // The copies over all slab left once node 1 is gone: node 0's own
  // 60,948 pages and the 41,943 copied.
  expect(om.slowLookupFraction).toBeCloseTo(41943 / 102891, 12);
  expect(om.slowLookupCpuSecondsPerSecond).toBeCloseTo((41943 / 102891) * 1e8 * 5e-9, 9);

  // The trade: ZONE_MOVABLE holds free memory no kernel kind can use;
  // offline-migrated has none, and more kernel headroom.
  expect(zoneMovable.movableFreePages).toBeGreaterThan(0);
  // Under zone-movable kernel kinds have only node 0's zones (1,523,712
  // managed pages): the headroom is what one more allocation could get,
  // not a sum over the nodes, whose zonelists reach the same zones.
  expect(zoneMovable.kernelHeadroomPages.slab).toBeGreaterThan(0);
  expect(zoneMovable.kernelHeadroomPages.slab).toBeLessThan(1523712);
  expect(offlineMigrated.movableFreePages).toBe(0);
  expect(offlineMigrated.kernelHeadroomPages.slab).toBeGreaterThan(zoneMovable.kernelHeadroomPages.slab);
});
