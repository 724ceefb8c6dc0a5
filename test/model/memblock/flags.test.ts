import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import { MEM_SIZE, SIMULATED_MEMORY_BASE, SZ_16M, SZ_1G, SZ_1M, SZ_256M, SZ_2M, SZ_4M, SZ_8M, setupMemblock, spans } from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock flags: mark, clear, split and merge', () => {
  it('fact 42: adjacent regions on the same node with flags NONE and HOTPLUG stay separate (cnt 2)', () => {
    // restates memblock.c memblock_merge_regions (flags must match to merge)
    const mb = new Memblock();
    mb.addNode(SZ_1G, SZ_256M, 0, MemblockFlag.NONE);
    mb.addNode(SZ_1G + SZ_256M, SZ_256M, 0, MemblockFlag.HOTPLUG);
    expect(mb.memory.cnt).toBe(2);
    expect(mb.memory.regions.map((r) => r.flags)).toEqual([MemblockFlag.NONE, MemblockFlag.HOTPLUG]);
  });

  it('fact 42: mark_hotplug over a middle slice gives cnt 3; clear_hotplug of the same slice gives cnt 1', () => {
    // restates memblock.c memblock_setclr_flag (isolate, set/clear, merge)
    const mb = new Memblock();
    mb.addNode(SZ_1G, SZ_256M, 0, MemblockFlag.NONE);
    const sliceBase = SZ_1G + SZ_16M;
    mb.markHotplug(sliceBase, SZ_16M);
    expect(mb.memory.cnt).toBe(3);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_16M], [sliceBase, SZ_16M], [sliceBase + SZ_16M, SZ_256M - 2 * SZ_16M]]);
    expect(mb.memory.regions.map((r) => r.flags)).toEqual([MemblockFlag.NONE, MemblockFlag.HOTPLUG, MemblockFlag.NONE]);
    mb.clearHotplug(sliceBase, SZ_16M);
    expect(mb.memory.cnt).toBe(1);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_256M]]);
    expect(mb.memory.regions[0].flags).toBe(MemblockFlag.NONE);
  });

  it('marking a range that spans two regions flags both parts and merges them when nodes agree', () => {
    // restates memblock.c memblock_setclr_flag over several regions
    const mb = new Memblock();
    mb.addNode(SZ_1G, SZ_16M, 0, MemblockFlag.NONE);
    mb.addNode(SZ_1G + SZ_16M, SZ_16M, 0, MemblockFlag.NOMAP);
    mb.markHotplug(SZ_1G, SZ_16M);
    mb.markHotplug(SZ_1G + SZ_16M, SZ_16M);
    // Different NOMAP bits keep them apart.
    expect(mb.memory.cnt).toBe(2);
    mb.clearNomap(SZ_1G, 2 * SZ_16M);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.regions[0]).toEqual({ base: SZ_1G, size: 2 * SZ_16M, flags: MemblockFlag.HOTPLUG, nid: 0 });
  });

  it('mark_nomap hides memory from allocation; clear_nomap gives it back', () => {
    // restates memblock.c memblock_mark_nomap and should_skip_region (NOMAP skipped unless asked for)
    const mb = setupMemblock();
    mb.markNomap(SIMULATED_MEMORY_BASE, MEM_SIZE);
    expect(mb.memory.regions[0].flags).toBe(MemblockFlag.NOMAP);
    expect(mb.alloc(SMP_CACHE_BYTES, SMP_CACHE_BYTES)).toBe(0);
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)]).toEqual([]);
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NOMAP)]).toHaveLength(1);
    mb.clearNomap(SIMULATED_MEMORY_BASE, MEM_SIZE);
    expect(mb.alloc(SMP_CACHE_BYTES, SMP_CACHE_BYTES)).toBe(SIMULATED_MEMORY_BASE + MEM_SIZE - SMP_CACHE_BYTES);
  });

  it('DRIVER_MANAGED memory is skipped by the allocator unless asked for', () => {
    // restates memblock.c should_skip_region (DRIVER_MANAGED)
    const mb = new Memblock();
    mb.addNode(SZ_1G, SZ_2M, 0, MemblockFlag.DRIVER_MANAGED);
    expect(mb.alloc(SZ_4M / 4, SMP_CACHE_BYTES)).toBe(0);
    expect(mb.findInRangeNode(SZ_1M, PAGE_SIZE, 0, SZ_1G + SZ_2M, NUMA_NO_NODE, MemblockFlag.DRIVER_MANAGED)).toBe(SZ_1G + SZ_1M);
  });

  it('reserved_mark_noinit flags a slice of a reservation and splits it', () => {
    // restates memblock.c memblock_reserved_mark_noinit
    const mb = new Memblock();
    mb.reserve(SZ_8M, SZ_8M);
    mb.reservedMarkNoinit(SZ_8M + SZ_2M, SZ_2M);
    expect(spans(mb.reserved.regions)).toEqual([[SZ_8M, SZ_2M], [SZ_8M + SZ_2M, SZ_2M], [SZ_8M + SZ_4M, SZ_4M]]);
    expect(mb.reserved.regions[1].flags).toBe(MemblockFlag.RSRV_NOINIT);
    expect(mb.memory.cnt).toBe(0);
  });

  it('mark_hotplug on a range with no memory changes nothing', () => {
    // restates memblock.c memblock_isolate_range (nothing inside the range)
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_1M);
    mb.markHotplug(SZ_16M, SZ_1M);
    expect(mb.memory.regions).toEqual([{ base: SZ_1G, size: SZ_1M, flags: MemblockFlag.NONE, nid: 1024 }]);
  });
});

describe('memblock trim_memory', () => {
  it('leaves aligned regions alone', () => {
    // restates basic_api.c memblock_trim_memory_aligned_check
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_16M);
    mb.trimMemory(SZ_1M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_16M]]);
  });

  it('drops a region too small to hold one aligned block', () => {
    // restates basic_api.c memblock_trim_memory_too_small_check
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_2M);
    mb.add(SZ_1G + SZ_4M, SZ_1M / 2);
    mb.trimMemory(SZ_1M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_2M]]);
  });

  it('rounds an unaligned base up and an unaligned end down', () => {
    // restates basic_api.c memblock_trim_memory_unaligned_base_check and _unaligned_end_check
    const mb = new Memblock();
    const offset = SZ_1M / 4;
    mb.add(SZ_1G + offset, SZ_4M - offset);
    mb.add(SZ_1G + SZ_8M, SZ_4M - offset);
    mb.trimMemory(SZ_1M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G + SZ_1M, SZ_4M - SZ_1M], [SZ_1G + SZ_8M, SZ_4M - SZ_1M]]);
  });
});
