/**
 * online_movable always picks ZONE_MOVABLE: no ratio check, no span check,
 * even where the block lies inside a kernel zone's span.
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE } from './fake-context.js';

describe('online_movable', () => {
  it('picks Movable inside the DMA32 span and past all spans, under either policy', () => {
    for (const onlinePolicy of ['contig-zones', 'auto-movable'] as const) {
      const machine = new FakeMachine({ nodes: [bootNode(8)], params: { onlinePolicy } });
      expect(zoneForPfnRange(machine, 'online_movable', 0, null, 2 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
      expect(zoneForPfnRange(machine, 'online_movable', 0, null, 64 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    }
  });

  it('ignores an exhausted auto-movable budget and a ratio of 0', () => {
    for (const autoMovableRatio of [0, 301]) {
      // A node without boot memory: auto-movable would never choose Movable for a plain online.
      const machine = new FakeMachine({ nodes: [bootNode(8), {}], params: { onlinePolicy: 'auto-movable', autoMovableRatio } });
      expect(zoneForPfnRange(machine, 'online', 1, null, 64 * GIB_PAGES, BLOCK_128M_PAGES)).not.toBe(ZONE_MOVABLE);
      expect(zoneForPfnRange(machine, 'online_movable', 1, null, 64 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    }
  });
});
