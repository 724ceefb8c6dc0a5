/**
 * Every lifecycle call reports modelled seconds from the cost model: an
 * online charges memmap init for the block and the buddy hand-over for the
 * pages that reach the buddy, an offline the migration copy of its pages,
 * add and remove nothing (no sourced figure).
 */
import { expect, test } from 'vitest';
import { DEFAULT_COST_PARAMS } from '../../../src/model/core/cost.js';
import { BLOCK_128M_PAGES, boot, expectOk, GiB, twoNodeVm } from './helpers.js';

const PAGE = 4096;
const { migrationBytesPerSecond4k, memmapInitSecondsPer256GiB, onlineSecondsPer256MiB } = DEFAULT_COST_PARAMS;

test('online, offline with migration, add and remove report the cost model time', async () => {
  const machine = await boot(twoNodeVm('movable_node memory_hotplug.memmap_on_memory=Y'));
  try {
    const add = await machine.addMemory({ node: 1, base: 8 * GiB, size: 512 * 2 ** 20, memmapOnMemory: true });
    expectOk(add);
    expect(add.modelledSeconds).toBe(0);

    const online = await machine.onlineBlocks({ firstBlockId: 64, lastBlockId: 67 }, 'online_movable');
    expectOk(online);
    const blockBytes = BLOCK_128M_PAGES * PAGE;
    const perBlock = (blockBytes / 2 ** 38) * memmapInitSecondsPer256GiB + (((BLOCK_128M_PAGES - 512) * PAGE) / 2 ** 28) * onlineSecondsPer256MiB;
    expect(online.modelledSeconds).toBeCloseTo(4 * perBlock, 12);

    // 10,000 user pages in block 48 migrate elsewhere at the 4 KiB copy rate.
    expectOk(await machine.alloc({ kind: 'user', size: 10_000 * PAGE, node: 1 }));
    const offline = await machine.offlineBlocks({ firstBlockId: 48 });
    expectOk(offline);
    expect(offline.migratedPages).toBe(10_000);
    expect(offline.modelledSeconds).toBeCloseTo((10_000 * PAGE) / migrationBytesPerSecond4k, 12);

    // An offline of free memory moves nothing and costs nothing.
    const empty = await machine.offlineBlocks({ firstBlockId: 67 });
    expect(empty.modelledSeconds).toBe(0);

    const removed = await machine.removeMemory(8 * GiB + 3 * 128 * 2 ** 20, 128 * 2 ** 20);
    expectOk(removed);
    expect(removed.modelledSeconds).toBe(0);
  } finally {
    await machine.close();
  }
});
