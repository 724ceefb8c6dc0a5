/**
 * contig-zones decides from which spans meet the block: exactly one of the
 * kernel zone and Movable → that zone, whatever movable_node says; neither or
 * both → Movable with movable_node, the kernel zone without.
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL, type NodeSpec } from './fake-context.js';

// Normal spans [4, 16) GiB, Movable spans [12, 24) GiB: they overlap on [12, 16).
const node: NodeSpec = {
  ...bootNode(4),
  normal: { startPfn: 4 * GIB_PAGES, spannedPages: 12 * GIB_PAGES, presentPages: 8 * GIB_PAGES },
  movable: { startPfn: 12 * GIB_PAGES, spannedPages: 12 * GIB_PAGES, presentPages: 8 * GIB_PAGES, presentEarlyPages: 0 },
};

const cases: { where: string; pfn: number; without: number; with: number }[] = [
  { where: 'only the Normal span', pfn: 6 * GIB_PAGES, without: ZONE_NORMAL, with: ZONE_NORMAL },
  { where: 'only the Movable span', pfn: 20 * GIB_PAGES, without: ZONE_MOVABLE, with: ZONE_MOVABLE },
  { where: 'both spans', pfn: 14 * GIB_PAGES, without: ZONE_NORMAL, with: ZONE_MOVABLE },
  { where: 'neither span', pfn: 40 * GIB_PAGES, without: ZONE_NORMAL, with: ZONE_MOVABLE },
];

describe('contig-zones: span intersections and movable_node', () => {
  for (const c of cases) {
    it(`a block in ${c.where}`, () => {
      const plain = new FakeMachine({ nodes: [node] });
      const movableNode = new FakeMachine({ nodes: [node], params: { movableNode: true } });
      expect(zoneForPfnRange(plain, 'online', 0, null, c.pfn, BLOCK_128M_PAGES)).toBe(c.without);
      expect(zoneForPfnRange(movableNode, 'online', 0, null, c.pfn, BLOCK_128M_PAGES)).toBe(c.with);
    });
  }

  it('counts a block that only touches a span at its edge as outside (half-open spans)', () => {
    const plain = new FakeMachine({ nodes: [node] });
    // [16 GiB, 16 GiB + 128 MiB) starts exactly where Normal ends: only Movable meets it.
    expect(zoneForPfnRange(plain, 'online', 0, null, 16 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    // [12 GiB - 128 MiB, 12 GiB) ends exactly where Movable starts: only Normal meets it.
    const movableNode = new FakeMachine({ nodes: [node], params: { movableNode: true } });
    expect(zoneForPfnRange(movableNode, 'online', 0, null, 12 * GIB_PAGES - BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    // [4 GiB - 128 MiB, 4 GiB) ends where Normal starts: DMA32 is the kernel zone, and only it meets the block.
    expect(zoneForPfnRange(movableNode, 'online', 0, null, 4 * GIB_PAGES - BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_DMA32);
  });
});
