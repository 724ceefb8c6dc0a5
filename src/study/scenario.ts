/**
 * Scenario files, format version 1: parsing, validation, and the typed
 * result (a MachineSpec for the model plus a list of steps).
 *
 * The format is documented in README.md. The schema below is the
 * single definition of what a valid file looks like; the cross-field rules
 * (SRAT overlaps between nodes, the SLIT's shape, deriving e820 from SRAT, the
 * kernel command line) run after every field decoded.
 *
 * Validation has no side effects: nothing is written and no machine is booted
 * until a scenario is fully valid.
 */

import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { PAGE_SIZE } from '../contract/constants.js';
import { sysctlSettingProblem } from '../model/alloc/watermarks.js';
import { CmdlineError, parseCmdline } from '../model/boot/cmdline.js';
import {
  E820_MAX_ENTRIES,
  LOCAL_DISTANCE,
  MAX_BLOCK_SIZE,
  MAX_NODE_ID,
  MAX_SLIT_DISTANCE,
  MIN_MEMORY_BLOCK_SIZE,
  NR_NODE_MEMBLKS,
  tooManyE820EntriesMessage,
  tooManySratEntriesMessage,
} from '../model/core/kernel.js';
import { ZONE_NAMES } from '../model/core/mmzone.js';
import { isPowerOfTwo } from '../model/core/pfn-ranges.js';
import {
  ALLOC_KINDS,
  ALLOC_FAILURES,
  HOT_REMOVE_SCHEMES,
  NOTIFIER_ACTIONS,
  PLACEMENTS,
  ONLINE_REQUEST_TYPES,
  type AllocFailure,
  type AllocKind,
  type Amount,
  type BlockSelector,
  type BootReservation,
  type E820Entry,
  type Errno,
  type MachineSpec,
  type MemoryGroupRequest,
  type NotifierAction,
  type OnlineRequestType,
  type Placement,
  type SratMemoryAffinity,
  type WorkloadSpec,
} from '../model/core/types.js';
import {
  amount,
  boolean,
  describeInput,
  fieldPath,
  type Infer,
  integer,
  INVALID,
  type Issue,
  keyedUnion,
  list,
  nullable,
  object,
  oneOf,
  optional,
  pageCount,
  positiveNumber,
  ratio,
  required,
  type Schema,
  share,
  size,
  string,
  validate,
  withDefault,
} from './schema.js';
import { isNode, nodeBuiltin } from '../util/node-builtin.js';
import { RATIO_ROUTES, type RatioRoute } from './movable-ratio.js';

/** The only format version this build reads. */
export const SCENARIO_VERSION = 1;

/** The lifecycle step kinds: each calls one hotplug operation of the machine and has an outcome. */
export const LIFECYCLE_STEP_KINDS = [
  'add',
  'remove',
  'offline_and_remove',
  'online',
  'offline',
  'alloc',
  'free',
  'workload',
  'churn',
  'inject',
  'retries',
] as const;

/**
 * Step kinds of format version 1, in the order they are matched: `expect`
 * last, since every other step may carry an `expect` of its own.
 */
