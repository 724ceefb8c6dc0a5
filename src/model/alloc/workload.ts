/**
 * The workload's allocations, as the scenario's `alloc`, `free`, `workload`
 * and `churn` steps and the Machine calls of the same names make them: each
 * a request to the page allocator (page-alloc.ts), plus the page tables a
 * mapping of user memory costs (pgtable.ts), plus the page-cache accounting
 * reclaim needs (docs/allocator.md).
 *
 * Every engine write goes through the caller's UndoLog, so a call that fails
 * on an engine error leaves no page behind. A request the kernel could not
 * satisfy is not an engine error: the pages allocated before it ran out stay
 * allocated, as they would be when the kernel makes its OOM decision, and
 * the outcome says how it ended.
 *
 * A workload's rounds run the parts of nodes that provably serve themselves
 * concurrently, one shard each, with the result of running them node after
 * node (see "A workload's rounds across nodes" below).
 */
import type { ProgressListener } from '../core/types.js';
import { ClaimMode, classBit, PAGE_SIZE, PAGEBLOCK_ISOLATE, PageClass } from '../../contract/constants.js';
import { describeValue } from '../../util/format.js';
import { failed, isSafeNonNegative, renamedFieldFailure } from '../core/outcomes.js';
import { countIn, countPageblocksOver, UndoLog } from '../core/page-state.js';
import type { Shard, ShardSet } from '../core/shards.js';
import type { NodeState, ZoneState } from '../core/state.js';
import {
  ALLOC_KINDS,
  PLACEMENTS,
  type AllocKind,
  type AllocOutcome,
  type AllocRequest,
  type Amount,
  type FreeRequest,
  type Outcome,
  type Placement,
  type WorkloadOutcome,
  type WorkloadSpec,
} from '../core/types.js';
import type { PagingLevels } from '../core/kernel.js';
import { kindSpec } from './gfp.js';
import { allocatePages, localZones, pagesAllowed, type LocalZones, type PageAllocHost, type PageAllocResult } from './page-alloc.js';
import { mappingTablePages } from './pgtable.js';

/** What the workload calls read and change: the allocator's host, and the machine's paging mode. */
export interface AllocHost extends PageAllocHost {
  readonly slit: number[][] | null;
  readonly pagingLevels: PagingLevels;
  /** Told after each of a workload's rounds. */
  readonly progress?: ProgressListener;
}

const GiB = 2 ** 30;
/** A workload fills in this many rounds, every kind a slice in each, as a machine's memory grows together. */
export const WORKLOAD_ROUNDS = 8;
/** A mapping is allocated in this many slices, each with its page tables first, as faults would. */
const MAPPING_SLICES = 16;

