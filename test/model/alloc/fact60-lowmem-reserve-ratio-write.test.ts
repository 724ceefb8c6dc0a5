/**
 * Fact 60: `echo "256 256 0 0 0" > lowmem_reserve_ratio` leaves Normal with
 * no protection; a ratio below 1 (−5 for DMA) is stored as 0 and clears all
 * of DMA's protection. The write recomputes the reserves, not the marks
 * (mm/page_alloc.c lowmem_reserve_ratio_sysctl_handler,
 * setup_per_zone_lowmem_reserve).
 */
import { expect, test } from 'vitest';
import { bootVm, marksOf, protectionOf, readFile, writeFile } from './vm.js';

const RATIO = '/proc/sys/vm/lowmem_reserve_ratio';

test('fact 60: ratio 0 for Normal clears its protection; the others stay', async () => {
  const machine = await bootVm();
  try {
    // With no Movable pages Normal keeps ⌊0/32⌋ = 0 here anyway; the next test gives it some.
    expect(await writeFile(machine, RATIO, '256 256 0 0 0')).toBe('ok');
    expect(await readFile(machine, RATIO)).toBe('256\t256\t0\t0\t0\n');
    expect(protectionOf(machine, 'Normal')).toEqual([0, 0, 0, 0, 0]);
    expect(protectionOf(machine, 'DMA')).toEqual([0, 3018, 6346, 6346, 6346]);
    expect(protectionOf(machine, 'DMA32')).toEqual([0, 0, 3328, 3328, 3328]);
  } finally {
    await machine.close();
  }
});

test('fact 60: a Normal ratio of 0 also clears what it keeps against Movable', async () => {
  const machine = await bootVm();
  try {
    await machine.addMemory({ node: 0, base: 8 * 2 ** 30, size: 2 ** 30 });
    await machine.onlineBlocks({ node: 0 }, 'online_movable');
    // 262,144 Movable pages: Normal keeps ⌊262,144/32⌋ = 8192.
    expect(protectionOf(machine, 'Normal')).toEqual([0, 0, 0, 8192, 8192]);
    expect(await writeFile(machine, RATIO, '256 256 0 0 0')).toBe('ok');
    expect(protectionOf(machine, 'Normal')).toEqual([0, 0, 0, 0, 0]);
  } finally {
    await machine.close();
  }
});

test('fact 60: −5 for DMA is stored as 0 and clears all DMA protection, marks untouched', async () => {
  const machine = await bootVm();
  try {
    const marks = marksOf(machine, 'DMA');
    expect(await writeFile(machine, RATIO, '-5')).toBe('ok');
    expect(await readFile(machine, RATIO)).toBe('0\t256\t32\t0\t0\n');
    expect(protectionOf(machine, 'DMA')).toEqual([0, 0, 0, 0, 0]);
    expect(protectionOf(machine, 'DMA32')).toEqual([0, 0, 3328, 3328, 3328]);
    expect(marksOf(machine, 'DMA')).toEqual(marks);
    // DMA now counts only its high mark: totalreserve drops from 32,449 to 57 + 15,353 + 13,256.
    expect(machine.watermarks.totalreservePages).toBe(57 + 15_353 + 13_256);
  } finally {
    await machine.close();
  }
});
