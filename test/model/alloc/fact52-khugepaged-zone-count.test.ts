/**
 * Fact 52: khugepaged counts the populated zones up to Normal of every
 * node, 22528 kB each: DMA, DMA32 and Normal on node 0 and Normal on node 1
 * make 4 zones and 90112 kB; 10 zones make 225280 kB. ZONE_MOVABLE never
 * counts (mm/khugepaged.c set_recommended_min_free_kbytes).
 */
import { expect, test } from 'vitest';
import { recommendedMinFreeKbytes } from '../../../src/model/alloc/khugepaged.js';
import { bootMachine } from '../../helpers/boot.js';
import { GiB, twoNodes } from '../../helpers/machines.js';
import { machineFromNodes } from '../boot/machines.js';

test('fact 52: 4 zones recommend 90112 kB and 10 zones 225280 kB', () => {
  expect(recommendedMinFreeKbytes(4, 10_000_000)).toBe(90_112);
  expect(recommendedMinFreeKbytes(10, 10_000_000)).toBe(225_280);
});

test('fact 52: the recommendation never takes more than 5 % of what kernel allocations could use', () => {
  // 4 zones want 22528 pages; 5 % of 400,000 pages is 20,000.
  expect(recommendedMinFreeKbytes(4, 400_000)).toBe(20_000 * 4);
});

test('fact 52: node 0 with DMA, DMA32 and Normal and node 1 with Normal boot with 90112 kB', async () => {
  const machine = await bootMachine(twoNodes(), { engine: 'reference' });
  try {
    expect(machine.watermarks.settings.minFreeKbytes).toBe(90_112);
  } finally {
    await machine.close();
  }
});

test('fact 52: node 0 with three kernel zones and seven Normal-only nodes boot with 225280 kB', async () => {
  const nodes = [{ ranges: [[0, 2], [4, 8]] as [number, number][] }];
  for (let nid = 1; nid < 8; nid++) nodes.push({ ranges: [[4 * nid + 4, 4 * nid + 8]] });
  const machine = await bootMachine(machineFromNodes(nodes), { engine: 'reference' });
  try {
    expect(machine.watermarks.settings.minFreeKbytes).toBe(225_280);
  } finally {
    await machine.close();
  }
});

test('fact 52: Movable zones do not count: movable_node nodes add nothing', async () => {
  // Nodes 1-3 are all ZONE_MOVABLE: only node 0's three zones count.
  const spec = machineFromNodes(
    [{ ranges: [[0, 2], [4, 8]] }, { ranges: [[8, 16]], hotpluggable: true }, { ranges: [[16, 24]], hotpluggable: true }],
    'movable_node',
  );
  const machine = await bootMachine(spec, { engine: 'reference' });
  try {
    expect(machine.node(1)?.zones[3].managedPages).toBeGreaterThan(GiB / 4096);
    expect(machine.watermarks.settings.minFreeKbytes).toBe(67_584);
  } finally {
    await machine.close();
  }
});
