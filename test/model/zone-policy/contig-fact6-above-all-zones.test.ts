/**
 * Fact 6: contig-zones, an offline hot-added block above every zone of its
 * node. No zone spans it, so movable_node alone decides: Normal without it
 * ("Normal Movable"), Movable with it ("Movable Normal").
 */
import { describe, expect, it } from 'vitest';
import { validZonesText, zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

const blockPfn = 64 * GIB_PAGES; // far above the 8 GiB of boot memory

describe('contig-zones: a block past all zone spans (fact 6)', () => {
  it('goes to Normal without movable_node, and valid_zones reads "Normal Movable"', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)] });
    expect(zoneForPfnRange(machine, 'online', 0, null, blockPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(validZonesText(machine, 0, null, blockPfn, BLOCK_128M_PAGES)).toBe('Normal Movable');
  });

  it('goes to Movable with movable_node, and valid_zones reads "Movable Normal"', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], params: { movableNode: true } });
    expect(zoneForPfnRange(machine, 'online', 0, null, blockPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    expect(validZonesText(machine, 0, null, blockPfn, BLOCK_128M_PAGES)).toBe('Movable Normal');
  });

  it('treats a node without any memory the same way', () => {
    const plain = new FakeMachine({ nodes: [bootNode(8), {}] });
    const movableNode = new FakeMachine({ nodes: [bootNode(8), {}], params: { movableNode: true } });
    expect(validZonesText(plain, 1, null, blockPfn, BLOCK_128M_PAGES)).toBe('Normal Movable');
    expect(validZonesText(movableNode, 1, null, blockPfn, BLOCK_128M_PAGES)).toBe('Movable Normal');
  });
});
