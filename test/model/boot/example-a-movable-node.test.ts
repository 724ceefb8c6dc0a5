/**
 * docs/kernel-facts.md, worked example (a): movable_node, SRAT marks every node
 * hotpluggable. Node 0 holds the kernel, so only nodes 1-3 keep HOTPLUG and
 * become entirely ZONE_MOVABLE; their memmap is allocated on node 0.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { fourNodeBox, gibPfn } from './machines.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('worked example (a) movable_node with hotpluggable nodes', () => {
  const layout = computeBootLayout(fourNodeBox('movable_node', [true, true, true, true]));

  it('puts ZONE_MOVABLE at the start of nodes 1-3 and nowhere on node 0', () => {
    expect(layout.zoneMovablePfn).toEqual([0, 268_959_744, 537_395_200, 805_830_656]);
    expect(layout.zoneMovablePfn.slice(1)).toEqual([gibPfn(1026), gibPfn(2050), gibPfn(3074)]);
  });

  it('keeps node 0 in DMA, DMA32 and Normal with the PCI hole absent', () => {
    const [dma, dma32, normal, movable] = layout.nodes[0].zones;
    // DMA [0, 16 MiB) = 4096 pages; DMA32 [16 MiB, 4 GiB) minus the [2, 4) GiB hole.
    expect(dma).toMatchObject({ zoneIdx: ZONE_DMA, zoneStartPfn: 0, spannedPages: 4096, presentPages: 4096 });
    expect(dma32).toMatchObject({ zoneIdx: ZONE_DMA32, zoneStartPfn: 4096, spannedPages: gibPfn(4) - 4096, presentPages: gibPfn(2) - 4096 });
    expect(normal).toMatchObject({ zoneIdx: ZONE_NORMAL, zoneStartPfn: gibPfn(4), spannedPages: gibPfn(1022), presentPages: gibPfn(1022) });
    expect(movable).toMatchObject({ zoneIdx: ZONE_MOVABLE, zoneStartPfn: 0, spannedPages: 0, presentPages: 0 });
    expect(layout.nodes[0].nodeSpannedPages).toBe(gibPfn(1026));
    expect(layout.nodes[0].nodePresentPages).toBe(gibPfn(1024));
  });

  it('makes nodes 1-3 100 % Movable with an empty Normal', () => {
    for (const nid of [1, 2, 3]) {
      const node = layout.nodes[nid];
      const start = gibPfn(1026 + (nid - 1) * 1024);
      expect(node.zones[ZONE_NORMAL]).toMatchObject({ spannedPages: 0, presentPages: 0, zoneStartPfn: 0 });
      expect(node.zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: start, spannedPages: gibPfn(1024), presentPages: gibPfn(1024) });
      expect(node.hasMemory).toBe(true);
      expect(node.hasNormalMemory).toBe(false);
    }
  });

  it('clears HOTPLUG on the kernel node only', () => {
    expect(layout.nodes.map((n) => n.hotpluggable)).toEqual([false, true, true, true]);
  });

  it('allocates the whole box memmap (64 GiB) on node 0, 16 GiB of it for each node', () => {
    expect(layout.nodes.map((n) => n.memmapPages)).toEqual([gibPfn(64), 0, 0, 0]);
    // Hotpluggable nodes keep all of their memory for the buddy allocator.
    for (const nid of [1, 2, 3]) expect(layout.nodes[nid].zones[ZONE_MOVABLE].managedPages).toBe(gibPfn(1024));
    // Node 0 Normal loses exactly the 64 GiB memmap (kernel image sits in DMA32).
    expect(layout.nodes[0].zones[ZONE_NORMAL].managedPages).toBe(gibPfn(1022) - gibPfn(64));
  });

  it('uses 2 GiB blocks on this bare-metal box', () => {
    expect(layout.blockSizeBytes).toBe(2 ** 31);
    expect(layout.maxPfn).toBe(gibPfn(4098));
    expect(layout.movableZone).toBe(ZONE_NORMAL);
  });
});
