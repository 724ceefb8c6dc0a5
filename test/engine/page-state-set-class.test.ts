/**
 * setClass over unaligned ranges that cross pageblock and section edges:
 * per-page classes and counts follow a dense model, and the representation
 * collapses back to uniform records once the mixing is undone.
 */
import { describe, expect, test } from 'vitest';
import { ALL_CLASSES, Migratetype, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { Prng } from '../helpers/prng.js';
import { DenseClasses, firstDifference } from './dense-model.js';

const BASE_PFN = 2 ** 34 + 5 * PAGES_PER_SECTION;
const NR_SECTIONS = 6;
const NR_PAGES = NR_SECTIONS * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;

async function filledEngine() {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  engine.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  const model = new DenseClasses(BASE_PFN, NR_PAGES);
  model.addSections(BASE_PFN, END_PFN, PageClass.FREE);
  return { engine, model };
}

describe('setClass', () => {
  test('a range crossing pageblock and section edges changes exactly its pages', async () => {
    const { engine, model } = await filledEngine();
    // From 3 pages before a section edge to 5 pages into the pageblock after the next one.
    const startPfn = BASE_PFN + 2 * PAGES_PER_SECTION - 3;
    const endPfn = BASE_PFN + 3 * PAGES_PER_SECTION + PAGES_PER_PAGEBLOCK + 5;
    engine.setClass(startPfn, endPfn, PageClass.SLAB);
    model.setClass(startPfn, endPfn, PageClass.SLAB);
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), model.classes)).toBe(-1);
    expect(engine.countClasses(BASE_PFN, END_PFN)).toEqual(model.countClasses(BASE_PFN, END_PFN));
    expect(engine.count(startPfn - 1, endPfn + 1, classBit(PageClass.SLAB))).toBe(endPfn - startPfn);
    expect(engine.count(startPfn - 1, endPfn + 1, classBit(PageClass.FREE))).toBe(2);
    engine.validate();
  });

  test('random unaligned ranges keep classes and counts equal to the dense model', async () => {
    const { engine, model } = await filledEngine();
    const rng = new Prng(7);
    for (let step = 0; step < 400; step++) {
      const startPfn = BASE_PFN + rng.int(0, NR_PAGES);
      const endPfn = Math.min(END_PFN, startPfn + rng.skewedLength(3 * PAGES_PER_SECTION));
      const cls = rng.int(0, NR_PAGE_CLASSES);
      engine.setClass(startPfn, endPfn, cls);
      model.setClass(startPfn, endPfn, cls);
      const a = BASE_PFN + rng.int(0, NR_PAGES);
      const b = Math.min(END_PFN, a + rng.skewedLength(NR_PAGES));
      expect(engine.countClasses(a, b)).toEqual(model.countClasses(a, b));
      const mask = rng.int(0, ALL_CLASSES + 1);
      const want = Array.from(model.countClasses(a, b)).reduce((sum, n, c) => sum + ((mask >> c) & 1 ? n : 0), 0);
      expect(engine.count(a, b, mask)).toBe(want);
    }
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), model.classes)).toBe(-1);
    engine.validate();
  });

  test('undoing the mixing collapses pageblocks and sections back to uniform records', async () => {
    const { engine } = await filledEngine();
    expect(engine.representationStats()).toMatchObject({ mixedSections: 0, mixedPageblocks: 0 });
    // Short runs in every pageblock of two sections.
    for (let pb = 0; pb < 2 * (PAGES_PER_SECTION / PAGES_PER_PAGEBLOCK); pb++) {
      const pfn = BASE_PFN + PAGES_PER_SECTION + pb * PAGES_PER_PAGEBLOCK + 17;
      engine.setClass(pfn, pfn + 9, PageClass.PGTABLE);
    }
    expect(engine.representationStats()).toMatchObject({ mixedSections: 2, mixedPageblocks: 128 });
    const bytesMixed = engine.bytesUsed();
    // Overwrite the runs page-range by page-range: each pageblock collapses as its run goes.
    for (let pb = 0; pb < 2 * (PAGES_PER_SECTION / PAGES_PER_PAGEBLOCK); pb++) {
      const pfn = BASE_PFN + PAGES_PER_SECTION + pb * PAGES_PER_PAGEBLOCK + 17;
      engine.setClass(pfn, pfn + 9, PageClass.FREE);
    }
    expect(engine.representationStats()).toMatchObject({ mixedSections: 0, mixedPageblocks: 0 });
    engine.validate();
    // The freed records are reused: mixing again (same classes, other pages) does not grow memory.
    for (let pb = 0; pb < 2 * (PAGES_PER_SECTION / PAGES_PER_PAGEBLOCK); pb++) {
      const pfn = BASE_PFN + 3 * PAGES_PER_SECTION + pb * PAGES_PER_PAGEBLOCK + 100;
      engine.setClass(pfn, pfn + 1, PageClass.SLAB);
    }
    expect(engine.representationStats()).toMatchObject({ mixedSections: 2, mixedPageblocks: 128 });
    expect(engine.bytesUsed()).toBe(bytesMixed);
  });

  test('a whole-window setClass leaves every section uniform', async () => {
    const { engine } = await filledEngine();
    engine.setClass(BASE_PFN + 1000, END_PFN - 1000, PageClass.USER);
    expect(engine.representationStats().mixedSections).toBe(2);
    engine.setClass(BASE_PFN, END_PFN, PageClass.RESERVED);
    expect(engine.representationStats()).toMatchObject({ mixedSections: 0, mixedPageblocks: 0 });
    const counts = engine.countClasses(BASE_PFN, END_PFN);
    expect(counts[PageClass.RESERVED]).toBe(NR_PAGES);
    engine.validate();
  });

  test('a range touching a section that is not present is refused and changes nothing', async () => {
    const { engine, model } = await filledEngine();
    engine.removeSections(BASE_PFN + 4 * PAGES_PER_SECTION, BASE_PFN + 5 * PAGES_PER_SECTION);
    model.removeSections(BASE_PFN + 4 * PAGES_PER_SECTION, BASE_PFN + 5 * PAGES_PER_SECTION);
    const before = engine.readClasses(BASE_PFN, NR_PAGES);
    expect(() => engine.setClass(BASE_PFN + 3 * PAGES_PER_SECTION + 5, BASE_PFN + 4 * PAGES_PER_SECTION + 5, PageClass.SLAB)).toThrow(
      expect.objectContaining({ code: 'E_NOT_PRESENT', arg: 'startPfn' }),
    );
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), before)).toBe(-1);
    expect(firstDifference(before, model.classes)).toBe(-1);
    // Counts skip pages of absent sections.
    expect(engine.countClasses(BASE_PFN, END_PFN)).toEqual(model.countClasses(BASE_PFN, END_PFN));
  });
});

