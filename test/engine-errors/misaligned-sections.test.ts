/**
 * addSections and removeSections work on whole sections: an end that is not
 * section aligned is refused with E_ALIGN naming it (startPfn first), after
 * the range checks and before the other arguments, and nothing changes.
 */
import { describe, test } from 'vitest';
import { PAGES_PER_PAGEBLOCK } from '../../src/contract/constants.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { buildFixture, expectRefused, sectionPfn } from './fixture.js';

const OFFSETS = [1, PAGES_PER_PAGEBLOCK, -1];

describe.each(ENGINE_CASES)('%s engine: ranges that are not section aligned', (_kind, factory) => {
  test.each(OFFSETS)('addSections with startPfn off by %d: E_ALIGN startPfn', async (offset) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.addSections(sectionPfn(3) + offset, sectionPfn(4), 0, 0, 0, 0), 'E_ALIGN', 'startPfn');
  });

  test.each(OFFSETS)('addSections with endPfn off by %d: E_ALIGN endPfn', async (offset) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4) + offset, 0, 0, 0, 0), 'E_ALIGN', 'endPfn');
  });

  test.each(OFFSETS)('removeSections with an end off by %d: E_ALIGN naming it', async (offset) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.removeSections(sectionPfn(1) + offset, sectionPfn(2)), 'E_ALIGN', 'startPfn');
    await expectRefused(engine, () => engine.removeSections(sectionPfn(1), sectionPfn(2) + offset), 'E_ALIGN', 'endPfn');
  });

  test('both ends unaligned name startPfn; alignment comes before the other arguments and presence', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.addSections(sectionPfn(3) + 1, sectionPfn(4) + 1, 0, 0, 0, 0), 'E_ALIGN', 'startPfn');
    // Unknown class and bad node, yet the alignment is named.
    await expectRefused(engine, () => engine.addSections(sectionPfn(3), sectionPfn(4) + 1, 5000, 99, 0, 0), 'E_ALIGN', 'endPfn');
    // Over present sections (E_EXISTS) and absent ones (E_NOT_PRESENT), alignment first.
    await expectRefused(engine, () => engine.addSections(sectionPfn(0) + 1, sectionPfn(1), 0, 0, 0, 0), 'E_ALIGN', 'startPfn');
    await expectRefused(engine, () => engine.removeSections(sectionPfn(3) + 1, sectionPfn(4)), 'E_ALIGN', 'startPfn');
  });
});