export const STEP_KINDS = ['export', 'read', 'write', 'headroom', 'max_movable_ratio', 'compare_schemes', ...LIFECYCLE_STEP_KINDS, 'expect'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export type LifecycleStepKind = (typeof LIFECYCLE_STEP_KINDS)[number];

/**
 * Roots a `write` step may touch: the memory block tree, the hotplug module
 * parameters, the transparent hugepage settings and the vm sysctls.
 */
export const WRITABLE_ROOTS = [
  '/sys/devices/system/memory',
  '/sys/module/memory_hotplug/parameters',
  '/sys/kernel/mm/transparent_hugepage',
  '/proc/sys/vm',
] as const;
/** Files a `read` step may read besides the writable roots. */
export const READABLE_PROC_FILES = ['/proc/zoneinfo', '/proc/iomem'] as const;

/** Errno names a `write` step may expect (the model's Errno union). */
export const ERRNO_NAMES = [
  'EINVAL',
  'EBUSY',
  'EEXIST',
  'E2BIG',
  'ENOMEM',
  'EINTR',
  'EPERM',
  'ENOENT',
  'EACCES',
  'EHWPOISON',
  'ENOSPC',
  'EAGAIN',
] as const satisfies readonly Errno[];


// ---- paths ----------------------------------------------------------------------

/** A clean absolute path: no empty, `.` or `..` segments, no trailing slash. */
function isCleanAbsolute(path: string): boolean {
  if (!path.startsWith('/') || path.length < 2 || path.endsWith('/')) return false;
  return path
    .slice(1)
    .split('/')
    .every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

function isUnderRoot(path: string, root: string): boolean {
  return path.startsWith(`${root}/`);
}

/** `a, b or c`. */
function alternatives(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const WRITE_PATH_EXPECTED = `expected a path under ${alternatives(WRITABLE_ROOTS)}`;
const READ_PATH_EXPECTED = `expected ${READABLE_PROC_FILES.join(', ')} or a path under ${alternatives(WRITABLE_ROOTS)}`;

/** True when `path` names a file a `write` step may write. */
export function isWritablePath(path: string): boolean {
  return isCleanAbsolute(path) && WRITABLE_ROOTS.some((root) => isUnderRoot(path, root));
}

/** True when `path` names a file a `read` step may read. */
export function isReadablePath(path: string): boolean {
  return isWritablePath(path) || (READABLE_PROC_FILES as readonly string[]).includes(path);
}

/** The path that means standard output wherever a file path is taken. */
export const STDOUT_PATH = '-';

/**
 * A sysfs export writes `<dir>/sys/devices/system/memory/...`. With `/` as the
 * directory that is the running system's real sysfs, so it is refused; and a
 * directory tree cannot go to standard output.
 */
export function checkExportDir(dir: string): string | null {
  if (dir === STDOUT_PATH) return 'a sysfs export is a directory tree and cannot go to standard output (-)';
  return resolvesToRoot(dir) ? 'must not be the filesystem root (the export would write into the real /sys)' : null;
}

/**
 * Whether `dir` names `/` once `.` and `..` are followed (lexically, as
 * path.resolve does). A relative path is taken from the current directory;
 * a browser has none and writes no files, so there it never names `/`.
 */
function resolvesToRoot(dir: string): boolean {
  const absolute = dir.startsWith('/') ? dir : isNode ? `${process.cwd()}/${dir}` : null;
  if (absolute === null) return false;
  let depth = 0;
  for (const part of absolute.split('/')) {
    if (part === '' || part === '.') continue;
    depth = part === '..' ? Math.max(0, depth - 1) : depth + 1;
  }
  return depth === 0;
}

// ---- the schema -----------------------------------------------------------------

const blockSizeSchema: Schema<'auto' | number> = {
  expected: 'auto or a power-of-two size from 128M to 2G',
  decode(input, path, issues) {
    if (input === 'auto') return 'auto';
    const bytes = size().decode(input, path, []);
    // What firmware and the x86 probe can produce: one section to MAX_BLOCK_SIZE
    // (a platform setting the size in code may go further; see core/kernel.ts).
    if (bytes === INVALID || !isPowerOfTwo(bytes) || bytes < MIN_MEMORY_BLOCK_SIZE || bytes > MAX_BLOCK_SIZE) {
      issues.push({ path, message: `expected auto or a power-of-two size from 128M to 2G, got ${JSON.stringify(input)}` });
      return INVALID;
    }
    return bytes;
  },
};

const e820EntrySchema = object({
  base: required(size()),
  size: required(size({ min: 1 })),
  type: withDefault(oneOf(['usable', 'reserved'] as const), 'usable'),
});

const sratEntrySchema = object({
  node: required(integer({ min: 0, max: MAX_NODE_ID })),
  base: required(size()),
  size: required(size({ min: 1 })),
  enabled: withDefault(boolean(), true),
  hotpluggable: withDefault(boolean(), false),
  nonVolatile: withDefault(boolean(), false),
  populated: withDefault(boolean(), true),
});

const reservationSchema = object({
  name: required(string({ nonEmpty: true })),
  base: required(size()),
  size: required(size({ min: 1 })),
});

/**
 * `machine.sysctl`: sysctl.conf settings applied at the end of boot, in
 * order. Names and values are checked as the kernel's handlers check them.
 */
const sysctlSchema: Schema<Record<string, string>> = {
  expected: 'a mapping of sysctl names to values (e.g. vm.min_free_kbytes: 65536)',
  decode(input, path, issues) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      issues.push({ path, message: `expected ${this.expected}, got ${describeInput(input)}` });
      return INVALID;
    }
    const settings: Record<string, string> = {};
    let valid = true;
    for (const [name, value] of Object.entries(input)) {
      const at = fieldPath(path, name);
      const text = string().decode(value, at, issues);
      const problem = text === INVALID ? null : sysctlSettingProblem(name, text.trim());
      if (problem !== null) issues.push({ path: at, message: problem });
      if (text === INVALID || problem !== null) valid = false;
      else settings[name] = text.trim();
    }
    return valid ? settings : INVALID;
  },
};

const machineSchema = object({
  type: withDefault(oneOf(['bare-metal', 'vm'] as const), 'bare-metal'),
  paging: withDefault(integer({ min: 4, max: 5 }), 4),
  blockSize: withDefault(blockSizeSchema, 'auto'),
  e820: optional(nullable(list(e820EntrySchema))),
  srat: optional(nullable(list(sratEntrySchema))),
  reservations: withDefault(list(reservationSchema), []),
  slit: optional(nullable(list(list(integer({ min: 0 }))))),
  sysctl: optional(sysctlSchema),
  swap: optional(size()),
  hotRemoveScheme: optional(oneOf(HOT_REMOVE_SCHEMES)),
});

const exportStepSchema = object({
  export: required(
    object(
      {
        sysfs: optional(string({ nonEmpty: true, check: checkExportDir })),
        zoneinfo: optional(string({ nonEmpty: true })),
        iomem: optional(string({ nonEmpty: true })),
      },
      {
        refine(value, report) {
          if (value.sysfs === undefined && value.zoneinfo === undefined && value.iomem === undefined) {
            report('', 'expected at least one of sysfs, zoneinfo, iomem');
          }
        },
      },
    ),
  ),
});

const readStepSchema = object({
  read: required(string({ check: (p) => (isReadablePath(p) ? null : READ_PATH_EXPECTED) })),
  expect: optional(string()),
});

const writeStepSchema = object({
  write: required(string({ check: (p) => (isWritablePath(p) ? null : WRITE_PATH_EXPECTED) })),
  value: required(string()),
  expect: withDefault(oneOf(['ok', ...ERRNO_NAMES] as const), 'ok'),
});


// ---- lifecycle steps ------------------------------------------------------------

/** The outcome a step must have: ok (the default) or the errno it must fail with. */
const stepExpect = withDefault(oneOf(['ok', ...ERRNO_NAMES] as const), 'ok');

/** Seeds are 32-bit, like the scenario's own. */
const MAX_SEED = 2 ** 32 - 1;

const UNIT_SIZE_EXPECTED = 'static, none, or { dynamic: UNIT_SIZE } (a virtio-mem style group with that unit)';
const dynamicGroupSchema = object({ dynamic: required(size({ min: 1 })) });

/** `group:` of an add step. `none` is an explicit "no group", as the probe interface adds memory. */
const groupSchema: Schema<MemoryGroupRequest> = {
  expected: UNIT_SIZE_EXPECTED,
  decode(input, path, issues) {
    if (input === 'static') return { kind: 'static' };
    if (input === 'none') return null;
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      const decoded = dynamicGroupSchema.decode(input, path, issues);
      return decoded === INVALID ? INVALID : { kind: 'dynamic', unitBytes: decoded.dynamic };
    }
    issues.push({ path, message: `expected ${UNIT_SIZE_EXPECTED}, got ${describeInput(input)}` });
    return INVALID;
  },
};

/** Inclusive block id range, as lsmem's BLOCK column writes it. */
export interface BlockIdRange {
  firstBlockId: number;
  lastBlockId: number;
}

