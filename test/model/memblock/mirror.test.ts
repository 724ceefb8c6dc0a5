import { describe, expect, it } from 'vitest';
import { Memblock, MemblockFlag, SMP_CACHE_BYTES } from '../../../src/model/boot/memblock.js';
import { MEM_SIZE, SIMULATED_MEMORY_BASE, SZ_16K, SZ_1K, SZ_8K, setupMemblock, spans } from './harness.js';
import { NUMA_NO_NODE } from '../../../src/model/core/kernel.js';

/** MEM_SIZE of memory with its lower half mirrored, under kernelcore=mirror. */
function halfMirrored(): Memblock {
  const mb = setupMemblock();
  mb.mirroredKernelcore = true;
  mb.markMirror(SIMULATED_MEMORY_BASE, MEM_SIZE / 2);
  return mb;
}

describe('memblock mirrored memory', () => {
  it('mark_mirror does nothing without kernelcore=mirror', () => {
    // restates memblock.c memblock_mark_mirror (returns early unless mirrored_kernelcore)
    const mb = setupMemblock();
    mb.markMirror(SIMULATED_MEMORY_BASE, MEM_SIZE / 2);
    expect(mb.systemHasSomeMirror).toBe(false);
    expect(mb.memory.cnt).toBe(1);
    expect(mb.memory.regions[0].flags).toBe(MemblockFlag.NONE);
  });

  it('mark_mirror under kernelcore=mirror flags the range and records that mirror exists', () => {
    // restates memblock.c memblock_mark_mirror
    const mb = halfMirrored();
    expect(mb.systemHasSomeMirror).toBe(true);
    expect(spans(mb.memory.regions)).toEqual([[SIMULATED_MEMORY_BASE, MEM_SIZE / 2], [SIMULATED_MEMORY_BASE + MEM_SIZE / 2, MEM_SIZE / 2]]);
    expect(mb.memory.regions.map((r) => r.flags)).toEqual([MemblockFlag.MIRROR, MemblockFlag.NONE]);
  });

  it('allocations prefer mirrored memory even when it is lower', () => {
    // restates memblock.c choose_memblock_flags (MIRROR requested once the system has some)
    const mb = halfMirrored();
    const addr = mb.alloc(SZ_1K, SMP_CACHE_BYTES);
    expect(addr).toBe(SIMULATED_MEMORY_BASE + MEM_SIZE / 2 - SZ_1K);
    expect(mb.warnings).toEqual([]);
  });

  it('falls back to non-mirrored memory with a warning when mirror runs out', () => {
    // restates memblock.c memblock_alloc_range_nid (drop MIRROR and retry, warning "Could not allocate ... mirrored memory")
    const mb = halfMirrored();
    // Take half of the mirror, then ask for more than the mirror has left.
    expect(mb.alloc(SZ_8K, SMP_CACHE_BYTES)).toBe(SIMULATED_MEMORY_BASE + MEM_SIZE / 2 - SZ_8K);
    expect(mb.warnings).toEqual([]);
    const size = SZ_16K;
    const addr = mb.alloc(size, SMP_CACHE_BYTES);
    expect(addr).toBe(mb.endOfDram() - size);
    expect(mb.memory.regions.find((r) => r.base <= addr && addr < r.base + r.size)?.flags).toBe(MemblockFlag.NONE);
    expect(mb.warnings).toHaveLength(1);
    expect(mb.warnings[0]).toMatch(/mirrored memory/);
    expect(mb.warnings[0]).toContain(String(size));
  });

  it('a search restricted to MIRROR sees only mirrored regions', () => {
    // restates memblock.c should_skip_region (caller asks for MIRROR)
    const mb = halfMirrored();
    expect([...mb.freeRanges(NUMA_NO_NODE, MemblockFlag.MIRROR)]).toEqual([
      { base: SIMULATED_MEMORY_BASE, end: SIMULATED_MEMORY_BASE + MEM_SIZE / 2, nid: mb.memory.regions[0].nid },
    ]);
    expect(mb.findInRangeNode(MEM_SIZE / 2 + SZ_1K, SMP_CACHE_BYTES, 0, mb.endOfDram(), NUMA_NO_NODE, MemblockFlag.MIRROR)).toBe(0);
  });

  it('without any mirror, allocations never warn about mirror', () => {
    // restates memblock.c choose_memblock_flags (NONE when the system has no mirror)
    const mb = setupMemblock();
    mb.mirroredKernelcore = true;
    expect(mb.alloc(SZ_16K, SMP_CACHE_BYTES)).not.toBe(0);
    expect(mb.warnings).toEqual([]);
  });
});
