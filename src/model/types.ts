/**
 * The machine model's contract with the study layer: what a machine is made
 * of (MachineSpec) and what a booted machine answers (Machine). Types only.
 *
 * Byte addresses and sizes are plain numbers: 2^53 bytes is 8 PiB, far past
 * the 64 TiB (2^46) of a 4-level x86_64 machine.
 */

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
  /** Optional SLIT distance matrix, indexed by node id. */
  slit: number[][] | null;
  /** The kernel command line. */
  cmdline: string;
}

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

/** Result of a sysfs read or write, as a process would see it. */
export type SysfsResult = { ok: true; value: string } | { ok: false; errno: Errno; message: string };

export type ZoneName = 'DMA' | 'DMA32' | 'Normal' | 'Movable' | 'Device';

export interface ZoneStats {
  nid: number;
  /** Zone index: DMA=0, DMA32=1, NORMAL=2, MOVABLE=3, DEVICE=4. */
  zoneIdx: number;
  name: ZoneName;
  zoneStartPfn: number;
  spannedPages: number;
  presentPages: number;
  presentEarlyPages: number;
  managedPages: number;
  /** FREE pages, from the engine. */
  freePages: number;
}

export interface NodeStats {
  nid: number;
  possible: boolean;
  online: boolean;
  hasMemory: boolean;
  hasNormalMemory: boolean;
  nodeStartPfn: number;
  nodeSpannedPages: number;
  nodePresentPages: number;
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

export interface Machine {
  readonly spec: MachineSpec;
  readonly blockSizeBytes: number;
  /** Kernel log lines the model would print (warnings about firmware or command-line input). */
  readonly warnings: readonly string[];
  /** Command-line parameters the model did not recognise, kept verbatim. */
  readonly unknownParams: readonly string[];

  nodes(): Promise<NodeStats[]>;
  blocks(): Promise<BlockInfo[]>;
  /** Read a sysfs file by absolute path (e.g. /sys/devices/system/memory/block_size_bytes). */
  sysfsRead(path: string): Promise<SysfsResult>;
  /** Write a sysfs file as `echo value > path` would (one trailing newline tolerated). */
  sysfsWrite(path: string, value: string): Promise<SysfsResult>;
  /** Write the sysfs tree under rootDir (rootDir/sys/devices/system/memory/...), as `lsmem --sysroot` reads it. */
  exportSysfs(rootDir: string): Promise<void>;
  /** /proc/zoneinfo text (node and zone headers, pages free, spanned, present, managed, start_pfn). */
  zoneinfo(): Promise<string>;
  /** /proc/iomem System RAM lines. */
  iomem(): Promise<string>;
  /** Release engines and workers. */
  close(): Promise<void>;
}

export interface BootOptions {
  /** 'wasm' (default) or 'reference': which engine holds page state. */
  engine?: 'wasm' | 'reference';
  /** Run each shard's engine in its own worker thread (default false). */
  worker?: boolean;
}
