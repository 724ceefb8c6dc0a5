/**
 * hugepage_init (mm/huge_memory.c) turns THP off on a machine with less
 * than 512 MiB of RAM, whatever the command line asked, and starts no
 * khugepaged: min_free_kbytes stays the square-root rule's. Writing
 * `enabled` later starts khugepaged and raises it.
 */
import { expect, test } from 'vitest';
import { bootMachine } from '../../helpers/boot.js';
import { baseMinFreeKbytes } from '../../../src/model/alloc/watermarks.js';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { readFile, writeFile } from './vm.js';

const MiB = 2 ** 20;

function smallVm(megabytes: number): MachineSpec {
  return {
    e820: [{ base: 0, size: megabytes * MiB, type: 'usable' }],
    srat: null,
    reservations: [],
    blockSize: 'auto',
    hypervisor: true,
    slit: null,
    cmdline: 'transparent_hugepage=always',
  };
}

test('a 448 MiB VM boots with THP never and the base min_free_kbytes', async () => {
  const machine = await bootMachine(smallVm(448), { engine: 'reference' });
  try {
    expect(await readFile(machine, '/sys/kernel/mm/transparent_hugepage/enabled')).toBe('always madvise [never]\n');
    expect(machine.watermarks.settings.khugepagedRunning).toBe(false);
    const dma = machine.node(0)?.zones[0].managedPages ?? 0;
    const dma32 = machine.node(0)?.zones[1].managedPages ?? 0;
    expect(machine.watermarks.settings.minFreeKbytes).toBe(baseMinFreeKbytes(dma + dma32));

    expect(await writeFile(machine, '/sys/kernel/mm/transparent_hugepage/enabled', 'madvise')).toBe('ok');
    expect(machine.watermarks.settings.khugepagedRunning).toBe(true);
    // Two kernel zones: 45056 kB wanted, but capped at 5 % of lowmem.
    expect(machine.watermarks.settings.minFreeKbytes).toBeGreaterThan(baseMinFreeKbytes(dma + dma32));
  } finally {
    await machine.close();
  }
});

test('a 1 GiB VM keeps the command line’s mode and starts khugepaged', async () => {
  const machine = await bootMachine(smallVm(1024), { engine: 'reference' });
  try {
    expect(await readFile(machine, '/sys/kernel/mm/transparent_hugepage/enabled')).toBe('[always] madvise never\n');
    expect(machine.watermarks.settings.khugepagedRunning).toBe(true);
  } finally {
    await machine.close();
  }
});
