/**
 * The machine model's contract with the study layer: what a machine is made
 * of (MachineSpec) and what a booted machine answers (Machine), with the
 * vocabularies its requests are spelled in (online types, allocation kinds,
 * notifier actions). The scenario schema takes its words from here.
 *
 * Byte addresses and sizes are plain numbers: 2^53 bytes is 8 PiB, far past
 * the 64 TiB (2^46) of a 4-level x86_64 machine.
 */
import type { EngineFactory } from '../../contract/engine-api.js';
import type { ZoneName } from './mmzone.js';

export type { ZoneName } from './mmzone.js';

/** A byte range `[base, base + size)`. */
export interface ByteRange {
  base: number;
  size: number;
}

export type E820Type = 'usable' | 'reserved';

export interface E820Entry extends ByteRange {
  type: E820Type;
}

/** One ACPI SRAT Memory Affinity structure. */
export interface SratMemoryAffinity extends ByteRange {
  /** Node id (the model maps proximity domains 1:1 to node ids). */
  node: number;
  /** ACPI_SRAT_MEM_ENABLED; a disabled entry is ignored by the kernel. */
  enabled: boolean;
  /** ACPI_SRAT_MEM_HOT_PLUGGABLE. */
  hotpluggable: boolean;
  /** ACPI_SRAT_MEM_NON_VOLATILE: only changes the log line. */
  nonVolatile: boolean;
  /**
   * True when RAM backs the range at boot; false for an empty slot that only
   * makes the node possible and receives memory later by hot-add.
   */
  populated: boolean;
}

/** A boot-time memblock reservation (kernel image, initrd, firmware tables...). */
export interface BootReservation extends ByteRange {
  name: string;
}

export interface MachineSpec {
  /** Firmware memory map, sanitised the kernel's way (overlaps: reserved wins). */
  e820: E820Entry[];
  /** SRAT memory affinity entries; null means no SRAT: one node, 0. */
  srat: SratMemoryAffinity[] | null;
  /** Boot reservations. The kernel image reservation is always present (added by the model if absent). */
  reservations: BootReservation[];
  /** Memory block size in bytes, or 'auto' for the x86 probe. */
  blockSize: 'auto' | number;
  /** True for a VM (X86_FEATURE_HYPERVISOR), false for bare metal. */
  hypervisor: boolean;
  /**
   * Page-table levels the machine supports: 4 (the default) or 5 (LA57).
   * 5-level paging raises MAX_PHYSMEM_BITS from 46 to 52; `no5lvl` on the
   * command line turns it off again.
   */
  paging?: 4 | 5;
  /** Optional SLIT distance matrix, indexed by node id. */
  slit: number[][] | null;
  /** The kernel command line. */
  cmdline: string;
  /**
   * sysctl settings applied at the end of boot, in the order given, as
   * systemd-sysctl applies a sysctl.conf: `{ 'vm.min_free_kbytes': '20000' }`
   * writes 20000 to /proc/sys/vm/min_free_kbytes. Known names:
   * `vm.min_free_kbytes`, `vm.watermark_scale_factor`, `vm.lowmem_reserve_ratio`.
   */
  sysctl?: Readonly<Record<string, string>>;
  /** Swap space in bytes (default 0): anonymous memory is reclaimable only into it. */
  swap?: number;
  /**
   * How memory is made removable (docs/hot-remove-schemes.md): `zone-movable`,
   * the kernel's own (the default), or `offline-migrated`, Mel Gorman's 2012
   * alternative: no ZONE_MOVABLE, kernel pages copied out of an offlined
   * block under stop_machine, long-term pins confined to the nodes without
   * the SRAT hotplug flag.
   */
  hotRemoveScheme?: HotRemoveScheme;
}

/** The hot-remove schemes a machine can use (MachineSpec.hotRemoveScheme). */
export const HOT_REMOVE_SCHEMES = ['zone-movable', 'offline-migrated'] as const;
export type HotRemoveScheme = (typeof HOT_REMOVE_SCHEMES)[number];

export type Errno =
  | 'EINVAL'
  | 'EBUSY'
  | 'EEXIST'
  | 'E2BIG'
  | 'ENOMEM'
  | 'EINTR'
  | 'EPERM'
  | 'ENOENT'
  | 'EACCES'
  | 'EHWPOISON'
  | 'ENOSPC'
  | 'EAGAIN'
  /** A read or write of a directory path (sysfs). */
  | 'EISDIR'
  /** A path that continues below a regular file (sysfs). */
  | 'ENOTDIR'
  /** A number too large for the parameter (kstrtouint overflow). */
  | 'ERANGE';

