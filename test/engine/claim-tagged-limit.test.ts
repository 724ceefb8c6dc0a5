/**
 * claimTagged's per-pageblock limit: no pageblock gives one call more than
 * maxPerPageblock pages, and E_NOSPC is exactly "the sum over the eligible
 * pageblocks of min(what each holds in the range, the limit) is below
 * nrPages". A limit spreads a claim thinly (a calibrated fragmented workload).
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
import { createEngine } from '../../src/engine/index.js';
import { ENGINE_CASES } from '../helpers/engines.js';

const BASE_PFN = 2 ** 33;
const NR_PAGES = PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;
const NR_PAGEBLOCKS = NR_PAGES / PAGES_PER_PAGEBLOCK;
const { LOWEST, RANDOM_PAGEBLOCK } = ClaimMode;

function pbPfn(pb: number): number {
  return BASE_PFN + pb * PAGES_PER_PAGEBLOCK;
}

/** Pages of class `cls` in each pageblock of the window. */
async function perPageblock(engine: EngineApi, cls: number): Promise<number[]> {
  const out: number[] = [];
  for (let pb = 0; pb < NR_PAGEBLOCKS; pb++) out.push(await engine.count(pbPfn(pb), pbPfn(pb + 1), 1 << cls));
  return out;
}

describe.each(ENGINE_CASES)('%s engine: claimTagged with a per-pageblock limit', (_kind, factory) => {
  async function freeWindow(): Promise<EngineApi> {
    const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
    await engine.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    return engine;
  }

  test('LOWEST: at most the limit from each pageblock, lowest pageblocks first', async () => {
    const engine = await freeWindow();
    expect(await engine.claimTagged(BASE_PFN, END_PFN, 20, PageClass.FREE, PageClass.SLAB, LOWEST, 0, 0, 0, 8)).toBe(pbPfn(2) + 4);
    const want = new Array<number>(NR_PAGEBLOCKS).fill(0);
    want[0] = 8;
    want[1] = 8;
    want[2] = 4;
    expect(await perPageblock(engine, PageClass.SLAB)).toEqual(want);
    await engine.validate();
  });

  test('RANDOM_PAGEBLOCK: a limit spreads the claim over many pageblocks', async () => {
    const engine = await freeWindow();
    await engine.claimTagged(BASE_PFN, END_PFN, 4 * 40, PageClass.FREE, PageClass.PGTABLE, RANDOM_PAGEBLOCK, 77, 0, 0, 4);
    const pgtable = await perPageblock(engine, PageClass.PGTABLE);
    expect(pgtable.filter((n) => n === 4)).toHaveLength(40);
    expect(pgtable.filter((n) => n !== 0 && n !== 4)).toHaveLength(0);
    // The limit bounds one call's takes, not what a pageblock holds: a second
    // call takes up to 4 again from every pageblock, the first 40 included.
    await engine.claimTagged(BASE_PFN, END_PFN, 4 * 64, PageClass.FREE, PageClass.PGTABLE, RANDOM_PAGEBLOCK, 78, 0, 0, 4);
    expect(await perPageblock(engine, PageClass.PGTABLE)).toEqual(pgtable.map((n) => n + 4));
    await engine.validate();
  });

  test('E_NOSPC is the sum over pageblocks of min(pages in the range, limit)', async () => {
    for (const mode of [LOWEST, RANDOM_PAGEBLOCK]) {
      // USER background; FREE: 3 pages in pageblock 0, 100 in 1, all of 2, 300 in 3 (UNMOVABLE).
      const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_PAGES });
      await engine.addSections(BASE_PFN, END_PFN, 0, PageClass.USER, Migratetype.MOVABLE, 0);
      await engine.setClass(pbPfn(0) + 9, pbPfn(0) + 12, PageClass.FREE);
      await engine.setClass(pbPfn(1) + 400, pbPfn(1) + 500, PageClass.FREE);
      await engine.setClass(pbPfn(2), pbPfn(3), PageClass.FREE);
      await engine.setClass(pbPfn(3), pbPfn(3) + 300, PageClass.FREE);
      await engine.setMigratetype(pbPfn(3), pbPfn(4), Migratetype.UNMOVABLE);
      const claim = (startPfn: number, nrPages: number, tagMask: number, tagValue: number) =>
        engine.claimTagged(startPfn, END_PFN, nrPages, PageClass.FREE, PageClass.USER, mode, 5, tagMask, tagValue, 50);
      // 3 + 50 + 50 + 50 can be taken, not one more.
      await expect(async () => claim(BASE_PFN, 154, 0, 0)).rejects.toMatchObject({ code: 'E_NOSPC', arg: 'nrPages' });
      // MOVABLE pageblocks only: 3 + 50 + 50. From pageblock 1's last 60 pages on: 50 of 60 in pageblock 1, 50, then 50 (UNMOVABLE).
      await expect(async () => claim(BASE_PFN, 104, MIGRATETYPE_MASK, Migratetype.MOVABLE)).rejects.toMatchObject({ code: 'E_NOSPC' });
      await expect(async () => claim(pbPfn(1) + 440, 151, 0, 0)).rejects.toMatchObject({ code: 'E_NOSPC' });
      expect(await engine.count(BASE_PFN, END_PFN, classBit(PageClass.FREE))).toBe(3 + 100 + 512 + 300);
      expect(await claim(BASE_PFN, 153, 0, 0)).toBeGreaterThan(0);
      expect(await engine.count(BASE_PFN, END_PFN, classBit(PageClass.FREE))).toBe(3 + 100 + 512 + 300 - 153);
      await engine.validate();
    }
  });

  test('a limit of 512 or more is no limit', async () => {
    const engine = await freeWindow();
    expect(await engine.claimTagged(BASE_PFN, END_PFN, 1000, PageClass.FREE, PageClass.USER, LOWEST, 0, 0, 0, 512)).toBe(BASE_PFN + 1000);
    expect(await engine.claimTagged(BASE_PFN, END_PFN, 1000, PageClass.FREE, PageClass.USER, LOWEST, 0, 0, 0, 2 ** 40)).toBe(BASE_PFN + 2000);
  });
});