const BLOCK_RANGE_EXPECTED = 'a block id N or an inclusive range A-B (decimal, as lsmem prints it)';

/** `blocks:` of an online or offline step: `7` or `3-9`. */
const blockRangeSchema: Schema<BlockIdRange> = {
  expected: BLOCK_RANGE_EXPECTED,
  decode(input, path, issues) {
    const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : null;
    const match = text === null ? null : /^(\d+)(?:\s*-\s*(\d+))?$/.exec(text);
    if (match === null) {
      issues.push({ path, message: `expected ${BLOCK_RANGE_EXPECTED}, got ${describeInput(input)}` });
      return INVALID;
    }
    const firstBlockId = Number(match[1]);
    const lastBlockId = match[2] === undefined ? firstBlockId : Number(match[2]);
    if (!Number.isSafeInteger(firstBlockId) || !Number.isSafeInteger(lastBlockId)) {
      issues.push({ path, message: `block ids must stay below 2^53, got ${JSON.stringify(text)}` });
      return INVALID;
    }
    if (lastBlockId < firstBlockId) {
      issues.push({ path, message: `the range ${JSON.stringify(text)} ends before it starts (expected A-B with A <= B)` });
      return INVALID;
    }
    return { firstBlockId, lastBlockId };
  },
};

/** A byte count that is a whole number of pages and not zero (allocations and frees). */
const pageBytes: Schema<number> = {
  expected: 'a size that is a whole number of pages',
  decode(input, path, issues) {
    const bytes = size({ min: 1 }).decode(input, path, issues);
    if (bytes === INVALID) return INVALID;
    if (bytes % PAGE_SIZE !== 0) {
      issues.push({ path, message: `${JSON.stringify(input)} is not a whole number of ${PAGE_SIZE}-byte pages` });
      return INVALID;
    }
    return bytes;
  },
};

/**
 * Ranges of add and remove steps are not checked against the block size here:
 * the block size is known only once the machine boots, and a misaligned or
 * empty range is something a scenario may want to see refused (EINVAL).
 */
const hotplugRangeFields = { base: required(size()), size: required(size()) };

const addStepSchema = object({
  add: required(
    object({
      node: required(integer({ min: 0, max: MAX_NODE_ID })),
      ...hotplugRangeFields,
      memmapOnMemory: optional(boolean()),
      group: optional(groupSchema),
      driverManaged: optional(string()),
    }),
  ),
  expect: stepExpect,
});

const removeStepSchema = object({ remove: required(object(hotplugRangeFields)), expect: stepExpect });

const offlineAndRemoveStepSchema = object({
  offline_and_remove: required(object(hotplugRangeFields)),
  expect: stepExpect,
});

const SELECTOR_KEYS = ['blocks', 'node'] as const;

const onlineStepSchema = object({
  online: required(
    object(
      {
        blocks: optional(blockRangeSchema),
        node: optional(integer({ min: 0, max: MAX_NODE_ID })),
        type: withDefault(oneOf(ONLINE_REQUEST_TYPES), 'online'),
      },
      { refine: atLeastOneOf(SELECTOR_KEYS, 'to select blocks') },
    ),
  ),
  expect: stepExpect,
});

const offlineStepSchema = object({
  offline: required(
    object(
      {
        blocks: optional(blockRangeSchema),
        node: optional(integer({ min: 0, max: MAX_NODE_ID })),
      },
      { refine: atLeastOneOf(SELECTOR_KEYS, 'to select blocks') },
    ),
  ),
  expect: stepExpect,
});

const allocFields = {
  kind: required(oneOf(ALLOC_KINDS)),
  size: required(pageBytes),
  node: required(integer({ min: 0, max: MAX_NODE_ID })),
};

/**
 * What an allocating step may expect: success, an errno, or how a request
 * the kernel cannot satisfy ends (`oom`: the kernel would invoke the OOM
 * killer; `stall`: it would keep looping).
 */
const allocExpect = withDefault(oneOf(['ok', ...ALLOC_FAILURES.filter((f) => f !== 'ENOMEM'), ...ERRNO_NAMES] as const), 'ok');

const allocStepSchema = object({
  alloc: required(
    object({
      ...allocFields,
      placement: optional(oneOf(PLACEMENTS)),
      seed: optional(integer({ min: 0, max: MAX_SEED })),
      thp: optional(share()),
      mapped: optional(boolean()),
    }),
  ),
  expect: allocExpect,
});

const freeStepSchema = object({
  free: required(object({ ...allocFields, seed: optional(integer({ min: 0, max: MAX_SEED })) })),
  expect: stepExpect,
});

/** A node id, or `spread`: every node with memory. */
const nodeOrSpread: Schema<number | 'spread'> = {
  expected: 'a node id or spread',
  decode(input, path, issues) {
    if (input === 'spread') return 'spread';
    const nid = integer({ min: 0, max: MAX_NODE_ID }).decode(input, path, [] as Issue[]);
    if (nid !== INVALID) return nid;
    issues.push({ path, message: `expected a node id or spread, got ${describeInput(input)}` });
    return INVALID;
  },
};

/** The amounts of a workload: each a size or a share of the memory of the nodes in scope. */
export const WORKLOAD_AMOUNTS = ['anon', 'file', 'slab', 'pinned'] as const;

/** What a workload holds: the `workload` step, and the workload a `max_movable_ratio` search must fit. */
const workloadSchema = object(
    {
      node: withDefault(nodeOrSpread, 'spread' as number | 'spread'),
      anon: optional(amount()),
      thp: optional(share()),
      file: optional(amount()),
      fileMapped: optional(share()),
      slabReclaimablePerFileGiB: optional(size()),
      slab: optional(amount()),
      pinned: optional(amount()),
      placement: optional(oneOf(PLACEMENTS)),
      seed: optional(integer({ min: 0, max: MAX_SEED })),
    },
    {
      refine(value, report) {
        if (WORKLOAD_AMOUNTS.every((key) => value[key] === undefined)) {
          report('', `expected at least one of ${WORKLOAD_AMOUNTS.join(', ')} to allocate`);
          return;
        }
        const shares = WORKLOAD_AMOUNTS.map((key) => value[key]).filter((a): a is { share: number } => a !== undefined && 'share' in a);
        const total = shares.reduce((sum, a) => sum + a.share, 0);
        // Compared in hundredths of a percent, so 33.3% three times is not "over".
        if (Math.round(total * 10000) > 10000) {
          report('', `the shares of ${WORKLOAD_AMOUNTS.filter((key) => value[key] !== undefined && 'share' in value[key]!).join(', ')} add up to ${+(total * 100).toFixed(2)}%, more than all of memory`);
        }
      },
    },
  );

