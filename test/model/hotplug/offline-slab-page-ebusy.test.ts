/**
 * Fact 32: offlining a Normal-zone block that holds one slab page fails with
 * EBUSY at isolation, fast: no page migrates and no retry runs, and the
 * block's user pages stay where they are. Once the slab page is freed the
 * same offline migrates the user pages to other nodes' kernel zones (fact 36).
 */
import { expect, test } from 'vitest';
import { PAGEBLOCK_ISOLATE, PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, countClass, expectErrno, expectOk, GiB, MEMORY_DIR, migratedTotal, readSysfs, twoNodeVm } from './helpers.js';

const BASE = 10 * GiB; // node 2's slot: memory80
const BLOCK_ID = 80;
const START_PFN = BASE / 4096;
const END_PFN = START_PFN + BLOCK_128M_PAGES;
const USER_PAGES = 256;

test('one slab page makes a Normal block EBUSY without migrating anything', async () => {
  const machine = await boot(twoNodeVm());
  try {
    expectOk(await machine.addMemory({ node: 2, base: BASE, size: 128 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: BLOCK_ID }, 'online_kernel'));
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/valid_zones`)).toBe('Normal\n');
    // Node 2's only memory is this block, so both allocations land in it.
    // Page cache, not anon: unmapped, it brings no page tables of its own
    // into the block, so the slab page is its only unmovable page.
    expectOk(await machine.alloc({ kind: 'file', size: USER_PAGES * 4096, node: 2 }));
    expectOk(await machine.alloc({ kind: 'slab', size: 4096, node: 2 }));
    await machine.checkInvariants();
    expect(await countClass(machine, START_PFN, END_PFN, PageClass.SLAB)).toBe(1);

    const refused = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectErrno(refused, 'EBUSY');
    expect(refused.message).toMatch(/unmovable SLAB page/);
    expect(refused.migratedPages).toBe(0);
    expect(refused.migratedByNode).toEqual({});
    expect(refused.retries).toBe(0);
    expect(refused.modelledSeconds).toBe(0);
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory${BLOCK_ID}/state`)).toBe('online\n');
    expect(await countClass(machine, START_PFN, END_PFN, PageClass.USER)).toBe(USER_PAGES);
    const shard = machine.shards.shardOfPfn(START_PFN)!;
    expect(await shard.engine.countPageblocks(START_PFN, END_PFN, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(0);

    // The same through sysfs.
    expect(await machine.sysfsWrite(`${MEMORY_DIR}/memory${BLOCK_ID}/state`, 'offline')).toMatchObject({ ok: false, errno: 'EBUSY' });

    expectOk(await machine.free({ kind: 'slab', size: 4096, node: 2 }));
    const done = await machine.offlineBlocks({ firstBlockId: BLOCK_ID });
    expectOk(done);
    await machine.checkInvariants();
    expect(done.migratedPages).toBe(USER_PAGES);
    expect(migratedTotal(done)).toBe(USER_PAGES);
    // From a Normal block only kernel zones of other nodes are targets; node 0 comes first.
    expect(done.migratedByNode).toEqual({ 0: USER_PAGES });
    expect(await countClass(machine, 0, (8 * GiB) / 4096, PageClass.USER)).toBe(USER_PAGES);
  } finally {
    await machine.close();
  }
});
