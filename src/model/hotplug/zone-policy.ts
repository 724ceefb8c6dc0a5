/**
 * Which zone an online puts a memory block into (mm/memory_hotplug.c
 * `zone_for_pfn_range`), and the `valid_zones` text that previews it
 * (drivers/base/memory.c `valid_zones_show`).
 *
 * ```
 *   online_kernel  --> default kernel zone: DMA or DMA32 if its span meets the range, else Normal
 *   online_movable --> Movable, unconditionally (no ratio check; zones may overlap)
 *   online         --> online_policy:
 *                        contig-zones : the one zone already spanning the range, else
 *                                       Movable under movable_node, else the kernel zone
 *                        auto-movable : Movable while MOVABLE stays within ratio% of the
 *                                       boot ("early") kernel memory, else the kernel zone
 * ```
 *
 * Everything here is pure: it reads zones, groups and section states through
 * a small {@link ZonePolicyContext} and returns a zone index. It never loops
 * over pages; the widest loop is over the sections of one dynamic-group unit.
 *
 * Arithmetic follows the kernel's unsigned integer arithmetic where it shows:
 * divisions truncate, and the ratio product, which can pass 2^53 on a
 * multi-petabyte machine with a large ratio, is computed exactly.
 */
import { PAGES_PER_SECTION } from '../../contract/constants.js';
import { ModelError } from '../core/errors.js';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../core/mmzone.js';
import type { OnlinePolicy } from '../core/state.js';
import type { OnlineRequestType } from '../core/types.js';
import type { MemoryGroup } from './memory-groups.js';

/** One zone of one node, as the policy reads it. */
export interface ZoneView {
  nid: number;
  zoneIdx: number;
  /** zone_start_pfn; meaningless when spannedPages is 0. */
  zoneStartPfn: number;
  /** 0 for an empty zone: an empty zone never intersects anything. */
  spannedPages: number;
  presentPages: number;
  /** Present pages from boot memory: the only kernel memory that backs ZONE_MOVABLE. */
  presentEarlyPages: number;
  /** CMA pages inside the zone: they behave like ZONE_MOVABLE for the budget. */
  cmaPages: number;
}

/** The online-policy module parameters (/sys/module/memory_hotplug/parameters) and movable_node. */
export interface ZonePolicyParams {
  onlinePolicy: OnlinePolicy;
  /** auto_movable_ratio: MOVABLE may be this percent of early kernel memory (uint, default 301). */
  autoMovableRatio: number;
  /** auto_movable_numa_aware: also apply the ratio per node (default true). */
  autoMovableNumaAware: boolean;
  /** movable_node on the kernel command line: contig-zones prefers Movable for unclaimed ranges. */
  movableNode: boolean;
}

export interface ZonePolicyContext {
  params: ZonePolicyParams;
  /** Zone `zoneIdx` of node `nid`; empty zones have spannedPages 0. */
  zone(nid: number, zoneIdx: number): ZoneView;
  /** Zones with present pages, of one node or (null) of all nodes. */
  populatedZones(nid: number | null): ZoneView[];
  /** Every registered memory group. */
  groups(): readonly MemoryGroup[];
  /** Zone index of an online section, or null if the section is not online (for dynamic-group units). */
  onlineSectionZone(sectionNr: number): number | null;
  /** Pages per memory block: onlines and previews always cover whole blocks. */
  pagesPerBlock: number;
}

/** auto_movable_ratio is a kernel uint. */
const MAX_AUTO_MOVABLE_RATIO = 0xffffffff;

/**
 * zone_intersects: the zone's span, holes included, meets `[startPfn, startPfn + nrPages)`.
 * An empty zone (spannedPages 0) intersects nothing, wherever its start pfn points.
 */
export function zoneIntersects(zone: ZoneView, startPfn: number, nrPages: number): boolean {
  if (zone.spannedPages === 0) return false;
  return startPfn < zone.zoneStartPfn + zone.spannedPages && startPfn + nrPages > zone.zoneStartPfn;
}

/**
 * default_kernel_zone_for_pfn: the first of DMA and DMA32 whose current span
 * meets the range, else Normal. movable_node plays no part.
 */
export function defaultKernelZoneForPfn(ctx: ZonePolicyContext, nid: number, startPfn: number, nrPages: number): number {
  for (const zoneIdx of [ZONE_DMA, ZONE_DMA32]) {
    if (zoneIntersects(ctx.zone(nid, zoneIdx), startPfn, nrPages)) return zoneIdx;
  }
  return ZONE_NORMAL;
}

/**
 * default_zone_for_pfn (online_policy=contig-zones): inherit the zone when
 * exactly one of the kernel zone and Movable already spans the range, so
 * zones stay contiguous. When neither or both do, movable_node decides:
 * Movable with it, the kernel zone without.
 */
