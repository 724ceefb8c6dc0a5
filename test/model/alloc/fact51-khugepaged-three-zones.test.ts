/**
 * Fact 51: with THP on madvise or always, one node with DMA, DMA32 and
 * Normal populated, khugepaged raises min_free_kbytes to 512 · 3 · (2 + 9) ·
 * 4 = 67584 kB (mm/khugepaged.c set_recommended_min_free_kbytes).
 */
import { describe, expect, test } from 'vitest';
import { recommendedMinFreeKbytes } from '../../../src/model/alloc/khugepaged.js';
import { bootVm, readFile } from './vm.js';

test('fact 51: three kernel zones recommend 67584 kB when the 5 % cap is far away', () => {
  expect(recommendedMinFreeKbytes(3, 1_628_656)).toBe(67_584);
});

describe.each(['madvise', 'always'] as const)('fact 51: the VM with transparent_hugepage=%s', (mode) => {
  test('boots with min_free_kbytes 67584, raised from the square-root rule’s 10209', async () => {
    const machine = await bootVm({ cmdline: `transparent_hugepage=${mode}` });
    try {
      expect(machine.watermarks.settings.minFreeKbytes).toBe(67_584);
      expect(machine.watermarks.settings.khugepagedRunning).toBe(true);
      expect(await readFile(machine, '/proc/sys/vm/min_free_kbytes')).toBe('67584\n');
    } finally {
      await machine.close();
    }
  });
});