function isShare(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

// ---------------------------------------------------------------------------
// Checking requests

interface CheckedRequest {
  kind: AllocKind;
  nrPages: number;
  node: NodeState;
  placement: Placement;
  seed: number;
}

function checkRequest(host: AllocHost, req: AllocRequest | FreeRequest): Outcome | CheckedRequest {
  if (req === null || typeof req !== 'object') return failed('EINVAL', 'the request must be an object { kind, size, node }');
  const renamed = renamedFieldFailure(req);
  if (renamed !== null) return renamed;
  if (!ALLOC_KINDS.includes(req.kind)) return failed('EINVAL', `kind must be ${ALLOC_KINDS.join(', ')}, got ${describeValue(req.kind)}`);
  if (!isSafeNonNegative(req.size) || req.size === 0) return failed('EINVAL', `size must be a positive integer number of bytes, got ${describeValue(req.size)}`);
  if (!isSafeNonNegative(req.node)) return failed('EINVAL', `node must be a node id, got ${describeValue(req.node)}`);
  const node = host.node(req.node);
  if (node === undefined) return failed('EINVAL', `node ${req.node} is not possible`);
  const placement = 'placement' in req && req.placement !== undefined ? req.placement : 'grouped';
  if (!PLACEMENTS.includes(placement)) return failed('EINVAL', `placement must be ${PLACEMENTS.join(', ')}, got ${describeValue(placement)}`);
  const seed = req.seed ?? 0;
  if (!Number.isSafeInteger(seed)) return failed('EINVAL', `seed must be an integer, got ${describeValue(seed)}`);
  if ('thp' in req && req.thp !== undefined && !isShare(req.thp)) return failed('EINVAL', `thp must be a share from 0 to 1, got ${describeValue(req.thp)}`);
  if ('mapped' in req && req.mapped !== undefined && typeof req.mapped !== 'boolean') {
    return failed('EINVAL', `mapped must be a boolean, got ${describeValue(req.mapped)}`);
  }
  return { kind: req.kind === 'user' ? 'anon' : req.kind, nrPages: Math.ceil(req.size / PAGE_SIZE), node, placement, seed: seed >>> 0 };
}

// ---------------------------------------------------------------------------
// One allocation

/** The page-cache pages of each zone follow an allocation of file pages. */
function accountFile(log: UndoLog, host: AllocHost, result: PageAllocResult): void {
  for (const [key, pages] of Object.entries(result.byZone)) {
    const zone = zoneOfKey(host, key);
    if (zone === undefined) continue;
    zone.filePages += pages;
    log.record(() => {
      zone.filePages -= pages;
    });
  }
}

function addByZone(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, pages] of Object.entries(from)) into[key] = (into[key] ?? 0) + pages;
}

/** One allocatePages request of a kind's allocation: the pages of a slice, or the page tables it needs first. */
interface PageStep {
  kind: AllocKind;
  nrPages: number;
  seed: number;
  /** Page tables of the mapping, allocated before the slice they map. */
  tables: boolean;
}

/**
 * The page requests of `allocKind`, in order, as made while every one of
 * them succeeds (the first that falls short ends the allocation): a mapping
 * of user memory (anon, or mapped file) in slices, each after the page
 * tables it needs; anything else in one request.
 */
function allocSteps(req: CheckedRequest, mapping: { thp: number; mapped: boolean }, levels: PagingLevels): PageStep[] {
  const steps: PageStep[] = [];
  const maps = req.kind === 'anon' || (req.kind === 'file' && mapping.mapped);
  const slices = maps ? Math.min(MAPPING_SLICES, req.nrPages) : 1;
  let pagesSoFar = 0;
  let tablesSoFar = 0;
  for (let i = 1; i <= slices; i++) {
    const upTo = Math.floor((req.nrPages * i) / slices);
    if (maps) {
      const tables = mappingTablePages({
        bytes: upTo * PAGE_SIZE,
        backing: req.kind === 'anon' ? 'anon' : 'file',
        hugeShare: mapping.thp,
        processes: 1,
        levels,
      }).total;
      const more = tables - tablesSoFar;
      if (more > 0) {
        steps.push({ kind: 'pgtable', nrPages: more, seed: req.seed, tables: true });
        tablesSoFar += more;
      }
    }
    steps.push({ kind: req.kind, nrPages: upTo - pagesSoFar, seed: req.seed + i, tables: false });
    pagesSoFar = upTo;
  }
  return steps;
}

/**
 * Allocate `nrPages` of a kind. A mapping of user memory (anon, or mapped
 * file) is made in slices, each with the page tables it needs allocated
 * first, as the page faults that build it would: when kernel zones run out,
 * it is the page tables that fail, with user memory still free in
 * ZONE_MOVABLE (fact 65; Mel Gorman's example). `touched`, when given,
 * collects the nodes whose zones gave pages (page tables included).
 */