const workloadStepSchema = object({
  workload: required(workloadSchema),
  expect: allocExpect,
});

/**
 * `max_movable_ratio`: search the scenario's machine description (not the
 * machine as the steps left it) for the largest MOVABLE:KERNEL ratio at
 * which `workload` fits; `expect` bounds the answer.
 */
const maxMovableRatioStepSchema = object({
  max_movable_ratio: required(
    object({
      vary: required(oneOf(RATIO_ROUTES)),
      workload: required(workloadSchema),
      precision: optional(ratio({ positive: true })),
      margin: optional(size()),
      hotAddSize: optional(size({ min: 1 })),
      memmapOnMemory: optional(boolean()),
      maxRatio: optional(ratio()),
    }),
  ),
  expect: optional(object({ min: optional(ratio()), max: optional(ratio()) })),
});

/**
 * `compare_schemes`: boot the scenario's machine description under both
 * hot-remove schemes with `workload` and report them side by side
 * (docs/hot-remove-schemes.md); the machine the steps run on is not touched.
 */
const compareSchemesStepSchema = object({
  compare_schemes: required(
    object({
      workload: required(workloadSchema),
      nodes: optional(list(integer({ min: 0, max: MAX_NODE_ID }), { minItems: 1 })),
      lookupsPerSecond: optional(integer({ min: 0 })),
      lookupNs: optional(object({ direct: required(positiveNumber()), slow: required(positiveNumber()) })),
    }),
  ),
});

const churnStepSchema = object({
  churn: required(
    object({
      share: required(share()),
      node: withDefault(nodeOrSpread, 'spread' as number | 'spread'),
      placement: optional(oneOf(PLACEMENTS)),
      seed: optional(integer({ min: 0, max: MAX_SEED })),
    }),
  ),
  expect: allocExpect,
});

/** `headroom:` alone (every node with memory) or `headroom: { node: N }`. */
const headroomStepSchema = object({
  headroom: required(nullable(object({ node: optional(integer({ min: 0, max: MAX_NODE_ID })) }))),
});

const injectStepSchema = object({
  inject: required(
    object({
      action: required(oneOf(NOTIFIER_ACTIONS)),
      errno: required(oneOf([...ERRNO_NAMES, 'none'] as const)),
    }),
  ),
  expect: stepExpect,
});

const retriesStepSchema = object({ retries: required(integer({ min: 0 })), expect: stepExpect });

/** Requires at least one of `keys` on a mapping; `why` ends the message. */
function atLeastOneOf<T extends object>(keys: readonly (keyof T & string)[], why: string) {
  return (value: T, report: (relativePath: string, message: string) => void) => {
    if (keys.every((key) => value[key] === undefined)) report('', `expected at least one of ${keys.join(', ')} ${why}`);
  };
}

const pages = pageCount(PAGE_SIZE);
const nodeId = integer({ min: 0, max: MAX_NODE_ID });

/** Requires at least one of `keys` to be set on an assertion. */
function atLeastOne<T extends object>(keys: readonly (keyof T & string)[]) {
  return (value: T, report: (relativePath: string, message: string) => void) => {
    if (keys.every((key) => value[key] === undefined)) report('', `expected at least one of ${keys.join(', ')} to check`);
  };
}

const ZONE_COUNTERS = ['zoneStartPfn', 'spannedPages', 'presentPages', 'managedPages', 'freePages'] as const;
const zoneAssertionSchema = object(
  {
    node: required(nodeId),
    zone: required(oneOf(ZONE_NAMES)),
    zoneStartPfn: optional(pages),
    spannedPages: optional(pages),
    presentPages: optional(pages),
    managedPages: optional(pages),
    freePages: optional(pages),
  },
  { refine: atLeastOne(ZONE_COUNTERS) },
);

/** The node fields an expect step may check; the runner reads them in this order. */
export const NODE_CHECKS = [
  'online',
  'hasMemory',
  'hasNormalMemory',
  'nodeStartPfn',
  'spannedPages',
  'presentPages',
  'managedPages',
  'freePages',
] as const;
const nodeAssertionSchema = object(
  {
    node: required(nodeId),
    online: optional(boolean()),
    hasMemory: optional(boolean()),
    hasNormalMemory: optional(boolean()),
    nodeStartPfn: optional(pages),
    spannedPages: optional(pages),
    presentPages: optional(pages),
    managedPages: optional(pages),
    freePages: optional(pages),
  },
  { refine: atLeastOne(NODE_CHECKS) },
);

const BLOCK_COUNTS = ['online', 'offline', 'total'] as const;
const blocksAssertionSchema = object({
  blocks: required(
    object(
      {
        node: optional(nodeId),
        zone: optional(oneOf([...ZONE_NAMES, 'none'] as const)),
        online: optional(integer({ min: 0 })),
        offline: optional(integer({ min: 0 })),
        total: optional(integer({ min: 0 })),
      },
      { refine: atLeastOne(BLOCK_COUNTS) },
    ),
  ),
});

const BLOCK_CHECKS = ['state', 'zone', 'nodes', 'validZones'] as const;
const blockAssertionSchema = object(
  {
    block: required(integer({ min: 0 })),
    state: optional(oneOf(['online', 'offline', 'going-offline'] as const)),
    zone: optional(oneOf([...ZONE_NAMES, 'none'] as const)),
    nodes: optional(list(nodeId)),
    validZones: optional(string()),
  },
  { refine: atLeastOne(BLOCK_CHECKS) },
);

const blockSizeAssertionSchema = object({
  blockSizeBytes: required(size({ min: 1 })),
});

