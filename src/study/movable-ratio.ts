/**
 * How much of a machine can be movable: the largest MOVABLE:KERNEL ratio at
 * which a workload still fits, found by booting whole machines
 * (docs/allocator.md, "How much can be movable").
 *
 * The admin guide's rule of thumb (Documentation/admin-guide/mm/memory-hotplug.rst,
 * ZONE_MOVABLE sizing: 3:1 or 4:1
 * usually fine, 63:1 impossible) follows from where unmovable memory must
 * live: the memmap (64 bytes of struct page per 4 KiB page), page tables and
 * slab all come from kernel zones. How much of that a machine needs depends
 * on the route that made memory movable, so the search takes one:
 *
 * - `movable_node`: the lowest `kernelBytes` of RAM are one node without the
 *   SRAT hotplug flag, the rest hotpluggable nodes, `movable_node` on the
 *   command line. The memmap of the hotpluggable nodes is allocated from the
 *   kernel node at boot (memblock skips hotpluggable memory).
 * - `hotplug`: only the kernel part is boot memory; the rest is hot-added
 *   (add_memory) and onlined movable. Without memmap_on_memory its memmap
 *   comes from kernel zones, so adds fail with ENOMEM once they are used up.
 * - `movablecore` / `kernelcore`: the machine as described, with
 *   `movablecore=` (or `kernelcore=`) sizing ZONE_MOVABLE on every node. The
 *   boot memmap of each node is allocated top-down on that node, so it sits
 *   in the range that becomes ZONE_MOVABLE, as reserved pages
 *   (docs/allocator.md): the memmap costs kernel zones nothing.
 *
 * A probe boots a fresh machine for one ratio, hot-adds (hotplug route), runs
 * the workload, judges the fit and closes the machine. The search doubles
 * the ratio from 1:1 until a probe does not fit, then bisects on a grid of
 * `precision` steps. Nothing here reads a clock or a random source: the same
 * request gives the same probes and the same answer.
 */
import type { EngineFactory } from '../contract/engine-api.js';
import { PAGE_SIZE, PAGES_PER_SECTION } from '../contract/constants.js';
import { describeValue, hex } from '../util/format.js';
import { heldPages } from '../model/alloc/workload.js';
import { tokenizeCmdline } from '../model/boot/cmdline.js';
import { sanitizeE820 } from '../model/boot/e820.js';
import { computeBootLayout } from '../model/boot/setup.js';
import { BootError } from '../model/core/errors.js';
import { MAX_BLOCK_SIZE } from '../model/core/kernel.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from '../model/core/mmzone.js';
import type { AddMemoryRequest, MachineSpec, NodeStats, SratMemoryAffinity, WorkloadOutcome, WorkloadSpec } from '../model/core/types.js';
import { bootMachine, type BootedMachine } from '../model/index.js';

/** The ways a machine's memory can be made movable (see the file comment). */
export const RATIO_ROUTES = ['movable_node', 'movablecore', 'kernelcore', 'hotplug'] as const;
export type RatioRoute = (typeof RATIO_ROUTES)[number];

/** What to search. */
export interface MovableRatioRequest {
  /**
   * The machine: its RAM (e820), reservations, firmware type, block size,
   * paging, SLIT, swap and sysctl settings are kept; the route decides the
   * SRAT hotplug share or the command line's movable sizing (see
   * {@link ratioMachine}).
   */
  machine: MachineSpec;
  /** The workload that must fit (docs/allocator.md); run once per probe on the fresh machine. */
  workload: WorkloadSpec;
  /** How memory is made movable. */
  vary: RatioRoute;
  /**
   * Step of the ratio grid: probes are at multiples of it, and the answer is
   * the largest grid ratio that fits (the bisection stops when the next one
   * up does not).
   * @default 0.25
   */
  precision?: number;
  /**
   * Kernel memory the workload must leave free, on top of the zones' min
   * marks and lowmem reserves, for the kernel's own allocations the workload
   * does not describe (per-CPU data, kernel stacks, network buffers).
   * @default 0
   */
  marginBytes?: number;
  /**
   * `hotplug` route: bytes per add_memory call (one static memory group,
   * like one ACPI memory device), a multiple of the block size.
   * @default 16 GiB
   */
  hotAddBytes?: number;
  /** `hotplug` route: ask for memmap_on_memory (the memmap then lives in each added block). @default false */
  memmapOnMemory?: boolean;
  /** The largest ratio probed. @default what the RAM allows with one 128 MiB section of kernel memory */
  maxRatio?: number;
}

