/**
 * Shared benchmark machinery: run plans (tinybench options), a seeded PRNG,
 * result rows, the ratio targets of docs/design.md, and number formats
 * (the tables themselves are built in report.ts).
 *
 * Measurement rules (docs/design.md, benchmark rules), applied by every suite:
 * - warm up before sampling: long-running exports start in Liftoff code;
 * - a task function runs a batch of calls over precomputed arguments and
 *   keeps its sum in a local, then returns it (no module-level accumulator);
 * - each engine gets its own task function literal, so every call site sees
 *   one receiver shape (closures from one literal share type feedback);
 * - iterations are explicit, so slow tasks do not run tinybench's default 64.
 */
import { Bench } from 'tinybench';

// ---- run plans ------------------------------------------------------------------

/** How long and how often one task runs. */
export interface RunPlan {
  /** Sampling budget per task (ms). */
  timeMs: number;
  /** Minimum samples per task. */
  iterations: number;
  /** Warm-up budget per task (ms). */
  warmupMs: number;
  /** Minimum warm-up runs per task. */
  warmupIterations: number;
  /**
   * Batch sub-millisecond operations: each sample runs a calibrated number of
   * them (see {@link measure}). Off for operations that are long on their own.
   */
  batched: boolean;
}

/** Operations from nanoseconds to a few milliseconds, batched into ~2 ms samples. */
export const PLAN_BATCHED: RunPlan = { timeMs: 1500, iterations: 40, warmupMs: 300, warmupIterations: 8, batched: true };
/** Operations of tens of milliseconds or more (one 16 Mi translation batch): one per sample. */
export const PLAN_LONG: RunPlan = { timeMs: 1000, iterations: 8, warmupMs: 0, warmupIterations: 2, batched: false };
/** Operations of a tenth of a second or more (the reference's big batches): a few samples. */
export const PLAN_SLOW: RunPlan = { timeMs: 0, iterations: 4, warmupMs: 0, warmupIterations: 1, batched: false };

/** One measured task, normalised to single operations. */
export interface Measurement {
  opsPerSec: number;
  nsPerOp: number;
  /** Relative margin of error of the batch latency (%). */
  rmePct: number;
  samples: number;
  /** Operations per sample (the batch size). */
  opsPerSample: number;
}

/**
 * A task body: performs `n` operations over its own precomputed arguments and
 * returns a checksum. Each engine gets its own literal (see the file comment).
 */
export type Batch = (n: number) => number;

/** Keeps checksums alive so the optimiser cannot drop the work that made them. */
let blackHole = 0;
/** Read once at the end so the sink is observable. */
export function sinkValue(): number {
  return blackHole;
}

/** Target duration of one sample: long enough for the timer, short enough for many samples. */
const SAMPLE_TARGET_MS = 2;
/** Largest batch: bounded so one sample never runs away. */
const MAX_BATCH = 1 << 20;

/** The batch size whose sample takes about {@link SAMPLE_TARGET_MS}. */
function calibrate(batch: Batch): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    blackHole += batch(n);
    const elapsedMs = performance.now() - t0;
    if (elapsedMs >= SAMPLE_TARGET_MS / 4 || n >= MAX_BATCH) {
      const scaled = Math.round((n * SAMPLE_TARGET_MS) / Math.max(elapsedMs, 1e-3));
      return Math.min(MAX_BATCH, Math.max(1, scaled));
    }
    n *= 4;
  }
}

/**
 * Run `batch` under `plan`, in samples of a calibrated number of operations
 * (one per sample for unbatched plans), and report per-operation figures.
 */
export async function measure(name: string, batch: Batch, plan: RunPlan): Promise<Measurement> {
  const opsPerSample = plan.batched ? calibrate(batch) : 1;
  let checksum = 0;
  const bench = benchOf(plan);
  bench.add(name, () => {
    checksum += batch(opsPerSample);
  });
  await bench.run();
  blackHole += checksum;
  return measurementOf(bench, name, opsPerSample);
}

/** A tinybench run under `plan`. */
function benchOf(plan: RunPlan): Bench {
  return new Bench({
    time: plan.timeMs,
    iterations: plan.iterations,
    warmupTime: plan.warmupMs,
    warmupIterations: plan.warmupIterations,
    warmup: plan.warmupIterations > 0,
    throws: true,
  });
}

