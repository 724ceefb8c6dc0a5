/**
 * Writes the kernel refuses (proc_dointvec_minmax's parse and bounds, the
 * THP `enabled` store) fail with EINVAL and change nothing: not the file,
 * not the settings, not a mark. min_free_kbytes takes 0 to INT_MAX,
 * watermark_scale_factor 1 to 3000, each one integer in C notation followed
 * by white space or the end; `enabled` takes always, madvise or never.
 */
import { expect, test } from 'vitest';
import { bootVm, readFile, writeFile } from './vm.js';

const REFUSED: [string, string[]][] = [
  ['/proc/sys/vm/min_free_kbytes', ['-1', 'abc', '', ' ', '2147483648', '12k', '0x', '1.5', '+5', '0x1g', '99999999999999999999']],
  ['/proc/sys/vm/watermark_scale_factor', ['0', '3001', '-10', 'ten', '10,20']],
  ['/sys/kernel/mm/transparent_hugepage/enabled', ['sometimes', 'Always', 'madvise never', '[madvise]', 'always\n\n', '']],
];

test.each(REFUSED)('%s refuses bad values and keeps everything as it was', async (path, values) => {
  const machine = await bootVm();
  try {
    const before = { zoneinfo: await machine.zoneinfo(), file: await readFile(machine, path), settings: structuredClone(machine.watermarks.settings) };
    for (const value of values) {
      expect(await writeFile(machine, path, value), JSON.stringify(value)).toBe('EINVAL');
      expect(await machine.zoneinfo()).toBe(before.zoneinfo);
      expect(await readFile(machine, path)).toBe(before.file);
      expect(machine.watermarks.settings).toEqual(before.settings);
    }
  } finally {
    await machine.close();
  }
});

test('values the parse accepts: C notation, surrounding white space, text after the value', async () => {
  const machine = await bootVm();
  try {
    const accepted: [string, string][] = [
      ['0x4000', '16384\n'],
      ['010', '8\n'],
      ['  2048\t', '2048\n'],
      ['4096 and the rest is ignored', '4096\n'],
      ['-0', '0\n'],
      ['2147483647', '2147483647\n'],
    ];
    for (const [value, shown] of accepted) {
      expect(await writeFile(machine, '/proc/sys/vm/min_free_kbytes', value), JSON.stringify(value)).toBe('ok');
      expect(await readFile(machine, '/proc/sys/vm/min_free_kbytes')).toBe(shown);
    }
  } finally {
    await machine.close();
  }
});
