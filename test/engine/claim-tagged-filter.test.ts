/**
 * claimTagged takes pages only from the pageblocks whose tag passes the
 * filter, in pfn order or in the seeded pageblock order of claim, and never
 * changes a tag; with no filter and no limit it is claim() exactly.
 */
import { describe, expect, test } from 'vitest';
import {
  ClaimMode,
  MIGRATETYPE_MASK,
  Migratetype,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  classBit,
} from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { pageblockOrder } from '../../src/contract/permute.js';
import { ENGINE_CASES, type EngineCase } from '../helpers/engines.js';
import { Prng } from '../helpers/prng.js';
import { firstDifference } from './dense-model.js';

const BASE_PFN = 2 ** 34 + 5 * PAGES_PER_SECTION;
const NR_PAGES = 2 * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;
const NR_PAGEBLOCKS = NR_PAGES / PAGES_PER_PAGEBLOCK;
const UNMOVABLE_PBS = [2, 7, 70, 100];

function pbPfn(pb: number): number {
  return BASE_PFN + pb * PAGES_PER_PAGEBLOCK;
}

/** FREE and MOVABLE, but for the UNMOVABLE pageblocks of UNMOVABLE_PBS. */
async function build(factory: EngineCase): Promise<EngineApi> {
  const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
  await engine.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  for (const pb of UNMOVABLE_PBS) await engine.setMigratetype(pbPfn(pb), pbPfn(pb + 1), Migratetype.UNMOVABLE);
  return engine;
}

/** SLAB pages per pageblock. */
async function slabPerPageblock(engine: EngineApi): Promise<number[]> {
  const classes = await engine.readClasses(BASE_PFN, NR_PAGES);
  const out = new Array<number>(NR_PAGEBLOCKS).fill(0);
  classes.forEach((cls, i) => {
    if (cls === PageClass.SLAB) out[Math.floor(i / PAGES_PER_PAGEBLOCK)]!++;
  });
  return out;
}

describe.each(ENGINE_CASES)('%s engine: claimTagged with a tag filter', (_kind, factory) => {
  test('LOWEST takes the lowest pages of the matching pageblocks only, and no tag changes', async () => {
    const engine = await build(factory);
    const tags = await engine.readPageblockTags(BASE_PFN, NR_PAGEBLOCKS);
    const end = await engine.claimTagged(BASE_PFN, END_PFN, 600, PageClass.FREE, PageClass.SLAB, ClaimMode.LOWEST, 0, MIGRATETYPE_MASK, Migratetype.UNMOVABLE, 0);
    // All of pageblock 2, then the lowest 88 pages of pageblock 7.
    expect(end).toBe(pbPfn(7) + 88);
    const slab = await slabPerPageblock(engine);
    expect(slab[2]).toBe(512);
    expect(slab[7]).toBe(88);
    expect(slab.reduce((a, b) => a + b, 0)).toBe(600);
    expect(await engine.findNext(pbPfn(7), pbPfn(8), classBit(PageClass.SLAB))).toBe(pbPfn(7));
    expect(await engine.readPageblockTags(BASE_PFN, NR_PAGEBLOCKS)).toEqual(tags);
    await engine.validate();
  });

  test.each([1, 2, 0xc0ffee])('RANDOM_PAGEBLOCK visits the matching pageblocks in pageblockOrder (seed %i)', async (seed) => {
    const engine = await build(factory);
    const startPfn = pbPfn(1) + 300;
    const nrPages = 1300;
    // claim's numbering: every pageblock intersecting the range, from the lowest.
    const firstPb = 1;
    const nrPbs = NR_PAGEBLOCKS - firstPb;
    let left = nrPages;
    let highest = -1;
    const want = new Array<number>(NR_PAGEBLOCKS).fill(0);
    for (const k of pageblockOrder(nrPbs, seed)) {
      const pb = firstPb + k;
      if (!UNMOVABLE_PBS.includes(pb) || left === 0) continue;
      const take = Math.min(PAGES_PER_PAGEBLOCK, left);
      want[pb] = take;
      highest = Math.max(highest, pbPfn(pb) + take - 1);
      left -= take;
    }
    const end = await engine.claimTagged(startPfn, END_PFN, nrPages, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, seed, MIGRATETYPE_MASK, Migratetype.UNMOVABLE, 0);
    expect(end).toBe(highest + 1);
    expect(await slabPerPageblock(engine)).toEqual(want);
    await engine.validate();
  });

  test('fewer matching pages than asked is E_NOSPC, though the range holds plenty', async () => {
    const engine = await build(factory);
    const call = (nrPages: number) =>
      engine.claimTagged(BASE_PFN, END_PFN, nrPages, PageClass.FREE, PageClass.SLAB, ClaimMode.LOWEST, 0, MIGRATETYPE_MASK, Migratetype.UNMOVABLE, 0);
    await expect(async () => call(4 * 512 + 1)).rejects.toMatchObject({ code: 'E_NOSPC', arg: 'nrPages' });
    expect(await engine.count(BASE_PFN, END_PFN, classBit(PageClass.SLAB))).toBe(0);
    expect(await call(4 * 512)).toBe(pbPfn(101));
    expect(await engine.countTagged(BASE_PFN, END_PFN, classBit(PageClass.SLAB), MIGRATETYPE_MASK, Migratetype.UNMOVABLE)).toBe(4 * 512);
  });

  test('with no filter and no limit it is claim(), in both modes', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      const a = await build(factory);
      const b = await build(factory);
      const rng = new Prng(seed);
      for (const engine of [a, b]) {
        const fill = new Prng(seed);
        for (let i = 0; i < 40; i++) {
          const pfn = BASE_PFN + fill.int(0, NR_PAGES - 2000);
          await engine.setClass(pfn, pfn + fill.int(1, 2000), fill.pick([PageClass.USER, PageClass.SLAB_RECLAIMABLE, PageClass.PINNED]));
        }
      }
      for (let round = 0; round < 5; round++) {
        const startPfn = BASE_PFN + rng.int(0, NR_PAGES / 2);
        const endPfn = startPfn + rng.int(0, NR_PAGES / 2);
        const nrPages = rng.int(0, (await a.count(startPfn, endPfn, classBit(PageClass.FREE))) + 1);
        const mode = rng.pick([ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK]);
        const want = await a.claim(startPfn, endPfn, nrPages, PageClass.FREE, PageClass.USER, mode, round);
        expect(await b.claimTagged(startPfn, endPfn, nrPages, PageClass.FREE, PageClass.USER, mode, round, 0, 0, 0)).toBe(want);
        expect(firstDifference(await b.readClasses(BASE_PFN, NR_PAGES), await a.readClasses(BASE_PFN, NR_PAGES))).toBe(-1);
      }
      await b.validate();
    }
  });
});
