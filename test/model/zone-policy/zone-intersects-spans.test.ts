/**
 * zone_intersects works on spans: holes inside a span count as the zone's,
 * and an empty zone (spanned 0) meets nothing, wherever its start pfn points.
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange, zoneIntersects, type ZoneView } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_NORMAL } from './fake-context.js';

function zone(zoneStartPfn: number, spannedPages: number, presentPages = spannedPages): ZoneView {
  return { nid: 0, zoneIdx: ZONE_NORMAL, zoneStartPfn, spannedPages, presentPages, presentEarlyPages: presentPages, cmaPages: 0 };
}

describe('zone_intersects', () => {
  it('meets a range that overlaps the half-open span [start, start + spanned)', () => {
    expect(zoneIntersects(zone(1000, 100), 1099, 1)).toBe(true);
    expect(zoneIntersects(zone(1000, 100), 1100, 1)).toBe(false);
    expect(zoneIntersects(zone(1000, 100), 900, 100)).toBe(false);
    expect(zoneIntersects(zone(1000, 100), 900, 101)).toBe(true);
  });

  it('counts a hole inside the span as intersecting', () => {
    expect(zoneIntersects(zone(1000, 100, 10), 1050, 10)).toBe(true);
  });

  it('never meets anything when the zone is empty', () => {
    expect(zoneIntersects(zone(1000, 0, 0), 1000, 100)).toBe(false);
    // A range straddling the empty zone's start pfn.
    expect(zoneIntersects(zone(1000, 0, 0), 900, 200)).toBe(false);
    expect(zoneIntersects(zone(0, 0, 0), 0, 1)).toBe(false);
  });

  it('does not let an emptied Movable zone with a stale start pfn claim a block', () => {
    // The stale start pfn points into the middle of the block.
    const stalePfn = 32 * GIB_PAGES + BLOCK_128M_PAGES / 2;
    const node = { ...bootNode(8), movable: { startPfn: stalePfn, spannedPages: 0, presentPages: 0, presentEarlyPages: 0 } };
    const machine = new FakeMachine({ nodes: [node] });
    expect(zoneForPfnRange(machine, 'online', 0, null, 32 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });
});