/** Assertion kinds, matched by key in this order (`zone` before `node`: a zone check also names its node). */
const assertionSchema = keyedUnion('assertion', [
  ['blockSizeBytes', blockSizeAssertionSchema],
  ['blocks', blocksAssertionSchema],
  ['block', blockAssertionSchema],
  ['zone', zoneAssertionSchema],
  ['node', nodeAssertionSchema],
] as const);

const assertionsSchema: Schema<Assertion[]> = {
  expected: 'an assertion or a list of assertions',
  decode(input, path, issues) {
    if (Array.isArray(input)) return list(assertionSchema, { minItems: 1 }).decode(input, path, issues);
    const one = assertionSchema.decode(input, path, issues);
    return one === INVALID ? INVALID : [one];
  },
};

const expectStepSchema = object({
  expect: required(assertionsSchema),
});

/** Step kinds, matched by key in STEP_KINDS order: `expect` last, since other steps may carry an `expect` too. */
const stepSchema = keyedUnion('step', [
  ['export', exportStepSchema],
  ['read', readStepSchema],
  ['write', writeStepSchema],
  ['headroom', headroomStepSchema],
  ['max_movable_ratio', maxMovableRatioStepSchema],
  ['compare_schemes', compareSchemesStepSchema],
  ['add', addStepSchema],
  ['remove', removeStepSchema],
  ['offline_and_remove', offlineAndRemoveStepSchema],
  ['online', onlineStepSchema],
  ['offline', offlineStepSchema],
  ['alloc', allocStepSchema],
  ['free', freeStepSchema],
  ['workload', workloadStepSchema],
  ['churn', churnStepSchema],
  ['inject', injectStepSchema],
  ['retries', retriesStepSchema],
  ['expect', expectStepSchema],
] as const);

const scenarioSchema = object({
  version: required(integer()),
  name: optional(string({ nonEmpty: true })),
  description: withDefault(string(), ''),
  seed: withDefault(integer({ min: 0, max: 2 ** 32 - 1 }), 1),
  machine: required(machineSchema),
  cmdline: withDefault(string(), ''),
  steps: withDefault(list(stepSchema), []),
});

// ---- the typed result -----------------------------------------------------------

export type ZoneAssertion = Infer<typeof zoneAssertionSchema>;
export type NodeAssertion = Infer<typeof nodeAssertionSchema>;
export type BlocksAssertion = Infer<typeof blocksAssertionSchema>;
export type BlockAssertion = Infer<typeof blockAssertionSchema>;
export type BlockSizeAssertion = Infer<typeof blockSizeAssertionSchema>;
export type Assertion = ZoneAssertion | NodeAssertion | BlocksAssertion | BlockAssertion | BlockSizeAssertion;

export interface ExportStep {
  kind: 'export';
  index: number;
  sysfs?: string;
  zoneinfo?: string;
  iomem?: string;
}

export interface ReadStep {
  kind: 'read';
  index: number;
  path: string;
  /** Expected text, compared with the file's text minus one trailing newline. */
  expect?: string;
}

export interface WriteStep {
  kind: 'write';
  index: number;
  path: string;
  value: string;
  /** 'ok' or the errno the write must fail with. */
  expect: 'ok' | Errno;
}

export interface ExpectStep {
  kind: 'expect';
  index: number;
  assertions: Assertion[];
}

/** What every lifecycle step carries: the outcome it must have. */
interface LifecycleStepBase {
  index: number;
  /** 'ok' or the errno the operation must fail with. */
  expect: 'ok' | Errno;
}

export interface AddStep extends LifecycleStepBase {
  kind: 'add';
  node: number;
  base: number;
  sizeBytes: number;
  memmapOnMemory?: boolean;
  /** Absent: the model's default (one static group spanning the range, as an ACPI device). */
  group?: MemoryGroupRequest;
  /** Resource name of a driver-managed add ("System RAM (kmem)"); absent: a plain add. */
  driverManaged?: string;
}

export interface RemoveStep extends LifecycleStepBase {
  kind: 'remove' | 'offline_and_remove';
  base: number;
  sizeBytes: number;
}

export interface OnlineStep extends LifecycleStepBase {
  kind: 'online';
  selector: BlockSelector;
  type: OnlineRequestType;
}

export interface OfflineStep extends LifecycleStepBase {
  kind: 'offline';
  selector: BlockSelector;
}

/** What an allocating step may expect: 'ok', an errno, or how an unsatisfiable request ends. */
export type AllocExpect = 'ok' | Errno | Exclude<AllocFailure, 'ENOMEM'>;

export interface AllocStep extends Omit<LifecycleStepBase, 'expect'> {
  kind: 'alloc' | 'free';
  allocKind: AllocKind;
  sizeBytes: number;
  node: number;
  /** The seed of the random subset a free releases, or of a fragmented placement (absent: derived from the scenario seed). */
  seed?: number;
  /** Alloc steps only: placement inside zones, the mapping's THP share and whether page cache is mapped. */
  placement?: Placement;
  thp?: number;
  mapped?: boolean;
  expect: AllocExpect;
}

export interface WorkloadStep extends Omit<LifecycleStepBase, 'expect'>, WorkloadSpec {
  kind: 'workload';
  /** Absent: derived from the scenario seed and the step index. */
  seed?: number;
  expect: AllocExpect;
}

export interface ChurnStep extends Omit<LifecycleStepBase, 'expect'> {
  kind: 'churn';
  share: number;
  node: number | 'spread';
  placement?: Placement;
  seed?: number;
  expect: AllocExpect;
}

/** Reports how much more of each kind the machine can allocate (Machine.headroom); it checks nothing. */
export interface HeadroomStep {
  kind: 'headroom';
  index: number;
  /** Absent: every node with memory. */
  node?: number;
}

/**
 * Searches the scenario's machine description for the largest MOVABLE:KERNEL
 * ratio at which a workload fits (maxMovableRatio, docs/allocator.md); the
 * machine the steps run on is not touched. Fails when the answer lies
 * outside `[min, max]`, or when the workload does not fit at all.
 */
