/**
 * A hot-add beyond every boot shard window gets a shard of its own; a
 * removal leaves the window, and a later add reuses it. Windows stay
 * disjoint and sorted.
 */
import { expect, test } from 'vitest';
import { boot, expectOk, GiB, twoNodeVm } from './helpers.js';

test('new windows cover exactly the uncovered sections of an add', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const windows = () => machine.shards.shards.map((s) => [s.startPfn, s.endPfn, s.index]);
    const atBoot = windows();
    expect(machine.shards.shardOfPfn((10 * GiB) / 4096)).toBeUndefined();

    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
    // Movable, so the next add's memmap (kernel memory) cannot land in it.
    expectOk(await machine.onlineBlocks({ node: 2 }, 'online_movable'));
    await machine.checkInvariants();
    const afterAdd = windows();
    expect(afterAdd.length).toBe(atBoot.length + 1);
    expect(afterAdd.at(-1)).toEqual([(10 * GiB) / 4096, (11 * GiB) / 4096, atBoot.length]);

    // A second add right after it: only the new part gets a window.
    expectOk(await machine.addMemory({ node: 2, base: 11 * GiB, size: 512 * 2 ** 20 }));
    const afterSecond = windows();
    expect(afterSecond.length).toBe(atBoot.length + 2);
    expect(afterSecond.at(-1)?.slice(0, 2)).toEqual([(11 * GiB) / 4096, (11 * GiB + 512 * 2 ** 20) / 4096]);
    for (let i = 1; i < afterSecond.length; i++) expect(afterSecond[i][0]).toBeGreaterThanOrEqual(afterSecond[i - 1][1]);

    expectOk(await machine.offlineAndRemoveMemory(10 * GiB, 1 * GiB));
    expect(windows()).toEqual(afterSecond);
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 1 * GiB }));
    expect(windows()).toEqual(afterSecond);
    await machine.checkInvariants();
  } finally {
    await machine.close();
  }
});
