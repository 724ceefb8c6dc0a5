/**
 * Fact 61 (the 6.12 / 6.18 half): an empty ZONE_MOVABLE gets min/low/high
 * 32/32/32 — its min is ⌊managed/1024⌋ clamped to 32..128, and with no
 * share its gaps are 0 (mm/page_alloc.c __setup_per_zone_wmarks).
 *
 * The model follows 6.18. 6.1 is not followed: there Movable counted in
 * lowmem and got its proportional share as min, so the empty zone showed
 * 0/0/0.
 */
import { expect, test } from 'vitest';
import { zoneWatermarks } from '../../../src/model/alloc/watermarks.js';
import { ZONE_MOVABLE } from '../../../src/model/core/mmzone.js';
import { bootVm, marksOf } from './vm.js';

test('fact 61: the VM’s empty Movable zone shows 32/32/32', async () => {
  const machine = await bootVm();
  try {
    expect(marksOf(machine, 'Movable').slice(0, 3)).toEqual([32, 32, 32]);
  } finally {
    await machine.close();
  }
});

test('fact 61: Movable’s min stays within 32..128 whatever its size', () => {
  const min = (managedPages: number) => zoneWatermarks({ zoneIdx: ZONE_MOVABLE, managedPages }, 16_896, 1_628_656, 10).min;
  expect(min(0)).toBe(32);
  expect(min(50 * 1024)).toBe(50);
  expect(min(1_048_576)).toBe(128);
});
