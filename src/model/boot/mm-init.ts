/**
 * Zone layout at boot (mm/mm_init.c, x86_64): the arch zone limits of
 * free_area_init, where ZONE_MOVABLE starts on each node
 * (find_zone_movable_pfns_for_nodes), each node's zone spans and present
 * pages (calculate_node_totalpages), and the managed pages memblock_free_all
 * hands to the buddy allocator.
 *
 * Everything here works on pfn ranges (one entry per memblock region), never
 * on pages, so a 64 TiB machine costs as much as a 64 GiB one.
 */
import { MAX_ORDER_NR_PAGES, PAGE_SIZE } from '../../contract/constants.js';
import { MAX_DMA32_PFN, MAX_DMA_PFN, NUMA_NO_NODE } from '../core/kernel.js';
import { MAX_NR_ZONES, NR_BOOT_ZONES, ZONE_MOVABLE, ZONE_NORMAL } from '../core/mmzone.js';
import { alignUp } from '../core/pfn-ranges.js';
import type { BootZone, Kernelcore } from './layout.js';
import { MemblockFlag, type MemblockRegion } from './memblock.js';

const FLAG_HOTPLUG = MemblockFlag.HOTPLUG;
const FLAG_MIRROR = MemblockFlag.MIRROR;
/** A region no SRAT range claimed. */
const NO_NODE = NUMA_NO_NODE;

/** A memblock.memory region as whole pages: `[startPfn, endPfn)`. */
export interface MemPfnRange {
  startPfn: number;
  endPfn: number;
  nid: number;
  hotplug: boolean;
  mirror: boolean;
}

/** PFN_UP of a byte address. */
export function pfnUp(addr: number): number {
  return Math.ceil(addr / PAGE_SIZE);
}

/** PFN_DOWN of a byte address. */
export function pfnDown(addr: number): number {
  return Math.floor(addr / PAGE_SIZE);
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), hi);
}

/**
 * memblock.memory as whole-page ranges, the way for_each_mem_pfn_range sees
 * it: the base rounded up, the end rounded down, sub-page regions dropped.
 * Pass `nid` to keep one node's ranges only.
 */
export function memPfnRanges(regions: readonly MemblockRegion[], nid?: number): MemPfnRange[] {
  const out: MemPfnRange[] = [];
  for (const r of regions) {
    if (nid !== undefined && r.nid !== nid) continue;
    const startPfn = pfnUp(r.base);
    const endPfn = pfnDown(r.base + r.size);
    if (startPfn >= endPfn) continue;
    out.push({
      startPfn,
      endPfn,
      nid: r.nid,
      hotplug: (r.flags & FLAG_HOTPLUG) !== 0,
      mirror: (r.flags & FLAG_MIRROR) !== 0,
    });
  }
  return out;
}

/** Arch zone limits, indexed by zone: `[lowestPfn[z], highestPfn[z])`; ZONE_MOVABLE has none (0, 0). */
export interface ArchZoneLimits {
  lowestPfn: number[];
  highestPfn: number[];
}

/**
 * free_area_init's zone boundaries for x86_64: DMA up to 16 MiB, DMA32 up to
 * 4 GiB, NORMAL up to max_pfn (64-bit raises max_low_pfn to max_pfn), DEVICE
 * empty. Each zone starts where the previous one ended, the first at the
 * start of DRAM; a zone whose limit lies below its start is empty.
 */
export function archZoneLimits(dramStartPfn: number, maxPfn: number): ArchZoneLimits {
  const maxZonePfn = [Math.min(MAX_DMA_PFN, maxPfn), Math.min(MAX_DMA32_PFN, maxPfn), maxPfn, 0, 0];
  const lowestPfn = new Array<number>(MAX_NR_ZONES).fill(0);
  const highestPfn = new Array<number>(MAX_NR_ZONES).fill(0);
  let startPfn = dramStartPfn;
  for (let zone = 0; zone < MAX_NR_ZONES; zone++) {
    if (zone === ZONE_MOVABLE) continue;
    const endPfn = Math.max(maxZonePfn[zone], startPfn);
    lowestPfn[zone] = startPfn;
    highestPfn[zone] = endPfn;
    startPfn = endPfn;
  }
  return { lowestPfn, highestPfn };
}

