/**
 * UndoLog puts page state back: writes exactly (the caller states what was
 * there), claims exactly where the claim took every page of the stretch it
 * reached, and otherwise exactly in counts per piece (the engines cannot say
 * which pages a claim took). Two shards of two sections each, on the
 * reference engine, read page by page.
 */
import { describe, expect, test } from 'vitest';
import { EngineError } from '../../../src/contract/errors.js';
import { ClaimMode, MIGRATETYPE_MASK, Migratetype, NO_ZONE, PAGEBLOCK_ISOLATE, PageClass, SECTION_WORD_ZONE_SHIFT, SectionFlag } from '../../../src/contract/constants.js';
import { createRefEngine } from '../../../src/reference/ref-engine.js';
import { UndoLog, countClassesIn } from '../../../src/model/core/page-state.js';
import { ShardSet } from '../../../src/model/core/shards.js';

const SECTION = 32768;
const END = 4 * SECTION;

async function twoShards(): Promise<ShardSet> {
  const shards = await ShardSet.create(
    [
      { nid: 0, startPfn: 0, endPfn: 2 * SECTION },
      { nid: 0, startPfn: 2 * SECTION, endPfn: END },
    ],
    async (opts) => createRefEngine(opts),
  );
  for (const shard of shards.shards) await shard.engine.addSections(shard.startPfn, shard.endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  return shards;
}

async function classes(shards: ShardSet): Promise<number[]> {
  const out: number[] = [];
  for (const shard of shards.shards) out.push(...(await shard.engine.readClasses(shard.startPfn, shard.endPfn - shard.startPfn)));
  return out;
}

describe('UndoLog', () => {
  test('writes over both shards are undone piece by piece, newest first', async () => {
    const shards = await twoShards();
    const before = await classes(shards);
    const log = new UndoLog(shards);
    await log.setClass(SECTION, 3 * SECTION, PageClass.RESERVED, PageClass.FREE);
    await log.setSectionFlags(0, END, SectionFlag.ONLINE, 0);
    await log.setSectionZone(0, END, 2, NO_ZONE);
    await log.setIsolate(SECTION, 3 * SECTION, true);
    expect(await log.undo()).toEqual([]);
    expect(await classes(shards)).toEqual(before);
    for (const shard of shards.shards) {
      expect([...(await shard.engine.readSections(shard.startPfn / SECTION, 2))].every((word) => word === (SectionFlag.PRESENT | (NO_ZONE << SECTION_WORD_ZONE_SHIFT)))).toBe(true);
      expect(await shard.engine.countPageblocks(shard.startPfn, shard.endPfn, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(0);
    }
  });

  test('a claim over free memory is undone page for page', async () => {
    const shards = await twoShards();
    const before = await classes(shards);
    const log = new UndoLog(shards);
    await log.claim([{ startPfn: 0, endPfn: END }], 3 * SECTION, PageClass.FREE, PageClass.USER);
    await log.undo();
    expect(await classes(shards)).toEqual(before);
  });

  test.each([ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK])('a claim among older pages of its class (mode %i) is undone in counts per piece', async (mode) => {
    const shards = await twoShards();
    // User pages already scattered through both shards.
    const older = new UndoLog(shards);
    await older.claim([{ startPfn: 0, endPfn: END }], SECTION, PageClass.FREE, PageClass.USER, ClaimMode.RANDOM_PAGEBLOCK, 11);
    const counts = async () => Promise.all(shards.shards.map((s) => countClassesIn(shards, [{ startPfn: s.startPfn, endPfn: s.endPfn }])));
    const before = await counts();
    const log = new UndoLog(shards);
    await log.claim([{ startPfn: 0, endPfn: END }], SECTION, PageClass.FREE, PageClass.USER, mode, 5);
    await log.undo();
    expect(await counts()).toEqual(before);
  });

  test('a tag-aware claim inside one shard: the engine checks, a shortfall and a refusal under the limit change nothing', async () => {
    const shards = await twoShards();
    const one = [{ startPfn: 0, endPfn: 2 * SECTION }];
    const before = await classes(shards);
    const log = new UndoLog(shards);
    // More free pages than the shard holds: the same error as over several shards.
    await expect(log.claimTagged(one, 2 * SECTION + 1, PageClass.FREE, PageClass.SLAB, ClaimMode.LOWEST, 0, MIGRATETYPE_MASK, Migratetype.MOVABLE, 0)).rejects.toThrow(
      `claimTagged: ${2 * SECTION + 1} pages of class ${PageClass.FREE} wanted, ${2 * SECTION} in the pageblocks`,
    );
    // Enough free pages, but not at 98 a pageblock (128 pageblocks): the engine's E_NOSPC.
    const refused = log.claimTagged(one, 128 * 98 + 1, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, 3, MIGRATETYPE_MASK, Migratetype.MOVABLE, 98);
    await expect(refused).rejects.toBeInstanceOf(EngineError);
    await expect(refused).rejects.toMatchObject({ code: 'E_NOSPC' });
    expect(await classes(shards)).toEqual(before);
    // At the limit it fits, and is undone in counts.
    await log.claimTagged(one, 128 * 98, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, 3, MIGRATETYPE_MASK, Migratetype.MOVABLE, 98);
    expect((await countClassesIn(shards, one))[PageClass.SLAB]).toBe(128 * 98);
    await log.undo();
    expect(await classes(shards)).toEqual(before);
  });
});