export function defaultZoneForPfn(ctx: ZonePolicyContext, nid: number, startPfn: number, nrPages: number): number {
  const kernelZoneIdx = defaultKernelZoneForPfn(ctx, nid, startPfn, nrPages);
  const inKernel = zoneIntersects(ctx.zone(nid, kernelZoneIdx), startPfn, nrPages);
  const inMovable = zoneIntersects(ctx.zone(nid, ZONE_MOVABLE), startPfn, nrPages);
  if (inKernel !== inMovable) return inKernel ? kernelZoneIdx : ZONE_MOVABLE;
  return ctx.params.movableNode ? ZONE_MOVABLE : kernelZoneIdx;
}

function sameGroup(a: MemoryGroup, b: MemoryGroup | null): boolean {
  return b !== null && a.id === b.id;
}

/**
 * auto_movable_can_online_movable: could `nrPages` more pages go to
 * ZONE_MOVABLE and keep MOVABLE within `ratio`% of the early kernel memory,
 * counted over node `nid` or, for null, the whole machine?
 *
 * - MOVABLE is the present pages of Movable zones plus CMA pages of kernel
 *   zones; the kernel side is the *early* present pages of kernel zones minus
 *   their CMA pages. Hot-added kernel memory never raises the budget.
 * - Every other dynamic group (of that node, unless counting globally) first
 *   claims the early kernel memory its own movable pages need at this ratio,
 *   net of the kernel memory it brought itself; its movable pages then leave
 *   the count, since that claim already pays for them.
 * - A dynamic `group` may back movable memory with its own kernel pages.
 */
export function autoMovableCanOnlineMovable(
  ctx: ZonePolicyContext,
  nid: number | null,
  group: MemoryGroup | null,
  nrPages: number,
): boolean {
  const ratio = checkedRatio(ctx.params);
  if (nid !== null) checkNid(nid);
  if (!Number.isSafeInteger(nrPages) || nrPages < 0) {
    throw new ModelError('EINVAL', `nrPages must be a non-negative integer, got ${nrPages}`);
  }

  let movablePages = 0;
  let kernelEarlyPages = 0;
  for (const zone of ctx.populatedZones(nid)) {
    if (zone.zoneIdx === ZONE_MOVABLE) {
      movablePages += zone.presentPages;
    } else {
      kernelEarlyPages += zone.presentEarlyPages - zone.cmaPages;
      movablePages += zone.cmaPages;
    }
  }

  let requiredKernelEarlyPages = 0;
  let groupMovablePages = 0;
  for (const other of ctx.groups()) {
    if (other.kind !== 'dynamic' || sameGroup(other, group)) continue;
    if (nid !== null && other.nid !== nid) continue;
    // A ratio of 0 never reaches here through zoneForPfnRange; the kernel
    // skips the accounting rather than divide by zero, and so do we.
    if (ratio === 0) continue;
    const required = Math.floor((other.presentMovablePages * 100) / ratio) - other.presentKernelPages;
    if (required > 0) requiredKernelEarlyPages += required;
    groupMovablePages += other.presentMovablePages;
  }

  if (kernelEarlyPages <= requiredKernelEarlyPages) return false;
  kernelEarlyPages -= requiredKernelEarlyPages;
  movablePages -= groupMovablePages;
  if (group !== null && group.kind === 'dynamic') kernelEarlyPages += group.presentKernelPages;

  return BigInt(movablePages + nrPages) <= (BigInt(ratio) * BigInt(kernelEarlyPages)) / 100n;
}

/**
 * auto_movable_zone_for_pfn (online_policy=auto-movable).
 *
 * The question asked is "could everything still to come of this device go
 * Movable right now?", so that a device lands in one zone when nobody
 * interferes:
 * - no group, or a dynamic group whose unit is this block: just this range;
 * - a static group: the rest of the device (maxPages minus what is already
 *   online Movable); once any of it went to a kernel zone, all the rest does;
 * - a dynamic group with multi-block units: the rest of this unit; if any
 *   online section of the unit is in a kernel zone, the kernel zone.
 */
