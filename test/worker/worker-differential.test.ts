/**
 * The same seeded operation sequences, compared with the reference engine,
 * run against the WASM engine in this thread and through a worker: the
 * boundary must not change a single result or refusal.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import {
  OpGenerator,
  WINDOW_SHAPES,
  applyOp,
  describeOp,
  describeOutcome,
  sameOutcome,
  type EngineOp,
} from '../helpers/ops.js';
import { Prng } from '../helpers/prng.js';
import { BOUNDARY_KINDS, copyArgs, openEngine, type OpenEngine } from './boundary.js';

const SEEDS = [101, 102, 103];
const OPS_PER_SEED = 300;

describe.each(BOUNDARY_KINDS)('%s WASM engine against the reference', (kind) => {
  const open: OpenEngine[] = [];
  afterAll(async () => {
    await Promise.all(open.map((engine) => engine.close()));
  });

  test.each(SEEDS)('seed %i', async (seed) => {
    const shape = WINDOW_SHAPES[seed % WINDOW_SHAPES.length]!;
    const opts = { basePfn: shape.basePfn, nrPages: shape.nrPages, pageOffset: shape.pageOffset };
    const subject = await openEngine(kind, opts);
    open.push(subject);
    // applyOp awaits every call, so the async api stands in for EngineApi.
    const engine = subject.api as unknown as EngineApi;
    const reference = createRefEngine(opts);
    const generator = new OpGenerator(new Prng(seed), reference.info());
    let refused = 0;

    const compare = async (step: number, op: EngineOp): Promise<void> => {
      const want = await applyOp(reference, { method: op.method, args: copyArgs(op.args) });
      const got = await applyOp(engine, { method: op.method, args: copyArgs(op.args) });
      if (!want.ok) refused++;
      if (!sameOutcome(got, want)) {
        expect.fail(
          `seed ${seed} (${shape.name}) step ${step}: ${describeOp(op)}\n` +
            `  ${kind} ${describeOutcome(got)}\n  reference ${describeOutcome(want)}`,
        );
      }
    };

    for (let step = 0; step < OPS_PER_SEED; step++) {
      // The generator aims at the reference's state; both engines hold the same one.
      const op = await generator.next(reference);
      await compare(step, op);
      for (const probe of generator.probes(op)) await compare(step, probe);
    }
    await subject.api.validate();
    // The sequences exercise refusals as well as successes.
    expect(refused).toBeGreaterThan(0);
  });
});
