/**
 * Fact 55: the VM's lowmem reserves with the default ratios 256 256 32 0 0:
 * DMA (0, 3018, 6346, 6346, 6346), DMA32 (0, 0, 3328, 3328, 3328), Normal
 * and Movable all 0 (mm/page_alloc.c setup_per_zone_lowmem_reserve).
 */
import { expect, test } from 'vitest';
import { DEFAULT_LOWMEM_RESERVE_RATIO, lowmemReserve } from '../../../src/model/alloc/watermarks.js';
import { bootVm, protectionOf, VM_MANAGED } from './vm.js';

const EXPECTED = [
  [0, 3018, 6346, 6346, 6346],
  [0, 0, 3328, 3328, 3328],
  [0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
];

test('fact 55: each zone keeps what the zones above it manage, over its ratio', () => {
  expect(lowmemReserve([VM_MANAGED.DMA, VM_MANAGED.DMA32, VM_MANAGED.Normal, 0, 0], DEFAULT_LOWMEM_RESERVE_RATIO)).toEqual(EXPECTED);
});

test('fact 55: the booted VM holds the same protection', async () => {
  const machine = await bootVm();
  try {
    expect(['DMA', 'DMA32', 'Normal', 'Movable', 'Device'].map((zone) => protectionOf(machine, zone as 'DMA'))).toEqual(EXPECTED);
  } finally {
    await machine.close();
  }
});

test('fact 55: a zone that manages nothing keeps nothing, whatever its ratio', () => {
  // DMA empty: its ratio would give 1/256 of the rest, but managed 0 clears it.
  expect(lowmemReserve([0, 1000, 3200, 0, 0], DEFAULT_LOWMEM_RESERVE_RATIO)[0]).toEqual([0, 0, 0, 0, 0]);
});
