/**
 * The model's state, as plain records: pfn ranges, zones and nodes with the
 * kernel's counters, the memory block geometry, where a hot-added block's
 * memmap was charged, the /proc/iomem resources, the online types and the
 * memory_hotplug module parameters. Every subsystem reads and changes these;
 * the machine (machine.ts) owns the instances.
 *
 * Loops here run over zones and member ranges, never over pages.
 */
import { ONLINE_REQUEST_TYPES, type Errno, type NodeCounters, type NodeStats, type ZoneCounters, type ZoneReserves, type ZoneWatermarks } from './types.js';

/** A pfn range `[startPfn, endPfn)`. */
export interface PfnRange {
  startPfn: number;
  endPfn: number;
}

// ---------------------------------------------------------------------------
// Zones and nodes

/**
 * One zone of one node: the kernel's counters (see {@link ZoneCounters}), its
 * watermarks and lowmem reserves (see {@link ZoneReserves}; alloc/watermarks.ts
 * computes them and replaces the objects, never edits them in place) and the
 * pfns it holds.
 */
export interface ZoneState extends ZoneCounters, ZoneReserves {
  /** CMA pages: none are modelled, kept so the auto-movable budget reads like the kernel's. */
  cmaPages: number;
  /**
   * Page cache pages among the zone's USER pages (NR_FILE_PAGES): anonymous
   * memory and page cache share the engine's USER class, and reclaim treats
   * them differently. Offline migration moves them in proportion.
   */
  filePages: number;
  /** The pfns whose pages belong to this zone (page_zone), ascending and disjoint. */
  memberRanges: PfnRange[];
}

/** One possible node: the kernel's counters (see {@link NodeCounters}) and its zones. */
export interface NodeState extends NodeCounters {
  /** Every zone, DMA to DEVICE, in zone index order. */
  readonly zones: ZoneState[];
}

/** Marks of a zone no recompute has reached yet: the zeroed struct zone of a fresh pgdat. */
export function zeroWatermarks(): ZoneWatermarks {
  return { min: 0, low: 0, high: 0, promo: 0, boost: 0 };
}

/** populated_zone: the zone has present pages. */
export function isPopulated(zone: ZoneState): boolean {
  return zone.presentPages > 0;
}

/** The zone whose member ranges hold `pfn`, or undefined (a hole, or memory of another node). */
export function zoneHoldingPfn(node: NodeState, pfn: number): ZoneState | undefined {
  for (const zone of node.zones) {
    const ranges = zone.memberRanges;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (pfn < ranges[mid].startPfn) high = mid - 1;
      else if (pfn >= ranges[mid].endPfn) low = mid + 1;
      else return zone;
    }
  }
  return undefined;
}

/**
 * What a node reports (NodeStats): its counters and its zones' counters,
 * with each zone's free pages, which only the engines know. The one place
 * state becomes stats: the counters are copied as the state holds them, so
 * a counter added to {@link ZoneCounters} or {@link NodeCounters} reaches the
 * report without another list of fields.
 */
export function nodeStats(node: NodeState, zoneFreePages: readonly number[]): NodeStats {
  const { zones, ...counters } = node;
  return {
    ...counters,
    zones: zones.map(({ cmaPages: _cma, memberRanges: _members, ...zone }, i) => ({
      ...zone,
      watermarks: { ...zone.watermarks },
      lowmemReserve: [...zone.lowmemReserve],
      freePages: zoneFreePages[i],
    })),
  };
}

/**
 * Save a node's counters and its zones' counters and member ranges; the
 * returned function puts them back into the same objects (a failed call
 * takes its accounting back with it).
 */
export function saveNodeState(node: NodeState): () => void {
  const { zones, ...counters } = node;
  const savedZones = zones.map((zone) => ({ ...zone, memberRanges: zone.memberRanges.map((r) => ({ ...r })) }));
  return () => {
    Object.assign(node, counters);
    zones.forEach((zone, i) => Object.assign(zone, savedZones[i]));
    zonePopulationChanged();
  };
}

let zonePopulationCount = 0;

/**
 * To be called wherever a zone's present pages or a node's N_MEMORY change
 * (the online and offline accounting, a saved node state put back). Caches
 * built from which zones are populated and which nodes have memory (the
 * zonelists, asked at every allocation) are good while the count
 * {@link zonePopulation} returns stays the same. One count for every
 * machine: a change anywhere only costs the others a recheck.
 */
