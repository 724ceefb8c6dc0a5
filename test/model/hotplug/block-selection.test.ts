/**
 * onlineBlocks / offlineBlocks selections: inclusive block ids, every block
 * of a node, or both; online goes up, offline comes down (as chmem does),
 * blocks already in the wanted state are skipped as done, every block is
 * tried and the call is ok only if all succeeded. Malformed selections and
 * types are EINVAL and touch nothing.
 */
import { expect, test } from 'vitest';
import { boot, expectErrno, expectOk, GiB, observe, twoNodeVm } from './helpers.js';

test('order, skipping, and per-block results', async () => {
  const machine = await boot(twoNodeVm());
  try {
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 512 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ firstBlockId: 81 }, 'online_kernel'));
    const online = await machine.onlineBlocks({ node: 2 }, 'online_movable');
    expectOk(online);
    expect(online.blocks?.map((b) => b.id)).toEqual([80, 81, 82, 83]);
    expect(online.blocks?.find((b) => b.id === 81)?.message).toMatch(/already online/);
    expect((await machine.blocks()).filter((b) => b.id >= 80).map((b) => b.zone)).toEqual(['Movable', 'Normal', 'Movable', 'Movable']);

    // A slab page in block 81 (Normal): every other block still goes offline.
    expectOk(await machine.alloc({ kind: 'slab', size: 4096, node: 2 }));
    const offline = await machine.offlineBlocks({ firstBlockId: 79, lastBlockId: 83 });
    expectErrno(offline, 'EBUSY');
    expect(offline.blocks?.map((b) => [b.id, b.ok])).toEqual([[83, true], [82, true], [81, false], [80, true]]);
    await machine.checkInvariants();

    // Node and id range together: only that node's blocks within the ids.
    const both = await machine.offlineBlocks({ node: 1, firstBlockId: 60, lastBlockId: 90 });
    expect(both.blocks?.map((b) => b.id)).toEqual([63, 62, 61, 60]);
  } finally {
    await machine.close();
  }
});

test('bad selections and types are EINVAL and change nothing', async () => {
  const machine = await boot(twoNodeVm());
  try {
    const before = await observe(machine);
    expectErrno(await machine.onlineBlocks({}, 'online'), 'EINVAL');
    expectErrno(await machine.onlineBlocks({ firstBlockId: 5, lastBlockId: 4 }, 'online'), 'EINVAL');
    expectErrno(await machine.onlineBlocks({ firstBlockId: -1 }, 'online'), 'EINVAL');
    expectErrno(await machine.onlineBlocks({ lastBlockId: 3 }, 'online'), 'EINVAL');
    expectErrno(await machine.onlineBlocks({ firstBlockId: 20, lastBlockId: 30 }, 'online'), 'EINVAL'); // the PCI hole: no blocks
    expectErrno(await machine.onlineBlocks({ firstBlockId: 40 }, 'offline' as never), 'EINVAL');
    expectErrno(await machine.offlineBlocks({ node: 9 }), 'EINVAL');
    expectErrno(await machine.alloc({ kind: 'dma' as never, size: 4096, node: 0 }), 'EINVAL');
    expectErrno(await machine.alloc({ kind: 'user', size: 0, node: 0 }), 'EINVAL');
    expectErrno(await machine.alloc({ kind: 'user', size: 4096, node: 5 }), 'EINVAL');
    expectErrno(await machine.free({ kind: 'user', size: 4096, node: 0, seed: 1.5 }), 'EINVAL');
    expect(await observe(machine)).toEqual(before);
  } finally {
    await machine.close();
  }
});