/** How a probe failed to fit. */
export type ProbeFailure =
  /** The model refused to boot the machine (for this search: the memmap does not fit in kernel memory). */
  | 'boot'
  /** A hot-add or its online failed (hotplug route). */
  | 'hot-add'
  /** The workload's allocation ended as the kernel would end it (WorkloadOutcome.failure.outcome). */
  | 'oom'
  | 'ENOMEM'
  | 'stall'
  /** The workload was placed, but only by reclaiming its own working set (see {@link judgeResidency}). */
  | 'evicted'
  /** The workload fits but leaves less than `marginBytes` of kernel memory. */
  | 'margin';

/** One machine booted and judged. */
export interface RatioProbe {
  /** The grid ratio probed (movable bytes per kernel byte asked for). */
  gridRatio: number;
  /** movableBytes / kernelBytes as the probe's machine has them (Infinity when kernelBytes is 0). */
  ratio: number;
  /**
   * Kernel memory: present pages of DMA, DMA32 and Normal of every node, in
   * bytes, read from the booted machine (after the hot-adds); for a machine
   * that did not boot, the RAM the route gave the kernel.
   */
  kernelBytes: number;
  /** ZONE_MOVABLE's present pages of every node, in bytes (planned, when the boot failed). */
  movableBytes: number;
  fits: boolean;
  failure: ProbeFailure | null;
  /** Why it fits or not, in a sentence. */
  reason: string;
  /** Kernel memory still free above the min marks and lowmem reserves once the workload is placed (0 when it was not). */
  kernelFreeBytes: number;
}

export interface MovableRatioResult {
  vary: RatioRoute;
  /**
   * The ratio of the largest fitting grid probe, as its machine has it
   * (movableBytes / kernelBytes); null when the workload does not fit even
   * with no movable memory.
   */
  ratio: number | null;
  /** The grid ratio of that probe (null with `ratio`). */
  gridRatio: number | null;
  kernelBytes: number;
  movableBytes: number;
  /** What stops a higher ratio: the reason of the first probe above that did not fit, or the end of the grid. */
  limitedBy: string;
  /** Every machine booted, in the order the search booted them. */
  probes: RatioProbe[];
}

/** What a search needs besides the request: the engines, chosen by a composition root. */
export interface MovableRatioOptions {
  engines: EngineFactory;
}

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** Kernel memory comes in whole sections (128 MiB): node boundaries and ZONE_MOVABLE starts fall on them. */
export const SECTION_BYTES = PAGES_PER_SECTION * PAGE_SIZE;
const DEFAULT_PRECISION = 0.25;
const DEFAULT_HOT_ADD_BYTES = 16 * GiB;
/** Parameters that decide the movable share: the route sets its own. */
const MOVABLE_SIZING_PARAMS = new Set(['movable_node', 'kernelcore', 'movablecore']);

// ---------------------------------------------------------------------------
// The machine of one probe

