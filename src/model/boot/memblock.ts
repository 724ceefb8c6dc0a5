/**
 * memblock: the boot-time physical memory manager (mm/memblock.c), restated.
 *
 * Two sorted, non-overlapping region arrays describe early boot memory:
 * `memory` (RAM the kernel knows about, tagged with node and flags) and
 * `reserved` (what firmware, the kernel image and early allocations hold).
 * Free memory is `memory` minus `reserved`; the allocator carves from it
 * top-down (the default) or bottom-up and records every allocation in
 * `reserved` with MEMBLOCK_RSRV_KERN.
 *
 * Behaviour follows mm/memblock.c (docs/kernel-facts.md, facts 39 to 48) and the expectations of the
 * kernel's own suite in tools/testing/memblock:
 * - add/reserve insert only the parts of a range that no region covers yet,
 *   then merge neighbours that touch and agree on node and flags;
 * - remove/free/flag/node changes first split ("isolate") regions at the range
 *   boundaries, so at most two regions are created per call;
 * - allocations never return page 0, treat the lower bound as a preference
 *   (dropped on failure) and the upper bound as hard, fall back from a node to
 *   any node unless the caller asked for the exact node, and fall back from
 *   mirrored to any memory with a warning;
 * - under `movable_node`, HOTPLUG memory is invisible to the allocator.
 *
 * Addresses and sizes are byte numbers, exact below 2^53. The kernel's
 * all-ones PHYS_ADDR_MAX becomes {@link PHYS_ADDR_MAX} (2^53 - 1): ranges are
 * capped so that `base + size` never passes it.
 *
 * Region array capacity is modelled: each type starts with room for
 * {@link INIT_MEMBLOCK_REGIONS} entries and doubles when full. As in the
 * kernel, the doubled array is itself carved out of free memory (PAGE_SIZE
 * aligned, `PAGE_ALIGN(max * 2 * 24)` bytes) and reserved with RSRV_KERN, and
 * a previously doubled array is freed. Doubling needs {@link Memblock.allowResize}
 * (memblock_allow_resize); without it, or when no free memory can hold the
 * new array, the operation throws an Error and leaves memblock unchanged.
 * That includes the kernel's quirk that any isolating operation (remove,
 * free, flag or node change) first makes room for two more regions.
 *
 * Not modelled: physmem, KHO scratch selection at allocation time (the flag
 * is accepted and filtered on), the slab-available path, memory contents
 * (the zeroing `_try_nid` and the raw variants differ only in what they
 * write, so they place and reserve identically here).
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { hex } from '../../util/format.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../core/kernel.js';
import { alignDown, alignUp } from '../core/pfn-ranges.js';

// ---------------------------------------------------------------------------
// Constants (include/linux/memblock.h; the node limits are in core/kernel.ts)

/** Region attribute bits (enum memblock_flags). */
export const MemblockFlag = {
  NONE: 0x0,
  /** Hotpluggable memory (SRAT). Skipped by the allocator under movable_node. */
  HOTPLUG: 0x1,
  /** Mirrored (reliable) memory; preferred for kernel allocations once any exists. */
  MIRROR: 0x2,
  /** Not in the direct map; skipped unless asked for explicitly. */
  NOMAP: 0x4,
  /** Always detected through a driver; skipped unless asked for explicitly. */
  DRIVER_MANAGED: 0x8,
  /** Reserved only: struct pages of the range are left uninitialised. */
  RSRV_NOINIT: 0x10,
  /** Reserved only: reserved for kernel use; set on every memblock allocation. */
  RSRV_KERN: 0x20,
  /** Memory usable as scratch by kexec handover. */
  KHO_SCRATCH: 0x40,
} as const;
export type MemblockFlag = (typeof MemblockFlag)[keyof typeof MemblockFlag];

/** Every defined flag bit; anything outside is a bad argument. */
const ALL_MEMBLOCK_FLAGS = 0x7f;

