/**
 * memory-notifier-error-inject: while MEM_GOING_ONLINE carries an errno
 * every online fails with it, and while MEM_GOING_OFFLINE does every offline
 * that got past isolation fails with it; either way the machine is exactly
 * as before (isolation undone). Clearing the injection (null) restores
 * normal behaviour. Bad arguments throw, naming the argument.
 */
import { expect, test } from 'vitest';
import { boot, expectErrno, expectOk, GiB, MEMORY_DIR, observe, twoNodeVm } from './helpers.js';

test('injected errnos fail the transitions and change nothing', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.addMemory({ node: 1, base: 8 * GiB, size: 512 * 2 ** 20 }));
    expectOk(await machine.alloc({ kind: 'user', size: 32 * 2 ** 20, node: 1 }));

    machine.injectNotifierError('MEM_GOING_ONLINE', 'ENOMEM');
    let before = await observe(machine);
    expectErrno(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 67 }, 'online_movable'), 'ENOMEM');
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/state`, 'online')).toMatchObject({ ok: false, errno: 'ENOMEM' });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/online`, '1')).toMatchObject({ ok: false, errno: 'ENOMEM' });
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);

    machine.injectNotifierError('MEM_GOING_ONLINE', null);
    expectOk(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 67 }, 'online_movable'));

    machine.injectNotifierError('MEM_GOING_OFFLINE', 'EPERM');
    before = await observe(machine);
    // Block 48 holds user pages: the veto comes before any migration.
    const vetoed = await machine.offlineBlocks({ firstBlockId: 48 });
    expectErrno(vetoed, 'EPERM');
    expect(vetoed.migratedPages).toBe(0);
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/state`, 'offline')).toMatchObject({ ok: false, errno: 'EPERM' });
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);

    machine.injectNotifierError('MEM_GOING_OFFLINE', null);
    expectOk(await machine.offlineBlocks({ firstBlockId: 48 }));
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});

test('bad injection arguments throw and name the argument', async () => {
  const machine = await boot(twoNodeVm());
  try {
    expect(() => machine.injectNotifierError('MEM_ONLINE' as never, 'ENOMEM')).toThrow(/action/);
    expect(() => machine.injectNotifierError('MEM_GOING_OFFLINE', 'nope' as never)).toThrow(/errno/);
  } finally {
    await machine.close();
  }
});
