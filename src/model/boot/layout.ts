/**
 * What boot produces: the kernel command line, memblock, nodes and zones as
 * the kernel leaves them at the end of free_area_init, and the boot products
 * the machine is built from (the sanitised e820 map, memblock.memory as pfn
 * ranges, the free ranges, the present sections and where their memmap
 * lies). The contract between the boot computation (`setup.ts`) and the
 * machine built on top of it (`machine.ts`): everything the machine needs is
 * computed once, here. Types only.
 */
import type { PagingLevels } from '../core/kernel.js';
import type { HotplugParams, OnlineType, ThpMode } from '../core/state.js';
import type { E820Entry, MachineSpec } from '../core/types.js';
import type { MemblockRegion } from './memblock.js';
import type { FreePfnRange, MemPfnRange } from './mm-init.js';
import type { SectionRun } from './sparse.js';

export type Kernelcore =
  | { kind: 'unset' }
  | { kind: 'pages'; pages: number }
  | { kind: 'percent'; percent: number }
  | { kind: 'mirror' };
/** The command line's settings; the memory_hotplug module parameters among them start the machine's {@link HotplugParams}. */
export interface KernelParams extends HotplugParams {
  movableNode: boolean;
  no5lvl: boolean;                        // 5-level paging off even where the machine has it
  kernelcore: Kernelcore;                 // mirror only valid for kernelcore
  movablecore: Kernelcore;                // 'unset' | 'pages' | 'percent'
  memhpDefaultState: OnlineType | null;   // null: not given (Kconfig default: offline)
  thp: ThpMode;                           // transparent_hugepage= (default: the Kconfig default, always)
}
export interface ParsedCmdline { params: KernelParams; unknown: string[]; warnings: string[] }

export interface BootZone {
  zoneIdx: number;            // 0..3 (DEVICE not populated at boot)
  zoneStartPfn: number;       // 0 when empty
  spannedPages: number;
  presentPages: number;       // spanned - absent
  managedPages: number;       // present - memblock.reserved pages in the zone (incl. the boot memmap)
}
export interface BootNode {
  nid: number;
  hotpluggable: boolean;      // some of its memblock.memory has HOTPLUG after numa_clear_kernel_node_hotplug
  hasMemory: boolean;         // N_MEMORY
  hasNormalMemory: boolean;   // N_NORMAL_MEMORY
  nodeStartPfn: number;
  nodeSpannedPages: number;
  nodePresentPages: number;
  zones: BootZone[];          // always 4 entries: DMA, DMA32, NORMAL, MOVABLE
  memmapPages: number;        // boot memmap pages charged to this node's memory (allocated here)
}
export interface BootLayout {
  spec: MachineSpec;
  cmdline: ParsedCmdline;
  warnings: string[];          // every kernel warning the boot would print (e820 overlap sanitised, kernelcore ignored, ...)
  blockSizeBytes: number;      // memory_block_size_bytes (the probe or the platform's size)
  pagingLevels: PagingLevels;  // 5 when the machine has LA57 and no5lvl is absent, else 4 (decides MAX_PHYSMEM_BITS)
  maxPfn: number;              // end of boot RAM, pfn
  e820: E820Entry[];           // the firmware map, sanitised (the iomem tree's System RAM and Reserved entries)
  memory: MemblockRegion[];    // final memblock.memory (bytes; flags; nid)
  reserved: MemblockRegion[];  // final memblock.reserved (bytes; incl. boot memmap allocations)
  memRanges: MemPfnRange[];    // memblock.memory as whole-page ranges, ascending (for_each_mem_pfn_range)
  freeRanges: FreePfnRange[];  // memory minus reserved below max_pfn: the pages memblock_free_all frees
  presentSections: SectionRun[]; // present sections as runs of one node, ascending (sparse_init)
  possibleNodes: number[];     // ascending
  onlineNodes: number[];       // N_ONLINE at the end of boot (nodes with memory, plus memoryless possible ones the kernel onlines? follow the kernel: possible nodes get pgdats; say which are online)
  nodes: BootNode[];           // one per possible node, ascending nid (memoryless ones all zero)
  zoneMovablePfn: number[];    // indexed by nid; 0 = none
  movableZone: number;         // zone index ZONE_MOVABLE takes pages from (NORMAL on big machines)
  archZoneLowestPfn: number[]; archZoneHighestPfn: number[];  // per zone index, arch limits
  sratRanges: { nid: number; base: number; size: number; populated: boolean; hotpluggable: boolean }[]; // enabled SRAT entries (for hot-add node lookup later)
  log?: string[];              // informational kernel log lines (SRAT entries, NUMA merges); no effect on the layout
  bootMemmap: BootMemmapPlacement[]; // where each present section's boot memmap lies, ascending by section
}

/**
 * The boot memmap of sections `[startSectionNr, startSectionNr + nrSections)`
 * lies, 2 MiB per section in that order, at bytes `[base, base + nrSections * 2 MiB)`.
 * Hot-removing those sections gives these pages back to the buddy allocator.
 */
export interface BootMemmapPlacement {
  startSectionNr: number;
  nrSections: number;
  base: number;
}
