/**
 * countTagged, claimTagged and retagPageblocks refuse bad input the way the
 * other calls do, each check in the contract's order, and change nothing:
 * wrong JavaScript types, the range ladder (E_ARG, E_RANGE, E_ORDER), then
 * each argument in parameter order (counts, classes, claim mode, tag bits,
 * migratetype, class mask), then E_NOSPC for a claim the filter and the
 * per-pageblock limit cannot serve.
 */
import { describe, test } from 'vitest';
import { ClaimMode, MIGRATETYPE_MASK, Migratetype, NR_PAGE_CLASSES, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { BASE_PFN, WINDOW_END_PFN, buildFixture, expectRefused, sectionPfn } from './fixture.js';

const NOT_COUNTS = [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53];
const NOT_TAG_BITS = [8, 0xff, -1, 0.5, Number.NaN];
const NOT_CLASS_MASKS = [0x100, 0x1ff, -1, 0.5, Number.NaN];
const { LOWEST, RANDOM_PAGEBLOCK } = ClaimMode;
const S0 = sectionPfn(0);
const S1 = sectionPfn(1);

/** claimTagged over section 0 with one argument replaced. */
function claimWith(engine: EngineApi, index: number, value: unknown): number {
  const args: unknown[] = [S0, S1, 1, PageClass.FREE, PageClass.USER, LOWEST, 0, MIGRATETYPE_MASK, Migratetype.MOVABLE, 0];
  args[index] = value;
  return (engine.claimTagged as (...a: unknown[]) => number)(...args);
}

/** retagPageblocks over section 0 with one argument replaced. */
function retagWith(engine: EngineApi, index: number, value: unknown): unknown {
  const args: unknown[] = [S0, S1, 4, MIGRATETYPE_MASK, Migratetype.MOVABLE, Migratetype.UNMOVABLE, 1 << PageClass.FREE, 256];
  args[index] = value;
  return (engine.retagPageblocks as (...a: unknown[]) => unknown)(...args);
}

describe.each(ENGINE_CASES)('%s engine: bad input to the tag-aware calls', (_kind, factory) => {
  test('arguments of the wrong JavaScript type: E_ARG naming them', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.countTagged(S0, S1, 1, '3' as never, 1), 'E_ARG', 'tagMask');
    await expectRefused(engine, () => claimWith(engine, 9, null), 'E_ARG', 'maxPerPageblock');
    await expectRefused(engine, () => claimWith(engine, 6, 7n), 'E_ARG', 'seed');
    await expectRefused(engine, () => retagWith(engine, 6, true), 'E_ARG', 'goodMask');
    await expectRefused(engine, () => (engine.retagPageblocks as (...a: unknown[]) => unknown)(S0, S1, 1, 0, 0, 1, 1), 'E_ARG', 'minGood');
  });

  test('the range first: E_ARG, E_RANGE, E_ORDER, before any other argument', async () => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => engine.countTagged(Number.NaN, S1, -1, 99, 99), 'E_ARG', 'startPfn');
    await expectRefused(engine, () => engine.countTagged(BASE_PFN - 1, S1, -1, 99, 99), 'E_RANGE', 'startPfn');
    await expectRefused(engine, () => claimWith(engine, 1, WINDOW_END_PFN + 1), 'E_RANGE', 'endPfn');
    await expectRefused(engine, () => engine.claimTagged(S1, S0, -1, 99, 99, 9, 0, 99, 99, -1), 'E_ORDER', 'endPfn');
    await expectRefused(engine, () => engine.retagPageblocks(S1, S0 + 1, -1, 99, 99, 99, -1, -1), 'E_ORDER', 'endPfn');
  });

  test('countTagged: mask, then tagMask, then tagValue', async () => {
    const engine = await buildFixture(factory);
    for (const mask of NOT_CLASS_MASKS) await expectRefused(engine, () => engine.countTagged(S0, S1, mask, 99, 99), 'E_ARG', 'mask');
    for (const bits of NOT_TAG_BITS) {
      await expectRefused(engine, () => engine.countTagged(S0, S1, 1, bits, 99), 'E_ARG', 'tagMask');
      await expectRefused(engine, () => engine.countTagged(S0, S1, 1, 3, bits), 'E_ARG', 'tagValue');
    }
  });

  test('claimTagged: nrPages, classes, mode, then tagMask, tagValue, maxPerPageblock', async () => {
    const engine = await buildFixture(factory);
    for (const n of NOT_COUNTS) await expectRefused(engine, () => engine.claimTagged(S0, S1, n, 99, 99, 9, 0, 99, 99, -1), 'E_ARG', 'nrPages');
    for (const cls of [NR_PAGE_CLASSES, -1, 1.5]) {
      await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, cls, 99, 9, 0, 99, 99, -1), 'E_CLASS', 'fromCls');
      await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, 0, cls, 9, 0, 99, 99, -1), 'E_CLASS', 'toCls');
    }
    for (const mode of [2, -1, 0.5]) await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, 0, 1, mode, 0, 99, 99, -1), 'E_ARG', 'mode');
    for (const bits of NOT_TAG_BITS) {
      await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, 0, 1, LOWEST, 0, bits, 99, -1), 'E_ARG', 'tagMask');
      await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, 0, 1, LOWEST, 0, 3, bits, -1), 'E_ARG', 'tagValue');
    }
    for (const limit of NOT_COUNTS) await expectRefused(engine, () => claimWith(engine, 9, limit), 'E_ARG', 'maxPerPageblock');
  });

  test('retagPageblocks: maxBlocks, tagMask, tagValue, newMt, goodMask, then minGood', async () => {
    const engine = await buildFixture(factory);
    for (const n of NOT_COUNTS) await expectRefused(engine, () => engine.retagPageblocks(S0, S1, n, 99, 99, 99, -1, -1), 'E_ARG', 'maxBlocks');
    for (const bits of NOT_TAG_BITS) {
      await expectRefused(engine, () => engine.retagPageblocks(S0, S1, 1, bits, 99, 99, -1, -1), 'E_ARG', 'tagMask');
      await expectRefused(engine, () => engine.retagPageblocks(S0, S1, 1, 3, bits, 99, -1, -1), 'E_ARG', 'tagValue');
    }
    for (const mt of [3, 4, -1, 1.5, Number.NaN]) await expectRefused(engine, () => engine.retagPageblocks(S0, S1, 1, 3, 1, mt, -1, -1), 'E_ARG', 'newMt');
    for (const mask of NOT_CLASS_MASKS) await expectRefused(engine, () => engine.retagPageblocks(S0, S1, 1, 3, 1, 0, mask, -1), 'E_ARG', 'goodMask');
    for (const n of NOT_COUNTS) await expectRefused(engine, () => retagWith(engine, 7, n), 'E_ARG', 'minGood');
  });

  test('claimTagged: E_NOSPC when the filter or the limit leaves too few pages, in both modes', async () => {
    const engine = await buildFixture(factory);
    for (const mode of [LOWEST, RANDOM_PAGEBLOCK]) {
      const slabUnmovable = await engine.countTagged(S0, sectionPfn(3), 1 << PageClass.SLAB, MIGRATETYPE_MASK, Migratetype.UNMOVABLE);
      const call = (n: number, limit: number) =>
        engine.claimTagged(S0, sectionPfn(3), n, PageClass.SLAB, PageClass.FREE, mode, 3, MIGRATETYPE_MASK, Migratetype.MOVABLE, limit);
      // The fixture's SLAB pages all lie in MOVABLE pageblocks of section 0: 900 pages, pageblocks 0 and 1.
      await expectRefused(engine, () => call(901, 0), 'E_NOSPC', 'nrPages');
      await expectRefused(engine, () => call(2 * 40 + 1, 40), 'E_NOSPC', 'nrPages');
      await expectRefused(
        engine,
        () => engine.claimTagged(S0, sectionPfn(3), slabUnmovable + 1, PageClass.SLAB, PageClass.FREE, mode, 3, MIGRATETYPE_MASK, Migratetype.UNMOVABLE, 0),
        'E_NOSPC',
        'nrPages',
      );
      // A tag value outside the mask matches no pageblock; an absent section holds no page.
      await expectRefused(engine, () => engine.claimTagged(S0, S1, 1, 0, 1, mode, 0, MIGRATETYPE_MASK, 4, 0), 'E_NOSPC', 'nrPages');
      await expectRefused(engine, () => engine.claimTagged(sectionPfn(3), sectionPfn(4), 1, 0, 1, mode, 0, 0, 0, 0), 'E_NOSPC', 'nrPages');
    }
  });
});
