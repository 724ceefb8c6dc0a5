/**
 * The workload's allocations: what the scenario's `alloc` and `free` steps
 * do to the page state. A minimal page allocator for now (no watermarks, no
 * migratetypes, no reclaim): pages of a kind are taken at the lowest free
 * pfns the zonelist allows (mm/page_alloc.c get_page_from_freelist walks the
 * same zonelist), and a free releases a seeded random subset of a kind's
 * pages on a node.
 *
 * Allocation kinds map to GFP classes: `user` (GFP_HIGHUSER_MOVABLE) may use
 * ZONE_MOVABLE, the kernel kinds (`slab`, `pgtable`, `pinned`) stop at
 * Normal. Every engine write goes through the caller's UndoLog, so a call
 * that fails on an engine error leaves no page behind.
 */
import { ClaimMode, classBit, PAGE_SIZE, PageClass } from '../../contract/constants.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../core/mmzone.js';
import { failed, isSafeNonNegative, renamedFieldFailure } from '../core/outcomes.js';
import { describeValue } from '../../util/format.js';
import { countIn, type UndoLog } from '../core/page-state.js';
import type { ShardSet } from '../core/shards.js';
import type { NodeState } from '../core/state.js';
import { ALLOC_KINDS, type AllocKind, type AllocRequest, type FreeRequest, type Outcome } from '../core/types.js';
import { inNodeOrder, zonelist } from './zonelist.js';

/** Page class of each allocation kind. */
const KIND_CLASS: Record<AllocKind, PageClass> = {
  user: PageClass.USER,
  slab: PageClass.SLAB,
  pgtable: PageClass.PGTABLE,
  pinned: PageClass.PINNED,
};

/** What the allocator reads: the engines, the nodes and the SLIT. */
export interface AllocHost {
  readonly shards: ShardSet;
  /** Every possible node, ascending nid. */
  readonly nodeStates: readonly NodeState[];
  node(nid: number): NodeState | undefined;
  readonly slit: number[][] | null;
  /** The fallback node order of node `nid`'s zonelists as the kernel last built them (zonelist.ts). */
  nodeOrder(nid: number): readonly number[];
}

function checkRequest(host: AllocHost, req: AllocRequest): Outcome | { cls: PageClass; nrPages: number; node: NodeState } {
  if (req === null || typeof req !== 'object') return failed('EINVAL', 'the request must be an object { kind, size, node }');
  const renamed = renamedFieldFailure(req);
  if (renamed !== null) return renamed;
  if (!ALLOC_KINDS.includes(req.kind)) return failed('EINVAL', `kind must be ${ALLOC_KINDS.join(', ')}, got ${describeValue(req.kind)}`);
  if (!isSafeNonNegative(req.size) || req.size === 0) return failed('EINVAL', `size must be a positive integer number of bytes, got ${describeValue(req.size)}`);
  if (!isSafeNonNegative(req.node)) return failed('EINVAL', `node must be a node id, got ${describeValue(req.node)}`);
  const node = host.node(req.node);
  if (node === undefined) return failed('EINVAL', `node ${req.node} is not possible`);
  return { cls: KIND_CLASS[req.kind], nrPages: Math.ceil(req.size / PAGE_SIZE), node };
}

/**
 * Allocate `sizeBytes` (rounded up to pages) of a kind, lowest pfns first,
 * zone by zone in the preferred node's zonelist: user memory may use
 * ZONE_MOVABLE, kernel kinds stop at Normal. ENOMEM, with nothing
 * allocated, when the allowed zones lack the free pages.
 */
export async function allocPages(host: AllocHost, req: AllocRequest, log: UndoLog): Promise<Outcome> {
  const checked = checkRequest(host, req);
  if ('ok' in checked) return checked;
  const { cls, nrPages, node } = checked;
  const highestZoneIdx = req.kind === 'user' ? ZONE_MOVABLE : ZONE_NORMAL;
  const zones = zonelist(inNodeOrder(host.nodeOrder(node.nid), host.nodeStates.filter((n) => n.hasMemory)), highestZoneIdx);
  const free = await Promise.all(zones.map((zone) => countIn(host.shards, zone.memberRanges, classBit(PageClass.FREE))));
  const total = free.reduce((sum, n) => sum + n, 0);
  if (total < nrPages) {
    const where = req.kind === 'user' ? 'any zone' : 'the kernel zones (DMA, DMA32, Normal)';
    return failed('ENOMEM', `${nrPages} ${req.kind} pages do not fit: ${total} free pages in ${where} of the nodes with memory`);
  }
  let left = nrPages;
  for (let i = 0; i < zones.length && left > 0; i++) {
    const take = Math.min(left, free[i]);
    if (take === 0) continue;
    await log.claim(zones[i].memberRanges, take, PageClass.FREE, cls);
    left -= take;
  }
  return { ok: true, modelledSeconds: 0 };
}

/** Free `sizeBytes` of a kind on one node: a seeded random subset of its pages, spread over its zones. */
export async function freePages(host: AllocHost, req: FreeRequest, log: UndoLog): Promise<Outcome> {
  const checked = checkRequest(host, req);
  if ('ok' in checked) return checked;
  const { cls, nrPages, node } = checked;
  const seed = req.seed ?? 0;
  if (!Number.isSafeInteger(seed)) return failed('EINVAL', `seed must be an integer, got ${describeValue(seed)}`);
  const ranges = node.zones.flatMap((zone) => zone.memberRanges).sort((a, b) => a.startPfn - b.startPfn);
  const held = await countIn(host.shards, ranges, classBit(cls));
  if (held < nrPages) return failed('EINVAL', `node ${node.nid} holds ${held} ${req.kind} pages, fewer than the ${nrPages} to free`);
  await log.claim(ranges, nrPages, cls, PageClass.FREE, ClaimMode.RANDOM_PAGEBLOCK, seed >>> 0);
  return { ok: true, modelledSeconds: 0 };
}
