/**
 * The default cost parameters and their units: decimal GB/s for migration,
 * 1 ms per 256 MiB for the buddy hand-over at online, 1.1 s per 256 GiB for
 * memmap init on one thread.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_PARAMS, memmapInitSeconds, migrationSeconds, resolveCostParams, stopMachineSeconds } from '../../../src/model/core/cost.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const TiB = 2 ** 40;
const PAGE_BYTES = 4096;

describe('cost model defaults', () => {
  it('resolves to the cited figures', () => {
    expect(resolveCostParams()).toEqual({
      migrationBytesPerSecond4k: 3.3e9,
      migrationBytesPerSecond2m: 11e9,
      onlineSecondsPer256MiB: 0.001,
      memmapInitSecondsPer256GiB: 1.1,
      stopMachineSeconds: 1e-3,
      kernelCopyBytesPerSecond: 3.3e9,
      pgtableWalkSecondsPerPage: 5e-7,
      tlbFlushSeconds: 1e-4,
    });
    expect(Object.isFrozen(DEFAULT_COST_PARAMS)).toBe(true);
  });

  it('migrates 4 TiB of 4 KiB pages in about 1333 s at 3.3 GB/s', () => {
    const seconds = migrationSeconds(resolveCostParams(), { pages4k: TiB * 4 / PAGE_BYTES, folios2m: 0 });
    expect(seconds).toBeCloseTo(4 * 1.099511627776e12 / 3.3e9, 6);
    expect(Math.round(seconds)).toBe(1333);
  });

  it('migrates 4 TiB of 2 MiB folios in about 400 s at 11 GB/s, and adds the two sizes', () => {
    const params = resolveCostParams();
    const folios = (4 * TiB) / (2 * MiB);
    expect(migrationSeconds(params, { pages4k: 0, folios2m: folios })).toBeCloseTo(399.8, 1);
    const mixed = migrationSeconds(params, { pages4k: 262_144, folios2m: 512 });
    expect(mixed).toBeCloseTo(GiB / 3.3e9 + GiB / 11e9, 12);
  });

  it('initialises the memmap of 256 GiB in 1.1 s and scales linearly', () => {
    const params = resolveCostParams();
    expect(memmapInitSeconds(params, (256 * GiB) / PAGE_BYTES)).toBeCloseTo(1.1, 12);
    expect(memmapInitSeconds(params, (64 * TiB) / PAGE_BYTES)).toBeCloseTo(281.6, 9);
    expect(memmapInitSeconds(params, 0)).toBe(0);
  });

  it('stands the machine still only for blocks with kernel pages: entry and exit, the copy, one walk of every page table, the flush', () => {
    const params = resolveCostParams();
    expect(stopMachineSeconds(params, { copiedPages: 0, pgtablePages: 0, pgtablePagesInMachine: 1_000_000 })).toBe(0);
    // 1 GiB of slab, no page tables: no walk.
    expect(stopMachineSeconds(params, { copiedPages: GiB / PAGE_BYTES, pgtablePages: 0, pgtablePagesInMachine: 1_000_000 })).toBeCloseTo(1e-3 + GiB / 3.3e9 + 1e-4, 12);
    // One page-table page makes the walk read all 2^20 of them.
    expect(stopMachineSeconds(params, { copiedPages: 0, pgtablePages: 1, pgtablePagesInMachine: 2 ** 20 })).toBeCloseTo(1e-3 + PAGE_BYTES / 3.3e9 + 2 ** 20 * 5e-7 + 1e-4, 12);
    expect(() => stopMachineSeconds(params, { copiedPages: -1, pgtablePages: 0, pgtablePagesInMachine: 0 })).toThrow(/copiedPages must be a non-negative integer/);
  });
});
