/**
 * countTagged counts the pages of some classes in the pageblocks whose tag
 * passes a filter: the part of an edge pageblock inside the range, isolate
 * bits when the filter names them, nothing of sections that are not present;
 * with no filter it is count().
 */
import { describe, expect, test } from 'vitest';
import {
  ALL_CLASSES,
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
import { ENGINE_CASES, type EngineCase } from '../helpers/engines.js';

const BASE_PFN = 2 ** 34;
/** Sections 0 and 2 present, 1 absent. */
const NR_PAGES = 3 * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;
const TAG_BITS = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;
const SLAB = classBit(PageClass.SLAB);
const FREE = classBit(PageClass.FREE);

/** First pfn of pageblock `pb` of the window. */
function pbPfn(pb: number): number {
  return BASE_PFN + pb * PAGES_PER_PAGEBLOCK;
}

/**
 * Pageblocks 3..5 UNMOVABLE holding SLAB [pb 3 + 100, pb 5 + 50): 412, 512
 * and 50 pages; 20 SLAB pages at the start of MOVABLE pageblock 10; pageblock
 * 5 isolated. Section 2 is USER, MOVABLE.
 */
async function build(factory: EngineCase): Promise<EngineApi> {
  const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
  await engine.addSections(BASE_PFN, BASE_PFN + PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  await engine.addSections(END_PFN - PAGES_PER_SECTION, END_PFN, 0, PageClass.USER, Migratetype.MOVABLE, 0);
  await engine.setMigratetype(pbPfn(3), pbPfn(6), Migratetype.UNMOVABLE);
  await engine.setClass(pbPfn(3) + 100, pbPfn(5) + 50, PageClass.SLAB);
  await engine.setClass(pbPfn(10), pbPfn(10) + 20, PageClass.SLAB);
  await engine.setIsolate(pbPfn(5), pbPfn(6), true);
  return engine;
}

describe.each(ENGINE_CASES)('%s engine: countTagged', (_kind, factory) => {
  test('counts only the pages of pageblocks whose migratetype matches', async () => {
    const engine = await build(factory);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB, MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(412 + 512 + 50);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB, MIGRATETYPE_MASK, Migratetype.MOVABLE)).toBe(20);
    expect(await engine.countTagged(BASE_PFN, END_PFN, FREE, MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(3 * 512 - 974);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB | FREE, MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(3 * 512);
  });

  test('with no filter it is count(), for every mask', async () => {
    const engine = await build(factory);
    for (const mask of [0, SLAB, FREE, SLAB | FREE, classBit(PageClass.USER), ALL_CLASSES]) {
      expect(await engine.countTagged(BASE_PFN, END_PFN, mask, 0, 0)).toBe(await engine.count(BASE_PFN, END_PFN, mask));
      expect(await engine.countTagged(pbPfn(4) + 7, END_PFN - 9, mask, 0, 0)).toBe(await engine.count(pbPfn(4) + 7, END_PFN - 9, mask));
    }
  });

  test('an unaligned range counts the parts of its edge pageblocks', async () => {
    const engine = await build(factory);
    // The last 12 pages of pageblock 4, all of 5, the first 5 pages of 10.
    expect(await engine.countTagged(pbPfn(4) + 500, pbPfn(10) + 5, SLAB, MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(12 + 50);
    expect(await engine.countTagged(pbPfn(4) + 500, pbPfn(10) + 5, SLAB, MIGRATETYPE_MASK, Migratetype.MOVABLE)).toBe(5);
    expect(await engine.countTagged(pbPfn(4) + 500, pbPfn(4) + 500, SLAB, 0, 0)).toBe(0);
  });

  test('MIGRATE_ISOLATE counts when the filter names it', async () => {
    const engine = await build(factory);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB, TAG_BITS, Migratetype.UNMOVABLE)).toBe(412 + 512);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(50);
    expect(await engine.countTagged(BASE_PFN, END_PFN, SLAB, TAG_BITS, Migratetype.UNMOVABLE | PAGEBLOCK_ISOLATE)).toBe(50);
  });

  test('a tagValue with a bit outside tagMask matches no pageblock', async () => {
    const engine = await build(factory);
    expect(await engine.countTagged(BASE_PFN, END_PFN, ALL_CLASSES, MIGRATETYPE_MASK, PAGEBLOCK_ISOLATE)).toBe(0);
    expect(await engine.countTagged(BASE_PFN, END_PFN, ALL_CLASSES, 0, Migratetype.MOVABLE)).toBe(0);
  });

  test('sections that are not present count nothing', async () => {
    const engine = await build(factory);
    const absent = BASE_PFN + PAGES_PER_SECTION;
    expect(await engine.countTagged(absent, absent + PAGES_PER_SECTION, ALL_CLASSES, 0, 0)).toBe(0);
    expect(await engine.countTagged(absent - 1, END_PFN, classBit(PageClass.USER), MIGRATETYPE_MASK, Migratetype.MOVABLE)).toBe(PAGES_PER_SECTION);
  });
});

test('WASM: a uniform section is counted whole, without a split', async () => {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  engine.addSections(BASE_PFN, END_PFN, 0, PageClass.USER, Migratetype.MOVABLE, 0);
  expect(engine.countTagged(BASE_PFN + 5, END_PFN, classBit(PageClass.USER), MIGRATETYPE_MASK, Migratetype.MOVABLE)).toBe(NR_PAGES - 5);
  expect(engine.countTagged(BASE_PFN, END_PFN, classBit(PageClass.USER), MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(0);
  expect(engine.representationStats().mixedSections).toBe(0);
});
