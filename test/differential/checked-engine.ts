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
import type {
  ClassCounts,
  ClassMask,
  EngineApi,
  EngineInfo,
  PageClassId,
  ScanResult,
  TranslateResult,
} from '../../src/contract/engine-api.js';
import { describeOp, describeOutcome, normalize, outcomeOfError, sameOutcome, type EngineOp, type OpMethod, type Outcome } from '../helpers/ops.js';

/** Operations kept for the failure message. */
const HISTORY_LENGTH = 12;

export class EngineMismatch extends Error {
  override readonly name = 'EngineMismatch';
}

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

  #call<T>(method: OpMethod | 'info', args: unknown[]): T {
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

  info(): EngineInfo {
    return this.#call('info', []);
  }
  addSections(startPfn: number, endPfn: number, nid: number, cls: PageClassId, mt: number, flags: number): void {
    this.#call('addSections', [startPfn, endPfn, nid, cls, mt, flags]);
  }
  removeSections(startPfn: number, endPfn: number): void {
    this.#call('removeSections', [startPfn, endPfn]);
  }
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): void {
    this.#call('setSectionFlags', [startPfn, endPfn, setMask, clearMask]);
  }
  setSectionNode(startPfn: number, endPfn: number, nid: number): void {
    this.#call('setSectionNode', [startPfn, endPfn, nid]);
  }
  setSectionZone(startPfn: number, endPfn: number, zone: number): void {
    this.#call('setSectionZone', [startPfn, endPfn, zone]);
  }
  readSections(startSectionNr: number, count: number): Uint32Array {
    return this.#call('readSections', [startSectionNr, count]);
  }
  setClass(startPfn: number, endPfn: number, cls: PageClassId): void {
    this.#call('setClass', [startPfn, endPfn, cls]);
  }
  countClasses(startPfn: number, endPfn: number): ClassCounts {
    return this.#call('countClasses', [startPfn, endPfn]);
  }
  count(startPfn: number, endPfn: number, mask: ClassMask): number {
    return this.#call('count', [startPfn, endPfn, mask]);
  }
  findNext(startPfn: number, endPfn: number, mask: ClassMask): number {
    return this.#call('findNext', [startPfn, endPfn, mask]);
  }
  readClasses(startPfn: number, nrPages: number): Uint8Array {
    return this.#call('readClasses', [startPfn, nrPages]);
  }
  claim(
    startPfn: number,
    endPfn: number,
    nrPages: number,
    fromCls: PageClassId,
    toCls: PageClassId,
    mode: number,
    seed: number,
  ): number {
    return this.#call('claim', [startPfn, endPfn, nrPages, fromCls, toCls, mode, seed]);
  }
  migrateScan(
    startPfn: number,
    endPfn: number,
    movableMask: ClassMask,
    unmovableMask: ClassMask,
    maxRuns: number,
  ): ScanResult {
    return this.#call('migrateScan', [startPfn, endPfn, movableMask, unmovableMask, maxRuns]);
  }
  setMigratetype(startPfn: number, endPfn: number, mt: number): void {
    this.#call('setMigratetype', [startPfn, endPfn, mt]);
  }
  setIsolate(startPfn: number, endPfn: number, isolate: boolean): void {
    this.#call('setIsolate', [startPfn, endPfn, isolate]);
  }
  countPageblocks(startPfn: number, endPfn: number, mask: number, value: number): number {
    return this.#call('countPageblocks', [startPfn, endPfn, mask, value]);
  }
  readPageblockTags(startPfn: number, nrPageblocks: number): Uint8Array {
    return this.#call('readPageblockTags', [startPfn, nrPageblocks]);
  }
  remap(oldStartPfn: number, nrPages: number, newStartPfn: number): void {
    this.#call('remap', [oldStartPfn, nrPages, newStartPfn]);
  }
  clearRemap(startPfn: number, endPfn: number): void {
    this.#call('clearRemap', [startPfn, endPfn]);
  }
  virtToPhys(vas: BigUint64Array): TranslateResult {
    return this.#call('virtToPhys', [vas]);
  }
  physToVirt(pas: BigUint64Array): TranslateResult {
    return this.#call('physToVirt', [pas]);
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

  /** The engine under test's figure: the two engines' layouts differ on purpose. */
  bytesUsed(): number {
    return this.subject.bytesUsed();
  }
}