export interface MaxMovableRatioStep {
  kind: 'max_movable_ratio';
  index: number;
  vary: RatioRoute;
  workload: Omit<WorkloadStep, 'kind' | 'index' | 'expect'>;
  precision?: number;
  marginBytes?: number;
  hotAddBytes?: number;
  memmapOnMemory?: boolean;
  maxRatio?: number;
  expect?: { min?: number; max?: number };
}

/** Both hot-remove schemes side by side on the scenario's machine description (compareSchemes); it checks nothing. */
export interface CompareSchemesStep {
  kind: 'compare_schemes';
  index: number;
  workload: Omit<WorkloadStep, 'kind' | 'index' | 'expect'>;
  nodes?: number[];
  lookupsPerSecond?: number;
  /** Lookup costs in ns; measured on the engine when absent (the report then varies run to run). */
  lookupNs?: { direct: number; slow: number };
}

export interface InjectStep extends LifecycleStepBase {
  kind: 'inject';
  action: NotifierAction;
  /** The errno the notifier returns, or null to stop injecting. */
  errno: Errno | null;
}

export interface RetriesStep extends LifecycleStepBase {
  kind: 'retries';
  /** Offline retry budget: migration passes before an offline gives up. */
  budget: number;
}

export type LifecycleStep = AddStep | RemoveStep | OnlineStep | OfflineStep | AllocStep | WorkloadStep | ChurnStep | InjectStep | RetriesStep;

export type Step = ExportStep | ReadStep | WriteStep | HeadroomStep | MaxMovableRatioStep | CompareSchemesStep | LifecycleStep | ExpectStep;

export interface Scenario {
  /** Where the scenario came from, as given (used in messages and the report). */
  file: string;
  version: typeof SCENARIO_VERSION;
  name: string;
  description: string;
  seed: number;
  machine: MachineSpec;
  steps: Step[];
}

/** A scenario that failed validation: every issue, each as `file: path: message`. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly file: string,
    readonly issues: readonly Issue[],
  ) {
    super(issues.map((issue) => formatIssue(file, issue)).join('\n'));
  }
}

/** `file: path: message` (or `file: message` for the document itself). */
export function formatIssue(file: string, issue: Issue): string {
  return issue.path === '' ? `${file}: ${issue.message}` : `${file}: ${issue.path}: ${issue.message}`;
}

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; error: ScenarioError };

// ---- cross-field rules ----------------------------------------------------------

type DecodedScenario = Infer<typeof scenarioSchema>;
type DecodedMachine = Infer<typeof machineSchema>;

function overlaps(a: { base: number; size: number }, b: { base: number; size: number }): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

function checkSrat(machine: DecodedMachine, issues: Issue[]): void {
  const srat = machine.srat ?? [];
  const enabled = srat.filter((entry) => entry.enabled && entry.size > 0).length;
  if (enabled > NR_NODE_MEMBLKS) {
    // The pairwise checks below would only describe a table the kernel refuses.
    issues.push({ path: 'machine.srat', message: tooManySratEntriesMessage(enabled) });
    return;
  }
  // Disabled entries are ignored by the kernel, so they cannot conflict.
  for (let i = 0; i < srat.length; i++) {
    if (!srat[i].enabled) continue;
    for (let j = 0; j < i; j++) {
      if (!srat[j].enabled || srat[j].node === srat[i].node) continue;
      if (overlaps(srat[i], srat[j])) {
        issues.push({
          path: `machine.srat[${i}]`,
          message: `overlaps machine.srat[${j}] (node ${srat[j].node}) but belongs to node ${srat[i].node}`,
        });
        break;
      }
    }
  }
}

/** Number of rows the SLIT must have: one per node id up to the highest SRAT node. */
function nodeCount(machine: DecodedMachine): number {
  const srat = machine.srat;
  if (!srat || srat.length === 0) return 1;
  return Math.max(...srat.map((entry) => entry.node)) + 1;
}

function checkSlit(machine: DecodedMachine, issues: Issue[]): void {
  const slit = machine.slit;
  if (!slit) return;
  const n = nodeCount(machine);
  if (slit.length !== n) {
    issues.push({ path: 'machine.slit', message: `expected ${n} row${n === 1 ? '' : 's'} (one per node), got ${slit.length}` });
    return;
  }
  slit.forEach((row, i) => {
    if (row.length !== n) {
      issues.push({ path: `machine.slit[${i}]`, message: `expected ${n} entries (a square matrix), got ${row.length}` });
      return;
    }
    row.forEach((distance, j) => {
      const at = `machine.slit[${i}][${j}]`;
      if (i === j && distance !== LOCAL_DISTANCE) {
        issues.push({ path: at, message: `must be ${LOCAL_DISTANCE} (the local distance), got ${distance}` });
      } else if (i !== j && (distance <= LOCAL_DISTANCE || distance > MAX_SLIT_DISTANCE)) {
        issues.push({ path: at, message: `must be between ${LOCAL_DISTANCE + 1} and ${MAX_SLIT_DISTANCE}, got ${distance}` });
      }
    });
  });
}

/** The firmware map: as written, or one usable entry per populated SRAT range. */
function e820Of(machine: DecodedMachine, issues: Issue[]): E820Entry[] {
  if (machine.e820) {
    if (!machine.e820.some((entry) => entry.type === 'usable')) {
      issues.push({ path: 'machine.e820', message: 'expected at least one usable entry' });
    }
    if (machine.e820.length > E820_MAX_ENTRIES) issues.push({ path: 'machine.e820', message: tooManyE820EntriesMessage(machine.e820.length) });
    return machine.e820.map(({ base, size: sizeBytes, type }) => ({ base, size: sizeBytes, type }));
  }
  const derived = (machine.srat ?? [])
    .filter((entry) => entry.populated)
    .map((entry): E820Entry => ({ base: entry.base, size: entry.size, type: 'usable' }))
    .sort((a, b) => a.base - b.base);
  if (derived.length === 0) {
    issues.push({
      path: 'machine',
      message: 'expected e820 entries, or srat entries with populated: true to derive the e820 map from',
    });
  }
  return derived;
}

function checkCmdline(cmdline: string, issues: Issue[]): void {
  try {
    parseCmdline(cmdline);
  } catch (err) {
    if (!(err instanceof CmdlineError)) throw err;
    for (const problem of err.problems) issues.push({ path: 'cmdline', message: problem.message });
  }
}

