/**
 * findNext: the lowest page of a class in a range, found through the section
 * and pageblock summaries across sections, absent sections and masks.
 */
import { describe, expect, test } from 'vitest';
import { ALL_CLASSES, Migratetype, NR_PAGE_CLASSES, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { Prng } from '../helpers/prng.js';
import { DenseClasses } from './dense-model.js';

/** Every section that [startPfn, endPfn) touches is present in the model. */
function allPresent(model: DenseClasses, startPfn: number, endPfn: number): boolean {
  for (let pfn = startPfn; pfn < endPfn; pfn += PAGES_PER_SECTION - ((pfn - model.basePfn) % PAGES_PER_SECTION)) {
    if (!model.sectionPresent(pfn)) return false;
  }
  return true;
}

describe('findNext', () => {
  test('finds a sparse page many sections away, and -1 past it', async () => {
    const nrPages = 2 ** 24; // 512 sections
    const basePfn = 2 ** 36;
    const engine = await createEngine({ basePfn, nrPages });
    engine.addSections(basePfn, basePfn + nrPages, 1, PageClass.USER, Migratetype.MOVABLE, 0);
    const target = basePfn + 400 * PAGES_PER_SECTION + 12_345;
    engine.setClass(target, target + 1, PageClass.PINNED);
    expect(engine.findNext(basePfn, basePfn + nrPages, classBit(PageClass.PINNED))).toBe(target);
    expect(engine.findNext(target, target + 1, classBit(PageClass.PINNED))).toBe(target);
    expect(engine.findNext(target + 1, basePfn + nrPages, classBit(PageClass.PINNED))).toBe(-1);
    expect(engine.findNext(basePfn, target, classBit(PageClass.PINNED))).toBe(-1);
    expect(engine.findNext(basePfn + 5, basePfn + nrPages, classBit(PageClass.USER))).toBe(basePfn + 5);
    expect(engine.findNext(basePfn, basePfn + nrPages, 0)).toBe(-1);
    expect(engine.findNext(target, target, ALL_CLASSES)).toBe(-1);
  });

  test('skips sections that are not present', async () => {
    const basePfn = 0;
    const nrPages = 8 * PAGES_PER_SECTION;
    const engine = await createEngine({ basePfn, nrPages });
    engine.addSections(5 * PAGES_PER_SECTION, 7 * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    expect(engine.findNext(0, nrPages, ALL_CLASSES)).toBe(5 * PAGES_PER_SECTION);
    expect(engine.findNext(6 * PAGES_PER_SECTION + 3, nrPages, classBit(PageClass.FREE))).toBe(6 * PAGES_PER_SECTION + 3);
    expect(engine.findNext(0, 5 * PAGES_PER_SECTION, ALL_CLASSES)).toBe(-1);
  });

  test('agrees with the dense model for random masks and starts', async () => {
    const basePfn = 3 * PAGES_PER_SECTION;
    const nrPages = 5 * PAGES_PER_SECTION;
    const endPfn = basePfn + nrPages;
    const engine = await createEngine({ basePfn, nrPages });
    const model = new DenseClasses(basePfn, nrPages);
    engine.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    model.addSections(basePfn, endPfn, PageClass.FREE);
    engine.removeSections(basePfn + PAGES_PER_SECTION, basePfn + 2 * PAGES_PER_SECTION);
    model.removeSections(basePfn + PAGES_PER_SECTION, basePfn + 2 * PAGES_PER_SECTION);
    const rng = new Prng(99);
    for (let i = 0; i < 300; i++) {
      const startPfn = basePfn + rng.int(0, nrPages);
      const cls = rng.int(1, NR_PAGE_CLASSES);
      const run = rng.skewedLength(2000);
      const endRun = Math.min(endPfn, startPfn + run);
      if (allPresent(model, startPfn, endRun)) {
        engine.setClass(startPfn, endRun, cls);
        model.setClass(startPfn, endRun, cls);
      }
      const from = basePfn + rng.int(0, nrPages);
      const to = Math.min(endPfn, from + rng.skewedLength(nrPages));
      const mask = rng.int(0, ALL_CLASSES + 1);
      expect(engine.findNext(from, to, mask)).toBe(model.findNext(from, to, mask));
    }
    engine.validate();
  });
});
