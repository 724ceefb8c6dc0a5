/**
 * E_FULL under memory pressure, at random: a small-maxBytes engine and the
 * reference (which never runs out) take the same random calls. Whenever the
 * engine refuses with E_FULL, its pages must still equal the reference's (the
 * call changed nothing) and the call is skipped on the reference; otherwise
 * both must agree. The debug build also asserts that every record a call
 * takes was reserved before its first change.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, NR_PAGE_CLASSES, PAGES_PER_SECTION } from '../../src/contract/constants.js';
import { Prng } from '../helpers/prng.js';
import { runFullAtRandom, type Call } from './full-at-random.js';

const NR_SECTIONS = 16;
const NR_PAGES = NR_SECTIONS * PAGES_PER_SECTION;
const BASE_PFN = 2 ** 30;
const END_PFN = BASE_PFN + NR_PAGES;

function randomCall(rng: Prng): Call {
  const a = BASE_PFN + rng.int(0, NR_PAGES);
  const b = Math.min(END_PFN, a + rng.skewedLength(NR_PAGES));
  const kind = rng.int(0, 10);
  if (kind < 4) {
    const cls = rng.int(0, NR_PAGE_CLASSES);
    return (e) => e.setClass(a, b, cls);
  }
  if (kind < 6) {
    const [from, to, n, seed] = [rng.int(0, NR_PAGE_CLASSES), rng.int(0, NR_PAGE_CLASSES), rng.int(0, 3000), rng.int(0, 1000)];
    const mode = rng.pick([ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK]);
    return (e) => e.claim(a, b, n, from, to, mode, seed);
  }
  if (kind === 6) {
    const mt = rng.int(0, 3);
    return (e) => e.setMigratetype(a, b, mt);
  }
  if (kind === 7) {
    const n = Math.min(rng.int(0, 2000), END_PFN - a);
    const target = BASE_PFN + rng.int(0, NR_PAGES - n);
    return (e) => e.remap(a, n, target);
  }
  if (kind === 8) return (e) => e.clearRemap(a, b);
  const s0 = BASE_PFN + PAGES_PER_SECTION * rng.int(0, NR_SECTIONS);
  const cls = rng.int(0, NR_PAGE_CLASSES);
  return rng.chance(0.5)
    ? (e) => e.removeSections(s0, s0 + PAGES_PER_SECTION)
    : (e) => e.addSections(s0, s0 + PAGES_PER_SECTION, 0, cls, Migratetype.MOVABLE, 0);
}

describe('E_FULL at random', () => {
  test.each([1, 2, 3])('seed %i: refused calls change nothing, the rest match the reference', async (seed) => {
    const rng = new Prng(seed * 7919);
    // Enough for the static tables and a few pages of records: the pools run out often.
    const opts = { basePfn: BASE_PFN, nrPages: NR_PAGES, maxBytes: (4 + seed) * 65536, steps: 400, randomCall };
    const refused = await runFullAtRandom(rng, opts);
    expect(refused).toBeGreaterThan(0);
  });
});
