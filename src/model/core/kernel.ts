/**
 * The kernel's sizes and limits the model restates, in one place: x86_64
 * with 4- or 5-level paging, SPARSEMEM_VMEMMAP and MAX_NUMNODES 1024. The engine's
 * own units (page, pageblock, section) live in the contract
 * (`src/contract/constants.ts`); everything here is built on them.
 *
 * Names are the kernel's where it has one; a name that carries a unit says
 * so (`_BYTES`, `_PAGES`, `_PFN`).
 */
import { PAGE_OFFSET, PAGE_OFFSET_L5, PAGE_SIZE, PAGES_PER_SECTION, SECTION_SIZE_BITS } from '../../contract/constants.js';
import { hex } from '../../util/format.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

// ---------------------------------------------------------------------------
// Nodes (include/linux/numa.h, the SLIT)

/** "Any node" for lookups and allocations; the node of plain memblock reservations. */
export const NUMA_NO_NODE = -1;
/** Node count limit (CONFIG_NODES_SHIFT 10); also the node memblock gives memory added without one. */
export const MAX_NUMNODES = 1024;
/**
 * Largest node id the SRAT path, memblock and scenarios accept. The engine's
 * section table holds the same range (MAX_NID in the contract).
 */
export const MAX_NODE_ID = MAX_NUMNODES - 1;
/**
 * NR_NODE_MEMBLKS (include/linux/numa_memblks.h): the node memory ranges
 * the kernel can hold. One more enabled SRAT memory entry and
 * `numa_add_memblk` fails, the SRAT is rejected and the machine boots as one node.
 */
export const NR_NODE_MEMBLKS = MAX_NUMNODES * 2;
/**
 * E820_MAX_ENTRIES (arch/x86/include/asm/e820/types.h): the firmware map
 * entries the kernel keeps, 128 from the boot parameters plus 3 per node;
 * `e820__range_add` ignores any beyond.
 */
export const E820_MAX_ENTRIES = 128 + 3 * MAX_NUMNODES;

/** What a machine with more SRAT memory entries than the kernel holds is told. */
export function tooManySratEntriesMessage(count: number): string {
  return (
    `${count} enabled memory affinity entries, more than the ${NR_NODE_MEMBLKS} (NR_NODE_MEMBLKS) the kernel can hold: ` +
    'numa_add_memblk would fail and the kernel would reject the whole SRAT and boot one node'
  );
}

/** What a machine with more e820 entries than the kernel keeps is told. */
export function tooManyE820EntriesMessage(count: number): string {
  return `${count} entries, more than the ${E820_MAX_ENTRIES} (E820_MAX_ENTRIES) the kernel keeps: e820__range_add would drop the rest`;
}

/** LOCAL_DISTANCE: a node's SLIT distance to itself, and what the kernel assumes without a SLIT. */
export const LOCAL_DISTANCE = 10;
/** REMOTE_DISTANCE: the distance between two nodes without a SLIT. */
export const REMOTE_DISTANCE = 20;
/** The largest SLIT entry: 255 means unreachable. */
export const MAX_SLIT_DISTANCE = 255;

// ---------------------------------------------------------------------------
// Physical memory (arch/x86/include/asm/sparsemem.h, mm/sparse.c)

/** Page-table levels an x86_64 machine may run with: 4, or 5 with LA57. */
export type PagingLevels = 4 | 5;
/**
 * MAX_PHYSMEM_BITS (arch/x86/include/asm/sparsemem.h): 46 bits (64 TiB) with
 * 4-level paging, 52 bits (4 PiB) with 5-level paging. Memory must end at or
 * below 2^bits to be mapped and to have sections, at boot and at hot-add
 * alike (`check_hotplug_memory_addressable`).
 */
export function maxPhysmemBits(levels: PagingLevels): number {
  return levels === 5 ? 52 : 46;
}

