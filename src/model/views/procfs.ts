/**
 * /proc views in the kernel's layout, limited to the lines the model has
 * numbers for.
 *
 * `/proc/zoneinfo` (mm/vmstat.c zoneinfo_show_print): every zone of every
 * online node, populated or not. Per zone the kernel prints a header, then
 * "pages free", the boost and the four watermarks (each mark with the boost
 * added, as wmark_pages reads it), spanned, present, managed, cma and the
 * protection line (lowmem_reserve, one entry per zone index); a populated
 * zone goes on with its counters, pagesets and finally start_pfn. The lines
 * we print keep that order and indentation (the per-node stats, counters
 * and pagesets are left out):
 *
 * ```
 * Node 0, zone      DMA
 *   pages free     3840
 *         boost    0
 *         min      39
 *         low      48
 *         high     57
 *         promo    66
 *         spanned  4095
 *         present  3998
 *         managed  3840
 *         cma      0
 *         protection: (0, 3018, 6346, 6346, 6346)
 *   start_pfn:           1
 * Node 0, zone  Movable
 *   pages free     0
 *         boost    0
 *         min      32
 *         ...
 *         protection: (0, 0, 0, 0, 0)
 * ```
 *
 * `/proc/iomem` (kernel/resource.c r_show): top-level resources print as
 * `%0*llx-%0*llx : name` with width 8 (the iomem root ends above 0xffff),
 * lowercase hex, inclusive end.
 */
import { hexDigits } from '../../util/format.js';
import type { IomemResource } from '../core/state.js';
import type { NodeStats, ZoneStats } from '../core/types.js';

/** Field width of zone names in the header (`%8s`). */
const ZONE_NAME_WIDTH = 8;
/** Width of the iomem address fields (`%0*llx`, root end above 0xffff). */
const IOMEM_ADDRESS_WIDTH = 8;
/** zone_cma_pages: the model has no CMA areas. */
const CMA_PAGES = 0;

/** The lines of one zone from "pages free" to the protection line. */
function zoneLines(zone: ZoneStats): string {
  const { boost, min, low, high, promo } = zone.watermarks;
  return (
    `\n  pages free     ${zone.freePages}` +
    `\n        boost    ${boost}` +
    `\n        min      ${min + boost}` +
    `\n        low      ${low + boost}` +
    `\n        high     ${high + boost}` +
    `\n        promo    ${promo + boost}` +
    `\n        spanned  ${zone.spannedPages}` +
    `\n        present  ${zone.presentPages}` +
    `\n        managed  ${zone.managedPages}` +
    `\n        cma      ${CMA_PAGES}` +
    `\n        protection: (${zone.lowmemReserve.join(', ')})`
  );
}

/** The zoneinfo text for `nodes`; only online ones are printed, in the order given. */
export function formatZoneinfo(nodes: readonly NodeStats[]): string {
  let text = '';
  for (const node of nodes) {
    if (!node.online) continue;
    for (const zone of node.zones) {
      text += `Node ${node.nid}, zone ${zone.name.padStart(ZONE_NAME_WIDTH)}`;
      text += zoneLines(zone);
      // An unpopulated zone stops after the protection line, before start_pfn.
      if (zone.presentPages > 0) text += `\n  start_pfn:           ${zone.zoneStartPfn}`;
      text += '\n';
    }
  }
  return text;
}

/** Top-level /proc/iomem lines for `resources`, sorted by address. */
export function formatIomem(resources: readonly IomemResource[]): string {
  return [...resources]
    .filter((r) => r.size > 0)
    .sort((a, b) => a.base - b.base)
    .map((r) => `${hexDigits(r.base, IOMEM_ADDRESS_WIDTH)}-${hexDigits(r.base + r.size - 1, IOMEM_ADDRESS_WIDTH)} : ${r.name}\n`)
    .join('');
}