function autoMovableZoneForPfn(
  ctx: ZonePolicyContext,
  nid: number,
  group: MemoryGroup | null,
  startPfn: number,
  nrPages: number,
): number {
  // The kernel zone is asked for the range as the decision left it: the
  // unit's section being looked at, or the pages still needed.
  let pfn = startPfn;
  let pages = nrPages;
  const kernelZone = (): number => defaultKernelZoneForPfn(ctx, nid, pfn, pages);

  if (ctx.params.autoMovableRatio === 0) return kernelZone();

  let maxPages: number;
  let onlinePages = 0;
  if (group !== null && group.kind === 'static') {
    maxPages = group.maxPages;
    onlinePages = group.presentMovablePages;
    if (group.presentKernelPages > 0) return kernelZone();
  } else if (group === null || group.unitPages === pages) {
    maxPages = pages;
  } else {
    maxPages = group.unitPages;
    // Dynamic groups only hold hot-added memory, whose sections each belong
    // to one zone, so one look per section tells the unit's zones.
    pfn = Math.floor(pfn / group.unitPages) * group.unitPages;
    const unitEndPfn = pfn + group.unitPages;
    for (; pfn < unitEndPfn; pfn += PAGES_PER_SECTION) {
      const zoneIdx = ctx.onlineSectionZone(pfn / PAGES_PER_SECTION);
      if (zoneIdx === null) continue;
      if (zoneIdx !== ZONE_MOVABLE) return kernelZone();
      onlinePages += PAGES_PER_SECTION;
    }
  }

  pages = maxPages - onlinePages;
  // Counters past the device size would wrap the kernel's unsigned count to
  // something huge, which can never fit the budget.
  if (pages < 0) return kernelZone();
  if (!autoMovableCanOnlineMovable(ctx, null, group, pages)) return kernelZone();
  if (ctx.params.autoMovableNumaAware && !autoMovableCanOnlineMovable(ctx, nid, group, pages)) return kernelZone();
  return ZONE_MOVABLE;
}

/**
 * zone_for_pfn_range: the zone index an online of `[startPfn, startPfn + nrPages)`
 * on node `nid` with `onlineType` would use. `group` is the block's memory
 * group, or null (probe interface, boot memory).
 * @throws {ModelError} EINVAL for an unknown online type, a negative or
 * non-integer nid, a range that is not whole memory blocks, or a ratio that
 * is not a kernel uint.
 */
export function zoneForPfnRange(
  ctx: ZonePolicyContext,
  onlineType: OnlineRequestType,
  nid: number,
  group: MemoryGroup | null,
  startPfn: number,
  nrPages: number,
): number {
  checkNid(nid);
  checkBlockRange(ctx, startPfn, nrPages);
  switch (onlineType) {
    case 'online_kernel':
      return defaultKernelZoneForPfn(ctx, nid, startPfn, nrPages);
    case 'online_movable':
      return ZONE_MOVABLE;
    case 'online':
      if (ctx.params.onlinePolicy === 'auto-movable') {
        checkedRatio(ctx.params);
        return autoMovableZoneForPfn(ctx, nid, group, startPfn, nrPages);
      }
      return defaultZoneForPfn(ctx, nid, startPfn, nrPages);
    default:
      throw new ModelError('EINVAL', `onlineType must be online, online_kernel or online_movable, got ${String(onlineType)}`);
  }
}

/**
 * `valid_zones` of an offline block, without the newline: the zone a plain
 * online would pick, then the online_kernel zone if it differs, then
 * "Movable" if that differs, e.g. "Normal Movable" or "Movable Normal".
 */
export function validZonesText(
  ctx: ZonePolicyContext,
  nid: number,
  group: MemoryGroup | null,
  startPfn: number,
  nrPages: number,
): string {
  const defaultZoneIdx = zoneForPfnRange(ctx, 'online', nid, group, startPfn, nrPages);
  const names: string[] = [ZONE_NAMES[defaultZoneIdx]];
  for (const onlineType of ['online_kernel', 'online_movable'] as const) {
    const zoneIdx = zoneForPfnRange(ctx, onlineType, nid, group, startPfn, nrPages);
    if (zoneIdx !== defaultZoneIdx) names.push(ZONE_NAMES[zoneIdx]);
  }
  return names.join(' ');
}

function checkNid(nid: number): void {
  if (!Number.isSafeInteger(nid) || nid < 0) throw new ModelError('EINVAL', `nid must be a non-negative integer, got ${nid}`);
}

function checkBlockRange(ctx: ZonePolicyContext, startPfn: number, nrPages: number): void {
  const blockPages = ctx.pagesPerBlock;
  if (!Number.isSafeInteger(startPfn) || startPfn < 0 || startPfn % blockPages !== 0) {
    throw new ModelError('EINVAL', `startPfn must be a memory block boundary (${blockPages} pages), got ${startPfn}`);
  }
  if (!Number.isSafeInteger(nrPages) || nrPages <= 0 || nrPages % blockPages !== 0) {
    throw new ModelError('EINVAL', `nrPages must be a positive multiple of a memory block (${blockPages} pages), got ${nrPages}`);
  }
}

function checkedRatio(params: ZonePolicyParams): number {
  const ratio = params.autoMovableRatio;
  if (!Number.isSafeInteger(ratio) || ratio < 0 || ratio > MAX_AUTO_MOVABLE_RATIO) {
    throw new ModelError('EINVAL', `autoMovableRatio must be an integer in [0, ${MAX_AUTO_MOVABLE_RATIO}], got ${ratio}`);
  }
  return ratio;
}
