import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, PHYS_ADDR_MAX } from '../../../src/model/boot/memblock.js';
import { SZ_128K, SZ_16M, SZ_1G, SZ_1M, SZ_256M, SZ_2M, SZ_32M, SZ_4K, SZ_4M, SZ_512K, SZ_64M, SZ_8M, spans } from './harness.js';

// memblock_phys_free removes from memblock.reserved exactly as memblock_remove does from memory.
describe('memblock phys_free', () => {
  it('frees a whole reservation so the next one becomes the first', () => {
    // restates basic_api.c memblock_free_simple_check
    const mb = new Memblock();
    mb.reserve(SZ_4M, SZ_1M);
    mb.reserve(SZ_8M, SZ_1M);
    mb.physFree(SZ_4M, SZ_1M);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_8M, SZ_1M]]);
    expect(mb.reserved.totalSize).toBe(SZ_1M);
  });

  it('leaves reservations alone when the freed range was never reserved', () => {
    // restates basic_api.c memblock_free_absent_check
    const mb = new Memblock();
    mb.reserve(SZ_2M, SZ_8M);
    mb.physFree(SZ_16M, SZ_128K);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_2M, SZ_8M]]);
  });

  it('frees only the overlap at the start of a reservation', () => {
    // restates basic_api.c memblock_free_overlap_top_check
    const mb = new Memblock();
    const r1 = { base: SZ_8M, size: SZ_32M };
    const r2 = { base: SZ_1M, size: SZ_8M };
    mb.reserve(r1.base, r1.size);
    mb.physFree(r2.base, r2.size);
    const r2End = r2.base + r2.size;
    expect(spans(mb.reserved.regions)).toEqual([[r2End, r1.base + r1.size - r2End]]);
  });

  it('frees only the overlap at the end of a reservation', () => {
    // restates basic_api.c memblock_free_overlap_bottom_check
    const mb = new Memblock();
    const r1 = { base: SZ_8M, size: SZ_32M };
    const r2 = { base: SZ_32M, size: SZ_32M };
    mb.reserve(r1.base, r1.size);
    mb.physFree(r2.base, r2.size);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r2.base - r1.base]]);
  });

  it('splits a reservation when the freed range lies within it, keeping its flags', () => {
    // restates basic_api.c memblock_free_within_check
    const mb = new Memblock();
    const r1 = { base: SZ_1M, size: SZ_8M };
    const r2 = { base: SZ_4M, size: SZ_1M };
    mb.reserveKern(r1.base, r1.size);
    mb.physFree(r2.base, r2.size);
    const r1End = r1.base + r1.size;
    const r2End = r2.base + r2.size;
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r2.base - r1.base], [r2End, r1End - r2End]]);
    expect(mb.reserved.regions.every((r) => r.flags === MemblockFlag.RSRV_KERN)).toBe(true);
  });

  it('empties reserved when the only reservation is freed', () => {
    // restates basic_api.c memblock_free_only_region_check
    const mb = new Memblock();
    mb.reserve(SZ_2M, SZ_4K);
    mb.physFree(SZ_2M, SZ_4K);
    expect(mb.reserved.cnt).toBe(0);
    expect(mb.reserved.totalSize).toBe(0);
  });

  it('caps a free that would run past the highest address', () => {
    // restates basic_api.c memblock_free_near_max_check
    const mb = new Memblock();
    const r1 = { base: PHYS_ADDR_MAX - SZ_2M, size: SZ_2M };
    const r2 = { base: PHYS_ADDR_MAX - SZ_1M, size: SZ_2M };
    mb.reserve(r1.base, r1.size);
    mb.physFree(r2.base, r2.size);
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, SZ_1M]]);
  });

  it('trims two reservations when the freed range spans the boundary between them', () => {
    // restates basic_api.c memblock_free_overlap_two_check
    const mb = new Memblock();
    const r1 = { base: SZ_16M, size: SZ_32M };
    const r2 = { base: SZ_64M, size: SZ_64M };
    const r3 = { base: SZ_32M, size: SZ_64M };
    mb.reserve(r1.base, r1.size);
    mb.reserve(r2.base, r2.size);
    mb.physFree(r3.base, r3.size);
    const r3End = r3.base + r3.size;
    expect(spans(mb.reserved.regions)).toEqual([[r1.base, r3.base - r1.base], [r3End, r2.base + r2.size - r3End]]);
  });

  it('does not touch memory when freeing reservations', () => {
    // restates memblock.c memblock_phys_free (reserved type only)
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_256M);
    mb.reserve(SZ_1G, SZ_512K);
    mb.physFree(SZ_1G, SZ_256M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_256M]]);
    expect(mb.reserved.cnt).toBe(0);
  });
});
