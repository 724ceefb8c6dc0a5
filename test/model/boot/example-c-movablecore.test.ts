/** worked example (c) and fact 24: movablecore=1T leaves 256 GiB of ZONE_MOVABLE at the top of each node. */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { fourNodeBox, gibPfn } from './machines.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('worked example (c) movablecore=1T', () => {
  const layout = computeBootLayout(fourNodeBox('movablecore=1T'));

  it('parses 1T as 268,435,456 pages', () => {
    expect(layout.cmdline.params.movablecore).toEqual({ kind: 'pages', pages: 268_435_456 });
  });

  it('places zone_movable_pfn at 770, 1794, 2818 and 3842 GiB', () => {
    expect(layout.zoneMovablePfn).toEqual([gibPfn(770), gibPfn(1794), gibPfn(2818), gibPfn(3842)]);
  });

  it('spans 256 GiB of Movable on every node, 768 GiB of kernel memory', () => {
    for (const node of layout.nodes) {
      expect(node.zones[ZONE_MOVABLE].spannedPages).toBe(gibPfn(256));
      expect(node.zones[ZONE_MOVABLE].presentPages).toBe(gibPfn(256));
      const kernelPages = node.zones.slice(0, ZONE_MOVABLE).reduce((s, z) => s + z.presentPages, 0);
      expect(kernelPages).toBe(gibPfn(768));
    }
    expect(layout.nodes[1].zones[ZONE_NORMAL]).toMatchObject({ zoneStartPfn: gibPfn(1026), spannedPages: gibPfn(768) });
  });
});
