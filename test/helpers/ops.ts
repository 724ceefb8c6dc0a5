/**
 * Seeded random engine operations for differential tests.
 *
 * An {@link EngineOp} is a method name plus arguments, so one sequence can be
 * replayed on any {@link EngineApi}: the WASM engine, the reference, or the
 * worker client. Everything here `await`s engine calls, so it runs the same on
 * synchronous engines and on promise-returning ones.
 *
 * The generator reads the section table from the engine before each operation
 * so that most calls land on present sections and succeed, while a steady
 * share of calls is deliberately wrong (bad values, ranges outside the window,
 * absent sections) to check that both engines refuse them the same way.
 *
 * Typical use, comparing any engine with the reference:
 *
 *     const generator = new OpGenerator(new Prng(seed), reference.info());
 *     for (let step = 0; step < nrSteps; step++) {
 *       const op = await generator.next(reference);
 *       for (const call of [op, ...generator.probes(op)]) {
 *         const [got, want] = [await applyOp(engine, call), await applyOp(reference, call)];
 *         if (!sameOutcome(got, want)) throw new Error(`seed ${seed} step ${step}: ${describeOp(call)}`);
 *       }
 *     }
 */
import {
  ALL_CLASSES,
  BAD_ADDRESS,
  ClaimMode,
  MAX_NID,
  MAX_PHYS_PFN,
  MIGRATETYPE_MASK,
  NO_TAG,
  NO_ZONE,
  NR_PAGE_CLASSES,
  PAGEBLOCK_ISOLATE,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PAGE_OFFSET,
  PAGE_OFFSET_L5,
  PAGE_SHIFT,
  PageClass,
  SECTION_FLAGS_SETTABLE,
  SectionFlag,
} from '../../src/contract/constants.js';
import type { EngineApi, EngineInfo } from '../../src/contract/engine-api.js';
import { ENGINE_OPS, OP_NAMES, type ArgKind } from '../../src/contract/ops.js';
import type { Prng } from './prng.js';

/** Engine methods an operation may call (everything but the self checks). */
export type OpMethod = Exclude<keyof EngineApi, 'info' | 'validate' | 'bytesUsed'>;

export interface EngineOp {
  method: OpMethod;
  args: unknown[];
  /**
   * For the in-place translations: the batch the caller writes to the
   * engine's translation buffers first (see {@link writeInput}).
   */
  input?: BigUint64Array;
  /** Buffer requests made first, so an in-place call has room (see {@link writeInput}). */
  before?: EngineOp[];
}

/**
 * What an in-place call wrote, read back from the engine's buffers: the
 * first n translations, the classes read, the runs found.
 */
const WRITTEN: Partial<Record<OpMethod, (engine: EngineApi, args: unknown[], value: unknown) => Promise<ArrayLike<unknown>>>> = {
  virtToPhysInPlace: async (engine, [n]) => (await engine.translateBuffers(n as number)).output.slice(),
  physToVirtInPlace: async (engine, [n]) => (await engine.translateBuffers(n as number)).output.slice(),
  readClassesInPlace: async (engine, [, nrPages]) => (await engine.classesBuffer(nrPages as number)).slice(),
  migrateScanInPlace: async (engine, args, value) => (await engine.runsBuffer(args[4] as number)).slice(0, 2 * (value as { nrRuns: number }).nrRuns),
};

/** Makes `op.before`'s buffer requests, then writes `op.input`, if any, to the translation buffers. */
export async function writeInput(engine: EngineApi, op: EngineOp): Promise<void> {
  for (const before of op.before ?? []) await (engine[before.method] as (...args: unknown[]) => unknown).apply(engine, before.args);
  if (op.input === undefined) return;
  const buffers = await engine.translateBuffers(op.input.length);
  buffers.input.set(op.input);
}

/** What one call did: a normalised result, or the refusal's code and argument. */
export type Outcome =
  | { ok: true; value: unknown }
  | { ok: false; code: string; arg: string | undefined; message: string };

const U64_MASK = (1n << 64n) - 1n;
const PAGE_SHIFT_BIG = BigInt(PAGE_SHIFT);
/** Addresses per translation call. */
const TRANSLATE_BATCH = 24;
/** How many recently used pfns the generator remembers to aim at again. */
const RECENT_PFNS = 48;
/** Pages read around each pfn argument of the last operation. */
const PROBE_SPAN_PAGES = 96;
/** Cap on one random readClasses probe. */
const PROBE_RANDOM_SPAN_PAGES = 4096;
/** Cap on the pageblock tags read back after a retagPageblocks. */
const PROBE_TAG_SPAN_PAGEBLOCKS = 256;
/** Pfns of a range the tagged family samples for a present page's tag and class. */
const TAG_SAMPLES = 4;

/** Values no pfn or count argument may take. */
const NOT_A_COUNT = [Number.NaN, -1, 0.5, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53];
const NOT_A_CLASS = [NR_PAGE_CLASSES, NR_PAGE_CLASSES + 1, 255, -1, 2.5, Number.NaN];
const NOT_A_CLASS_MASK = [ALL_CLASSES + 1, 0x1ff, -1, 0.5, Number.NaN];
const NOT_A_MIGRATETYPE = [3, 4, -1, 1.5, Number.NaN];
const NOT_A_NID = [MAX_NID + 1, -1, 0.5, Number.NaN];
const NOT_A_ZONE = [256, -1, 1.5, Number.NaN];
const NOT_SETTABLE_FLAGS = [SectionFlag.PRESENT, SectionFlag.REMAPPED, 1 << 5, -1, 0.5];
const NOT_A_MODE = [2, -1, 0.5, Number.NaN];
const NOT_A_TAG_MASK = [8, 0xff, -1, 0.5];
const NOT_A_MAX_RUNS = [0, -1, 1.5, Number.NaN];
/** Every bit a pageblock tag may hold. */
const TAG_BITS = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;
/**
 * Where far ranges start, as offsets: below the window's base, past its end,
 * or from pfn 2^36 or MAX_PHYS_PFN. The zones lie more than 2^32 pages apart,
 * so pages sent to two of them from one pageblock need a WIDE block.
 */
