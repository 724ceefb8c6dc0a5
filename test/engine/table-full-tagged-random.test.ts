/**
 * E_FULL under memory pressure for the tag-aware calls (the harness of
 * full-at-random.ts): random setClass, setMigratetype, claimTagged (filtered,
 * limited) and retagPageblocks calls on a small-maxBytes engine and on the
 * reference. A call refused with E_FULL changed nothing; every other call
 * gives the reference's outcome.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, MIGRATETYPE_MASK, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION } from '../../src/contract/constants.js';
import { Prng } from '../helpers/prng.js';
import { runFullAtRandom, type Call } from './full-at-random.js';

const NR_PAGES = 16 * PAGES_PER_SECTION;
const BASE_PFN = 2 ** 30;
const END_PFN = BASE_PFN + NR_PAGES;

function randomCall(rng: Prng): Call {
  const a = BASE_PFN + rng.int(0, NR_PAGES);
  const b = Math.min(END_PFN, a + rng.skewedLength(NR_PAGES));
  const kind = rng.int(0, 10);
  if (kind < 3) {
    const cls = rng.int(0, NR_PAGE_CLASSES);
    return (e) => e.setClass(a, b, cls);
  }
  if (kind < 4) {
    const mt = rng.int(0, 3);
    return (e) => e.setMigratetype(a, b, mt);
  }
  const tagMask = rng.pick([0, MIGRATETYPE_MASK]);
  const tagValue = tagMask === 0 ? 0 : rng.int(0, 3);
  if (kind < 8) {
    const [from, to, n, seed] = [rng.int(0, 3), rng.int(0, NR_PAGE_CLASSES), rng.int(0, 4000), rng.int(0, 1000)];
    const mode = rng.pick([ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK]);
    const limit = rng.pick([0, 1, 3, 16, 200]);
    return (e) => e.claimTagged(a, b, n, from, to, mode, seed, tagMask, tagValue, limit);
  }
  const [maxBlocks, newMt, minGood] = [rng.int(0, 200), rng.int(0, 3), rng.pick([0, 1, PAGES_PER_PAGEBLOCK / 2])];
  const goodMask = 1 << rng.int(0, 3);
  return (e) => e.retagPageblocks(a, b, maxBlocks, tagMask, tagValue, newMt, goodMask, minGood);
}

describe('E_FULL at random, tag-aware calls', () => {
  test.each([1, 2, 3])('seed %i: refused calls change nothing, the rest match the reference', async (seed) => {
    const rng = new Prng(seed * 104729);
    // Static tables and one page of records: the pools run out often.
    const refused = await runFullAtRandom(rng, { basePfn: BASE_PFN, nrPages: NR_PAGES, maxBytes: 4 * 65536, steps: 400, randomCall });
    expect(refused).toBeGreaterThan(0);
  });
});
