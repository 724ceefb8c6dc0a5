import { describe, expect, it } from 'vitest';
import { INIT_MEMBLOCK_REGIONS, Memblock, MemblockFlag, PHYS_ADDR_MAX, SIZE_OF_MEMBLOCK_REGION } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import {
  MEM_SIZE,
  SIMULATED_MEMORY_BASE,
  SZ_128K,
  SZ_128M,
  SZ_16K,
  SZ_16M,
  SZ_1G,
  SZ_1M,
  SZ_2G,
  SZ_2K,
  SZ_2M,
  SZ_256M,
  SZ_512M,
  SZ_64K,
  SZ_8K,
  SZ_8M,
  spans,
} from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock reserve', () => {
  it('reserves one region with NUMA_NO_NODE and no flags', () => {
    // restates basic_api.c memblock_reserve_simple_check
    const mb = new Memblock();
    mb.reserve(SZ_2G, SZ_128M);
    expect(mb.reserved.regions[0]).toEqual({ base: SZ_2G, size: SZ_128M, flags: MemblockFlag.NONE, nid: NUMA_NO_NODE });
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.memory.cnt).toBe(0);
  });

  it('keeps two disjoint reservations apart', () => {
    // restates basic_api.c memblock_reserve_disjoint_check
    const mb = new Memblock();
    mb.reserve(SZ_256M, SZ_16M);
    mb.reserve(SZ_512M, SZ_512M);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_256M, SZ_16M], [SZ_512M, SZ_512M]]);
    expect(mb.reserved.totalSize).toBe(SZ_16M + SZ_512M);
  });

  it('merges a reservation overlapping the start of another', () => {
    // restates basic_api.c memblock_reserve_overlap_top_check
    const mb = new Memblock();
    const r1 = { base: SZ_1G, size: SZ_1G };
    const r2 = { base: SZ_128M, size: SZ_1G };
    mb.reserve(r1.base, r1.size);
    mb.reserve(r2.base, r2.size);
    const totalSize = r1.base - r2.base + r1.size;
    expect(spans(mb.reserved.regions)).toEqual([[r2.base, totalSize]]);
    expect(mb.reserved.totalSize).toBe(totalSize);
  });

  it('merges a reservation overlapping the end of another', () => {
    // restates basic_api.c memblock_reserve_overlap_bottom_check
    const mb = new Memblock();
    const r1 = { base: SZ_2K, size: SZ_128K };
    const r2 = { base: SZ_128K, size: SZ_128K };
    mb.reserve(r1.base, r1.size);
    mb.reserve(r2.base, r2.size);
    const totalSize = r2.base - r1.base + r2.size;
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, totalSize]]);
  });

  it('ignores a reservation within an existing one', () => {
    // restates basic_api.c memblock_reserve_within_check
    const mb = new Memblock();
    mb.reserve(SZ_1M, SZ_8M);
    mb.reserve(SZ_2M, SZ_64K);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_1M, SZ_8M]]);
  });

  it('counts the same reservation once', () => {
    // restates basic_api.c memblock_reserve_twice_check
    const mb = new Memblock();
    mb.reserve(SZ_16K, SZ_2M);
    mb.reserve(SZ_16K, SZ_2M);
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(SZ_2M);
  });

  it('fills the gap between two reservations and merges all three', () => {
    // restates basic_api.c memblock_reserve_between_check
    const mb = new Memblock();
    const r1 = { base: SZ_1G, size: SZ_8K };
    const r2 = { base: SZ_1G + SZ_16K, size: SZ_8K };
    mb.reserve(r1.base, r1.size);
    mb.reserve(r2.base, r2.size);
    mb.reserve(r1.base + r1.size, SZ_8K);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, 3 * SZ_8K]]);
  });

  it('caps a reservation that would run past the highest address', () => {
    // restates basic_api.c memblock_reserve_near_max_check
    const mb = new Memblock();
    const base = PHYS_ADDR_MAX - SZ_1M;
    mb.reserve(base, SZ_2M);
    expect(spans(mb.reserved.regions)).toEqual([[base, SZ_1M]]);
  });

  it('does not merge reserve_kern with an adjacent plain reservation, but does with another reserve_kern', () => {
    // restates memblock.c memblock_merge_regions with the RSRV_KERN flag (mm/memblock.c)
    const mb = new Memblock();
    mb.reserve(SZ_1G, SZ_8K);
    mb.reserveKern(SZ_1G + SZ_8K, SZ_8K);
    expect(mb.reserved.cnt).toBe(2);
    expect(mb.reserved.regions[1].flags).toBe(MemblockFlag.RSRV_KERN);
    mb.reserveKern(SZ_1G + SZ_16K, SZ_8K);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_1G, SZ_8K], [SZ_1G + SZ_8K, SZ_16K]]);
  });

  it('doubles the reserved array on the 129th reservation and reserves the new array too', () => {
    // restates basic_api.c memblock_reserve_many_check
    const mb = new Memblock();
    mb.add(SIMULATED_MEMORY_BASE, MEM_SIZE);
    // 128 two-byte reservations with gaps, far below the memory so the array cannot touch them.
    for (let i = 0; i < INIT_MEMBLOCK_REGIONS; i++) mb.reserve(SZ_1G + i * 4, 2);
    expect(mb.reserved.cnt).toBe(INIT_MEMBLOCK_REGIONS);
    mb.reserve(SZ_1G + INIT_MEMBLOCK_REGIONS * 4, 2);
    const arrayBytes = Math.ceil((INIT_MEMBLOCK_REGIONS * 2 * SIZE_OF_MEMBLOCK_REGION) / PAGE_SIZE) * PAGE_SIZE;
    expect(mb.reserved.max).toBe(INIT_MEMBLOCK_REGIONS * 2);
    // 129 small reservations plus the region holding the grown array itself.
    expect(mb.reserved.cnt).toBe(INIT_MEMBLOCK_REGIONS + 2);
    expect(mb.reserved.totalSize).toBe((INIT_MEMBLOCK_REGIONS + 1) * 2 + arrayBytes);
    const arrayRegion = mb.reserved.regions[mb.reserved.cnt - 1];
    expect(arrayRegion).toMatchObject({ base: mb.reserved.arrayBase, size: arrayBytes, flags: MemblockFlag.RSRV_KERN });
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS);
  });
});