function toMachineSpec(decoded: DecodedScenario, issues: Issue[]): MachineSpec {
  const machine = decoded.machine;
  checkSrat(machine, issues);
  checkSlit(machine, issues);
  const e820 = e820Of(machine, issues);
  checkCmdline(decoded.cmdline, issues);
  const srat: SratMemoryAffinity[] | null = machine.srat
    ? machine.srat.map((entry) => ({
        node: entry.node,
        base: entry.base,
        size: entry.size,
        enabled: entry.enabled,
        hotpluggable: entry.hotpluggable,
        nonVolatile: entry.nonVolatile,
        populated: entry.populated,
      }))
    : null;
  const reservations: BootReservation[] = machine.reservations.map(({ name, base, size: sizeBytes }) => ({
    name,
    base,
    size: sizeBytes,
  }));
  return {
    e820,
    srat,
    reservations,
    blockSize: machine.blockSize,
    hypervisor: machine.type === 'vm',
    paging: machine.paging === 5 ? 5 : 4,
    slit: machine.slit ?? null,
    cmdline: decoded.cmdline,
    ...(machine.sysctl === undefined ? {} : { sysctl: machine.sysctl }),
    ...(machine.swap === undefined ? {} : { swap: machine.swap }),
    ...(machine.hotRemoveScheme === undefined ? {} : { hotRemoveScheme: machine.hotRemoveScheme }),
  };
}

function selectorOf(decoded: { blocks?: BlockIdRange; node?: number }): BlockSelector {
  const selector: BlockSelector = {};
  if (decoded.blocks !== undefined) {
    selector.firstBlockId = decoded.blocks.firstBlockId;
    selector.lastBlockId = decoded.blocks.lastBlockId;
  }
  if (decoded.node !== undefined) selector.node = decoded.node;
  return selector;
}

function toStep(decoded: Infer<typeof stepSchema>, index: number): Step {
  if ('export' in decoded) return { kind: 'export', index, ...stripUndefined(decoded.export) };
  if ('read' in decoded) {
    const step: ReadStep = { kind: 'read', index, path: decoded.read };
    if (decoded.expect !== undefined) step.expect = decoded.expect;
    return step;
  }
  if ('write' in decoded) return { kind: 'write', index, path: decoded.write, value: decoded.value, expect: decoded.expect };
  if ('add' in decoded) {
    const { node, base, size: sizeBytes, memmapOnMemory, group, driverManaged } = decoded.add;
    const step: AddStep = { kind: 'add', index, node, base, sizeBytes, expect: decoded.expect };
    if (memmapOnMemory !== undefined) step.memmapOnMemory = memmapOnMemory;
    if (group !== undefined) step.group = group;
    if (driverManaged !== undefined) step.driverManaged = driverManaged;
    return step;
  }
  if ('remove' in decoded) {
    return { kind: 'remove', index, base: decoded.remove.base, sizeBytes: decoded.remove.size, expect: decoded.expect };
  }
  if ('offline_and_remove' in decoded) {
    const range = decoded.offline_and_remove;
    return { kind: 'offline_and_remove', index, base: range.base, sizeBytes: range.size, expect: decoded.expect };
  }
  if ('online' in decoded) {
    return { kind: 'online', index, selector: selectorOf(decoded.online), type: decoded.online.type, expect: decoded.expect };
  }
  if ('offline' in decoded) return { kind: 'offline', index, selector: selectorOf(decoded.offline), expect: decoded.expect };
  if ('headroom' in decoded) {
    const node = decoded.headroom?.node;
    return node === undefined ? { kind: 'headroom', index } : { kind: 'headroom', index, node };
  }
  if ('max_movable_ratio' in decoded) {
    const { margin, hotAddSize, workload, ...rest } = decoded.max_movable_ratio;
    return stripUndefined({
      kind: 'max_movable_ratio',
      index,
      ...rest,
      workload: stripUndefined(workload),
      marginBytes: margin,
      hotAddBytes: hotAddSize,
      expect: decoded.expect === undefined ? undefined : stripUndefined(decoded.expect),
    }) as MaxMovableRatioStep;
  }
  if ('compare_schemes' in decoded) {
    const { workload, ...rest } = decoded.compare_schemes;
    return stripUndefined({ kind: 'compare_schemes', index, ...rest, workload: stripUndefined(workload) }) as CompareSchemesStep;
  }
  if ('alloc' in decoded) {
    const { kind: allocKind, size: sizeBytes, node, ...options } = decoded.alloc;
    return stripUndefined({ kind: 'alloc', index, allocKind, sizeBytes, node, ...options, expect: decoded.expect }) as AllocStep;
  }
  if ('free' in decoded) {
    const { kind: allocKind, size: sizeBytes, node, seed } = decoded.free;
    const step: AllocStep = { kind: 'free', index, allocKind, sizeBytes, node, expect: decoded.expect };
    if (seed !== undefined) step.seed = seed;
    return step;
  }
  if ('workload' in decoded) {
    return stripUndefined({ kind: 'workload', index, ...decoded.workload, expect: decoded.expect }) as WorkloadStep;
  }
  if ('churn' in decoded) {
    return stripUndefined({ kind: 'churn', index, ...decoded.churn, expect: decoded.expect }) as ChurnStep;
  }
  if ('inject' in decoded) {
    const { action, errno } = decoded.inject;
    return { kind: 'inject', index, action, errno: errno === 'none' ? null : errno, expect: decoded.expect };
  }
  if ('retries' in decoded) return { kind: 'retries', index, budget: decoded.retries, expect: decoded.expect };
  return { kind: 'expect', index, assertions: decoded.expect.map(stripUndefined) as Assertion[] };
}

/** Drop keys whose value is undefined, so reports and comparisons see only what was written. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A file's name without directory and extension: the default name of a scenario or study. */
export function baseName(file: string): string {
  const last = file.split(/[\\/]/).pop() ?? file;
  return last.replace(/\.(ya?ml|json)$/i, '') || 'scenario';
}

// ---- entry points ---------------------------------------------------------------

