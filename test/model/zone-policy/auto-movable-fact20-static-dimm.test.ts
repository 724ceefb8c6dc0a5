/**
 * Fact 20: auto-movable on a 4 GiB boot VM (1,048,576 early kernel pages,
 * limit 301 * 1,048,576 / 100 = 3,156,213 pages). A static group decides for
 * the whole remaining device at its first block: a 16 GiB ACPI DIMM
 * (4,194,304 pages) does not fit, so all 128 blocks go Normal; an 8 GiB DIMM
 * (2,097,152 pages) fits, so all 64 blocks go Movable.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_128M_PAGES, bootNode, FakeMachine, GIB_PAGES, ZONE_MOVABLE, ZONE_NORMAL } from './fake-context.js';

function addDimm(sizeGiB: number): number[] {
  const machine = new FakeMachine({ nodes: [bootNode(4)], params: { onlinePolicy: 'auto-movable' } });
  const dimmPages = sizeGiB * GIB_PAGES;
  const group = machine.registry.registerStatic(0, dimmPages);
  const basePfn = 8 * GIB_PAGES;
  const decided: number[] = [];
  for (let startPfn = basePfn; startPfn < basePfn + dimmPages; startPfn += BLOCK_128M_PAGES) {
    decided.push(machine.decideAndOnline(0, machine.registry.get(group.id)!, startPfn, BLOCK_128M_PAGES));
  }
  return decided;
}

describe('auto-movable with a static group (fact 20)', () => {
  it('puts all 128 blocks of a 16 GiB DIMM into Normal', () => {
    const decided = addDimm(16);
    expect(decided).toHaveLength(128);
    expect(decided.every((zoneIdx) => zoneIdx === ZONE_NORMAL)).toBe(true);
  });

  it('puts all 64 blocks of an 8 GiB DIMM into Movable', () => {
    const decided = addDimm(8);
    expect(decided).toHaveLength(64);
    expect(decided.every((zoneIdx) => zoneIdx === ZONE_MOVABLE)).toBe(true);
  });
});