/** What an export wrote: regular files, directories and symlinks, and the bytes in the files. */
export interface ExportSummary {
  files: number;
  dirs: number;
  links: number;
  bytes: number;
}

/** Result of a sysfs read or write, as a process would see it. */
export type SysfsResult = { ok: true; value: string } | SysfsRefusal;
/** A sysfs access the kernel refuses: its errno and why. */
export type SysfsRefusal = { ok: false; errno: Errno; message: string };

/** What lstat says of a sysfs path: a directory, a file with its mode, or a symlink with its target. */
export type SysfsEntry =
  | { ok: true; kind: 'dir' }
  | { ok: true; kind: 'file'; mode: number }
  | { ok: true; kind: 'link'; target: string }
  | { ok: false; errno: Errno; message: string };

/** One zone of one node with the kernel's counters (struct zone, include/linux/mmzone.h). */
export interface ZoneCounters {
  readonly nid: number;
  /** Zone index: DMA=0, DMA32=1, NORMAL=2, MOVABLE=3, DEVICE=4. */
  readonly zoneIdx: number;
  readonly name: ZoneName;
  /** zone_start_pfn; 0 when the zone spans nothing. */
  zoneStartPfn: number;
  spannedPages: number;
  presentPages: number;
  /** present pages that came from boot memory (what auto-movable budgets from). */
  presentEarlyPages: number;
  managedPages: number;
}

/** One node with the kernel's counters (struct pglist_data and the node states). */
export interface NodeCounters {
  readonly nid: number;
  possible: boolean;
  /** N_ONLINE: the node has a pgdat and a sysfs directory. */
  online: boolean;
  /** N_MEMORY. */
  hasMemory: boolean;
  /** N_NORMAL_MEMORY. */
  hasNormalMemory: boolean;
  nodeStartPfn: number;
  nodeSpannedPages: number;
  nodePresentPages: number;
}

/**
 * A zone's watermarks in pages, as the kernel keeps them (struct zone
 * `_watermark[]` and `watermark_boost`). Readers in the kernel add the
 * boost to each mark (`wmark_pages`); /proc/zoneinfo prints them that way.
 */
export interface ZoneWatermarks {
  min: number;
  low: number;
  high: number;
  /** The promotion mark of memory tiering: high plus one more step. */
  promo: number;
  /** watermark_boost: 0 until fragmentation events raise it (not modelled yet). */
  boost: number;
}

/**
 * What the page allocator keeps per zone besides the counters: the
 * watermarks and `lowmem_reserve[]` ("protection" in /proc/zoneinfo), one
 * entry per zone index (MAX_NR_ZONES entries): the pages an allocation whose
 * highest usable zone is that index must leave free here on top of the mark.
 */
export interface ZoneReserves {
  watermarks: ZoneWatermarks;
  lowmemReserve: number[];
}

export interface ZoneStats extends ZoneCounters, ZoneReserves {
  /** FREE pages, from the engine. */
  freePages: number;
}

export interface NodeStats extends NodeCounters {
  /** Every zone of the node, populated or not, in zone index order. */
  zones: ZoneStats[];
}

export type BlockState = 'online' | 'offline' | 'going-offline';

export interface BlockInfo {
  /** Memory block id (memory<id>). */
  id: number;
  state: BlockState;
  /** Nodes the block is linked under, ascending. */
  nids: number[];
  /** Zone name for an online block ('none' when it spans zones or nodes), null when offline. */
  zone: ZoneName | 'none' | null;
  /** Exact text of valid_zones without the newline. */
  validZones: string;
  startPfn: number;
  nrPages: number;
}

/** Inside one memory block: see Machine.blockPageblocks. */
export interface BlockPageblocks {
  ok: true;
  blockId: number;
  startPfn: number;
  /** Per pageblock, ascending: the mask of the page classes its pages hold. */
  classes: number[];
  /** Per pageblock: the migratetype in bits 0-1, MIGRATE_ISOLATE in bit 2 (NO_TAG where absent). */
  tags: number[];
}

// ---------------------------------------------------------------------------
// The hotplug lifecycle

/**
 * How a hot-added range is grouped: no group (the probe interface), a static
 * group spanning the whole device (ACPI DIMM), or a dynamic group with units
 * of `unitBytes` (virtio-mem).
 */
export type MemoryGroupRequest = null | { kind: 'static' } | { kind: 'dynamic'; unitBytes: number };