/** `[base, end)` of usable RAM, whole pages. */
interface RamRange {
  base: number;
  end: number;
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

function alignDown(value: number, align: number): number {
  return Math.floor(value / align) * align;
}

/** Usable RAM of a description as the kernel sees it: sanitised e820, trimmed to whole pages. */
export function ramRanges(machine: MachineSpec): RamRange[] {
  return sanitizeE820(machine.e820)
    .entries.filter((e) => e.type === 'usable')
    .map((e) => ({ base: alignUp(e.base, PAGE_SIZE), end: alignDown(e.base + e.size, PAGE_SIZE) }))
    .filter((r) => r.base < r.end);
}

function bytesOf(ranges: readonly RamRange[]): number {
  return ranges.reduce((sum, r) => sum + r.end - r.base, 0);
}

/** The address below which `bytes` of RAM lie, raised to a whole section. */
function addressAfterRam(ranges: readonly RamRange[], bytes: number): number {
  let left = bytes;
  for (const r of ranges) {
    if (left <= r.end - r.base) return alignUp(r.base + left, SECTION_BYTES);
    left -= r.end - r.base;
  }
  return alignUp(ranges.at(-1)?.end ?? 0, SECTION_BYTES);
}

function ramBelow(ranges: readonly RamRange[], address: number): number {
  return ranges.reduce((sum, r) => sum + Math.max(0, Math.min(r.end, address) - r.base), 0);
}

/** The command line without the route's parameters (and, for hot-add, without an auto-online default). */
function baseCmdline(cmdline: string, dropAutoOnline: boolean): string {
  return tokenizeCmdline(cmdline)
    .filter((t) => !MOVABLE_SIZING_PARAMS.has(t.param) && !(dropAutoOnline && t.param === 'memhp_default_state'))
    .map((t) => (t.value === null ? t.param : `${t.param}=${/\s/.test(t.value) ? `"${t.value}"` : t.value}`))
    .join(' ');
}

function withParams(cmdline: string, ...params: string[]): string {
  return [cmdline, ...params].filter((part) => part !== '').join(' ');
}

/** The node ids a route uses: the description's lowest for the kernel, its others (at least one) for the movable memory. */
function routeNodes(machine: MachineSpec): { kernelNid: number; movableNids: number[] } {
  const nids = [...new Set((machine.srat ?? []).filter((e) => e.enabled).map((e) => e.node))].sort((a, b) => a - b);
  const kernelNid = nids[0] ?? 0;
  const movableNids = nids.slice(1);
  if (movableNids.length === 0) movableNids.push(kernelNid + 1);
  return { kernelNid, movableNids };
}

function sratEntry(nid: number, base: number, end: number, hotpluggable: boolean, populated: boolean): SratMemoryAffinity {
  return { node: nid, base, size: end - base, enabled: true, hotpluggable, nonVolatile: false, populated };
}

/**
 * `[start, end)` cut into `count` consecutive pieces of about equal RAM, the
 * cuts on multiples of `align`. Empty pieces are dropped.
 */
function splitByRam(ranges: readonly RamRange[], start: number, end: number, count: number, align: number): { base: number; end: number }[] {
  const inside = ranges.map((r) => ({ base: Math.max(r.base, start), end: Math.min(r.end, end) })).filter((r) => r.base < r.end);
  const total = bytesOf(inside);
  const cuts = [start];
  for (let i = 1; i < count; i++) cuts.push(Math.max(cuts.at(-1)!, Math.min(end, alignUp(addressAfterRam(inside, (total * i) / count), align))));
  cuts.push(end);
  const pieces: { base: number; end: number }[] = [];
  for (let i = 0; i < count; i++) if (cuts[i] < cuts[i + 1]) pieces.push({ base: cuts[i], end: cuts[i + 1] });
  return pieces;
}

/** One probe's machine: what boots, and the memory the hotplug route adds afterwards. */
export interface RatioMachine {
  spec: MachineSpec;
  /** RAM to hot-add and online movable after boot, `[base, end)` on `node` (hotplug route; empty otherwise). */
  hotAdd: { node: number; base: number; end: number }[];
  /** RAM the route gives the kernel and ZONE_MOVABLE, before the kernel's own rounding. */
  plannedKernelBytes: number;
  plannedMovableBytes: number;
}

/**
 * The machine of one probe with `kernelBytes` of kernel memory (rounded up
 * to a whole section by the routes that cut RAM):
 *
 * - `movable_node`: SRAT redrawn. The description's lowest node id gets the
 *   RAM below the boundary, without the hotplug flag; its other node ids (at
 *   least one) share the rest, equal RAM each, hotpluggable. `movable_node`
 *   replaces the description's kernelcore=, movablecore= and movable_node.
 * - `hotplug`: the same split, but RAM above the boundary is left out of the
 *   e820 map and its SRAT entries are empty hotpluggable slots (they make
 *   the nodes possible); it is hot-added after boot from the first block
 *   boundary on. memhp_default_state= is dropped so the adds come offline
 *   and are onlined movable explicitly.
 * - `movablecore` / `kernelcore`: SRAT kept; the command line sizes
 *   ZONE_MOVABLE with `movablecore=<RAM − kernelBytes>` or
 *   `kernelcore=<kernelBytes>` (in bytes), no movable_node.
 */
export function ratioMachine(machine: MachineSpec, vary: RatioRoute, kernelBytes: number, memmapOnMemory = false): RatioMachine {
  const ram = ramRanges(machine);
  const totalBytes = bytesOf(ram);
  const ramEnd = ram.at(-1)?.end ?? 0;
  if (vary === 'movablecore' || vary === 'kernelcore') {
    const kernel = Math.min(totalBytes, alignUp(kernelBytes, PAGE_SIZE));
    const cmdline = baseCmdline(machine.cmdline, false);
    const param = kernel >= totalBytes ? [] : vary === 'movablecore' ? [`movablecore=${totalBytes - kernel}`] : [`kernelcore=${kernel}`];
    return {
      spec: { ...machine, cmdline: withParams(cmdline, ...param) },
      hotAdd: [],
      plannedKernelBytes: kernel,
      plannedMovableBytes: totalBytes - kernel,
    };
  }

  const { kernelNid, movableNids } = routeNodes(machine);
  const boundary = Math.min(alignUp(ramEnd, SECTION_BYTES), addressAfterRam(ram, kernelBytes));
  const kernelRam = ramBelow(ram, boundary);
  const kernelEntry = sratEntry(kernelNid, 0, boundary, false, true);
  if (vary === 'movable_node') {
    const pieces = splitByRam(ram, boundary, alignUp(ramEnd, SECTION_BYTES), movableNids.length, SECTION_BYTES);
    return {
      spec: {
        ...machine,
        srat: [kernelEntry, ...pieces.map((p, i) => sratEntry(movableNids[i], p.base, p.end, true, true))],
        cmdline: withParams(baseCmdline(machine.cmdline, false), 'movable_node'),
      },
      hotAdd: [],
      plannedKernelBytes: kernelRam,
      plannedMovableBytes: totalBytes - kernelRam,
    };
  }

  // hotplug: hot-add ranges start on a block boundary; the largest block size
  // the machine can have keeps every node's slot whole blocks.
  const blockAlign = Math.max(MAX_BLOCK_SIZE, typeof machine.blockSize === 'number' ? machine.blockSize : 0);
  const addStart = alignUp(boundary, blockAlign);
  const slots = splitByRam(ram, addStart, alignUp(ramEnd, blockAlign), movableNids.length, blockAlign);
  const hotAdd = slots.flatMap((slot, i) =>
    ram
      .map((r) => ({ node: movableNids[i], base: Math.max(r.base, slot.base), end: Math.min(r.end, slot.end) }))
      .filter((r) => r.base < r.end),
  );
  const e820 = sanitizeE820(machine.e820)
    .entries.filter((e) => e.base < boundary)
    .map((e) => ({ ...e, size: Math.min(e.base + e.size, boundary) - e.base }));
  const onMemory = memmapOnMemory ? ['memory_hotplug.memmap_on_memory=1'] : [];
  return {
    spec: {
      ...machine,
      e820,
      srat: [kernelEntry, ...slots.map((s, i) => sratEntry(movableNids[i], s.base, s.end, true, false))],
      cmdline: withParams(baseCmdline(machine.cmdline, true), ...onMemory),
    },
    hotAdd,
    plannedKernelBytes: kernelRam,
    plannedMovableBytes: bytesOf(hotAdd),
  };
}

/** Kernel memory for a grid ratio: RAM / (ratio + 1), in whole sections, at least one. */
export function gridKernelBytes(totalBytes: number, gridRatio: number): number {
  return Math.max(SECTION_BYTES, alignDown(totalBytes / (gridRatio + 1), SECTION_BYTES));
}

// ---------------------------------------------------------------------------
// Judging one probe

/** Present bytes of kernel zones and of ZONE_MOVABLE, every node. */
function presentSplit(nodes: readonly NodeStats[]): { kernelBytes: number; movableBytes: number } {
  let kernel = 0;
  let movable = 0;
  for (const node of nodes) {
    for (const zone of node.zones) {
      if (zone.zoneIdx === ZONE_MOVABLE) movable += zone.presentPages;
      else if (zone.zoneIdx <= ZONE_NORMAL) kernel += zone.presentPages;
    }
  }
  return { kernelBytes: kernel * PAGE_SIZE, movableBytes: movable * PAGE_SIZE };
}

/** What a GFP_KERNEL request could still take without reclaim: free pages above min + lowmem_reserve[Normal], kernel zones. */
function kernelFreePages(nodes: readonly NodeStats[]): number {
  let pages = 0;
  for (const node of nodes) {
    for (const zone of node.zones) {
      if (zone.zoneIdx > ZONE_NORMAL) continue;
      pages += Math.max(0, zone.freePages - zone.watermarks.min - zone.watermarks.boost - (zone.lowmemReserve[ZONE_NORMAL] ?? 0));
    }
  }
  return pages;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / MiB)} MiB`;
}

/**
 * A placed workload fits only if it did not have to reclaim its own working
 * set to get there. Reclaimable slab (dentries, inodes) can live only in
 * kernel zones: any of it reclaimed to make room for the rest is metadata
 * the workload will miss again, so none may be lost. Page cache (and, with
 * swap, anonymous memory) evicted from a kernel zone comes back on the next
 * access as a GFP_HIGHUSER_MOVABLE allocation, which ZONE_MOVABLE can take:
 * it counts against the fit only beyond the free pages ZONE_MOVABLE has left.
 */
async function judgeResidency(machine: BootedMachine, outcome: WorkloadOutcome, nodes: readonly NodeStats[]): Promise<string | null> {
  const requested = (kind: string): number => outcome.kinds[kind]?.requestedPages ?? 0;
  let slabHeld = 0;
  let userHeld = 0;
  for (const node of machine.nodeStates) {
    if (!node.hasMemory) continue;
    slabHeld += await heldPages(machine, node, 'slab_reclaimable');
    userHeld += (await heldPages(machine, node, 'file')) + (await heldPages(machine, node, 'anon'));
  }
  const slabLost = requested('slab_reclaimable') - slabHeld;
  if (slabLost > 0) {
    return (
      `${mib(slabLost * PAGE_SIZE)} of the workload's ${mib(requested('slab_reclaimable') * PAGE_SIZE)} of reclaimable slab ` +
      'was reclaimed to place the rest: dentries and inodes live only in kernel zones'
    );
  }
  const userLost = requested('file') + requested('anon') - userHeld;
  const movableFree = nodes.reduce((sum, node) => sum + node.zones[ZONE_MOVABLE].freePages, 0);
  if (userLost > movableFree) {
    return (
      `${mib(userLost * PAGE_SIZE)} of the workload's page cache and anonymous memory was reclaimed from kernel zones, ` +
      `and ZONE_MOVABLE has only ${mib(movableFree * PAGE_SIZE)} free to take it back`
    );
  }
  return null;
}

