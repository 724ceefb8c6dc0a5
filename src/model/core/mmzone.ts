/**
 * Zone ids and names (include/linux/mmzone.h, enum zone_type, on x86_64:
 * no HIGHMEM, ZONE_DEVICE configured). sysfs, /proc/zoneinfo and scenarios
 * all spell zones by these names.
 */

export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const ZONE_DEVICE = 4;
/** MAX_NR_ZONES with ZONE_DEVICE configured. */
export const MAX_NR_ZONES = 5;
/** Zones that can hold memory at boot (ZONE_DEVICE is only populated by devm_memremap_pages). */
export const NR_BOOT_ZONES = 4;

/** Zone names by zone index, as sysfs and /proc print them. */
export const ZONE_NAMES = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'] as const;
export type ZoneName = (typeof ZONE_NAMES)[number];

/** Name of a zone index. */
export function zoneName(zoneIdx: number): ZoneName {
  return ZONE_NAMES[zoneIdx];
}
