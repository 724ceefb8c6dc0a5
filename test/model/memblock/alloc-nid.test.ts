import { describe, expect, it } from 'vitest';
import { MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import {
  MEM_SIZE,
  NUMA_NODES,
  SZ_128,
  SZ_1K,
  SZ_2,
  SZ_256,
  SZ_4,
  SZ_512,
  SZ_64,
  regionEnd,
  setupMemblock,
  setupNumaMemblock,
  spans,
} from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

describe('memblock_alloc_try_nid: range handling', () => {
  it('top-down: allocates so that the region ends at max_addr', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_simple_check
    const mb = setupMemblock();
    const minAddr = mb.startOfDram() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512;
    expect(mb.allocTryNid(SZ_128, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(maxAddr - SZ_128);
    expect(spans(mb.reserved.regions)).toEqual([[maxAddr - SZ_128, SZ_128]]);
  });

  it('bottom-up: allocates at min_addr', () => {
    // restates alloc_nid_api.c alloc_nid_bottom_up_simple_check
    const mb = setupMemblock({ bottomUp: true });
    const minAddr = mb.startOfDram() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512;
    expect(mb.allocTryNid(SZ_128, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(minAddr);
  });

  it('top-down: a misaligned max_addr yields an aligned region ending below it', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_end_misaligned_check
    const mb = setupMemblock();
    const misalign = SZ_2;
    const minAddr = mb.startOfDram() + SMP_CACHE_BYTES * 2;
    const maxAddr = minAddr + SZ_512 + misalign;
    expect(mb.allocTryNid(SZ_128, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(maxAddr - SZ_128 - misalign);
  });

  it('bottom-up: a misaligned min_addr is rounded up to the alignment', () => {
    // restates alloc_nid_api.c alloc_nid_bottom_up_start_misaligned_check
    const mb = setupMemblock({ bottomUp: true });
    const misalign = SZ_2;
    const minAddr = mb.startOfDram() + misalign;
    expect(mb.allocTryNid(SZ_128, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, NUMA_NO_NODE)).toBe(minAddr + (SMP_CACHE_BYTES - misalign));
  });

  it('allocates exactly [min_addr, max_addr) when the range is the size of the request', () => {
    // restates alloc_nid_api.c alloc_nid_exact_address_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupMemblock({ bottomUp });
      const minAddr = mb.startOfDram() + SMP_CACHE_BYTES;
      expect(mb.allocTryNid(SZ_1K, SMP_CACHE_BYTES, minAddr, minAddr + SZ_1K, NUMA_NO_NODE)).toBe(minAddr);
    }
  });

  it('fact 45: alloc_try_nid(256, min=start+512, max=min+SMP_CACHE_BYTES) drops min and returns max-256', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_narrow_range_check
    const mb = setupMemblock();
    const minAddr = mb.startOfDram() + SZ_512;
    const maxAddr = minAddr + SMP_CACHE_BYTES;
    expect(mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(maxAddr - SZ_256);
    expect(spans(mb.reserved.regions)).toEqual([[maxAddr - SZ_256, SZ_256]]);
  });

  it('bottom-up: a too-narrow range drops min and allocates at the start of memory', () => {
    // restates alloc_nid_api.c alloc_nid_bottom_up_narrow_range_check
    const mb = setupMemblock({ bottomUp: true });
    const minAddr = mb.startOfDram() + SZ_512;
    expect(mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, minAddr, minAddr + SMP_CACHE_BYTES, NUMA_NO_NODE)).toBe(mb.startOfDram());
  });

  it('fact 46: alloc_try_nid(1K, min=start, max=start+SMP_CACHE_BYTES) returns 0: the upper bound is hard', () => {
    // restates alloc_nid_api.c alloc_nid_low_max_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupMemblock({ bottomUp });
      const minAddr = mb.startOfDram();
      expect(mb.allocTryNid(SZ_1K, SMP_CACHE_BYTES, minAddr, minAddr + SMP_CACHE_BYTES, NUMA_NO_NODE)).toBe(0);
      expect(mb.reserved.cnt).toBe(0);
    }
  });

  it('merges with a kernel reservation that ends at min_addr', () => {
    // restates alloc_nid_api.c alloc_nid_min_reserved_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupMemblock({ bottomUp });
      const maxAddr = mb.endOfDram();
      const minAddr = maxAddr - SZ_64;
      const reservedBase = minAddr - SZ_128;
      mb.reserveKern(reservedBase, SZ_128);
      expect(mb.allocTryNid(SZ_64, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(minAddr);
      expect(spans(mb.reserved.regions)).toEqual([[reservedBase, SZ_128 + SZ_64]]);
    }
  });

  it('merges with a kernel reservation that starts at max_addr', () => {
    // restates alloc_nid_api.c alloc_nid_max_reserved_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupMemblock({ bottomUp });
      const maxAddr = mb.endOfDram() - SZ_64;
      const minAddr = maxAddr - SZ_128;
      mb.reserveKern(maxAddr, SZ_64);
      expect(mb.allocTryNid(SZ_128, SMP_CACHE_BYTES, minAddr, maxAddr, NUMA_NO_NODE)).toBe(minAddr);
      expect(spans(mb.reserved.regions)).toEqual([[minAddr, SZ_128 + SZ_64]]);
    }
  });

  it('top-down: with room between two reservations, merges with the upper one only', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_reserved_with_space_check
    const mb = setupMemblock();
    const r1 = { base: mb.endOfDram() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r3Size = SZ_64;
    const r2 = { base: r1.base - (r3Size + SMP_CACHE_BYTES + SZ_128), size: SZ_128 };
    mb.reserveKern(r1.base, r1.size);
    mb.reserveKern(r2.base, r2.size);
    const maxAddr = r1.base;
    expect(mb.allocTryNid(r3Size, SMP_CACHE_BYTES, r2.base + r2.size, maxAddr, NUMA_NO_NODE)).toBe(maxAddr - r3Size);
    expect(spans(mb.reserved.regions)).toEqual([[r2.base, r2.size], [maxAddr - r3Size, r1.size + r3Size]]);
  });

  it('bottom-up: when nothing fits between two reservations, min is dropped and memory start is used', () => {
    // restates alloc_nid_api.c alloc_nid_bottom_up_reserved_no_space_check
    const mb = setupMemblock({ bottomUp: true });
    const r1 = { base: mb.endOfDram() - SMP_CACHE_BYTES * 2, size: SMP_CACHE_BYTES };
    const r2 = { base: r1.base - (SZ_128 + SMP_CACHE_BYTES), size: SZ_128 };
    mb.reserve(r1.base, r1.size);
    mb.reserve(r2.base, r2.size);
    expect(mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, r2.base + r2.size, r1.base, NUMA_NO_NODE)).toBe(mb.startOfDram());
    expect(spans(mb.reserved.regions)).toEqual([[mb.startOfDram(), SZ_256], [r2.base, r2.size], [r1.base, r1.size]]);
  });

  it('fails when all memory below max is reserved except a gap too small', () => {
    // restates alloc_nid_api.c alloc_nid_reserved_all_generic_check
    for (const bottomUp of [false, true]) {
      const mb = setupMemblock({ bottomUp });
      const r1 = { base: mb.endOfDram() - SMP_CACHE_BYTES, size: SMP_CACHE_BYTES };
      const r2 = { base: mb.startOfDram(), size: MEM_SIZE - (r1.size + SMP_CACHE_BYTES) };
      mb.reserve(r1.base, r1.size);
      mb.reserve(r2.base, r2.size);
      expect(mb.allocTryNid(SZ_256, SMP_CACHE_BYTES, r2.base + r2.size, r1.base, NUMA_NO_NODE)).toBe(0);
    }
  });

  it('caps max_addr beyond the end of memory', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_cap_max_check and alloc_nid_bottom_up_cap_max_check
    const topDown = setupMemblock();
    expect(topDown.allocTryNid(SZ_256, SMP_CACHE_BYTES, topDown.endOfDram() - SZ_1K, topDown.endOfDram() + SZ_256, NUMA_NO_NODE)).toBe(
      topDown.endOfDram() - SZ_256,
    );
    const bottomUp = setupMemblock({ bottomUp: true });
    const minAddr = bottomUp.startOfDram() + SZ_1K;
    expect(bottomUp.allocTryNid(SZ_256, SMP_CACHE_BYTES, minAddr, bottomUp.endOfDram() + SZ_256, NUMA_NO_NODE)).toBe(minAddr);
  });

  it('caps min_addr below the start of memory', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_cap_min_check and alloc_nid_bottom_up_cap_min_check
    const topDown = setupMemblock();
    expect(topDown.allocTryNid(SZ_1K, SMP_CACHE_BYTES, topDown.startOfDram() - SZ_256, topDown.endOfDram(), NUMA_NO_NODE)).toBe(
      topDown.endOfDram() - SZ_1K,
    );
    const bottomUp = setupMemblock({ bottomUp: true });
    expect(bottomUp.allocTryNid(SZ_1K, SMP_CACHE_BYTES, bottomUp.startOfDram(), bottomUp.endOfDram() - SZ_256, NUMA_NO_NODE)).toBe(
      bottomUp.startOfDram(),
    );
  });

  it('alignment 0 means SMP_CACHE_BYTES, with a warning', () => {
    // restates memblock.c memblock_alloc_range_nid (align 0 falls back to SMP_CACHE_BYTES with a stack dump)
    const mb = setupMemblock();
    expect(mb.allocTryNid(SZ_2, 0, 0, mb.endOfDram(), NUMA_NO_NODE)).toBe(mb.endOfDram() - SMP_CACHE_BYTES);
    expect(mb.warnings.some((w) => /alignment 0/.test(w))).toBe(true);
  });

  it('raw and zeroing variants place allocations identically', () => {
    // restates alloc_nid_api.c run_memblock_alloc_nid (TEST_F_RAW runs the same range checks)
    const zeroing = setupMemblock();
    const raw = setupMemblock();
    const minAddr = zeroing.startOfDram() + SZ_512;
    expect(raw.allocTryNidRaw(SZ_256, SMP_CACHE_BYTES, minAddr, minAddr + SMP_CACHE_BYTES, NUMA_NO_NODE)).toBe(
      zeroing.allocTryNid(SZ_256, SMP_CACHE_BYTES, minAddr, minAddr + SMP_CACHE_BYTES, NUMA_NO_NODE),
    );
  });
});

