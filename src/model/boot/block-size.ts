/**
 * Memory block size on x86_64 (arch/x86/mm/init_64.c probe_memory_block_size).
 *
 * A block is 1 to 16 sections. Small machines (boot RAM ending below 64 GiB)
 * use one section (128 MiB). Bigger bare-metal machines use 2 GiB. Under a
 * hypervisor, or when firmware advised a maximum (CXL windows), the size is
 * the largest power of two up to 2 GiB that divides the end of boot RAM, so
 * that hot-added DIMMs line up with blocks.
 */
import { PAGE_SIZE, PAGES_PER_SECTION } from '../../contract/constants.js';
import { BootError } from '../core/errors.js';
import { MAX_BLOCK_SIZE, MAX_EXPLICIT_BLOCK_SIZE, MEM_SIZE_FOR_LARGE_BLOCK, MIN_MEMORY_BLOCK_SIZE } from '../core/kernel.js';
import { isPowerOfTwo } from '../core/pfn-ranges.js';
import type { BlockGeometry } from '../core/state.js';

export interface BlockSizeProbeInput {
  /** End of boot RAM in bytes (max_pfn << PAGE_SHIFT). */
  bootMemEndBytes: number;
  /** X86_FEATURE_HYPERVISOR. */
  hypervisor: boolean;
  /** A size set by the platform (set_memory_block_size_order), or null. */
  explicitSizeBytes?: number | null;
  /** memory_block_advised_max_size(), 0 when nothing advised. */
  advisedMaxSizeBytes?: number;
}

/** Throws {@link BootError} (field `blockSize`) unless `sizeBytes` is a power of two in [128 MiB, 64 GiB]. */
export function validateExplicitBlockSize(sizeBytes: number): void {
  if (!isPowerOfTwo(sizeBytes)) {
    throw new BootError('blockSize', `${sizeBytes} is not a power of two (memory block sizes are 2^order bytes)`);
  }
  if (sizeBytes < MIN_MEMORY_BLOCK_SIZE || sizeBytes > MAX_EXPLICIT_BLOCK_SIZE) {
    throw new BootError('blockSize', `${sizeBytes} is outside [128 MiB, 64 GiB] (0x8000000..0x1000000000)`);
  }
}

/** The memory block size in bytes the kernel would pick. */
export function probeMemoryBlockSize(input: BlockSizeProbeInput): number {
  const explicit = input.explicitSizeBytes ?? null;
  if (explicit !== null) {
    validateExplicitBlockSize(explicit);
    return explicit;
  }
  const end = input.bootMemEndBytes;
  if (end < MEM_SIZE_FOR_LARGE_BLOCK) return MIN_MEMORY_BLOCK_SIZE;

  const advice = input.advisedMaxSizeBytes ?? 0;
  let sizeBytes: number;
  if (!advice) {
    sizeBytes = MAX_BLOCK_SIZE;
    if (!input.hypervisor) return sizeBytes;
  } else {
    sizeBytes = Math.min(Math.max(advice, MIN_MEMORY_BLOCK_SIZE), MAX_BLOCK_SIZE);
  }
  // The largest allowed size that the end of boot memory is aligned to.
  while (sizeBytes > MIN_MEMORY_BLOCK_SIZE && end % sizeBytes !== 0) sizeBytes /= 2;
  return sizeBytes;
}

/** The block size in bytes, sections and pages (sections_per_block in memory_dev_init). */
export function blockGeometry(blockSizeBytes: number): BlockGeometry {
  const sectionsPerBlock = blockSizeBytes / (PAGES_PER_SECTION * PAGE_SIZE);
  return { blockSizeBytes, sectionsPerBlock, pagesPerBlock: sectionsPerBlock * PAGES_PER_SECTION };
}
