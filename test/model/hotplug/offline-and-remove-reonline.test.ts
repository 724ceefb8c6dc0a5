/**
 * Fact 37: offline_and_remove_memory over four blocks where the third cannot
 * go offline: the first two are onlined again into their former zone kinds
 * (Normal stays Normal, Movable stays Movable), the error of the third is
 * returned, and nothing is removed: the machine looks exactly as before.
 */
import { expect, test } from 'vitest';
import { PageClass } from '../../../src/contract/constants.js';
import { BLOCK_128M_PAGES, boot, expectErrno, expectOk, GiB, observe, twoNodeVm } from './helpers.js';

test('block 3 of 4 refuses: blocks 1 and 2 come back in their zones, nothing removed', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const base = 10 * GiB;
    expectOk(await machine.addMemory({ node: 2, base, size: 512 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 80 }, 'online_kernel'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 81 }, 'online_movable'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 82 }, 'online_kernel'));
    expectOk(await machine.onlineBlocks({ firstBlockId: 83 }, 'online_movable'));
    // A slab object lives in block 82 (a kernel zone: unmovable there).
    const slabPfn = 82 * BLOCK_128M_PAGES + 7;
    await machine.shards.shardOfPfn(slabPfn)!.engine.setClass(slabPfn, slabPfn + 1, PageClass.SLAB);
    await machine.checkInvariants();
    const zonesBefore = (await machine.blocks()).filter((b) => b.id >= 80).map((b) => [b.id, b.zone]);
    expect(zonesBefore).toEqual([[80, 'Normal'], [81, 'Movable'], [82, 'Normal'], [83, 'Movable']]);

    const before = await observe(machine);
    const outcome = await machine.offlineAndRemoveMemory(base, 512 * 2 ** 20);
    expectErrno(outcome, 'EBUSY');
    expect(outcome.blocks?.map((b) => [b.id, b.ok])).toEqual([[80, true], [81, true], [82, false]]);
    await machine.checkInvariants();
    expect(await observe(machine)).toEqual(before);
    // Re-onlining costs time too.
    expect(outcome.modelledSeconds).toBeGreaterThan(0);

    // Without the slab page the whole range goes.
    await machine.shards.shardOfPfn(slabPfn)!.engine.setClass(slabPfn, slabPfn + 1, PageClass.FREE);
    expectOk(await machine.offlineAndRemoveMemory(base, 512 * 2 ** 20));
    await machine.checkInvariants();
    expect((await machine.blocks()).filter((b) => b.id >= 80)).toEqual([]);
  } finally {
    await machine.close();
  }
});
