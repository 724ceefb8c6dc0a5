/**
 * Calls that change pages, pageblocks or sections need every section they
 * touch to be present: otherwise E_NOT_PRESENT naming the range's start, and
 * nothing changes, not even in the present sections the range also covers.
 * Reads, counts and claims skip absent sections instead.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, NO_CLASS, NO_TAG, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { BASE_SECTION_NR, FAR_IN_OLD_PFN, FAR_OUT_NEW_PFN, REMAP_OLD_PFN, buildFixture, expectRefused, sectionPfn } from './fixture.js';

type RangeCall = (engine: EngineApi, startPfn: number, endPfn: number) => unknown;

const CHANGING_CALLS: [string, RangeCall][] = [
  ['setClass', (e, s, t) => e.setClass(s, t, PageClass.PGTABLE)],
  ['setSectionFlags', (e, s, t) => e.setSectionFlags(s, t, 2, 0)],
  ['setSectionNode', (e, s, t) => e.setSectionNode(s, t, 5)],
  ['setSectionZone', (e, s, t) => e.setSectionZone(s, t, 2)],
  ['setMigratetype', (e, s, t) => e.setMigratetype(s, t, 2)],
  ['setIsolate', (e, s, t) => e.setIsolate(s, t, true)],
];

describe.each(ENGINE_CASES)('%s engine: sections that are not present', (_kind, factory) => {
  test.each(CHANGING_CALLS)('%s over a present and an absent section: E_NOT_PRESENT startPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => call(engine, sectionPfn(2) + 100, sectionPfn(3) + 1), 'E_NOT_PRESENT', 'startPfn');
  });

  test.each(CHANGING_CALLS)('%s inside an absent section: E_NOT_PRESENT startPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => call(engine, sectionPfn(5) + 7, sectionPfn(5) + 8), 'E_NOT_PRESENT', 'startPfn');
  });

  test('removeSections over a run with an absent section: E_NOT_PRESENT startPfn', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.removeSections(sectionPfn(2), sectionPfn(4)), 'E_NOT_PRESENT', 'startPfn');
    await expectRefused(engine, () => engine.removeSections(sectionPfn(5), sectionPfn(6)), 'E_NOT_PRESENT', 'startPfn');
  });

  test('remap from or onto an absent section names that range', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remap(sectionPfn(3) - 2, 4, sectionPfn(1)), 'E_NOT_PRESENT', 'oldStartPfn');
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN + 200, 4, sectionPfn(4) - 1), 'E_NOT_PRESENT', 'newStartPfn');
  });

  test('remapOut from an absent section names oldStartPfn; remapIn onto one names newStartPfn', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remapOut(sectionPfn(3) - 2, 4, FAR_OUT_NEW_PFN), 'E_NOT_PRESENT', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapOut(sectionPfn(5), 1, sectionPfn(5)), 'E_NOT_PRESENT', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapIn(sectionPfn(4) - 1, 2, FAR_IN_OLD_PFN + 100), 'E_NOT_PRESENT', 'newStartPfn');
  });

  test('countRemapped skips absent sections instead of refusing', async () => {
    const engine = await buildFixture(factory);
    expect(await engine.countRemapped(sectionPfn(3), sectionPfn(4))).toEqual({ pages: 0, sections: 0 });
  });

  test('reads, counts, scans and claims skip absent sections instead of refusing', async () => {
    const engine = await buildFixture(factory);
    const absentPfn = sectionPfn(3);
    expect(Array.from(await engine.countClasses(absentPfn, absentPfn + PAGES_PER_SECTION))).toEqual(new Array(NR_PAGE_CLASSES).fill(0));
    expect(Array.from(await engine.readClasses(absentPfn - 1, 2))).toEqual([PageClass.FREE, NO_CLASS]);
    expect(Array.from(await engine.readPageblockTags(absentPfn - PAGES_PER_PAGEBLOCK, 2))).toEqual([1, NO_TAG]);
    expect(Array.from(await engine.readSections(BASE_SECTION_NR + 3, 1))).toEqual([0]);
    expect(await engine.findNext(absentPfn, sectionPfn(5), 1 << PageClass.USER)).toBe(sectionPfn(4));
    expect(await engine.countPageblocks(absentPfn, absentPfn + PAGES_PER_SECTION, 0, 0)).toBe(0);
    // The range's first page (end of section 2) is FREE; the first USER page lies past absent section 3.
    const claimed = await engine.claim(absentPfn - 1, sectionPfn(4) + 1, 1, PageClass.USER, PageClass.SLAB, ClaimMode.LOWEST, 0);
    expect(claimed).toBe(sectionPfn(4) + 1);
    await engine.validate();
  });
});
