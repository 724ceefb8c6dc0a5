/**
 * /sys/module/memory_hotplug/parameters: boot values from the command line,
 * writes with the kernel's parsers, refusals that leave the value alone.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { singleNodeWithPciHole } from '../../helpers/machines.js';
import { parseKernelUint } from '../../../src/model/core/kstrtox.js';

const PARAMS = '/sys/module/memory_hotplug/parameters';

async function read(machine: BootedMachine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`${path}: ${result.errno} ${result.message}`);
  return result.value;
}

describe('defaults', () => {
  let machine: BootedMachine;
  beforeAll(async () => {
    machine = await bootMachine(singleNodeWithPciHole(), { engine: 'reference' });
  });
  afterAll(() => machine?.close());

  test('N, contig-zones, 301, Y', async () => {
    expect(await read(machine, `${PARAMS}/memmap_on_memory`)).toBe('N\n');
    expect(await read(machine, `${PARAMS}/online_policy`)).toBe('contig-zones\n');
    expect(await read(machine, `${PARAMS}/auto_movable_ratio`)).toBe('301\n');
    expect(await read(machine, `${PARAMS}/auto_movable_numa_aware`)).toBe('Y\n');
    expect(await machine.sysfsList(PARAMS)).toEqual(['memmap_on_memory', 'online_policy', 'auto_movable_ratio', 'auto_movable_numa_aware']);
  });

  test('memmap_on_memory is 0444: a write fails with EACCES (root included) and the value stays', async () => {
    for (const value of ['Y', 'force', 'N']) {
      expect(await machine.sysfsWrite(`${PARAMS}/memmap_on_memory`, value)).toMatchObject({ ok: false, errno: 'EACCES' });
    }
    expect(await read(machine, `${PARAMS}/memmap_on_memory`)).toBe('N\n');
  });

  test('online_policy takes contig-zones or auto-movable, else EINVAL with the value unchanged', async () => {
    expect(await machine.sysfsWrite(`${PARAMS}/online_policy`, 'auto-movable')).toMatchObject({ ok: true });
    expect(await read(machine, `${PARAMS}/online_policy`)).toBe('auto-movable\n');
    for (const value of ['auto_movable', 'contig', 'Auto-Movable', 'auto-movable\n\n', '']) {
      expect(await machine.sysfsWrite(`${PARAMS}/online_policy`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await read(machine, `${PARAMS}/online_policy`)).toBe('auto-movable\n');
    expect(await machine.sysfsWrite(`${PARAMS}/online_policy`, 'contig-zones\n')).toMatchObject({ ok: true });
    expect(await read(machine, `${PARAMS}/online_policy`)).toBe('contig-zones\n');
  });

  test('auto_movable_ratio takes an unsigned int in C notation; bad text is EINVAL, overflow ERANGE', async () => {
    const cases: [string, string][] = [
      ['150', '150\n'],
      ['0x20', '32\n'],
      ['010', '8\n'],
      ['+7', '7\n'],
      ['0', '0\n'],
      ['4294967295', '4294967295\n'],
    ];
    for (const [value, shown] of cases) {
      expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, value)).toMatchObject({ ok: true });
      expect(await read(machine, `${PARAMS}/auto_movable_ratio`)).toBe(shown);
    }
    await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '250');
    for (const value of ['-1', 'abc', '12abc', '', '0x', '09', ' 5', '1.5']) {
      expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_ratio`, '4294967296')).toMatchObject({ ok: false, errno: 'ERANGE' });
    expect(await read(machine, `${PARAMS}/auto_movable_ratio`)).toBe('250\n');
  });

  test('auto_movable_numa_aware takes a kernel bool, else EINVAL with the value unchanged', async () => {
    expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_numa_aware`, '0')).toMatchObject({ ok: true });
    expect(await read(machine, `${PARAMS}/auto_movable_numa_aware`)).toBe('N\n');
    expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_numa_aware`, 'on')).toMatchObject({ ok: true });
    expect(await read(machine, `${PARAMS}/auto_movable_numa_aware`)).toBe('Y\n');
    for (const value of ['maybe', '2', '', 'o']) {
      expect(await machine.sysfsWrite(`${PARAMS}/auto_movable_numa_aware`, value)).toMatchObject({ ok: false, errno: 'EINVAL' });
    }
    expect(await read(machine, `${PARAMS}/auto_movable_numa_aware`)).toBe('Y\n');
  });

  test('a missing parameter is ENOENT', async () => {
    expect(await machine.sysfsRead(`${PARAMS}/movable_node`)).toMatchObject({ ok: false, errno: 'ENOENT' });
  });
});

test('boot values come from the command line', async () => {
  const machine = await bootMachine(
    singleNodeWithPciHole({
      cmdline:
        'memory_hotplug.memmap_on_memory=force memory_hotplug.online_policy=auto-movable memory_hotplug.auto_movable_ratio=200 memory_hotplug.auto_movable_numa_aware=N',
    }),
    { engine: 'reference' },
  );
  try {
    expect(await read(machine, `${PARAMS}/memmap_on_memory`)).toBe('force\n');
    expect(await read(machine, `${PARAMS}/online_policy`)).toBe('auto-movable\n');
    expect(await read(machine, `${PARAMS}/auto_movable_ratio`)).toBe('200\n');
    expect(await read(machine, `${PARAMS}/auto_movable_numa_aware`)).toBe('N\n');
    expect(machine.unknownParams).toEqual([]);
  } finally {
    await machine.close();
  }
});

test('memmap_on_memory=Y reads "Y\\n"; unknown parameters are kept verbatim with a warning', async () => {
  const machine = await bootMachine(singleNodeWithPciHole({ cmdline: 'memory_hotplug.memmap_on_memory=1 quiet foo=bar' }), {
    engine: 'reference',
  });
  try {
    expect(await read(machine, `${PARAMS}/memmap_on_memory`)).toBe('Y\n');
    expect(machine.unknownParams).toEqual(['quiet', 'foo=bar']);
    expect(machine.warnings.some((w) => w.includes('quiet foo=bar'))).toBe(true);
  } finally {
    await machine.close();
  }
});

test('kstrtouint corner cases', () => {
  expect(parseKernelUint('301\n')).toEqual({ ok: true, value: 301 });
  expect(parseKernelUint('0X1f')).toEqual({ ok: true, value: 31 });
  expect(parseKernelUint('0xg')).toEqual({ ok: false, errno: 'EINVAL' });
  expect(parseKernelUint('00')).toEqual({ ok: true, value: 0 });
  expect(parseKernelUint('99999999999999999999999')).toEqual({ ok: false, errno: 'ERANGE' });
  expect(parseKernelUint('1\n\n')).toEqual({ ok: false, errno: 'EINVAL' });
});