async function allocKind(
  host: AllocHost,
  log: UndoLog,
  req: CheckedRequest,
  mapping: { thp: number; mapped: boolean },
  touched?: Set<number>,
): Promise<AllocOutcome> {
  const outcome: AllocOutcome = { ok: true, modelledSeconds: 0, allocatedPages: 0, pageTablePages: 0, byZone: {}, reclaimedPages: 0 };
  for (const step of allocSteps(req, mapping, host.pagingLevels)) {
    const got = await allocatePages(host, { kind: step.kind, nrPages: step.nrPages, nid: req.node.nid, placement: req.placement, seed: step.seed }, log);
    if (touched !== undefined) for (const key of Object.keys(got.byZone)) touched.add(Number(key.split(':')[0]));
    outcome.reclaimedPages += got.reclaimedPages;
    if (step.tables) {
      outcome.pageTablePages += got.allocatedPages;
      if (got.failure !== undefined) return fail(outcome, got, 'pgtable');
      continue;
    }
    if (req.kind === 'file') accountFile(log, host, got);
    outcome.allocatedPages += got.allocatedPages;
    addByZone(outcome.byZone, got.byZone);
    if (got.failure !== undefined) return fail(outcome, got, req.kind);
  }
  return outcome;
}

function fail(outcome: AllocOutcome, result: PageAllocResult, kind: AllocKind): AllocOutcome {
  const failure = result.failure!;
  outcome.ok = false;
  outcome.failure = { outcome: failure.outcome, kind, missingPages: failure.missingPages, zones: failure.zones, movableFreePages: failure.movableFreePages };
  if (failure.outcome === 'ENOMEM') outcome.errno = 'ENOMEM';
  const below = failure.zones
    .filter((z) => z.freePages <= z.min + z.reserve)
    .map((z) => `node ${z.nid} ${z.zone} ${z.freePages} free <= min ${z.min} + reserve ${z.reserve}`)
    .join('; ');
  const what = failure.outcome === 'oom' ? 'the kernel would invoke the OOM killer' : failure.outcome === 'stall' ? 'the request would loop' : 'the request fails';
  outcome.message =
    `${kind} allocation of ${failure.missingPages} more pages failed after reclaim: ${what}; ` +
    `${below || 'no zone it may use has pages above min'}; ZONE_MOVABLE still has ${failure.movableFreePages} free pages`;
  return outcome;
}

/** `alloc`: one request. */
export async function allocRequest(host: AllocHost, req: AllocRequest, log: UndoLog): Promise<AllocOutcome | Outcome> {
  const checked = checkRequest(host, req);
  if ('ok' in checked) return checked;
  return allocKind(host, log, checked, { thp: req.thp ?? 0, mapped: req.mapped ?? false });
}

/**
 * `free`: a seeded random subset of a kind's pages on one node, spread over
 * its zones. Freeing page cache or anonymous memory frees USER pages; the
 * node's page-cache counts shrink with freed page cache, in proportion.
 */
export async function freeRequest(host: AllocHost, req: FreeRequest, log: UndoLog): Promise<Outcome> {
  const checked = checkRequest(host, req);
  if ('ok' in checked) return checked;
  const { kind, nrPages, node, seed } = checked;
  const cls = kindSpec(kind).cls;
  const zones = node.zones.filter((zone) => zone.memberRanges.length > 0);
  const held = await Promise.all(zones.map((zone) => countIn(host.shards, zone.memberRanges, classBit(cls))));
  const files = zones.map((zone) => zone.filePages);
  const kindHeld = held.map((n, i) => (kind === 'file' ? Math.min(files[i], n) : kind === 'anon' ? n - Math.min(files[i], n) : n));
  const total = kindHeld.reduce((sum, n) => sum + n, 0);
  if (total < nrPages) return failed('EINVAL', `node ${node.nid} holds ${total} ${kind} pages, fewer than the ${nrPages} to free`);
  let left = nrPages;
  for (let i = 0; i < zones.length && left > 0; i++) {
    // Every zone gives its share; the last ones take what rounding left.
    const share = i === zones.length - 1 ? left : Math.min(left, Math.round((nrPages * kindHeld[i]) / total));
    const n = Math.min(share, kindHeld[i]);
    if (n === 0) continue;
    await log.claim(zones[i].memberRanges, n, cls, PageClass.FREE, ClaimMode.RANDOM_PAGEBLOCK, (seed + i * 0x9e3779b9) >>> 0);
    if (kind === 'file') {
      const zone = zones[i];
      zone.filePages -= n;
      log.record(() => {
        zone.filePages += n;
      });
    }
    left -= n;
  }
  if (left > 0) return failed('EINVAL', `node ${node.nid}: ${left} ${kind} pages could not be freed`);
  return { ok: true, modelledSeconds: 0 };
}

