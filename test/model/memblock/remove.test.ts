import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, PHYS_ADDR_MAX } from '../../../src/model/boot/memblock.js';
import { SZ_128K, SZ_16M, SZ_1G, SZ_1M, SZ_256M, SZ_2K, SZ_2M, SZ_32M, SZ_4K, SZ_4M, SZ_512K, SZ_64M, spans } from './harness.js';

describe('memblock remove', () => {
  it('removes a whole region so the next one becomes the first', () => {
    // restates basic_api.c memblock_remove_simple_check
    const mb = new Memblock();
    mb.add(SZ_2K, SZ_4K);
    mb.add(SZ_128K, SZ_4M);
    mb.remove(SZ_2K, SZ_4K);
    expect(spans(mb.memory.regions)).toEqual([[SZ_128K, SZ_4M]]);
    expect(mb.memory.totalSize).toBe(SZ_4M);
  });

  it('leaves memory alone when the range is absent', () => {
    // restates basic_api.c memblock_remove_absent_check
    const mb = new Memblock();
    mb.add(SZ_512K, SZ_4M);
    mb.remove(SZ_64M, SZ_1G);
    expect(spans(mb.memory.regions)).toEqual([[SZ_512K, SZ_4M]]);
  });

  it('removes only the overlap when the range covers the start of a region', () => {
    // restates basic_api.c memblock_remove_overlap_top_check
    const mb = new Memblock();
    const r1 = { base: SZ_32M, size: SZ_32M };
    const r2 = { base: SZ_16M, size: SZ_32M };
    mb.add(r1.base, r1.size);
    mb.remove(r2.base, r2.size);
    const r1End = r1.base + r1.size;
    const r2End = r2.base + r2.size;
    expect(spans(mb.memory.regions)).toEqual([[r2End, r1End - r2End]]);
    expect(mb.memory.totalSize).toBe(r1End - r2End);
  });

  it('removes only the overlap when the range covers the end of a region', () => {
    // restates basic_api.c memblock_remove_overlap_bottom_check
    const mb = new Memblock();
    const r1 = { base: SZ_2M, size: SZ_64M };
    const r2 = { base: SZ_32M, size: SZ_256M };
    mb.add(r1.base, r1.size);
    mb.remove(r2.base, r2.size);
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r2.base - r1.base]]);
  });

  it('splits a region in two when the range lies within it, keeping node and flags on both halves', () => {
    // restates basic_api.c memblock_remove_within_check
    const mb = new Memblock();
    const r1 = { base: SZ_1M, size: SZ_32M };
    const r2 = { base: SZ_16M, size: SZ_1M };
    mb.addNode(r1.base, r1.size, 3, MemblockFlag.HOTPLUG);
    mb.remove(r2.base, r2.size);
    const r1End = r1.base + r1.size;
    const r2End = r2.base + r2.size;
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r2.base - r1.base], [r2End, r1End - r2End]]);
    expect(mb.memory.regions.every((r) => r.nid === 3 && r.flags === MemblockFlag.HOTPLUG)).toBe(true);
    expect(mb.memory.totalSize).toBe(r1.size - r2.size);
  });

  it('empties the type when the only region is removed', () => {
    // restates basic_api.c memblock_remove_only_region_check
    const mb = new Memblock();
    mb.add(SZ_2K, SZ_4K);
    mb.remove(SZ_2K, SZ_4K);
    expect(mb.memory.cnt).toBe(0);
    expect(mb.memory.totalSize).toBe(0);
    expect(mb.startOfDram()).toBe(0);
    expect(mb.endOfDram()).toBe(0);
  });

  it('caps a removal that would run past the highest address', () => {
    // restates basic_api.c memblock_remove_near_max_check
    const mb = new Memblock();
    const r1 = { base: PHYS_ADDR_MAX - SZ_2M, size: SZ_2M };
    const r2 = { base: PHYS_ADDR_MAX - SZ_1M, size: SZ_2M };
    mb.add(r1.base, r1.size);
    mb.remove(r2.base, r2.size);
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r2.base - r1.base]]);
    expect(mb.memory.totalSize).toBe(SZ_1M);
  });

  it('trims two regions when the range overlaps the end of one and the start of the next', () => {
    // restates basic_api.c memblock_remove_overlap_two_check
    const mb = new Memblock();
    const r1 = { base: SZ_16M, size: SZ_32M };
    const r2 = { base: SZ_64M, size: SZ_64M };
    const r3 = { base: SZ_32M, size: SZ_64M };
    mb.add(r1.base, r1.size);
    mb.add(r2.base, r2.size);
    mb.remove(r3.base, r3.size);
    const r2End = r2.base + r2.size;
    const r3End = r3.base + r3.size;
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r3.base - r1.base], [r3End, r2End - r3End]]);
    expect(mb.memory.totalSize).toBe(r3.base - r1.base + (r2End - r3End));
  });
});

