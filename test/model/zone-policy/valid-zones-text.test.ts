/**
 * valid_zones of an offline block: D, the zone a plain online picks, then the
 * online_kernel zone only if it differs from D, then "Movable" only if it
 * differs from D. No zone is ever printed twice.
 */
import { describe, expect, it } from 'vitest';
import { validZonesText } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, MIB_PAGES, type NodeSpec } from './fake-context.js';

// DMA32 spans [16 MiB, 4 GiB) with a hole at [3, 4) GiB; Movable spans [3, 3.5) GiB inside that hole
// (as after onlining one block there with online_movable).
const overlapping: NodeSpec = {
  ...bootNode(8),
  dma32: { startPfn: 16 * MIB_PAGES, spannedPages: 4 * GIB_PAGES - 16 * MIB_PAGES, presentPages: 3 * GIB_PAGES - 16 * MIB_PAGES },
  movable: { startPfn: 3 * GIB_PAGES, spannedPages: GIB_PAGES / 2, presentPages: GIB_PAGES / 2, presentEarlyPages: 0 },
};

describe('valid_zones text of an offline block', () => {
  it('D = Normal: "Normal Movable"', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)] });
    expect(validZonesText(machine, 0, null, 32 * GIB_PAGES, BLOCK_128M_PAGES)).toBe('Normal Movable');
  });

  it('D = Movable, kernel zone Normal: "Movable Normal"', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], params: { movableNode: true } });
    expect(validZonesText(machine, 0, null, 32 * GIB_PAGES, BLOCK_128M_PAGES)).toBe('Movable Normal');
  });

  it('D = DMA32 for a block in the DMA32 hole: "DMA32 Movable"', () => {
    const node = bootNode(8);
    node.dma32 = overlapping.dma32;
    const machine = new FakeMachine({ nodes: [node] });
    expect(validZonesText(machine, 0, null, 3 * GIB_PAGES + BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe('DMA32 Movable');
  });

  it('D = Movable, kernel zone DMA32: "Movable DMA32"', () => {
    // Both DMA32 and Movable span the block; movable_node breaks the tie towards Movable.
    const machine = new FakeMachine({ nodes: [overlapping], params: { movableNode: true } });
    expect(validZonesText(machine, 0, null, 3 * GIB_PAGES + BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe('Movable DMA32');
    // Without movable_node the tie goes to the kernel zone.
    const plain = new FakeMachine({ nodes: [overlapping] });
    expect(validZonesText(plain, 0, null, 3 * GIB_PAGES + BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe('DMA32 Movable');
  });

  it('follows auto-movable for D: Movable while the budget lasts, the kernel zone after', () => {
    const roomy = new FakeMachine({ nodes: [bootNode(8)], params: { onlinePolicy: 'auto-movable' } });
    expect(validZonesText(roomy, 0, null, 32 * GIB_PAGES, BLOCK_128M_PAGES)).toBe('Movable Normal');
    // 8 GiB early kernel memory at 301% allows ~24 GiB Movable; 30 GiB is already there.
    const full: NodeSpec = { ...bootNode(8), movable: { startPfn: 8 * GIB_PAGES, spannedPages: 30 * GIB_PAGES, presentEarlyPages: 0 } };
    const exhausted = new FakeMachine({ nodes: [full], params: { onlinePolicy: 'auto-movable' } });
    expect(validZonesText(exhausted, 0, null, 64 * GIB_PAGES, BLOCK_128M_PAGES)).toBe('Normal Movable');
  });
});
