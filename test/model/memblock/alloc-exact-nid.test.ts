import { describe, expect, it } from 'vitest';
import { MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { SZ_2, SZ_256, SZ_4, SZ_512, SZ_64, regionEnd, setupNumaMemblock } from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock_alloc_exact_nid_raw', () => {
  it('allocates at the end of the requested node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_top_down_numa_simple_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[3];
    const size = reqNode.size / SZ_4;
    const addr = mb.allocExactNidRaw(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 3);
    expect(addr).toBe(regionEnd(reqNode) - size);
    expect(mb.reserved.regions).toEqual([{ base: addr, size, flags: MemblockFlag.RSRV_KERN, nid: 3 }]);
  });

  it('bottom-up: allocates at the start of the requested node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_bottom_up_numa_simple_check
    const mb = setupNumaMemblock({ bottomUp: true });
    const reqNode = mb.memory.regions[3];
    expect(mb.allocExactNidRaw(reqNode.size / SZ_4, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 3)).toBe(reqNode.base);
  });

  it('uses the free end of a partially reserved node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_top_down_numa_part_reserved_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[4];
    const r1 = { base: reqNode.base, size: reqNode.size / 2 };
    const size = r1.size / SZ_4;
    mb.reserve(r1.base, r1.size);
    const addr = mb.allocExactNidRaw(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 4);
    expect(addr).toBe(regionEnd(reqNode) - size);
    expect(mb.reserved.regions[1]).toMatchObject({ base: addr, size, nid: 4 });
    expect(mb.reserved.totalSize).toBe(size + r1.size);
  });

  it('returns 0 instead of falling back when the requested node is too small', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_numa_small_node_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupNumaMemblock({ bottomUp });
      const size = SZ_2 * mb.memory.regions[1].size;
      expect(mb.allocExactNidRaw(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 1)).toBe(0);
      expect(mb.reserved.cnt).toBe(0);
      // The non-exact variant does fall back on the same layout.
      expect(mb.allocTryNidRaw(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 1)).not.toBe(0);
    }
  });

  it('returns 0 when the requested node is fully reserved', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_numa_node_reserved_generic_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[2];
    mb.reserve(reqNode.base, reqNode.size);
    expect(mb.allocExactNidRaw(reqNode.size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 2)).toBe(0);
    expect(mb.reserved.cnt).toBe(1);
  });

  it('still drops min: a range straddling the node end yields the top of the node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_top_down_numa_split_range_low_check
    const mb = setupNumaMemblock();
    const reqNodeEnd = regionEnd(mb.memory.regions[2]);
    const minAddr = reqNodeEnd - SZ_256;
    expect(mb.allocExactNidRaw(SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).toBe(reqNodeEnd - SZ_512);
  });

  it('bottom-up: a range straddling the node end yields the start of the node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_bottom_up_numa_split_range_low_check
    const mb = setupNumaMemblock({ bottomUp: true });
    const reqNode = mb.memory.regions[2];
    const minAddr = regionEnd(reqNode) - SZ_256;
    expect(mb.allocExactNidRaw(SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).toBe(reqNode.base);
  });

  it('drops min when the range covers only later nodes and allocates on the requested node', () => {
    // restates alloc_exact_nid_api.c alloc_exact_nid_top_down_numa_no_overlap_low_check
    const mb = setupNumaMemblock();
    const minAddr = mb.memory.regions[2].base;
    const maxAddr = regionEnd(mb.memory.regions[5]);
    const addr = mb.allocExactNidRaw(SZ_64, SMP_CACHE_BYTES, minAddr, maxAddr, 0);
    expect(addr).toBe(regionEnd(mb.memory.regions[0]) - SZ_64);
    expect(mb.reserved.regions[0].nid).toBe(0);
  });

  it('never reserves on NUMA_NO_NODE when a node was requested', () => {
    // restates memblock.c memblock_alloc_range_nid (exact_nid skips the NUMA_NO_NODE retry)
    const mb = setupNumaMemblock();
    for (let i = 0; i < 8; i++) mb.allocExactNidRaw(SZ_256, SMP_CACHE_BYTES, 0, mb.endOfDram(), 5);
    expect(mb.reserved.regions.every((r) => r.nid === 5)).toBe(true);
    expect(mb.reserved.regions.some((r) => r.nid === NUMA_NO_NODE)).toBe(false);
    expect(mb.reserved.totalSize).toBe(mb.memory.regions[5].size);
  });
});
