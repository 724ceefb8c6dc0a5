/**
 * retagPageblocks, the kernel's claim rule as a mechanism: the lowest
 * maxBlocks pageblocks lying wholly inside the range, whose tag passes the
 * filter and that hold at least minGood pages of the good classes, take the
 * new migratetype (MIGRATE_ISOLATE kept); page classes never change; the
 * result counts the pageblocks and their good pages.
 */
import { describe, expect, test } from 'vitest';
import {
  MIGRATETYPE_MASK,
  Migratetype,
  PAGEBLOCK_ISOLATE,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  classBit,
} from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { ENGINE_CASES } from '../helpers/engines.js';

const BASE_PFN = 2 ** 34;
/** Sections 0 and 2 present, 1 absent. */
const NR_PAGES = 3 * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;
const NR_PAGEBLOCKS = NR_PAGES / PAGES_PER_PAGEBLOCK;
const TAG_BITS = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;
const FREE = classBit(PageClass.FREE);
const HALF = PAGES_PER_PAGEBLOCK / 2;
const { UNMOVABLE, MOVABLE, RECLAIMABLE } = Migratetype;

function pbPfn(pb: number): number {
  return BASE_PFN + pb * PAGES_PER_PAGEBLOCK;
}

describe.each(ENGINE_CASES)('%s engine: retagPageblocks', (_kind, factory) => {
  /** FREE and MOVABLE; SLAB pages: 300 in pageblock 0, 100 in 1, 256 in 2, 257 in 3. */
  async function build(): Promise<EngineApi> {
    const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
    await engine.addSections(BASE_PFN, BASE_PFN + PAGES_PER_SECTION, 0, PageClass.FREE, MOVABLE, 0);
    await engine.addSections(END_PFN - PAGES_PER_SECTION, END_PFN, 0, PageClass.FREE, MOVABLE, 0);
    for (const [pb, slab] of [[0, 300], [1, 100], [2, 256], [3, 257]] as const) {
      await engine.setClass(pbPfn(pb) + 7, pbPfn(pb) + 7 + slab, PageClass.SLAB);
    }
    return engine;
  }

  async function tags(engine: EngineApi): Promise<number[]> {
    return Array.from(await engine.readPageblockTags(BASE_PFN, NR_PAGEBLOCKS));
  }

  test('half a pageblock of good pages or more: the whole pageblock changes migratetype', async () => {
    const engine = await build();
    const classes = await engine.readClasses(BASE_PFN, 4 * PAGES_PER_PAGEBLOCK);
    const result = await engine.retagPageblocks(pbPfn(0), pbPfn(4), 100, MIGRATETYPE_MASK, MOVABLE, UNMOVABLE, FREE, HALF);
    // FREE pages: 212, 412, 256, 255; pageblocks 1 and 2 have at least half.
    expect(result).toEqual({ blocks: 2, goodPages: 412 + 256 });
    expect((await tags(engine)).slice(0, 5)).toEqual([MOVABLE, UNMOVABLE, UNMOVABLE, MOVABLE, MOVABLE]);
    expect(await engine.readClasses(BASE_PFN, 4 * PAGES_PER_PAGEBLOCK)).toEqual(classes);
    await engine.validate();
  });

  test('a pageblock straddling either end of the range is never retagged', async () => {
    const engine = await build();
    const result = await engine.retagPageblocks(pbPfn(10) + 1, pbPfn(14) - 1, 100, 0, 0, RECLAIMABLE, FREE, 0);
    expect(result).toEqual({ blocks: 2, goodPages: 2 * PAGES_PER_PAGEBLOCK });
    expect((await tags(engine)).slice(9, 15)).toEqual([MOVABLE, MOVABLE, RECLAIMABLE, RECLAIMABLE, MOVABLE, MOVABLE]);
    expect(await engine.retagPageblocks(pbPfn(20) + 1, pbPfn(21) + 1, 100, 0, 0, RECLAIMABLE, FREE, 0)).toEqual({ blocks: 0, goodPages: 0 });
    expect(await engine.retagPageblocks(pbPfn(20), pbPfn(20), 100, 0, 0, RECLAIMABLE, FREE, 0)).toEqual({ blocks: 0, goodPages: 0 });
  });

  test('only the lowest maxBlocks candidates; maxBlocks 0 retags none', async () => {
    const engine = await build();
    expect(await engine.retagPageblocks(BASE_PFN, END_PFN, 0, 0, 0, UNMOVABLE, FREE, 0)).toEqual({ blocks: 0, goodPages: 0 });
    // Pageblocks 0 and 3 hold fewer than 256 FREE pages: the lowest three candidates are 1, 2 and 4.
    const result = await engine.retagPageblocks(BASE_PFN, END_PFN, 3, MIGRATETYPE_MASK, MOVABLE, UNMOVABLE, FREE, HALF);
    expect(result).toEqual({ blocks: 3, goodPages: 412 + 256 + 512 });
    expect((await tags(engine)).slice(0, 6)).toEqual([MOVABLE, UNMOVABLE, UNMOVABLE, MOVABLE, UNMOVABLE, MOVABLE]);
    // The filter now skips them: the next three are 5, 6 and 7.
    await engine.retagPageblocks(BASE_PFN, END_PFN, 3, MIGRATETYPE_MASK, MOVABLE, UNMOVABLE, FREE, HALF);
    expect((await tags(engine)).slice(0, 9)).toEqual([MOVABLE, UNMOVABLE, UNMOVABLE, MOVABLE, UNMOVABLE, UNMOVABLE, UNMOVABLE, UNMOVABLE, MOVABLE]);
  });

  test('MIGRATE_ISOLATE is kept, and a filter on it leaves isolated pageblocks alone', async () => {
    const engine = await build();
    await engine.setIsolate(pbPfn(5), pbPfn(6), true);
    expect(await engine.retagPageblocks(pbPfn(4), pbPfn(7), 9, TAG_BITS, MOVABLE, UNMOVABLE, FREE, 1)).toEqual({ blocks: 2, goodPages: 1024 });
    expect((await tags(engine)).slice(4, 7)).toEqual([UNMOVABLE, MOVABLE | PAGEBLOCK_ISOLATE, UNMOVABLE]);
    expect(await engine.retagPageblocks(pbPfn(4), pbPfn(7), 9, MIGRATETYPE_MASK, MOVABLE, RECLAIMABLE, FREE, 1)).toEqual({ blocks: 1, goodPages: 512 });
    expect((await tags(engine)).slice(4, 7)).toEqual([UNMOVABLE, RECLAIMABLE | PAGEBLOCK_ISOLATE, UNMOVABLE]);
  });

  test('goodMask and minGood: "free + alike", minGood 0 and minGood above a pageblock', async () => {
    const engine = await build();
    const freeAndSlab = FREE | classBit(PageClass.SLAB);
    expect(await engine.retagPageblocks(pbPfn(0), pbPfn(4), 9, 0, 0, UNMOVABLE, freeAndSlab, PAGES_PER_PAGEBLOCK + 1)).toEqual({ blocks: 0, goodPages: 0 });
    expect(await engine.retagPageblocks(pbPfn(0), pbPfn(4), 9, 0, 0, UNMOVABLE, classBit(PageClass.SLAB), 257)).toEqual({ blocks: 2, goodPages: 300 + 257 });
    // minGood 0: every pageblock passing the filter, already UNMOVABLE or not.
    expect(await engine.retagPageblocks(pbPfn(0), pbPfn(4), 9, 0, 0, UNMOVABLE, freeAndSlab, 0)).toEqual({ blocks: 4, goodPages: 4 * PAGES_PER_PAGEBLOCK });
    expect(await engine.retagPageblocks(pbPfn(0), pbPfn(4), 9, 0, 0, MOVABLE, 0, 0)).toEqual({ blocks: 4, goodPages: 0 });
  });

  test('sections that are not present are skipped, not refused', async () => {
    const engine = await build();
    const result = await engine.retagPageblocks(BASE_PFN, END_PFN, 2 ** 40, MIGRATETYPE_MASK, MOVABLE, RECLAIMABLE, FREE, 1);
    expect(result.blocks).toBe(2 * 64);
    const want = new Array<number>(NR_PAGEBLOCKS).fill(RECLAIMABLE);
    want.fill(255, 64, 128);
    expect(await tags(engine)).toEqual(want);
    await engine.validate();
  });
});

