/**
 * Fact 25: movable_node with SRAT-hotpluggable nodes 1-3 ignores kernelcore=
 * (and movablecore=): nodes 1-3 are fully Movable, node 0 has no Movable.
 */
import { describe, expect, it } from 'vitest';
import { computeBootLayout } from '../../../src/model/boot/setup.js';
import { fourNodeBox, gibPfn } from './machines.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

describe('movable_node wins over kernelcore=', () => {
  const hotplug = [false, true, true, true];
  const layout = computeBootLayout(fourNodeBox('movable_node kernelcore=25% movablecore=10%', hotplug));

  it('lays out zones exactly as movable_node alone would', () => {
    const alone = computeBootLayout(fourNodeBox('movable_node', hotplug));
    expect(layout.zoneMovablePfn).toEqual(alone.zoneMovablePfn);
    expect(layout.nodes).toEqual(alone.nodes);
  });

  it('makes nodes 1-3 fully Movable and gives node 0 none', () => {
    expect(layout.zoneMovablePfn).toEqual([0, gibPfn(1026), gibPfn(2050), gibPfn(3074)]);
    expect(layout.nodes[0].zones[ZONE_MOVABLE].spannedPages).toBe(0);
    for (const nid of [1, 2, 3]) {
      expect(layout.nodes[nid].zones[ZONE_NORMAL].presentPages).toBe(0);
      expect(layout.nodes[nid].zones[ZONE_MOVABLE].presentPages).toBe(gibPfn(1024));
    }
  });

  it('warns that kernelcore= and movablecore= were ignored', () => {
    expect(layout.warnings.some((w) => /kernelcore=.*ignored/.test(w))).toBe(true);
  });

  it('gives no ZONE_MOVABLE at all when no memory is hotpluggable', () => {
    const none = computeBootLayout(fourNodeBox('movable_node kernelcore=25%'));
    expect(none.zoneMovablePfn).toEqual([0, 0, 0, 0]);
  });
});
