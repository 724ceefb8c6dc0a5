/**
 * An offline whose pages have nowhere to go never finishes in the kernel; the
 * model gives up after its retry budget with EINTR, as a signal would end
 * it (fact 33), with reason "no migration target". The block stays online,
 * isolation is undone and its pages are where they were.
 */
import { expect, test } from 'vitest';
import { PAGEBLOCK_ISOLATE, PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, countClass, expectErrno, expectOk, fillWithPageCache, GiB, MEMORY_DIR, observe, readSysfs, twoNodeVm } from './helpers.js';

const BASE = 10 * GiB;
const BLOCK_ID = 80;
const START_PFN = BASE / 4096;
const END_PFN = START_PFN + BLOCK_128M_PAGES;

test('a Movable block with user pages while every other node is full: EINTR after the retry budget', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    // Fill nodes 0 and 1 with page cache down to their min marks, before node
    // 2 has memory for it to spill into. Page cache is movable memory without
    // page tables to place.
    for (const nid of [1, 0]) await fillWithPageCache(machine, nid);
    expectOk(await machine.addMemory({ node: 2, base: BASE, size: 128 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_movable'));
    expectOk(await machine.alloc({ kind: 'file', size: 1000 * 4096, node: 2 }));
    await machine.checkInvariants();
    expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(1000);

    machine.setOfflineRetryBudget(5);
    const before = await observe(machine);
    const outcome = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectErrno(outcome, 'EINTR');
    expect(outcome.reason).toBe('no migration target');
    expect(outcome.retries).toBe(5);
    expect(outcome.migratedPages).toBe(0);
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/state`)).toBe('online\n');
    const shard = machine.shards.shardOfPfn(START_PFN)!;
    expect(await shard.engine.countPageblocks(START_PFN, END_PFN, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(0);

    // Room for half of them: those migrate, the rest stay, still EINTR.
    expectOk(await machine.free({ kind: 'file', size: 500 * 4096, node: 1, seed: 3 }));
    const partial = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectErrno(partial, 'EINTR');
    expect(partial.migratedPages).toBe(500);
    expect(partial.migratedByNode).toEqual({ 1: 500 });
    await machine.checkInvariants();
    expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(500);

    // Room for the rest: the offline completes.
    expectOk(await machine.free({ kind: 'file', size: 500 * 4096, node: 0, seed: 4 }));
    const done = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectOk(done);
    expect(done.migratedByNode).toEqual({ 0: 500 });
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});

test('a budget of 0 gives up after the first pass', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    for (const nid of [1, 0]) await fillWithPageCache(machine, nid);
    expectOk(await machine.addMemory({ node: 2, base: BASE, size: 128 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_movable'));
    expectOk(await machine.alloc({ kind: 'file', size: 4096, node: 2 }));
    machine.setOfflineRetryBudget(0);
    const outcome = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectErrno(outcome, 'EINTR');
    expect(outcome).toMatchObject({ retries: 0, reason: 'no migration target' });
    expect(() => machine.setOfflineRetryBudget(-1)).toThrow(/retries/);
    expect(() => machine.setOfflineRetryBudget(1.5)).toThrow(/retries/);
  } finally {
    await machine.close();
  }
});
