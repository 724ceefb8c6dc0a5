/**
 * The engine's operation table: one row per {@link EngineApi} method, naming
 * each argument and its kind, and the kind of the result.
 *
 * Everything that handles engine calls generically reads this table instead
 * of spelling the API out again: the worker's served side and its client
 * (which results and arguments are moved rather than copied), the argument
 * type checks both engines make first ({@link checkArgTypes}), the WASM
 * wrapper's names for a refused argument, and the tests' random operation
 * generator and double-checked engine. Adding an operation touches this
 * table and the `EngineApi` interface here, the WASM (`assembly/`), its
 * wrapper (`src/engine/engine.ts`) and the reference (`src/reference/`).
 * A compile-time check below keeps the table and the interface in step.
 */
import type { EngineApi, EngineInfo, RemapCount, RetagResult, ScanResult, ScanSummary, TranslateBuffers, TranslateCounts, TranslateResult } from './engine-api.js';
import { EngineError } from './errors.js';

/**
 * What an argument is. The kind decides its JavaScript type (below) and, in
 * the tests, which wrong values of the right type to try.
 */
export type ArgKind =
  /** An absolute pfn (the ends of a range, or a start). */
  | 'pfn'
  /** A far pfn: a frame or page of another shard, outside the window, below MAX_PHYS_PFN. */
  | 'farPfn'
  /** A number of pages, pageblocks or sections. */
  | 'count'
  /** An absolute section number. */
  | 'sectionNr'
  /** A page class id. */
  | 'cls'
  /** A set of page classes. */
  | 'mask'
  | 'nid'
  | 'zone'
  /** Section flags. */
  | 'flags'
  /** A migratetype. */
  | 'mt'
  /** A ClaimMode. */
  | 'mode'
  /** Any number, used as `seed >>> 0`. */
  | 'seed'
  /** Pageblock tag bits (migratetype and MIGRATE_ISOLATE). */
  | 'tagBits'
  /** A migration scan's run limit. */
  | 'maxRuns'
  | 'bool'
  /** A batch of u64 addresses. */
  | 'addresses';

/** The JavaScript type each kind takes. */
export interface ArgKindType {
  pfn: number;
  farPfn: number;
  count: number;
  sectionNr: number;
  cls: number;
  mask: number;
  nid: number;
  zone: number;
  flags: number;
  mt: number;
  mode: number;
  seed: number;
  tagBits: number;
  maxRuns: number;
  bool: boolean;
  addresses: BigUint64Array;
}

/**
 * What a call returns. The bulk kinds (typed arrays, and the scan and
 * translation records holding one) travel between threads by transfer:
 * their buffers move instead of being cloned.
 */
export interface ResultKindType {
  void: void;
  number: number;
  info: EngineInfo;
  /** Section words. */
  u32s: Uint32Array;
  /** Classes or pageblock tags. */
  u8s: Uint8Array;
  /** Per-class counts. */
  f64s: Float64Array;
  scan: ScanResult;
  translation: TranslateResult;
  /** Zero-copy buffers, owned by the engine: shared or kept apart, never cloned (see the worker's wire). */
  buffers: TranslateBuffers;
  classesBuffer: Uint8Array;
  runsBuffer: Float64Array;
  /** A scan whose runs stayed in the runs buffer. */
  scanSummary: ScanSummary;
  /** The counts of an in-place translation. */
  translateCounts: TranslateCounts;
  /** What retagPageblocks did: two numbers. */
  retag: RetagResult;
  /** What countRemapped found: two numbers. */
  remapCount: RemapCount;
}
export type ResultKind = keyof ResultKindType;

export interface OpSpec {
  /** `[name, kind]` of each parameter, in order. */
  readonly args: readonly (readonly [string, ArgKind])[];
  readonly result: ResultKind;
  /** True for calls that change shard state (the generator aims these at present sections). */
  readonly mutates: boolean;
}

const PFN_RANGE = [
  ['startPfn', 'pfn'],
  ['endPfn', 'pfn'],
] as const;

