import { describe, expect, it } from 'vitest';
import { INIT_MEMBLOCK_REGIONS, Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { MEM_SIZE, SIMULATED_MEMORY_BASE, SZ_1G, SZ_1M, SZ_256, SZ_4K, setupMemblock, spans } from './harness.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

function snapshot(mb: Memblock): unknown {
  return { memory: spans(mb.memory.regions), reserved: spans(mb.reserved.regions), warnings: [...mb.warnings] };
}

describe('memblock model contract', () => {
  it('rejects bad arguments with a RangeError naming the argument and changes nothing', () => {
    // model contract (mm/memblock.c has no such errors: the kernel takes unsigned values)
    const mb = setupMemblock();
    const before = snapshot(mb);
    expect(() => mb.add(-1, SZ_1M)).toThrow(RangeError);
    expect(() => mb.add(-1, SZ_1M)).toThrow(/base/);
    expect(() => mb.reserve(SZ_1G, 1.5)).toThrow(/size/);
    expect(() => mb.addNode(SZ_1G, SZ_1M, MAX_NUMNODES + 1, MemblockFlag.NONE)).toThrow(/nid/);
    expect(() => mb.addNode(SZ_1G, SZ_1M, 0, 0x80)).toThrow(/flags/);
    expect(() => mb.alloc(SZ_256, 48)).toThrow(/align/);
    expect(() => mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, -5, 0, NUMA_NO_NODE)).toThrow(/minAddr/);
    expect(() => mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, 0, Number.NaN, NUMA_NO_NODE)).toThrow(/maxAddr/);
    expect(() => mb.setNode(SIMULATED_MEMORY_BASE, MEM_SIZE, 'physmem' as 'memory', 0)).toThrow(/type/);
    expect(() => mb.markHotplug(SIMULATED_MEMORY_BASE, 2 ** 60)).toThrow(/size/);
    expect(() => mb.findInRangeNode(SZ_256, 0, 0, 0, NUMA_NO_NODE, 0)).toThrow(/align/);
    expect(snapshot(mb)).toEqual(before);
  });

  it('clone is a deep copy: changes to one never show in the other', () => {
    // model contract: what-if studies work on copies
    const mb = setupMemblock();
    mb.reserve(SIMULATED_MEMORY_BASE, SZ_4K);
    const copy = mb.clone();
    copy.alloc(SZ_256, SMP_CACHE_BYTES);
    copy.markHotplug(SIMULATED_MEMORY_BASE, SZ_4K);
    copy.bottomUp = true;
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.memory.regions[0].flags).toBe(MemblockFlag.NONE);
    expect(mb.bottomUp).toBe(false);
    expect(copy.reserved.cnt).toBe(2);
  });

  it('an isolating operation on a nearly full array doubles it first, as the kernel does', () => {
    // restates memblock.c memblock_isolate_range (makes room for two more regions up front)
    const mb = new Memblock();
    mb.add(SIMULATED_MEMORY_BASE, MEM_SIZE);
    for (let i = 1; i < INIT_MEMBLOCK_REGIONS - 1; i++) mb.add(SZ_1G + i * 2 * SZ_4K, SZ_4K);
    expect(mb.memory.cnt).toBe(INIT_MEMBLOCK_REGIONS - 1);
    mb.remove(SZ_1G + 2 * SZ_4K, SZ_4K); // removes a whole region, yet cnt + 2 > max first
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS * 2);
    expect(mb.memory.cnt).toBe(INIT_MEMBLOCK_REGIONS - 2);
    expect(mb.reserved.cnt).toBe(1);
  });

  it('when no free memory can hold a doubled array, the operation throws and nothing changes', () => {
    // restates memblock.c memblock_double_array failure ("Failed to double ... array")
    const mb = new Memblock();
    mb.add(SIMULATED_MEMORY_BASE, MEM_SIZE);
    mb.reserve(SIMULATED_MEMORY_BASE, MEM_SIZE); // nothing free anywhere
    for (let i = 1; i < INIT_MEMBLOCK_REGIONS; i++) mb.add(SZ_1G + i * 2 * SZ_4K, SZ_4K);
    mb.reserve(SZ_1G, INIT_MEMBLOCK_REGIONS * 2 * SZ_4K); // cover all the small regions too
    const before = snapshot(mb);
    expect(() => mb.add(2 * SZ_1G, SZ_4K)).toThrow(/no free memory/);
    expect(snapshot(mb)).toEqual(before);
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS);
  });

  it('reports physical memory size and DRAM bounds from the memory regions', () => {
    // restates memblock.c memblock_phys_mem_size, memblock_start_of_DRAM, memblock_end_of_DRAM
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_1M);
    mb.add(4 * SZ_1G, 2 * SZ_1M);
    mb.reserve(SZ_1G, SZ_4K);
    expect(mb.physMemSize()).toBe(3 * SZ_1M);
    expect(mb.startOfDram()).toBe(SZ_1G);
    expect(mb.endOfDram()).toBe(4 * SZ_1G + 2 * SZ_1M);
  });
});
