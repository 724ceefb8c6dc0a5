/**
 * A small machine for zone-policy tests: per-node zone spans and counters
 * built from a few numbers, a memory-group registry, and an `online` that
 * accounts a decided range the way online_pages does (grow the zone span,
 * add present pages, count them in the group, mark sections online).
 *
 * The accounting is written here from mm/memory_hotplug.c (`online_pages`, `offline_pages`), not
 * taken from the code under test, so a loop of decisions sees the counters
 * the kernel would show.
 */
import { PAGES_PER_SECTION } from '../../../src/contract/constants.js';
import { MemoryGroupRegistry, type MemoryGroup } from '../../../src/model/hotplug/memory-groups.js';
import { zoneForPfnRange, type ZonePolicyContext, type ZonePolicyParams, type ZoneView } from '../../../src/model/hotplug/zone-policy.js';
import { type OnlineRequestType as OnlineType } from '../../../src/model/core/types.js';

export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;

/** 1 GiB in 4 KiB pages. */
export const GIB_PAGES = 262_144;
/** 1 MiB in 4 KiB pages. */
export const MIB_PAGES = 256;
/** 128 MiB memory blocks, as a VM below 64 GiB has. */
export const BLOCK_128M_PAGES = 128 * MIB_PAGES;

/** A zone at boot: span, and optionally fewer present pages (holes), early pages and CMA. */
export interface ZoneSpec {
  startPfn: number;
  spannedPages: number;
  /** Default: spannedPages (no holes). */
  presentPages?: number;
  /** Default: presentPages (boot memory). */
  presentEarlyPages?: number;
  /** Default: 0. */
  cmaPages?: number;
}

export interface NodeSpec {
  dma?: ZoneSpec;
  dma32?: ZoneSpec;
  normal?: ZoneSpec;
  movable?: ZoneSpec;
}

export interface FakeMachineOptions {
  /** Nodes by nid; a node with no zones is a memoryless (but possible) node. */
  nodes: NodeSpec[];
  params?: Partial<ZonePolicyParams>;
  pagesPerBlock?: number;
}

export const DEFAULT_PARAMS: ZonePolicyParams = {
  onlinePolicy: 'contig-zones',
  autoMovableRatio: 301,
  autoMovableNumaAware: true,
  movableNode: false,
};

function emptyZone(nid: number, zoneIdx: number): ZoneView {
  return { nid, zoneIdx, zoneStartPfn: 0, spannedPages: 0, presentPages: 0, presentEarlyPages: 0, cmaPages: 0 };
}

function zoneFromSpec(nid: number, zoneIdx: number, spec: ZoneSpec | undefined): ZoneView {
  if (spec === undefined) return emptyZone(nid, zoneIdx);
  const presentPages = spec.presentPages ?? spec.spannedPages;
  return {
    nid,
    zoneIdx,
    zoneStartPfn: spec.startPfn,
    spannedPages: spec.spannedPages,
    presentPages,
    presentEarlyPages: spec.presentEarlyPages ?? presentPages,
    cmaPages: spec.cmaPages ?? 0,
  };
}

export class FakeMachine implements ZonePolicyContext {
  readonly params: ZonePolicyParams;
  readonly pagesPerBlock: number;
  readonly registry: MemoryGroupRegistry;
  private readonly zones: ZoneView[][];
  private readonly onlineSections = new Map<number, number>();

  constructor(options: FakeMachineOptions) {
    this.params = { ...DEFAULT_PARAMS, ...options.params };
    this.pagesPerBlock = options.pagesPerBlock ?? BLOCK_128M_PAGES;
    this.zones = options.nodes.map((node, nid) => [
      zoneFromSpec(nid, ZONE_DMA, node.dma),
      zoneFromSpec(nid, ZONE_DMA32, node.dma32),
      zoneFromSpec(nid, ZONE_NORMAL, node.normal),
      zoneFromSpec(nid, ZONE_MOVABLE, node.movable),
    ]);
    const nrNodes = options.nodes.length;
    this.registry = new MemoryGroupRegistry({ pagesPerBlock: this.pagesPerBlock, isNodePossible: (nid) => nid < nrNodes });
  }

