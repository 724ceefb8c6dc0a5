/**
 * The watermark check on the worked example's VM (docs/kernel-facts.md,
 * section 11.1.5): Normal min/low 8838/11047, DMA32 8017/10021 with
 * protection 3328 against Normal requests, DMA low 48 with protection 6346.
 */
import { describe, expect, test } from 'vitest';
import { AllocFlag, effectiveMark, pagesAboveMark, zoneWatermarkOk } from '../../../src/model/alloc/watermark-check.js';

describe('fact 62: GFP_KERNEL, order 0', () => {
  test('Normal: free 11048 passes the fast path (low 11047); 11047 fails it but passes the slow path (min 8838)', () => {
    expect(zoneWatermarkOk({ freePages: 11048, mark: 11047, reserve: 0 }, 0, 0)).toBe(true);
    expect(zoneWatermarkOk({ freePages: 11047, mark: 11047, reserve: 0 }, 0, 0)).toBe(false);
    expect(zoneWatermarkOk({ freePages: 11047, mark: 8838, reserve: 0 }, 0, 0)).toBe(true);
  });

  test('DMA32 for a Normal request needs more than 10021 + 3328 (fast) and 8017 + 3328 (slow)', () => {
    expect(zoneWatermarkOk({ freePages: 13350, mark: 10021, reserve: 3328 }, 0, 0)).toBe(true);
    expect(zoneWatermarkOk({ freePages: 13349, mark: 10021, reserve: 3328 }, 0, 0)).toBe(false);
    expect(zoneWatermarkOk({ freePages: 11346, mark: 8017, reserve: 3328 }, 0, 0)).toBe(true);
    expect(zoneWatermarkOk({ freePages: 11345, mark: 8017, reserve: 3328 }, 0, 0)).toBe(false);
  });

  test('DMA never passes for a Normal request: 48 + 6346 exceeds its 3840 managed pages', () => {
    expect(zoneWatermarkOk({ freePages: 3840, mark: 48, reserve: 6346 }, 0, 0)).toBe(false);
    expect(pagesAboveMark({ freePages: 3840, mark: 48, reserve: 6346 }, 0)).toBe(0);
  });

  test('pages a zone can give before the check fails', () => {
    expect(pagesAboveMark({ freePages: 20000, mark: 11047, reserve: 0 }, 0)).toBe(20000 - 11047);
  });
});

describe('fact 63: effective slow-path minimum of VM Normal (min 8838)', () => {
  test('GFP_KERNEL 8838; __GFP_HIGH or a realtime task 4419; GFP_ATOMIC 3315; an OOM victim 4419', () => {
    expect(effectiveMark(8838, 0)).toBe(8838);
    expect(effectiveMark(8838, AllocFlag.MIN_RESERVE)).toBe(4419);
    expect(effectiveMark(8838, AllocFlag.MIN_RESERVE | AllocFlag.NON_BLOCK)).toBe(3315);
    expect(effectiveMark(8838, AllocFlag.OOM)).toBe(4419);
  });

  test('GFP_NOWAIT (NON_BLOCK alone) keeps the mark but may count highatomic pages as usable', () => {
    expect(effectiveMark(8838, AllocFlag.NON_BLOCK)).toBe(8838);
    const zone = { freePages: 9000, mark: 8838, reserve: 0, freeHighatomic: 512 };
    expect(zoneWatermarkOk(zone, 0, 0)).toBe(false);
    expect(zoneWatermarkOk(zone, 0, AllocFlag.NON_BLOCK)).toBe(true);
  });
});