export function zonePopulationChanged(): void {
  zonePopulationCount++;
}

/** How often {@link zonePopulationChanged} has been called: equal counts, nothing changed in between. */
export function zonePopulation(): number {
  return zonePopulationCount;
}

// ---------------------------------------------------------------------------
// Memory blocks

/**
 * The memory block size in the three units it is used in, computed once at
 * boot (memory_block_size_bytes, sections_per_block).
 */
export interface BlockGeometry {
  readonly blockSizeBytes: number;
  readonly sectionsPerBlock: number;
  readonly pagesPerBlock: number;
}

/** Memmap pages of one block allocated in one kernel zone at hot-add. */
export interface MemmapCharge {
  nid: number;
  zoneIdx: number;
  nrPages: number;
}

/** The four online types in the kernel's table order (MMOP_OFFLINE .. MMOP_ONLINE_MOVABLE). */
export const ONLINE_TYPES = ['offline', ...ONLINE_REQUEST_TYPES] as const;
/** An online type, or 'offline' for none (MMOP_OFFLINE): what `state` and `auto_online_blocks` hold. */
export type OnlineType = (typeof ONLINE_TYPES)[number];

// ---------------------------------------------------------------------------
// The page allocator's tunables (mm/page_alloc.c, mm/huge_memory.c)

/** Transparent hugepage modes, in the order the `enabled` file lists them. */
export const THP_MODES = ['always', 'madvise', 'never'] as const;
export type ThpMode = (typeof THP_MODES)[number];
/**
 * The mode a kernel built with the upstream Kconfig default
 * (TRANSPARENT_HUGEPAGE_ALWAYS, mm/Kconfig) boots in. Many distributions
 * build with madvise instead; `transparent_hugepage=` on the command line
 * sets either.
 */
export const DEFAULT_THP_MODE: ThpMode = 'always';

/**
 * The machine-wide settings the watermarks are computed from, and the
 * khugepaged thread whose existence decides whether hotplug recomputes
 * raise min_free_kbytes (alloc/watermarks.ts owns and changes them).
 */
export interface VmSettings {
  /** min_free_kbytes: what the watermarks are computed from. */
  minFreeKbytes: number;
  /** user_min_free_kbytes: the last value written to the sysctl, -1 until one is. */
  userMinFreeKbytes: number;
  /** watermark_scale_factor, in units of 1/10000 of a zone's managed pages. */
  watermarkScaleFactor: number;
  /** sysctl_lowmem_reserve_ratio[], one entry per zone index; 0 means no protection. */
  lowmemReserveRatio: number[];
  /** The global transparent hugepage mode (/sys/kernel/mm/transparent_hugepage/enabled). */
  thp: ThpMode;
  /** khugepaged_thread is running (started by hugepage_init or a THP write). */
  khugepagedRunning: boolean;
}

/** What a store to a user-visible file answers: done, or the errno and why. */
export type StoreResult = { ok: true } | { ok: false; errno: Errno; message: string };

/**
 * A file outside the memory block tree whose text and writes a subsystem
 * owns (a /proc/sys/vm sysctl, a /sys/kernel/mm file): the views serve it at
 * `path` without knowing who answers.
 */
export interface TunableFile {
  /** Absolute path, e.g. /proc/sys/vm/min_free_kbytes. */
  readonly path: string;
  show(): string;
  store(written: string): StoreResult;
}

// ---------------------------------------------------------------------------
// memory_hotplug module parameters and the resource tree

/** online_policy values (memory_hotplug.online_policy). */
export const ONLINE_POLICIES = ['contig-zones', 'auto-movable'] as const;
export type OnlinePolicy = (typeof ONLINE_POLICIES)[number];

/** memory_hotplug module parameters that can change after boot (and memmap_on_memory, which cannot). */
export interface HotplugParams {
  memmapOnMemory: 'N' | 'Y' | 'force';
  onlinePolicy: OnlinePolicy;
  autoMovableRatio: number;
  autoMovableNumaAware: boolean;
}

/** The /proc/iomem name of RAM the kernel manages (boot RAM, and hot-added RAM that no driver manages). */
export const SYSTEM_RAM = 'System RAM';

/** A byte range `[base, base + size)` named in the /proc/iomem resource tree. */
export interface IomemResource {
  base: number;
  size: number;
  name: string;
}
