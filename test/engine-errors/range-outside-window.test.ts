/**
 * A range that leaves the shard window is refused with E_RANGE naming the end
 * that is outside (startPfn first), and changes nothing. An empty range at the
 * window end is still inside.
 */
import { describe, expect, test } from 'vitest';
import { ALL_CLASSES, MAX_PHYS_PFN, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import {
  BASE_PFN,
  BASE_SECTION_NR,
  FAR_IN_OLD_PFN,
  FAR_OUT_NEW_PFN,
  NR_SECTIONS,
  REMAP_OLD_PFN,
  WINDOW_END_PFN,
  buildFixture,
  expectRefused,
  sectionPfn,
} from './fixture.js';

type RangeCall = (engine: EngineApi, startPfn: number, endPfn: number) => unknown;

/** Every `[startPfn, endPfn)` method, called with otherwise valid arguments. */
const RANGE_CALLS: [string, RangeCall][] = [
  ['addSections', (e, s, t) => e.addSections(s, t, 0, 0, 0, 0)],
  ['removeSections', (e, s, t) => e.removeSections(s, t)],
  ['setSectionFlags', (e, s, t) => e.setSectionFlags(s, t, 0, 0)],
  ['setSectionNode', (e, s, t) => e.setSectionNode(s, t, 0)],
  ['setSectionZone', (e, s, t) => e.setSectionZone(s, t, 0)],
  ['setClass', (e, s, t) => e.setClass(s, t, 0)],
  ['countClasses', (e, s, t) => e.countClasses(s, t)],
  ['count', (e, s, t) => e.count(s, t, 1)],
  ['findNext', (e, s, t) => e.findNext(s, t, 1)],
  ['claim', (e, s, t) => e.claim(s, t, 0, 0, 1, 0, 0)],
  ['migrateScan', (e, s, t) => e.migrateScan(s, t, 2, 4, 8)],
  ['setMigratetype', (e, s, t) => e.setMigratetype(s, t, 0)],
  ['setIsolate', (e, s, t) => e.setIsolate(s, t, true)],
  ['countPageblocks', (e, s, t) => e.countPageblocks(s, t, 0, 0)],
  ['clearRemap', (e, s, t) => e.clearRemap(s, t)],
  ['countRemapped', (e, s, t) => e.countRemapped(s, t)],
];

describe.each(ENGINE_CASES)('%s engine: ranges outside the window', (_kind, factory) => {
  test.each(RANGE_CALLS)('%s with startPfn below the window: E_RANGE startPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    const startPfn = BASE_PFN - PAGES_PER_SECTION;
    await expectRefused(engine, () => call(engine, startPfn, sectionPfn(1)), 'E_RANGE', 'startPfn');
  });

  test.each(RANGE_CALLS)('%s with endPfn past the window: E_RANGE endPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    const endPfn = WINDOW_END_PFN + PAGES_PER_SECTION;
    await expectRefused(engine, () => call(engine, sectionPfn(4), endPfn), 'E_RANGE', 'endPfn');
  });

  test.each(RANGE_CALLS)('%s with both ends outside: startPfn is named first', async (_name, call) => {
    const engine = await buildFixture(factory);
    const endPfn = WINDOW_END_PFN + PAGES_PER_SECTION;
    await expectRefused(engine, () => call(engine, BASE_PFN - PAGES_PER_SECTION, endPfn), 'E_RANGE', 'startPfn');
  });

  test.each(RANGE_CALLS)('%s wholly above the window: E_RANGE endPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    const startPfn = WINDOW_END_PFN + PAGES_PER_SECTION;
    await expectRefused(engine, () => call(engine, startPfn, startPfn + PAGES_PER_SECTION), 'E_RANGE', 'endPfn');
  });

  test('readClasses: a start outside the window names startPfn, a span past the end names nrPages', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.readClasses(BASE_PFN - 1, 10), 'E_RANGE', 'startPfn');
    await expectRefused(engine, () => engine.readClasses(WINDOW_END_PFN - 5, 6), 'E_RANGE', 'nrPages');
    await expectRefused(engine, () => engine.readClasses(WINDOW_END_PFN + 1, 0), 'E_RANGE', 'startPfn');
  });

  test('readPageblockTags: start outside names startPfn, blocks past the end name nrPageblocks', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.readPageblockTags(BASE_PFN - 1, 1), 'E_RANGE', 'startPfn');
    await expectRefused(engine, () => engine.readPageblockTags(WINDOW_END_PFN + 1, 0), 'E_RANGE', 'startPfn');
    const lastBlockPfn = WINDOW_END_PFN - PAGES_PER_PAGEBLOCK;
    await expectRefused(engine, () => engine.readPageblockTags(lastBlockPfn + 3, 2), 'E_RANGE', 'nrPageblocks');
  });

  test('readSections: sections outside the window name startSectionNr or count', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.readSections(BASE_SECTION_NR - 1, 2), 'E_RANGE', 'startSectionNr');
    await expectRefused(engine, () => engine.readSections(BASE_SECTION_NR, NR_SECTIONS + 1), 'E_RANGE', 'count');
    await expectRefused(engine, () => engine.readSections(BASE_SECTION_NR + NR_SECTIONS, 1), 'E_RANGE', 'count');
  });

  test('remap: an old or new range leaving the window names its start', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remap(BASE_PFN - 1, 2, sectionPfn(1)), 'E_RANGE', 'oldStartPfn');
    await expectRefused(engine, () => engine.remap(WINDOW_END_PFN - 1, 2, sectionPfn(1)), 'E_RANGE', 'oldStartPfn');
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN, 2, WINDOW_END_PFN - 1), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN, 2, BASE_PFN - 2), 'E_RANGE', 'newStartPfn');
  });

  test('remapOut: old pages leaving the window, or frames that are not far, name their start', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remapOut(BASE_PFN - 1, 2, FAR_OUT_NEW_PFN), 'E_RANGE', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapOut(WINDOW_END_PFN - 1, 2, FAR_OUT_NEW_PFN), 'E_RANGE', 'oldStartPfn');
    // Frames inside the window (that is remap's work), across either edge, or past MAX_PHYS_PFN.
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 2, sectionPfn(2)), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 2, REMAP_OLD_PFN + 1), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 2, BASE_PFN - 1), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 2, WINDOW_END_PFN - 1), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 2, MAX_PHYS_PFN - 1), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 0, MAX_PHYS_PFN + 1), 'E_RANGE', 'newStartPfn');
    // Right next to the window, and ending at MAX_PHYS_PFN, are far.
    await engine.remapOut(REMAP_OLD_PFN, 2, BASE_PFN - 2);
    await engine.remapOut(REMAP_OLD_PFN, 2, WINDOW_END_PFN);
    await engine.remapOut(REMAP_OLD_PFN, 2, MAX_PHYS_PFN - 2);
    await engine.validate();
  });

  test('remapIn: frames leaving the window, or pages that are not far, name their start', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remapIn(BASE_PFN - 1, 2, FAR_IN_OLD_PFN), 'E_RANGE', 'newStartPfn');
    await expectRefused(engine, () => engine.remapIn(WINDOW_END_PFN - 1, 2, FAR_IN_OLD_PFN), 'E_RANGE', 'newStartPfn');
    // In the window but not the frames themselves (that is the undo, allowed).
    await expectRefused(engine, () => engine.remapIn(sectionPfn(1), 2, sectionPfn(1) + 1), 'E_RANGE', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapIn(sectionPfn(1), 2, BASE_PFN - 1), 'E_RANGE', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapIn(sectionPfn(1), 2, MAX_PHYS_PFN - 1), 'E_RANGE', 'oldStartPfn');
  });

  test('empty ranges at either window edge are inside and change nothing', async () => {
    const engine = await buildFixture(factory);
    const total = Array.from(await engine.countClasses(BASE_PFN, WINDOW_END_PFN));
    expect(Array.from(await engine.countClasses(WINDOW_END_PFN, WINDOW_END_PFN))).toEqual(new Array(NR_PAGE_CLASSES).fill(0));
    expect(await engine.findNext(BASE_PFN, BASE_PFN, ALL_CLASSES)).toBe(-1);
    await engine.setClass(WINDOW_END_PFN, WINDOW_END_PFN, 3);
    expect(await engine.readClasses(WINDOW_END_PFN, 0)).toHaveLength(0);
    expect(Array.from(await engine.countClasses(BASE_PFN, WINDOW_END_PFN))).toEqual(total);
  });
});
