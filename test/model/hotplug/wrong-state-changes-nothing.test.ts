/**
 * Requests in the wrong state get the kernel's errno and change nothing
 * (facts 9, 10, 11, 31): every observable (counters with engine recounts,
 * blocks, every block's sysfs files, node masks, /proc/iomem, groups, page
 * class totals) is compared before and after.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { BootedMachine } from '../../../src/model/machine.js';
import { boot, expectErrno, expectOk, GiB, MEMORY_DIR, observe, twoNodeVm } from './helpers.js';

let machine: BootedMachine;
const SLOT = 8 * GiB; // memory64-71 once added

beforeAll(async () => {
  machine = await boot(twoNodeVm('movable_node'));
  expectOk(await machine.addMemory({ node: 1, base: SLOT, size: 1 * GiB }));
  // Half of the new device online, half offline.
  expectOk(await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 67 }, 'online'));
  await machine.checkInvariants();
});
afterAll(() => machine?.close());

async function unchanged(action: () => Promise<void>): Promise<void> {
  const before = await observe(machine);
  await action();
  await machine.checkInvariants();
  expect(await observe(machine)).toEqual(before);
}

test('fact 9: echo offline > state on the "none" block memory0 is EINVAL', async () => {
  await unchanged(async () => {
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory0/state`, 'offline')).toMatchObject({ ok: false, errno: 'EINVAL' });
    expectErrno(await machine.offlineBlocks({ firstBlockId: 0 }), 'EINVAL');
  });
});

test('fact 10: online on an online block: state write EINVAL, online write a no-op success', async () => {
  await unchanged(async () => {
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/state`, 'online_kernel')).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory64/online`, '1')).toMatchObject({ ok: true });
  });
});

test('fact 11: offline on an offline block: state write EINVAL, online write 0 a no-op success', async () => {
  await unchanged(async () => {
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory70/state`, 'offline')).toMatchObject({ ok: false, errno: 'EINVAL' });
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory70/online`, '0')).toMatchObject({ ok: true });
  });
});

test('fact 31: remove_memory over a range with online blocks is EBUSY and removes nothing', async () => {
  await unchanged(async () => {
    expectErrno(await machine.removeMemory(SLOT, 1 * GiB), 'EBUSY');
    // One online block is enough to refuse, even at the end of the range.
    expectErrno(await machine.removeMemory(SLOT + 512 * 2 ** 20 - 128 * 2 ** 20, 128 * 2 ** 20), 'EBUSY');
    // Boot memory that is online.
    expectErrno(await machine.removeMemory(6 * GiB, 1 * GiB), 'EBUSY');
  });
});

test('removal ranges that are not whole blocks or not all memory are EINVAL', async () => {
  await unchanged(async () => {
    expectErrno(await machine.removeMemory(SLOT + 512 * 2 ** 20, 0), 'EINVAL');
    expectErrno(await machine.removeMemory(SLOT + 512 * 2 ** 20 + 4096, 128 * 2 ** 20), 'EINVAL');
    // [9G, 10G) was never added.
    expectErrno(await machine.removeMemory(SLOT + 512 * 2 ** 20, 1 * GiB), 'EINVAL');
    expectErrno(await machine.offlineAndRemoveMemory(9 * GiB, 1 * GiB), 'EINVAL');
  });
});
