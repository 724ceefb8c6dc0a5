import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import { SZ_128M, SZ_16M, SZ_1G, SZ_2K, SZ_4K, SZ_8K, spans } from './harness.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock set_node', () => {
  it('assigns a node to memory added without one', () => {
    // restates memblock.c memblock_set_node (assigning a node to memory added by memblock_add)
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_128M);
    expect(mb.memory.regions[0].nid).toBe(MAX_NUMNODES);
    mb.setNode(SZ_1G, SZ_128M, 'memory', 2);
    expect(mb.memory.regions).toEqual([{ base: SZ_1G, size: SZ_128M, flags: MemblockFlag.NONE, nid: 2 }]);
  });

  it('splits a region at the node boundary and merges it back when the nodes agree again', () => {
    // restates memblock.c memblock_set_node (isolate, set nid, merge)
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_128M);
    mb.setNode(SZ_1G, SZ_128M / 2, 'memory', 0);
    mb.setNode(SZ_1G + SZ_128M / 2, SZ_128M / 2, 'memory', 1);
    expect(spans(mb.memory.regions)).toEqual([[SZ_1G, SZ_128M / 2], [SZ_1G + SZ_128M / 2, SZ_128M / 2]]);
    expect(mb.memory.regions.map((r) => r.nid)).toEqual([0, 1]);
    mb.setNode(SZ_1G + SZ_128M / 2, SZ_128M / 2, 'memory', 0);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.regions[0].nid).toBe(0);
  });

  it('sets nodes on reserved regions without touching memory', () => {
    // restates memblock.c memblock_set_node on memblock.reserved (memmap_init_reserved_pages)
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_128M);
    mb.reserve(SZ_1G, SZ_16M);
    mb.setNode(SZ_1G, SZ_128M, 'reserved', 3);
    expect(mb.reserved.regions[0].nid).toBe(3);
    expect(mb.memory.regions[0].nid).toBe(MAX_NUMNODES);
  });

  it('reports pfn ranges per node, rounding inwards and skipping sub-page regions', () => {
    // restates memblock.c __next_mem_pfn_range (for_each_mem_pfn_range)
    const mb = new Memblock();
    mb.addNode(SZ_1G + SZ_2K, SZ_16M, 0, MemblockFlag.NONE); // unaligned both ends
    mb.addNode(SZ_1G + SZ_16M + SZ_8K, SZ_2K, 0, MemblockFlag.NONE); // smaller than a page
    mb.addNode(2 * SZ_1G, SZ_16M, 1, MemblockFlag.HOTPLUG);
    const all = [...mb.memPfnRanges(NUMA_NO_NODE)];
    expect(all).toEqual([
      { startPfn: (SZ_1G + SZ_4K) / PAGE_SIZE, endPfn: (SZ_1G + SZ_16M) / PAGE_SIZE, nid: 0 },
      { startPfn: (2 * SZ_1G) / PAGE_SIZE, endPfn: (2 * SZ_1G + SZ_16M) / PAGE_SIZE, nid: 1 },
    ]);
    expect([...mb.memPfnRanges(1)]).toEqual([all[1]]);
  });
});