// ---------------------------------------------------------------------------
// A workload

/** Pages of `amount` in a scope of `scopePages` managed pages. */
function pagesOf(amount: Amount | undefined, scopePages: number): number {
  if (amount === undefined) return 0;
  return 'bytes' in amount ? Math.ceil(amount.bytes / PAGE_SIZE) : Math.floor(amount.share * scopePages);
}

function checkAmount(name: string, amount: Amount | undefined): string | null {
  if (amount === undefined) return null;
  if (amount === null || typeof amount !== 'object') return `${name} must be { bytes } or { share }, got ${describeValue(amount)}`;
  if ('bytes' in amount) return isSafeNonNegative(amount.bytes) ? null : `${name}.bytes must be a byte count, got ${describeValue(amount.bytes)}`;
  if ('share' in amount) return isShare(amount.share) ? null : `${name}.share must be from 0 to 1, got ${describeValue(amount.share)}`;
  return `${name} must be { bytes } or { share }`;
}

function managedOf(node: NodeState): number {
  return node.zones.reduce((sum, zone) => sum + zone.managedPages, 0);
}

/** The kinds of a workload, in the order each round allocates them. */
const WORKLOAD_ORDER = ['slab', 'pinned', 'file', 'slab_reclaimable', 'anon'] as const;

/**
 * `workload`: fill the machine to a steady state, in rounds (every kind a
 * slice in each, per node in scope), through the allocator. The first
 * request that cannot be satisfied ends the fill; the outcome says where
 * each kind went and how the failure ended.
 */
