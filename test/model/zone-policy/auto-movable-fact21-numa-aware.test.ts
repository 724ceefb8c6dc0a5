/**
 * Fact 21: with auto_movable_numa_aware=Y, a block hot-added to a node that
 * has no boot memory goes to Normal (that node has no early kernel memory to
 * back Movable); with =N, and a global budget that allows it, Movable.
 */
import { describe, expect, it } from 'vitest';
import { autoMovableCanOnlineMovable, zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

const blockPfn = 64 * GIB_PAGES;

describe('auto-movable on a node without boot memory (fact 21)', () => {
  it('goes Normal when numa-aware', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8), {}], params: { onlinePolicy: 'auto-movable', autoMovableNumaAware: true } });
    expect(autoMovableCanOnlineMovable(machine, null, null, BLOCK_128M_PAGES)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 1, null, BLOCK_128M_PAGES)).toBe(false);
    expect(zoneForPfnRange(machine, 'online', 1, null, blockPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });

  it('goes Movable when not numa-aware and the machine-wide budget allows it', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8), {}], params: { onlinePolicy: 'auto-movable', autoMovableNumaAware: false } });
    expect(zoneForPfnRange(machine, 'online', 1, null, blockPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
  });

  it('still goes Normal when not numa-aware but the machine-wide budget is spent', () => {
    const node0 = { ...bootNode(8), movable: { startPfn: 8 * GIB_PAGES, spannedPages: 25 * GIB_PAGES, presentEarlyPages: 0 } };
    const machine = new FakeMachine({ nodes: [node0, {}], params: { onlinePolicy: 'auto-movable', autoMovableNumaAware: false } });
    expect(zoneForPfnRange(machine, 'online', 1, null, blockPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });
});
