/**
 * Boot, from the machine description to the zone layout, as x86_64 Linux
 * does it (arch/x86/kernel/setup.c setup_arch → initmem_init →
 * paging_init/sparse_init → free_area_init → memblock_free_all):
 *
 *   kernel command line         cmdline.ts
 *   e820 → memblock.memory      e820.ts (sanitised, page-trimmed)
 *   boot reservations           here (kernel image and the spec's list)
 *   SRAT → nodes, HOTPLUG       numa.ts
 *   present sections, memmap    sparse.ts (2 MiB per present section, per node)
 *   zones                       mm-init.ts (ZONE_MOVABLE placement, spans,
 *                                present, managed)
 *   memory block size           block-size.ts
 *
 * Deterministic and cheap: every loop runs over memblock regions, SRAT
 * entries or runs of sections, never over pages, so a 64 TiB machine boots
 * in milliseconds.
 *
 * Boot allocations modelled: the memmap only. The pgdat, usemaps, page
 * tables and the low 1 MiB that a real x86 kernel also reserves are not
 * (together a few MiB per node).
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { BootError } from '../core/errors.js';
import { NUMA_NO_NODE } from '../core/kernel.js';
import { NR_BOOT_ZONES, ZONE_NORMAL } from '../core/mmzone.js';
import { HOT_REMOVE_SCHEMES, type BootReservation, type MachineSpec } from '../core/types.js';
import { type BlockSizeProbeInput, probeMemoryBlockSize } from './block-size.js';
import { CmdlineError, parseCmdline } from './cmdline.js';
import { addE820ToMemblock, e820EndOfRamPfn, sanitizeE820 } from './e820.js';
import type { BootLayout, BootNode } from './layout.js';
import { Memblock, MemblockFlag } from './memblock.js';
import {
  archZoneLimits,
  computeNodeZones,
  findZoneMovablePfnsForNodes,
  freePfnRanges,
  managedPagesPerZone,
  memPfnRanges,
  toBootZones,
} from './mm-init.js';
import { aboveDirectMapMessage, maxPhysmemBits, type PagingLevels } from '../core/kernel.js';
import { numaInit } from './numa.js';
import { allocateBootMemmap, presentSectionRuns } from './sparse.js';

const MiB = 2 ** 20;

/**
 * The kernel image reservation added when the spec lists no reservation
 * named "kernel": 32 MiB at 16 MiB, where x86_64 kernels usually load
 * (CONFIG_PHYSICAL_START, 16 MiB, with a typical image plus brk and bss).
 */
export const DEFAULT_KERNEL_RESERVATION: Readonly<BootReservation> = { name: 'kernel', base: 16 * MiB, size: 32 * MiB };

function checkSpecShape(spec: MachineSpec): void {
  if (!spec || typeof spec !== 'object') throw new BootError('spec', 'expected a MachineSpec object');
  if (!Array.isArray(spec.e820)) throw new BootError('e820', 'expected an array of e820 entries');
  if (spec.srat !== null && !Array.isArray(spec.srat)) throw new BootError('srat', 'expected an array of SRAT memory affinity entries, or null');
  if (!Array.isArray(spec.reservations)) throw new BootError('reservations', 'expected an array of boot reservations');
  if (spec.blockSize !== 'auto' && typeof spec.blockSize !== 'number') throw new BootError('blockSize', "expected 'auto' or a size in bytes");
  if (typeof spec.cmdline !== 'string') throw new BootError('cmdline', 'expected the kernel command line as a string');
  if (spec.hotRemoveScheme !== undefined && !HOT_REMOVE_SCHEMES.includes(spec.hotRemoveScheme)) {
    throw new BootError('hotRemoveScheme', `expected ${HOT_REMOVE_SCHEMES.join(' or ')}, got ${JSON.stringify(spec.hotRemoveScheme)}`);
  }
  if (spec.paging !== undefined && spec.paging !== 4 && spec.paging !== 5) {
    throw new BootError('paging', `expected 4 or 5 page-table levels, got ${JSON.stringify(spec.paging)}`);
  }
}

