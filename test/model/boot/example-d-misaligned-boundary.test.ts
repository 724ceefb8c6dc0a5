/**
 * worked example (d) and fact 49: kernelcore=1001G puts the Normal/Movable boundary at
 * 252.25 GiB on node 0. The 4 MiB rounding keeps it there, so 2 GiB block 126
 * ([252, 254) GiB) starts in Normal and ends in Movable.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import type { BootNode } from '../../../src/model/boot/layout.js';
import { fourNodeBox, gibPfn } from './machines.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

function zoneAt(node: BootNode, pfn: number): number {
  const z = node.zones.find((zone) => zone.spannedPages > 0 && pfn >= zone.zoneStartPfn && pfn < zone.zoneStartPfn + zone.spannedPages);
  if (!z) throw new Error(`pfn ${pfn} is in no zone of node ${node.nid}`);
  return z.zoneIdx;
}

describe('worked example (d) kernelcore=1001G', () => {
  const layout = computeBootLayout(fourNodeBox('kernelcore=1001G'));

  it('spreads 250.25 GiB per node', () => {
    // required_kc = 1001 GiB = 262,406,144 pages; kc_node = 65,601,536.
    expect(layout.zoneMovablePfn).toEqual([66_125_824, 334_561_280, 602_996_736, 871_432_192]);
    expect(layout.zoneMovablePfn[0]).toBe(gibPfn(252.25));
  });

  it('gives node 0 Normal [4, 252.25) GiB and Movable from 252.25 GiB', () => {
    const zones = layout.nodes[0].zones;
    expect(zones[ZONE_NORMAL]).toMatchObject({ zoneStartPfn: gibPfn(4), spannedPages: gibPfn(248.25), presentPages: gibPfn(248.25) });
    expect(zones[ZONE_MOVABLE]).toMatchObject({ zoneStartPfn: 66_125_824, spannedPages: gibPfn(1026 - 252.25) });
  });

  it('lets block 126 straddle Normal and Movable', () => {
    const sectionsPerBlock = layout.blockSizeBytes / 2 ** 27;
    expect(sectionsPerBlock).toBe(16);
    const blockStartPfn = 126 * sectionsPerBlock * 32_768;
    const blockEndPfn = blockStartPfn + sectionsPerBlock * 32_768;
    expect(blockStartPfn).toBe(gibPfn(252));
    const node0 = layout.nodes[0];
    expect(zoneAt(node0, blockStartPfn)).toBe(ZONE_NORMAL);
    expect(zoneAt(node0, blockEndPfn - 1)).toBe(ZONE_MOVABLE);
  });
});