test('WASM: with no MIXED record to spare, a retag that splits nothing still goes through (the exact plan)', async () => {
  const nrPages = 256 * PAGES_PER_SECTION;
  const engine = await createEngine({ basePfn: 0, nrPages, maxBytes: 4 * 65536 }, 'debug');
  engine.addSections(0, nrPages, 0, PageClass.FREE, MOVABLE, 0);
  // Retag one pageblock of each section until no MIXED record can be had.
  let split = 0;
  for (; split < 256; split++) {
    try {
      engine.setMigratetype(split * PAGES_PER_SECTION, split * PAGES_PER_SECTION + 1, UNMOVABLE);
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_FULL' });
      break;
    }
  }
  expect(split).toBeGreaterThan(3);
  expect(split).toBeLessThan(256);
  // Inside split sections: no record needed, though the bound asks for three.
  const inSplit = engine.retagPageblocks(0, split * PAGES_PER_SECTION, 50, MIGRATETYPE_MASK, MOVABLE, RECLAIMABLE, FREE, HALF);
  expect(inSplit).toEqual({ blocks: 50, goodPages: 50 * PAGES_PER_PAGEBLOCK });
  // Part of a uniform section needs one.
  const start = split * PAGES_PER_SECTION;
  expect(() => engine.retagPageblocks(start, nrPages, 5, MIGRATETYPE_MASK, MOVABLE, RECLAIMABLE, FREE, HALF)).toThrow(
    expect.objectContaining({ code: 'E_FULL' }),
  );
  engine.validate();
});

test('WASM: a uniform section retagged whole stays one record; retagged in part it splits once', async () => {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  engine.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, MOVABLE, 0);
  expect(engine.retagPageblocks(BASE_PFN, END_PFN, 64, 0, 0, UNMOVABLE, FREE, HALF)).toEqual({ blocks: 64, goodPages: 64 * 512 });
  expect(engine.representationStats().mixedSections).toBe(0);
  expect(engine.retagPageblocks(BASE_PFN, END_PFN, 10, MIGRATETYPE_MASK, MOVABLE, UNMOVABLE, FREE, HALF).blocks).toBe(10);
  expect(engine.representationStats().mixedSections).toBe(1);
  engine.validate();
});
