/**
 * auto-movable with a dynamic group whose unit spans several blocks: the
 * decision is for the rest of the unit. An online section of the unit in a
 * kernel zone sends the rest there; online Movable sections count as done,
 * so only the remainder of the unit is asked of the budget.
 */
import { describe, expect, it } from 'vitest';
import { zoneForPfnRange } from '../../../src/model/hotplug/zone-policy.js';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL, type NodeSpec } from './fake-context.js';

const UNIT_PAGES = 4 * BLOCK_128M_PAGES; // 512 MiB units of four 128 MiB blocks
const unitPfn = 16 * GIB_PAGES;

/**
 * 8 GiB of early kernel memory (2,097,152 pages) at ratio 100: MOVABLE may
 * hold at most 2,097,152 pages. `movablePages` of it are already in use.
 */
function machineWithMovable(movablePages: number): FakeMachine {
  const node: NodeSpec = { ...bootNode(8), movable: { startPfn: 8 * GIB_PAGES, spannedPages: movablePages, presentEarlyPages: 0 } };
  return new FakeMachine({ nodes: [node], params: { onlinePolicy: 'auto-movable', autoMovableRatio: 100 } });
}

describe('auto-movable with a multi-block dynamic unit', () => {
  it('keeps a unit Movable once part of it is online Movable', () => {
    const machine = machineWithMovable(0);
    const group = machine.registry.registerDynamic(0, UNIT_PAGES);
    machine.online(0, ZONE_MOVABLE, group, unitPfn, BLOCK_128M_PAGES);
    expect(zoneForPfnRange(machine, 'online', 0, group, unitPfn + BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
  });

  it('sends the rest of a unit to the kernel zone once part of it is online there', () => {
    const machine = machineWithMovable(0);
    const group = machine.registry.registerDynamic(0, UNIT_PAGES);
    machine.online(0, ZONE_NORMAL, group, unitPfn + 2 * BLOCK_128M_PAGES, BLOCK_128M_PAGES);
    // The budget is untouched (nothing Movable at all), yet the unit stays in one zone kind.
    expect(zoneForPfnRange(machine, 'online', 0, group, unitPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(zoneForPfnRange(machine, 'online', 0, group, unitPfn + 3 * BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });

  it('asks the budget for the whole unit at the first block', () => {
    // 2,097,152 - 131,072 = 1,966,080 pages in use leave room for exactly one unit.
    const fits = machineWithMovable(1_966_080);
    const group = fits.registry.registerDynamic(0, UNIT_PAGES);
    expect(zoneForPfnRange(fits, 'online', 0, group, unitPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);

    // One page more and the unit no longer fits, although a single block would.
    const tight = machineWithMovable(1_966_081);
    const tightGroup = tight.registry.registerDynamic(0, UNIT_PAGES);
    expect(zoneForPfnRange(tight, 'online', 0, tightGroup, unitPfn, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    expect(zoneForPfnRange(tight, 'online', 0, null, unitPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
  });

  it('does not count the unit\'s own online Movable blocks twice', () => {
    // At the limit: 1,966,080 in use plus one unit. After the first block of the unit
    // is online Movable, MOVABLE holds 1,998,848 pages and the rest of the unit
    // (98,304 pages) still fits exactly: 1,998,848 + 98,304 = 2,097,152.
    const machine = machineWithMovable(1_966_080);
    const group = machine.registry.registerDynamic(0, UNIT_PAGES);
    for (let i = 0; i < 4; i++) {
      expect(machine.decideAndOnline(0, group, unitPfn + i * BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    }
    expect(machine.presentPages(ZONE_MOVABLE)).toBe(2_097_152);
  });

  it('treats a dynamic group whose unit is one block like an ungrouped block', () => {
    const machine = machineWithMovable(2_097_152 - BLOCK_128M_PAGES);
    const group = machine.registry.registerDynamic(0, BLOCK_128M_PAGES);
    expect(zoneForPfnRange(machine, 'online', 0, group, unitPfn, BLOCK_128M_PAGES)).toBe(ZONE_MOVABLE);
    machine.online(0, ZONE_MOVABLE, group, unitPfn, BLOCK_128M_PAGES);
    expect(zoneForPfnRange(machine, 'online', 0, group, unitPfn + BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
  });
});
