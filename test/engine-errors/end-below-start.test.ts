/**
 * A range whose end is below its start is refused with E_ORDER naming endPfn,
 * after the E_ARG and E_RANGE checks and before every other check, and
 * changes nothing.
 */
import { describe, test } from 'vitest';
import { PAGES_PER_SECTION } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { BASE_PFN, WINDOW_END_PFN, buildFixture, expectRefused, sectionPfn } from './fixture.js';

type RangeCall = (engine: EngineApi, startPfn: number, endPfn: number) => unknown;

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

describe.each(ENGINE_CASES)('%s engine: end below start', (_kind, factory) => {
  test.each(RANGE_CALLS)('%s with endPfn one below startPfn: E_ORDER endPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    const startPfn = sectionPfn(1) + 10;
    await expectRefused(engine, () => call(engine, startPfn, startPfn - 1), 'E_ORDER', 'endPfn');
  });

  test.each(RANGE_CALLS)('%s with section-aligned reversed ends: E_ORDER endPfn', async (_name, call) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => call(engine, WINDOW_END_PFN, BASE_PFN), 'E_ORDER', 'endPfn');
  });

  test.each(RANGE_CALLS)('%s: a start below the window is named before the order', async (_name, call) => {
    const engine = await buildFixture(factory);
    const startPfn = BASE_PFN - PAGES_PER_SECTION;
    await expectRefused(engine, () => call(engine, startPfn, startPfn - PAGES_PER_SECTION), 'E_RANGE', 'startPfn');
  });

  test('the order is checked before alignment, classes and presence', async () => {
    const engine = await buildFixture(factory);
    // Unaligned and reversed: the order wins over E_ALIGN.
    await expectRefused(engine, () => engine.addSections(sectionPfn(3) + 1, sectionPfn(3), 0, 0, 0, 0), 'E_ORDER', 'endPfn');
    // Reversed with an unknown class: the order wins over E_CLASS.
    await expectRefused(engine, () => engine.setClass(sectionPfn(1) + 9, sectionPfn(1), 99), 'E_ORDER', 'endPfn');
    // Reversed over an absent section: the order wins over E_NOT_PRESENT.
    await expectRefused(engine, () => engine.setClass(sectionPfn(3) + 9, sectionPfn(3), 1), 'E_ORDER', 'endPfn');
    // Reversed with a bad mask: the order wins over E_ARG on the mask.
    await expectRefused(engine, () => engine.count(sectionPfn(1) + 9, sectionPfn(1), 0x100), 'E_ORDER', 'endPfn');
  });
});