test('WASM: when the cheap record bound does not fit, the exact plan lets a claim that needs no record through', async () => {
  const nrPages = 16 * PAGES_PER_SECTION;
  const engine = await createEngine({ basePfn: 0, nrPages, maxBytes: 5 * 65536 }, 'debug');
  engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  // One SLAB page per pageblock until the engine is full: each such pageblock holds a plane record.
  let filled = 0;
  for (; filled < nrPages / PAGES_PER_PAGEBLOCK; filled++) {
    try {
      engine.setClass(filled * PAGES_PER_PAGEBLOCK, filled * PAGES_PER_PAGEBLOCK + 1, PageClass.SLAB);
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_FULL' });
      break;
    }
  }
  expect(filled).toBeGreaterThan(100);
  const endPfn = filled * PAGES_PER_PAGEBLOCK;
  // 3 pages from each of 100 mixed pageblocks: the bound counts 103 plane records, the takes need none.
  expect(engine.claimTagged(0, endPfn, 300, PageClass.FREE, PageClass.USER, RANDOM_PAGEBLOCK, 4, 0, 0, 3)).toBeGreaterThan(0);
  expect(engine.claimTagged(0, endPfn, 300, PageClass.FREE, PageClass.USER, LOWEST, 0, 0, 0, 3)).toBeGreaterThan(99 * PAGES_PER_PAGEBLOCK);
  expect(engine.count(0, endPfn, classBit(PageClass.USER))).toBe(600);
  // Taking pages of the uniform pageblocks beyond needs records it cannot have.
  expect(() => engine.claimTagged(endPfn, nrPages, 300, PageClass.FREE, PageClass.USER, RANDOM_PAGEBLOCK, 4, 0, 0, 3)).toThrow(
    expect.objectContaining({ code: 'E_FULL' }),
  );
  engine.validate();
});

test('WASM: a limited claim over a large uniform window touches only the pageblocks it takes from', async () => {
  const nrPages = 2 ** 24;
  const engine = await createEngine({ basePfn: 0, nrPages }, 'debug');
  engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  engine.claimTagged(0, nrPages, 3000, PageClass.FREE, PageClass.SLAB, RANDOM_PAGEBLOCK, 9, MIGRATETYPE_MASK, Migratetype.MOVABLE, 3);
  expect(engine.count(0, nrPages, classBit(PageClass.SLAB))).toBe(3000);
  expect(engine.representationStats().mixedPageblocks).toBe(1000);
  engine.validate();
});
