/**
 * Fact 50 and auto_online_blocks: with memhp_default_state=online hot-added
 * blocks are onlined at once with MMOP_ONLINE; a failing auto-online leaves
 * the block offline while the add still succeeds. A later write to
 * auto_online_blocks changes what the next add does.
 */
import { expect, test } from 'vitest';
import { boot, expectOk, GiB, MEMORY_DIR, readSysfs, twoNodeVm } from './helpers.js';

test('memhp_default_state=online onlines hot-added blocks; a notifier veto leaves them offline and the add ok', async () => {
  const machine = await boot(twoNodeVm('movable_node memhp_default_state=online'));
  try {
    expect(await readSysfs(machine, `${MEMORY_DIR}/auto_online_blocks`)).toBe('online\n');
    const added = await machine.addMemory({ node: 1, base: 8 * GiB, size: 512 * 2 ** 20 });
    expectOk(added);
    await machine.checkInvariants();
    expect((await machine.blocks()).filter((b) => b.id >= 64 && b.id < 68).map((b) => b.zone)).toEqual(['Movable', 'Movable', 'Movable', 'Movable']);
    expect(added.blocks?.every((b) => b.ok)).toBe(true);

    machine.injectNotifierError('MEM_GOING_ONLINE', 'ENOMEM');
    const vetoed = await machine.addMemory({ node: 1, base: 8 * GiB + 512 * 2 ** 20, size: 512 * 2 ** 20 });
    expectOk(vetoed);
    await machine.checkInvariants();
    expect(vetoed.blocks?.map((b) => b.errno)).toEqual(['ENOMEM', 'ENOMEM', 'ENOMEM', 'ENOMEM']);
    expect((await machine.blocks()).filter((b) => b.id >= 68 && b.id < 72).map((b) => b.state)).toEqual(['offline', 'offline', 'offline', 'offline']);

    // The veto cleared, a plain write to state onlines them (the recorded online type was consumed).
    machine.injectNotifierError('MEM_GOING_ONLINE', null);
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory68/online`, '1')).toMatchObject({ ok: true });
    expect((await machine.blocks()).find((b) => b.id === 68)?.zone).toBe('Movable');

    // auto_online_blocks=offline: the next add stays offline.
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/auto_online_blocks`, 'offline')).toMatchObject({ ok: true });
    expectOk(await machine.addMemory({ node: 1, base: 9 * GiB, size: 128 * 2 ** 20 }));
    expect((await machine.blocks()).find((b) => b.id === 72)?.state).toBe('offline');
    // online_kernel: the next add goes Normal although movable_node prefers Movable.
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/auto_online_blocks`, 'online_kernel')).toMatchObject({ ok: true });
    expectOk(await machine.addMemory({ node: 1, base: 9 * GiB + 128 * 2 ** 20, size: 128 * 2 ** 20 }));
    expect((await machine.blocks()).find((b) => b.id === 73)?.zone).toBe('Normal');
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