/** The highest non-movable zone with a non-empty arch range: where ZONE_MOVABLE takes its pages from. */
export function findUsableZoneForMovable(limits: ArchZoneLimits): number {
  for (let zone = MAX_NR_ZONES - 1; zone >= 0; zone--) {
    if (zone === ZONE_MOVABLE) continue;
    if (limits.highestPfn[zone] > limits.lowestPfn[zone]) return zone;
  }
  throw new Error('no zone has a non-empty arch range (is there any RAM?)');
}

/** Input of {@link findZoneMovablePfnsForNodes}. */
export interface ZoneMovableInput {
  /** All of memblock.memory as pfn ranges, ascending, with nids and flags. */
  ranges: readonly MemPfnRange[];
  limits: ArchZoneLimits;
  movableNode: boolean;
  kernelcore: Kernelcore;
  movablecore: Kernelcore;
  /** A kdump kernel ignores kernelcore=mirror. Default false. */
  kdump?: boolean;
}

export interface ZoneMovableResult {
  /** zone_movable_pfn per nid (sparse array semantics: missing or 0 = no ZONE_MOVABLE). */
  zoneMovablePfn: Map<number, number>;
  movableZone: number;
  /** kernelcore=mirror was given (zones may then overlap; see {@link computeNodeZones}). */
  mirroredKernelcore: boolean;
  warnings: string[];
}

function nodeEndPfn(ranges: readonly MemPfnRange[], nid: number): number {
  let endPfn = 0;
  for (const r of ranges) if (r.nid === nid) endPfn = Math.max(endPfn, r.endPfn);
  return endPfn;
}

/** `totalPages * percent / 100` the kernel's way (integer, no overflow for any percent). */
function percentOfPages(totalPages: number, percent: number): number {
  return Number((BigInt(totalPages) * 100n * BigInt(percent)) / 10000n);
}

/**
 * Where ZONE_MOVABLE begins on each node.
 *
 * Three ways to get a ZONE_MOVABLE, tried in this order:
 * - `movable_node`: every node's movable zone starts at its lowest HOTPLUG
 *   region (kernelcore= and movablecore= are ignored);
 * - `kernelcore=mirror`: it starts at the lowest non-mirrored region above
 *   4 GiB (movablecore= is ignored);
 * - `kernelcore=` / `movablecore=` as sizes or percents: the kernel share is
 *   spread evenly over the nodes with memory, re-spreading what small nodes
 *   could not absorb over the remaining node count.
 * Every start is then rounded up to MAX_ORDER_NR_PAGES (4 MiB, not to a memory
 * block), and a start at or past the node's end means no movable zone there.
 */
