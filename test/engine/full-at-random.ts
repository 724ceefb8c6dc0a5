/**
 * The E_FULL-at-random harness: a small-maxBytes engine (debug build, whose
 * assertions check that every record a call takes was reserved before its
 * first change) and the reference (which never runs out) over the same
 * window, every section present, FREE and MOVABLE, take the same random
 * calls. Whenever the engine refuses with E_FULL, its classes and tags must
 * still equal the reference's (the call changed nothing) and its memory stay
 * under the cap, and the call is skipped on the reference; any other outcome
 * must be the reference's.
 */
import { expect } from 'vitest';
import { Migratetype, PAGES_PER_PAGEBLOCK, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import type { Prng } from '../helpers/prng.js';
import { firstDifference } from './dense-model.js';

/** One random call, to run on either engine. */
export type Call = (engine: EngineApi) => unknown;

export interface FullAtRandomOptions {
  basePfn: number;
  nrPages: number;
  maxBytes: number;
  steps: number;
  /** Draws the next call. */
  randomCall: (rng: Prng) => Call;
}

function outcome(engine: EngineApi, call: Call): { value?: unknown; code?: string } {
  try {
    return { value: call(engine) };
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error) };
  }
}

/** Runs the calls and checks them as the file comment says; returns how many the engine refused with E_FULL. */
export async function runFullAtRandom(rng: Prng, opts: FullAtRandomOptions): Promise<number> {
  const { basePfn, nrPages, maxBytes } = opts;
  const endPfn = basePfn + nrPages;
  const nrPageblocks = nrPages / PAGES_PER_PAGEBLOCK;
  const engine = await createEngine({ basePfn, nrPages, maxBytes }, 'debug');
  const reference = createRefEngine({ basePfn, nrPages, maxBytes });
  for (const e of [engine, reference]) e.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  const expectSameState = (): void => {
    expect(firstDifference(engine.readClasses(basePfn, nrPages), reference.readClasses(basePfn, nrPages))).toBe(-1);
    expect(engine.readPageblockTags(basePfn, nrPageblocks)).toEqual(reference.readPageblockTags(basePfn, nrPageblocks));
  };
  let refused = 0;
  for (let step = 0; step < opts.steps; step++) {
    const call = opts.randomCall(rng);
    const got = outcome(engine, call);
    if (got.code === 'E_FULL') {
      refused++;
      expectSameState();
      expect(engine.memoryBytes()).toBeLessThanOrEqual(maxBytes);
      continue;
    }
    const want = outcome(reference, call);
    expect({ step, ...got }).toEqual({ step, ...want });
    if (step % 50 === 0) engine.validate();
  }
  engine.validate();
  expectSameState();
  return refused;
}
