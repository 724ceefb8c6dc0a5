import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import {
  MEM_SIZE,
  SIMULATED_MEMORY_BASE,
  SZ_16,
  SZ_16K,
  SZ_1K,
  SZ_2,
  SZ_256,
  SZ_512,
  SZ_8,
  SZ_8K,
  setupMemblock,
  spans,
} from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

// All tests here allocate top-down, the kernel default.
describe('memblock_alloc top-down', () => {
  it('fact 43: memory [B, B+16K), alloc(2, SMP_CACHE_BYTES) reserves 2 bytes at B+16K-SMP_CACHE_BYTES', () => {
    // restates alloc_api.c alloc_top_down_simple_check
    const mb = new Memblock();
    const base = SIMULATED_MEMORY_BASE;
    mb.add(base, SZ_16K);
    const addr = mb.alloc(SZ_2, SMP_CACHE_BYTES);
    expect(addr).toBe(base + SZ_16K - SMP_CACHE_BYTES);
    expect(mb.reserved.regions).toEqual([{ base: addr, size: SZ_2, flags: MemblockFlag.RSRV_KERN, nid: NUMA_NO_NODE }]);
    expect(mb.reserved.totalSize).toBe(SZ_2);
  });

  it('places an aligned allocation below a misaligned reservation without merging', () => {
    // restates alloc_api.c alloc_top_down_disjoint_check
    const mb = setupMemblock();
    const r1 = { base: mb.endOfDram() - SZ_2, size: SZ_2 };
    const alignment = SMP_CACHE_BYTES * 2;
    mb.reserve(r1.base, r1.size);
    const addr = mb.alloc(SZ_16, alignment);
    expect(addr).toBe(mb.endOfDram() - alignment);
    // The new region sorts first; the old one is untouched.
    expect(spans(mb.reserved.regions)).toEqual([[addr, SZ_16], [r1.base, r1.size]]);
    expect(mb.reserved.totalSize).toBe(SZ_16 + SZ_2);
  });

  it('fact 44: reserve_kern(end-total, SMP_CACHE_BYTES) then alloc(512) merges into one SMP_CACHE_BYTES+512 region', () => {
    // restates alloc_api.c alloc_top_down_before_check
    const mb = setupMemblock();
    const totalSize = SMP_CACHE_BYTES + SZ_512;
    mb.reserveKern(mb.endOfDram() - totalSize, SMP_CACHE_BYTES);
    expect(mb.alloc(SZ_512, SMP_CACHE_BYTES)).not.toBe(0);
    expect(spans(mb.reserved.regions)).toEqual([[mb.endOfDram() - totalSize, totalSize]]);
  });

  it('fact 44: with a plain reserve instead, the allocation does not merge (RSRV_KERN differs)', () => {
    // restates alloc_api.c alloc_top_down_before_check (pre-RSRV_KERN variant using memblock_reserve)
    const mb = setupMemblock();
    const totalSize = SMP_CACHE_BYTES + SZ_512;
    mb.reserve(mb.endOfDram() - totalSize, SMP_CACHE_BYTES);
    const addr = mb.alloc(SZ_512, SMP_CACHE_BYTES);
    expect(addr).toBe(mb.endOfDram() - SZ_512);
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it('skips a top gap too small for the request and merges below the reservation', () => {
    // restates alloc_api.c alloc_top_down_after_check
    const mb = setupMemblock();
    const r1 = { base: mb.endOfDram() - SMP_CACHE_BYTES, size: SZ_8 };
    mb.reserveKern(r1.base, r1.size);
    expect(mb.alloc(SZ_512, SMP_CACHE_BYTES)).toBe(r1.base - SZ_512);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base - SZ_512, SZ_512 + r1.size]]);
  });

  it('goes below the lower of two reservations when the gap between them is too small', () => {
    // restates alloc_api.c alloc_top_down_second_fit_check
    const mb = setupMemblock();
    const r1 = { base: mb.endOfDram() - SZ_512, size: SZ_512 };
    const r2 = { base: r1.base - SZ_512, size: SZ_256 };
    mb.reserveKern(r1.base, r1.size);
    mb.reserveKern(r2.base, r2.size);
    expect(mb.alloc(SZ_1K, SMP_CACHE_BYTES)).toBe(r2.base - SZ_1K);
    expect(spans(mb.reserved.regions)).toEqual([[r2.base - SZ_1K, r2.size + SZ_1K], [r1.base, r1.size]]);
    expect(mb.reserved.totalSize).toBe(r1.size + r2.size + SZ_1K);
  });

  it('fills an exact gap between two reservations and merges all three', () => {
    // restates alloc_api.c alloc_in_between_generic_check (top-down). The new region is two cache
    // lines so that the one-line gaps at either end of memory cannot take it.
    const mb = setupMemblock();
    const gapSize = SMP_CACHE_BYTES;
    const r3Size = 2 * SMP_CACHE_BYTES;
    const rgnSize = (MEM_SIZE - (2 * gapSize + r3Size)) / 2;
    const r1 = { base: mb.endOfDram() - (gapSize + rgnSize), size: rgnSize };
    const r2 = { base: mb.startOfDram() + gapSize, size: rgnSize };
    mb.reserveKern(r1.base, r1.size);
    mb.reserveKern(r2.base, r2.size);
    expect(mb.alloc(r3Size, SMP_CACHE_BYTES)).toBe(r1.base - r3Size);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base - r2.size - r3Size, r1.size + r2.size + r3Size]]);
  });

  it('fails when every free gap is smaller than the request', () => {
    // restates alloc_api.c alloc_small_gaps_generic_check
    const mb = setupMemblock();
    const regionSize = SZ_1K;
    const gapSize = SZ_256;
    for (let regionEnd = mb.startOfDram(); regionEnd < mb.endOfDram(); regionEnd += gapSize + regionSize) {
      mb.reserve(regionEnd + gapSize, regionSize);
    }
    const before = spans(mb.reserved.regions);
    expect(mb.alloc(regionSize, SMP_CACHE_BYTES)).toBe(0);
    expect(spans(mb.reserved.regions)).toEqual(before);
  });

  it('fails when all memory is reserved', () => {
    // restates alloc_api.c alloc_all_reserved_generic_check
    const mb = setupMemblock();
    mb.reserve(mb.startOfDram(), MEM_SIZE);
    expect(mb.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(0);
  });

  it('fails when the space left is smaller than the request', () => {
    // restates alloc_api.c alloc_no_space_generic_check
    const mb = setupMemblock();
    mb.reserve(mb.startOfDram(), MEM_SIZE - SZ_256);
    expect(mb.alloc(SZ_1K, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.reserved.totalSize).toBe(MEM_SIZE - SZ_256);
  });

  it('uses exactly the space left and merges everything into one region', () => {
    // restates alloc_api.c alloc_limited_space_generic_check
    const mb = setupMemblock();
    mb.reserveKern(mb.startOfDram(), MEM_SIZE - SZ_256);
    expect(mb.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(mb.endOfDram() - SZ_256);
    expect(spans(mb.reserved.regions)).toEqual([[mb.startOfDram(), MEM_SIZE]]);
  });

  it('fact 48: alloc from an empty memory type returns 0 and leaves reserved untouched (size 0)', () => {
    // restates alloc_api.c alloc_no_memory_generic_check
    const mb = new Memblock();
    expect(mb.alloc(SZ_1K, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.reserved.cnt).toBe(0);
    expect(mb.reserved.totalSize).toBe(0);
  });

  it('fails for a request larger than all memory', () => {
    // restates alloc_api.c alloc_too_large_generic_check
    const mb = setupMemblock();
    expect(mb.alloc(MEM_SIZE + SZ_2, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.reserved.totalSize).toBe(0);
  });

  it('stays below current_limit', () => {
    // restates memblock.c memblock_alloc_internal (max capped at current_limit) as in alloc_nid_api.c cap_max checks
    const mb = setupMemblock();
    mb.currentLimit = mb.startOfDram() + SZ_8K;
    expect(mb.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(mb.currentLimit - SZ_256);
    // An explicit max above the limit is capped too.
    expect(mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, 0, mb.endOfDram(), NUMA_NO_NODE)).toBe(mb.currentLimit - 2 * SZ_256);
  });

  it('never hands out page 0', () => {
    // restates memblock.c memblock_find_in_range_node (start raised to PAGE_SIZE)
    const mb = new Memblock();
    mb.add(0, 2 * PAGE_SIZE);
    mb.reserve(PAGE_SIZE, PAGE_SIZE);
    expect(mb.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.findInRangeNode(SZ_256, SMP_CACHE_BYTES, 0, 2 * PAGE_SIZE, NUMA_NO_NODE, MemblockFlag.NONE)).toBe(0);
  });

  it('keeps reserved sorted: an allocation below existing reservations becomes regions[0]', () => {
    // restates alloc_api.c alloc_top_down_disjoint_check (new region is the first entry)
    const mb = setupMemblock();
    mb.reserve(mb.endOfDram() - SZ_1K, SZ_1K);
    const addr = mb.alloc(SZ_256, SMP_CACHE_BYTES);
    expect(mb.reserved.regions[0].base).toBe(addr);
    expect(addr).toBeLessThan(mb.reserved.regions[1].base);
  });
});
