/**
 * A boot block with a hole in it (firmware left part of it out of the memory
 * map) has a single zone, so valid_zones names it, but offline_pages refuses
 * it with EINVAL ("memory holes") before isolating anything; the block and
 * every counter stay as they were.
 */
import { expect, test } from 'vitest';
import type { MachineSpec } from '../../../src/model/core/types.js';
import { boot, expectErrno, GiB, MEMORY_DIR, MiB, observe, readSysfs } from './helpers.js';

const SPEC: MachineSpec = {
  e820: [
    { base: 0, size: 2 * GiB, type: 'usable' },
    { base: 2 * GiB, size: 2 * GiB, type: 'reserved' },
    { base: 4 * GiB, size: 64 * MiB, type: 'usable' },
    { base: 4 * GiB + 96 * MiB, size: 2 * GiB - 96 * MiB, type: 'usable' },
  ],
  srat: null,
  reservations: [],
  blockSize: 'auto',
  hypervisor: true,
  slit: null,
  cmdline: '',
};

test('offline of a Normal block with a 32 MiB hole is EINVAL and changes nothing', async () => {
  const machine = await boot(SPEC);
  try {
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory32/valid_zones`)).toBe('Normal\n');
    const before = await observe(machine);
    const outcome = await machine.offlineBlocks({ firstBlockId: 32 });
    expectErrno(outcome, 'EINVAL');
    expect(outcome.message).toMatch(/holes/);
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory32/state`, 'offline')).toMatchObject({ ok: false, errno: 'EINVAL' });
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);
    // Its neighbour, whole, goes offline.
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory33/state`, 'offline')).toMatchObject({ ok: true });
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