  zone(nid: number, zoneIdx: number): ZoneView {
    const zone = this.zones[nid]?.[zoneIdx];
    if (zone === undefined) throw new Error(`fake machine has no zone ${zoneIdx} on node ${nid}`);
    return { ...zone };
  }

  populatedZones(nid: number | null): ZoneView[] {
    const nodes = nid === null ? this.zones : [this.zones[nid]];
    return nodes.flatMap((zones) => zones.filter((z) => z.presentPages > 0).map((z) => ({ ...z })));
  }

  groups(): readonly MemoryGroup[] {
    return this.registry.all();
  }

  onlineSectionZone(sectionNr: number): number | null {
    return this.onlineSections.get(sectionNr) ?? null;
  }

  /**
   * Online hot-added pages `[startPfn, startPfn + nrPages)` into a zone:
   * grow the span, add present pages (not early: the memory was hot-added),
   * count them in the group, mark the sections online.
   */
  online(nid: number, zoneIdx: number, group: MemoryGroup | null, startPfn: number, nrPages: number): void {
    const zone = this.zones[nid][zoneIdx];
    const endPfn = startPfn + nrPages;
    if (zone.spannedPages === 0) {
      zone.zoneStartPfn = startPfn;
      zone.spannedPages = nrPages;
    } else {
      const zoneEndPfn = zone.zoneStartPfn + zone.spannedPages;
      zone.zoneStartPfn = Math.min(zone.zoneStartPfn, startPfn);
      zone.spannedPages = Math.max(zoneEndPfn, endPfn) - zone.zoneStartPfn;
    }
    zone.presentPages += nrPages;
    if (group !== null) this.registry.adjustPresentPages(group.id, zoneIdx, nrPages);
    for (let pfn = startPfn; pfn < endPfn; pfn += PAGES_PER_SECTION) {
      this.onlineSections.set(pfn / PAGES_PER_SECTION, zoneIdx);
    }
  }

  /** Decide the zone for a plain online of one range, then online it there. */
  decideAndOnline(nid: number, group: MemoryGroup | null, startPfn: number, nrPages: number, onlineType: OnlineType = 'online'): number {
    const zoneIdx = zoneForPfnRange(this, onlineType, nid, group, startPfn, nrPages);
    this.online(nid, zoneIdx, group, startPfn, nrPages);
    return zoneIdx;
  }

  /** Sum of present pages of one zone kind over the given node (or all nodes). */
  presentPages(zoneIdx: number, nid: number | null = null): number {
    const nodes = nid === null ? this.zones : [this.zones[nid]];
    return nodes.reduce((sum, zones) => sum + zones[zoneIdx].presentPages, 0);
  }
}

/**
 * A boot node of `earlyGiB` GiB starting at pfn 0 without holes: DMA
 * [0, 16 MiB), DMA32 up to min(end, 4 GiB), Normal from 4 GiB to the end.
 * All of it is early kernel memory.
 */
export function bootNode(earlyGiB: number): NodeSpec {
  const endPfn = earlyGiB * GIB_PAGES;
  const dmaEndPfn = 16 * MIB_PAGES;
  const dma32EndPfn = Math.min(endPfn, 4 * GIB_PAGES);
  const node: NodeSpec = {
    dma: { startPfn: 0, spannedPages: dmaEndPfn },
    dma32: { startPfn: dmaEndPfn, spannedPages: dma32EndPfn - dmaEndPfn },
  };
  if (endPfn > 4 * GIB_PAGES) node.normal = { startPfn: 4 * GIB_PAGES, spannedPages: endPfn - 4 * GIB_PAGES };
  return node;
}
