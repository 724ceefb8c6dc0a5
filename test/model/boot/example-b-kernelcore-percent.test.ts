/**
 * worked example (b) and fact 23: kernelcore=25% on the 4 × 1 TiB box gives every node
 * 256 GiB of kernel memory and 768 GiB of ZONE_MOVABLE.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { fourNodeBox, gibPfn } from './machines.js';
import { ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('worked example (b) kernelcore=25%', () => {
  const layout = computeBootLayout(fourNodeBox('kernelcore=25%'));

  it('places zone_movable_pfn at 258, 1282, 2306 and 3330 GiB', () => {
    expect(layout.cmdline.params.kernelcore).toEqual({ kind: 'percent', percent: 25 });
    expect(layout.zoneMovablePfn).toEqual([gibPfn(258), gibPfn(1282), gibPfn(2306), gibPfn(3330)]);
  });

  it('gives node 0 2 GiB low memory plus 254 GiB Normal, and 768 GiB Movable', () => {
    const zones = layout.nodes[0].zones;
    expect(zones[ZONE_DMA32].presentPages + zones[0].presentPages).toBe(gibPfn(2));
    expect(zones[ZONE_NORMAL]).toMatchObject({ zoneStartPfn: gibPfn(4), spannedPages: gibPfn(254), presentPages: gibPfn(254) });
    expect(zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: gibPfn(258), spannedPages: gibPfn(768), presentPages: gibPfn(768) });
  });

  it('gives nodes 1-3 256 GiB Normal and 768 GiB Movable', () => {
    for (const nid of [1, 2, 3]) {
      const base = 1026 + (nid - 1) * 1024;
      const zones = layout.nodes[nid].zones;
      expect(zones[ZONE_NORMAL]).toMatchObject({ zoneStartPfn: gibPfn(base), spannedPages: gibPfn(256), presentPages: gibPfn(256) });
      expect(zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: gibPfn(base + 256), spannedPages: gibPfn(768), presentPages: gibPfn(768) });
    }
  });

  it('keeps each node memmap on its own node, at its top (in Movable)', () => {
    // Without movable_node nothing is skipped: 1024 GiB per node → 16 GiB memmap, local.
    expect(layout.nodes.map((n) => n.memmapPages)).toEqual([gibPfn(16), gibPfn(16), gibPfn(16), gibPfn(16)]);
    for (const node of layout.nodes) {
      expect(node.zones[ZONE_MOVABLE].managedPages).toBe(gibPfn(768) - gibPfn(16));
    }
  });
});
