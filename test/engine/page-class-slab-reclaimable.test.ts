/**
 * SLAB_RECLAIMABLE (class 7) is a class like the others: sections can start
 * in it, pages take it and leave it, counts, finds, reads and claims see it,
 * and a pageblock holding all eight classes (every value of the three planes)
 * reads back page for page and validates.
 */
import { describe, expect, test } from 'vitest';
import {
  ALL_CLASSES,
  ClaimMode,
  Migratetype,
  NR_PAGE_CLASSES,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  classBit,
} from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { ENGINE_CASES } from '../helpers/engines.js';

const BASE_PFN = 2 ** 34;
const NR_PAGES = 4 * PAGES_PER_SECTION;
const RECLAIMABLE = PageClass.SLAB_RECLAIMABLE;

describe.each(ENGINE_CASES)('%s engine: SLAB_RECLAIMABLE', (_kind, factory) => {
  test('is class 7, the eighth, and ALL_CLASSES covers it', () => {
    expect(RECLAIMABLE).toBe(7);
    expect(NR_PAGE_CLASSES).toBe(8);
    expect(ALL_CLASSES).toBe(0xff);
  });

  test('a pageblock of all eight classes reads back page for page', async () => {
    const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
    await engine.addSections(BASE_PFN, BASE_PFN + NR_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const block = BASE_PFN + PAGES_PER_SECTION + 3 * PAGES_PER_PAGEBLOCK;
    // Runs of 64 pages, one class each, with class 7 in the middle and at the end.
    const order = [3, RECLAIMABLE, 0, 5, 1, 6, 2, 4];
    order.forEach((cls, i) => engine.setClass(block + 64 * i, block + 64 * (i + 1), cls));
    const classes = Array.from(await engine.readClasses(block, PAGES_PER_PAGEBLOCK));
    expect(classes).toEqual(order.flatMap((cls) => new Array<number>(64).fill(cls)));
    const counts = await engine.countClasses(block, block + PAGES_PER_PAGEBLOCK);
    expect(Array.from(counts)).toEqual(new Array(NR_PAGE_CLASSES).fill(64));
    expect(await engine.count(BASE_PFN, BASE_PFN + NR_PAGES, classBit(RECLAIMABLE))).toBe(64);
    expect(await engine.findNext(BASE_PFN, BASE_PFN + NR_PAGES, classBit(RECLAIMABLE))).toBe(block + 64);
    await engine.validate();
  });

  test('sections can start reclaimable, and claims move pages in and out of the class', async () => {
    const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
    await engine.addSections(BASE_PFN, BASE_PFN + PAGES_PER_SECTION, 0, RECLAIMABLE, Migratetype.RECLAIMABLE, 0);
    await engine.addSections(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + NR_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    expect((await engine.countClasses(BASE_PFN, BASE_PFN + NR_PAGES))[RECLAIMABLE]).toBe(PAGES_PER_SECTION);
    // Shrink the slab: 1000 reclaimable pages freed, lowest first.
    expect(await engine.claim(BASE_PFN, BASE_PFN + NR_PAGES, 1000, RECLAIMABLE, PageClass.FREE, ClaimMode.LOWEST, 0)).toBe(BASE_PFN + 1000);
    // And grown again elsewhere, in seeded pageblock order.
    const end = await engine.claim(BASE_PFN + PAGES_PER_SECTION, BASE_PFN + NR_PAGES, 700, PageClass.FREE, RECLAIMABLE, ClaimMode.RANDOM_PAGEBLOCK, 5);
    expect(end).toBeGreaterThan(BASE_PFN + PAGES_PER_SECTION);
    expect((await engine.countClasses(BASE_PFN, BASE_PFN + NR_PAGES))[RECLAIMABLE]).toBe(PAGES_PER_SECTION - 1000 + 700);
    await engine.validate();
  });
});

test('WASM: class 7 pages need the third plane, and the pageblock collapses when they go', async () => {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  engine.addSections(BASE_PFN, BASE_PFN + NR_PAGES, 0, PageClass.USER, Migratetype.MOVABLE, 0);
  engine.setClass(BASE_PFN + 10, BASE_PFN + 20, RECLAIMABLE);
  expect(engine.representationStats()).toMatchObject({ mixedSections: 1, mixedPageblocks: 1 });
  engine.validate();
  engine.setClass(BASE_PFN + 10, BASE_PFN + 20, PageClass.USER);
  expect(engine.representationStats()).toMatchObject({ mixedSections: 0, mixedPageblocks: 0 });
  // A whole section of class 7 is one uniform record.
  engine.setClass(BASE_PFN, BASE_PFN + PAGES_PER_SECTION, RECLAIMABLE);
  expect(engine.representationStats()).toMatchObject({ mixedSections: 0, mixedPageblocks: 0 });
  expect(engine.count(BASE_PFN, BASE_PFN + NR_PAGES, classBit(RECLAIMABLE))).toBe(PAGES_PER_SECTION);
  engine.validate();
});
