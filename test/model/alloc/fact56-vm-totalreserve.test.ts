/**
 * Fact 56: the VM's totalreserve_pages = 32449: per zone its largest
 * reserve plus its high mark, at most what it manages — DMA min(3840,
 * 6346 + 57) = 3840, DMA32 3328 + 12025, Normal 13256, Movable min(0, 32) = 0
 * (mm/page_alloc.c calculate_totalreserve_pages).
 */
import { expect, test } from 'vitest';
import { bootVm } from './vm.js';

test('fact 56: totalreserve_pages is 32449', async () => {
  const machine = await bootVm();
  try {
    expect(machine.watermarks.totalreservePages).toBe(3840 + 3328 + 12_025 + 13_256);
    expect(machine.watermarks.totalreservePages).toBe(32_449);
  } finally {
    await machine.close();
  }
});
