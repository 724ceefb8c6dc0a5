/**
 * Fact 53: the VM (managed 3840 / 772848 / 851968 / 0), watermark_scale_factor
 * 10, min_free_kbytes 67584 → min/low/high DMA 39/48/57, DMA32
 * 8017/10021/12025, Normal 8838/11047/13256, Movable 32/32/32
 * (mm/page_alloc.c __setup_per_zone_wmarks).
 */
import { expect, test } from 'vitest';
import { zoneWatermarks } from '../../../src/model/alloc/watermarks.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../../src/model/core/mmzone.js';
import { bootVm, marksOf, VM_MANAGED } from './vm.js';

const PAGES_MIN = 67_584 / 4;
const LOWMEM = VM_MANAGED.DMA + VM_MANAGED.DMA32 + VM_MANAGED.Normal;

test('fact 53: min, low and high of each zone from the managed counts', () => {
  const marks = (zoneIdx: number, managedPages: number) => {
    const { min, low, high } = zoneWatermarks({ zoneIdx, managedPages }, PAGES_MIN, LOWMEM, 10);
    return [min, low, high];
  };
  expect(marks(ZONE_DMA, VM_MANAGED.DMA)).toEqual([39, 48, 57]);
  expect(marks(ZONE_DMA32, VM_MANAGED.DMA32)).toEqual([8017, 10021, 12025]);
  expect(marks(ZONE_NORMAL, VM_MANAGED.Normal)).toEqual([8838, 11047, 13256]);
  expect(marks(ZONE_MOVABLE, 0)).toEqual([32, 32, 32]);
});

test('fact 53: the booted VM holds the same marks', async () => {
  const machine = await bootVm();
  try {
    expect(machine.watermarks.settings.watermarkScaleFactor).toBe(10);
    expect(marksOf(machine, 'DMA').slice(0, 3)).toEqual([39, 48, 57]);
    expect(marksOf(machine, 'DMA32').slice(0, 3)).toEqual([8017, 10021, 12025]);
    expect(marksOf(machine, 'Normal').slice(0, 3)).toEqual([8838, 11047, 13256]);
    expect(marksOf(machine, 'Movable').slice(0, 3)).toEqual([32, 32, 32]);
  } finally {
    await machine.close();
  }
});
