/**
 * online_kernel picks the first of DMA and DMA32 whose current span meets the
 * block, else Normal (fact 13). movable_node and the online policy play no part.
 */
import { describe, expect, it } from 'vitest';
import { defaultKernelZoneForPfn, zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import {
  BLOCK_128M_PAGES,
  bootNode,
  FakeMachine,
  GIB_PAGES,
  MIB_PAGES,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_NORMAL,
} from './fake-context.js';

describe('online_kernel: default_kernel_zone_for_pfn', () => {
  it('puts a block at 5 GiB into Normal when DMA32 spans [16 MiB, 4 GiB) (fact 13)', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)] });
    expect(machine.zone(0, ZONE_DMA32)).toMatchObject({ zoneStartPfn: 16 * MIB_PAGES, spannedPages: 4 * GIB_PAGES - 16 * MIB_PAGES });
    expect(zoneForPfnRange(machine, 'online_kernel', 0, null, 5 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });

  it('chooses DMA32 for a block inside the DMA32 span, even in a hole and under movable_node', () => {
    // DMA32 spans [16 MiB, 4 GiB) but only [16 MiB, 3 GiB) is present: [3, 4) GiB is a hole.
    const node = bootNode(8);
    node.dma32 = { startPfn: 16 * MIB_PAGES, spannedPages: 4 * GIB_PAGES - 16 * MIB_PAGES, presentPages: 3 * GIB_PAGES - 16 * MIB_PAGES };
    for (const movableNode of [false, true]) {
      for (const onlinePolicy of ['contig-zones', 'auto-movable'] as const) {
        const machine = new FakeMachine({ nodes: [node], params: { movableNode, onlinePolicy } });
        expect(zoneForPfnRange(machine, 'online_kernel', 0, null, 3 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_DMA32);
      }
    }
  });

  it('prefers DMA over DMA32 when a range meets both spans', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], pagesPerBlock: 8 * MIB_PAGES });
    // [8 MiB, 24 MiB) meets DMA [0, 16 MiB) and DMA32 [16 MiB, 4 GiB).
    expect(defaultKernelZoneForPfn(machine, 0, 8 * MIB_PAGES, 16 * MIB_PAGES)).toBe(ZONE_DMA);
    expect(zoneForPfnRange(machine, 'online_kernel', 0, null, 8 * MIB_PAGES, 16 * MIB_PAGES)).toBe(ZONE_DMA);
  });

  it('falls back to Normal on a node whose DMA and DMA32 are empty', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8), {}] });
    expect(zoneForPfnRange(machine, 'online_kernel', 1, null, 0, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });
});
