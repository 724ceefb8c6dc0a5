/**
 * The zonelists' node order (mm/page_alloc.c `find_next_best_node`,
 * `build_zonelists`): distance, then the penalties for nodes below the
 * local one and for nodes with CPUs, then `node_load`, shared by the builds
 * of all nodes in node order (docs/kernel-facts.md, facts 66 to 68).
 */
import { describe, expect, test } from 'vitest';
import { buildNodeOrders, zonelist, type ZonelistNode } from '../../../src/model/alloc/zonelist.js';
import type { NodeState } from '../../../src/model/core/state.js';
import { ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

function nodes(spec: [nid: number, cpus: boolean][]): ZonelistNode[] {
  return spec.map(([nid, hasCpus]) => ({ nid, hasMemory: true, hasCpus }));
}

function ordersOf(slit: number[][] | null, spec: [number, boolean][]): number[][] {
  const orders = buildNodeOrders(slit, nodes(spec));
  return spec.map(([nid]) => orders.get(nid)!);
}

describe('node order', () => {
  test('fact 66: 4 nodes with CPUs, SLIT 10/21: each node continues with the next node ids', () => {
    const slit = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 10 : 21)));
    expect(ordersOf(slit, [[0, true], [1, true], [2, true], [3, true]])).toEqual([
      [0, 1, 2, 3],
      [1, 2, 3, 0],
      [2, 3, 0, 1],
      [3, 0, 1, 2],
    ]);
  });

  test('fact 67: a memory-only node is preferred over a node with CPUs at the same distance', () => {
    const slit = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 10 : 21)));
    expect(ordersOf(slit, [[0, true], [1, true], [2, false]])).toEqual([
      [0, 2, 1],
      [1, 2, 0],
      [2, 0, 1],
    ]);
  });

  test('fact 67: with node 2 farther away, distance decides first', () => {
    const slit = [
      [10, 21, 30],
      [21, 10, 30],
      [30, 30, 10],
    ];
    expect(ordersOf(slit, [[0, true], [1, true], [2, false]])).toEqual([
      [0, 1, 2],
      [1, 0, 2],
      [2, 0, 1],
    ]);
  });

  test('node_load is shared between builds: equal-distance groups are entered at different nodes', () => {
    // Eight nodes, no SLIT (every remote distance 20): without node_load
    // every node would continue with the lowest id above it, then below.
    const orders = ordersOf(null, [0, 1, 2, 3, 4, 5, 6, 7].map((nid): [number, boolean] => [nid, true]));
    expect(orders[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Node 0's build put load on node 1; node 1's build on node 2; ...
    expect(orders[1].slice(0, 2)).toEqual([1, 2]);
    expect(orders[7][0]).toBe(7);
    expect(new Set(orders.map((order) => order[1])).size).toBeGreaterThan(1);
  });

  test('a memoryless node is in nobody\'s list, and its own list starts elsewhere', () => {
    const orders = buildNodeOrders(null, [
      { nid: 0, hasMemory: true, hasCpus: true },
      { nid: 1, hasMemory: false, hasCpus: true },
      { nid: 2, hasMemory: true, hasCpus: true },
    ]);
    expect(orders.get(0)).toEqual([0, 2]);
    expect(orders.get(1)).toEqual([2, 0]);
  });
});

test('fact 68: zones of one node, highest allowed first', () => {
  const zones = ZONE_NAMES.map((name, zoneIdx) => ({ nid: 0, zoneIdx, name, presentPages: zoneIdx < 4 ? 1 : 0 }));
  const node = { nid: 0, zones } as unknown as NodeState;
  expect(zonelist([node], ZONE_MOVABLE).map((z) => z.name)).toEqual(['Movable', 'Normal', 'DMA32', 'DMA']);
  expect(zonelist([node], ZONE_NORMAL).map((z) => z.name)).toEqual(['Normal', 'DMA32', 'DMA']);
});
