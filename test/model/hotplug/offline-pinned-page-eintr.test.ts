/**
 * Fact 33: a long-term pinned page in a ZONE_MOVABLE block passes isolation
 * (everything but reserved memory counts as movable there) but never
 * migrates, so the offline retries until it is interrupted: EINTR with
 * reason "pinned page". The user pages around it do migrate meanwhile, as in
 * the kernel, and stay migrated.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, countClass, expectErrno, expectOk, GiB, MEMORY_DIR, readSysfs, twoNodeVm } from './helpers.js';

test('a pinned page in a Movable block: EINTR "pinned page"; the other user pages have migrated', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    const startPfn = (10 * GiB) / 4096;
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 128 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 80 }, 'online_movable'));
    expectOk(await machine.alloc({ kind: 'user', size: 64 * 4096, node: 2 }));
    // A user page gets long-term pinned in place (as FOLL_LONGTERM would find it).
    const shard = machine.shards.shardOfPfn(startPfn)!;
    await shard.engine.setClass(startPfn + 10, startPfn + 11, PageClass.PINNED);
    await machine.checkInvariants();

    machine.setOfflineRetryBudget(3);
    const outcome = await machine.offlineBlocks({ firstBlockId: 80 });
    expectErrno(outcome, 'EINTR');
    expect(outcome.reason).toBe('pinned page');
    expect(outcome.retries).toBe(3);
    expect(outcome.migratedPages).toBe(63);
    expect(Object.keys(outcome.migratedByNode)).not.toContain('2');
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory80/state`)).toBe('online\n');
    expect(await countClass(machine, startPfn, startPfn + BLOCK_128M_PAGES, PageClass.USER)).toBe(0);
    expect(await countClass(machine, startPfn, startPfn + BLOCK_128M_PAGES, PageClass.PINNED)).toBe(1);
  } finally {
    await machine.close();
  }
});

test('a pinned page in a kernel-zone block is unmovable: EBUSY at isolation', async () => {
  const machine = await boot(twoNodeVm());
  try {
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 128 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 80 }, 'online_kernel'));
    expectOk(await machine.alloc({ kind: 'pinned', size: 4096, node: 2 }));
    const outcome = await machine.offlineBlocks({ firstBlockId: 80 });
    expectErrno(outcome, 'EBUSY');
    expect(outcome.retries).toBe(0);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
