/**
 * Fact 34: a successful offline leaves the block offline with no zone, its
 * sections without the ONLINE flag, valid_zones back to the candidate list,
 * and the node without N_MEMORY once its last memory went.
 */
import { expect, test } from 'vitest';
import { SECTION_WORD_ZONE_SHIFT, SectionFlag } from '../../../src/contract/constants.js';
import { boot, expectOk, GiB, MEMORY_DIR, nodeOf, readSysfs, twoNodeVm } from './helpers.js';

test('offline clears ONLINE on the sections, the zone, and N_MEMORY with the last block', async () => {
  const machine = await boot(twoNodeVm('movable_node'));
  try {
    expectOk(await machine.addMemory({ node: 2, base: 10 * GiB, size: 256 * 2 ** 20 }));
    expectOk(await machine.onlineBlocks({ node: 2 }, 'online'));
    const shard = machine.shards.shardOfPfn((10 * GiB) / 4096)!;
    const firstSection = (10 * GiB) / 4096 / 32768;
    let words = await shard.engine.readSections(firstSection, 2);
    expect(Array.from(words, (w) => [w & SectionFlag.ONLINE, (w >>> SECTION_WORD_ZONE_SHIFT) & 0xff])).toEqual([
      [SectionFlag.ONLINE, 3],
      [SectionFlag.ONLINE, 3],
    ]);

    expectOk(await machine.offlineBlocks({ firstBlockId: 81 }));
    await machine.checkInvariants();
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory81/state`)).toBe('offline\n');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory81/online`)).toBe('0\n');
    expect(await readSysfs(machine, `${MEMORY_DIR}/memory81/valid_zones`)).toBe('Movable Normal\n');
    expect((await machine.blocks()).find((b) => b.id === 81)).toMatchObject({ state: 'offline', zone: null });
    words = await shard.engine.readSections(firstSection, 2);
    expect(Array.from(words, (w) => w & SectionFlag.ONLINE)).toEqual([SectionFlag.ONLINE, 0]);
    expect((await nodeOf(machine, 2)).hasMemory).toBe(true);

    expectOk(await machine.offlineBlocks({ firstBlockId: 80 }));
    await machine.checkInvariants();
    expect(await nodeOf(machine, 2)).toMatchObject({ hasMemory: false, hasNormalMemory: false, nodePresentPages: 0 });
    expect(await readSysfs(machine, '/sys/devices/system/node/has_memory')).toBe('0-1\n');
    words = await shard.engine.readSections(firstSection, 2);
    expect(Array.from(words, (w) => w & SectionFlag.ONLINE)).toEqual([0, 0]);
  } finally {
    await machine.close();
  }
});
