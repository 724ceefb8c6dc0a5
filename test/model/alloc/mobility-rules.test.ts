/**
 * Mobility grouping's per-block rules (mm/page_alloc.c 6.18;
 * docs/kernel-facts.md facts 69 to 74), on the worked example's VM where
 * numbers are needed (Normal high 13256, managed 851968).
 */
import { describe, expect, test } from 'vitest';
import { Migratetype } from '../../../src/contract/constants.js';
import {
  boostedWatermark,
  claimDecision,
  FALLBACKS,
  groupingDisabled,
  highatomicCap,
  watermarkBoostCap,
} from '../../../src/model/alloc/mobility.js';

const { UNMOVABLE, MOVABLE, RECLAIMABLE } = Migratetype;

test('fallbacks: unmovable → reclaimable, movable; movable → reclaimable, unmovable; reclaimable → unmovable, movable', () => {
  expect(FALLBACKS[UNMOVABLE]).toEqual([RECLAIMABLE, MOVABLE]);
  expect(FALLBACKS[MOVABLE]).toEqual([RECLAIMABLE, UNMOVABLE]);
  expect(FALLBACKS[RECLAIMABLE]).toEqual([UNMOVABLE, MOVABLE]);
});

test('fact 69: fewer than 3072 pages above the high marks turns mobility grouping off', () => {
  expect(groupingDisabled(3071)).toBe(true);
  expect(groupingDisabled(3072)).toBe(false);
});

test('fact 70: a movable order-0 request facing only order-3 unmovable chunks steals: no claim, no boost', () => {
  expect(claimDecision(MOVABLE, UNMOVABLE, 3, 8, 0)).toBeNull();
});

describe('fact 71: an unmovable request and an order-5 chunk of a MOVABLE block', () => {
  test('40 free and 400 LRU pages: alike 72, 40 + 72 < 256: not claimed, but boosted', () => {
    expect(claimDecision(UNMOVABLE, MOVABLE, 5, 40, 400)).toEqual({ claimed: false, boosts: true });
  });
  test('300 free pages: claimed, and boosted', () => {
    expect(claimDecision(UNMOVABLE, MOVABLE, 5, 300, 100)).toEqual({ claimed: true, boosts: true });
  });
  test('the boost grows a pageblock at a time', () => {
    expect(boostedWatermark(0, 851968, 13256)).toBe(512);
    expect(boostedWatermark(512, 851968, 13256)).toBe(1024);
  });
});

test('fact 72: a chunk of a pageblock or more retypes its blocks, without a boost', () => {
  expect(claimDecision(MOVABLE, UNMOVABLE, 9, 512, 0)).toEqual({ claimed: true, boosts: false });
  expect(claimDecision(UNMOVABLE, MOVABLE, 10, 1024, 0)).toEqual({ claimed: true, boosts: false });
});

test('unmovable and reclaimable cannot tell each other\'s pages apart: only free pages count', () => {
  expect(claimDecision(UNMOVABLE, RECLAIMABLE, 3, 255, 0)).toEqual({ claimed: false, boosts: true });
  expect(claimDecision(RECLAIMABLE, UNMOVABLE, 3, 256, 0)).toEqual({ claimed: true, boosts: true });
});

test('fact 73: VM boost caps: Normal max(512, 13256 × 15000 / 10000) = 19884; DMA 512', () => {
  expect(watermarkBoostCap(851968, 13256)).toBe(19884);
  expect(watermarkBoostCap(3840, 57)).toBe(512);
  expect(boostedWatermark(19884, 851968, 13256)).toBe(19884);
});

test('fact 74: VM highatomic caps: Normal 8704, DMA32 8192, DMA 0', () => {
  expect(highatomicCap(851968)).toBe(8704);
  expect(highatomicCap(772848)).toBe(8192);
  expect(highatomicCap(3840)).toBe(0);
});
