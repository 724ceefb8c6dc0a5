/**
 * What a translation batch costs at the boundaries a user crosses, on the
 * fleet window with the same 3% of its sections remapped as the translate
 * suite (2^24 addresses per batch):
 *
 * - the kernels: direct-map translation on the scalar and the SIMD build,
 *   beside a plain streaming read of the same input bytes in WASM, and a
 *   streaming copy of them to the output (the bytes translation moves): the
 *   bandwidth limits translation is measured against;
 * - the engine API: the mixed batch through the zero-copy buffers and
 *   through the copying calls, in this thread and through a worker (whose
 *   engine shares its memory), each beside the in-WASM batch.
 */
import { Migratetype, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine, type Engine, type EngineVariant } from '../../src/engine/index.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import { PLAN_LONG, Prng, measure, measureAsync, type Measurement } from '../common.js';
import { TRANSLATION, fillAddresses, planRemap, type FleetLayout, type RemapPlan } from '../datasets.js';

/** The zero-copy path through the API is held to this many times the in-WASM batch (issue aim). */
export const ZERO_COPY_AIM_RATIO = 1.5;
/** SIMD direct-map translation is held to this many times the streaming-read row. */
export const SIMD_STREAM_AIM_RATIO = 1.3;

export interface BoundaryRow {
  what: string;
  nsPerLookup: number;
  rmePct: number;
  /** This row over the baseline row of its table. */
  ratio: number;
}

export interface TranslationBoundaryReport {
  batch: number;
  /** Direct-map batch: scalar build, SIMD build, streaming read and copy (baseline: the streaming read). */
  kernels: BoundaryRow[];
  /** Mixed batch through the API (baseline: the in-WASM batch). */
  api: BoundaryRow[];
  /** Ratio of SIMD direct-map translation to the streaming read, and to the streaming copy. */
  simdOverRead: number;
  simdOverCopy: number;
  /**
   * The worker's zero-copy row over the in-WASM batch. In this thread the
   * zero-copy call is the in-WASM batch itself: one export call per batch.
   */
  zeroCopyWorker: number;
  /** Whether the worker's buffers were views of its shared memory. */
  workerShared: boolean;
  note?: string;
}

