/**
 * /proc views in the kernel's layout, limited to the lines the model has
 * numbers for.
 *
 * `/proc/zoneinfo` (mm/vmstat.c zoneinfo_show_print): every zone of every
 * online node, populated or not. Per zone the kernel prints a header, then
 * "pages free", the watermarks, spanned, present, managed, cma and the
 * protection line; a populated zone goes on with its counters, pagesets and
 * finally start_pfn. The lines we print keep that order and indentation:
 *
 * ```
 * Node 0, zone      DMA
 *   pages free     3968
 *         spanned  4095
 *         present  3998
 *         managed  3840
 *   start_pfn:           1
 * Node 0, zone  Movable
 *   pages free     0
 *         spanned  0
 *         present  0
 *         managed  0
 * ```
 *
 * `/proc/iomem` (kernel/resource.c r_show): top-level resources print as
 * `%0*llx-%0*llx : name` with width 8 (the iomem root ends above 0xffff),
 * lowercase hex, inclusive end.
 */
import { hexDigits } from '../../util/format.js';
import type { IomemResource } from '../core/state.js';
import type { NodeStats } from '../core/types.js';

/** Field width of zone names in the header (`%8s`). */
const ZONE_NAME_WIDTH = 8;
/** Width of the iomem address fields (`%0*llx`, root end above 0xffff). */
const IOMEM_ADDRESS_WIDTH = 8;

/** The zoneinfo text for `nodes`; only online ones are printed, in the order given. */
export function formatZoneinfo(nodes: readonly NodeStats[]): string {
  let text = '';
  for (const node of nodes) {
    if (!node.online) continue;
    for (const zone of node.zones) {
      text += `Node ${node.nid}, zone ${zone.name.padStart(ZONE_NAME_WIDTH)}`;
      text += `\n  pages free     ${zone.freePages}`;
      text += `\n        spanned  ${zone.spannedPages}`;
      text += `\n        present  ${zone.presentPages}`;
      text += `\n        managed  ${zone.managedPages}`;
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
