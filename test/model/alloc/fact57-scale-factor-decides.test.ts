/**
 * Fact 57: a zone of 1,048,576 managed pages whose share of pages_min is
 * 1000: the gap is max(⌊1000/4⌋, ⌊1,048,576 · 10/10000⌋) = 1048, so
 * min/low/high are 1000/2048/3096 — the scale factor decides
 * (mm/page_alloc.c __setup_per_zone_wmarks).
 */
import { expect, test } from 'vitest';
import { zoneWatermarks } from '../../../src/model/alloc/watermarks.js';
import { ZONE_NORMAL } from '../../../src/model/core/mmzone.js';

test('fact 57: the scale-factor term wins the max for a large zone with a small share', () => {
  // pages_min 1000 and the zone is all of lowmem: its share is exactly 1000.
  expect(zoneWatermarks({ zoneIdx: ZONE_NORMAL, managedPages: 1_048_576 }, 1000, 1_048_576, 10)).toEqual({
    min: 1000,
    low: 2048,
    high: 3096,
    promo: 4144,
    boost: 0,
  });
});

test('fact 57: a larger scale factor widens the gaps, not min', () => {
  const marks = zoneWatermarks({ zoneIdx: ZONE_NORMAL, managedPages: 1_048_576 }, 1000, 1_048_576, 100);
  expect([marks.min, marks.low, marks.high]).toEqual([1000, 1000 + 10_485, 1000 + 2 * 10_485]);
});
