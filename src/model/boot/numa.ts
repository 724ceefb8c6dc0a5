/**
 * NUMA initialisation from the ACPI SRAT (mm/numa_memblks.c numa_memblks_init,
 * drivers/acpi/numa/srat.c acpi_parse_memory_affinity, arch/x86/mm/numa.c).
 *
 * In order:
 * 1. every memblock region loses its node, and MEMBLOCK_HOTPLUG is cleared
 *    everywhere (in case SRAT parsing fails half way);
 * 2. each enabled Memory Affinity entry adds a numa_meminfo range and makes its
 *    node "parsed"; a hotpluggable one marks HOTPLUG on the RAM memblock knows
 *    inside it (an empty DIMM slot marks nothing). Disabled entries are
 *    ignored; the non-volatile bit only changes the log line;
 * 3. memblock returns to top-down (movable_node had made it bottom-up);
 * 4. numa_cleanup_meminfo: ranges without RAM move to the reserved meminfo
 *    (kept for hot-add node lookup), the rest are clipped to DRAM, ranges of
 *    different nodes must not overlap, ranges of one node merge when no other
 *    node's range lies between them;
 * 5. possible nodes = parsed nodes plus nodes with meminfo; memblock.memory
 *    gets the nids;
 * 6. numa_clear_kernel_node_hotplug: memblock.reserved gets nids along the
 *    meminfo ranges, and every node holding a reservation loses HOTPLUG on
 *    all its ranges: a node is hot-removable as a whole or not at all, and
 *    the kernel's node never is;
 * 7. at least all but 1 MiB of RAM must belong to a node, else NUMA is given
 *    up for one dummy node 0 covering everything (as with no SRAT at all).
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { hex } from '../../util/format.js';
import { BootError } from '../core/errors.js';
import { MAX_NODE_ID, MAX_NUMNODES, NR_NODE_MEMBLKS, NUMA_NO_NODE, tooManySratEntriesMessage } from '../core/kernel.js';
import type { SratMemoryAffinity } from '../core/types.js';
import { type Memblock, PHYS_ADDR_MAX } from './memblock.js';

/** One numa_meminfo block: `[start, end)` in bytes on node `nid`. */
export interface NumaMemblk {
  nid: number;
  start: number;
  end: number;
}

export interface SratRange {
  nid: number;
  base: number;
  size: number;
  populated: boolean;
  hotpluggable: boolean;
}

export interface NumaInitResult {
  /** numa_meminfo after cleanup: the node ranges that hold RAM. */
  meminfo: NumaMemblk[];
  /** numa_reserved_meminfo: SRAT ranges (or parts) without boot RAM. */
  reservedMeminfo: NumaMemblk[];
  /** node_possible_map, ascending. */
  possibleNodes: number[];
  /** Nodes holding a boot reservation: never hotpluggable. */
  kernelNodes: number[];
  /** Enabled SRAT entries as given. Empty when NUMA fell back to one dummy node. */
  sratRanges: SratRange[];
  /** True when no usable SRAT was found (or it was rejected) and node 0 covers all RAM. */
  dummy: boolean;
  warnings: string[];
  log: string[];
}

/** memblock_validate_numa_coverage(SZ_1M): RAM left without a node must stay below this. */
export const NUMA_COVERAGE_SLACK_BYTES = 2 ** 20;

/** `[mem 0x%08llx-0x%08llx]`, inclusive end, as the NUMA code logs ranges. */
function memRange(start: number, end: number): string {
  return `[mem ${hex(start, 8)}-${hex(end - 1, 8)}]`;
}

function checkSratEntry(e: SratMemoryAffinity, i: number): void {
  const field = (name: string): string => `srat[${i}].${name}`;
  if (!Number.isInteger(e.node) || e.node < 0 || e.node > MAX_NODE_ID) {
    throw new BootError(field('node'), `${e.node} is not a node id (integer 0..${MAX_NODE_ID})`);
  }
  if (!Number.isSafeInteger(e.base) || e.base < 0) throw new BootError(field('base'), `${e.base} is not a byte address`);
  if (!Number.isSafeInteger(e.size) || e.size < 0) throw new BootError(field('size'), `${e.size} is not a byte size`);
  if (!Number.isSafeInteger(e.base + e.size)) throw new BootError(field('size'), 'range ends above 2^53 bytes');
}