export function findZoneMovablePfnsForNodes(input: ZoneMovableInput): ZoneMovableResult {
  const { ranges, limits } = input;
  const warnings: string[] = [];
  const zmp = new Map<number, number>();
  const get = (nid: number): number => zmp.get(nid) ?? 0;

  // early_calculate_totalpages: every range counts, HOTPLUG ones included.
  let totalPages = 0;
  const memoryNodes = new Set<number>();
  for (const r of ranges) {
    totalPages += r.endPfn - r.startPfn;
    if (r.nid !== NO_NODE) memoryNodes.add(r.nid);
  }
  const nodesWithMemory = [...memoryNodes].sort((a, b) => a - b);
  let usableNodes = nodesWithMemory.length;
  const movableZone = findUsableZoneForMovable(limits);
  const mirroredKernelcore = input.kernelcore.kind === 'mirror';
  const result = (): ZoneMovableResult => ({ zoneMovablePfn: zmp, movableZone, mirroredKernelcore, warnings });

  const alignAndClip = (): ZoneMovableResult => {
    for (const nid of nodesWithMemory) {
      const aligned = alignUp(get(nid), MAX_ORDER_NR_PAGES);
      zmp.set(nid, aligned >= nodeEndPfn(ranges, nid) ? 0 : aligned);
    }
    return result();
  };

  if (input.movableNode) {
    for (const r of ranges) {
      if (!r.hotplug || r.nid === NO_NODE) continue;
      const cur = get(r.nid);
      zmp.set(r.nid, cur ? Math.min(cur, r.startPfn) : r.startPfn);
    }
    return alignAndClip();
  }

  if (mirroredKernelcore) {
    if (!ranges.some((r) => r.mirror)) {
      warnings.push('The system has no mirror memory, ignore kernelcore=mirror.');
      return result();
    }
    if (input.kdump) {
      warnings.push('The system is under kdump, ignore kernelcore=mirror.');
      return result();
    }
    let below4gNotMirrored = false;
    for (const r of ranges) {
      if (r.mirror || r.nid === NO_NODE) continue;
      if (r.startPfn < MAX_DMA32_PFN) {
        below4gNotMirrored = true;
        continue;
      }
      const cur = get(r.nid);
      zmp.set(r.nid, cur ? Math.min(cur, r.startPfn) : r.startPfn);
    }
    if (below4gNotMirrored) warnings.push('This configuration results in unmirrored kernel memory.');
    return alignAndClip();
  }

  let requiredKernelcore = 0;
  let requiredMovablecore = 0;
  if (input.kernelcore.kind === 'pages') requiredKernelcore = input.kernelcore.pages;
  if (input.kernelcore.kind === 'percent' && input.kernelcore.percent > 0) {
    requiredKernelcore = percentOfPages(totalPages, input.kernelcore.percent);
  }
  if (input.movablecore.kind === 'pages') requiredMovablecore = input.movablecore.pages;
  if (input.movablecore.kind === 'percent' && input.movablecore.percent > 0) {
    requiredMovablecore = percentOfPages(totalPages, input.movablecore.percent);
  }
  if (requiredMovablecore) {
    // Rounded up so ZONE_MOVABLE is at least what was asked for.
    requiredMovablecore = Math.min(totalPages, alignUp(requiredMovablecore, MAX_ORDER_NR_PAGES));
    requiredKernelcore = Math.max(requiredKernelcore, totalPages - requiredMovablecore);
  }
  if (!requiredKernelcore || requiredKernelcore >= totalPages) return result();

  // Memory below the movable-capable zone can only ever be kernel memory.
  const usableStartPfn = limits.lowestPfn[movableZone];
  for (;;) {
    let kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
    for (const nid of nodesWithMemory) {
      if (requiredKernelcore < kernelcoreNode) kernelcoreNode = Math.floor(requiredKernelcore / usableNodes);
      let remaining = kernelcoreNode;
      for (const r of ranges) {
        if (r.nid !== nid) continue;
        let startPfn = Math.max(r.startPfn, get(nid));
        const endPfn = r.endPfn;
        if (startPfn >= endPfn) continue;
        if (startPfn < usableStartPfn) {
          const kernelPages = Math.min(endPfn, usableStartPfn) - startPfn;
          remaining -= Math.min(kernelPages, remaining);
          requiredKernelcore -= Math.min(kernelPages, requiredKernelcore);
          if (endPfn <= usableStartPfn) {
            // Pushed to the range end so a later pass does not count it again.
            zmp.set(nid, endPfn);
            continue;
          }
          startPfn = usableStartPfn;
        }
        const sizePages = Math.min(endPfn - startPfn, remaining);
        zmp.set(nid, startPfn + sizePages);
        requiredKernelcore -= Math.min(requiredKernelcore, sizePages);
        remaining -= sizePages;
        if (!remaining) break;
      }
    }
    usableNodes--;
    if (!(usableNodes && requiredKernelcore > usableNodes)) break;
  }
  return alignAndClip();
}