function ratioOf(movableBytes: number, kernelBytes: number): number {
  return kernelBytes === 0 ? Infinity : movableBytes / kernelBytes;
}

function probeResult(gridRatio: number, split: { kernelBytes: number; movableBytes: number }, rest: Omit<RatioProbe, 'gridRatio' | 'ratio' | 'kernelBytes' | 'movableBytes'>): RatioProbe {
  return { gridRatio, ratio: ratioOf(split.movableBytes, split.kernelBytes), ...split, ...rest };
}

/** Hot-add the route's RAM in `chunkBytes` pieces, each onlined movable; the failure's sentence, or null. */
async function hotAddAll(machine: BootedMachine, plan: RatioMachine, chunkBytes: number, memmapOnMemory: boolean): Promise<string | null> {
  const blockBytes = machine.blockSizeBytes;
  const chunk = Math.max(blockBytes, alignDown(chunkBytes, blockBytes));
  for (const range of plan.hotAdd) {
    for (let base = alignUp(range.base, blockBytes); base + blockBytes <= range.end; base += chunk) {
      const size = Math.min(chunk, alignDown(range.end - base, blockBytes));
      const added = await machine.addMemory({ node: range.node, base, size, memmapOnMemory } satisfies AddMemoryRequest);
      if (!added.ok) return `hot-add of [${hex(base)}, ${hex(base + size)}) on node ${range.node} failed: ${added.errno}: ${added.message}`;
      const firstBlockId = base / blockBytes;
      const online = await machine.onlineBlocks({ firstBlockId, lastBlockId: firstBlockId + size / blockBytes - 1 }, 'online_movable');
      if (!online.ok) return `online_movable of [${hex(base)}, ${hex(base + size)}) failed: ${online.errno}: ${online.message}`;
    }
  }
  return null;
}