/** Does any memory region overlap `[start, end)`? (memblock_overlaps_region) */
function overlapsMemory(memblock: Memblock, start: number, end: number): boolean {
  return memblock.memory.regions.some((r) => r.base < end && r.base + r.size > start);
}

/** numa_cleanup_meminfo. Throws BootError when ranges of two nodes overlap. */
function cleanupMeminfo(
  memblock: Memblock,
  blocks: (NumaMemblk & { entry: number })[],
  reserved: NumaMemblk[],
  warnings: string[],
  log: string[],
): NumaMemblk[] {
  const low = memblock.startOfDram();
  const high = memblock.endOfDram();
  const kept: (NumaMemblk & { entry: number })[] = [];
  for (const b of blocks) {
    if (!overlapsMemory(memblock, b.start, b.end)) {
      reserved.push({ nid: b.nid, start: b.start, end: b.end });
      continue;
    }
    const start = Math.max(b.start, low);
    let end = b.end;
    if (end > high) {
      // The part above the end of DRAM is kept for later hot-add lookups.
      reserved.push({ nid: b.nid, start: high, end });
      end = high;
    }
    if (start < end) kept.push({ ...b, start, end });
  }

  for (let i = 0; i < kept.length; i++) {
    const bi = kept[i];
    for (let j = i + 1; j < kept.length; j++) {
      const bj = kept[j];
      if (bi.end > bj.start && bi.start < bj.end) {
        if (bi.nid !== bj.nid) {
          throw new BootError(
            'srat',
            `node ${bi.nid} ${memRange(bi.start, bi.end)} (srat[${bi.entry}]) overlaps with node ${bj.nid} ${memRange(bj.start, bj.end)} (srat[${bj.entry}])`,
          );
        }
        warnings.push(`NUMA: Warning: node ${bi.nid} ${memRange(bi.start, bi.end)} overlaps with itself ${memRange(bj.start, bj.end)}`);
      }
      if (bi.nid !== bj.nid) continue;
      const start = Math.min(bi.start, bj.start);
      const end = Math.max(bi.end, bj.end);
      // Merge only when the joined range (holes included) touches no other node's range.
      if (kept.some((bk) => bk.nid !== bi.nid && start < bk.end && end > bk.start)) continue;
      log.push(`NUMA: Node ${bi.nid} ${memRange(bi.start, bi.end)} + ${memRange(bj.start, bj.end)} -> ${memRange(start, end)}`);
      bi.start = start;
      bi.end = end;
      kept.splice(j, 1);
      j--;
    }
  }
  return kept.map(({ nid, start, end }) => ({ nid, start, end }));
}

/** Forget every node id and HOTPLUG flag (the start of numa_memblks_init). */
function resetNodes(memblock: Memblock): void {
  memblock.setNode(0, PHYS_ADDR_MAX, 'memory', NUMA_NO_NODE);
  memblock.setNode(0, PHYS_ADDR_MAX, 'reserved', NUMA_NO_NODE);
  memblock.clearHotplug(0, PHYS_ADDR_MAX);
}

/** Bytes of memblock.memory (whole pages) that no node claimed. */
function uncoveredBytes(memblock: Memblock): number {
  let pages = 0;
  for (const r of memblock.memPfnRanges(NUMA_NO_NODE)) if (r.nid === NUMA_NO_NODE) pages += r.endPfn - r.startPfn;
  return pages * PAGE_SIZE;
}