export async function runWorkload(host: AllocHost, spec: WorkloadSpec, log: UndoLog, options: WorkloadOptions = {}): Promise<WorkloadOutcome | Outcome> {
  if (spec === null || typeof spec !== 'object') return failed('EINVAL', 'the workload must be an object');
  for (const name of ['anon', 'file', 'slab', 'pinned'] as const) {
    const problem = checkAmount(name, spec[name]);
    if (problem !== null) return failed('EINVAL', problem);
  }
  for (const name of ['thp', 'fileMapped'] as const) {
    if (spec[name] !== undefined && !isShare(spec[name])) return failed('EINVAL', `${name} must be a share from 0 to 1, got ${describeValue(spec[name])}`);
  }
  if (spec.slabReclaimablePerFileGiB !== undefined && !isSafeNonNegative(spec.slabReclaimablePerFileGiB)) {
    return failed('EINVAL', `slabReclaimablePerFileGiB must be a byte count, got ${describeValue(spec.slabReclaimablePerFileGiB)}`);
  }
  const shares = (['anon', 'file', 'slab', 'pinned'] as const)
    .map((name) => spec[name])
    .filter((amount): amount is { share: number } => amount !== undefined && 'share' in amount)
    .reduce((sum, amount) => sum + amount.share, 0);
  if (shares > 1) return failed('EINVAL', `the shares add up to ${Math.round(shares * 100)}%, more than all of memory`);
  const placement = spec.placement ?? 'grouped';
  if (!PLACEMENTS.includes(placement)) return failed('EINVAL', `placement must be ${PLACEMENTS.join(', ')}, got ${describeValue(placement)}`);
  const seed = spec.seed ?? 0;
  if (!Number.isSafeInteger(seed)) return failed('EINVAL', `seed must be an integer, got ${describeValue(seed)}`);

  let scope: NodeState[];
  if (spec.node === 'spread') scope = host.nodeStates.filter((node) => node.hasMemory);
  else {
    const node = isSafeNonNegative(spec.node) ? host.node(spec.node) : undefined;
    // A workload's shares are of its nodes' memory: a memoryless node has none to share.
    if (node === undefined || !node.hasMemory) return failed('EINVAL', `node must be a node with memory or "spread", got ${describeValue(spec.node)}`);
    scope = [node];
  }

  // Per node in scope and kind, the pages to allocate, split over the rounds.
  const plan = scope.map((node) => {
    const managed = managedOf(node);
    const file = pagesOf(spec.file, managed);
    return {
      node,
      pages: {
        anon: pagesOf(spec.anon, managed),
        file,
        slab: pagesOf(spec.slab, managed),
        pinned: pagesOf(spec.pinned, managed),
        slab_reclaimable: Math.ceil(((file * PAGE_SIZE) / GiB) * (spec.slabReclaimablePerFileGiB ?? 0) / PAGE_SIZE),
      } as Record<(typeof WORKLOAD_ORDER)[number], number>,
    };
  });
  const kinds: WorkloadOutcome['kinds'] = {};
  const note = (kind: string, requested: number, allocated: number): void => {
    const entry = (kinds[kind] ??= { requestedPages: 0, allocatedPages: 0 });
    entry.requestedPages += requested;
    entry.allocatedPages += allocated;
  };
  for (const { pages } of plan) for (const kind of WORKLOAD_ORDER) note(kind, pages[kind], 0);
  note('pgtable', 0, 0);

  const outcome: WorkloadOutcome = { ok: true, modelledSeconds: 0, kinds };
  const mappingOf = (kind: AllocKind): { thp: number; mapped: boolean } => ({
    thp: kind === 'anon' ? (spec.thp ?? 0) : 0,
    mapped: kind === 'file' && (spec.fileMapped ?? 0) > 0,
  });
  /** A node's part of one round: a slice of every kind, in WORKLOAD_ORDER. */
  const partOf = ({ node, pages }: (typeof plan)[number], round: number): NodeRound => ({
    node,
    requests: WORKLOAD_ORDER.map((kind) => ({
      req: {
        kind,
        nrPages: Math.floor((pages[kind] * (round + 1)) / WORKLOAD_ROUNDS) - Math.floor((pages[kind] * round) / WORKLOAD_ROUNDS),
        node,
        placement,
        seed: (seed + round * 7919 + node.nid * 104729) >>> 0,
      },
      mapping: mappingOf(kind),
    })).filter(({ req }) => req.nrPages > 0),
  });
  /** Note what a node's part did, as the sequential loop would have; false once a request failed. */
  const account = (round: number, part: NodeRound, done: PartResult): boolean => {
    for (const { kind, result } of done) {
      note(kind, 0, result.allocatedPages);
      note('pgtable', result.pageTablePages, result.pageTablePages);
      if (result.failure !== undefined) {
        outcome.ok = false;
        outcome.failure = result.failure;
        outcome.message = `round ${round + 1} of ${WORKLOAD_ROUNDS}, node ${part.node.nid}: ${result.message}`;
        if (result.errno !== undefined) outcome.errno = result.errno;
        return false;
      }
    }
    return true;
  };

  const mode = options.concurrency ?? 'auto';
  const concurrent = mode === 'concurrent' || (mode === 'auto' && shardsAnswerLater(host.shards));
  for (let round = 0; round < WORKLOAD_ROUNDS; round++) {
    const parts = plan.map((entry) => partOf(entry, round));
    let next = 0;
    while (next < parts.length) {
      const batch = concurrent ? await selfServedStretch(host, parts.slice(next)) : [];
      if (batch.length < 2) {
        // Node after node: this node's requests may reach other nodes' zones (or it is alone).
        const part = parts[next++];
        options.trace?.({ round, nids: [part.node.nid], concurrent: false });
        if (!account(round, part, await runPart(host, log, part))) return outcome;
        continue;
      }
      options.trace?.({ round, nids: batch.map((part) => part.node.nid), concurrent: true });
      const done = await runConcurrently(host, log, batch);
      for (let i = 0; i < batch.length; i++) {
        if (!account(round, batch[i], done[i])) throw new Error(`internal: node ${batch[i].node.nid} failed a request it was to serve itself`);
      }
      next += batch.length;
    }
    host.progress?.({ what: 'workload', done: round + 1, total: WORKLOAD_ROUNDS });
  }
  return outcome;
}

