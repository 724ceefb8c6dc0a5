/**
 * Fact 54: the VM's promo marks, one more gap above high: DMA 66, DMA32
 * 14029, Normal 15465, Movable 32 (mm/page_alloc.c __setup_per_zone_wmarks).
 */
import { expect, test } from 'vitest';
import { bootVm, marksOf } from './vm.js';

test('fact 54: promo is high plus the zone’s gap', async () => {
  const machine = await bootVm();
  try {
    expect(marksOf(machine, 'DMA')[3]).toBe(66);
    expect(marksOf(machine, 'DMA32')[3]).toBe(14_029);
    expect(marksOf(machine, 'Normal')[3]).toBe(15_465);
    expect(marksOf(machine, 'Movable')[3]).toBe(32);
  } finally {
    await machine.close();
  }
});
