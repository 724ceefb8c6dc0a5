/**
 * A claim for more pages of a class than the range holds is refused with
 * E_NOSPC naming nrPages, in both modes, before any page moves: a claim that
 * could have been partly served leaves every page where it was.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, PageClass } from '../../src/contract/constants.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { buildFixture, expectRefused, sectionPfn } from './fixture.js';

const MODES = [
  ['LOWEST', ClaimMode.LOWEST],
  ['RANDOM_PAGEBLOCK', ClaimMode.RANDOM_PAGEBLOCK],
] as const;

describe.each(ENGINE_CASES)('%s engine: not enough pages to claim', (_kind, factory) => {
  test.each(MODES)('%s: one page more than the range holds', async (_name, mode) => {
    const engine = await buildFixture(factory);
    const startPfn = sectionPfn(0);
    const endPfn = sectionPfn(2) + 700;
    const available = await engine.count(startPfn, endPfn, 1 << PageClass.SLAB);
    expect(available).toBeGreaterThan(0);
    const call = () => engine.claim(startPfn, endPfn, available + 1, PageClass.SLAB, PageClass.FREE, mode, 7);
    await expectRefused(engine, call, 'E_NOSPC', 'nrPages');
  });

  test.each(MODES)('%s: a range of absent sections holds no pages', async (_name, mode) => {
    const engine = await buildFixture(factory);
    const call = () => engine.claim(sectionPfn(3), sectionPfn(4), 1, PageClass.FREE, PageClass.USER, mode, 1);
    await expectRefused(engine, call, 'E_NOSPC', 'nrPages');
  });

  test.each(MODES)('%s: a class the range does not hold at all', async (_name, mode) => {
    const engine = await buildFixture(factory);
    const call = () => engine.claim(sectionPfn(4), sectionPfn(5), 1, PageClass.VMEMMAP, PageClass.FREE, mode, 3);
    await expectRefused(engine, call, 'E_NOSPC', 'nrPages');
  });

  test('an empty range with pages asked for', async () => {
    const engine = await buildFixture(factory);
    const pfn = sectionPfn(1) + 5;
    const call = () => engine.claim(pfn, pfn, 1, PageClass.FREE, PageClass.USER, ClaimMode.LOWEST, 0);
    await expectRefused(engine, call, 'E_NOSPC', 'nrPages');
  });
});