/** Checked search settings. */
interface SearchSettings {
  precision: number;
  marginBytes: number;
  hotAddBytes: number;
  memmapOnMemory: boolean;
}

function checkRequest(request: MovableRatioRequest): SearchSettings {
  if (request === null || typeof request !== 'object') throw new TypeError('maxMovableRatio: the request must be an object { machine, workload, vary }');
  if (!RATIO_ROUTES.includes(request.vary)) throw new TypeError(`vary must be ${RATIO_ROUTES.join(', ')}, got ${describeValue(request.vary)}`);
  const precision = request.precision ?? DEFAULT_PRECISION;
  if (!(Number.isFinite(precision) && precision > 0)) throw new RangeError(`precision must be a positive ratio step, got ${describeValue(precision)}`);
  const marginBytes = request.marginBytes ?? 0;
  if (!(Number.isSafeInteger(marginBytes) && marginBytes >= 0)) throw new RangeError(`marginBytes must be a byte count, got ${describeValue(marginBytes)}`);
  const hotAddBytes = request.hotAddBytes ?? DEFAULT_HOT_ADD_BYTES;
  if (!(Number.isSafeInteger(hotAddBytes) && hotAddBytes > 0)) throw new RangeError(`hotAddBytes must be a positive byte count, got ${describeValue(hotAddBytes)}`);
  if (request.memmapOnMemory !== undefined && typeof request.memmapOnMemory !== 'boolean') {
    throw new TypeError(`memmapOnMemory must be a boolean, got ${describeValue(request.memmapOnMemory)}`);
  }
  if (request.maxRatio !== undefined && !(Number.isFinite(request.maxRatio) && request.maxRatio >= 0)) {
    throw new RangeError(`maxRatio must be a non-negative ratio, got ${describeValue(request.maxRatio)}`);
  }
  // The description must boot as given: a probe's boot failure is then the
  // route's doing (kernel memory too small), never a malformed machine.
  computeBootLayout(request.machine);
  return { precision, marginBytes, hotAddBytes, memmapOnMemory: request.memmapOnMemory ?? false };
}