describe('memblock_alloc_try_nid: NUMA', () => {
  it('allocates at the end of the requested node and tags the reservation with it', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_simple_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[3];
    const size = reqNode.size / SZ_4;
    const addr = mb.allocTryNid(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 3);
    expect(addr).toBe(regionEnd(reqNode) - size);
    expect(mb.reserved.regions).toEqual([{ base: addr, size, flags: MemblockFlag.RSRV_KERN, nid: 3 }]);
  });

  it('bottom-up: allocates at the start of the requested node', () => {
    // restates alloc_nid_api.c alloc_nid_bottom_up_numa_simple_check
    const mb = setupNumaMemblock({ bottomUp: true });
    const reqNode = mb.memory.regions[3];
    expect(mb.allocTryNid(reqNode.size / SZ_4, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 3)).toBe(reqNode.base);
  });

  it('falls back to the highest node with room when the requested node is too small', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_small_node_check
    const mb = setupNumaMemblock();
    const size = SZ_2 * mb.memory.regions[1].size;
    const expNode = mb.memory.regions[6];
    const addr = mb.allocTryNid(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 1);
    expect(addr).toBe(regionEnd(expNode) - size);
    // The fallback reserves on NUMA_NO_NODE.
    expect(mb.reserved.regions[0].nid).toBe(NUMA_NO_NODE);
  });

  it('falls back when the requested node is fully reserved', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_node_reserved_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[2];
    const expNode = mb.memory.regions[6];
    mb.reserve(reqNode.base, reqNode.size);
    const addr = mb.allocTryNid(reqNode.size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 2);
    expect(addr).toBe(regionEnd(expNode) - reqNode.size);
    expect(spans(mb.reserved.regions)).toEqual([[reqNode.base, reqNode.size], [addr, reqNode.size]]);
  });

  it('stays on a partially reserved node that still has room', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_part_reserved_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[4];
    const r1 = { base: reqNode.base, size: reqNode.size / 2 };
    const size = r1.size / SZ_4;
    mb.reserve(r1.base, r1.size);
    expect(mb.allocTryNid(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 4)).toBe(regionEnd(reqNode) - size);
    expect(mb.reserved.cnt).toBe(2);
  });

  it('falls back to the last node when the requested node has no contiguous room', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_part_reserved_fallback_check
    const mb = setupNumaMemblock();
    const reqNode = mb.memory.regions[4];
    const size = reqNode.size / 2;
    mb.reserve(reqNode.base + size / 2, size);
    const expNode = mb.memory.regions[NUMA_NODES - 1];
    expect(mb.allocTryNid(size, SMP_CACHE_BYTES, mb.startOfDram(), mb.endOfDram(), 4)).toBe(regionEnd(expNode) - size);
  });

  it('drops min and ends at the requested node when the range straddles its end', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_split_range_low_check
    const mb = setupNumaMemblock();
    const reqNodeEnd = regionEnd(mb.memory.regions[2]);
    const minAddr = reqNodeEnd - SZ_256;
    expect(mb.allocTryNid(SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).toBe(reqNodeEnd - SZ_512);
    expect(mb.reserved.regions[0].nid).toBe(2);
  });

  it('drops min and ends at the end of the requested node when the range lies on other nodes', () => {
    // restates alloc_nid_api.c alloc_nid_top_down_numa_no_overlap_split_check
    const mb = setupNumaMemblock();
    const minAddr = mb.memory.regions[6].base - SZ_256;
    expect(mb.allocTryNid(SZ_512, SMP_CACHE_BYTES, minAddr, minAddr + SZ_512, 2)).toBe(regionEnd(mb.memory.regions[2]) - SZ_512);
  });
});
