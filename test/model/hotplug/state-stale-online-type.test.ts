/**
 * The stale online_type quirk (drivers/base/memory.c `state_store`) end to end: a refused
 * `echo online_movable > state` on an online block still records the type,
 * and the next plain online through the `online` file uses it. Without the
 * stale type the same online picks the policy's zone.
 */
import { expect, test } from 'vitest';
import { boot, expectOk, GiB, MEMORY_DIR, readSysfs, twoNodeVm } from './helpers.js';

test('a refused online_movable write makes the next "echo 1 > online" go Movable', async () => {
  const machine = await boot(twoNodeVm()); // node 1 Normal: contig-zones would keep Normal
  try {
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 256 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 65 }, 'online'));
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/valid_zones`)).toBe('Normal\n');

    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/state`, 'online_movable')).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/state`, 'offline')).toMatchObject({ ok: true });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory65/state`, 'offline')).toMatchObject({ ok: true });
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/valid_zones`)).toBe('Normal Movable\n');

    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/online`, '1')).toMatchObject({ ok: true });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory65/online`, '1')).toMatchObject({ ok: true });
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/valid_zones`)).toBe('Movable\n');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory65/valid_zones`)).toBe('Normal\n');

    // The type was consumed: offline and online again is the policy's choice.
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/online`, '0')).toMatchObject({ ok: true });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/online`, '1')).toMatchObject({ ok: true });
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory64/valid_zones`)).toBe('Normal\n');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
