import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { MEM_SIZE, SIMULATED_MEMORY_BASE, SZ_16K, SZ_256, SZ_2K, SZ_64, regionEnd, setupNumaMemblock } from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

function hotplugOnly(bottomUp: boolean): Memblock {
  const mb = new Memblock();
  mb.movableNode = true;
  mb.bottomUp = bottomUp;
  mb.addNode(SIMULATED_MEMORY_BASE, SZ_16K, 0, MemblockFlag.HOTPLUG);
  mb.addNode(SIMULATED_MEMORY_BASE + SZ_16K, SZ_16K, 1, MemblockFlag.HOTPLUG);
  return mb;
}

describe('memblock under movable_node', () => {
  it('fact 47: with movable_node and only HOTPLUG memory, every allocation fails', () => {
    // restates memblock.c should_skip_region (HOTPLUG skipped under movable_node)
    for (const bottomUp of [false, true]) {
      const mb = hotplugOnly(bottomUp);
      const end = mb.endOfDram();
      expect(mb.alloc(SZ_64, SMP_CACHE_BYTES)).toBe(0);
      expect(mb.allocTryNid(SZ_64, SMP_CACHE_BYTES, 0, end, NUMA_NO_NODE)).toBe(0);
      expect(mb.allocTryNid(SZ_64, SMP_CACHE_BYTES, 0, end, 1)).toBe(0);
      expect(mb.allocTryNidRaw(SZ_64, SMP_CACHE_BYTES, mb.startOfDram(), end, 0)).toBe(0);
      expect(mb.allocExactNidRaw(SZ_64, SMP_CACHE_BYTES, 0, end, 0)).toBe(0);
      expect(mb.allocRangeNid(SZ_64, SMP_CACHE_BYTES, 0, end, NUMA_NO_NODE, false)).toBe(0);
      expect(mb.findInRangeNode(SZ_64, SMP_CACHE_BYTES, 0, end, NUMA_NO_NODE, MemblockFlag.NONE)).toBe(0);
      expect(mb.reserved.cnt).toBe(0);
    }
  });

  it('the same HOTPLUG memory is allocatable without movable_node', () => {
    // restates memblock.c should_skip_region (the movable_node condition)
    const mb = hotplugOnly(false);
    mb.movableNode = false;
    expect(mb.alloc(SZ_64, SMP_CACHE_BYTES)).toBe(mb.endOfDram() - SZ_64);
  });

  it('allocations go to non-hotpluggable memory only, even if it is lower than hotpluggable memory', () => {
    // restates memblock.c should_skip_region with a mixed layout (numa_clear_kernel_node_hotplug keeps node 0)
    const mb = new Memblock();
    mb.movableNode = true;
    mb.addNode(SIMULATED_MEMORY_BASE, SZ_16K, 0, MemblockFlag.NONE);
    mb.addNode(SIMULATED_MEMORY_BASE + SZ_16K, SZ_16K, 1, MemblockFlag.HOTPLUG);
    const addr = mb.alloc(SZ_256, SMP_CACHE_BYTES);
    expect(addr).toBe(SIMULATED_MEMORY_BASE + SZ_16K - SZ_256);
    // Asking for node 1 falls back to node 0 rather than touching HOTPLUG memory.
    const onNode1 = mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, 0, mb.endOfDram(), 1);
    expect(onNode1).toBeLessThan(SIMULATED_MEMORY_BASE + SZ_16K);
    expect(mb.allocExactNidRaw(SZ_256, SMP_CACHE_BYTES, 0, mb.endOfDram(), 1)).toBe(0);
  });

  it('free-range iteration includes HOTPLUG memory when the caller passes HOTPLUG', () => {
    // restates memblock.c should_skip_region (caller flag HOTPLUG) as used by for_each_mem_range
    const mb = hotplugOnly(false);
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)]).toEqual([]);
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.HOTPLUG)]).toEqual([
      { base: SIMULATED_MEMORY_BASE, end: SIMULATED_MEMORY_BASE + SZ_16K, nid: 0 },
      { base: SIMULATED_MEMORY_BASE + SZ_16K, end: SIMULATED_MEMORY_BASE + 2 * SZ_16K, nid: 1 },
    ]);
  });

  it('the suite harness clears HOTPLUG on its NUMA layout under movable_node, so node allocations still work', () => {
    // restates common.c setup_numa_memblock (flags NONE when movable_node is enabled)
    const mb = setupNumaMemblock({ movableNode: true });
    expect(mb.memory.regions.every((r) => r.flags === MemblockFlag.NONE)).toBe(true);
    const reqNode = mb.memory.regions[3];
    expect(mb.allocTryNid(SZ_2K / 2, SMP_CACHE_BYTES, 0, mb.endOfDram(), 3)).toBe(regionEnd(reqNode) - SZ_2K / 2);
    expect(mb.physMemSize()).toBe(MEM_SIZE);
  });
});
