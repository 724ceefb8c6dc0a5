/**
 * Fact 19: auto-movable, ratio 301, one node with 2,097,152 pages (8 GiB) of
 * early kernel memory, hot-adding ungrouped 128 MiB blocks one at a time:
 * the first 192 blocks (24 GiB) go Movable, the 193rd goes Normal, because
 * the limit is 301 * 2,097,152 / 100 = 6,312,427 pages and 193 blocks are
 * 6,324,224 pages.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

const EARLY_KERNEL_PAGES = 2_097_152;
const LIMIT_PAGES = 6_312_427;

describe('auto-movable with ungrouped blocks (fact 19)', () => {
  it('onlines 192 blocks Movable and the 193rd Normal', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], params: { onlinePolicy: 'auto-movable', autoMovableRatio: 301 } });
    const early = machine.populatedZones(0).reduce((sum, z) => sum + z.presentEarlyPages, 0);
    expect(early).toBe(EARLY_KERNEL_PAGES);

    const decided: number[] = [];
    for (let i = 0; i < 193; i++) {
      const startPfn = 8 * GIB_PAGES + i * BLOCK_128M_PAGES;
      decided.push(machine.decideAndOnline(0, null, startPfn, BLOCK_128M_PAGES));
    }

    expect(decided.slice(0, 192).every((zoneIdx) => zoneIdx === ZONE_MOVABLE)).toBe(true);
    expect(decided[192]).toBe(ZONE_NORMAL);
    expect(machine.presentPages(ZONE_MOVABLE)).toBe(192 * BLOCK_128M_PAGES);
    expect(192 * BLOCK_128M_PAGES).toBeLessThanOrEqual(LIMIT_PAGES);
    expect(193 * BLOCK_128M_PAGES).toBeGreaterThan(LIMIT_PAGES);
  });

  it('keeps going to Normal once the budget is spent, since hot-added Normal memory is not early', () => {
    const machine = new FakeMachine({ nodes: [bootNode(8)], params: { onlinePolicy: 'auto-movable' } });
    for (let i = 0; i < 192; i++) machine.decideAndOnline(0, null, 8 * GIB_PAGES + i * BLOCK_128M_PAGES, BLOCK_128M_PAGES);
    for (let i = 192; i < 256; i++) {
      expect(machine.decideAndOnline(0, null, 8 * GIB_PAGES + i * BLOCK_128M_PAGES, BLOCK_128M_PAGES)).toBe(ZONE_NORMAL);
    }
  });
});
