/**
 * Memory groups (drivers/base/memory.c, `struct memory_group`): memory blocks
 * that one driver adds and removes together, so the auto-movable online
 * policy can decide for the device as a whole.
 *
 * - A **static** group is a device that arrives and leaves in one piece: an
 *   ACPI memory device (a DIMM) or dax/kmem. `maxPages` is the whole device.
 * - A **dynamic** group grows and shrinks in units of `unitPages` (virtio-mem).
 *   A unit is a power of two of at least one memory block.
 *
 * Each group counts the present pages it has online in ZONE_MOVABLE and in
 * the kernel zones (the group part of `adjust_present_page_count`); the
 * zone policy reads those counters, and the hotplug lifecycle keeps them.
 *
 * Group ids are small integers handed out lowest-free-first from 0, as the
 * kernel's allocating xarray does, so an unregistered id is reused.
 */
import { ModelError } from '../core/errors.js';
import { ZONE_MOVABLE } from '../core/mmzone.js';
import { isPowerOfTwo } from '../core/pfn-ranges.js';

export type MemoryGroupKind = 'static' | 'dynamic';

interface MemoryGroupCounters {
  /** Group id (the `mgid` an ACPI device passes with MHP_NID_IS_MGID). */
  readonly id: number;
  /** The node all memory of the group is added to. */
  readonly nid: number;
  /** Present pages of the group online in a kernel zone (DMA, DMA32, Normal). */
  readonly presentKernelPages: number;
  /** Present pages of the group online in ZONE_MOVABLE. */
  readonly presentMovablePages: number;
  /** Memory blocks (online or not) that belong to the group; unregistering needs 0. */
  readonly nrMemoryBlocks: number;
}

/** A device added and removed in one piece (ACPI DIMM, dax/kmem). */
export interface StaticMemoryGroup extends MemoryGroupCounters {
  readonly kind: 'static';
  /** Pages of the whole device (PFN_UP of its length); always > 0. */
  readonly maxPages: number;
}

/** A device resized in units (virtio-mem). */
export interface DynamicMemoryGroup extends MemoryGroupCounters {
  readonly kind: 'dynamic';
  /** Pages per unit: a power of two, at least one memory block. */
  readonly unitPages: number;
}

export type MemoryGroup = StaticMemoryGroup | DynamicMemoryGroup;

export interface MemoryGroupRegistryOptions {
  /** Pages per memory block: the smallest unit a dynamic group may use. */
  pagesPerBlock: number;
  /**
   * node_possible: groups can only name a node the firmware declared.
   * When omitted every non-negative nid is accepted.
   */
  isNodePossible?: (nid: number) => boolean;
}

/** The registry's own, writable copy of a group. */
type GroupRecord = { -readonly [K in keyof StaticMemoryGroup]: StaticMemoryGroup[K] } | { -readonly [K in keyof DynamicMemoryGroup]: DynamicMemoryGroup[K] };

/** The machine's memory groups, keyed by id. */
export class MemoryGroupRegistry {
  private readonly groups = new Map<number, GroupRecord>();
  private readonly pagesPerBlock: number;
  private readonly isNodePossible: (nid: number) => boolean;

  constructor(options: MemoryGroupRegistryOptions) {
    if (!isPowerOfTwo(options.pagesPerBlock)) {
      throw new ModelError('EINVAL', `pagesPerBlock must be a positive power of two, got ${options.pagesPerBlock}`);
    }
    this.pagesPerBlock = options.pagesPerBlock;
    this.isNodePossible = options.isNodePossible ?? (() => true);
  }

  /**
   * memory_group_register_static: a device of `maxPages` pages on `nid`.
   * @throws {ModelError} EINVAL when `maxPages` is not a positive integer or `nid` is not possible.
   */
  registerStatic(nid: number, maxPages: number): StaticMemoryGroup {
    if (!Number.isSafeInteger(maxPages) || maxPages <= 0) {
      throw new ModelError('EINVAL', `maxPages must be a positive integer, got ${maxPages}`);
    }
    this.checkNid(nid);
    const group: GroupRecord = { ...this.emptyCounters(nid), kind: 'static', maxPages };
    this.groups.set(group.id, group);
    return group as StaticMemoryGroup;
  }

