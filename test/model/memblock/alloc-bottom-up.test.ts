import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import { MEM_SIZE, SIMULATED_MEMORY_BASE, SZ_128, SZ_16, SZ_16K, SZ_1K, SZ_2, SZ_256, SZ_512, SZ_64, SZ_64K, setupMemblock, spans } from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock_alloc bottom-up', () => {
  it('fact 43: memory [B, B+16K), bottom-up alloc(2, SMP_CACHE_BYTES) reserves at B', () => {
    // restates alloc_api.c alloc_bottom_up_simple_check
    const mb = new Memblock();
    mb.bottomUp = true;
    mb.add(SIMULATED_MEMORY_BASE, SZ_16K);
    expect(mb.alloc(SZ_2, SMP_CACHE_BYTES)).toBe(SIMULATED_MEMORY_BASE);
    expect(mb.reserved.regions).toEqual([{ base: SIMULATED_MEMORY_BASE, size: SZ_2, flags: MemblockFlag.RSRV_KERN, nid: NUMA_NO_NODE }]);
  });

  it('places an aligned allocation above a misaligned reservation without merging', () => {
    // restates alloc_api.c alloc_bottom_up_disjoint_check
    const mb = setupMemblock({ bottomUp: true });
    const r1 = { base: mb.startOfDram() + SZ_2, size: SZ_2 };
    const alignment = SMP_CACHE_BYTES * 2;
    mb.reserve(r1.base, r1.size);
    expect(mb.alloc(SZ_16, alignment)).toBe(mb.startOfDram() + alignment);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r1.size], [mb.startOfDram() + alignment, SZ_16]]);
  });

  it('fills the space before a reservation and merges with it', () => {
    // restates alloc_api.c alloc_bottom_up_before_check
    const mb = setupMemblock({ bottomUp: true });
    mb.reserveKern(mb.startOfDram() + SZ_512, SZ_128);
    expect(mb.alloc(SZ_512, SMP_CACHE_BYTES)).toBe(mb.startOfDram());
    expect(spans(mb.reserved.regions)).toEqual([[mb.startOfDram(), SZ_512 + SZ_128]]);
  });

  it('skips a low gap too small for the request and merges after the reservation', () => {
    // restates alloc_api.c alloc_bottom_up_after_check
    const mb = setupMemblock({ bottomUp: true });
    const r1 = { base: mb.startOfDram() + SMP_CACHE_BYTES, size: SZ_64 };
    mb.reserveKern(r1.base, r1.size);
    expect(mb.alloc(SZ_512, SMP_CACHE_BYTES)).toBe(r1.base + r1.size);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r1.size + SZ_512]]);
  });

  it('goes above the higher of two reservations when the gap between them is too small', () => {
    // restates alloc_api.c alloc_bottom_up_second_fit_check
    const mb = setupMemblock({ bottomUp: true });
    const r1 = { base: mb.startOfDram(), size: SZ_512 };
    const r2 = { base: r1.base + r1.size + SZ_512, size: SZ_256 };
    mb.reserveKern(r1.base, r1.size);
    mb.reserveKern(r2.base, r2.size);
    expect(mb.alloc(SZ_1K, SMP_CACHE_BYTES)).toBe(r2.base + r2.size);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r1.size], [r2.base, r2.size + SZ_1K]]);
  });

  it('fills an exact gap between two reservations and merges all three', () => {
    // restates alloc_api.c alloc_in_between_generic_check (bottom-up)
    const mb = setupMemblock({ bottomUp: true });
    const gapSize = SMP_CACHE_BYTES;
    const r3Size = 2 * SMP_CACHE_BYTES;
    const rgnSize = (MEM_SIZE - (2 * gapSize + r3Size)) / 2;
    const r1 = { base: mb.endOfDram() - (gapSize + rgnSize), size: rgnSize };
    const r2 = { base: mb.startOfDram() + gapSize, size: rgnSize };
    mb.reserveKern(r1.base, r1.size);
    mb.reserveKern(r2.base, r2.size);
    expect(mb.alloc(r3Size, SMP_CACHE_BYTES)).toBe(r2.base + r2.size);
    expect(spans(mb.reserved.regions)).toEqual([[r2.base, r1.size + r2.size + r3Size]]);
  });

  it('fails when all memory is reserved, and for requests larger than memory', () => {
    // restates alloc_api.c alloc_all_reserved_generic_check and alloc_too_large_generic_check (bottom-up)
    const full = setupMemblock({ bottomUp: true });
    full.reserve(full.startOfDram(), MEM_SIZE);
    expect(full.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(0);
    const empty = setupMemblock({ bottomUp: true });
    expect(empty.alloc(MEM_SIZE + SZ_2, SMP_CACHE_BYTES)).toBe(0);
    expect(empty.reserved.cnt).toBe(0);
  });

  it('starts at PAGE_SIZE, never at page 0, when memory begins at address 0', () => {
    // restates memblock.c memblock_find_in_range_node (start raised to PAGE_SIZE)
    const mb = new Memblock();
    mb.bottomUp = true;
    mb.add(0, SZ_64K);
    expect(mb.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(PAGE_SIZE);
  });

  it('switching direction on the same layout changes only where the allocation lands', () => {
    // restates common.h run_top_down/run_bottom_up (memblock_set_bottom_up)
    const topDown = setupMemblock();
    const bottomUp = topDown.clone();
    bottomUp.bottomUp = true;
    expect(topDown.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(topDown.endOfDram() - SZ_256);
    expect(bottomUp.alloc(SZ_256, SMP_CACHE_BYTES)).toBe(bottomUp.startOfDram());
  });
});