// ---------------------------------------------------------------------------
// A workload's rounds across nodes
//
// The kernel places a round's requests one after another, and the order
// decides which pages each takes; the model keeps that order's result. But
// the requests of one node touch only that node's zones, and so only that
// node's shard, as long as every one of them is served from those zones at
// the low mark: the walk then never reaches another node's zones, never
// enters the slow path or reclaim (the only steps that read or change
// anything beyond the zones it takes from, swap included), and what each
// request takes depends on nothing another node does. Such nodes' parts of a
// round can run concurrently, one shard each: with workers, on as many
// threads. Each writes to a log of its own; the logs join the call's log,
// and the counts join the outcome, in node order, as the sequential loop
// would have left them. Everything else runs node after node.

/** How runWorkload spreads a round over the nodes. */
export interface WorkloadOptions {
  /**
   * 'concurrent': the parts of a round of nodes that serve themselves run
   * concurrently, the rest node after node; 'sequential': every part node
   * after node; 'auto' (the default): concurrent when the shards answer from
   * other threads (shardsAnswerLater), sequential when they answer at once,
   * where running parts concurrently would only interleave them. The
   * results are the same.
   */
  concurrency?: 'auto' | 'concurrent' | 'sequential';
  /** Told, for each stretch of a round, which nodes ran and whether together. */
  trace?: (stretch: { round: number; nids: number[]; concurrent: boolean }) => void;
}

const answerLater = new WeakMap<ShardSet, { shards: number; later: boolean }>();

/**
 * Whether work on different shards can overlap: at least two shards'
 * engines answer with promises, from other threads (workers), rather than
 * at once in this thread (the contract's ShardEngine allows both). Asked of
 * each engine once (an `info()` call) and remembered per shard set until it
 * gains or loses shards.
 */
export function shardsAnswerLater(shards: ShardSet): boolean {
  const known = answerLater.get(shards);
  if (known !== undefined && known.shards === shards.shards.length) return known.later;
  let later = 0;
  for (const shard of shards.shards) {
    const answer: unknown = shard.engine.info();
    if (answer instanceof Object && typeof (answer as PromiseLike<unknown>).then === 'function') {
      (answer as PromiseLike<unknown>).then(undefined, () => undefined);
      later++;
    }
  }
  answerLater.set(shards, { shards: shards.shards.length, later: later >= 2 });
  return later >= 2;
}

/** A node's part of one round: its requests, in order. */
interface NodeRound {
  node: NodeState;
  requests: { req: CheckedRequest; mapping: { thp: number; mapped: boolean } }[];
}

/** What a node's part did: one outcome per request made, the last one failed if any did. */
type PartResult = { kind: AllocKind; result: AllocOutcome }[];

/** Run a node's part of a round, stopping at its first failed request. */
async function runPart(host: AllocHost, log: UndoLog, part: NodeRound, touched?: Set<number>): Promise<PartResult> {
  const done: PartResult = [];
  for (const { req, mapping } of part.requests) {
    const result = await allocKind(host, log, req, mapping, touched);
    done.push({ kind: req.kind, result });
    if (result.failure !== undefined) break;
  }
  return done;
}