/** One zone of one node before managed pages are known. */
export interface NodeZoneSpan {
  zoneIdx: number;
  /** `[startPfn, endPfn)`; both 0 when the zone is empty. */
  startPfn: number;
  endPfn: number;
  spannedPages: number;
  presentPages: number;
}

export interface NodeZoneLayout {
  nodeStartPfn: number;
  nodeEndPfn: number;
  zones: NodeZoneSpan[];
}

/** Pages of `[startPfn, endPfn)` covered by `ranges`. */
function coveredPages(ranges: readonly MemPfnRange[], startPfn: number, endPfn: number): number {
  let pages = 0;
  for (const r of ranges) pages += clamp(r.endPfn, startPfn, endPfn) - clamp(r.startPfn, startPfn, endPfn);
  return pages;
}

/**
 * calculate_node_totalpages for one node: each zone's span is the node's
 * extent clamped to the arch zone, cut at zone_movable_pfn; absent pages are
 * the holes of the node's own memory inside that span. With kernelcore=mirror
 * NORMAL and MOVABLE overlap, and each counts the other's memory as absent.
 *
 * @param nodeRanges this node's memory pfn ranges
 * @param allRanges every memory pfn range (the mirror correction looks at all of them, as the kernel does)
 */
export function computeNodeZones(
  nodeRanges: readonly MemPfnRange[],
  allRanges: readonly MemPfnRange[],
  zoneMovablePfn: number,
  limits: ArchZoneLimits,
  movableZone: number,
  mirroredKernelcore: boolean,
): NodeZoneLayout {
  let nodeStartPfn = Infinity;
  let nodeEndPfn = 0;
  for (const r of nodeRanges) {
    nodeStartPfn = Math.min(nodeStartPfn, r.startPfn);
    nodeEndPfn = Math.max(nodeEndPfn, r.endPfn);
  }
  if (nodeStartPfn === Infinity) nodeStartPfn = 0;
  const zones: NodeZoneSpan[] = [];
  for (let zoneIdx = 0; zoneIdx < NR_BOOT_ZONES; zoneIdx++) {
    const empty: NodeZoneSpan = { zoneIdx, startPfn: 0, endPfn: 0, spannedPages: 0, presentPages: 0 };
    if (nodeStartPfn === nodeEndPfn) {
      zones.push(empty);
      continue;
    }
    let startPfn = clamp(nodeStartPfn, limits.lowestPfn[zoneIdx], limits.highestPfn[zoneIdx]);
    let endPfn = clamp(nodeEndPfn, limits.lowestPfn[zoneIdx], limits.highestPfn[zoneIdx]);
    if (zoneMovablePfn) {
      if (zoneIdx === ZONE_MOVABLE) {
        startPfn = zoneMovablePfn;
        endPfn = Math.min(nodeEndPfn, limits.highestPfn[movableZone]);
      } else if (!mirroredKernelcore && startPfn < zoneMovablePfn && endPfn > zoneMovablePfn) {
        endPfn = zoneMovablePfn;
      } else if (startPfn >= zoneMovablePfn) {
        startPfn = endPfn;
      }
    }
    if (endPfn < nodeStartPfn || startPfn > nodeEndPfn) {
      zones.push(empty);
      continue;
    }
    endPfn = Math.min(endPfn, nodeEndPfn);
    startPfn = Math.max(startPfn, nodeStartPfn);
    const spannedPages = endPfn - startPfn;
    if (spannedPages <= 0) {
      zones.push(empty);
      continue;
    }
    let absentPages = spannedPages - coveredPages(nodeRanges, startPfn, endPfn);
    if (mirroredKernelcore && zoneMovablePfn) {
      for (const r of allRanges) {
        const inZone = clamp(r.endPfn, startPfn, endPfn) - clamp(r.startPfn, startPfn, endPfn);
        if (zoneIdx === ZONE_MOVABLE && r.mirror) absentPages += inZone;
        if (zoneIdx === ZONE_NORMAL && !r.mirror) absentPages += inZone;
      }
    }
    zones.push({ zoneIdx, startPfn, endPfn, spannedPages, presentPages: spannedPages - absentPages });
  }
  return { nodeStartPfn, nodeEndPfn, zones };
}