async function runProbe(request: MovableRatioRequest, settings: SearchSettings, options: MovableRatioOptions, gridRatio: number, kernelBytes: number): Promise<RatioProbe> {
  const plan = ratioMachine(request.machine, request.vary, kernelBytes, settings.memmapOnMemory);
  const planned = { kernelBytes: plan.plannedKernelBytes, movableBytes: plan.plannedMovableBytes };
  let machine: BootedMachine;
  try {
    machine = await bootMachine(plan.spec, { engines: options.engines });
  } catch (error) {
    if (!(error instanceof BootError)) throw error;
    return probeResult(gridRatio, planned, { fits: false, failure: 'boot', reason: `the machine does not boot: ${error.message}`, kernelFreeBytes: 0 });
  }
  try {
    const notAdded = await hotAddAll(machine, plan, settings.hotAddBytes, settings.memmapOnMemory);
    if (notAdded !== null) {
      return probeResult(gridRatio, presentSplit(await machine.nodes()), { fits: false, failure: 'hot-add', reason: notAdded, kernelFreeBytes: 0 });
    }
    const split = presentSplit(await machine.nodes());
    const outcome = await machine.workload(request.workload);
    if (!('kinds' in outcome)) throw new TypeError(`maxMovableRatio: the workload was refused: ${outcome.errno}: ${outcome.message}`);
    if (!outcome.ok) {
      const failure = outcome.failure?.outcome ?? 'oom';
      return probeResult(gridRatio, split, { fits: false, failure, reason: `the workload does not fit: ${outcome.message}`, kernelFreeBytes: 0 });
    }
    const nodes = await machine.nodes();
    const kernelFreeBytes = kernelFreePages(nodes) * PAGE_SIZE;
    const evicted = await judgeResidency(machine, outcome, nodes);
    if (evicted !== null) return probeResult(gridRatio, split, { fits: false, failure: 'evicted', reason: evicted, kernelFreeBytes });
    if (kernelFreeBytes < settings.marginBytes) {
      return probeResult(gridRatio, split, {
        fits: false,
        failure: 'margin',
        reason: `the workload leaves ${mib(kernelFreeBytes)} of kernel memory above the min marks, less than the ${mib(settings.marginBytes)} margin`,
        kernelFreeBytes,
      });
    }
    return probeResult(gridRatio, split, {
      fits: true,
      failure: null,
      reason: `the workload fits with ${mib(kernelFreeBytes)} of kernel memory left above the min marks`,
      kernelFreeBytes,
    });
  } finally {
    await machine.close();
  }
}