/** Every section of the plan's window present, FREE, and the plan's sections remapped. */
async function shapeWindow(engine: EngineApi | WorkerEngine, plan: RemapPlan): Promise<void> {
  await engine.addSections(plan.basePfn, plan.basePfn + plan.nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  // Pipelined: a worker takes the calls in order without a round trip each.
  const pending: unknown[] = [];
  for (let i = 0; i < plan.remaps.length; i += 3) pending.push(engine.remap(plan.remaps[i]!, plan.remaps[i + 1]!, plan.remaps[i + 2]!));
  await Promise.all(pending);
}

function row(what: string, m: Measurement, batch: number, baselineNs?: number): BoundaryRow {
  const nsPerLookup = m.nsPerOp / batch;
  return { what, nsPerLookup, rmePct: m.rmePct, ratio: baselineNs === undefined ? 1 : nsPerLookup / baselineNs };
}

/** One batch through engine.virtToPhysInPlace per call. */
function inPlace(engine: Engine, batch: number): (n: number) => number {
  return (n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += engine.virtToPhysInPlace(batch).slow;
    return acc;
  };
}

export async function translationBoundarySuite(layout: FleetLayout, quick = false): Promise<TranslationBoundaryReport> {
  const batch = 2 ** (quick ? TRANSLATION.refBatchLog2 : TRANSLATION.batchLog2);
  const plan = planRemap(layout.basePfn, layout.nrPages);
  const rng = new Prng(TRANSLATION.seed + 7);
  let note: string | undefined;

  // ---- kernels: direct-map batch on each build ------------------------------------------
  const builds: EngineVariant[] = ['release', 'release-simd'];
  const engines = new Map<EngineVariant, Engine>();
  const direct = new BigUint64Array(batch);
  fillAddresses(direct, plan, 'direct', rng);
  for (const variant of builds) {
    const engine = await createEngine({ basePfn: plan.basePfn, nrPages: plan.nrPages }, variant);
    await shapeWindow(engine, plan);
    engine.translateBuffers(batch).input.set(direct);
    engines.set(variant, engine);
  }
  const scalar = engines.get('release')!;
  const simd = engines.get('release-simd')!;
  const scalarCounts = scalar.virtToPhysInPlace(batch);
  const simdCounts = simd.virtToPhysInPlace(batch);
  if (scalarCounts.fast !== batch || simdCounts.fast !== batch) note = `direct batch not all fast: scalar ${JSON.stringify(scalarCounts)}, SIMD ${JSON.stringify(simdCounts)}`;
  const [scalarOut, simdOut] = [scalar.translateBuffers(batch).output, simd.translateBuffers(batch).output];
  for (let i = 0; i < batch && note === undefined; i++) if (scalarOut[i] !== simdOut[i]) note = `SIMD and scalar builds DIFFER at address ${i}`;

  const readM = await measure('stream read', (n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += simd.streamBuffers(batch, false) % 7;
    return acc;
  }, PLAN_LONG);
  const copyM = await measure('stream copy', (n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += simd.streamBuffers(batch, true) % 7;
    return acc;
  }, PLAN_LONG);
  const scalarM = await measure('direct scalar', inPlace(scalar, batch), PLAN_LONG);
  const simdM = await measure('direct SIMD', inPlace(simd, batch), PLAN_LONG);
  const readNs = readM.nsPerOp / batch;
  const kernels = [
    row('streaming read of the input (WASM, v128 loads)', readM, batch),
    row('streaming copy of the input to the output', copyM, batch, readNs),
    row('virt_to_phys, direct map, scalar build', scalarM, batch, readNs),
    row('virt_to_phys, direct map, SIMD build', simdM, batch, readNs),
  ];
  engines.delete('release');

  // ---- the API: mixed batch, in this thread and through a worker ---------------------------
  const mixed = new BigUint64Array(batch);
  fillAddresses(mixed, plan, 'mixed', rng);
  const worker = await createWorkerEngine({ basePfn: plan.basePfn, nrPages: plan.nrPages });
  let workerShared = false;
  let api: BoundaryRow[] = [];
  try {
    await shapeWindow(worker, plan);
    const workerBuffers = await worker.translateBuffers(batch);
    workerShared = workerBuffers.input.buffer instanceof SharedArrayBuffer;
    workerBuffers.input.set(mixed);
    simd.translateBuffers(batch).input.set(mixed);
    const want = simd.virtToPhysInPlace(batch);
    const got = await worker.virtToPhysInPlace(batch);
    const simdOutput = simd.translateBuffers(batch).output;
    if (JSON.stringify(got) !== JSON.stringify(want)) note ??= `worker counts ${JSON.stringify(got)} differ from in-thread ${JSON.stringify(want)}`;
    for (let i = 0; i < batch && note === undefined; i++) if (workerBuffers.output[i] !== simdOutput[i]) note = `worker output DIFFERS at address ${i}`;

    // A view into a larger buffer: the copying calls copy it (the client must, to keep the caller's array).
    const copySource = new BigUint64Array(batch + 1);
    copySource.set(mixed);
    const vas = copySource.subarray(0, batch);
    const kernelM = await measure('api in-thread zero-copy', inPlace(simd, batch), PLAN_LONG);
    const workerM = await measureAsync('api worker zero-copy', async () => (await worker.virtToPhysInPlace(batch)).slow, PLAN_LONG);
    const copyingM = await measure('api in-thread copying', () => simd.virtToPhys(vas).slow, PLAN_LONG);
    const workerCopyingM = await measureAsync('api worker copying', async () => (await worker.virtToPhys(vas)).slow, PLAN_LONG);
    const kernelNs = kernelM.nsPerOp / batch;
    api = [
      row('in WASM: one virtToPhysInPlace call per batch, this thread (baseline)', kernelM, batch),
      row(`through a worker, zero-copy (${workerShared ? 'shared memory' : 'buffers copied across'})`, workerM, batch, kernelNs),
      row('EngineApi virtToPhys, this thread (copies in and out)', copyingM, batch, kernelNs),
      row('EngineApi virtToPhys, through a worker (copied, then moved)', workerCopyingM, batch, kernelNs),
    ];
  } finally {
    await worker.terminate();
  }

  return {
    batch,
    kernels,
    api,
    simdOverRead: kernels[3]!.nsPerLookup / kernels[0]!.nsPerLookup,
    simdOverCopy: kernels[3]!.nsPerLookup / kernels[1]!.nsPerLookup,
    zeroCopyWorker: api[1]!.ratio,
    workerShared,
    note,
  };
}