const FAR_ZONE_SPAN = 4 * PAGES_PER_SECTION;
/** How many recently used far pfns the generator remembers. */
const RECENT_FAR_PFNS = 16;

/** Every operation the generator may call: the table's rows but the self checks. */
const OPERATIONS = OP_NAMES.filter((name): name is OpMethod => name !== 'info' && name !== 'validate' && name !== 'bytesUsed');

/** The kind of each argument of `method`, from the operation table. */
function argKinds(method: OpMethod): readonly ArgKind[] {
  const params: readonly (readonly [string, ArgKind])[] = ENGINE_OPS[method].args;
  return params.map(([, kind]) => kind);
}

// ---- running and comparing ------------------------------------------------------

/** Calls `op` on `engine` (sync or async) and records what happened. */
export async function applyOp(engine: EngineApi, op: EngineOp): Promise<Outcome> {
  try {
    await writeInput(engine, op);
    const method = engine[op.method] as (...args: unknown[]) => unknown;
    const value: unknown = await method.apply(engine, op.args);
    const written = WRITTEN[op.method];
    if (written !== undefined) return { ok: true, value: normalize({ value, written: await written(engine, op.args, value) }) };
    return { ok: true, value: normalize(value) };
  } catch (error) {
    return outcomeOfError(error);
  }
}

/** The outcome of a thrown value: engine errors by code and argument, anything else by name. */
export function outcomeOfError(error: unknown): Outcome {
  if (error instanceof Error) {
    const fields = error as Error & { code?: unknown; arg?: unknown };
    if (error.name === 'EngineError' && typeof fields.code === 'string') {
      return {
        ok: false,
        code: fields.code,
        arg: typeof fields.arg === 'string' ? fields.arg : undefined,
        message: error.message,
      };
    }
    return { ok: false, code: `${error.name} (not an EngineError)`, arg: undefined, message: error.message };
  }
  return { ok: false, code: 'non-Error thrown', arg: undefined, message: String(error) };
}

/** Equal results, or refusals with the same code and argument (messages may differ). */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.ok && b.ok) return JSON.stringify(a.value) === JSON.stringify(b.value);
  if (!a.ok && !b.ok) return a.code === b.code && a.arg === b.arg;
  return false;
}

export function describeOutcome(outcome: Outcome): string {
  if (outcome.ok) return `returned ${abbreviate(JSON.stringify(outcome.value) ?? 'undefined', 600)}`;
  return `threw ${outcome.code}${outcome.arg !== undefined ? ` (${outcome.arg})` : ''}: ${outcome.message}`;
}

