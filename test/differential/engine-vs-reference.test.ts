/**
 * Differential test: seeded random operation sequences run on the WASM engine
 * and on the reference engine, compared after every step.
 *
 * Each step applies one random operation (sometimes a deliberately bad one) to
 * both engines through a {@link CheckedEngine}, which demands equal results or
 * equal refusals (code and argument). Then both answer the same read-only
 * probes (whole-window and sub-range class counts, a findNext, per-page
 * classes around the pfns the step touched and at random, the section table,
 * pageblock tags, sometimes translations), and the WASM engine validates its
 * invariants. The seeds run on the build this runtime loads by default (the
 * SIMD one where WASM SIMD runs); a few more run on the scalar release build,
 * whose kernels are the truth the SIMD ones are held to, and on the debug
 * build, whose engine assertions are on. A failure message starts with the seed and step, so
 * `SEEDS = [n]` replays it. `PFNLAB_TALLY=1` prints how many calls of each
 * method succeeded and how many were refused.
 */
import { describe, expect, test } from 'vitest';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { WASM_DEBUG_ENGINE, WASM_ENGINE, WASM_SCALAR_ENGINE, type EngineCase } from '../helpers/engines.js';
import { OpGenerator, WINDOW_SHAPES, describeOp, writeInput, type EngineOp, type OpMethod } from '../helpers/ops.js';
import { Prng } from '../helpers/prng.js';
import { CheckedEngine, EngineMismatch } from './checked-engine.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
const DEBUG_BUILD_SEEDS = [21, 22, 23, 24];
const SCALAR_BUILD_SEEDS = [25, 26, 27, 28, 29, 30, 31];
/** (20 + 4 + 7) seeds × 1,000 = 31,000 operations, each followed by about ten probes. */
const OPS_PER_SEED = 1000;
/** Steps between validations of the reference as well (it recounts every page). */
const REFERENCE_VALIDATE_EVERY = 150;

interface MethodTally {
  ok: number;
  refused: number;
}
const tally = new Map<OpMethod, MethodTally>();
/** Removals that left a removed section REMAPPED (pages living on in surviving frames). */
let removalsKeepingRemaps = 0;

/** Runs `op` on the checked engine; returns whether it succeeded. Mismatches propagate. */
function runChecked(engine: CheckedEngine, op: EngineOp): boolean {
  try {
    (engine[op.method] as (...args: unknown[]) => unknown).apply(engine, op.args);
    return true;
  } catch (error) {
    if (error instanceof EngineMismatch) throw error;
    return false;
  }
}

async function runSeed(seed: number, factory: EngineCase): Promise<void> {
  const shape = WINDOW_SHAPES[(seed - 1) % WINDOW_SHAPES.length]!;
  const opts = { basePfn: shape.basePfn, nrPages: shape.nrPages, pageOffset: shape.pageOffset };
  const checked = new CheckedEngine(await factory.create(opts), createRefEngine(opts));
  checked.context = `seed ${seed} (window ${shape.name}: basePfn ${opts.basePfn}, nrPages ${opts.nrPages})`;
  const generator = new OpGenerator(new Prng(seed), checked.info());

  for (let step = 0; step < OPS_PER_SEED; step++) {
    checked.step = step;
    const op = await generator.next(checked);
    await writeInput(checked, op);
    const ok = runChecked(checked, op);
    const counts = tally.get(op.method) ?? { ok: 0, refused: 0 };
    if (ok) counts.ok++;
    else counts.refused++;
    tally.set(op.method, counts);
    if (ok && op.method === 'removeSections') {
      const [startPfn, endPfn] = op.args as [number, number];
      if (checked.countRemapped(startPfn, endPfn).sections > 0) removalsKeepingRemaps++;
    }

    for (const probe of generator.probes(op)) {
      // Probes are built inside the window: a refusal by both engines is still a failure.
      await writeInput(checked, probe);
      if (!runChecked(checked, probe)) checked.fail(`probe refused after ${describeOp(op)}: ${describeOp(probe)}`);
    }
    checked.validate();
    if ((step + 1) % REFERENCE_VALIDATE_EVERY === 0) checked.validateBoth();
  }
  checked.validateBoth();
}

describe('WASM engine against the reference engine', () => {
  test.each(SEEDS)('seed %i', (seed) => runSeed(seed, WASM_ENGINE));

  test.each(DEBUG_BUILD_SEEDS)('seed %i, debug build', (seed) => runSeed(seed, WASM_DEBUG_ENGINE));

  test.each(SCALAR_BUILD_SEEDS)('seed %i, scalar release build', (seed) => runSeed(seed, WASM_SCALAR_ENGINE));

  test('the operation mix reached every method, with successes and refusals', () => {
    // Runs after the seeds (tests in a file run in order). Keeps the generator
    // honest: every method succeeded at some point, and all but the
    // translations (which take no argument that can be wrong) were refused too.
    const methods: OpMethod[] = [
      'addSections', 'removeSections', 'setSectionFlags', 'setSectionNode', 'setSectionZone',
      'readSections', 'setClass', 'countClasses', 'count', 'countTagged', 'findNext', 'readClasses', 'claim',
      'claimTagged', 'migrateScan', 'setMigratetype', 'setIsolate', 'countPageblocks', 'retagPageblocks',
      'readPageblockTags', 'readPageblockClasses', 'remap', 'remapOut', 'remapIn', 'clearRemap', 'countRemapped', 'virtToPhys', 'physToVirt',
      'translateBuffers', 'virtToPhysInPlace', 'physToVirtInPlace', 'classesBuffer', 'readClassesInPlace', 'runsBuffer', 'migrateScanInPlace',
    ];
    if (process.env.PFNLAB_TALLY) console.log(JSON.stringify(Object.fromEntries(tally)));
    const translations: OpMethod[] = ['virtToPhys', 'physToVirt'];
    let total = 0;
    for (const method of methods) {
      const counts = tally.get(method) ?? { ok: 0, refused: 0 };
      total += counts.ok + counts.refused;
      expect(counts.ok, `${method} never succeeded`).toBeGreaterThan(0);
      if (!translations.includes(method)) expect(counts.refused, `${method} never refused`).toBeGreaterThan(0);
    }
    expect(total).toBe((SEEDS.length + DEBUG_BUILD_SEEDS.length + SCALAR_BUILD_SEEDS.length) * OPS_PER_SEED);
    // Removed sections whose pages live on were translated, re-added (E_EXISTS) and cleared.
    expect(removalsKeepingRemaps, 'no removal kept a relocated page').toBeGreaterThan(0);
  });
});
