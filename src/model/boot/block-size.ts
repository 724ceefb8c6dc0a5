/**
 * Memory block size on x86_64 (arch/x86/mm/init_64.c probe_memory_block_size).
 *
 * A block is 1 to 16 sections. Small machines (boot RAM ending below 64 GiB)
 * use one section (128 MiB). Bigger bare-metal machines use 2 GiB. Under a
 * hypervisor, or when firmware advised a maximum (CXL windows), the size is
 * the largest power of two up to 2 GiB that divides the end of boot RAM, so
 * that hot-added DIMMs line up with blocks.
 */
import { SECTION_SIZE_BITS } from '../../contract/constants.js';
import { BootError } from './e820.js';

/** MIN_MEMORY_BLOCK_SIZE: one section. */
export const MIN_MEMORY_BLOCK_SIZE = 2 ** SECTION_SIZE_BITS;
/** x86 MAX_BLOCK_SIZE: the probe never goes above 2 GiB. */
export const MAX_PROBED_BLOCK_SIZE = 2 * 2 ** 30;
/** x86 MEM_SIZE_FOR_LARGE_BLOCK: below this much boot RAM blocks stay one section. */
export const MEM_SIZE_FOR_LARGE_BLOCK = 64 * 2 ** 30;
/** set_memory_block_size_order accepts 2^order in [128 MiB, 64 GiB]. */
export const MAX_EXPLICIT_BLOCK_SIZE = 64 * 2 ** 30;

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

function isPowerOfTwo(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0 && 2 ** Math.round(Math.log2(n)) === n;
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
    sizeBytes = MAX_PROBED_BLOCK_SIZE;
    if (!input.hypervisor) return sizeBytes;
  } else {
    sizeBytes = Math.min(Math.max(advice, MIN_MEMORY_BLOCK_SIZE), MAX_PROBED_BLOCK_SIZE);
  }
  // The largest allowed size that the end of boot memory is aligned to.
  while (sizeBytes > MIN_MEMORY_BLOCK_SIZE && end % sizeBytes !== 0) sizeBytes /= 2;
  return sizeBytes;
}
