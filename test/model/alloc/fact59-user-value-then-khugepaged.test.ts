/**
 * Fact 59: `echo 20000 > min_free_kbytes` on the VM keeps 20000 (the user's
 * value; only the marks follow). The next memory online recomputes the base,
 * keeps the user's 20000 with a warning, then khugepaged raises it to 67584
 * and logs "raising min_free_kbytes from 20000 to 67584"; a THP write raises
 * it directly (mm/page_alloc.c init_per_zone_wmark_min,
 * calculate_min_free_kbytes; mm/khugepaged.c set_recommended_min_free_kbytes).
 */
import { expect, test } from 'vitest';
import { bootVm, GiB, marksOf, readFile, writeFile } from './vm.js';

const MIN_FREE = '/proc/sys/vm/min_free_kbytes';

test('fact 59: a written min_free_kbytes stays until the next online, where khugepaged raises it', async () => {
  const machine = await bootVm();
  try {
    expect(await writeFile(machine, MIN_FREE, '20000')).toBe('ok');
    expect(await readFile(machine, MIN_FREE)).toBe('20000\n');
    expect(machine.watermarks.settings.userMinFreeKbytes).toBe(20_000);
    // pages_min 5000: Normal's share ⌊5000 · 851,968 / 1,628,656⌋ = 2615.
    expect(marksOf(machine, 'Normal')[0]).toBe(2615);

    expect((await machine.addMemory({ node: 0, base: 8 * GiB, size: 128 * 2 ** 20 })).ok).toBe(true);
    expect(machine.watermarks.settings.minFreeKbytes).toBe(20_000);
    expect((await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 64 }, 'online_movable')).ok).toBe(true);

    expect(await readFile(machine, MIN_FREE)).toBe('67584\n');
    const log = machine.watermarks.log;
    expect(log.some((line) => /^min_free_kbytes is not updated to \d+ because user defined value 20000 is preferred$/.test(line))).toBe(true);
    expect(log).toContain('raising min_free_kbytes from 20000 to 67584 to help transparent hugepage allocations');
    expect(marksOf(machine, 'Normal')[0]).toBe(8838);
  } finally {
    await machine.close();
  }
});

test('fact 59: a THP write raises a smaller user value at once', async () => {
  const machine = await bootVm();
  try {
    expect(await writeFile(machine, MIN_FREE, '20000')).toBe('ok');
    expect(await writeFile(machine, '/sys/kernel/mm/transparent_hugepage/enabled', 'madvise')).toBe('ok');
    expect(await readFile(machine, MIN_FREE)).toBe('67584\n');
    expect(machine.watermarks.log).toEqual(['raising min_free_kbytes from 20000 to 67584 to help transparent hugepage allocations']);
  } finally {
    await machine.close();
  }
});

test('fact 59: a user value above the recommendation survives onlines', async () => {
  const machine = await bootVm();
  try {
    expect(await writeFile(machine, MIN_FREE, '100000')).toBe('ok');
    await machine.addMemory({ node: 0, base: 8 * GiB, size: 128 * 2 ** 20 });
    await machine.onlineBlocks({ node: 0 }, 'online_movable');
    expect(await readFile(machine, MIN_FREE)).toBe('100000\n');
    expect(machine.watermarks.log.filter((line) => line.startsWith('raising'))).toEqual([]);
  } finally {
    await machine.close();
  }
});
