/**
 * Fact 58: the VM's base min_free_kbytes, before khugepaged, is
 * ⌊√(1,628,656 · 64)⌋ = 10209 kB (every high mark still 0). Writing `never`
 * to THP `enabled` later stops khugepaged and recomputes the base with the
 * high marks subtracted: ⌊√(1,603,318 · 64)⌋ = 10129 kB — lower than
 * khugepaged's 67584 (mm/page_alloc.c calculate_min_free_kbytes,
 * nr_free_buffer_pages; mm/khugepaged.c set_recommended_min_free_kbytes).
 */
import { expect, test } from 'vitest';
import { baseMinFreeKbytes } from '../../../src/model/alloc/watermarks.js';
import { bootVm, readFile, VM_MANAGED, writeFile } from './vm.js';

const THP_ENABLED = '/sys/kernel/mm/transparent_hugepage/enabled';

test('fact 58: the square-root rule on the VM’s lowmem gives 10209 kB at boot', () => {
  expect(baseMinFreeKbytes(VM_MANAGED.DMA + VM_MANAGED.DMA32 + VM_MANAGED.Normal)).toBe(10_209);
});

test('fact 58: THP never after boot lowers min_free_kbytes to 10129 and stops khugepaged', async () => {
  const machine = await bootVm();
  try {
    expect(await readFile(machine, '/proc/sys/vm/min_free_kbytes')).toBe('67584\n');
    expect(await writeFile(machine, THP_ENABLED, 'never')).toBe('ok');
    // 1,628,656 managed minus the high marks 57 + 12,025 + 13,256.
    expect(baseMinFreeKbytes(1_603_318)).toBe(10_129);
    expect(await readFile(machine, '/proc/sys/vm/min_free_kbytes')).toBe('10129\n');
    expect(machine.watermarks.settings.khugepagedRunning).toBe(false);
    expect(await readFile(machine, THP_ENABLED)).toBe('always madvise [never]\n');
  } finally {
    await machine.close();
  }
});

test('fact 58: booting with THP never also ends on a recomputed base (hugepage_init still runs the step)', async () => {
  // init_per_zone_wmark_min sets 10209 and marks from it (high 12, 2755,
  // 3036); hugepage_init's step then recomputes on 1,628,656 − 5,803 pages.
  const machine = await bootVm({ cmdline: 'transparent_hugepage=never' });
  try {
    expect(machine.watermarks.settings.minFreeKbytes).toBe(baseMinFreeKbytes(1_622_853));
    expect(machine.watermarks.settings.minFreeKbytes).toBe(10_191);
  } finally {
    await machine.close();
  }
});
