// Tuning numbers: the one home of sizes that are choices rather than facts.

/** Bytes of the fixed I/O area that carries call results (runs, counts, reads, small batches). */
export const IO_AREA_BYTES: u32 = 128 << 10;

/**
 * Pool growth step in 64 KiB WASM pages. Small steps keep the high-water mark
 * (what bytesUsed reports) close to the records in use; growth is cheap because
 * the engine asks for all the pages one call needs in a single memory.grow.
 */
export const MIXED_POOL_CHUNK_PAGES: u32 = 1;
export const FORWARD_POOL_CHUNK_PAGES: u32 = 1;
export const REVERSE_POOL_CHUNK_PAGES: u32 = 1;
export const PFN_BLOCK_POOL_CHUNK_PAGES: u32 = 1;
export const PFN_WIDE_BLOCK_POOL_CHUNK_PAGES: u32 = 1;

/**
 * The highest WASM page count the engine will use. One below the 4 GiB limit
 * so that every address and every region end fits in a u32.
 */
export const MAX_MEMORY_PAGES: u32 = 65535;