/**
 * Run the parts of nodes that serve themselves (selfServedStretch)
 * concurrently, each into a log of its own, then hand the logs to `log` in
 * node order. An engine error ends the call once every part has stopped:
 * the caller undoes `log`, which then holds the writes of every part, the
 * parts after the failing one included (sequentially they would not have
 * run; undone, they leave what any undo leaves). A part that reached beyond
 * its node breaks the premise: an internal error, never a silently
 * different result.
 */
async function runConcurrently(host: AllocHost, log: UndoLog, parts: readonly NodeRound[]): Promise<PartResult[]> {
  const logs = parts.map(() => new UndoLog(log.shards));
  const touched = parts.map(() => new Set<number>());
  const settled = await Promise.allSettled(parts.map((part, i) => runPart(host, logs[i], part, touched[i])));
  for (const partLog of logs) partLog.commitTo(log);
  const done: PartResult[] = [];
  for (let i = 0; i < parts.length; i++) {
    const outcome = settled[i];
    if (outcome.status === 'rejected') throw outcome.reason;
    const nid = parts[i].node.nid;
    const strayed = outcome.value.some(({ result }) => result.failure !== undefined || result.reclaimedPages > 0) || [...touched[i]].some((n) => n !== nid);
    if (strayed) throw new Error(`internal: node ${nid}'s part of a concurrent round reached beyond its own zones`);
    done.push(outcome.value);
  }
  return done;
}

/** Every shard that holds memory of a node's zones. */
function shardsOf(host: AllocHost, node: NodeState): Set<Shard> {
  const shards = new Set<Shard>();
  for (const zone of node.zones) for (const range of zone.memberRanges) for (const piece of host.shards.split(range.startPfn, range.endPfn)) shards.add(piece.shard);
  return shards;
}

/**
 * The longest leading run of `parts` that can run concurrently: nodes that
 * serve themselves (servesItself) on shards no other node of the run uses.
 * Read now, for the state the first of them starts from; no part of the
 * run changes what another one reads.
 */
async function selfServedStretch(host: AllocHost, parts: readonly NodeRound[]): Promise<NodeRound[]> {
  if (parts.length < 2) return [];
  const serves = await Promise.all(parts.map((part) => servesItself(host, part)));
  const stretch: NodeRound[] = [];
  const used = new Set<Shard>();
  for (let i = 0; i < parts.length && serves[i]; i++) {
    const shards = shardsOf(host, parts[i].node);
    if ([...shards].some((shard) => used.has(shard))) break;
    for (const shard of shards) used.add(shard);
    stretch.push(parts[i]);
  }
  return stretch;
}

