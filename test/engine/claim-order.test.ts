/**
 * claim(): LOWEST takes pages in pfn order; RANDOM_PAGEBLOCK visits the
 * range's pageblocks in the order of pageblockOrder() and takes the lowest
 * pages of each. Expected pages come from a dense model driven by the same
 * order generator, never from the engine.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { pageblockOrder } from '../../src/contract/permute.js';
import { Prng } from '../helpers/prng.js';
import { DenseClasses, firstDifference } from './dense-model.js';

const BASE_PFN = 2 ** 35;
const NR_PAGES = 4 * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;

/** Applies a claim to the model; returns the highest changed pfn + 1. */
function modelClaim(
  model: DenseClasses,
  startPfn: number,
  endPfn: number,
  nrPages: number,
  fromCls: number,
  toCls: number,
  mode: number,
  seed: number,
): number {
  let left = nrPages;
  let highest = -1;
  const take = (a: number, b: number): void => {
    for (let pfn = a; pfn < b && left > 0; pfn++) {
      if (model.classAt(pfn) !== fromCls) continue;
      model.setAt(pfn, toCls);
      highest = Math.max(highest, pfn);
      left--;
    }
  };
  if (nrPages === 0) return 0;
  if (mode === ClaimMode.LOWEST) {
    take(startPfn, endPfn);
  } else {
    const firstBlock = Math.floor(startPfn / PAGES_PER_PAGEBLOCK);
    const lastBlock = Math.floor((endPfn - 1) / PAGES_PER_PAGEBLOCK);
    for (const k of pageblockOrder(lastBlock - firstBlock + 1, seed)) {
      const blockPfn = (firstBlock + k) * PAGES_PER_PAGEBLOCK;
      take(Math.max(startPfn, blockPfn), Math.min(endPfn, blockPfn + PAGES_PER_PAGEBLOCK));
      if (left === 0) break;
    }
  }
  return highest + 1;
}

async function mixedMachine(seed: number) {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  const model = new DenseClasses(BASE_PFN, NR_PAGES);
  engine.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  model.addSections(BASE_PFN, END_PFN, PageClass.FREE);
  const rng = new Prng(seed);
  for (let i = 0; i < 150; i++) {
    const a = BASE_PFN + rng.int(0, NR_PAGES);
    const b = Math.min(END_PFN, a + rng.skewedLength(3000));
    const cls = rng.pick([PageClass.USER, PageClass.SLAB, PageClass.FREE]);
    engine.setClass(a, b, cls);
    model.setClass(a, b, cls);
  }
  return { engine, model, rng };
}

describe('claim', () => {
  test('LOWEST takes the lowest free pages of an unaligned range', async () => {
    const { engine, model } = await mixedMachine(1);
    const startPfn = BASE_PFN + PAGES_PER_SECTION - 77;
    const endPfn = END_PFN - 1234;
    const nrPages = 50_000;
    const want = modelClaim(model, startPfn, endPfn, nrPages, PageClass.FREE, PageClass.USER, ClaimMode.LOWEST, 0);
    expect(engine.claim(startPfn, endPfn, nrPages, PageClass.FREE, PageClass.USER, ClaimMode.LOWEST, 0)).toBe(want);
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), model.classes)).toBe(-1);
    engine.validate();
  });

  test.each([1, 2, 3, 0xdeadbeef])('RANDOM_PAGEBLOCK follows pageblockOrder for seed %i', async (seed) => {
    const { engine, model, rng } = await mixedMachine(seed);
    for (let round = 0; round < 6; round++) {
      const startPfn = BASE_PFN + rng.int(0, NR_PAGES / 2);
      const endPfn = startPfn + rng.int(1, NR_PAGES / 2);
      const available = model.countClasses(startPfn, endPfn)[PageClass.FREE]!;
      const nrPages = rng.int(0, available + 1);
      const want = modelClaim(model, startPfn, endPfn, nrPages, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, seed + round);
      const got = engine.claim(startPfn, endPfn, nrPages, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, seed + round);
      expect(got).toBe(want);
      expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), model.classes)).toBe(-1);
      engine.validate();
    }
  });

  test('asking for more pages than the range holds is E_NOSPC and changes nothing', async () => {
    const { engine, model } = await mixedMachine(5);
    const available = model.countClasses(BASE_PFN, END_PFN)[PageClass.SLAB]!;
    for (const mode of [ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK]) {
      expect(() => engine.claim(BASE_PFN, END_PFN, available + 1, PageClass.SLAB, PageClass.FREE, mode, 9)).toThrow(
        expect.objectContaining({ code: 'E_NOSPC', arg: 'nrPages' }),
      );
    }
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), model.classes)).toBe(-1);
    // Exactly all of them works, and empties the class.
    expect(engine.claim(BASE_PFN, END_PFN, available, PageClass.SLAB, PageClass.FREE, ClaimMode.RANDOM_PAGEBLOCK, 9)).toBeGreaterThan(0);
    expect(engine.countClasses(BASE_PFN, END_PFN)[PageClass.SLAB]).toBe(0);
    expect(engine.claim(BASE_PFN, END_PFN, 0, PageClass.SLAB, PageClass.FREE, ClaimMode.LOWEST, 0)).toBe(0);
    engine.validate();
  });

  test('a claim across a large uniform window splits only the sections it touches', async () => {
    const nrPages = 2 ** 24;
    const engine = await createEngine({ basePfn: 0, nrPages });
    engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const end = engine.claim(0, nrPages, 1000, PageClass.FREE, PageClass.USER, ClaimMode.RANDOM_PAGEBLOCK, 42);
    expect(engine.count(0, nrPages, 1 << PageClass.USER)).toBe(1000);
    expect(end).toBeGreaterThan(0);
    // 1000 pages fit in two pageblocks: at most two sections and two pageblocks become mixed.
    const stats = engine.representationStats();
    expect(stats.mixedSections).toBeLessThanOrEqual(2);
    expect(stats.mixedPageblocks).toBeLessThanOrEqual(1);
    engine.validate();
  });
});