/**
 * Where the direct map starts (page_offset_base without KASLR,
 * Documentation/arch/x86/x86_64/mm.rst): 0xffff888000000000 with 4-level
 * paging, 0xff11000000000000 with 5-level paging, whose 32 PB direct map
 * covers the 52-bit physical space. The shards translate with it.
 */
export function directMapBase(levels: PagingLevels): bigint {
  return levels === 5 ? PAGE_OFFSET_L5 : PAGE_OFFSET;
}

/** What boot and hot-add both say of memory that ends above the direct map. */
export function aboveDirectMapMessage(start: number, end: number, levels: PagingLevels): string {
  const bits = maxPhysmemBits(levels);
  const hint = levels === 4 ? '; 5-level paging (machine.paging: 5) raises the limit to 52 bits' : '';
  return `[${hex(start)}, ${hex(end)}) ends above the direct map (${hex(2 ** bits)}, MAX_PHYSMEM_BITS ${bits} with ${levels}-level paging${hint})`;
}
/** PAGES_PER_SUBSECTION: 2 MiB, the granularity of the zone span probes at offline. */
export const PAGES_PER_SUBSECTION = 512;
/** x86 MAX_DMA_PFN: ZONE_DMA is [0, 16 MiB). */
export const MAX_DMA_PFN = (16 * MiB) / PAGE_SIZE;
/** x86 MAX_DMA32_PFN: ZONE_DMA32 ends at 4 GiB. */
export const MAX_DMA32_PFN = (4 * GiB) / PAGE_SIZE;

// ---------------------------------------------------------------------------
// The memmap (struct page and its vmemmap mapping)

/** sizeof(struct page). */
export const STRUCT_PAGE_BYTES = 64;
/** PMD_SIZE: the vmemmap is mapped, and so allocated, in 2 MiB pieces. */
export const PMD_SIZE_BYTES = 2 * MiB;
/** One section's memmap, ALIGN(PAGES_PER_SECTION * sizeof(struct page), PMD_SIZE): 2 MiB. */
export const SECTION_MEMMAP_BYTES = Math.ceil((PAGES_PER_SECTION * STRUCT_PAGE_BYTES) / PMD_SIZE_BYTES) * PMD_SIZE_BYTES;
/** The same in pages: what a section's memmap takes from a kernel zone when it is not self-hosted. */
export const SECTION_MEMMAP_PAGES = SECTION_MEMMAP_BYTES / PAGE_SIZE;
/** __pa(MAX_DMA_ADDRESS): boot memmap allocations prefer memory above ZONE_DMA. */
export const MEMMAP_MIN_ADDR = 16 * MiB;

// ---------------------------------------------------------------------------
// Memory block sizes (include/linux/memory.h, arch/x86/mm/init_64.c)
//
// Two upper bounds, on purpose: the x86 probe never picks more than
// MAX_BLOCK_SIZE (2 GiB), which is also what a scenario may ask for (it
// stands for what firmware and the probe can produce), while a platform that
// sets the size itself (set_memory_block_size_order) may go up to
// MEM_SIZE_FOR_LARGE_BLOCK (64 GiB), which is what the model accepts from a
// MachineSpec built in code.

/** MIN_MEMORY_BLOCK_SIZE: one section (128 MiB). */
export const MIN_MEMORY_BLOCK_SIZE = 2 ** SECTION_SIZE_BITS;
/** x86 MAX_BLOCK_SIZE: the probe never goes above 2 GiB (16 sections). */
export const MAX_BLOCK_SIZE = 2 * GiB;
/** x86 MEM_SIZE_FOR_LARGE_BLOCK: below this much boot RAM blocks stay one section. */
export const MEM_SIZE_FOR_LARGE_BLOCK = 64 * GiB;
/** set_memory_block_size_order accepts 2^order in [MIN_MEMORY_BLOCK_SIZE, MEM_SIZE_FOR_LARGE_BLOCK]. */
export const MAX_EXPLICIT_BLOCK_SIZE = MEM_SIZE_FOR_LARGE_BLOCK;

