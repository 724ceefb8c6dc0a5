/**
 * While an offline runs the block's state reads "going-offline" (and its
 * online file still reads 1, the device core's view), whether the offline
 * was started by a sysfs write or by the API. Other lifecycle calls wait
 * for it (device_hotplug_lock); reads do not.
 */
import { expect, test } from 'vitest';
import { boot, expectOk, GiB, MEMORY_DIR, readSysfs, twoNodeVm } from './helpers.js';

test('echo offline > state, read before it completes: going-offline; afterwards offline', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    // User pages to migrate, so the offline has real work.
    expectOk(await machine.alloc({ kind: 'user', size: 64 * 2 ** 20, node: 1 }));
    const write = machine.sysfsWrite(`${MEMORY_DIR}/memory48/state`, 'offline');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/state`)).toBe('going-offline\n');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/online`)).toBe('1\n');
    expect((await machine.blocks()).find((b) => b.id === 48)).toMatchObject({ state: 'going-offline', zone: 'Movable' });
    // A second request queues behind the running one and sees its result.
    const second = machine.sysfsWrite(`${MEMORY_DIR}/memory48/state`, 'offline');
    expect(await write).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/state`)).toBe('offline\n');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});

test('offlineBlocks started without awaiting: the first block reads going-offline; checkInvariants waits for the end', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const offline = machine.offlineBlocks({ firstBlockId: 60, lastBlockId: 63 });
    // Highest first, as chmem -d does.
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory63/state`)).toBe('going-offline\n');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory60/state`)).toBe('online\n');
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory60/state`)).toBe('offline\n');
    expectOk(await offline);
  } finally {
    await machine.close();
  }
});

test('a failed offline (EBUSY) shows going-offline only while it runs, then online again', async () => {
  const machine = await boot(twoNodeVm());
  try {
    expectOk(await machine.alloc({ kind: 'slab', size: 4096, node: 1 }));
    const write = machine.sysfsWrite(`${MEMORY_DIR}/memory48/state`, 'offline');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/state`)).toBe('going-offline\n');
    expect(await write).toMatchObject({ ok: false, errno: 'EBUSY' });
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory48/state`)).toBe('online\n');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