/** A free (memory minus reserved) pfn range, as memblock_free_all releases it. */
export interface FreePfnRange {
  startPfn: number;
  endPfn: number;
  nid: number;
  mirror: boolean;
}

/**
 * memblock.memory minus memblock.reserved, as whole pages below max_pfn: what
 * memblock_free_all hands to the buddy allocator. A page partly covered by a
 * reservation is not free (the free range is trimmed PFN_UP..PFN_DOWN), which
 * is the same as charging each reservation PFN_DOWN(base)..PFN_UP(end).
 * Both region lists must be sorted and non-overlapping (memblock keeps them so).
 */
export function freePfnRanges(
  memory: readonly MemblockRegion[],
  reserved: readonly MemblockRegion[],
  maxPfn: number,
): FreePfnRange[] {
  const out: FreePfnRange[] = [];
  const push = (start: number, end: number, r: MemblockRegion): void => {
    const startPfn = pfnUp(start);
    const endPfn = Math.min(pfnDown(end), maxPfn);
    if (startPfn < endPfn) out.push({ startPfn, endPfn, nid: r.nid, mirror: (r.flags & FLAG_MIRROR) !== 0 });
  };
  let j = 0;
  for (const m of memory) {
    const mEnd = m.base + m.size;
    let cursor = m.base;
    while (j < reserved.length && reserved[j].base + reserved[j].size <= cursor) j++;
    let k = j;
    while (k < reserved.length && reserved[k].base < mEnd) {
      const rBase = reserved[k].base;
      const rEnd = rBase + reserved[k].size;
      if (rBase > cursor) push(cursor, rBase, m);
      cursor = Math.max(cursor, rEnd);
      if (cursor >= mEnd) break;
      k++;
    }
    if (cursor < mEnd) push(cursor, mEnd, m);
  }
  return out;
}

/**
 * Managed pages per zone of one node: its free pages, attributed to the zone
 * whose span holds them. In mirror mode MOVABLE takes only non-mirrored pages
 * and the lower zones keep the mirrored ones (memmap_init skips mirrored
 * memory when initialising ZONE_MOVABLE).
 */
export function managedPagesPerZone(
  free: readonly FreePfnRange[],
  nid: number,
  zones: readonly NodeZoneSpan[],
  mirroredKernelcore: boolean,
): number[] {
  const managed = new Array<number>(NR_BOOT_ZONES).fill(0);
  const movable = zones[ZONE_MOVABLE];
  for (const f of free) {
    if (f.nid !== nid) continue;
    for (const z of zones) {
      if (z.spannedPages === 0) continue;
      let pages = clamp(f.endPfn, z.startPfn, z.endPfn) - clamp(f.startPfn, z.startPfn, z.endPfn);
      if (pages === 0) continue;
      if (mirroredKernelcore && movable.spannedPages > 0) {
        if (z.zoneIdx === ZONE_MOVABLE && f.mirror) pages = 0;
        else if (z.zoneIdx !== ZONE_MOVABLE && !f.mirror) {
          const lo = Math.max(f.startPfn, z.startPfn);
          const hi = Math.min(f.endPfn, z.endPfn);
          pages -= clamp(hi, movable.startPfn, movable.endPfn) - clamp(lo, movable.startPfn, movable.endPfn);
        }
      }
      managed[z.zoneIdx] += pages;
    }
  }
  return managed;
}

/** The BootZone records of one node, managed pages included. */
export function toBootZones(zones: readonly NodeZoneSpan[], managed: readonly number[]): BootZone[] {
  return zones.map((z) => ({
    zoneIdx: z.zoneIdx,
    zoneStartPfn: z.spannedPages ? z.startPfn : 0,
    spannedPages: z.spannedPages,
    presentPages: z.presentPages,
    managedPages: managed[z.zoneIdx],
  }));
}