/** A hot-add (add_memory): `[base, base + size)` on node `nid`. */
export interface AddMemoryRequest {
  /** The node the memory joins (the scenario's `node`). */
  node: number;
  /** First byte, a multiple of the memory block size. */
  base: number;
  /** Bytes, a multiple of the memory block size. */
  size: number;
  /** Ask for the memmap to live inside each added block (MHP_MEMMAP_ON_MEMORY); honoured only when supported. */
  memmapOnMemory?: boolean;
  /** The memory group; by default a static group spanning the whole request (an ACPI device). */
  group?: MemoryGroupRequest;
  /**
   * Add as driver-managed memory (add_memory_driver_managed, as dax/kmem and
   * virtio-mem do) under this resource name, which must read
   * "System RAM (<driver>)"; otherwise EINVAL. Absent: a plain "System RAM" add.
   */
  driverManaged?: string;
}

/** Blocks to act on: inclusive block ids, every block of a node, or the blocks of that node within the ids. */
export interface BlockSelector {
  firstBlockId?: number;
  lastBlockId?: number;
  node?: number;
}

/** One block's part of a call that touched several blocks. */
export interface BlockOutcome {
  id: number;
  ok: boolean;
  errno?: Errno;
  message?: string;
}

/** Result of a lifecycle call. */
export interface Outcome {
  ok: boolean;
  errno?: Errno;
  message?: string;
  /** Modelled time on real hardware, seconds (cost.ts). */
  modelledSeconds: number;
  /** Per-block results where the call touched several blocks. */
  blocks?: BlockOutcome[];
}

export interface OfflineOutcome extends Outcome {
  migratedPages: number;
  /** Pages migrated, by target node id (stringified keys), ascending node order. */
  migratedByNode: Record<string, number>;
  /** Rescans of the migration loop that found pages still in place. */
  retries: number;
  /** Why the retries did not converge, when errno is EINTR: 'no migration target' | 'pinned page'. */
  reason?: string;
  /**
   * offline-migrated only: the kernel pages moved out under stop_machine,
   * the sections remapped, and the seconds the machine stood still.
   */
  kernelPages?: KernelPagesMoved;
}

/** What offline-migrated moved out of offlined blocks (docs/hot-remove-schemes.md). */
export interface KernelPagesMoved {
  /** Slab pages copied, their old direct-map addresses remapped. */
  copiedPages: number;
  /** Page-table pages relocated by the walk of every page table. */
  pgtablePages: number;
  /** Sections whose virt_to_phys now goes through the remap table. */
  remappedSections: number;
  /** Modelled seconds the machine stood in stop_machine (part of modelledSeconds). */
  stopMachineSeconds: number;
}

/**
 * Allocation kinds of the workload model (docs/allocator.md): anonymous
 * memory and page cache are movable and may use ZONE_MOVABLE; slab,
 * reclaimable slab, page tables and long-term pinned memory are not. `user`
 * is the old name of `anon`.
 */
export const ALLOC_KINDS = ['anon', 'file', 'slab', 'slab_reclaimable', 'pgtable', 'pinned', 'user'] as const;
export type AllocKind = (typeof ALLOC_KINDS)[number];

