/**
 * Only early (boot) kernel memory backs ZONE_MOVABLE: hot-added kernel memory
 * raises no budget, and CMA pages in kernel zones count as movable, not
 * kernel. Present pages are what counts, holes excluded.
 */
import { describe, expect, it } from 'vitest';
import { autoMovableCanOnlineMovable } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_NORMAL } from './fake-context.js';

const params = { onlinePolicy: 'auto-movable' as const, autoMovableRatio: 301 };

describe('auto-movable budget sources', () => {
  it('ignores hot-added kernel memory', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], params });
    // Fact 19's machine: 8 GiB early → limit 6,312,427 pages.
    expect(autoMovableCanOnlineMovable(machine, 0, null, 6_312_427)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 6_312_428)).toBe(false);
    // 32 GiB more Normal memory, hot-added and onlined: present but not early.
    machine.online(0, ZONE_NORMAL, null, 64 * GIB_PAGES, 32 * GIB_PAGES);
    expect(machine.zone(0, ZONE_NORMAL).presentPages).toBe(36 * GIB_PAGES);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 6_312_427)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 6_312_428)).toBe(false);
  });

  it('counts present, not spanned, early pages', () => {
    const node = bootNode(8);
    // Normal spans [4, 8) GiB but 1 GiB of it is a hole: 7 GiB early = 1,835,008 pages → limit 5,523,374.
    node.normal = { startPfn: 4 * GIB_PAGES, spannedPages: 4 * GIB_PAGES, presentPages: 3 * GIB_PAGES };
    const machine = new FakeMachine({ nodes: [node], params });
    expect(autoMovableCanOnlineMovable(machine, 0, null, 5_523_374)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 5_523_375)).toBe(false);
  });

  it('moves CMA pages of kernel zones from the kernel side to the movable side', () => {
    const node = bootNode(8);
    // 1 GiB of the Normal zone is CMA: KE = 7 GiB = 1,835,008 → limit 5,523,374, of which 262,144 is already CMA.
    node.normal = { startPfn: 4 * GIB_PAGES, spannedPages: 4 * GIB_PAGES, cmaPages: GIB_PAGES };
    const machine = new FakeMachine({ nodes: [node], params });
    expect(autoMovableCanOnlineMovable(machine, 0, null, 5_523_374 - 262_144)).toBe(true);
    expect(autoMovableCanOnlineMovable(machine, 0, null, 5_523_374 - 262_144 + 1)).toBe(false);
  });

  it('allows nothing on a node whose only memory was hot-added', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8), {}], params });
    machine.online(1, ZONE_NORMAL, null, 64 * GIB_PAGES, 8 * GIB_PAGES);
    expect(autoMovableCanOnlineMovable(machine, 1, null, BLOCK_128M_PAGES)).toBe(false);
    expect(autoMovableCanOnlineMovable(machine, 1, null, 0)).toBe(false);
  });
});
