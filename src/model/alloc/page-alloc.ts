/**
 * The page allocator, at the granularity the engine makes cheap: one request
 * of N pages of a kind, on a preferred node, placed zone by zone the way
 * `__alloc_pages` would place N order-0 pages (mm/page_alloc.c
 * `get_page_from_freelist`, `__alloc_pages_slowpath`, `__rmqueue`;
 * docs/allocator.md has the walk-through).
 *
 * The walk over zones is arithmetic on counters (free pages, marks,
 * reserves, reclaimable pages); the placement inside a zone is a few coarse
 * engine calls over the zone's ranges (zone-placement.ts). Nothing here
 * loops over pages or pageblocks.
 */
import { Migratetype, PageClass, classBit } from '../../contract/constants.js';
import { failureOutcome, reclaimablePages } from './reclaim.js';
import { gfpMigratetype, gfpZone, kindSpec } from './gfp.js';
import { pagesAboveMark, type WatermarkLevel } from './watermark-check.js';
import { inNodeOrder, zonelist } from './zonelist.js';
import { placeInZone } from './zone-placement.js';
import type { UndoLog } from '../core/page-state.js';
import { countIn } from '../core/page-state.js';
import type { ShardSet } from '../core/shards.js';
import { zonePopulation, type NodeState, type ZoneState } from '../core/state.js';
import type { AllocFailure, AllocKind, Placement, ZoneShortfall } from '../core/types.js';
import { ZONE_DMA32, ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../core/mmzone.js';

/** What the allocator reads and changes besides the engines. */
export interface PageAllocHost {
  readonly shards: ShardSet;
  readonly nodeStates: readonly NodeState[];
  node(nid: number): NodeState | undefined;
  /** The fallback node order of node `nid`'s zonelists. */
  nodeOrder(nid: number): readonly number[];
  /** Swap pages still free: anonymous memory is reclaimable into them. */
  swapFreePages(): number;
  /** Anonymous pages went out to swap (reclaim), or came back. */
  adjustSwapUsed(deltaPages: number): void;
  /** Mobility grouping is off (every request UNMOVABLE, fact 69). */
  groupingDisabled(): boolean;
  /**
   * The nodes long-term pins may use (the offline-migrated scheme's
   * reservation, docs/hot-remove-schemes.md), or null: any node.
   */
  pinnedNodes(): ReadonlySet<number> | null;
}

/** One request. */
export interface PageRequest {
  kind: AllocKind;
  nrPages: number;
  /** Preferred node. */
  nid: number;
  placement: Placement;
  /** Seed of the random placements (fragmented). */
  seed: number;
}

export interface PageAllocResult {
  /** Pages of the request that were allocated (all of them unless `failure`). */
  allocatedPages: number;
  /** Where they went, by node and zone name ("0:Normal"). */
  byZone: Record<string, number>;
  /** Pages direct reclaim freed for the request. */
  reclaimedPages: number;
  failure?: {
    outcome: AllocFailure;
    missingPages: number;
    /** The zones the request may use, each below its min mark plus reserve once it gave up. */
    zones: ZoneShortfall[];
    /** Free pages in ZONE_MOVABLE of every node, which a kernel request cannot use. */
    movableFreePages: number;
  };
}

/** `wmark_pages`: a zone's watermark of a level, boost included. */
export function watermark(zone: ZoneState, level: WatermarkLevel): number {
  return zone.watermarks[level] + zone.watermarks.boost;
}

/**
 * Order-0 pages `zone` can hand a request whose highest usable zone is
 * `highestZoneIdx` at `level` while it holds `freePages` free pages: the
 * allocator's watermark check (watermark-check.ts `pagesAboveMark`) against
 * the zone's mark and lowmem reserve. The walk below takes what it allows;
 * the workload asks it beforehand whether a node serves itself.
 */
export function pagesAllowed(zone: ZoneState, level: WatermarkLevel, highestZoneIdx: number, freePages: number): number {
  return pagesAboveMark({ freePages, mark: watermark(zone, level), reserve: zone.lowmemReserve[highestZoneIdx] ?? 0 }, 0);
}

/** The part of a request's walk that stays on its preferred node. */
export interface LocalZones {
  /** The node's zones the request may use, in walk order (highest first): they lead its zonelist. */
  zones: ZoneState[];
  /** The request's highest zone (its lowmem reserve index). */
  highestZoneIdx: number;
  /** The walk starts with the ALLOC_NOFRAGMENT pass over these zones. */
  noFragment: boolean;
}

/**
 * The zones of node `nid` that lead the zonelist of a `kind` request
 * preferring `nid` (see {@link LocalZones}). Null when the zonelist does
 * not start on `nid` (its pins are confined to other nodes, or it has no
 * memory).
 */
export function localZones(host: PageAllocHost, nid: number, kind: AllocKind): LocalZones | null {
  const spec = kindSpec(kind);
  const first = allowedNodes(host, nid, spec.cls)[0];
  if (first === undefined || first.nid !== nid) return null;
  const highestZoneIdx = gfpZone(spec.gfp);
  const zones = zonelist([first], highestZoneIdx);
  return { zones, highestZoneIdx, noFragment: noFragmentApplies(zones[0], first) };
}

/**
 * Zone bookkeeping for one request: its free pages as the walk takes them,
 * counted when the walk first reaches the zone (`undefined` until then).
 * Nothing the request did before changes a zone it has not reached (zones'
 * member ranges are disjoint), so the count is the one the request would
 * have read at its start; and a request served by its first zones reads no
 * other node's shard.
 */
interface ZoneSlot {
  zone: ZoneState;
  free: number | undefined;
  reserve: number;
}

function zoneKey(zone: ZoneState): string {
  return `${zone.nid}:${zone.name}`;
}

/**
 * ALLOC_NOFRAGMENT (`alloc_flags_nofragment`): when the preferred zone is
 * Normal and the node's DMA32 is populated, the first pass keeps to whole
 * free pageblocks and the request's own, so that another zone of the node
 * is used before a pageblock is polluted. A remote node ends that pass.
 */
function noFragmentApplies(preferred: ZoneState | undefined, node: NodeState): boolean {
  return preferred !== undefined && preferred.zoneIdx === ZONE_NORMAL && node.zones[ZONE_DMA32].presentPages > 0;
}

/**
 * The nodes a request of class `cls` from node `nid` may use, in that node's
 * order: every node with memory, but long-term pins only the reservation's
 * nodes (offline-migrated).
 */
export function allowedNodes(host: PageAllocHost, nid: number, cls: PageClass): NodeState[] {
  const confined = cls === PageClass.PINNED ? host.pinnedNodes() : null;
  const order = host.nodeOrder(nid);
  // Asked by every request: the answer is kept until a node may have gained
  // or lost memory (core/state.ts `zonePopulation`), so a 1024-node machine
  // does not filter its nodes per request. The answer is shared and frozen.
  let byNode = lastAllowedNodes.get(host);
  if (byNode === undefined) {
    byNode = new Map();
    lastAllowedNodes.set(host, byNode);
  }
  const key = confined === null ? nid : -1 - nid;
  const population = zonePopulation();
  const last = byNode.get(key);
  if (last !== undefined && last.population === population && last.order === order && last.confined === confined) return last.nodes;
  const nodes = inNodeOrder(
    order,
    host.nodeStates.filter((n) => n.hasMemory && (confined === null || confined.has(n.nid))),
  );
  byNode.set(key, { population, order, confined, nodes });
  return nodes;
}

/** The last {@link allowedNodes} answer per host, node and confinement. */
const lastAllowedNodes = new WeakMap<
  PageAllocHost,
  Map<number, { population: number; order: readonly number[]; confined: ReadonlySet<number> | null; nodes: NodeState[] }>
>();

/** Allocate one request; partial on failure, as the kernel is just before its OOM decision. */
export async function allocatePages(host: PageAllocHost, req: PageRequest, log: UndoLog): Promise<PageAllocResult> {
  const spec = kindSpec(req.kind);
  const highestZoneIdx = gfpZone(spec.gfp);
  const migratetype = host.groupingDisabled() ? Migratetype.UNMOVABLE : gfpMigratetype(spec.gfp);
  const preferred = host.node(req.nid);
  if (preferred === undefined) throw new Error(`internal: node ${req.nid} has no pgdat`);
  const zones = zonelist(allowedNodes(host, req.nid, spec.cls), highestZoneIdx);
  // A zone's slot is made when the walk first reaches it: a request its first
  // zones serve costs nothing for the rest of a 1024-node zonelist.
  const slots: ZoneSlot[] = [];
  const slotAt = (i: number): ZoneSlot => (slots[i] ??= { zone: zones[i], free: undefined, reserve: zones[i].lowmemReserve[highestZoneIdx] ?? 0 });
  const byZone: Record<string, number> = {};
  let need = req.nrPages;

  const freeOf = async (slot: ZoneSlot): Promise<number> =>
    (slot.free ??= await countIn(host.shards, slot.zone.memberRanges, classBit(PageClass.FREE)));

  const take = async (slot: ZoneSlot, level: WatermarkLevel, noFragment: boolean): Promise<void> => {
    const free = await freeOf(slot);
    const allowed = Math.min(need, pagesAllowed(slot.zone, level, highestZoneIdx, free));
    if (allowed === 0) return;
    const got = await placeInZone(log, slot.zone, {
      nrPages: allowed,
      cls: spec.cls,
      migratetype,
      placement: req.placement,
      seed: req.seed,
      noFragment,
      groupingDisabled: host.groupingDisabled(),
    });
    slot.free = free - got;
    need -= got;
    if (got > 0) byZone[zoneKey(slot.zone)] = (byZone[zoneKey(slot.zone)] ?? 0) + got;
  };

  // Fast path: the low mark, first without fragmenting the local node's zones.
  if (noFragmentApplies(zones[0], preferred)) {
    for (let i = 0; i < zones.length; i++) {
      if (need === 0 || zones[i].nid !== req.nid) break;
      await take(slotAt(i), 'low', true);
    }
  }
  for (let i = 0; i < zones.length && need > 0; i++) await take(slotAt(i), 'low', false);
  // Slow path: kswapd is woken and the walk retries at min.
  for (let i = 0; i < zones.length && need > 0; i++) await take(slotAt(i), 'min', false);

  // Direct reclaim in the zones the request may use, then min again.
  let reclaimedPages = 0;
  if (need > 0) {
    for (let i = 0; i < zones.length; i++) {
      if (need === 0) break;
      const slot = slotAt(i);
      const free = await freeOf(slot);
      // Enough for the zone to give what is missing while staying above min + reserve.
      const target = need + watermark(slot.zone, 'min') + slot.reserve - free;
      const freed = await reclaimInZone(host, log, slot.zone, target);
      slot.free = free + freed;
      reclaimedPages += freed;
      await take(slot, 'min', false);
    }
  }

  const result: PageAllocResult = { allocatedPages: req.nrPages - need, byZone, reclaimedPages };
  if (need > 0) {
    // A request that ran short visited every zone, so every slot holds its count.
    for (let i = 0; i < zones.length; i++) slotAt(i);
    const slotFree = await Promise.all(slots.map(freeOf));
    const movableFree = await Promise.all(
      host.nodeStates.map((node) => countIn(host.shards, node.zones[ZONE_MOVABLE].memberRanges, classBit(PageClass.FREE))),
    );
    result.failure = {
      outcome: failureOutcome(spec.gfp, 0),
      missingPages: need,
      zones: slots.map((slot, i) => ({
        nid: slot.zone.nid,
        zone: ZONE_NAMES[slot.zone.zoneIdx],
        freePages: slotFree[i],
        min: watermark(slot.zone, 'min'),
        low: watermark(slot.zone, 'low'),
        high: watermark(slot.zone, 'high'),
        reserve: slot.reserve,
      })),
      movableFreePages: movableFree.reduce((sum, n) => sum + n, 0),
    };
  }
  return result;
}

/**
 * Free up to `nrPages` reclaimable pages of one zone, in place: clean page
 * cache first, then reclaimable slab, then anonymous memory into swap.
 * Returns the pages freed.
 */
export async function reclaimInZone(host: PageAllocHost, log: UndoLog, zone: ZoneState, nrPages: number): Promise<number> {
  if (nrPages <= 0) return 0;
  const user = await countIn(host.shards, zone.memberRanges, classBit(PageClass.USER));
  const slabReclaimable = await countIn(host.shards, zone.memberRanges, classBit(PageClass.SLAB_RECLAIMABLE));
  const file = Math.min(zone.filePages, user);
  const anon = user - file;
  const available = reclaimablePages({ filePages: file, slabReclaimablePages: slabReclaimable, anonPages: anon }, host.swapFreePages());
  let left = Math.min(nrPages, available);
  const freed = left;
  const fromFile = Math.min(left, file);
  if (fromFile > 0) {
    await log.claim(zone.memberRanges, fromFile, PageClass.USER, PageClass.FREE);
    zone.filePages -= fromFile;
    log.record(() => {
      zone.filePages += fromFile;
    });
    left -= fromFile;
  }
  const fromSlab = Math.min(left, slabReclaimable);
  if (fromSlab > 0) {
    await log.claim(zone.memberRanges, fromSlab, PageClass.SLAB_RECLAIMABLE, PageClass.FREE);
    left -= fromSlab;
  }
  if (left > 0) {
    await log.claim(zone.memberRanges, left, PageClass.USER, PageClass.FREE);
    host.adjustSwapUsed(left);
    log.record(() => host.adjustSwapUsed(-left));
  }
  return freed;
}