/** Where a workload's pages go inside a zone (docs/allocator.md, "Placement of a workload"). */
export const PLACEMENTS = ['grouped', 'fragmented', 'compact'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface AllocRequest {
  kind: AllocKind;
  /** Bytes, rounded up to whole pages. */
  size: number;
  /** Preferred node. */
  node: number;
  /** Placement inside zones; `grouped`, the kernel's own, by default. */
  placement?: Placement;
  /** Seed of `fragmented` placement. */
  seed?: number;
  /** anon and file: the share mapped by PMD-sized transparent huge pages, 0 to 1 (page tables). */
  thp?: number;
  /** file: whether the page cache is mapped by a process (then it costs page tables); anon always is. */
  mapped?: boolean;
}

export interface FreeRequest {
  kind: AllocKind;
  size: number;
  node: number;
  /** Seed of the random subset of the kind's pages released. */
  seed?: number;
}

/**
 * How an allocation that reclaim could not satisfy ends (mm/page_alloc.c
 * __alloc_pages_may_oom): `oom`, the kernel invokes the OOM killer (the model
 * reports it; choosing a victim is out of scope); `ENOMEM`, the request fails
 * and no task is killed; `stall`, the request keeps looping without a kill
 * (GFP_NOFS: no __GFP_FS).
 */
export const ALLOC_FAILURES = ['oom', 'ENOMEM', 'stall'] as const;
export type AllocFailure = (typeof ALLOC_FAILURES)[number];

/** A zone the failing request could use, as it stood when the request gave up. */
export interface ZoneShortfall {
  nid: number;
  zone: ZoneName;
  freePages: number;
  min: number;
  low: number;
  high: number;
  /** lowmem_reserve against the request's highest zone. */
  reserve: number;
}

/** What an allocation did. */
export interface AllocOutcome extends Outcome {
  /** Pages of the request allocated (all of them on success). */
  allocatedPages: number;
  /** Page-table pages the mapping allocated with them (kernel zones). */
  pageTablePages: number;
  /** Where the pages went, "node:zone" to pages, in allocation order. */
  byZone: Record<string, number>;
  /** Pages direct reclaim freed on the way. */
  reclaimedPages: number;
  /**
   * Set when the request could not be satisfied: `oom` where the kernel would
   * invoke the OOM killer (errno unset), `ENOMEM` where it fails the request
   * (errno ENOMEM), `stall` where it would loop (GFP_NOFS).
   */
  failure?: {
    outcome: AllocFailure;
    /** The kind whose allocation failed: the request's, or `pgtable` for its page tables. */
    kind: AllocKind;
    missingPages: number;
    zones: ZoneShortfall[];
    /** Free pages in ZONE_MOVABLE of every node: memory a kernel request cannot use. */
    movableFreePages: number;
  };
}

/** An amount of memory in a workload: bytes, or a share of the memory in the workload's scope. */
export type Amount = { bytes: number } | { share: number };

/** A steady state the `workload` step fills the machine to (docs/allocator.md). */
export interface WorkloadSpec {
  anon?: Amount;
  /** Share of the anonymous memory mapped by transparent huge pages, 0 to 1. */
  thp?: number;
  /** Page cache. */
  file?: Amount;
  /** Share of the page cache mapped by processes (costing page tables), 0 to 1. */
  fileMapped?: number;
  /** Reclaimable slab (dentries, inodes) per GiB of page cache, in bytes: metadata-heavy workloads set it high. */
  slabReclaimablePerFileGiB?: number;
  /** Unreclaimable slab. */
  slab?: Amount;
  /** Long-term pinned memory. */
  pinned?: Amount;
  /** One node, or `spread`: every node with memory, each its share of the amounts. */
  node: number | 'spread';
  placement?: Placement;
  seed?: number;
}

/** What a workload put where. */
export interface WorkloadOutcome extends Outcome {
  /** Pages asked for and allocated, per kind (page tables included as `pgtable`). */
  kinds: Record<string, { requestedPages: number; allocatedPages: number }>;
  /** The failure that stopped the fill, if any (see AllocOutcome.failure). */
  failure?: AllocOutcome['failure'];
}

/** How much more of one kind a node could allocate before the first failure. */
export interface KindHeadroom {
  kind: AllocKind;
  node: number;
  /** Pages that can still be allocated (reclaim included) before an `oom` or `ENOMEM`. */
  pages: number;
  /** Of those, pages in ZONE_MOVABLE (only movable kinds can use them). */
  movablePages: number;
  /**
   * What ends it: `min marks of 0:Normal 0:DMA32 ...` (the zones it may use,
   * as node:zone, down to their min marks after reclaim), or, for a mapping,
   * `its page tables, in kernel zones`.
   */
  limitedBy: string;
}

/** Memory notifier events that error injection can veto. */
export const NOTIFIER_ACTIONS = ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'] as const;
export type NotifierAction = (typeof NOTIFIER_ACTIONS)[number];

/**
 * The online types a user can ask an online for (MMOP_ONLINE,
 * MMOP_ONLINE_KERNEL, MMOP_ONLINE_MOVABLE): the words `state` accepts,
 * offline aside.
 */
export const ONLINE_REQUEST_TYPES = ['online', 'online_kernel', 'online_movable'] as const;
export type OnlineRequestType = (typeof ONLINE_REQUEST_TYPES)[number];

export interface Machine {
  readonly spec: MachineSpec;
  readonly blockSizeBytes: number;
  /** Kernel log lines the model would print (warnings about firmware or command-line input). */
  readonly warnings: readonly string[];
  /** Command-line parameters the model did not recognise, kept verbatim. */
  readonly unknownParams: readonly string[];

  nodes(): Promise<NodeStats[]>;
  blocks(): Promise<BlockInfo[]>;
  /** Pages of each page class in each memory block, in the order of blocks(): one count per block. */
  blockClassCounts(): Promise<number[][]>;
  /**
   * The pageblocks of one memory block, for looking inside it: per pageblock,
   * the mask of the page classes it holds (bit = 1 << PageClass) and its tag
   * (migratetype, bit 2 isolated). EINVAL when no block has that id.
   */
  blockPageblocks(blockId: number): Promise<BlockPageblocks | Outcome>;
  /**
   * Read a sysfs file by absolute path (e.g. /sys/devices/system/memory/block_size_bytes);
   * also /sys/kernel/mm/transparent_hugepage/enabled and the /proc/sys/vm files the model serves.
   */
  sysfsRead(path: string): Promise<SysfsResult>;
  /** Write one of those files as `echo value > path` would (one trailing newline tolerated). */
  sysfsWrite(path: string, value: string): Promise<SysfsResult>;
  /** Entry names of a sysfs directory (symlinks followed), or undefined when the path is not one. */
  sysfsList(path: string): Promise<string[] | undefined>;
  /** lstat of a sysfs path (a symlink at its end is not followed). */
  sysfsEntry(path: string): Promise<SysfsEntry>;
  /**
   * Why open(2) of `path` fails, or null when it succeeds: `write` for an
   * open for writing, `create` for O_CREAT (which matters only when the path
   * does not exist: sysfs cannot create files).
   */
  sysfsOpen(path: string, how: { write: boolean; create: boolean }): Promise<SysfsRefusal | null>;
  /** Write the sysfs tree under rootDir (rootDir/sys/devices/system/memory/...), as `lsmem --sysroot` reads it. */
  exportSysfs(rootDir: string): Promise<ExportSummary>;
  /** /proc/zoneinfo text (node and zone headers, pages free, the watermarks, spanned, present, managed, cma, protection, start_pfn). */
  zoneinfo(): Promise<string>;
  /** /proc/iomem System RAM lines. */
  iomem(): Promise<string>;
  /** Release engines and workers. */
  close(): Promise<void>;

  /** Hot-add memory (add_memory): sections present, blocks created offline, auto-onlined per auto_online_blocks. */
  addMemory(req: AddMemoryRequest): Promise<Outcome>;
  /** Hot-remove (remove_memory): every block of the range must be offline, else EBUSY and nothing changes. */
  removeMemory(base: number, size: number): Promise<Outcome>;
  /** offline_and_remove_memory: offline every block, then remove; on failure re-online what it offlined. */
  offlineAndRemoveMemory(base: number, size: number): Promise<OfflineOutcome>;
  /** Online the selected blocks in ascending order; ok only if all succeeded. */
  onlineBlocks(sel: BlockSelector, type: OnlineRequestType): Promise<Outcome>;
  /** Offline the selected blocks, highest first (as chmem -d); every block is tried; ok only if all succeeded. */
  offlineBlocks(sel: BlockSelector): Promise<OfflineOutcome>;
  /**
   * Allocate pages of a kind through the page allocator (docs/allocator.md):
   * zonelist, watermarks, mobility grouping, reclaim; a mapping also gets its
   * page tables. What cannot be placed ends as the kernel would end it
   * (`failure.outcome`: oom, ENOMEM or stall); the pages placed before stay.
   */
  alloc(req: AllocRequest): Promise<AllocOutcome | Outcome>;
  /** Free a seeded random subset of a kind's pages on a node. */
  free(req: FreeRequest): Promise<Outcome>;
  /** Fill the machine to a workload's steady state (docs/allocator.md). */
  workload(spec: WorkloadSpec): Promise<WorkloadOutcome | Outcome>;
  /** Free a seeded share of every kind's pages and allocate as many again. */
  churn(req: { share: number; node: number | 'spread'; seed?: number; placement?: Placement }): Promise<Outcome>;
  /** How much more of each kind each node (or one node) can allocate before the first failure. */
  headroom(node?: number): Promise<KindHeadroom[]>;
  /** Every following `action` notification fails with `errno` until cleared with null. */
  injectNotifierError(action: NotifierAction, errno: Errno | null): void;
  /** The errno `action` notifications fail with now, if any. */
  notifierError(action: NotifierAction): Errno | undefined;
  /** Migration rescans an offline makes before it gives up with EINTR (the kernel retries until a signal). */
  setOfflineRetryBudget(retries: number): void;
  /** Throws an Error naming the first broken invariant between counters, blocks, sections and engines. */
  checkInvariants(): Promise<void>;
}

/** How far a long operation has got: `done` of `total` parts of `what` (`boot`, `workload`). */
export interface ProgressEvent {
  what: string;
  done: number;
  total: number;
}
export type ProgressListener = (event: ProgressEvent) => void;

/** What booting a machine needs besides its description. */
export interface MachineOptions {
  /**
   * Builds the engine shard of each pfn window. The model never picks an
   * engine: the package entry and the CLI entry choose one and pass it here.
   */
  engines: EngineFactory;
  /** Told how a boot, and each workload step after it, gets on (a 64 TiB fill takes seconds). */
  progress?: ProgressListener;
}
