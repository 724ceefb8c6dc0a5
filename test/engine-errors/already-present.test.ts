/**
 * Adding a section that is already present, or relocating a page onto a frame
 * that already holds a relocated page, is refused with E_EXISTS and changes
 * nothing: not even the sections or frames of the range that were free.
 */
import { describe, test } from 'vitest';
import { PageClass } from '../../src/contract/constants.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import {
  FAR_IN_NEW_PFN,
  FAR_IN_OLD_PFN,
  FAR_IN_PAGES,
  REMAP_NEW_PFN,
  REMAP_OLD_PFN,
  REMAP_PAGES,
  buildFixture,
  expectRefused,
  sectionPfn,
} from './fixture.js';

describe.each(ENGINE_CASES)('%s engine: already present', (_kind, factory) => {
  test('addSections over a present section: E_EXISTS startPfn', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.addSections(sectionPfn(0), sectionPfn(1), 0, PageClass.FREE, 0, 0), 'E_EXISTS', 'startPfn');
  });

  test('addSections over absent sections with one present among them: E_EXISTS, none added', async () => {
    const engine = await buildFixture(factory);
    // Sections 3 and 5 are absent, 4 is present.
    await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(6), 2, PageClass.SLAB, 0, 0), 'E_EXISTS', 'startPfn');
  });

  test('remap onto a frame that already holds a relocated page: E_EXISTS newStartPfn', async () => {
    const engine = await buildFixture(factory);
    const otherOldPfn = sectionPfn(1) + 64;
    // Only the first frame of the new range is taken (by the fixture's last relocated page).
    const newStartPfn = REMAP_NEW_PFN + REMAP_PAGES - 1;
    await expectRefused(engine, () => engine.remap(otherOldPfn, 4, newStartPfn), 'E_EXISTS', 'newStartPfn');
  });

  test('remapping a page again onto the frame it already occupies: E_EXISTS newStartPfn', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remap(REMAP_OLD_PFN, 1, REMAP_NEW_PFN), 'E_EXISTS', 'newStartPfn');
  });

  test('remapIn onto a frame holding a page of this window or of another shard: E_EXISTS newStartPfn', async () => {
    const engine = await buildFixture(factory);
    const otherFarPfn = FAR_IN_OLD_PFN + 1000;
    await expectRefused(engine, () => engine.remapIn(REMAP_NEW_PFN - 3, 4, otherFarPfn), 'E_EXISTS', 'newStartPfn');
    await expectRefused(engine, () => engine.remapIn(FAR_IN_NEW_PFN + FAR_IN_PAGES - 1, 2, otherFarPfn), 'E_EXISTS', 'newStartPfn');
  });

  test('remap onto a frame holding another shard\'s page: E_EXISTS newStartPfn', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.remap(sectionPfn(1) + 64, 3, FAR_IN_NEW_PFN - 2), 'E_EXISTS', 'newStartPfn');
  });
});