/** End bound meaning "no upper limit" (the kernel's all-ones value). */
export const MEMBLOCK_ALLOC_ANYWHERE = Number.MAX_SAFE_INTEGER;
/** End bound meaning "up to current_limit". */
export const MEMBLOCK_ALLOC_ACCESSIBLE = 0;
/** Like ACCESSIBLE, without kmemleak tracking; also means "up to current_limit". */
export const MEMBLOCK_ALLOC_NOLEAKTRACE = 1;
/** L1 cache line on x86_64: the default allocation alignment. */
export const SMP_CACHE_BYTES = 64;
/** Highest byte address the model can express; `base + size` is capped here. */
export const PHYS_ADDR_MAX = Number.MAX_SAFE_INTEGER;
/** Initial capacity of each region array (INIT_MEMBLOCK_{MEMORY,RESERVED}_REGIONS). */
export const INIT_MEMBLOCK_REGIONS = 128;
/** sizeof(struct memblock_region) on x86_64 with NUMA: base, size, flags, nid. */
export const SIZE_OF_MEMBLOCK_REGION = 24;

// ---------------------------------------------------------------------------
// Types

export interface MemblockRegion {
  /** First byte of the region. */
  base: number;
  /** Length in bytes; regions are `[base, base + size)`. */
  size: number;
  /** OR of {@link MemblockFlag} bits. */
  flags: number;
  /** Node id, {@link NUMA_NO_NODE} or {@link MAX_NUMNODES} ("not yet assigned"). */
  nid: number;
}

export type MemblockTypeName = 'memory' | 'reserved';

/** One region array (struct memblock_type): sorted by base, non-overlapping, merged. */
export class MemblockType {
  readonly name: string;
  regions: MemblockRegion[] = [];
  /** Capacity before the array must double. @default INIT_MEMBLOCK_REGIONS */
  max: number;
  /**
   * Physical address of the array once doubling moved it out of the static
   * initial one; null while it is still the static array.
   */
  arrayBase: number | null = null;

  constructor(name: string, max = INIT_MEMBLOCK_REGIONS) {
    this.name = name;
    this.max = max;
  }

  /** Number of regions (0 when empty, as in current kernels). */
  get cnt(): number {
    return this.regions.length;
  }

  /** Sum of region sizes in bytes. */
  get totalSize(): number {
    let totalBytes = 0;
    for (const r of this.regions) totalBytes += r.size;
    return totalBytes;
  }

  /** Deep copy. */
  clone(): MemblockType {
    const copy = new MemblockType(this.name, this.max);
    copy.regions = this.regions.map((r) => ({ ...r }));
    copy.arrayBase = this.arrayBase;
    return copy;
  }
}

/** One free range from {@link Memblock.freeRanges}: `[base, end)` on node `nid`. */
export interface MemblockFreeRange {
  base: number;
  end: number;
  nid: number;
}

/** One pfn range from {@link Memblock.memPfnRanges}: `[startPfn, endPfn)` on node `nid`. */
export interface MemblockPfnRange {
  startPfn: number;
  endPfn: number;
  nid: number;
}

interface UncoveredGap {
  base: number;
  end: number;
  above: MemblockRegion | null;
}

// ---------------------------------------------------------------------------
// Argument checks: bad input throws a RangeError naming the argument, before
// any state changes.

