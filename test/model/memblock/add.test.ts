import { describe, expect, it } from 'vitest';
import { INIT_MEMBLOCK_REGIONS, Memblock, MemblockFlag, PHYS_ADDR_MAX, SIZE_OF_MEMBLOCK_REGION } from '../../../src/model/boot/memblock.js';
import { PAGE_SIZE } from '../../../src/contract/constants.js';
import {
  MEM_SIZE,
  SIMULATED_MEMORY_BASE,
  SZ_128K,
  SZ_128M,
  SZ_16K,
  SZ_16M,
  SZ_1G,
  SZ_1M,
  SZ_256M,
  SZ_2M,
  SZ_32M,
  SZ_4M,
  SZ_512M,
  SZ_8K,
  SZ_8M,
  spans,
} from './harness.js';
import { MAX_NUMNODES } from '../../../src/model/core/kernel.js';

describe('memblock add', () => {
  it('starts empty: no regions, top-down, no current limit, 128-entry arrays', () => {
    // restates basic_api.c memblock_initialization_check (cnt is 0 for empty in current kernels)
    const mb = new Memblock();
    expect(mb.memory.cnt).toBe(0);
    expect(mb.reserved.cnt).toBe(0);
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS);
    expect(mb.reserved.max).toBe(INIT_MEMBLOCK_REGIONS);
    expect(mb.memory.name).toBe('memory');
    expect(mb.reserved.name).toBe('reserved');
    expect(mb.bottomUp).toBe(false);
    expect(mb.currentLimit).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('adds one region into slot 0 with no node and no flags', () => {
    // restates basic_api.c memblock_add_simple_check
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_4M);
    expect(mb.memory.regions[0]).toEqual({ base: SZ_1G, size: SZ_4M, flags: MemblockFlag.NONE, nid: MAX_NUMNODES });
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(SZ_4M);
  });

  it('fact 41: add_node(1M, 16M, nid 1, HOTPLUG) gives {1M, 16M, HOTPLUG, nid 1}, cnt 1', () => {
    // restates basic_api.c memblock_add_node_simple_check
    const mb = new Memblock();
    mb.addNode(SZ_1M, SZ_16M, 1, MemblockFlag.HOTPLUG);
    expect(mb.memory.regions[0]).toEqual({ base: SZ_1M, size: SZ_16M, flags: MemblockFlag.HOTPLUG, nid: 1 });
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(SZ_16M);
  });

  it('keeps two disjoint regions apart, in address order', () => {
    // restates basic_api.c memblock_add_disjoint_check
    const mb = new Memblock();
    const r1 = { base: SZ_1G, size: SZ_8K };
    const r2 = { base: SZ_1G + SZ_16K, size: SZ_8K };
    mb.add(r1.base, r1.size);
    mb.add(r2.base, r2.size);
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r1.size], [r2.base, r2.size]]);
    expect(mb.memory.totalSize).toBe(r1.size + r2.size);
  });

  it('fact 40: add(512M, 1G) then add(256M, 512M) gives one region [256M, 1.5G), total 1.25G', () => {
    // restates basic_api.c memblock_add_overlap_top_check
    const mb = new Memblock();
    mb.add(SZ_512M, SZ_1G);
    mb.add(SZ_256M, SZ_512M);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.regions[0].base).toBe(SZ_256M);
    expect(regionEndOf(mb)).toBe(SZ_1G + SZ_512M);
    expect(mb.memory.totalSize).toBe(SZ_1G + SZ_256M);
  });

  it('merges a range overlapping the end of a region into one region from the lower base', () => {
    // restates basic_api.c memblock_add_overlap_bottom_check
    const mb = new Memblock();
    const r1 = { base: SZ_128M, size: SZ_512M };
    const r2 = { base: SZ_256M, size: SZ_1G };
    mb.add(r1.base, r1.size);
    mb.add(r2.base, r2.size);
    const totalSize = r2.base - r1.base + r2.size;
    expect(spans(mb.memory.regions)).toEqual([[r1.base, totalSize]]);
    expect(mb.memory.totalSize).toBe(totalSize);
  });

  it('ignores a range that lies within an existing region', () => {
    // restates basic_api.c memblock_add_within_check
    const mb = new Memblock();
    mb.add(SZ_8M, SZ_32M);
    mb.add(SZ_16M, SZ_1M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_8M, SZ_32M]]);
    expect(mb.memory.totalSize).toBe(SZ_32M);
  });

  it('fact 39: add(1G, 4M) twice gives cnt 1, total 4M', () => {
    // restates basic_api.c memblock_add_twice_check
    const mb = new Memblock();
    mb.add(SZ_1G, SZ_4M);
    mb.add(SZ_1G, SZ_4M);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.totalSize).toBe(SZ_4M);
  });

  it('fills the gap between two regions and merges all three', () => {
    // restates basic_api.c memblock_add_between_check
    const mb = new Memblock();
    const r1 = { base: SZ_1G, size: SZ_8K };
    const r2 = { base: SZ_1G + SZ_16K, size: SZ_8K };
    mb.add(r1.base, r1.size);
    mb.add(r2.base, r2.size);
    mb.add(r1.base + r1.size, r2.base - (r1.base + r1.size));
    expect(spans(mb.memory.regions)).toEqual([[r1.base, r2.base + r2.size - r1.base]]);
    expect(mb.memory.cnt).toBe(1);
  });

  it('caps a range that would run past the highest address', () => {
    // restates basic_api.c memblock_add_near_max_check
    const mb = new Memblock();
    const base = PHYS_ADDR_MAX - SZ_1M;
    mb.add(base, SZ_2M);
    expect(spans(mb.memory.regions)).toEqual([[base, PHYS_ADDR_MAX - base]]);
    expect(mb.memory.totalSize).toBe(SZ_1M);
  });

  it('adds only the uncovered parts of a range that spans existing regions', () => {
    // restates memblock.c memblock_add_range: overlaps never modify existing regions (their nid and flags stay)
    const mb = new Memblock();
    mb.addNode(SZ_16M, SZ_16M, 2, MemblockFlag.HOTPLUG);
    mb.add(SZ_8M, SZ_32M);
    expect(spans(mb.memory.regions)).toEqual([[SZ_8M, SZ_8M], [SZ_16M, SZ_16M], [SZ_32M, SZ_8M]]);
    expect(mb.memory.regions.map((r) => [r.nid, r.flags])).toEqual([
      [MAX_NUMNODES, MemblockFlag.NONE],
      [2, MemblockFlag.HOTPLUG],
      [MAX_NUMNODES, MemblockFlag.NONE],
    ]);
    // A lower part was inserted below a region of another node: the kernel warns.
    expect(mb.warnings.length).toBeGreaterThan(0);
  });

  it('doubles a full region array, reserving the new array in free memory', () => {
    // restates basic_api.c memblock_add_many_check
    const mb = new Memblock();
    mb.add(SIMULATED_MEMORY_BASE, MEM_SIZE);
    let fakeBase = SZ_128K;
    for (let i = 1; i < INIT_MEMBLOCK_REGIONS; i++) {
      mb.add(fakeBase, MEM_SIZE);
      expect(mb.memory.cnt).toBe(i + 1);
      fakeBase += MEM_SIZE * 2; // keep a gap so nothing merges
    }
    expect(mb.reserved.cnt).toBe(0);

    mb.add(fakeBase, MEM_SIZE); // the 129th region
    expect(mb.memory.cnt).toBe(INIT_MEMBLOCK_REGIONS + 1);
    expect(mb.memory.totalSize).toBe((INIT_MEMBLOCK_REGIONS + 1) * MEM_SIZE);
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS * 2);
    const arrayBytes = Math.ceil((INIT_MEMBLOCK_REGIONS * 2 * SIZE_OF_MEMBLOCK_REGION) / PAGE_SIZE) * PAGE_SIZE;
    expect(mb.reserved.cnt).toBe(1);
    expect(mb.reserved.totalSize).toBe(arrayBytes);
    // Top-down, the array lands at the top of the highest free memory.
    expect(mb.memory.arrayBase).toBe(SIMULATED_MEMORY_BASE + MEM_SIZE - arrayBytes);

    // A low base still goes into slot 0 of the grown array.
    mb.add(SZ_16K, MEM_SIZE);
    expect(mb.memory.regions[0]).toMatchObject({ base: SZ_16K, size: MEM_SIZE });
    expect(mb.memory.cnt).toBe(INIT_MEMBLOCK_REGIONS + 2);
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS * 2);
  });

  it('throws without memblock_allow_resize when the array is full, and changes nothing', () => {
    // restates basic_api.c memblock_add_many_check (the path where doubling is refused)
    const mb = new Memblock();
    mb.allowResize = false;
    for (let i = 0; i < INIT_MEMBLOCK_REGIONS; i++) mb.add(SZ_1G + i * 2 * MEM_SIZE, MEM_SIZE);
    const before = spans(mb.memory.regions);
    expect(() => mb.add(SZ_1G + INIT_MEMBLOCK_REGIONS * 2 * MEM_SIZE, MEM_SIZE)).toThrow(/resiz/);
    expect(spans(mb.memory.regions)).toEqual(before);
    expect(mb.memory.max).toBe(INIT_MEMBLOCK_REGIONS);
    expect(mb.reserved.cnt).toBe(0);
  });

  it('treats a zero size as a no-op', () => {
    // restates memblock.c memblock_add_range (size 0 returns early)
    const mb = new Memblock();
    mb.add(SZ_1G, 0);
    expect(mb.memory.cnt).toBe(0);
  });
});

function regionEndOf(mb: Memblock): number {
  const r = mb.memory.regions[mb.memory.cnt - 1];
  return r.base + r.size;
}
