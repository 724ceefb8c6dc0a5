/**
 * Pageblock tags: setMigratetype and setIsolate reach every pageblock that
 * intersects the range, keep the other tag bits, and the section goes back
 * to one uniform record when its tags agree again.
 */
import { describe, expect, test } from 'vitest';
import {
  MIGRATETYPE_MASK,
  Migratetype,
  NO_TAG,
  PAGEBLOCK_ISOLATE,
  PAGEBLOCKS_PER_SECTION,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
} from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';

const BASE_PFN = 7 * PAGES_PER_SECTION;
const NR_PAGES = 3 * PAGES_PER_SECTION;
const NR_PAGEBLOCKS = NR_PAGES / PAGES_PER_PAGEBLOCK;

describe('pageblock tags', () => {
  test('a range touching a pageblock by one page retags the whole pageblock', async () => {
    const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
    engine.addSections(BASE_PFN, BASE_PFN + NR_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const want = new Uint8Array(NR_PAGEBLOCKS).fill(Migratetype.MOVABLE);
    // Last page of pageblock 63 through the first page of pageblock 66.
    engine.setMigratetype(BASE_PFN + 64 * PAGES_PER_PAGEBLOCK - 1, BASE_PFN + 66 * PAGES_PER_PAGEBLOCK + 1, Migratetype.UNMOVABLE);
    want.fill(Migratetype.UNMOVABLE, 63, 67);
    engine.setIsolate(BASE_PFN + 65 * PAGES_PER_PAGEBLOCK + 3, BASE_PFN + 100 * PAGES_PER_PAGEBLOCK, true);
    for (let pb = 65; pb < 100; pb++) want[pb]! |= PAGEBLOCK_ISOLATE;
    expect(engine.readPageblockTags(BASE_PFN, NR_PAGEBLOCKS)).toEqual(want);
    // setMigratetype keeps the isolate bit.
    engine.setMigratetype(BASE_PFN + 90 * PAGES_PER_PAGEBLOCK, BASE_PFN + 91 * PAGES_PER_PAGEBLOCK, Migratetype.RECLAIMABLE);
    want[90] = Migratetype.RECLAIMABLE | PAGEBLOCK_ISOLATE;
    expect(engine.readPageblockTags(BASE_PFN, NR_PAGEBLOCKS)).toEqual(want);
    const isolated = want.filter((t) => (t & PAGEBLOCK_ISOLATE) !== 0).length;
    expect(engine.countPageblocks(BASE_PFN, BASE_PFN + NR_PAGES, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(isolated);
    expect(engine.countPageblocks(BASE_PFN, BASE_PFN + NR_PAGES, MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(4);
    // Pageblocks intersecting [pfn, pfn + 1) is one pageblock.
    expect(engine.countPageblocks(BASE_PFN + 66 * PAGES_PER_PAGEBLOCK, BASE_PFN + 66 * PAGES_PER_PAGEBLOCK + 1, 0, 0)).toBe(1);
    engine.validate();
  });

  test('tags that agree again collapse the section back to uniform', async () => {
    const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
    engine.addSections(BASE_PFN, BASE_PFN + NR_PAGES, 0, PageClass.USER, Migratetype.MOVABLE, 0);
    engine.setIsolate(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + PAGES_PER_SECTION + 5 * PAGES_PER_PAGEBLOCK, true);
    expect(engine.representationStats().mixedSections).toBe(1);
    engine.setIsolate(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + PAGES_PER_SECTION + 5 * PAGES_PER_PAGEBLOCK, false);
    expect(engine.representationStats().mixedSections).toBe(0);
    // Isolating a whole section keeps it uniform all along.
    engine.setIsolate(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + 2 * PAGES_PER_SECTION, true);
    expect(engine.representationStats().mixedSections).toBe(0);
    expect(engine.countPageblocks(BASE_PFN, BASE_PFN + NR_PAGES, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)).toBe(PAGEBLOCKS_PER_SECTION);
    engine.validate();
  });

  test('pageblocks of absent sections read NO_TAG and are not counted', async () => {
    const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES });
    engine.addSections(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + NR_PAGES, 0, PageClass.USER, Migratetype.RECLAIMABLE, 0);
    const tags = engine.readPageblockTags(BASE_PFN + 5, NR_PAGEBLOCKS);
    expect(tags.slice(0, PAGEBLOCKS_PER_SECTION).every((t) => t === NO_TAG)).toBe(true);
    expect(tags.slice(PAGEBLOCKS_PER_SECTION).every((t) => t === Migratetype.RECLAIMABLE)).toBe(true);
    expect(engine.countPageblocks(BASE_PFN, BASE_PFN + NR_PAGES, 0, 0)).toBe(2 * PAGEBLOCKS_PER_SECTION);
    expect(() => engine.setMigratetype(BASE_PFN, BASE_PFN + NR_PAGES, Migratetype.MOVABLE)).toThrow(
      expect.objectContaining({ code: 'E_NOT_PRESENT', arg: 'startPfn' }),
    );
  });
});