/** The table. Row order is the contract's order (sections, page state, tags, translation, self checks). */
export const ENGINE_OPS = {
  info: { args: [], result: 'info', mutates: false },

  addSections: {
    args: [...PFN_RANGE, ['nid', 'nid'], ['cls', 'cls'], ['mt', 'mt'], ['flags', 'flags']],
    result: 'void',
    mutates: true,
  },
  removeSections: { args: [...PFN_RANGE], result: 'void', mutates: true },
  setSectionFlags: { args: [...PFN_RANGE, ['setMask', 'flags'], ['clearMask', 'flags']], result: 'void', mutates: true },
  setSectionNode: { args: [...PFN_RANGE, ['nid', 'nid']], result: 'void', mutates: true },
  setSectionZone: { args: [...PFN_RANGE, ['zone', 'zone']], result: 'void', mutates: true },
  readSections: { args: [['startSectionNr', 'sectionNr'], ['count', 'count']], result: 'u32s', mutates: false },

  setClass: { args: [...PFN_RANGE, ['cls', 'cls']], result: 'void', mutates: true },
  countClasses: { args: [...PFN_RANGE], result: 'f64s', mutates: false },
  count: { args: [...PFN_RANGE, ['mask', 'mask']], result: 'number', mutates: false },
  countTagged: {
    args: [...PFN_RANGE, ['mask', 'mask'], ['tagMask', 'tagBits'], ['tagValue', 'tagBits']],
    result: 'number',
    mutates: false,
  },
  findNext: { args: [...PFN_RANGE, ['mask', 'mask']], result: 'number', mutates: false },
  readClasses: { args: [['startPfn', 'pfn'], ['nrPages', 'count']], result: 'u8s', mutates: false },
  classesBuffer: { args: [['nrPages', 'count']], result: 'classesBuffer', mutates: false },
  readClassesInPlace: { args: [['startPfn', 'pfn'], ['nrPages', 'count']], result: 'void', mutates: false },
  claim: {
    args: [...PFN_RANGE, ['nrPages', 'count'], ['fromCls', 'cls'], ['toCls', 'cls'], ['mode', 'mode'], ['seed', 'seed']],
    result: 'number',
    mutates: true,
  },
  claimTagged: {
    args: [
      ...PFN_RANGE,
      ['nrPages', 'count'],
      ['fromCls', 'cls'],
      ['toCls', 'cls'],
      ['mode', 'mode'],
      ['seed', 'seed'],
      ['tagMask', 'tagBits'],
      ['tagValue', 'tagBits'],
      ['maxPerPageblock', 'count'],
    ],
    result: 'number',
    mutates: true,
  },
  migrateScan: {
    args: [...PFN_RANGE, ['movableMask', 'mask'], ['unmovableMask', 'mask'], ['maxRuns', 'maxRuns']],
    result: 'scan',
    mutates: false,
  },
  runsBuffer: { args: [['maxRuns', 'maxRuns']], result: 'runsBuffer', mutates: false },
  migrateScanInPlace: {
    args: [...PFN_RANGE, ['movableMask', 'mask'], ['unmovableMask', 'mask'], ['maxRuns', 'maxRuns']],
    result: 'scanSummary',
    mutates: false,
  },

  setMigratetype: { args: [...PFN_RANGE, ['mt', 'mt']], result: 'void', mutates: true },
  setIsolate: { args: [...PFN_RANGE, ['isolate', 'bool']], result: 'void', mutates: true },
  countPageblocks: { args: [...PFN_RANGE, ['mask', 'tagBits'], ['value', 'tagBits']], result: 'number', mutates: false },
  retagPageblocks: {
    args: [
      ...PFN_RANGE,
      ['maxBlocks', 'count'],
      ['tagMask', 'tagBits'],
      ['tagValue', 'tagBits'],
      ['newMt', 'mt'],
      ['goodMask', 'mask'],
      ['minGood', 'count'],
    ],
    result: 'retag',
    mutates: true,
  },
  readPageblockTags: { args: [['startPfn', 'pfn'], ['nrPageblocks', 'count']], result: 'u8s', mutates: false },
  readPageblockClasses: { args: [['startPfn', 'pfn'], ['nrPageblocks', 'count']], result: 'u8s', mutates: false },

  remap: {
    args: [['oldStartPfn', 'pfn'], ['nrPages', 'count'], ['newStartPfn', 'pfn']],
    result: 'void',
    mutates: true,
  },
  remapOut: {
    args: [['oldStartPfn', 'pfn'], ['nrPages', 'count'], ['newStartPfn', 'farPfn']],
    result: 'void',
    mutates: true,
  },
  remapIn: {
    args: [['newStartPfn', 'pfn'], ['nrPages', 'count'], ['oldStartPfn', 'farPfn']],
    result: 'void',
    mutates: true,
  },
  clearRemap: { args: [...PFN_RANGE], result: 'void', mutates: true },
  countRemapped: { args: [...PFN_RANGE], result: 'remapCount', mutates: false },
  virtToPhys: { args: [['vas', 'addresses']], result: 'translation', mutates: false },
  physToVirt: { args: [['pas', 'addresses']], result: 'translation', mutates: false },
  translateBuffers: { args: [['n', 'count']], result: 'buffers', mutates: false },
  virtToPhysInPlace: { args: [['n', 'count']], result: 'translateCounts', mutates: false },
  physToVirtInPlace: { args: [['n', 'count']], result: 'translateCounts', mutates: false },

  validate: { args: [], result: 'void', mutates: false },
  bytesUsed: { args: [], result: 'number', mutates: false },
} as const satisfies Record<keyof EngineApi, OpSpec>;