  /**
   * memory_group_register_dynamic: a device on `nid` resized in units of `unitPages`.
   * @throws {ModelError} EINVAL when `unitPages` is not a power of two of at
   * least one memory block, or `nid` is not possible.
   */
  registerDynamic(nid: number, unitPages: number): DynamicMemoryGroup {
    if (!isPowerOfTwo(unitPages) || unitPages < this.pagesPerBlock) {
      throw new ModelError(
        'EINVAL',
        `unitPages must be a power of two of at least one memory block (${this.pagesPerBlock} pages), got ${unitPages}`,
      );
    }
    this.checkNid(nid);
    const group: GroupRecord = { ...this.emptyCounters(nid), kind: 'dynamic', unitPages };
    this.groups.set(group.id, group);
    return group as DynamicMemoryGroup;
  }

  /** memory_group_find_by_id: the group, or undefined for an unknown id. */
  get(id: number): MemoryGroup | undefined {
    return this.groups.get(id);
  }

  /**
   * memory_group_unregister.
   * @throws {ModelError} EINVAL for an unknown id; EBUSY while memory blocks
   * still belong to the group or it still has present pages.
   */
  unregister(id: number): void {
    const group = this.require(id);
    if (group.nrMemoryBlocks > 0 || group.presentKernelPages > 0 || group.presentMovablePages > 0) {
      throw new ModelError(
        'EBUSY',
        `memory group ${id} still holds ${group.nrMemoryBlocks} memory blocks and ` +
          `${group.presentKernelPages + group.presentMovablePages} present pages`,
      );
    }
    this.groups.delete(id);
  }

  /** Every group, ascending id. */
  all(): readonly MemoryGroup[] {
    return [...this.groups.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * The group part of adjust_present_page_count: `deltaPages` pages of the
   * group went online (positive) or offline (negative) in zone `zoneIdx`.
   * @throws {ModelError} EINVAL for an unknown id, a non-integer delta, or a
   * counter that would go negative (the group is left unchanged).
   */
  adjustPresentPages(id: number, zoneIdx: number, deltaPages: number): void {
    const group = this.require(id);
    if (!Number.isSafeInteger(deltaPages)) {
      throw new ModelError('EINVAL', `deltaPages must be an integer, got ${deltaPages}`);
    }
    if (zoneIdx === ZONE_MOVABLE) {
      const next = group.presentMovablePages + deltaPages;
      if (next < 0) throw new ModelError('EINVAL', `memory group ${id}: presentMovablePages would go negative (${next})`);
      group.presentMovablePages = next;
    } else {
      const next = group.presentKernelPages + deltaPages;
      if (next < 0) throw new ModelError('EINVAL', `memory group ${id}: presentKernelPages would go negative (${next})`);
      group.presentKernelPages = next;
    }
  }

  /**
   * Memory blocks joined (positive `deltaBlocks`, at hot-add) or left
   * (negative, at hot-remove) the group.
   * @throws {ModelError} EINVAL for an unknown id, a non-integer delta, or a
   * count that would go negative.
   */
  adjustMemoryBlocks(id: number, deltaBlocks: number): void {
    const group = this.require(id);
    if (!Number.isSafeInteger(deltaBlocks)) {
      throw new ModelError('EINVAL', `deltaBlocks must be an integer, got ${deltaBlocks}`);
    }
    const next = group.nrMemoryBlocks + deltaBlocks;
    if (next < 0) throw new ModelError('EINVAL', `memory group ${id}: nrMemoryBlocks would go negative (${next})`);
    group.nrMemoryBlocks = next;
  }

  private require(id: number): GroupRecord {
    const group = this.groups.get(id);
    if (group === undefined) throw new ModelError('EINVAL', `no memory group with id ${id}`);
    return group;
  }

  private checkNid(nid: number): void {
    if (!Number.isSafeInteger(nid) || nid < 0 || !this.isNodePossible(nid)) {
      throw new ModelError('EINVAL', `nid ${nid} is not a possible node`);
    }
  }

  /** Counters of a new group, with the lowest free id. */
  private emptyCounters(nid: number): { -readonly [K in keyof MemoryGroupCounters]: MemoryGroupCounters[K] } {
    let id = 0;
    while (this.groups.has(id)) id++;
    return { id, nid, presentKernelPages: 0, presentMovablePages: 0, nrMemoryBlocks: 0 };
  }
}