describe('plane depth', () => {
  test('a mixed pageblock holds only the planes its classes need', async () => {
    const nrSections = 64;
    const nrPages = nrSections * PAGES_PER_SECTION;
    const nrBlocks = nrPages / PAGES_PER_PAGEBLOCK;
    const engine = await createEngine({ basePfn: 0, nrPages });
    engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const bytes0 = engine.bytesUsed();
    const each = (offset: number, length: number, cls: number): void => {
      for (let pb = 0; pb < nrBlocks; pb++) engine.setClass(pb * PAGES_PER_PAGEBLOCK + offset, pb * PAGES_PER_PAGEBLOCK + offset + length, cls);
    };
    // FREE/USER mixing needs one plane (64 B) per pageblock, a SLAB page two
    // (128 B), a PINNED page three (in a 256 B block).
    each(5, 7, PageClass.USER);
    const bytesUser = engine.bytesUsed() - bytes0;
    each(300, 1, PageClass.SLAB);
    const bytesSlab = engine.bytesUsed() - bytes0;
    each(400, 1, PageClass.PINNED);
    const bytesPinned = engine.bytesUsed() - bytes0;
    expect(engine.representationStats()).toMatchObject({ mixedPageblocks: nrBlocks, mixedSections: nrSections });
    const mixedRecords = nrSections * 512;
    expect(bytesUser).toBeGreaterThanOrEqual(nrBlocks * 64 + mixedRecords);
    expect(bytesUser).toBeLessThan(nrBlocks * 128);
    expect(bytesSlab).toBeGreaterThanOrEqual(nrBlocks * 128 + mixedRecords);
    expect(bytesSlab).toBeLessThan(nrBlocks * 192);
    expect(bytesPinned).toBeGreaterThanOrEqual(nrBlocks * 256);
    engine.validate();
    // Taking the deep classes out again keeps classes and counts right whatever the depth.
    each(300, 101, PageClass.FREE);
    const counts = engine.countClasses(0, nrPages);
    expect(counts[PageClass.SLAB]).toBe(0);
    expect(counts[PageClass.PINNED]).toBe(0);
    expect(counts[PageClass.USER]).toBe(nrBlocks * 7);
    engine.validate();
  });

  test('space freed by small plane records serves deeper ones', async () => {
    const nrPages = 16 * PAGES_PER_SECTION;
    const nrBlocks = nrPages / PAGES_PER_PAGEBLOCK;
    // Room for the tables and a few pages of records only.
    const engine = await createEngine({ basePfn: 0, nrPages, maxBytes: 5 * 65536 }, 'debug');
    engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    let mixed = 0;
    try {
      for (; mixed < nrBlocks; mixed++) engine.setClass(mixed * PAGES_PER_PAGEBLOCK + 9, mixed * PAGES_PER_PAGEBLOCK + 10, PageClass.SLAB);
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_FULL' });
    }
    expect(mixed).toBeGreaterThan(100);
    // Undo the first half: its 128-byte records are freed.
    const half = Math.floor(mixed / 2);
    engine.setClass(0, half * PAGES_PER_PAGEBLOCK, PageClass.FREE);
    // A PINNED page in a pageblock of the other half needs a 256-byte block:
    // freed neighbours merged into them.
    const pinned = Math.floor(half / 4);
    for (let pb = half; pb < half + pinned; pb++) engine.setClass(pb * PAGES_PER_PAGEBLOCK + 20, pb * PAGES_PER_PAGEBLOCK + 21, PageClass.PINNED);
    expect(engine.count(0, nrPages, 1 << PageClass.PINNED)).toBe(pinned);
    expect(engine.memoryBytes()).toBeLessThanOrEqual(5 * 65536);
    engine.validate();
  });
});
