/**
 * Overriding cost parameters: each field replaces its default alone, and the
 * functions scale with the override.
 */
import { describe, expect, it } from 'vitest';
import { memmapInitSeconds, migrationSeconds, onlineSeconds, resolveCostParams } from '../../../src/model/core/cost.js';

const GiB = 2 ** 30;
const PAGES_PER_GIB = GiB / 4096;

describe('cost parameter overrides', () => {
  it('replaces only the given fields', () => {
    const params = resolveCostParams({ migrationBytesPerSecond4k: 6.6e9 });
    expect(params.migrationBytesPerSecond4k).toBe(6.6e9);
    expect(params.migrationBytesPerSecond2m).toBe(11e9);
    expect(params.onlineSecondsPer256MiB).toBe(0.001);
    expect(params.memmapInitSecondsPer256GiB).toBe(1.1);
  });

  it('halves the migration time when the 4 KiB rate doubles', () => {
    const work = { pages4k: 10 * PAGES_PER_GIB, folios2m: 0 };
    const base = migrationSeconds(resolveCostParams(), work);
    const fast = migrationSeconds(resolveCostParams({ migrationBytesPerSecond4k: 6.6e9 }), work);
    expect(fast).toBeCloseTo(base / 2, 12);
  });

  it('scales memmap init and onlining with their own parameters', () => {
    const slowInit = resolveCostParams({ memmapInitSecondsPer256GiB: 2.2 });
    expect(memmapInitSeconds(slowInit, 256 * PAGES_PER_GIB)).toBeCloseTo(2.2, 12);
    const noisyOnline = resolveCostParams({ onlineSecondsPer256MiB: 0.05 });
    // 1 GiB: four 256 MiB hand-overs at 50 ms, plus memmap init at the default rate.
    expect(onlineSeconds(noisyOnline, PAGES_PER_GIB)).toBeCloseTo(0.2 + 1.1 / 256, 12);
  });

  it('does not change the defaults for later callers', () => {
    resolveCostParams({ onlineSecondsPer256MiB: 9 });
    expect(resolveCostParams().onlineSecondsPer256MiB).toBe(0.001);
  });
});
