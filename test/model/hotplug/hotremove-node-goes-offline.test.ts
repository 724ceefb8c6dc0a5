/**
 * Fact 38 and try_offline_node: removing all memory of a node that came with
 * hot-add (no CPUs, no blocks left, spanning nothing) takes the node offline
 * and its sysfs directory away. A node with boot memory (the model gives it
 * CPUs) stays online when its memory goes.
 */
import { expect, test } from 'vitest';
import { boot, expectOk, GiB, NODE_DIR, nodeOf, readSysfs, twoNodeVm } from './helpers.js';

test('node 2 (hot-added) goes offline after its last memory is removed; node 1 (boot memory) stays', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
    expectOk(await machine.onlineBlocks({ node: 2 }, 'online'));
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-2\n');

    // Half of it: the node keeps memory and stays.
    expectOk(await machine.offlineAndRemoveMemory(10 * GiB, 512 * 2 ** 20));
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-2\n');

    expectOk(await machine.offlineAndRemoveMemory(10 * GiB + 512 * 2 ** 20, 512 * 2 ** 20));
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-1\n');
    expect(await machine.sysfsList(`${NODE_DIR}/node2`)).toBeUndefined();
    expect(await nodeOf(machine, 2)).toMatchObject({ online: false, hasMemory: false, nodePresentPages: 0, nodeSpannedPages: 0 });

    // It can come back.
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-2\n');

    // Node 1: all its boot memory [6G, 8G) offlined and removed.
    expectOk(await machine.offlineAndRemoveMemory(6 * GiB, 2 * GiB));
    await machine.checkInvariants();
    expect(await nodeOf(machine, 1)).toMatchObject({ online: true, hasMemory: false, nodePresentPages: 0 });
    expect(await readSysfs(machine, `${NODE_DIR}/has_memory`)).toBe('0\n');
    expect(await readSysfs(machine, `${NODE_DIR}/online`)).toBe('0-2\n');
    expect(await machine.iomem()).not.toContain('180000000-1ffffffff');
  } finally {
    await machine.close();
  }
});