/** The spec's reservations plus the default kernel image when none is named "kernel". */
function bootReservations(spec: MachineSpec): { reservation: BootReservation; field: string }[] {
  const list = spec.reservations.map((reservation, i) => ({ reservation, field: `reservations[${i}]` }));
  list.forEach(({ reservation: r, field }) => {
    if (!Number.isSafeInteger(r.base) || r.base < 0) throw new BootError(`${field}.base`, `${r.base} is not a byte address`);
    if (!Number.isSafeInteger(r.size) || r.size <= 0) throw new BootError(`${field}.size`, `${r.size} is not a positive byte size`);
    if (!Number.isSafeInteger(r.base + r.size)) throw new BootError(`${field}.size`, 'reservation ends above 2^53 bytes');
  });
  if (!list.some(({ reservation }) => reservation.name === 'kernel')) {
    list.unshift({ reservation: { ...DEFAULT_KERNEL_RESERVATION }, field: 'reservations' });
  }
  return list;
}

/** Is `[base, end)` wholly inside memblock.memory? */
function coveredByMemory(memblock: Memblock, base: number, end: number): boolean {
  let cursor = base;
  for (const r of memblock.memory.regions) {
    if (r.base > cursor) break;
    if (r.base + r.size > cursor) cursor = r.base + r.size;
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

/** Boot the machine: everything the kernel knows at the end of mm init. Throws {@link BootError}. */
export function computeBootLayout(spec: MachineSpec): BootLayout {
  checkSpecShape(spec);
  let cmdline;
  try {
    cmdline = parseCmdline(spec.cmdline);
  } catch (err) {
    if (err instanceof CmdlineError) throw new BootError('cmdline', err.message, { cause: err });
    throw err;
  }
  const { params } = cmdline;
  const warnings: string[] = [...cmdline.warnings];
  const log: string[] = [];

  // e820 → memblock.memory.
  const e820 = sanitizeE820(spec.e820);
  warnings.push(...e820.warnings);
  const memblock = new Memblock();
  memblock.movableNode = params.movableNode;
  memblock.mirroredKernelcore = params.kernelcore.kind === 'mirror';
  addE820ToMemblock(memblock, e820.entries);
  if (memblock.memory.cnt === 0) throw new BootError('e820', 'no usable RAM (at least one whole page of type usable is needed)');
  const maxPfn = e820EndOfRamPfn(e820.entries);

  // LA57 is used when the machine has it and no5lvl does not turn it off;
  // RAM above what the paging mode maps has no direct map and no sections.
  const pagingLevels: PagingLevels = spec.paging === 5 && !params.no5lvl ? 5 : 4;
  const mappable = 2 ** maxPhysmemBits(pagingLevels);
  const above = e820.entries.find((e) => e.type === 'usable' && e.base + e.size > mappable);
  if (above !== undefined) throw new BootError('e820', aboveDirectMapMessage(above.base, above.base + above.size, pagingLevels));

  // movable_node: early allocations go bottom-up, near the kernel and away
  // from (likely hotpluggable) high memory, until SRAT has been parsed.
  if (params.movableNode) memblock.bottomUp = true;

  for (const { reservation: r, field } of bootReservations(spec)) {
    if (r.name === 'kernel' && !coveredByMemory(memblock, r.base, r.base + r.size)) {
      throw new BootError(field, `the kernel image [${r.base}, ${r.base + r.size}) must lie in usable RAM`);
    }
    memblock.reserve(r.base, r.size);
  }

  const numa = numaInit(memblock, spec.srat, maxPfn);
  warnings.push(...numa.warnings);
  log.push(...numa.log);

  const ranges = memPfnRanges(memblock.memory.regions);
  const presentSections = presentSectionRuns(ranges.filter((r) => r.nid !== NUMA_NO_NODE));
  const { charged: memmapCharged, placements: bootMemmap } = allocateBootMemmap(memblock, presentSections);

  // free_area_init.
  const limits = archZoneLimits(Math.floor(memblock.startOfDram() / PAGE_SIZE), maxPfn);
  if (params.movableNode && (params.kernelcore.kind !== 'unset' || params.movablecore.kind !== 'unset')) {
    warnings.push('movable_node is set: kernelcore= and movablecore= are ignored');
  }
  if (params.kernelcore.kind === 'mirror' && params.movablecore.kind !== 'unset' && !params.movableNode) {
    warnings.push('kernelcore=mirror is set: movablecore= is ignored');
  }
  // offline-migrated needs no ZONE_MOVABLE: movable_node still keeps boot
  // allocations off hotpluggable memory (memblock above), but no zone is sized.
  const offlineMigrated = spec.hotRemoveScheme === 'offline-migrated';
  const movableParams = [params.movableNode ? 'movable_node' : null, params.kernelcore.kind !== 'unset' ? 'kernelcore=' : null, params.movablecore.kind !== 'unset' ? 'movablecore=' : null].filter((p) => p !== null);
  if (offlineMigrated && movableParams.length > 0) {
    warnings.push(`hotRemoveScheme offline-migrated has no ZONE_MOVABLE: ${movableParams.join(', ')} sizes no zone`);
  }
  const movable = findZoneMovablePfnsForNodes({
    ranges,
    limits,
    movableNode: params.movableNode && !offlineMigrated,
    kernelcore: offlineMigrated ? { kind: 'unset' } : params.kernelcore,
    movablecore: offlineMigrated ? { kind: 'unset' } : params.movablecore,
  });
  warnings.push(...movable.warnings);

  const free = freePfnRanges(memblock.memory.regions, memblock.reserved.regions, maxPfn);
  const nodes: BootNode[] = numa.possibleNodes.map((nid) => {
    const nodeRanges = ranges.filter((r) => r.nid === nid);
    const zmp = movable.zoneMovablePfn.get(nid) ?? 0;
    const layout = computeNodeZones(nodeRanges, ranges, zmp, limits, movable.movableZone, movable.mirroredKernelcore);
    const managed = managedPagesPerZone(free, nid, layout.zones, movable.mirroredKernelcore);
    const zones = toBootZones(layout.zones, managed);
    const nodePresentPages = zones.reduce((sum, z) => sum + z.presentPages, 0);
    return {
      nid,
      hotpluggable: memblock.memory.regions.some((r) => r.nid === nid && (r.flags & MemblockFlag.HOTPLUG) !== 0),
      hasMemory: nodePresentPages > 0,
      hasNormalMemory: zones.some((z) => z.zoneIdx <= ZONE_NORMAL && z.presentPages > 0),
      nodeStartPfn: layout.nodeStartPfn,
      nodeSpannedPages: zones.reduce((sum, z) => sum + z.spannedPages, 0),
      nodePresentPages,
      zones,
      memmapPages: memmapCharged.get(nid) ?? 0,
    };
  });
  if (nodes.some((n) => n.zones.length !== NR_BOOT_ZONES)) throw new Error('internal: a node lacks a zone');

  const maxNid = numa.possibleNodes.length ? numa.possibleNodes[numa.possibleNodes.length - 1] : 0;
  const zoneMovablePfn = new Array<number>(maxNid + 1).fill(0);
  for (const [nid, pfn] of movable.zoneMovablePfn) if (nid >= 0 && nid <= maxNid) zoneMovablePfn[nid] = pfn;

  const probe: BlockSizeProbeInput = {
    bootMemEndBytes: maxPfn * PAGE_SIZE,
    hypervisor: spec.hypervisor,
    explicitSizeBytes: spec.blockSize === 'auto' ? null : spec.blockSize,
  };
  const blockSizeBytes = probeMemoryBlockSize(probe);
  warnings.push(...memblock.warnings);

  return {
    spec,
    cmdline,
    warnings,
    log,
    blockSizeBytes,
    pagingLevels,
    maxPfn,
    e820: e820.entries,
    // As free_area_init sees it: HOTPLUG flags still set (memblock_free_all
    // clears them afterwards, and x86_64 then discards memblock).
    memory: memblock.memory.regions.map((r) => ({ ...r })),
    reserved: memblock.reserved.regions.map((r) => ({ ...r })),
    memRanges: ranges,
    freeRanges: free,
    presentSections,
    possibleNodes: [...numa.possibleNodes],
    // Nodes with boot memory are onlined by NUMA init; memoryless possible
    // nodes get a pgdat in free_area_init but stay offline until hot-add.
    onlineNodes: nodes.filter((n) => n.nodeSpannedPages > 0).map((n) => n.nid),
    nodes,
    zoneMovablePfn,
    movableZone: movable.movableZone,
    archZoneLowestPfn: limits.lowestPfn,
    archZoneHighestPfn: limits.highestPfn,
    sratRanges: numa.sratRanges,
    bootMemmap,
  };
}