/** Pageblocks of a zone that are isolated. */
async function isolatedPageblocksIn(host: AllocHost, zone: ZoneState): Promise<number> {
  const counts = await Promise.all(zone.memberRanges.map((r) => countPageblocksOver(host.shards, r.startPfn, r.endPfn, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * Whether every request of a node's part is served by the node's own zones
 * at the low mark, whatever the placement inside them: the walk of
 * allocatePages replayed on bounds, request by request, with the
 * allocator's own check (page-alloc.ts `pagesAllowed`).
 *
 * Each zone starts with its free pages (a zone with isolated pageblocks,
 * whose free pages the placement cannot reach, is not counted on) and an
 * upper bound on the pages the part has taken from it so far; what the check allows on what is left is a lower
 * bound on what the zone gives a request. A request is served locally when
 * the node's zones it may use (they lead its zonelist) allow all its pages
 * together: the walk's low pass takes, zone after zone, what each allows or
 * what is still missing, so it never goes past them. Then the bounds grow:
 * by the whole request for every zone of a walk that starts with the
 * ALLOC_NOFRAGMENT pass (it may take from any of them), otherwise by what
 * can still be missing when the walk reaches the zone.
 */
async function servesItself(host: AllocHost, part: NodeRound): Promise<boolean> {
  const steps = part.requests.flatMap(({ req, mapping }) => allocSteps(req, mapping, host.pagingLevels));
  const walks = new Map<AllocKind, LocalZones>();
  for (const { kind } of steps) {
    if (walks.has(kind)) continue;
    const local = localZones(host, part.node.nid, kind);
    if (local === null) return false;
    walks.set(kind, local);
  }
  const zones = [...new Set([...walks.values()].flatMap((walk) => walk.zones))];
  const [free, isolated] = await Promise.all([
    Promise.all(zones.map((zone) => countIn(host.shards, zone.memberRanges, classBit(PageClass.FREE)))),
    Promise.all(zones.map((zone) => isolatedPageblocksIn(host, zone))),
  ]);
  // Free pages of isolated pageblocks are out of the placement's reach (offlines isolate only while they run).
  if (isolated.some((n) => n > 0)) return false;
  const left = new Map(zones.map((zone, i) => [zone, free[i]]));
  for (const step of steps) {
    const walk = walks.get(step.kind)!;
    const allowed = walk.zones.map((zone) => pagesAllowed(zone, 'low', walk.highestZoneIdx, left.get(zone)!));
    if (allowed.reduce((sum, pages) => sum + pages, 0) < step.nrPages) return false;
    let missing = step.nrPages;
    for (let i = 0; i < walk.zones.length && missing > 0; i++) {
      const zone = walk.zones[i];
      left.set(zone, left.get(zone)! - (walk.noFragment ? step.nrPages : missing));
      if (!walk.noFragment) missing = Math.max(0, missing - allowed[i]);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// Churn

/**
 * `churn`: free a seeded random share of every kind's pages on the nodes in
 * scope and allocate as many again, as a long-running machine turns its
 * memory over; pollution builds up as the new pages fall into the holes.
 */
export async function churn(host: AllocHost, share: number, node: number | 'spread', seed: number, placement: Placement, log: UndoLog): Promise<Outcome> {
  if (!isShare(share)) return failed('EINVAL', `share must be from 0 to 1, got ${describeValue(share)}`);
  const scope = node === 'spread' ? host.nodeStates.filter((n) => n.hasMemory) : [host.node(node)].filter((n): n is NodeState => n !== undefined);
  if (scope.length === 0) return failed('EINVAL', `node must be a node or "spread", got ${describeValue(node)}`);
  for (const target of scope) {
    for (const kind of ['slab', 'slab_reclaimable', 'pgtable', 'pinned', 'file', 'anon'] as const) {
      const held = await heldPages(host, target, kind);
      const n = Math.floor(held * share);
      if (n === 0) continue;
      const freed = await freeRequest(host, { kind, size: n * PAGE_SIZE, node: target.nid, seed }, log);
      if (!freed.ok) return freed;
      const again = await allocKind(host, log, { kind, nrPages: n, node: target, placement, seed: seed + 1 }, { thp: 0, mapped: false });
      if (again.failure !== undefined) return { ...again, message: `churn: ${again.message}` };
    }
  }
  return { ok: true, modelledSeconds: 0 };
}

/** Pages of a kind a node holds (page cache and anonymous memory split by the zones' counts). */
export async function heldPages(host: AllocHost, node: NodeState, kind: AllocKind): Promise<number> {
  const cls = kindSpec(kind).cls;
  let total = 0;
  for (const zone of node.zones) {
    if (zone.memberRanges.length === 0) continue;
    const n = await countIn(host.shards, zone.memberRanges, classBit(cls));
    total += kind === 'file' ? Math.min(zone.filePages, n) : kind === 'anon' || kind === 'user' ? n - Math.min(zone.filePages, n) : n;
  }
  return total;
}

/** The zone a "node:zone" key of an outcome names. */
export function zoneOfKey(host: AllocHost, key: string): ZoneState | undefined {
  const [nid, name] = key.split(':');
  return host.node(Number(nid))?.zones.find((zone) => zone.name === name);
}
