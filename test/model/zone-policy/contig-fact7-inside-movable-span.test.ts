/**
 * Fact 7: contig-zones, an offline block whose range lies inside the node's
 * Movable span (an offlined hole in a kernelcore= Movable zone, say) inherits
 * Movable even without movable_node: "Movable Normal".
 */
import { describe, expect, it } from 'vitest';
import { validZonesText, zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE } from './fake-context.js';

// Boot: kernel memory [0, 8 GiB), Movable [8 GiB, 24 GiB) with a 1 GiB hole at 12 GiB.
const node = {
  ...bootNode(8),
  movable: { startPfn: 8 * GIB_PAGES, spannedPages: 16 * GIB_PAGES, presentPages: 15 * GIB_PAGES, presentEarlyPages: 15 * GIB_PAGES },
};
const holePfn = 12 * GIB_PAGES;

describe('contig-zones: a block inside the Movable span (fact 7)', () => {
  it('inherits Movable without movable_node', () => {
    const machine = new FakeMachine({ nodes: [node] });
    expect(zoneForPfnRange(machine, 'online', 0, null, holePfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    expect(validZonesText(machine, 0, null, holePfn, BLOCK_128M_PAGES)).toBe('Movable Normal');
  });

  it('also inherits Movable with movable_node', () => {
    const machine = new FakeMachine({ nodes: [node], params: { movableNode: true } });
    expect(validZonesText(machine, 0, null, holePfn, BLOCK_128M_PAGES)).toBe('Movable Normal');
  });
});
