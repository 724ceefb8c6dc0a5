/**
 * Both hot-remove schemes on one fragmented two-node machine with no
 * ZONE_MOVABLE (docs/hot-remove-schemes.md): zone-movable can offline
 * nothing of node 1, every block holding an unmovable page; offline-migrated
 * offlines every block but those holding reserved pages (the memmap), copying
 * slab to node 0's shard under stop_machine, and reports its cost.
 */
import { expect, test } from 'vitest';
import { compareSchemes } from '../../src/study/schemes.js';
import { engineFactoryFor } from '../../src/engines.js';
import { GiB, machineSpec } from '../model/hotplug/helpers.js';

test('fragmented two-node machine: zone-movable removes nothing of node 1, offline-migrated all but the memmap block', async () => {
  const engines = await engineFactoryFor({ engine: 'wasm' });
  const machine = machineSpec([
    { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
    { node: 1, boot: { base: 8 * GiB, size: 4 * GiB } },
  ]);
  const workload = { node: 'spread' as const, anon: { share: 0.3 }, file: { share: 0.1 }, slab: { share: 0.04 }, placement: 'fragmented' as const, seed: 1 };
  const result = await compareSchemes({ machine, nodes: [1], workload, engines, lookupNs: { direct: 1, slow: 6 } });
  const [zoneMovable, offlineMigrated] = result.schemes;
  expect(zoneMovable.scheme).toBe('zone-movable');
  const zm = zoneMovable.nodes[0];
  expect(zm.removableBytes).toBe(0);
  expect(zm.blocksFailed).toBe(32);
  expect(zm.firstFailure?.errno).toBe('EBUSY');
  expect(zm.firstFailure?.message).toMatch(/unmovable (SLAB|SLAB_RECLAIMABLE|PGTABLE) page/);
  expect(zm.stopMachineSeconds).toBe(0);

  const om = offlineMigrated.nodes[0];
  expect(om.blocksOffline).toBe(31);
  expect(om.blocksFailed).toBe(1);
  expect(om.removableBytes).toBe(31 * 128 * 2 ** 20);
  expect(om.firstFailure?.message).toMatch(/unmovable RESERVED page/);
  expect(om.copiedPages).toBeGreaterThan(0);
  expect(om.remappedSections).toBe(31);
  expect(om.stopMachineSeconds).toBeGreaterThan(0);
  expect(om.slowLookupFraction).toBeGreaterThan(0);
  expect(om.slowLookupFraction).toBeLessThan(1);
  // 1e8 lookups per second, a share of them 5 ns slower.
  expect(om.slowLookupCpuSecondsPerSecond).toBeCloseTo(om.slowLookupFraction * 1e8 * 5e-9, 9);
  expect(result.lookupNs).toEqual({ direct: 1, slow: 6, measured: false });
});
