/**
 * A MachineSpec's `sysctl` settings are applied after the initcalls, in
 * order, as systemd-sysctl applies sysctl.conf: each value written with a
 * newline to its /proc/sys file, except a value the file already shows,
 * which is not written at all (so an unchanged min_free_kbytes does not
 * become the user's value). A name the model does not serve, or a value the
 * handler refuses, stops the boot with a BootError naming the setting.
 */
import { expect, test } from 'vitest';
import { BootError } from '../../../src/model/core/errors.js';
import { bootVm, GiB, readFile } from './vm.js';

test('settings take effect before anything else runs, in the order given', async () => {
  const machine = await bootVm({ sysctl: { 'vm.min_free_kbytes': '90000', 'vm.watermark_scale_factor': ' 100 ', 'vm/lowmem_reserve_ratio': '512 512 64' } });
  try {
    expect(machine.watermarks.settings).toMatchObject({ minFreeKbytes: 90_000, userMinFreeKbytes: 90_000, watermarkScaleFactor: 100 });
    expect(await readFile(machine, '/proc/sys/vm/lowmem_reserve_ratio')).toBe('512\t512\t64\t0\t0\n');
  } finally {
    await machine.close();
  }
});

test('a value the file already shows is not written: min_free_kbytes stays the kernel’s own', async () => {
  const machine = await bootVm({ sysctl: { 'vm.min_free_kbytes': '67584' } });
  try {
    expect(machine.watermarks.settings.userMinFreeKbytes).toBe(-1);
    // So THP never may lower it, which a user value would have prevented.
    await machine.sysfsWrite('/sys/kernel/mm/transparent_hugepage/enabled', 'never');
    expect(await readFile(machine, '/proc/sys/vm/min_free_kbytes')).toBe('10129\n');
  } finally {
    await machine.close();
  }
});

test('an unknown name or a refused value stops the boot', async () => {
  await expect(bootVm({ sysctl: { 'vm.swappiness': '10' } })).rejects.toThrow(BootError);
  await expect(bootVm({ sysctl: { 'vm.watermark_scale_factor': '5000' } })).rejects.toThrow(
    'sysctl.vm.watermark_scale_factor: watermark_scale_factor accepts an integer from 1 to 3000, not "5000"',
  );
  await expect(bootVm({ sysctl: { 'vm.min_free_kbytes': 4 * GiB } as unknown as Record<string, string> })).rejects.toThrow(
    'sysctl.vm.min_free_kbytes: expected the value as a string',
  );
});