function checkByteValue(value: number, argName: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${argName} must be a non-negative integer number of bytes below 2^53, got ${String(value)}`);
  }
}

function checkAlign(align: number, argName = 'align'): void {
  checkByteValue(align, argName);
  if (align !== 0 && !Number.isInteger(Math.log2(align))) {
    throw new RangeError(`${argName} must be 0 or a power of two, got ${align}`);
  }
}

function checkNid(nid: number, argName = 'nid'): void {
  if (!Number.isInteger(nid) || nid < NUMA_NO_NODE || nid > MAX_NUMNODES) {
    throw new RangeError(`${argName} must be an integer from ${NUMA_NO_NODE} (NUMA_NO_NODE) to ${MAX_NUMNODES} (MAX_NUMNODES), got ${String(nid)}`);
  }
}

function checkFlags(flags: number, argName = 'flags'): void {
  if (!Number.isInteger(flags) || flags < 0 || flags > ALL_MEMBLOCK_FLAGS) {
    throw new RangeError(`${argName} must be an OR of MemblockFlag bits (0..${hex(ALL_MEMBLOCK_FLAGS)}), got ${String(flags)}`);
  }
}

function checkTypeName(typeName: string, argName = 'type'): asserts typeName is MemblockTypeName {
  if (typeName !== 'memory' && typeName !== 'reserved') {
    throw new RangeError(`${argName} must be 'memory' or 'reserved', got ${String(typeName)}`);
  }
}

// ---------------------------------------------------------------------------
// Address arithmetic (exact for integers below 2^53; `align` is a power of two)

function pageAlign(sizeBytes: number): number {
  return alignUp(sizeBytes, PAGE_SIZE);
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(Math.max(value, lo), hi);
}

/** The size that keeps `base + size` at or below PHYS_ADDR_MAX (memblock_cap_size). */
function capSize(base: number, size: number): number {
  return Math.min(size, PHYS_ADDR_MAX - base);
}

/** A node id that names one node (numa_valid_node). */
function isValidNode(nid: number): boolean {
  return nid >= 0 && nid < MAX_NUMNODES;
}

function canMerge(a: MemblockRegion, b: MemblockRegion): boolean {
  return a.base + a.size === b.base && a.nid === b.nid && a.flags === b.flags;
}

function flagNames(flags: number): string {
  if (flags === 0) return 'NONE';
  return Object.entries(MemblockFlag)
    .filter(([, bit]) => bit !== 0 && (flags & bit) !== 0)
    .map(([name]) => name)
    .join('|');
}

// ---------------------------------------------------------------------------
// The memblock instance

/** The global `struct memblock` plus the few globals around it. */
export class Memblock {
  memory = new MemblockType('memory');
  reserved = new MemblockType('reserved');
  /** Allocation direction: false is top-down, the kernel default. */
  bottomUp = false;
  /** Upper bound used for ACCESSIBLE requests and the cap on every allocation. */
  currentLimit = MEMBLOCK_ALLOC_ANYWHERE;
  /** `movable_node` on the command line: allocations skip HOTPLUG memory. */
  movableNode = false;
  /** `kernelcore=mirror`: without it markMirror does nothing. */
  mirroredKernelcore = false;
  /** Set by the first markMirror; makes allocations ask for MIRROR first. */
  systemHasSomeMirror = false;
  /**
   * memblock_allow_resize: whether full region arrays may double. The kernel
   * starts with it off; the model defaults to on because callers here model
   * the state after setup_arch has allowed it.
   * @default true
   */
  allowResize = true;
  /** Kernel warnings, in order, as one line each. */
  warnings: string[] = [];

  /** Nesting depth of array doubling, so the outermost one can roll back on failure. */
  private doublingDepth = 0;

  // ----- add / reserve -------------------------------------------------------

  /** memblock_add: RAM without a node yet (nid MAX_NUMNODES), flags NONE. */
  add(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    this.addRange(this.memory, base, size, MAX_NUMNODES, MemblockFlag.NONE);
  }

  /** memblock_add_node: RAM on `nid` with `flags` (e.g. HOTPLUG from SRAT). */
  addNode(base: number, size: number, nid: number, flags: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    checkNid(nid);
    checkFlags(flags);
    this.addRange(this.memory, base, size, nid, flags);
  }

  /** memblock_remove: forget RAM in `[base, base + size)`. */
  remove(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    this.removeRange(this.memory, base, size);
  }

  /** memblock_reserve: node NUMA_NO_NODE, flags NONE. */
  reserve(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    this.addRange(this.reserved, base, size, NUMA_NO_NODE, MemblockFlag.NONE);
  }

  /**
   * memblock_reserve_kern: like reserve but with RSRV_KERN, so the region
   * merges with neighbouring allocations made on NUMA_NO_NODE.
   */
  reserveKern(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    this.addRange(this.reserved, base, size, NUMA_NO_NODE, MemblockFlag.RSRV_KERN);
  }

  /** memblock_phys_free: drop `[base, base + size)` from `reserved`. */
  physFree(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    this.removeRange(this.reserved, base, size);
  }

  // ----- flags and nodes -----------------------------------------------------

  markHotplug(base: number, size: number): void {
    this.setClearFlag(this.memory, base, size, true, MemblockFlag.HOTPLUG);
  }

  clearHotplug(base: number, size: number): void {
    this.setClearFlag(this.memory, base, size, false, MemblockFlag.HOTPLUG);
  }

  /** Does nothing unless `kernelcore=mirror`; otherwise notes that mirror exists and marks it. */
  markMirror(base: number, size: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    if (!this.mirroredKernelcore) return;
    this.systemHasSomeMirror = true;
    this.setClearFlag(this.memory, base, size, true, MemblockFlag.MIRROR);
  }

  markNomap(base: number, size: number): void {
    this.setClearFlag(this.memory, base, size, true, MemblockFlag.NOMAP);
  }

  clearNomap(base: number, size: number): void {
    this.setClearFlag(this.memory, base, size, false, MemblockFlag.NOMAP);
  }

  /** memblock_reserved_mark_noinit: RSRV_NOINIT on reserved regions. */
  reservedMarkNoinit(base: number, size: number): void {
    this.setClearFlag(this.reserved, base, size, true, MemblockFlag.RSRV_NOINIT);
  }

  /** memblock_set_node: split at the range edges, assign `nid` inside, merge. */
  setNode(base: number, size: number, type: MemblockTypeName, nid: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    checkTypeName(type);
    checkNid(nid);
    const target = this.typeOf(type);
    const [startIdx, endIdx] = this.isolateRange(target, base, size);
    for (let i = startIdx; i < endIdx; i++) target.regions[i].nid = nid;
    this.mergeRegions(target);
  }

  /**
   * memblock_trim_memory: shrink every memory region to `align` boundaries and
   * drop those that vanish. Neighbours are not merged afterwards (trimming can
   * only open gaps).
   */
  trimMemory(align: number): void {
    checkAlign(align);
    if (align === 0) throw new RangeError('align must be a power of two for trimMemory, got 0');
    const kept: MemblockRegion[] = [];
    for (const r of this.memory.regions) {
      const start = alignUp(r.base, align);
      const end = alignDown(r.base + r.size, align);
      if (start < end) kept.push({ ...r, base: start, size: end - start });
    }
    this.memory.regions = kept;
  }

  // ----- lookups -------------------------------------------------------------

  /**
   * memblock_find_in_range_node: the address of a free, `align`-aligned
   * `size`-byte range within `[start, end]` on `nid` among memory regions that
   * `flags` admits, or 0. `end` ACCESSIBLE/NOLEAKTRACE means current_limit;
   * `start` is raised to PAGE_SIZE so page 0 is never returned.
   */
  findInRangeNode(size: number, align: number, start: number, end: number, nid: number, flags: number): number {
    checkByteValue(size, 'size');
    checkAlign(align);
    checkByteValue(start, 'start');
    checkByteValue(end, 'end');
    checkNid(nid);
    checkFlags(flags);
    if (align === 0) throw new RangeError('align must be a power of two for findInRangeNode, got 0');
    return this.findRange(size, align, start, end, nid, flags);
  }

  /**
   * Free ranges (for_each_free_mem_range, or _reverse): memory regions that
   * pass the filter minus reserved regions, ascending or descending.
   */
  *freeRanges(nid: number, flags: number, reverse = false): Generator<MemblockFreeRange> {
    checkNid(nid);
    checkFlags(flags);
    const ranges = this.collectFreeRanges(this.normaliseIterNid(nid), flags);
    if (reverse) ranges.reverse();
    yield* ranges;
  }

  /**
   * for_each_mem_pfn_range: memory regions as whole pages (`PFN_UP(base)` to
   * `PFN_DOWN(end)`), skipping regions with no whole page, optionally one node.
   * No flag filtering: NOMAP and HOTPLUG memory is included.
   */
  *memPfnRanges(nid: number): Generator<MemblockPfnRange> {
    checkNid(nid);
    const ranges: MemblockPfnRange[] = [];
    for (const r of this.memory.regions) {
      const startPfn = Math.ceil(r.base / PAGE_SIZE);
      const endPfn = Math.floor((r.base + r.size) / PAGE_SIZE);
      if (startPfn >= endPfn) continue;
      if (isValidNode(nid) && r.nid !== nid) continue;
      ranges.push({ startPfn, endPfn, nid: r.nid });
    }
    yield* ranges;
  }

  /** memblock_phys_mem_size: bytes of RAM known to memblock. */
  physMemSize(): number {
    return this.memory.totalSize;
  }

  /** memblock_start_of_DRAM: base of the lowest memory region (0 when none). */
  startOfDram(): number {
    return this.memory.cnt === 0 ? 0 : this.memory.regions[0].base;
  }

  /** memblock_end_of_DRAM: end of the highest memory region (0 when none). */
  endOfDram(): number {
    if (this.memory.cnt === 0) return 0;
    const last = this.memory.regions[this.memory.cnt - 1];
    return last.base + last.size;
  }

  // ----- allocation ----------------------------------------------------------

  /**
   * memblock_alloc_range_nid: find and reserve (RSRV_KERN, on `nid`) `size`
   * bytes aligned to `align` within `[start, end]`. Falls back to any node
   * unless `exactNid`, then from mirrored to any memory (with a warning).
   * `align` 0 means SMP_CACHE_BYTES (with a warning). Returns 0 on failure.
   */
  allocRangeNid(size: number, align: number, start: number, end: number, nid: number, exactNid: boolean): number {
    checkByteValue(size, 'size');
    checkAlign(align);
    checkByteValue(start, 'start');
    checkByteValue(end, 'end');
    checkNid(nid);
    if (typeof exactNid !== 'boolean') throw new RangeError(`exactNid must be a boolean, got ${String(exactNid)}`);
    return this.allocRange(size, align, start, end, nid, exactNid);
  }

  /**
   * memblock_alloc_try_nid: the upper bound is capped at current_limit and is
   * hard; the lower bound is dropped when nothing fits above it. Falls back to
   * other nodes. Returns the physical address, or 0.
   */
  allocTryNid(size: number, align: number, minAddr: number, maxAddr: number, nid: number): number {
    return this.allocInternal(size, align, minAddr, maxAddr, nid, false);
  }

  /** memblock_alloc_try_nid_raw: as {@link allocTryNid}; only the (unmodelled) zeroing differs. */
  allocTryNidRaw(size: number, align: number, minAddr: number, maxAddr: number, nid: number): number {
    return this.allocInternal(size, align, minAddr, maxAddr, nid, false);
  }

  /** memblock_alloc_exact_nid_raw: as {@link allocTryNidRaw} but never on another node. */
  allocExactNidRaw(size: number, align: number, minAddr: number, maxAddr: number, nid: number): number {
    return this.allocInternal(size, align, minAddr, maxAddr, nid, true);
  }

  /** memblock_alloc: anywhere below current_limit, any node. */
  alloc(size: number, align: number): number {
    return this.allocInternal(size, align, 0, MEMBLOCK_ALLOC_ACCESSIBLE, NUMA_NO_NODE, false);
  }

  // ----- what-if support -----------------------------------------------------

  /** Deep copy of every region and setting. */
  clone(): Memblock {
    const copy = new Memblock();
    copy.memory = this.memory.clone();
    copy.reserved = this.reserved.clone();
    copy.bottomUp = this.bottomUp;
    copy.currentLimit = this.currentLimit;
    copy.movableNode = this.movableNode;
    copy.mirroredKernelcore = this.mirroredKernelcore;
    copy.systemHasSomeMirror = this.systemHasSomeMirror;
    copy.allowResize = this.allowResize;
    copy.warnings = [...this.warnings];
    return copy;
  }

  // ===========================================================================
  // Internals

  private typeOf(name: MemblockTypeName): MemblockType {
    return name === 'memory' ? this.memory : this.reserved;
  }

  /** MAX_NUMNODES as an iteration node is deprecated: the kernel warns and uses NUMA_NO_NODE. */
  private normaliseIterNid(nid: number): number {
    if (nid !== MAX_NUMNODES) return nid;
    this.warnings.push('memblock: MAX_NUMNODES passed as a node selector is deprecated; treating it as NUMA_NO_NODE');
    return NUMA_NO_NODE;
  }

  /** choose_memblock_flags: ask for mirrored memory once any exists. */
  private chooseFlags(): number {
    return this.systemHasSomeMirror ? MemblockFlag.MIRROR : MemblockFlag.NONE;
  }

  /**
   * memblock_add_range. Only the gaps of `[base, base + size)` that no region
   * covers are inserted; existing regions keep their node and flags. The
   * kernel warns when a gap is inserted below an overlapped region whose node
   * differs, or whose flags differ while the new flags are not NONE.
   */
  private addRange(type: MemblockType, base: number, size: number, nid: number, flags: number): void {
    if (size === 0) return;
    const end = base + capSize(base, size);

    let gaps = this.uncoveredGaps(type, base, end);
    if (gaps.length === 0) return;
    if (type.cnt + gaps.length > type.max) {
      while (type.cnt + gaps.length > type.max) this.doubleArray(type, base, end - base);
      // Doubling may have reserved the new array; recount against the current state.
      gaps = this.uncoveredGaps(type, base, end);
      if (gaps.length === 0) return;
    }

    for (const gap of gaps) {
      const above = gap.above;
      if (above && (above.nid !== nid || (flags !== MemblockFlag.NONE && above.flags !== flags))) {
        this.warnings.push(
          `memblock: ${type.name} range [${hex(base)}, ${hex(end)}) nid ${nid} flags ${flagNames(flags)} ` +
            `overlaps [${hex(above.base)}, ${hex(above.base + above.size)}) with nid ${above.nid} flags ${flagNames(above.flags)}`,
        );
      }
    }
    for (const gap of gaps) type.regions.push({ base: gap.base, size: gap.end - gap.base, flags, nid });
    type.regions.sort((a, b) => a.base - b.base);
    this.mergeRegions(type);
  }

  /**
   * The pieces of `[base, end)` not covered by any region of `type`,
   * ascending. `above` is the overlapped region a piece ends against, or null
   * for the piece that runs to `end`.
   */
  private uncoveredGaps(type: MemblockType, base: number, end: number): UncoveredGap[] {
    const gaps: UncoveredGap[] = [];
    let cursor = base;
    for (const r of type.regions) {
      const rEnd = r.base + r.size;
      if (r.base >= end) break;
      if (rEnd <= cursor) continue;
      if (r.base > cursor) gaps.push({ base: cursor, end: r.base, above: r });
      cursor = Math.min(rEnd, end);
    }
    if (cursor < end) gaps.push({ base: cursor, end, above: null });
    return gaps;
  }

  /** memblock_merge_regions: join neighbours that touch with the same node and flags. */
  private mergeRegions(type: MemblockType): void {
    const merged: MemblockRegion[] = [];
    for (const r of type.regions) {
      const prev = merged[merged.length - 1];
      if (prev && canMerge(prev, r)) prev.size += r.size;
      else merged.push(r);
    }
    type.regions = merged;
  }

  /**
   * memblock_isolate_range: split regions that cross either edge of
   * `[base, base + size)` and return the index span `[startIdx, endIdx)` of
   * regions now wholly inside. Makes room for two more regions first, as the
   * kernel does, whether or not a split turns out to be needed.
   */
  private isolateRange(type: MemblockType, base: number, size: number): [number, number] {
    if (size === 0) return [0, 0];
    const end = base + capSize(base, size);
    while (type.cnt + 2 > type.max) this.doubleArray(type, base, end - base);

    const split: MemblockRegion[] = [];
    let startIdx = -1;
    let endIdx = -1;
    for (const r of type.regions) {
      const rEnd = r.base + r.size;
      if (rEnd <= base || r.base >= end) {
        split.push(r);
        continue;
      }
      if (r.base < base) split.push({ ...r, size: base - r.base });
      const innerBase = Math.max(r.base, base);
      const innerEnd = Math.min(rEnd, end);
      if (startIdx < 0) startIdx = split.length;
      split.push({ ...r, base: innerBase, size: innerEnd - innerBase });
      endIdx = split.length;
      if (rEnd > end) split.push({ ...r, base: end, size: rEnd - end });
    }
    type.regions = split;
    return startIdx < 0 ? [0, 0] : [startIdx, endIdx];
  }

  /** memblock_remove_range: isolate, then delete the regions inside. */
  private removeRange(type: MemblockType, base: number, size: number): void {
    const [startIdx, endIdx] = this.isolateRange(type, base, size);
    type.regions.splice(startIdx, endIdx - startIdx);
  }

  /** memblock_setclr_flag: isolate, set or clear `flag` inside, merge. */
  private setClearFlag(type: MemblockType, base: number, size: number, set: boolean, flag: number): void {
    checkByteValue(base, 'base');
    checkByteValue(size, 'size');
    const [startIdx, endIdx] = this.isolateRange(type, base, size);
    for (let i = startIdx; i < endIdx; i++) {
      const r = type.regions[i];
      r.flags = set ? r.flags | flag : r.flags & ~flag;
    }
    this.mergeRegions(type);
  }

  /**
   * memblock_double_array. The new array (twice the entries, page aligned)
   * comes from free memory below current_limit; when doubling `reserved`, the
   * range about to be reserved is avoided. The old array, if it was not the
   * static one, is freed and the new one reserved with RSRV_KERN.
   *
   * Callers mutate nothing before calling this, so on failure the outermost
   * call restores the state it found and the whole operation has no effect.
   */
  private doubleArray(type: MemblockType, newAreaStart: number, newAreaSize: number): void {
    const oldMax = type.max;
    if (!this.allowResize) {
      throw new Error(
        `memblock: the ${type.name} region array is full (${oldMax} entries) and resizing is not allowed ` +
          '(memblock_allow_resize was not called); the kernel would fail or panic here',
      );
    }

    const snapshot = this.doublingDepth === 0 ? this.snapshotState() : null;
    this.doublingDepth++;
    try {
      const oldAllocBytes = pageAlign(oldMax * SIZE_OF_MEMBLOCK_REGION);
      const newAllocBytes = pageAlign(oldMax * 2 * SIZE_OF_MEMBLOCK_REGION);
      if (type !== this.reserved) {
        newAreaStart = 0;
        newAreaSize = 0;
      }
      let addr = this.findRangeAnyMirror(newAreaStart + newAreaSize, this.currentLimit, newAllocBytes, PAGE_SIZE);
      if (!addr && newAreaSize) {
        addr = this.findRangeAnyMirror(0, Math.min(newAreaStart, this.currentLimit), newAllocBytes, PAGE_SIZE);
      }
      if (!addr) {
        throw new Error(
          `memblock: no free memory for a ${newAllocBytes}-byte array to grow ${type.name} from ${oldMax} to ${oldMax * 2} entries`,
        );
      }
      // Move first: the array being doubled may be `reserved` itself, and the
      // reservation below needs the room.
      const oldArrayBase = type.arrayBase;
      type.max = oldMax * 2;
      type.arrayBase = addr;
      if (oldArrayBase !== null) this.removeRange(this.reserved, oldArrayBase, oldAllocBytes);
      this.addRange(this.reserved, addr, newAllocBytes, NUMA_NO_NODE, MemblockFlag.RSRV_KERN);
    } catch (err) {
      if (snapshot) this.restoreState(snapshot);
      throw err;
    } finally {
      this.doublingDepth--;
    }
  }

  private snapshotState(): { memory: MemblockType; reserved: MemblockType; warningCount: number } {
    return { memory: this.memory.clone(), reserved: this.reserved.clone(), warningCount: this.warnings.length };
  }

  private restoreState(snapshot: { memory: MemblockType; reserved: MemblockType; warningCount: number }): void {
    // Restore in place so references callers hold to the type objects stay valid.
    this.memory.regions = snapshot.memory.regions;
    this.memory.max = snapshot.memory.max;
    this.memory.arrayBase = snapshot.memory.arrayBase;
    this.reserved.regions = snapshot.reserved.regions;
    this.reserved.max = snapshot.reserved.max;
    this.reserved.arrayBase = snapshot.reserved.arrayBase;
    this.warnings.length = snapshot.warningCount;
  }

  /**
   * should_skip_region for memory regions (reserved regions are never
   * filtered): wrong node; HOTPLUG under movable_node unless asked for;
   * not mirrored when MIRROR is asked for; NOMAP or DRIVER_MANAGED unless
   * asked for; not KHO scratch when KHO_SCRATCH is asked for.
   */
  private shouldSkipMemory(r: MemblockRegion, nid: number, flags: number): boolean {
    if (isValidNode(nid) && nid !== r.nid) return true;
    if (this.movableNode && (r.flags & MemblockFlag.HOTPLUG) && !(flags & MemblockFlag.HOTPLUG)) return true;
    if ((flags & MemblockFlag.MIRROR) && !(r.flags & MemblockFlag.MIRROR)) return true;
    if (!(flags & MemblockFlag.NOMAP) && (r.flags & MemblockFlag.NOMAP)) return true;
    if (!(flags & MemblockFlag.DRIVER_MANAGED) && (r.flags & MemblockFlag.DRIVER_MANAGED)) return true;
    if ((flags & MemblockFlag.KHO_SCRATCH) && !(r.flags & MemblockFlag.KHO_SCRATCH)) return true;
    return false;
  }

  /** Memory regions passing the filter, minus reserved regions, ascending (__next_mem_range). */
  private collectFreeRanges(nid: number, flags: number): MemblockFreeRange[] {
    const ranges: MemblockFreeRange[] = [];
    const rsv = this.reserved.regions;
    let firstRsv = 0;
    for (const m of this.memory.regions) {
      const mEnd = m.base + m.size;
      // Reservations ending at or below this region cannot touch later (higher) regions either.
      while (firstRsv < rsv.length && rsv[firstRsv].base + rsv[firstRsv].size <= m.base) firstRsv++;
      if (this.shouldSkipMemory(m, nid, flags)) continue;
      let cursor = m.base;
      for (let k = firstRsv; k < rsv.length && rsv[k].base < mEnd; k++) {
        if (rsv[k].base > cursor) ranges.push({ base: cursor, end: rsv[k].base, nid: m.nid });
        cursor = Math.max(cursor, rsv[k].base + rsv[k].size);
      }
      if (cursor < mEnd) ranges.push({ base: cursor, end: mEnd, nid: m.nid });
    }
    return ranges;
  }

  /** memblock_find_in_range_node without argument checks. */
  private findRange(size: number, align: number, start: number, end: number, nid: number, flags: number): number {
    if (end === MEMBLOCK_ALLOC_ACCESSIBLE || end === MEMBLOCK_ALLOC_NOLEAKTRACE) end = this.currentLimit;
    start = Math.max(start, PAGE_SIZE);
    end = Math.max(start, end);
    const ranges = this.collectFreeRanges(nid, flags);

    if (this.bottomUp) {
      for (const r of ranges) {
        const thisStart = clamp(r.base, start, end);
        const thisEnd = clamp(r.end, start, end);
        const cand = alignUp(thisStart, align);
        if (cand < thisEnd && thisEnd - cand >= size) return cand;
      }
      return 0;
    }
    for (let i = ranges.length - 1; i >= 0; i--) {
      const thisStart = clamp(ranges[i].base, start, end);
      const thisEnd = clamp(ranges[i].end, start, end);
      if (thisEnd < size) continue;
      const cand = alignDown(thisEnd - size, align);
      if (cand >= thisStart) return cand;
    }
    return 0;
  }

  /** memblock_find_in_range: any node, mirrored first when mirror exists. */
  private findRangeAnyMirror(start: number, end: number, size: number, align: number): number {
    let flags = this.chooseFlags();
    for (;;) {
      const found = this.findRange(size, align, start, end, NUMA_NO_NODE, flags);
      if (found || !(flags & MemblockFlag.MIRROR)) return found;
      this.warnMirrorFallback(size);
      flags &= ~MemblockFlag.MIRROR;
    }
  }

  private warnMirrorFallback(size: number): void {
    this.warnings.push(`memblock: not enough mirrored memory for ${size} bytes (${hex(size)}); using non-mirrored memory`);
  }

  /** memblock_alloc_range_nid without argument checks. */
  private allocRange(size: number, align: number, start: number, end: number, nid: number, exactNid: boolean): number {
    let flags = this.chooseFlags();
    if (align === 0) {
      this.warnings.push(`memblock: allocation of ${size} bytes asked for alignment 0; using SMP_CACHE_BYTES (${SMP_CACHE_BYTES})`);
      align = SMP_CACHE_BYTES;
    }
    if (nid === MAX_NUMNODES) {
      this.warnings.push('memblock: MAX_NUMNODES passed as an allocation node is deprecated; treating it as NUMA_NO_NODE');
      nid = NUMA_NO_NODE;
    }
    for (;;) {
      let found = this.findRange(size, align, start, end, nid, flags);
      if (found) {
        this.addRange(this.reserved, found, size, nid, MemblockFlag.RSRV_KERN);
        return found;
      }
      if (isValidNode(nid) && !exactNid) {
        found = this.findRange(size, align, start, end, NUMA_NO_NODE, flags);
        if (found) {
          this.addRange(this.reserved, found, size, NUMA_NO_NODE, MemblockFlag.RSRV_KERN);
          return found;
        }
      }
      if (!(flags & MemblockFlag.MIRROR)) return 0;
      flags &= ~MemblockFlag.MIRROR;
      this.warnMirrorFallback(size);
    }
  }

  /** memblock_alloc_internal: cap at current_limit; drop the lower bound on failure. */
  private allocInternal(size: number, align: number, minAddr: number, maxAddr: number, nid: number, exactNid: boolean): number {
    checkByteValue(size, 'size');
    checkAlign(align);
    checkByteValue(minAddr, 'minAddr');
    checkByteValue(maxAddr, 'maxAddr');
    checkNid(nid);
    if (maxAddr > this.currentLimit) maxAddr = this.currentLimit;
    let found = this.allocRange(size, align, minAddr, maxAddr, nid, exactNid);
    if (!found && minAddr) found = this.allocRange(size, align, 0, maxAddr, nid, exactNid);
    return found;
  }
}
