/**
 * Transparent hugepages as far as they move the watermarks: the global
 * `enabled` mode (mm/huge_memory.c: the `transparent_hugepage=` boot
 * parameter, `enabled_show`/`enabled_store`, `hugepage_init`) and the
 * min_free_kbytes khugepaged recommends (mm/khugepaged.c
 * `hugepage_pmd_enabled`, `set_recommended_min_free_kbytes`).
 *
 * Why khugepaged raises min_free_kbytes: huge pages need free pageblocks.
 * It asks for two free pageblocks per zone that kernel allocations can use,
 * so a migratetype can fall back to one, plus MIGRATE_PCPTYPES² more per
 * zone, so that each of the three page-cache types can steal from each other
 * without splitting further blocks; never more than 5 % of lowmem. Per
 * populated kernel zone that is 512 · (2 + 9) = 5632 pages, 22528 kB.
 *
 * The computation is pure; alloc/watermarks.ts decides when it runs.
 */
import { PAGE_SIZE, PAGES_PER_PAGEBLOCK } from '../../contract/constants.js';
import { ZONE_NORMAL } from '../core/mmzone.js';
import { divFloor } from '../core/pfn-ranges.js';
import { THP_MODES, isPopulated, type ThpMode, type ZoneState } from '../core/state.js';

/** MIGRATE_PCPTYPES (include/linux/mmzone.h): unmovable, movable, reclaimable. */
const MIGRATE_PCPTYPES = 3;

/** hugepage_init leaves THP off on machines with less RAM than this (MB_TO_PAGES(512)). */
export const THP_MIN_TOTALRAM_PAGES = (512 * 2 ** 20) / PAGE_SIZE;

/**
 * hugepage_pmd_enabled for a model with no per-size or shmem settings: the
 * PMD size inherits the global mode (the default), shmem huge pages are off
 * (the default), so PMD THP is on exactly when the global mode is always or
 * madvise. (6.18 also counts shmem PMD THP; 6.1 read the global flags only.
 * With the defaults all agree.)
 */
export function hugepagePmdEnabled(mode: ThpMode): boolean {
  return mode !== 'never';
}

/** enabled_show: the three modes with the current one in brackets, e.g. `always [madvise] never`. */
export function thpEnabledShow(mode: ThpMode): string {
  return `${THP_MODES.map((m) => (m === mode ? `[${m}]` : m)).join(' ')}\n`;
}

/**
 * Zones khugepaged keeps free pageblocks for: populated zones up to Normal
 * (gfp_zone(GFP_USER)) of the online nodes. ZONE_MOVABLE is left out: it
 * holds only movable pages, so fallbacks there do not fragment.
 */
export function thpReserveZoneCount(zones: readonly ZoneState[]): number {
  return zones.filter((zone) => zone.zoneIdx <= ZONE_NORMAL && isPopulated(zone)).length;
}

/**
 * set_recommended_min_free_kbytes's figure in kB: 5632 pages per zone of
 * {@link thpReserveZoneCount}, capped at 5 % of `nrFreeBufferPages`.
 */
export function recommendedMinFreeKbytes(nrZones: number, nrFreeBufferPages: number): number {
  const fallbackBlocks = PAGES_PER_PAGEBLOCK * nrZones * 2;
  const stealBlocks = PAGES_PER_PAGEBLOCK * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  const pages = Math.min(fallbackBlocks + stealBlocks, divFloor(nrFreeBufferPages, 20));
  return pages * (PAGE_SIZE / 1024);
}
