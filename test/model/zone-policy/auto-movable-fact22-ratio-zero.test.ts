/**
 * Fact 22: auto_movable_ratio=0 sends every plain online to the kernel zone,
 * which is the default kernel zone of the range (DMA32 inside its span).
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, MIB_PAGES, ZONE_DMA32, ZONE_NORMAL } from './fake-context.js';

describe('auto-movable with ratio 0 (fact 22)', () => {
  const params = { onlinePolicy: 'auto-movable' as const, autoMovableRatio: 0 };

  it('onlines ungrouped, static and dynamic blocks into Normal despite plenty of early memory', () => {
    const machine = new FakeMachine({ nodes: [bootNode(64)], params });
    const dimm = machine.registry.registerStatic(0, GIB_PAGES);
    const virtio = machine.registry.registerDynamic(0, 4 * BLOCK_128M_PAGES);
    expect(zoneForPfnRange(machine, 'online', 0, null, 128 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(zoneForPfnRange(machine, 'online', 0, dimm, 129 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(zoneForPfnRange(machine, 'online', 0, virtio, 130 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });

  it('picks DMA32 for a block inside the DMA32 span', () => {
    const node = bootNode(64);
    node.dma32 = { startPfn: 16 * MIB_PAGES, spannedPages: 4 * GIB_PAGES - 16 * MIB_PAGES, presentPages: 3 * GIB_PAGES - 16 * MIB_PAGES };
    const machine = new FakeMachine({ nodes: [node], params });
    expect(zoneForPfnRange(machine, 'online', 0, null, 3 * GIB_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_DMA32);
  });
});
