/**
 * Zone and node accounting for onlining and offlining a pfn range
 * (mm/memory_hotplug.c: `online_pages`, `offline_pages`, `adjust_present_page_count`, `shrink_zone_span`): spans grow at online and shrink at offline, present,
 * present-early and managed pages follow the pages, node states follow the
 * present pages. Hot-add and hot-remove never come here: they do not touch
 * zones.
 *
 * ```
 *  online  [start, end) into zone Z of node N:
 *     Z.span  = hull(Z.span, [start, end))            resize_zone_range
 *     N.span  = hull(N.span, [start, end))            resize_pgdat_range
 *  offline [start, end) out of Z:
 *     [start, end) at Z's start: start moves up to the next online subsection of Z
 *     [start, end) at Z's end:   end moves down to the last online subsection of Z
 *     in the middle:             the span keeps a hole          shrink_zone_span
 *     N.span  = hull of N's non-empty zones                      update_pgdat_span
 * ```
 *
 * The "online pfns of the zone" are its member ranges after the offline took
 * the range out. The kernel probes subsection by subsection (2 MiB), so the
 * shrunk edges land on subsection boundaries.
 */
import { PAGES_PER_SUBSECTION } from '../core/kernel.js';
import { ZONE_NORMAL } from '../core/mmzone.js';
import { addRange, alignDown, alignUp, subtractRange } from '../core/pfn-ranges.js';
import { zonePopulationChanged, type NodeState, type ZoneState } from '../core/state.js';

function zoneEndPfn(zone: ZoneState): number {
  return zone.zoneStartPfn + zone.spannedPages;
}

/** resize_zone_range: the zone's span grows to cover `[startPfn, endPfn)`. */
export function growZoneSpan(zone: ZoneState, startPfn: number, endPfn: number): void {
  const oldEndPfn = zoneEndPfn(zone);
  if (zone.spannedPages === 0 || startPfn < zone.zoneStartPfn) zone.zoneStartPfn = startPfn;
  zone.spannedPages = Math.max(endPfn, zone.spannedPages === 0 ? 0 : oldEndPfn) - zone.zoneStartPfn;
}

/** resize_pgdat_range: the node's span grows to cover `[startPfn, endPfn)`. */
export function growNodeSpan(node: NodeState, startPfn: number, endPfn: number): void {
  const oldEndPfn = node.nodeStartPfn + node.nodeSpannedPages;
  if (node.nodeSpannedPages === 0 || startPfn < node.nodeStartPfn) node.nodeStartPfn = startPfn;
  node.nodeSpannedPages = Math.max(endPfn, node.nodeSpannedPages === 0 ? 0 : oldEndPfn) - node.nodeStartPfn;
}

/**
 * shrink_zone_span after `[startPfn, endPfn)` left the zone (its member
 * ranges no longer hold it). Only a range at either edge moves the span.
 */
export function shrinkZoneSpan(zone: ZoneState, startPfn: number, endPfn: number): void {
  if (zone.spannedPages === 0) return;
  const zoneEnd = zoneEndPfn(zone);
  const empty = (): void => {
    zone.zoneStartPfn = 0;
    zone.spannedPages = 0;
  };
  if (startPfn === zone.zoneStartPfn) {
    const next = zone.memberRanges.find((r) => r.endPfn > endPfn && r.startPfn < zoneEnd);
    if (next === undefined) return empty();
    const newStartPfn = alignDown(Math.max(next.startPfn, endPfn), PAGES_PER_SUBSECTION);
    zone.zoneStartPfn = Math.max(newStartPfn, endPfn);
    zone.spannedPages = zoneEnd - zone.zoneStartPfn;
  } else if (endPfn === zoneEnd) {
    const before = zone.memberRanges.filter((r) => r.startPfn < startPfn && r.endPfn > zone.zoneStartPfn);
    const last = before[before.length - 1];
    if (last === undefined) return empty();
    const newEndPfn = Math.min(alignUp(Math.min(last.endPfn, startPfn), PAGES_PER_SUBSECTION), startPfn);
    zone.spannedPages = newEndPfn - zone.zoneStartPfn;
  }
}

/** update_pgdat_span: the node spans the hull of its non-empty zones (nothing: start 0, 0 pages). */
export function updateNodeSpan(node: NodeState): void {
  let startPfn = 0;
  let endPfn = 0;
  for (const zone of node.zones) {
    if (zone.spannedPages === 0) continue;
    if (endPfn === 0) {
      startPfn = zone.zoneStartPfn;
      endPfn = zoneEndPfn(zone);
      continue;
    }
    startPfn = Math.min(startPfn, zone.zoneStartPfn);
    endPfn = Math.max(endPfn, zoneEndPfn(zone));
  }
  node.nodeStartPfn = startPfn;
  node.nodeSpannedPages = endPfn - startPfn;
}

/** N_MEMORY and N_NORMAL_MEMORY from the node's present pages. */
export function updateNodeStates(node: NodeState): void {
  node.hasMemory = node.nodePresentPages > 0;
  node.hasNormalMemory = node.zones.some((zone) => zone.zoneIdx <= ZONE_NORMAL && zone.presentPages > 0);
  // Present pages and N_MEMORY may have changed: cached zonelists recheck.
  zonePopulationChanged();
}

/** What one online or offline moves: the block's range and its self-hosted memmap. */
export interface RangeAccounting {
  startPfn: number;
  endPfn: number;
  /** Pages at the start of the range holding its own memmap: present, never managed. */
  vmemmapPages: number;
  /** The range is boot memory (its sections are EARLY). */
  early: boolean;
}

/** Online accounting: span growth, present (and present-early), managed, node states. */
export function accountOnline(node: NodeState, zone: ZoneState, range: RangeAccounting): void {
  const nrPages = range.endPfn - range.startPfn;
  growZoneSpan(zone, range.startPfn, range.endPfn);
  growNodeSpan(node, range.startPfn, range.endPfn);
  zone.memberRanges = addRange(zone.memberRanges, range.startPfn, range.endPfn);
  zone.presentPages += nrPages;
  if (range.early) zone.presentEarlyPages += nrPages;
  zone.managedPages += nrPages - range.vmemmapPages;
  node.nodePresentPages += nrPages;
  updateNodeStates(node);
}

/** Offline accounting, the mirror image of {@link accountOnline}, with the span shrink rules. */
export function accountOffline(node: NodeState, zone: ZoneState, range: RangeAccounting): void {
  const nrPages = range.endPfn - range.startPfn;
  zone.memberRanges = subtractRange(zone.memberRanges, range.startPfn, range.endPfn);
  zone.presentPages -= nrPages;
  if (range.early) zone.presentEarlyPages -= nrPages;
  zone.managedPages -= nrPages - range.vmemmapPages;
  node.nodePresentPages -= nrPages;
  shrinkZoneSpan(zone, range.startPfn, range.endPfn);
  updateNodeSpan(node);
  updateNodeStates(node);
}
