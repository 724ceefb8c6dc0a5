/**
 * /proc/zoneinfo's layout (mm/vmstat.c zoneinfo_show_print) for every zone
 * of every online node: the header, "pages free", the boost, the four marks
 * (each with the boost added, as the kernel's readers see them), spanned,
 * present, managed, cma and a protection line with one entry per zone
 * index; start_pfn only for a populated zone. Offline nodes are not shown.
 */
import { expect, test } from 'vitest';
import { formatZoneinfo } from '../../../src/model/views/procfs.js';
import type { NodeStats, ZoneStats } from '../../../src/model/core/types.js';
import { ZONE_NAMES } from '../../../src/model/core/mmzone.js';

function zone(zoneIdx: number, populated: boolean): ZoneStats {
  return {
    nid: 0,
    zoneIdx,
    name: ZONE_NAMES[zoneIdx],
    zoneStartPfn: populated ? 4096 * (zoneIdx + 1) : 0,
    spannedPages: populated ? 1000 : 0,
    presentPages: populated ? 900 : 0,
    presentEarlyPages: populated ? 900 : 0,
    managedPages: populated ? 800 : 0,
    freePages: populated ? 700 : 0,
    watermarks: { min: 10, low: 20, high: 30, promo: 40, boost: populated ? 5 : 0 },
    lowmemReserve: [0, zoneIdx + 1, 2, 3, 4],
  };
}

function node(nid: number, online: boolean): NodeStats {
  return {
    nid,
    possible: true,
    online,
    hasMemory: online,
    hasNormalMemory: online,
    nodeStartPfn: 0,
    nodeSpannedPages: 0,
    nodePresentPages: 0,
    zones: [0, 1, 2, 3, 4].map((zoneIdx) => ({ ...zone(zoneIdx, zoneIdx === 1), nid })),
  };
}

test('each zone prints the kernel’s lines in the kernel’s order; offline nodes print nothing', () => {
  const text = formatZoneinfo([node(0, true), node(1, false)]);
  const zones = text.split(/(?=^Node )/m);
  expect(zones.map((z) => z.split('\n')[0])).toEqual(ZONE_NAMES.map((name) => `Node 0, zone ${name.padStart(8)}`));
  expect(zones[1]).toBe(
    [
      'Node 0, zone    DMA32',
      '  pages free     700',
      '        boost    5',
      '        min      15',
      '        low      25',
      '        high     35',
      '        promo    45',
      '        spanned  1000',
      '        present  900',
      '        managed  800',
      '        cma      0',
      '        protection: (0, 2, 2, 3, 4)',
      '  start_pfn:           8192',
      '',
    ].join('\n'),
  );
  // An unpopulated zone ends with its protection line.
  expect(zones[2].split('\n').slice(-2)).toEqual(['        protection: (0, 3, 2, 3, 4)', '']);
  expect(text.endsWith('\n')).toBe(true);
});