/** A result as plain JSON-able data: typed arrays become arrays, u64 values hex strings. */
export function normalize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : value;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (value instanceof BigUint64Array || value instanceof BigInt64Array) {
    return Array.from(value, (x) => `0x${x.toString(16)}`);
  }
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = normalize((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** `method(arg, ...)` with u64 arrays in hex, for failure messages and replay. */
export function describeOp(op: EngineOp): string {
  const args = op.args.map((arg) => {
    if (arg instanceof BigUint64Array) {
      return `BigUint64Array.of(${Array.from(arg, (x) => `0x${x.toString(16)}n`).join(', ')})`;
    }
    if (typeof arg === 'number' && Number.isNaN(arg)) return 'NaN';
    return String(arg);
  });
  return `${op.method}(${args.join(', ')})`;
}

function abbreviate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars)}… (${text.length} chars)`;
}

// ---- generating -------------------------------------------------------------------

/** Relative weights of the operation families. */
const FAMILY_WEIGHTS = {
  addSections: 5,
  removeSections: 2,
  sectionAttributes: 4,
  setClass: 22,
  counting: 10,
  readClasses: 3,
  claim: 10,
  /** countTagged, claimTagged, retagPageblocks, aimed at tags and classes the range holds. */
  tagged: 12,
  migrateScan: 8,
  pageblockTags: 8,
  remap: 7,
  /** remapOut and remapIn: pages sent to other shards' frames, frames holding other shards' pages. */
  remapFar: 7,
  clearRemap: 2,
  translate: 8,
  /** Any operation of the table, its arguments drawn by kind: a new operation is covered the day it lands. */
  anyOp: 6,
  badCall: 9,
} as const;
type Family = keyof typeof FAMILY_WEIGHTS;
const FAMILIES = Object.keys(FAMILY_WEIGHTS) as Family[];
const WEIGHTS = FAMILIES.map((f) => FAMILY_WEIGHTS[f]);

/**
 * Random operations over one window. Call {@link OpGenerator.next} for each
 * operation and {@link OpGenerator.probes} after it for the state checks.
 */
export class OpGenerator {
  readonly #rng: Prng;
  readonly #basePfn: number;
  /** The window's direct-map base, where its virtual addresses start. */
  readonly #pageOffset: bigint;
  readonly #endPfn: number;
  readonly #nrSections: number;
  readonly #baseSectionNr: number;
  #presentSections: boolean[] = [];
  readonly #recentPfns: number[] = [];
  readonly #recentFarPfns: number[] = [];

  constructor(rng: Prng, info: EngineInfo) {
    this.#rng = rng;
    this.#basePfn = info.basePfn;
    this.#pageOffset = info.pageOffset;
    this.#endPfn = info.basePfn + info.nrPages;
    this.#nrSections = info.nrSections;
    this.#baseSectionNr = info.basePfn / PAGES_PER_SECTION;
  }

  /** The next operation; reads the engine's section table to aim at present sections. */
  async next(engine: EngineApi): Promise<EngineOp> {
    const words = await engine.readSections(this.#baseSectionNr, this.#nrSections);
    this.#presentSections = Array.from(words, (word) => (word & SectionFlag.PRESENT) !== 0);
    const nrPresent = this.#presentSections.filter(Boolean).length;
    let family = FAMILIES[this.#rng.weighted(WEIGHTS)]!;
    // An empty window makes nearly every call a refusal: fill it first.
    if (nrPresent === 0 && this.#rng.chance(0.8)) family = 'addSections';
    const op = await this.#generate(family, engine);
    for (const arg of op.args) {
      if (typeof arg === 'number' && Number.isSafeInteger(arg) && arg >= this.#basePfn && arg <= this.#endPfn) {
        this.#remember(arg);
      }
    }
    return op;
  }

  /**
   * Read-only operations that check the state after `op`: whole-window and
   * random sub-range class counts, a findNext, per-page classes around the
   * pfns `op` touched and one random span, the section table, pageblock tags
   * and a translation probe.
   */
  probes(op: EngineOp): EngineOp[] {
    const rng = this.#rng;
    const probes: EngineOp[] = [
      { method: 'countClasses', args: [this.#basePfn, this.#endPfn] },
      { method: 'countClasses', args: this.#randomRange() },
      { method: 'findNext', args: [this.#interestingPfn(), this.#endPfn, rng.int(1, ALL_CLASSES + 1)] },
      { method: 'readSections', args: [this.#baseSectionNr, this.#nrSections] },
      { method: 'countRemapped', args: this.#randomRange() },
    ];
    const touched = op.args.filter(
      (arg): arg is number =>
        typeof arg === 'number' && Number.isSafeInteger(arg) && arg >= this.#basePfn && arg <= this.#endPfn,
    );
    for (const pfn of touched.slice(0, 3)) {
      const startPfn = Math.max(this.#basePfn, pfn - PROBE_SPAN_PAGES / 2);
      const nrPages = Math.min(PROBE_SPAN_PAGES, this.#endPfn - startPfn);
      probes.push({ method: 'readClasses', args: [startPfn, nrPages] });
      const blockPfn = Math.max(this.#basePfn, pfn - PAGES_PER_PAGEBLOCK);
      const nrPageblocks = Math.min(3, Math.floor((this.#endPfn - blockPfn) / PAGES_PER_PAGEBLOCK));
      probes.push({ method: 'readPageblockTags', args: [blockPfn, nrPageblocks] });
      probes.push({ method: 'readPageblockClasses', args: [blockPfn, nrPageblocks] });
    }
    const spanStartPfn = this.#interestingPfn();
    probes.push({
      method: 'readClasses',
      args: [spanStartPfn, rng.int(0, Math.min(PROBE_RANDOM_SPAN_PAGES, this.#endPfn - spanStartPfn) + 1)],
    });
    const [startPfn, endPfn] = op.args;
    if (op.method === 'retagPageblocks' && this.#isWindowRange(startPfn, endPfn) && typeof endPfn === 'number') {
      // Every tag the call may have changed, or the first PROBE_TAG_SPAN_PAGEBLOCKS of them.
      const nrPageblocks = Math.ceil((endPfn - (startPfn - (startPfn % PAGES_PER_PAGEBLOCK))) / PAGES_PER_PAGEBLOCK);
      probes.push({ method: 'readPageblockTags', args: [startPfn, Math.min(nrPageblocks, PROBE_TAG_SPAN_PAGEBLOCKS)] });
    }
    if (rng.chance(0.4)) {
      // Classes and tags together, over the window: pages of some classes in pageblocks of one migratetype.
      probes.push({ method: 'countTagged', args: [this.#basePfn, this.#endPfn, this.#classMask(), MIGRATETYPE_MASK, rng.int(0, 3)] });
    }
    if (rng.chance(0.3)) probes.push({ method: 'virtToPhys', args: [this.#virtualAddresses()] });
    if (rng.chance(0.3)) probes.push({ method: 'physToVirt', args: [this.#physicalAddresses()] });
    if (rng.chance(0.2)) {
      // The same batches through the engine's own buffers.
      const input = rng.chance(0.5) ? this.#virtualAddresses() : this.#physicalAddresses();
      const method = rng.chance(0.5) ? 'virtToPhysInPlace' : 'physToVirtInPlace';
      probes.push({ method, args: [input.length], input });
    }
    if (rng.chance(0.15)) {
      // Classes and a migration scan through the engine's own buffers.
      const startPfn = this.#interestingPfn();
      const nrPages = rng.int(0, Math.min(PROBE_RANDOM_SPAN_PAGES, this.#endPfn - startPfn) + 1);
      probes.push({ method: 'readClassesInPlace', args: [startPfn, nrPages], before: [{ method: 'classesBuffer', args: [nrPages] }] });
      const [scanStart, scanEnd] = this.#presentRange();
      const maxRuns = rng.int(1, 65);
      probes.push({
        method: 'migrateScanInPlace',
        args: [scanStart, scanEnd, this.#classMask(), 0, maxRuns],
        before: [{ method: 'runsBuffer', args: [maxRuns] }],
      });
    }
    return probes;
  }

  /** `[startPfn, endPfn)` is a well-formed range inside the window (the call may have been a bad one). */
  #isWindowRange(startPfn: unknown, endPfn: unknown): startPfn is number {
    return (
      Number.isSafeInteger(startPfn) &&
      Number.isSafeInteger(endPfn) &&
      (startPfn as number) >= this.#basePfn &&
      (startPfn as number) <= (endPfn as number) &&
      (endPfn as number) <= this.#endPfn
    );
  }

  async #generate(family: Family, engine: EngineApi): Promise<EngineOp> {
    const rng = this.#rng;
    switch (family) {
      case 'addSections': {
        if (!this.#presentSections.includes(false) && rng.chance(0.7)) {
          // A full window: make room instead of collecting E_EXISTS.
          const [startPfn, endPfn] = this.#sectionRun(true);
          return { method: 'removeSections', args: [startPfn, endPfn] };
        }
        const [startPfn, endPfn] = this.#sectionRun(false);
        const flags = rng.int(0, SECTION_FLAGS_SETTABLE + 1) & SECTION_FLAGS_SETTABLE;
        return {
          method: 'addSections',
          args: [startPfn, endPfn, rng.int(0, 4), this.#cls(), rng.int(0, 3), flags],
        };
      }
      case 'removeSections': {
        const [startPfn, endPfn] = this.#sectionRun(true);
        return { method: 'removeSections', args: [startPfn, endPfn] };
      }
      case 'sectionAttributes': {
        const [startPfn, endPfn] = this.#presentRange();
        const which = rng.int(0, 3);
        if (which === 0) {
          const setMask = rng.int(0, 8) & SECTION_FLAGS_SETTABLE;
          const clearMask = rng.int(0, 8) & SECTION_FLAGS_SETTABLE;
          return { method: 'setSectionFlags', args: [startPfn, endPfn, setMask, clearMask] };
        }
        if (which === 1) return { method: 'setSectionNode', args: [startPfn, endPfn, rng.pick([0, 1, 7, MAX_NID])] };
        return { method: 'setSectionZone', args: [startPfn, endPfn, rng.pick([0, 1, 2, 3, 254, NO_ZONE])] };
      }
      case 'setClass': {
        const [startPfn, endPfn] = rng.chance(0.9) ? this.#presentRange() : this.#randomRange();
        return { method: 'setClass', args: [startPfn, endPfn, this.#cls()] };
      }
      case 'counting': {
        const [startPfn, endPfn] = this.#randomRange();
        const method = rng.pick(['countClasses', 'count', 'findNext', 'countRemapped'] as const);
        if (method === 'countClasses' || method === 'countRemapped') return { method, args: [startPfn, endPfn] };
        return { method, args: [startPfn, endPfn, this.#classMask()] };
      }
      case 'readClasses': {
        if (rng.chance(0.25)) {
          const first = rng.int(0, this.#nrSections + 1);
          return { method: 'readSections', args: [this.#baseSectionNr + first, rng.int(0, this.#nrSections - first + 1)] };
        }
        const startPfn = this.#interestingPfn();
        return { method: 'readClasses', args: [startPfn, rng.skewedLength(this.#endPfn - startPfn)] };
      }
      case 'claim': {
        const [startPfn, endPfn] = rng.chance(0.8) ? this.#presentRange() : this.#randomRange();
        // Ask what the range holds, so most claims take a class that is there
        // and can succeed, and some ask for one page too many.
        const counts = await engine.countClasses(startPfn, endPfn);
        const held = Array.from(counts).flatMap((n, cls) => (n > 0 ? [cls] : []));
        const fromCls = held.length > 0 && rng.chance(0.85) ? rng.pick(held) : this.#cls();
        const toCls = rng.chance(0.1) ? fromCls : this.#cls();
        const available = counts[fromCls]!;
        const roll = rng.float();
        const nrPages =
          roll < 0.1 ? available + 1 : roll < 0.2 ? available : roll < 0.25 ? 0 : rng.int(0, available + 1);
        const mode = rng.chance(0.5) ? ClaimMode.LOWEST : ClaimMode.RANDOM_PAGEBLOCK;
        return { method: 'claim', args: [startPfn, endPfn, nrPages, fromCls, toCls, mode, rng.u32()] };
      }
      case 'tagged':
        return this.#tagged(engine);
      case 'migrateScan': {
        // Long ranges, where runs pile up, often enough for MORE to come up.
        const roll = rng.float();
        const [startPfn, endPfn] =
          roll < 0.3 ? this.#wholePresentRun() : roll < 0.7 ? this.#presentRange() : this.#randomRange();
        // Split the classes between the masks so they never intersect; a
        // single movable class gives many short runs, so MORE comes up.
        let movableMask = 0;
        let unmovableMask = 0;
        if (rng.chance(0.4)) {
          movableMask = 1 << rng.int(0, NR_PAGE_CLASSES);
          if (rng.chance(0.5)) unmovableMask = (1 << rng.int(0, NR_PAGE_CLASSES)) & ~movableMask;
        } else {
          for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) {
            const roll = rng.float();
            if (roll < 0.35) movableMask |= 1 << cls;
            else if (roll < 0.5) unmovableMask |= 1 << cls;
          }
        }
        const maxRuns = rng.chance(0.7) ? rng.int(1, 5) : rng.int(1, 10_000);
        return { method: 'migrateScan', args: [startPfn, endPfn, movableMask, unmovableMask, maxRuns] };
      }
      case 'pageblockTags': {
        const which = rng.int(0, 4);
        if (which === 0) {
          const [startPfn, endPfn] = this.#presentRange();
          return { method: 'setMigratetype', args: [startPfn, endPfn, rng.int(0, 3)] };
        }
        if (which === 1) {
          const [startPfn, endPfn] = this.#presentRange();
          return { method: 'setIsolate', args: [startPfn, endPfn, rng.chance(0.5)] };
        }
        if (which === 2) {
          const [startPfn, endPfn] = this.#randomRange();
          const mask = rng.pick([0, 3, PAGEBLOCK_ISOLATE, 7]);
          const value = rng.int(0, 8) & mask;
          return { method: 'countPageblocks', args: [startPfn, endPfn, mask, value] };
        }
        const startPfn = this.#interestingPfn();
        const maxBlocks = Math.floor((this.#endPfn - (startPfn - (startPfn % PAGES_PER_PAGEBLOCK))) / PAGES_PER_PAGEBLOCK);
        const read = rng.chance(0.5) ? 'readPageblockTags' : 'readPageblockClasses';
        return { method: read, args: [startPfn, rng.int(0, Math.min(maxBlocks, 200) + 1)] };
      }
      case 'remap': {
        const nrPages = rng.chance(0.05) ? rng.int(0, PAGES_PER_SECTION + 1) : rng.int(0, 65);
        const [oldStartPfn] = this.#presentRange(nrPages);
        const [newStartPfn] = this.#presentRange(nrPages);
        const fit = (pfn: number): number => Math.min(pfn, this.#endPfn - nrPages);
        const oldPfn = rng.chance(0.05) ? newStartPfn : oldStartPfn;
        return { method: 'remap', args: [fit(oldPfn), nrPages, fit(newStartPfn)] };
      }
      case 'remapFar': {
        const nrPages = rng.chance(0.05) ? rng.int(0, PAGES_PER_SECTION + 1) : rng.int(0, 65);
        const [startPfn] = this.#presentRange(nrPages);
        const inWindow = Math.min(startPfn, this.#endPfn - nrPages);
        if (rng.chance(0.55)) {
          // Now and then home again: the far frames went away.
          const newStartPfn = rng.chance(0.1) ? inWindow : this.#farPfn(nrPages);
          return { method: 'remapOut', args: [inWindow, nrPages, newStartPfn] };
        }
        // Now and then the frames forget their far pages (the undo of remapIn).
        const oldStartPfn = rng.chance(0.1) ? inWindow : this.#farPfn(nrPages);
        return { method: 'remapIn', args: [inWindow, nrPages, oldStartPfn] };
      }
      case 'clearRemap': {
        return { method: 'clearRemap', args: this.#randomRange() };
      }
      case 'translate': {
        return rng.chance(0.5)
          ? { method: 'virtToPhys', args: [this.#virtualAddresses()] }
          : { method: 'physToVirt', args: [this.#physicalAddresses()] };
      }
      case 'anyOp':
        return this.#byKinds(rng.pick(OPERATIONS));
      case 'badCall': {
        const base = await this.#generate(rng.pick(FAMILIES.filter((f) => f !== 'badCall')), engine);
        return this.#corrupt(base);
      }
    }
  }

  /**
   * countTagged, claimTagged or retagPageblocks over a range of present
   * pageblocks, filtered on a tag one of its pageblocks has and aimed at the
   * classes it holds, so that most calls find material and succeed; claims
   * ask for up to what the filter and the limit can give, now and then one
   * page more.
   */
  async #tagged(engine: EngineApi): Promise<EngineOp> {
    const rng = this.#rng;
    const [startPfn, endPfn] = this.#taggedRange();
    const sample = await this.#samplePage(engine, startPfn, endPfn);
    const [tagMask, tagValue] = this.#tagFilter(sample?.tag);
    // The sampled page's class: its pageblock passes the filter and holds one.
    const cls = (): number => (sample !== undefined && rng.chance(0.85) ? sample.cls : this.#cls());
    const roll = rng.float();
    if (roll < 0.2) {
      const mask = rng.chance(0.7) ? (1 << cls()) | (rng.chance(0.5) ? this.#classMask() : 0) : this.#classMask();
      return { method: 'countTagged', args: [startPfn, endPfn, mask, tagMask, tagValue] };
    }
    if (roll < 0.6) {
      const fromCls = cls();
      const toCls = rng.chance(0.1) ? fromCls : this.#cls();
      const limit = rng.pick([0, 0, 0, 1, 2, 7, 64, 300, 511, 512, 4096]);
      const tagged = await engine.countTagged(startPfn, endPfn, 1 << fromCls, tagMask, tagValue);
      // With a limit, at most `limit` pages of each matching pageblock: an upper bound on what the claim can take.
      const blocks = limit === 0 ? 0 : await engine.countPageblocks(startPfn, endPfn, tagMask, tagValue);
      const most = limit === 0 ? tagged : Math.min(tagged, limit * blocks);
      const pick = rng.float();
      const nrPages =
        pick < 0.08 ? most + 1 : pick < 0.13 ? most : pick < 0.16 ? 0 : rng.int(1, Math.max(1, Math.floor(most / (limit === 0 ? 1 : 4))) + 1);
      const mode = rng.chance(0.5) ? ClaimMode.LOWEST : ClaimMode.RANDOM_PAGEBLOCK;
      return {
        method: 'claimTagged',
        args: [startPfn, endPfn, nrPages, fromCls, toCls, mode, rng.u32(), tagMask, tagValue, limit],
      };
    }
    const maxBlocks = rng.pick([0, 1, 2, 3, rng.int(1, 40), 2 ** 31]);
    // Good pages: often FREE and the sampled class, as the kernel's "free + alike".
    const goodMask = rng.chance(0.7) ? (1 << PageClass.FREE) | (1 << cls()) : this.#classMask();
    const half = PAGES_PER_PAGEBLOCK / 2;
    const minGood = rng.pick([0, 1, 64, half, half, half + 1, PAGES_PER_PAGEBLOCK, PAGES_PER_PAGEBLOCK + 1, rng.int(0, PAGES_PER_PAGEBLOCK + 1)]);
    return {
      method: 'retagPageblocks',
      args: [startPfn, endPfn, maxBlocks, tagMask, tagValue, rng.int(0, 3), goodMask, minGood],
    };
  }

  /** A range for the tagged calls: long enough to hold whole pageblocks, mostly over present sections. */
  #taggedRange(): [number, number] {
    const rng = this.#rng;
    const roll = rng.float();
    if (roll < 0.2) return this.#wholePresentRun();
    if (roll < 0.45) return this.#presentRange();
    if (roll < 0.5) return this.#randomRange();
    const [runStartPfn, runEndPfn] = this.#wholePresentRun();
    const startPfn = rng.int(runStartPfn, runEndPfn);
    const length = rng.int(1, 40) * PAGES_PER_PAGEBLOCK + rng.int(-PAGES_PER_PAGEBLOCK / 2, PAGES_PER_PAGEBLOCK / 2);
    return [startPfn, Math.min(runEndPfn, Math.max(startPfn, startPfn + length))];
  }

  /** The tag and class of a page of a present section in the range, sampled from the engine, if one is found. */
  async #samplePage(engine: EngineApi, startPfn: number, endPfn: number): Promise<{ tag: number; cls: number } | undefined> {
    for (let i = 0; i < TAG_SAMPLES && endPfn > startPfn; i++) {
      const pfn = this.#rng.int(startPfn, endPfn);
      const [tag] = await engine.readPageblockTags(pfn, 1);
      if (tag === undefined || tag === NO_TAG) continue;
      const [cls] = await engine.readClasses(pfn, 1);
      return { tag, cls: cls! };
    }
    return undefined;
  }

  /**
   * A tag filter `[tagMask, tagValue]` that the sampled tag passes, now and
   * then no filter, one on MIGRATE_ISOLATE, or a value no tag may match.
   */
  #tagFilter(tag: number | undefined): [number, number] {
    const rng = this.#rng;
    const roll = rng.float();
    if (roll < 0.12) return [0, 0];
    if (roll < 0.17 || tag === undefined) return [MIGRATETYPE_MASK, rng.int(0, 8)];
    const tagMask = roll < 0.7 ? MIGRATETYPE_MASK : roll < 0.9 ? TAG_BITS : PAGEBLOCK_ISOLATE;
    return [tagMask, tag & tagMask];
  }

  /** `op` with one argument made wrong: a bad value of its kind, a pfn off the window, or swapped range ends. */
  #corrupt(op: EngineOp): EngineOp {
    const rng = this.#rng;
    const kinds = argKinds(op.method);
    const args = [...op.args];
    const candidates = kinds.flatMap((kind, i) => (kind === 'bool' || kind === 'seed' || kind === 'addresses' ? [] : [i]));
    if (candidates.length === 0) return op;
    const i = rng.pick(candidates);
    switch (kinds[i]) {
      case 'pfn': {
        const roll = rng.float();
        if (roll < 0.3 && kinds[0] === 'pfn' && kinds[1] === 'pfn') {
          // Reversed ends, kept distinct so the range is not empty.
          let high = Math.max(args[0] as number, args[1] as number);
          let low = Math.min(args[0] as number, args[1] as number);
          if (high === low) {
            if (high < this.#endPfn) high++;
            else low--;
          }
          args[0] = high;
          args[1] = low;
        } else if (roll < 0.55) {
          args[i] = rng.pick(NOT_A_COUNT);
        } else if (roll < 0.75 && this.#basePfn > 0) {
          args[i] = this.#basePfn - rng.int(1, PAGES_PER_SECTION + 1);
        } else {
          args[i] = this.#endPfn + rng.pick([1, 511, PAGES_PER_SECTION, PAGES_PER_SECTION * 3]);
        }
        break;
      }
      case 'farPfn': {
        // Not a count, inside the window, across its edge, or past MAX_PHYS_PFN.
        const nrPages = Math.max(1, kinds[i - 1] === 'count' ? (args[i - 1] as number) : 1);
        const roll = rng.float();
        if (roll < 0.25) args[i] = rng.pick(NOT_A_COUNT);
        else if (roll < 0.5) args[i] = this.#interestingPfn();
        else if (roll < 0.75) args[i] = rng.chance(0.5) ? this.#endPfn - 1 : Math.max(0, this.#basePfn - nrPages + 1);
        else args[i] = MAX_PHYS_PFN - nrPages + rng.int(1, 513);
        if (kinds[i - 1] === 'count') args[i - 1] = nrPages;
        break;
      }
      case 'count':
      case 'sectionNr':
        // Past the window, and past what a buffer may hold (2^24 of anything).
        args[i] = rng.chance(0.6) ? rng.pick(NOT_A_COUNT) : (args[i] as number) + Math.max(this.#endPfn, 2 ** 25);
        break;
      case 'cls':
        args[i] = rng.pick(NOT_A_CLASS);
        break;
      case 'mask':
        args[i] = rng.pick(NOT_A_CLASS_MASK);
        break;
      case 'mt':
        args[i] = rng.pick(NOT_A_MIGRATETYPE);
        break;
      case 'nid':
        args[i] = rng.pick(NOT_A_NID);
        break;
      case 'zone':
        args[i] = rng.pick(NOT_A_ZONE);
        break;
      case 'flags':
        args[i] = rng.pick(NOT_SETTABLE_FLAGS);
        break;
      case 'mode':
        args[i] = rng.pick(NOT_A_MODE);
        break;
      case 'tagBits':
        args[i] = rng.pick(NOT_A_TAG_MASK);
        break;
      case 'maxRuns':
        args[i] = rng.pick(NOT_A_MAX_RUNS);
        break;
    }
    if (op.method === 'migrateScan' && rng.chance(0.2)) {
      // Intersecting masks.
      args[2] = (args[2] as number) | 1;
      args[3] = (args[3] as number) | 1;
    }
    return { method: op.method, args };
  }

  /**
   * A call of `method` with each argument drawn from its kind in the
   * operation table: ranges in or near present sections, counts that fit
   * after the start they follow, valid class, node, zone and tag values.
   */
  #byKinds(method: OpMethod): EngineOp {
    const rng = this.#rng;
    const kinds = argKinds(method);
    const args: unknown[] = [];
    for (let i = 0; i < kinds.length; i++) {
      const previous = args[i - 1];
      switch (kinds[i]) {
        case 'pfn':
          if (kinds[i + 1] === 'pfn') {
            const [startPfn, endPfn] = rng.chance(0.8) ? this.#presentRange() : this.#randomRange();
            args.push(startPfn, endPfn);
            i++;
          } else {
            args.push(this.#interestingPfn());
          }
          break;
        case 'count':
          if (kinds[i - 1] === 'pfn' && typeof previous === 'number') {
            args.push(rng.skewedLength(Math.min(PROBE_RANDOM_SPAN_PAGES, this.#endPfn - previous)));
          } else if (kinds[i - 1] === 'sectionNr' && typeof previous === 'number') {
            args.push(rng.int(0, this.#baseSectionNr + this.#nrSections - previous + 1));
          } else {
            args.push(rng.int(0, 65));
          }
          break;
        case 'sectionNr':
          args.push(this.#baseSectionNr + rng.int(0, this.#nrSections + 1));
          break;
        case 'farPfn':
          args.push(this.#farPfn(kinds[i - 1] === 'count' && typeof previous === 'number' ? previous : 0));
          break;
        case 'cls':
          args.push(this.#cls());
          break;
        case 'mask':
          args.push(this.#classMask());
          break;
        case 'nid':
          args.push(rng.pick([0, 1, 7, MAX_NID]));
          break;
        case 'zone':
          args.push(rng.pick([0, 1, 2, 3, 254, NO_ZONE]));
          break;
        case 'flags':
          args.push(rng.int(0, SECTION_FLAGS_SETTABLE + 1) & SECTION_FLAGS_SETTABLE);
          break;
        case 'mt':
          args.push(rng.int(0, 3));
          break;
        case 'mode':
          args.push(rng.chance(0.5) ? ClaimMode.LOWEST : ClaimMode.RANDOM_PAGEBLOCK);
          break;
        case 'seed':
          args.push(rng.u32());
          break;
        case 'tagBits':
          args.push(rng.int(0, 8));
          break;
        case 'maxRuns':
          args.push(rng.int(1, 65));
          break;
        case 'bool':
          args.push(rng.chance(0.5));
          break;
        case 'addresses':
          args.push(rng.chance(0.5) ? this.#virtualAddresses() : this.#physicalAddresses());
          break;
      }
    }
    return { method, args };
  }

  // ---- argument pickers -------------------------------------------------------

  #cls(): number {
    // FREE and USER dominate real memory; keep them likelier so claims have material.
    return this.#rng.weighted([4, 3, 2, 1, 1, 1, 1, 1]);
  }

  #classMask(): number {
    const rng = this.#rng;
    const roll = rng.float();
    if (roll < 0.4) return 1 << rng.int(0, NR_PAGE_CLASSES);
    if (roll < 0.45) return 0;
    if (roll < 0.5) return ALL_CLASSES;
    return rng.int(0, ALL_CLASSES + 1);
  }

  #remember(pfn: number): void {
    this.#recentPfns.push(pfn);
    if (this.#recentPfns.length > RECENT_PFNS) this.#recentPfns.shift();
  }

  #sectionStartPfn(sectionIndex: number): number {
    return this.#basePfn + sectionIndex * PAGES_PER_SECTION;
  }

  /** A pfn in `[basePfn, endPfn]`, often on or next to a section or pageblock edge or a recent pfn. */
  #interestingPfn(): number {
    const rng = this.#rng;
    const roll = rng.float();
    let pfn: number;
    if (roll < 0.3) {
      pfn = rng.int(this.#basePfn, this.#endPfn + 1);
    } else if (roll < 0.5) {
      pfn = this.#sectionStartPfn(rng.int(0, this.#nrSections + 1)) + rng.int(-3, 4);
    } else if (roll < 0.7) {
      const nrPageblocks = (this.#endPfn - this.#basePfn) / PAGES_PER_PAGEBLOCK;
      pfn = this.#basePfn + rng.int(0, nrPageblocks + 1) * PAGES_PER_PAGEBLOCK + rng.int(-2, 3);
    } else if (this.#recentPfns.length > 0) {
      pfn = rng.pick(this.#recentPfns) + (rng.chance(0.5) ? 0 : rng.int(-70, 71));
    } else {
      pfn = rng.int(this.#basePfn, this.#endPfn + 1);
    }
    return Math.min(this.#endPfn, Math.max(this.#basePfn, pfn));
  }

  /**
   * The start of a far range of `nrPages` pages (outside the window, ending
   * at or below MAX_PHYS_PFN), in one of a few zones (FAR_ZONE_SPAN wide), or
   * a recent far pfn again, so that frames fill up and runs continue.
   */
  #farPfn(nrPages: number): number {
    const rng = this.#rng;
    const recent = this.#recentFarPfns;
    let pfn: number;
    if (recent.length > 0 && rng.chance(0.3)) {
      pfn = rng.pick(recent) + (rng.chance(0.5) ? 0 : rng.int(-40, 41));
    } else {
      const zones = [this.#endPfn, 2 ** 36 + PAGES_PER_SECTION, MAX_PHYS_PFN - FAR_ZONE_SPAN];
      if (this.#basePfn >= FAR_ZONE_SPAN) zones.push(this.#basePfn - FAR_ZONE_SPAN);
      pfn = rng.pick(zones) + rng.int(0, FAR_ZONE_SPAN);
    }
    // Keep the range far: clear of the window, within MAX_PHYS_PFN.
    pfn = Math.max(0, Math.min(pfn, MAX_PHYS_PFN - nrPages));
    if (pfn + nrPages > this.#basePfn && pfn < this.#endPfn) pfn = this.#endPfn;
    if (pfn + nrPages > MAX_PHYS_PFN) pfn = MAX_PHYS_PFN - FAR_ZONE_SPAN;
    recent.push(pfn);
    if (recent.length > RECENT_FAR_PFNS) recent.shift();
    return pfn;
  }

  /** A range inside the window, of skewed length, from an interesting start. */
  #randomRange(): [number, number] {
    const startPfn = this.#interestingPfn();
    if (this.#rng.chance(0.05)) return [this.#basePfn, this.#endPfn];
    return [startPfn, startPfn + this.#rng.skewedLength(this.#endPfn - startPfn)];
  }

  /**
   * A range inside one run of present sections (a random range if none is
   * present). With `nrPages`, a range of exactly that length where it fits.
   */
  #presentRange(nrPages?: number): [number, number] {
    const rng = this.#rng;
    const present = this.#presentSections.flatMap((isPresent, s) => (isPresent ? [s] : []));
    if (present.length === 0) return this.#randomRange();
    const [runStartPfn, runEndPfn] = this.#wholePresentRun();
    if (rng.chance(0.04) && nrPages === undefined) return [runStartPfn, runEndPfn];
    let startPfn = this.#interestingPfn();
    if (startPfn < runStartPfn || startPfn >= runEndPfn) startPfn = rng.int(runStartPfn, runEndPfn);
    const length = nrPages ?? rng.skewedLength(runEndPfn - startPfn);
    if (startPfn + length > runEndPfn) startPfn = Math.max(runStartPfn, runEndPfn - length);
    return [startPfn, startPfn + length];
  }

  /** One whole run of present sections (the whole window if none is present). */
  #wholePresentRun(): [number, number] {
    const present = this.#presentSections.flatMap((isPresent, s) => (isPresent ? [s] : []));
    if (present.length === 0) return [this.#basePfn, this.#endPfn];
    let first = this.#rng.pick(present);
    let last = first + 1;
    while (first > 0 && this.#presentSections[first - 1]) first--;
    while (last < this.#nrSections && this.#presentSections[last]) last++;
    return [this.#sectionStartPfn(first), this.#sectionStartPfn(last)];
  }

  /** Whole sections `[startPfn, endPfn)`, aimed at absent ones to add or present ones to remove. */
  #sectionRun(wantPresent: boolean): [number, number] {
    const rng = this.#rng;
    const matching = this.#presentSections.flatMap((isPresent, s) => (isPresent === wantPresent ? [s] : []));
    const s = matching.length > 0 && rng.chance(0.9) ? rng.pick(matching) : rng.int(0, this.#nrSections);
    let last = s + 1;
    const maxSections = rng.chance(0.2) ? this.#nrSections : 4;
    while (last < this.#nrSections && last - s < maxSections && this.#presentSections[last] === wantPresent && rng.chance(0.7)) {
      last++;
    }
    return [this.#sectionStartPfn(s), this.#sectionStartPfn(last)];
  }

  /** Addresses for virtToPhys: direct-map addresses of recent pfns and window edges, plus strays. */
  #virtualAddresses(): BigUint64Array {
    const rng = this.#rng;
    const out = new BigUint64Array(TRANSLATE_BATCH);
    for (let i = 0; i < out.length; i++) {
      const roll = rng.float();
      if (roll < 0.08) out[i] = BigInt(rng.u32()) * BigInt(rng.u32());
      else if (roll < 0.12) out[i] = rng.pick([0n, this.#pageOffset - 1n, BAD_ADDRESS, this.#pageOffset, PAGE_OFFSET]);
      else out[i] = (this.#pageOffset + this.#physicalAddressNearWindow()) & U64_MASK;
    }
    return out;
  }

  /** Addresses for physToVirt: frames of recent pfns and window edges, plus strays. */
  #physicalAddresses(): BigUint64Array {
    const rng = this.#rng;
    const out = new BigUint64Array(TRANSLATE_BATCH);
    for (let i = 0; i < out.length; i++) {
      const roll = rng.float();
      if (roll < 0.06) out[i] = BigInt(rng.u32()) * BigInt(rng.u32());
      else if (roll < 0.1) out[i] = rng.pick([0n, BAD_ADDRESS, this.#pageOffset]);
      else out[i] = this.#physicalAddressNearWindow();
    }
    return out;
  }

  /** The physical address of a byte of an interesting pfn, sometimes just outside the window. */
  #physicalAddressNearWindow(): bigint {
    const rng = this.#rng;
    let pfn = this.#interestingPfn();
    if (rng.chance(0.05)) pfn = rng.chance(0.5) ? this.#basePfn - 1 : this.#endPfn;
    if (pfn < 0) pfn = this.#endPfn;
    const offsetInPage = rng.pick([0, 1, 0x7ff, 0xfff, rng.int(0, 0x1000)]);
    return (BigInt(pfn) << PAGE_SHIFT_BIG) | BigInt(offsetInPage);
  }
}

/** The window shapes the differential suites cycle through. */
export const WINDOW_SHAPES: readonly { name: string; basePfn: number; nrPages: number; pageOffset?: bigint }[] = [
  { name: '1 section at 0', basePfn: 0, nrPages: PAGES_PER_SECTION },
  { name: '4 sections at section 7', basePfn: 7 * PAGES_PER_SECTION, nrPages: 4 * PAGES_PER_SECTION },
  { name: '2^22 pages at 0', basePfn: 0, nrPages: 2 ** 22 },
  { name: '2^22 pages at 2^34', basePfn: 2 ** 34, nrPages: 2 ** 22 },
  { name: '13 sections at 2^34 + 2^20', basePfn: 2 ** 34 + 2 ** 20, nrPages: 13 * PAGES_PER_SECTION },
  // The top of the 52-bit space: with the 4-level base, past the pfn where
  // addresses below it wrap to (the kernels' CheckVa path); with the 5-level
  // base, where a 5-level machine's direct map really reaches.
  { name: '2^21 pages ending at 2^40', basePfn: 2 ** 40 - 2 ** 21, nrPages: 2 ** 21 },
  { name: '9 sections at 2^39 + 2^30, 5-level base', basePfn: 2 ** 39 + 2 ** 30, nrPages: 9 * PAGES_PER_SECTION, pageOffset: PAGE_OFFSET_L5 },
  { name: '2^21 pages ending at 2^40, 5-level base', basePfn: 2 ** 40 - 2 ** 21, nrPages: 2 ** 21, pageOffset: PAGE_OFFSET_L5 },
];
