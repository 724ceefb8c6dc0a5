/**
 * A "double-checked" engine (after CRoaring's roaring_checked.hh): every call
 * goes to the engine under test and to the reference, and the two outcomes
 * must agree: equal results, or refusals with the same code and argument.
 * A disagreement throws an {@link EngineMismatch} carrying the seed, the step
 * and the recent history, so the failure can be replayed.
 *
 * Both engines must be synchronous (the WASM engine used directly and the
 * reference are); the result returned is the engine under test's.
 */
import type { ClassMask, EngineApi, ScanSummary, TranslateBuffers, TranslateCounts } from '../../src/contract/engine-api.js';
import { OP_NAMES } from '../../src/contract/ops.js';
import { describeOp, describeOutcome, normalize, outcomeOfError, sameOutcome, type EngineOp, type OpMethod, type Outcome } from '../helpers/ops.js';

/** Operations kept for the failure message. */
const HISTORY_LENGTH = 12;

export class EngineMismatch extends Error {
  override readonly name = 'EngineMismatch';
}

/**
 * The calls compared are every row of the operation table (installed below),
 * except the self checks, which run on each engine separately.
 */
export interface CheckedEngine extends EngineApi {}
export class CheckedEngine implements EngineApi {
  /** Free text put in front of every failure message, e.g. the seed and window. */
  context = '';
  /** Index of the current top-level step, for failure messages. */
  step = 0;
  readonly #history: string[] = [];

  constructor(
    readonly subject: EngineApi,
    readonly oracle: EngineApi,
  ) {}

  /** Throws an {@link EngineMismatch} with the context and the recent calls. */
  fail(what: string): never {
    throw new EngineMismatch(
      `${this.context} step ${this.step}: ${what}\n  recent calls (oldest first):\n    ${this.#history.join('\n    ')}`,
    );
  }

  /** @internal Run `method` on both engines and compare; the installed methods call this. */
  callBoth<T>(method: OpMethod | 'info', args: unknown[]): T {
    const op = { method, args } as EngineOp;
    const run = (engine: EngineApi): { outcome: Outcome; value?: unknown; error?: unknown } => {
      try {
        const value = (engine[method] as (...a: unknown[]) => unknown).apply(engine, args);
        return { outcome: { ok: true, value: normalize(value) }, value };
      } catch (error) {
        return { outcome: outcomeOfError(error), error };
      }
    };
    const got = run(this.subject);
    const want = run(this.oracle);
    this.#history.push(`${describeOp(op)} -> ${describeOutcome(want.outcome).slice(0, 160)}`);
    if (this.#history.length > HISTORY_LENGTH) this.#history.shift();
    if (!sameOutcome(got.outcome, want.outcome)) {
      this.fail(
        `${describeOp(op)}\n  engine    ${describeOutcome(got.outcome)}\n  reference ${describeOutcome(want.outcome)}`,
      );
    }
    if ('error' in got) throw got.error;
    return got.value as T;
  }

  /** Validates the engine under test: cheap enough to run after every step. */
  validate(): void {
    this.#validate('engine', this.subject);
  }

  /** Validates the reference too (it recounts every page, so call it now and then). */
  validateBoth(): void {
    this.#validate('engine', this.subject);
    this.#validate('reference', this.oracle);
  }

  #validate(who: string, engine: EngineApi): void {
    try {
      engine.validate();
    } catch (error) {
      this.fail(`${who}.validate() failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  // ---- zero-copy translation: each engine has buffers of its own ----------------------

  /** Length of the translation buffers last handed out (the same on both engines). */
  #buffersLength = 0;

  /** Both engines' buffers, compared; the caller writes to the subject's. */
  translateBuffers(n: number): TranslateBuffers {
    const buffers = this.callBoth<TranslateBuffers>('translateBuffers', [n]);
    this.#buffersLength = n;
    return buffers;
  }

  virtToPhysInPlace(n: number): TranslateCounts {
    return this.#inPlace('virtToPhysInPlace', n);
  }

  physToVirtInPlace(n: number): TranslateCounts {
    return this.#inPlace('physToVirtInPlace', n);
  }

  /**
   * Copies what the caller wrote to the subject's input over to the oracle's,
   * runs the call on both, and compares what each wrote to its output. Views
   * are taken afresh: the subject's may have been detached by growth since.
   */
  #inPlace(method: 'virtToPhysInPlace' | 'physToVirtInPlace', n: number): TranslateCounts {
    const length = this.#buffersLength;
    this.oracle.translateBuffers(length).input.set(this.subject.translateBuffers(length).input);
    const counts = this.callBoth<TranslateCounts>(method, [n]);
    const got = this.subject.translateBuffers(length).output.subarray(0, n);
    const want = this.oracle.translateBuffers(length).output.subarray(0, n);
    for (let i = 0; i < n; i++) {
      if (got[i] !== want[i]) {
        this.fail(`${method}(${n}): output ${i} is 0x${got[i]!.toString(16)}, the reference wrote 0x${want[i]!.toString(16)}`);
      }
    }
    return counts;
  }

  /** Lengths of the classes and runs buffers last handed out. */
  #classesLength = 0;
  #runsLength = 0;

  classesBuffer(nrPages: number): Uint8Array {
    const buffer = this.callBoth<Uint8Array>('classesBuffer', [nrPages]);
    this.#classesLength = nrPages;
    return buffer;
  }

  readClassesInPlace(startPfn: number, nrPages: number): void {
    this.callBoth('readClassesInPlace', [startPfn, nrPages]);
    this.#sameBuffers('readClassesInPlace', this.subject.classesBuffer(this.#classesLength), this.oracle.classesBuffer(this.#classesLength), nrPages);
  }

  runsBuffer(maxRuns: number): Float64Array {
    const buffer = this.callBoth<Float64Array>('runsBuffer', [maxRuns]);
    this.#runsLength = maxRuns;
    return buffer;
  }

  migrateScanInPlace(startPfn: number, endPfn: number, movableMask: ClassMask, unmovableMask: ClassMask, maxRuns: number): ScanSummary {
    const summary = this.callBoth<ScanSummary>('migrateScanInPlace', [startPfn, endPfn, movableMask, unmovableMask, maxRuns]);
    this.#sameBuffers('migrateScanInPlace', this.subject.runsBuffer(this.#runsLength), this.oracle.runsBuffer(this.#runsLength), 2 * summary.nrRuns);
    return summary;
  }

  /** The first `n` values of a buffer are the same on both engines. */
  #sameBuffers(method: string, got: ArrayLike<number>, want: ArrayLike<number>, n: number): void {
    for (let i = 0; i < n; i++) {
      if (got[i] !== want[i]) this.fail(`${method}: buffer value ${i} is ${got[i]}, the reference wrote ${want[i]}`);
    }
  }

  /** The engine under test's figure: the two engines' layouts differ on purpose. */
  bytesUsed(): number {
    return this.subject.bytesUsed();
  }
}

/** Calls written out above rather than compared generically. */
const OWN_METHODS: ReadonlySet<string> = new Set([
  'validate',
  'bytesUsed',
  'translateBuffers',
  'virtToPhysInPlace',
  'physToVirtInPlace',
  'classesBuffer',
  'readClassesInPlace',
  'runsBuffer',
  'migrateScanInPlace',
]);

for (const op of OP_NAMES) {
  if (OWN_METHODS.has(op)) continue;
  Object.defineProperty(CheckedEngine.prototype, op, {
    value: function (this: CheckedEngine, ...args: unknown[]) {
      return this.callBoth(op as OpMethod | 'info', args);
    },
    writable: true,
    configurable: true,
  });
}
