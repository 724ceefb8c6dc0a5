/**
 * Headroom: how much more of each kind a node could allocate, from the
 * machine as it stands, before the first failure (`oom` or `ENOMEM`). It is
 * the allocator's own arithmetic (page-alloc.ts) run without allocating:
 * each zone of the kind's zonelist gives what lies above its min mark plus
 * lowmem reserve, after reclaim has freed what it can there (clean page
 * cache, reclaimable slab, anonymous memory into free swap). Nothing changes.
 *
 * A mapping of user memory needs page tables in kernel zones (pgtable.ts), so
 * anonymous memory's headroom is the largest amount whose data and page
 * tables both fit: with a large ZONE_MOVABLE it is often the page tables that
 * end it, with ZONE_MOVABLE still free (Mel Gorman's 2012 warning).
 */
import { classBit, PAGE_SIZE, PageClass } from '../../contract/constants.js';
import { countIn } from '../core/page-state.js';
import type { NodeState, ZoneState } from '../core/state.js';
import type { AllocKind, KindHeadroom } from '../core/types.js';
import { ZONE_MOVABLE, ZONE_NAMES } from '../core/mmzone.js';
import { gfpZone, kindSpec } from './gfp.js';
import { allowedNodes, watermark } from './page-alloc.js';
import { mappingTablePages } from './pgtable.js';
import { reclaimablePages } from './reclaim.js';
import { pagesAboveMark } from './watermark-check.js';
import type { AllocHost } from './workload.js';
import { zonelist } from './zonelist.js';

/** What a zone can give a request of highest zone `hz`, reclaim included. */
async function zoneAllowance(host: AllocHost, zone: ZoneState, hz: number): Promise<number> {
  const ranges = zone.memberRanges;
  const [free, user, slabReclaimable] = await Promise.all([
    countIn(host.shards, ranges, classBit(PageClass.FREE)),
    countIn(host.shards, ranges, classBit(PageClass.USER)),
    countIn(host.shards, ranges, classBit(PageClass.SLAB_RECLAIMABLE)),
  ]);
  const file = Math.min(zone.filePages, user);
  const reclaimable = reclaimablePages({ filePages: file, slabReclaimablePages: slabReclaimable, anonPages: user - file }, host.swapFreePages());
  return pagesAboveMark({ freePages: free + reclaimable, mark: watermark(zone, 'min'), reserve: zone.lowmemReserve[hz] ?? 0 }, 0);
}

function zonesFor(host: AllocHost, node: NodeState, hz: number, cls: PageClass): ZoneState[] {
  return zonelist(allowedNodes(host, node.nid, cls), hz);
}

/** Headroom of `kind` on `node` (see the file comment). */
export async function kindHeadroom(host: AllocHost, node: NodeState, kind: AllocKind): Promise<KindHeadroom> {
  const spec = kindSpec(kind);
  const hz = gfpZone(spec.gfp);
  const zones = zonesFor(host, node, hz, spec.cls);
  const allowances = await Promise.all(zones.map((zone) => zoneAllowance(host, zone, hz)));
  const sum = allowances.reduce((total, n) => total + n, 0);
  const movable = zones.reduce((total, zone, i) => total + (zone.zoneIdx === ZONE_MOVABLE ? allowances[i] : 0), 0);
  const marks = zones.length === 0 ? 'no zone it may use' : `min marks of ${zones.map((z) => `${z.nid}:${ZONE_NAMES[z.zoneIdx]}`).join(' ')}`;
  const name = kind === 'user' ? 'anon' : kind;
  if (name !== 'anon') return { kind: name, node: node.nid, pages: sum, movablePages: movable, limitedBy: marks };

  // Anonymous memory: its data in its zonelist, its page tables in the kernel zonelist.
  const kernelHz = gfpZone(kindSpec('pgtable').gfp);
  const kernelZones = zonesFor(host, node, kernelHz, PageClass.PGTABLE);
  const kernelAllowances = await Promise.all(kernelZones.map((zone) => zoneAllowance(host, zone, kernelHz)));
  const fits = (pages: number): { ok: boolean; movable: number } => {
    // The data first, zone by zone in its zonelist; what it took from a
    // kernel zone is gone for the page tables too.
    const taken = new Map<ZoneState, number>();
    let data = pages;
    let inMovable = 0;
    zones.forEach((zone, i) => {
      const take = Math.min(data, allowances[i]);
      taken.set(zone, take);
      if (zone.zoneIdx === ZONE_MOVABLE) inMovable += take;
      data -= take;
    });
    if (data > 0) return { ok: false, movable: inMovable };
    let tables = mappingTablePages({ bytes: pages * PAGE_SIZE, backing: 'anon', hugeShare: 0, processes: 1, levels: host.pagingLevels }).total;
    kernelZones.forEach((zone, i) => {
      tables -= Math.min(tables, Math.max(0, kernelAllowances[i] - (taken.get(zone) ?? 0)));
    });
    return { ok: tables === 0, movable: inMovable };
  };
  let low = 0;
  let high = sum;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid).ok) low = mid;
    else high = mid - 1;
  }
  const dataLimited = low === sum;
  return {
    kind: 'anon',
    node: node.nid,
    pages: low,
    movablePages: fits(low).movable,
    limitedBy: dataLimited ? marks : 'its page tables, in kernel zones',
  };
}