export type OpName = keyof typeof ENGINE_OPS;
export const OP_NAMES = Object.keys(ENGINE_OPS) as OpName[];

// ---- the table and the interface agree -------------------------------------------

type ArgTypesOf<Args> = { -readonly [I in keyof Args]: Args[I] extends readonly [string, infer K extends ArgKind] ? ArgKindType[K] : never };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type TableAgrees = {
  [K in OpName]: Same<ArgTypesOf<(typeof ENGINE_OPS)[K]['args']>, Parameters<EngineApi[K]>> extends true
    ? Same<ResultKindType[(typeof ENGINE_OPS)[K]['result']], ReturnType<EngineApi[K]>>
    : false;
};
/** Fails to compile, naming the operation, when a row and its `EngineApi` method disagree. */
const tableAgrees: { [K in OpName]: true } = {} as TableAgrees;
void tableAgrees;

// ---- argument types ---------------------------------------------------------------

function hasKindType(kind: ArgKind, value: unknown): boolean {
  if (kind === 'bool') return typeof value === 'boolean';
  if (kind === 'addresses') return value instanceof BigUint64Array;
  return typeof value === 'number';
}

const KIND_TYPE_NAME: Record<'bool' | 'addresses' | 'number', string> = {
  bool: 'a boolean',
  addresses: 'a BigUint64Array',
  number: 'a number',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'an object';
  return typeof value;
}

/**
 * The first check of every call, before any value or range check: each
 * argument has its kind's JavaScript type (numbers for pfns, counts, ids,
 * masks and seeds; a boolean for `setIsolate`; a BigUint64Array for
 * translation batches). A string, a BigInt, `null` or a missing argument is
 * refused with E_ARG naming it, rather than converted, so every engine and
 * the worker refuse the same calls. Extra arguments are ignored, as JavaScript does.
 */
export function checkArgTypes(op: OpName, args: ArrayLike<unknown>): void {
  const params = ENGINE_OPS[op].args;
  for (let i = 0; i < params.length; i++) {
    const [name, kind] = params[i];
    const value = args[i];
    if (hasKindType(kind, value)) continue;
    const expected = KIND_TYPE_NAME[kind === 'bool' || kind === 'addresses' ? kind : 'number'];
    throw new EngineError('E_ARG', op, name, `expected ${expected}, got ${describeValue(value)}`);
  }
}

/** The name of parameter `index` of `op`, or undefined when there is none. */
export function argName(op: OpName, index: number): string | undefined {
  const params: readonly (readonly [string, ArgKind])[] = ENGINE_OPS[op].args;
  return index >= 0 && index < params.length ? params[index][0] : undefined;
}
