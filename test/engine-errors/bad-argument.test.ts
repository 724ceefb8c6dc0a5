/**
 * Argument values no call accepts are refused with E_ARG naming the argument:
 * pfns and counts that are not finite non-negative safe integers, masks with
 * bits beyond their field, out-of-range migratetypes, node and zone ids,
 * section flags the caller may not set, unknown claim modes, maxRuns below 1
 * and intersecting scan masks. Nothing changes.
 */
import { describe, test } from 'vitest';
import { ClaimMode, PageClass, SectionFlag } from '../../src/contract/constants.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import {
  BASE_SECTION_NR,
  FAR_IN_OLD_PFN,
  FAR_OUT_NEW_PFN,
  REMAP_NEW_PFN,
  REMAP_OLD_PFN,
  buildFixture,
  expectRefused,
  sectionPfn,
} from './fixture.js';

const NOT_PFNS = [Number.NaN, -1, -(2 ** 40), 0.5, sectionPfn(1) + 0.25, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 60];

describe.each(ENGINE_CASES)('%s engine: bad argument values', (_kind, factory) => {
  test.each(NOT_PFNS)('startPfn %d: E_ARG startPfn, also when endPfn is bad too', async (pfn) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.setClass(pfn, sectionPfn(1), PageClass.SLAB), 'E_ARG', 'startPfn');
    await expectRefused(engine, () => engine.countClasses(pfn, Number.NaN), 'E_ARG', 'startPfn');
  });

  test.each(NOT_PFNS)('endPfn %d: E_ARG endPfn, before the range checks', async (pfn) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.setClass(sectionPfn(1), pfn, PageClass.SLAB), 'E_ARG', 'endPfn');
    // A start below the window would be E_RANGE, but every value is checked first.
    await expectRefused(engine, () => engine.findNext(0, pfn, 1), 'E_ARG', 'endPfn');
  });

  test('class masks beyond ALL_CLASSES', async () => {
    const engine = await buildFixture(factory);
    for (const mask of [0x100, 0x1ff, -1, 0.5, Number.NaN]) {
      await expectRefused(engine, () => engine.count(sectionPfn(0), sectionPfn(1), mask), 'E_ARG', 'mask');
      await expectRefused(engine, () => engine.findNext(sectionPfn(0), sectionPfn(1), mask), 'E_ARG', 'mask');
      await expectRefused(engine, () => engine.migrateScan(sectionPfn(0), sectionPfn(1), mask, 0, 4), 'E_ARG', 'movableMask');
      await expectRefused(engine, () => engine.migrateScan(sectionPfn(0), sectionPfn(1), 2, mask, 4), 'E_ARG', 'unmovableMask');
    }
  });

  test('migrateScan: intersecting masks name unmovableMask; maxRuns must be an integer >= 1', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.migrateScan(sectionPfn(0), sectionPfn(1), 0b011, 0b110, 4), 'E_ARG', 'unmovableMask');
    for (const maxRuns of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectRefused(engine, () => engine.migrateScan(sectionPfn(0), sectionPfn(1), 2, 4, maxRuns), 'E_ARG', 'maxRuns');
    }
  });

  test('migratetypes outside 0..2', async () => {
    const engine = await buildFixture(factory);
    for (const mt of [3, 4, 5, -1, 1.5]) {
      await expectRefused(engine, () => engine.setMigratetype(sectionPfn(0), sectionPfn(1), mt), 'E_ARG', 'mt');
      await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4), 0, 0, mt, 0), 'E_ARG', 'mt');
    }
  });

  test('node ids outside 0..MAX_NID and zone ids outside 0..255', async () => {
    const engine = await buildFixture(factory);
    for (const nid of [1024, 65535, -1, 0.5]) {
      await expectRefused(engine, () => engine.setSectionNode(sectionPfn(0), sectionPfn(1), nid), 'E_ARG', 'nid');
      await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4), nid, 0, 0, 0), 'E_ARG', 'nid');
    }
    for (const zone of [256, -1, 2.5]) {
      await expectRefused(engine, () => engine.setSectionZone(sectionPfn(0), sectionPfn(1), zone), 'E_ARG', 'zone');
    }
  });

  test('section flags that only the engine owns', async () => {
    const engine = await buildFixture(factory);
    for (const flags of [SectionFlag.PRESENT, SectionFlag.REMAPPED, 1 << 5, -1]) {
      await expectRefused(engine, () => engine.setSectionFlags(sectionPfn(0), sectionPfn(1), flags, 0), 'E_ARG', 'setMask');
      await expectRefused(engine, () => engine.setSectionFlags(sectionPfn(0), sectionPfn(1), 0, flags), 'E_ARG', 'clearMask');
      await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4), 0, 0, 0, flags), 'E_ARG', 'flags');
    }
  });

  test('claim: bad page counts and unknown modes', async () => {
    const engine = await buildFixture(factory);
    for (const nrPages of [-1, 0.5, Number.NaN]) {
      const call = () => engine.claim(sectionPfn(0), sectionPfn(1), nrPages, PageClass.FREE, PageClass.USER, ClaimMode.LOWEST, 0);
      await expectRefused(engine, call, 'E_ARG', 'nrPages');
    }
    for (const mode of [2, -1, 0.5]) {
      const call = () => engine.claim(sectionPfn(0), sectionPfn(1), 1, PageClass.FREE, PageClass.USER, mode, 0);
      await expectRefused(engine, call, 'E_ARG', 'mode');
    }
  });

  test('countPageblocks: mask and value beyond the tag bits', async () => {
    const engine = await buildFixture(factory);
    for (const bits of [8, 0xff, -1, 0.5]) {
      await expectRefused(engine, () => engine.countPageblocks(sectionPfn(0), sectionPfn(1), bits, 0), 'E_ARG', 'mask');
      await expectRefused(engine, () => engine.countPageblocks(sectionPfn(0), sectionPfn(1), 7, bits), 'E_ARG', 'value');
    }
  });

  test('reads: bad starts and counts, and readClasses above 2^24 pages', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.readClasses(Number.NaN, 1), 'E_ARG', 'startPfn');
    await expectRefused(engine, () => engine.readClasses(sectionPfn(0), -1), 'E_ARG', 'nrPages');
    await expectRefused(engine, () => engine.readClasses(sectionPfn(0), 2 ** 24 + 1), 'E_ARG', 'nrPages');
    await expectRefused(engine, () => engine.readPageblockTags(0.5, 1), 'E_ARG', 'startPfn');
    await expectRefused(engine, () => engine.readPageblockTags(sectionPfn(0), 1.5), 'E_ARG', 'nrPageblocks');
    await expectRefused(engine, () => engine.readSections(-1, 1), 'E_ARG', 'startSectionNr');
    await expectRefused(engine, () => engine.readSections(BASE_SECTION_NR, Number.NaN), 'E_ARG', 'count');
  });

  test('remap: each argument in parameter order', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remap(-1, Number.NaN, 0.5), 'E_ARG', 'oldStartPfn');
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN, Number.NaN, 0.5), 'E_ARG', 'nrPages');
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN, 1, REMAP_NEW_PFN + 0.5), 'E_ARG', 'newStartPfn');
  });

  test('remapOut and remapIn: each argument in parameter order', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remapOut(-1, Number.NaN, 0.5), 'E_ARG', 'oldStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 1.5, 0.5), 'E_ARG', 'nrPages');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 1, FAR_OUT_NEW_PFN + 0.5), 'E_ARG', 'newStartPfn');
    await expectRefused(engine, () => engine.remapOut(REMAP_OLD_PFN, 1, 2 ** 53), 'E_ARG', 'newStartPfn');
    await expectRefused(engine, () => engine.remapIn(Number.NaN, -1, 0.5), 'E_ARG', 'newStartPfn');
    await expectRefused(engine, () => engine.remapIn(sectionPfn(1), Number.POSITIVE_INFINITY, 0.5), 'E_ARG', 'nrPages');
    await expectRefused(engine, () => engine.remapIn(sectionPfn(1), 1, -FAR_IN_OLD_PFN), 'E_ARG', 'oldStartPfn');
  });
});
