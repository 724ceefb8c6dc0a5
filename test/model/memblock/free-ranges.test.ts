import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag } from '../../../src/model/boot/memblock.js';
import { SZ_16M, SZ_1G, SZ_1M, SZ_2M, SZ_4M, SZ_8M } from './harness.js';
import { MAX_NUMNODES, NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

/** Two nodes of 16M with reservations cutting holes and one spanning the node boundary. */
function twoNodes(): Memblock {
  const mb = new Memblock();
  mb.addNode(SZ_1G, SZ_16M, 0, MemblockFlag.NONE);
  mb.addNode(SZ_1G + SZ_16M, SZ_16M, 1, MemblockFlag.NONE);
  mb.reserve(SZ_1G + SZ_2M, SZ_1M);
  mb.reserve(SZ_1G + SZ_16M - SZ_1M, SZ_2M); // straddles the node boundary
  mb.reserve(SZ_1G + 2 * SZ_16M - SZ_4M, SZ_4M);
  return mb;
}

describe('memblock free-range iteration', () => {
  it('yields memory minus reserved, per memory region, in ascending order', () => {
    // restates memblock.c __next_mem_range (for_each_free_mem_range)
    const mb = twoNodes();
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)]).toEqual([
      { base: SZ_1G, end: SZ_1G + SZ_2M, nid: 0 },
      { base: SZ_1G + SZ_2M + SZ_1M, end: SZ_1G + SZ_16M - SZ_1M, nid: 0 },
      { base: SZ_1G + SZ_16M + SZ_1M, end: SZ_1G + 2 * SZ_16M - SZ_4M, nid: 1 },
    ]);
  });

  it('yields the same ranges in descending order when reversed', () => {
    // restates memblock.c __next_mem_range_rev (for_each_free_mem_range_reverse)
    const mb = twoNodes();
    const forward = [...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)];
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE, true)]).toEqual([...forward].reverse());
  });

  it('filters by node', () => {
    // restates memblock.c should_skip_region (node filter applies to memory only)
    const mb = twoNodes();
    const node1 = [...mb.freeRanges(1, MemblockFlag.NONE)];
    expect(node1).toEqual([{ base: SZ_1G + SZ_16M + SZ_1M, end: SZ_1G + 2 * SZ_16M - SZ_4M, nid: 1 }]);
  });

  it('treats MAX_NUMNODES as any node, with a deprecation warning', () => {
    // restates memblock.c __next_mem_range (WARN_ONCE on MAX_NUMNODES)
    const mb = twoNodes();
    expect([...mb.freeRanges(MAX_NUMNODES, MemblockFlag.NONE)]).toHaveLength(3);
    expect(mb.warnings.some((w) => /MAX_NUMNODES/.test(w))).toBe(true);
  });

  it('the total of free ranges is memory size minus the reserved bytes that lie in memory', () => {
    // restates memblock.c __next_mem_range (two-index sweep covers every free byte once)
    const mb = twoNodes();
    mb.reserve(SZ_8M, SZ_1M); // outside memory: must not count
    const freeBytes = [...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)].reduce((sum, r) => sum + (r.end - r.base), 0);
    expect(freeBytes).toBe(mb.physMemSize() - (SZ_1M + SZ_2M + SZ_4M));
  });
});
