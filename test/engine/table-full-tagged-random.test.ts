/**
 * E_FULL under memory pressure for the tag-aware calls: a small-maxBytes
 * engine (debug build, whose assertions check that every record a call takes
 * was reserved) and the reference take the same random setClass,
 * setMigratetype, claimTagged and retagPageblocks calls. A call the engine
 * refuses with E_FULL must have changed nothing (classes and tags equal the
 * reference's) and is skipped on the reference; any other outcome must match.
 * Limited claims and partial retags are where the cheap plan bound does not
 * fit and the exact plan runs.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, MIGRATETYPE_MASK, Migratetype, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { Prng } from '../helpers/prng.js';
import { firstDifference } from './dense-model.js';

const NR_PAGES = 16 * PAGES_PER_SECTION;
const BASE_PFN = 2 ** 30;
const END_PFN = BASE_PFN + NR_PAGES;

type Call = (engine: EngineApi) => unknown;

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

function outcome(engine: EngineApi, call: Call): { value?: unknown; code?: string } {
  try {
    return { value: call(engine) };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error) };
  }
}

describe('E_FULL at random, tag-aware calls', () => {
  test.each([1, 2, 3])('seed %i: refused calls change nothing, the rest match the reference', async (seed) => {
    const rng = new Prng(seed * 104729);
    const opts = { basePfn: BASE_PFN, nrPages: NR_PAGES, maxBytes: 4 * 65536 };
    const engine = await createEngine(opts, 'debug');
    const reference = createRefEngine(opts);
    for (const e of [engine, reference]) e.addSections(BASE_PFN, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    let refused = 0;
    for (let step = 0; step < 400; step++) {
      const call = randomCall(rng);
      const got = outcome(engine, call);
      if (got.code === 'E_FULL') {
        refused++;
        expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), reference.readClasses(BASE_PFN, NR_PAGES))).toBe(-1);
        expect(engine.readPageblockTags(BASE_PFN, NR_PAGES / PAGES_PER_PAGEBLOCK)).toEqual(reference.readPageblockTags(BASE_PFN, NR_PAGES / PAGES_PER_PAGEBLOCK));
        expect(engine.memoryBytes()).toBeLessThanOrEqual(opts.maxBytes);
        continue;
      }
      const want = outcome(reference, call);
      expect({ step, ...got }).toEqual({ step, ...want });
      if (step % 50 === 0) engine.validate();
    }
    engine.validate();
    expect(firstDifference(engine.readClasses(BASE_PFN, NR_PAGES), reference.readClasses(BASE_PFN, NR_PAGES))).toBe(-1);
    expect(engine.readPageblockTags(BASE_PFN, NR_PAGES / PAGES_PER_PAGEBLOCK)).toEqual(reference.readPageblockTags(BASE_PFN, NR_PAGES / PAGES_PER_PAGEBLOCK));
    if (process.env.PFNLAB_TALLY) console.log(`seed ${seed}: ${refused} refused with E_FULL`);
    expect(refused).toBeGreaterThan(0);
  });
});