/**
 * Validate an already-parsed document (from YAML, JSON or code). Returns the
 * typed scenario, or every issue found.
 */
export function checkScenarioDocument(document: unknown, file: string): ScenarioResult {
  const issues: Issue[] = [];
  // The version decides how to read the rest, so it is checked first and alone.
  if (typeof document === 'object' && document !== null && !Array.isArray(document)) {
    const version = (document as Record<string, unknown>).version;
    if (version !== undefined && String(version).trim() !== String(SCENARIO_VERSION)) {
      issues.push({
        path: 'version',
        message: `expected ${SCENARIO_VERSION} (the only scenario format this pfnlab reads), got ${JSON.stringify(version)}`,
      });
      return { ok: false, error: new ScenarioError(file, issues) };
    }
  }
  const decoded = validate(scenarioSchema, document);
  if (decoded.value === INVALID) return { ok: false, error: new ScenarioError(file, decoded.issues) };
  const value = decoded.value;
  const machine = toMachineSpec(value, issues);
  if (issues.length > 0) return { ok: false, error: new ScenarioError(file, issues) };
  return {
    ok: true,
    scenario: {
      file,
      version: SCENARIO_VERSION,
      name: value.name ?? baseName(file),
      description: value.description,
      seed: value.seed,
      machine,
      steps: value.steps.map(toStep),
    },
  };
}

/** Parse YAML (or JSON, which is YAML) text and validate it. */
// ---- reading the text ---------------------------------------------------------------

/**
 * The largest scenario text read, in characters (UTF-16 code units; bytes for
 * ASCII text). Real scenarios are a few kilobytes; a machine with 100,000 SRAT
 * entries is about 5 MiB. Parsing costs about 60 times the text in memory.
 */
export const MAX_SCENARIO_CHARS = 8 * 2 ** 20;
/** The most steps a scenario may have (each costs a few kilobytes while it is read and reported). */
export const MAX_SCENARIO_STEPS = 100_000;
/**
 * The most alias expansions (`*name`) a scenario may make. Anchors and aliases
 * are handy for repeated SRAT entries; an alias of an alias of ... (a "billion
 * laughs" document) would otherwise expand without bound.
 */
export const MAX_ALIAS_EXPANSIONS = 1_000;

function scenarioTextError(file: string, message: string, path = ''): ScenarioResult {
  return { ok: false, error: new ScenarioError(file, [{ path, message }]) };
}

/**
 * Read a scenario from YAML (or JSON, which is YAML) and validate it. Every
 * problem of the text itself (syntax, an alias with no anchor before it, an
 * alias bomb, a file over the size or step limits) is a ScenarioError naming
 * the file and, where the text has one, the line and column.
 */
export function checkScenarioText(text: string, file: string): ScenarioResult {
  if (typeof text !== 'string') return scenarioTextError(file, `expected the scenario text as a string, got ${typeof text}`);
  if (text.length > MAX_SCENARIO_CHARS) {
    return scenarioTextError(file, `the file has ${text.length} characters, more than the ${MAX_SCENARIO_CHARS} (8 MiB) a scenario may have`);
  }
  const lineCounter = new LineCounter();
  // Failsafe: every scalar stays a string; the schema decides what it means.
  const doc = parseDocument(text, { schema: 'failsafe', prettyErrors: true, lineCounter });
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return '';
    const { line, col } = lineCounter.linePos(offset);
    return `line ${line}, column ${col}: `;
  };
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((err) => {
      const firstLine = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return { path: '', message: `${where(err.pos[0])}${firstLine}` };
    });
    return { ok: false, error: new ScenarioError(file, issues) };
  }
  // Aliases: each must follow an anchor of its name, and together they may
  // expand only so far.
  const anchors = new Set<string>();
  const aliasIssues: Issue[] = [];
  let firstAliasOffset: number | undefined;
  visit(doc, {
    Node(_key, node: YamlNode, ancestors) {
      if (isAlias(node)) {
        firstAliasOffset ??= node.range?.[0];
        if (!anchors.has(node.source)) {
          aliasIssues.push({ path: '', message: `${where(node.range?.[0])}alias *${node.source} has no anchor &${node.source} before it` });
        } else if (ancestors.some((a) => (a as { anchor?: string }).anchor === node.source)) {
          aliasIssues.push({ path: '', message: `${where(node.range?.[0])}alias *${node.source} refers to a node that contains it` });
        }
      } else if (node.anchor !== undefined) {
        anchors.add(node.anchor);
      }
    },
  });
  if (aliasIssues.length > 0) return { ok: false, error: new ScenarioError(file, aliasIssues) };
  const steps = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined;
  if (isSeq(steps) && steps.items.length > MAX_SCENARIO_STEPS) {
    return scenarioTextError(file, `${where(steps.range?.[0])}${steps.items.length} steps, more than the ${MAX_SCENARIO_STEPS} a scenario may have`, 'steps');
  }
  let document: unknown;
  try {
    document = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!/alias/i.test(message)) throw err;
    return scenarioTextError(
      file,
      `${where(firstAliasOffset)}the aliases expand too far (more than ${MAX_ALIAS_EXPANSIONS} expansions): write the values out, or alias fewer of them`,
    );
  }
  if (document === null || document === undefined || document === '') {
    return scenarioTextError(file, 'the file is empty (expected a mapping with version: 1)');
  }
  if (Array.isArray((document as { steps?: unknown }).steps) && (document as { steps: unknown[] }).steps.length > MAX_SCENARIO_STEPS) {
    return scenarioTextError(file, `${(document as { steps: unknown[] }).steps.length} steps, more than the ${MAX_SCENARIO_STEPS} a scenario may have`, 'steps');
  }
  return checkScenarioDocument(document, file);
}

/** Parse and validate; throws ScenarioError listing every issue. */
export function parseScenario(text: string, file: string): Scenario {
  const result = checkScenarioText(text, file);
  if (!result.ok) throw result.error;
  return result.scenario;
}

/** Resolve an export path of a scenario against the current directory. */
export function resolveOutputPath(path: string): string {
  return nodeBuiltin('path', 'writing an export file').resolve(path);
}
