/**
 * worked example (e): a small node cannot absorb its share of kernelcore=400G, so a
 * second pass spreads the remaining 36 GiB over the other three nodes; the
 * small node ends up all kernel memory (its zone_movable_pfn lands on its end
 * and is dropped).
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { gibPfn, unevenBox } from './machines.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('worked example (e) restart pass on uneven nodes', () => {
  const layout = computeBootLayout(unevenBox('kernelcore=400G'));

  it('places zone_movable_pfn at 114, 370, 626 GiB and none on node 3', () => {
    expect(layout.zoneMovablePfn).toEqual([gibPfn(114), gibPfn(370), gibPfn(626), 0]);
  });

  it('gives 112/112/112/64 GiB of kernel memory, 400 GiB in all', () => {
    const kernel = layout.nodes.map((n) => n.zones.slice(0, ZONE_MOVABLE).reduce((s, z) => s + z.presentPages, 0));
    expect(kernel).toEqual([gibPfn(112), gibPfn(112), gibPfn(112), gibPfn(64)]);
  });

  it('spans node 3 with Normal only', () => {
    const zones = layout.nodes[3].zones;
    expect(zones[ZONE_NORMAL]).toMatchObject({ zoneStartPfn: gibPfn(770), spannedPages: gibPfn(64), presentPages: gibPfn(64) });
    expect(zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: 0, spannedPages: 0, presentPages: 0 });
  });

  it('spans the movable zones of nodes 0-2 to their node ends', () => {
    expect(layout.nodes[0].zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: gibPfn(114), spannedPages: gibPfn(258 - 114) });
    expect(layout.nodes[1].zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: gibPfn(370), spannedPages: gibPfn(514 - 370) });
    expect(layout.nodes[2].zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: gibPfn(626), spannedPages: gibPfn(770 - 626) });
  });
});