/** Steps 5-6: register the meminfo and clear HOTPLUG on kernel nodes. */
function registerMeminfo(memblock: Memblock, meminfo: NumaMemblk[], parsedNodes: Set<number>): { possible: number[]; kernelNodes: number[] } {
  const possible = new Set(parsedNodes);
  for (const b of meminfo) possible.add(b.nid);
  for (const b of meminfo) memblock.setNode(b.start, b.end - b.start, 'memory', b.nid);

  for (const b of meminfo) memblock.setNode(b.start, b.end - b.start, 'reserved', b.nid);
  const kernelNodes = new Set<number>();
  for (const r of memblock.reserved.regions) if (r.nid >= 0 && r.nid < MAX_NUMNODES) kernelNodes.add(r.nid);
  for (const b of meminfo) if (kernelNodes.has(b.nid)) memblock.clearHotplug(b.start, b.end - b.start);

  return { possible: [...possible].sort((a, b) => a - b), kernelNodes: [...kernelNodes].sort((a, b) => a - b) };
}

/** dummy_numa_init: node 0 spans [0, max_pfn). */
function dummyInit(memblock: Memblock, maxPfn: number, warnings: string[], log: string[], why: string | null): NumaInitResult {
  resetNodes(memblock);
  memblock.bottomUp = false;
  if (why) warnings.push(why);
  log.push(`No NUMA configuration found; faking a node at ${memRange(0, maxPfn * PAGE_SIZE)}`);
  const meminfo = maxPfn > 0 ? [{ nid: 0, start: 0, end: maxPfn * PAGE_SIZE }] : [];
  const { possible, kernelNodes } = registerMeminfo(memblock, meminfo, new Set([0]));
  return { meminfo, reservedMeminfo: [], possibleNodes: possible, kernelNodes, sratRanges: [], dummy: true, warnings, log };
}

/**
 * Run NUMA init on `memblock` (memory and boot reservations already in it).
 *
 * @param srat the SRAT Memory Affinity entries, or null when there is no SRAT
 * @param maxPfn end of boot RAM (for the dummy node)
 */
export function numaInit(memblock: Memblock, srat: readonly SratMemoryAffinity[] | null, maxPfn: number): NumaInitResult {
  const warnings: string[] = [];
  const log: string[] = [];
  if (srat === null) return dummyInit(memblock, maxPfn, warnings, log, null);
  srat.forEach(checkSratEntry);
  const enabled = srat.filter((e) => e.enabled && e.size > 0).length;
  if (enabled > NR_NODE_MEMBLKS) throw new BootError('srat', tooManySratEntriesMessage(enabled));

  resetNodes(memblock);
  const parsedNodes = new Set<number>();
  const blocks: (NumaMemblk & { entry: number })[] = [];
  const sratRanges: SratRange[] = [];
  srat.forEach((e, i) => {
    if (!e.enabled) return;
    const end = e.base + e.size;
    log.push(
      `SRAT: Node ${e.node} PXM ${e.node} ${memRange(e.base, Math.max(end, e.base + 1))}${e.hotpluggable ? ' hotplug' : ''}${e.nonVolatile ? ' non-volatile' : ''}`,
    );
    if (e.size > 0) blocks.push({ nid: e.node, start: e.base, end, entry: i });
    parsedNodes.add(e.node);
    if (e.hotpluggable) memblock.markHotplug(e.base, e.size);
    sratRanges.push({ nid: e.node, base: e.base, size: e.size, populated: e.populated, hotpluggable: e.hotpluggable });
  });
  if (blocks.length === 0) {
    return dummyInit(memblock, maxPfn, warnings, log, 'SRAT has no enabled memory affinity entries; NUMA falls back to a single node 0');
  }
  memblock.bottomUp = false;

  const reservedMeminfo: NumaMemblk[] = [];
  const meminfo = cleanupMeminfo(memblock, blocks, reservedMeminfo, warnings, log);
  const { possible, kernelNodes } = registerMeminfo(memblock, meminfo, parsedNodes);

  const missing = uncoveredBytes(memblock);
  if (missing >= NUMA_COVERAGE_SLACK_BYTES) {
    const totalMiB = Math.floor(memblock.physMemSize() / 2 ** 20);
    return dummyInit(
      memblock,
      maxPfn,
      warnings,
      log,
      `NUMA: no nodes coverage for ${Math.floor(missing / 2 ** 20)}MB of ${totalMiB}MB RAM; SRAT ignored, single node 0`,
    );
  }
  return { meminfo, reservedMeminfo, possibleNodes: possible, kernelNodes, sratRanges, dummy: false, warnings, log };
}