/** A completed task's figures, per operation. */
function measurementOf(bench: Bench, name: string, opsPerSample: number): Measurement {
  const result = bench.getTask(name)?.result;
  if (result === undefined || result.state !== 'completed') {
    throw new Error(`benchmark ${name} did not complete (state ${result?.state ?? 'missing'})`);
  }
  const nsPerOp = (result.latency.mean * 1e6) / opsPerSample;
  return {
    opsPerSec: 1e9 / nsPerOp,
    nsPerOp,
    rmePct: result.latency.rme,
    samples: result.latency.samplesCount,
    opsPerSample,
  };
}

/**
 * {@link measure} for a task that awaits (a call through a worker): one
 * operation per sample, so only for unbatched plans.
 */
export async function measureAsync(name: string, op: () => Promise<number>, plan: RunPlan): Promise<Measurement> {
  if (plan.batched) throw new Error(`measureAsync ${name}: batched plans calibrate synchronous tasks only`);
  let checksum = 0;
  const bench = benchOf(plan);
  bench.add(name, async () => {
    checksum += await op();
  });
  await bench.run();
  blackHole += checksum;
  return measurementOf(bench, name, 1);
}

// ---- seeded PRNG ----------------------------------------------------------------

export { Prng } from '../src/util/prng.js';

// ---- results ----------------------------------------------------------------------

/** The two ratio targets of docs/design.md that primitives are held to. */
export const Target = {
  COUNT: { name: 'count-type operations', minRatio: 8 },
  SPARSE_FIND: { name: 'sparse find-next', minRatio: 2.5 },
} as const;
export type TargetKey = keyof typeof Target;

/** One primitive measured on each engine that has it. */
export interface Row {
  suite: string;
  primitive: string;
  wasm: Measurement;
  ref?: Measurement;
  roaring?: Measurement;
  /** Which docs/design.md target this row counts towards, if any. */
  target?: TargetKey;
  note?: string;
}

/** WASM speed over the reference's (higher is better), or undefined without a reference figure. */
export function ratioOf(row: Row): number | undefined {
  return row.ref === undefined ? undefined : row.ref.nsPerOp / row.wasm.nsPerOp;
}

export interface TargetVerdict {
  key: TargetKey;
  name: string;
  minRatio: number;
  /** The weakest row's ratio: every row of the target must meet it. */
  worstRatio: number;
  worstPrimitive: string;
  rows: number;
  pass: boolean;
}

/** Every row of a target must reach its ratio; report the weakest. */
export function judgeTargets(rows: readonly Row[]): TargetVerdict[] {
  return (Object.keys(Target) as TargetKey[]).map((key) => {
    let worstRatio = Infinity;
    let worstPrimitive = '(no rows)';
    let count = 0;
    for (const row of rows) {
      const ratio = ratioOf(row);
      if (row.target !== key || ratio === undefined) continue;
      count++;
      if (ratio < worstRatio) {
        worstRatio = ratio;
        worstPrimitive = row.primitive;
      }
    }
    const { name, minRatio } = Target[key];
    return { key, name, minRatio, worstRatio, worstPrimitive, rows: count, pass: count > 0 && worstRatio >= minRatio };
  });
}

/** Plain data for comparing results: typed arrays become arrays. */
function plain(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
  );
}

/**
 * Compare two engines on the first `n` arguments of a stream before timing
 * them; a benchmark of wrong answers is worthless. Returns a note for the
 * row on disagreement.
 */
export function disagreement(
  what: string,
  n: number,
  subject: (i: number) => unknown,
  oracle: (i: number) => unknown,
): string | undefined {
  for (let i = 0; i < n; i++) {
    const got = plain(subject(i));
    const want = plain(oracle(i));
    if (got !== want) return `RESULTS DIFFER (${what}, argument ${i}: ${got.slice(0, 80)} vs ${want.slice(0, 80)})`;
  }
  return undefined;
}

// ---- printing -----------------------------------------------------------------------

/** ops/s with a metric suffix: 1.23 M, 45.6 k. */
export function formatRate(opsPerSec: number): string {
  if (!Number.isFinite(opsPerSec)) return '-';
  const units: [number, string][] = [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [scale, suffix] of units) {
    if (opsPerSec >= scale) return `${(opsPerSec / scale).toPrecision(3)} ${suffix}`;
  }
  return opsPerSec.toPrecision(3);
}

export function formatNs(ns: number): string {
  if (ns >= 1e6) return `${(ns / 1e6).toPrecision(3)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toPrecision(3)} µs`;
  return `${ns.toPrecision(3)} ns`;
}