/** Boot, (hot-add,) run the workload and judge one grid ratio, on a fresh machine that is closed afterwards. */
export async function probeMovableRatio(request: MovableRatioRequest & MovableRatioOptions, gridRatio: number): Promise<RatioProbe> {
  const settings = checkRequest(request);
  if (!(Number.isFinite(gridRatio) && gridRatio >= 0)) throw new RangeError(`the ratio must be a non-negative number, got ${describeValue(gridRatio)}`);
  const totalBytes = bytesOf(ramRanges(request.machine));
  return runProbe(request, settings, request, gridRatio, gridRatio === 0 ? totalBytes : gridKernelBytes(totalBytes, gridRatio));
}

// ---------------------------------------------------------------------------
// The search

/**
 * The largest MOVABLE:KERNEL ratio at which `request.workload` still fits on
 * `request.machine`, made movable the `request.vary` way.
 *
 * Grid: ratios `i × precision`. Probes double from 1:1 (or the grid's first
 * point above 0) until one does not fit, or the route stops making more
 * memory movable (the probe's ratio no higher than the one below), or the
 * grid ends at `maxRatio`; if 1:1 does not fit, 0 (no movable memory) is
 * probed. Then bisection between the largest fit and the smallest miss. Two
 * grid points that give the same kernel size share one probe. The search
 * assumes the fit is monotone in the ratio: more movable memory never helps
 * kernel allocations.
 */
export async function maxMovableRatio(request: MovableRatioRequest & MovableRatioOptions): Promise<MovableRatioResult> {
  const settings = checkRequest(request);
  const totalBytes = bytesOf(ramRanges(request.machine));
  if (totalBytes === 0) throw new RangeError('maxMovableRatio: the machine has no usable RAM');
  const maxRatio = request.maxRatio ?? (totalBytes - SECTION_BYTES) / SECTION_BYTES;
  const maxIndex = Math.floor(maxRatio / settings.precision + 1e-9);
  const probes: RatioProbe[] = [];
  const byKernelBytes = new Map<number, RatioProbe>();
  const probe = async (index: number): Promise<RatioProbe> => {
    const gridRatio = index * settings.precision;
    const kernelBytes = index === 0 ? totalBytes : gridKernelBytes(totalBytes, gridRatio);
    const known = byKernelBytes.get(kernelBytes);
    if (known !== undefined) return known;
    const result = await runProbe(request, settings, request, gridRatio, kernelBytes);
    probes.push(result);
    byKernelBytes.set(kernelBytes, result);
    return result;
  };

  // Coarse: double until a miss, the top of the grid, or no more movable memory.
  let fit: { index: number; probe: RatioProbe } | null = null;
  let miss: { index: number; probe: RatioProbe } | null = null;
  let saturated = false;
  let index = Math.min(maxIndex, Math.max(1, Math.round(1 / settings.precision)));
  for (;;) {
    const result = await probe(index);
    if (!result.fits) {
      miss = { index, probe: result };
      break;
    }
    if (fit !== null && !(result.ratio > fit.probe.ratio)) {
      saturated = true;
      break;
    }
    fit = { index, probe: result };
    if (index >= maxIndex) break;
    index = Math.min(maxIndex, index * 2);
  }
  if (fit === null && miss !== null && miss.index > 0) {
    const none = await probe(0);
    if (none.fits) fit = { index: 0, probe: none };
    else miss = { index: 0, probe: none };
  }

  // Fine: bisect between the largest fit and the smallest miss.
  if (fit !== null && miss !== null) {
    while (miss.index - fit.index > 1) {
      const mid = Math.floor((fit.index + miss.index) / 2);
      const result = await probe(mid);
      if (result.fits) fit = { index: mid, probe: result };
      else miss = { index: mid, probe: result };
    }
  }

  const best = fit?.probe ?? null;
  let limitedBy: string;
  if (miss !== null) limitedBy = `${miss.probe.gridRatio}:1 does not fit: ${miss.probe.reason}`;
  else if (saturated) limitedBy = `vary=${request.vary} makes no more memory movable on this machine than ${best!.ratio.toFixed(2)}:1`;
  else limitedBy = `the grid ends at ${maxRatio}:1`;
  return {
    vary: request.vary,
    ratio: best?.ratio ?? null,
    gridRatio: best?.gridRatio ?? null,
    kernelBytes: best?.kernelBytes ?? 0,
    movableBytes: best?.movableBytes ?? 0,
    limitedBy,
    probes,
  };
}
