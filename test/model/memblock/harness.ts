/**
 * Shared setup for the memblock tests, following the conventions of the
 * kernel's tools/testing/memblock suite: a MEM_SIZE block of "physical" memory
 * at a simulated base, the SZ_* size names, and an eight-node NUMA layout
 * given in basis points of MEM_SIZE.
 */
import { Memblock, MemblockFlag } from '../../../src/model/boot/memblock.js';

export const SZ_2 = 2;
export const SZ_4 = 4;
export const SZ_8 = 8;
export const SZ_16 = 16;
export const SZ_64 = 64;
export const SZ_128 = 128;
export const SZ_256 = 256;
export const SZ_512 = 512;
export const SZ_1K = 1 << 10;
export const SZ_2K = 2 << 10;
export const SZ_4K = 4 << 10;
export const SZ_8K = 8 << 10;
export const SZ_16K = 16 << 10;
export const SZ_32K = 32 << 10;
export const SZ_64K = 64 << 10;
export const SZ_128K = 128 << 10;
export const SZ_512K = 512 << 10;
export const SZ_1M = 1 << 20;
export const SZ_2M = 2 << 20;
export const SZ_4M = 4 << 20;
export const SZ_8M = 8 << 20;
export const SZ_16M = 16 << 20;
export const SZ_32M = 32 << 20;
export const SZ_64M = 64 << 20;
export const SZ_128M = 128 << 20;
export const SZ_256M = 256 << 20;
export const SZ_512M = 512 << 20;
export const SZ_1G = 2 ** 30;
export const SZ_2G = 2 ** 31;

/** Size of the simulated physical memory (the suite's MEM_SIZE). */
export const MEM_SIZE = SZ_32K;

/**
 * Where the simulated memory sits. The kernel suite uses a malloc'd buffer;
 * a fixed, 64 KiB aligned address above 2^32 keeps results reproducible and
 * catches any 32-bit arithmetic.
 */
export const SIMULATED_MEMORY_BASE = 0x7f12_3456_0000;

/** Basis points of MEM_SIZE per node (the suite's node_fractions). */
export const NODE_FRACTIONS = [2500, 625, 1250, 1250, 625, 625, 2500, 625] as const;
export const NUMA_NODES = NODE_FRACTIONS.length;
const BASIS = 10_000;

/** setup_memblock: a fresh memblock with MEM_SIZE of memory at the simulated base. */
export function setupMemblock(options: { bottomUp?: boolean } = {}): Memblock {
  const mb = new Memblock();
  mb.bottomUp = options.bottomUp ?? false;
  mb.add(SIMULATED_MEMORY_BASE, MEM_SIZE);
  return mb;
}

/**
 * setup_numa_memblock: consecutive node regions 0..7 sized by
 * NODE_FRACTIONS. Like the suite, regions carry HOTPLUG unless movable_node
 * is on (so that the allocator can still use them).
 */
export function setupNumaMemblock(options: { bottomUp?: boolean; movableNode?: boolean } = {}): Memblock {
  const mb = new Memblock();
  mb.bottomUp = options.bottomUp ?? false;
  mb.movableNode = options.movableNode ?? false;
  const flags = mb.movableNode ? MemblockFlag.NONE : MemblockFlag.HOTPLUG;
  let base = SIMULATED_MEMORY_BASE;
  for (let nid = 0; nid < NUMA_NODES; nid++) {
    const sizeBytes = (MEM_SIZE * NODE_FRACTIONS[nid]) / BASIS;
    mb.addNode(base, sizeBytes, nid, flags);
    base += sizeBytes;
  }
  return mb;
}

/** region_end: first byte after a region. */
export function regionEnd(r: { base: number; size: number }): number {
  return r.base + r.size;
}

/** Plain `[base, size]` pairs of a region array, for compact comparisons. */
export function spans(regions: ReadonlyArray<{ base: number; size: number }>): Array<[number, number]> {
  return regions.map((r) => [r.base, r.size]);
}
