/**
 * Small MachineSpec builders for tests.
 *
 * The low end of every x86 machine here looks like real firmware: page 0 and
 * the legacy area [0x9f000, 1 MiB) are reserved, so ZONE_DMA starts at pfn 1
 * and has 3,998 present pages out of 4,095 spanned.
 */
import type { BootReservation, E820Entry, MachineSpec, SratMemoryAffinity } from '../../src/model/core/types.js';

export const KiB = 2 ** 10;
export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
export const TiB = 2 ** 40;

/** Bytes to pfns. */
export function pfn(bytes: number): number {
  return bytes / 4096;
}

export interface SpecOptions {
  cmdline?: string;
  hypervisor?: boolean;
  blockSize?: 'auto' | number;
  reservations?: BootReservation[];
  /** Page table levels (MachineSpec.paging); left out, the machine's default. */
  paging?: 4 | 5;
}

/** An SRAT memory affinity of `size` bytes at `base`: enabled, populated, not hotpluggable, unless `extra` says otherwise. */
export function sratRange(nid: number, base: number, size: number, extra: Partial<SratMemoryAffinity> = {}): SratMemoryAffinity {
  return { node: nid, base, size, enabled: true, hotpluggable: false, nonVolatile: false, populated: true, ...extra };
}

function usable(base: number, end: number): E820Entry {
  return { base, size: end - base, type: 'usable' };
}

function reserved(base: number, end: number): E820Entry {
  return { base, size: end - base, type: 'reserved' };
}

function node(nid: number, base: number, end: number, extra: Partial<SratMemoryAffinity> = {}): SratMemoryAffinity {
  return { node: nid, base, size: end - base, enabled: true, hotpluggable: false, nonVolatile: false, populated: true, ...extra };
}

/** Firmware's low 1 MiB: page 0 and the legacy hole reserved, the rest usable. */
function lowMemory(): E820Entry[] {
  return [reserved(0, 0x1000), usable(0x1000, 0x9f000), reserved(0x9f000, 0x100000)];
}

/** A machine of these firmware tables: no reservations, blocks sized as the kernel probes, no SLIT, unless `options` say otherwise. */
export function machineSpec(e820: E820Entry[], srat: SratMemoryAffinity[] | null, options: SpecOptions = {}): MachineSpec {
  return {
    e820,
    srat,
    reservations: options.reservations ?? [],
    blockSize: options.blockSize ?? 'auto',
    hypervisor: options.hypervisor ?? false,
    slit: null,
    cmdline: options.cmdline ?? '',
    ...(options.paging === undefined ? {} : { paging: options.paging }),
  };
}

/**
 * One node, no SRAT: RAM up to 3 GiB, the PCI hole [3 GiB, 4 GiB), then RAM
 * from 4 GiB to 4 + `highGiB` GiB (default 4: 7 GiB of RAM, max_pfn at 8 GiB,
 * 128 MiB blocks).
 */
export function singleNodeWithPciHole(options: SpecOptions & { highGiB?: number } = {}): MachineSpec {
  const highGiB = options.highGiB ?? 4;
  return machineSpec(
    [...lowMemory(), usable(MiB, 3 * GiB), reserved(3 * GiB, 4 * GiB), usable(4 * GiB, (4 + highGiB) * GiB)],
    null,
    options,
  );
}

/**
 * Two nodes: node 0 is [0, 3 GiB) + [4 GiB, `boundary`), node 1 is
 * [`boundary`, 12 GiB). The default boundary, 8 GiB, is block aligned; pass
 * 8 GiB + 64 MiB to put both nodes inside memory64.
 */
export function twoNodes(options: SpecOptions & { boundary?: number } = {}): MachineSpec {
  const boundary = options.boundary ?? 8 * GiB;
  return machineSpec(
    [...lowMemory(), usable(MiB, 3 * GiB), reserved(3 * GiB, 4 * GiB), usable(4 * GiB, 12 * GiB)],
    [node(0, 0, boundary), node(1, boundary, 12 * GiB)],
    options,
  );
}

/**
 * The 4-node, 4 TiB bare-metal box of docs/kernel-facts.md (first worked example): node 0 is
 * [0, 2 GiB) + [4 GiB, 1026 GiB), nodes 1-3 are the next 1 TiB each, the PCI
 * hole is [2 GiB, 4 GiB). max_pfn 4098 GiB, so 2 GiB blocks. RAM starts at 0
 * here so the numbers match the worked example exactly.
 */
export function fourNodeBox(options: SpecOptions = {}): MachineSpec {
  const e820 = [usable(0, 2 * GiB), reserved(2 * GiB, 4 * GiB), usable(4 * GiB, 4098 * GiB)];
  const srat = [
    node(0, 0, 1026 * GiB),
    node(1, 1026 * GiB, 2050 * GiB),
    node(2, 2050 * GiB, 3074 * GiB),
    node(3, 3074 * GiB, 4098 * GiB),
  ];
  return machineSpec(e820, srat, options);
}

/**
 * 16 nodes of 4 TiB: 64 TiB, the x86_64 4-level limit. Node 0 is
 * [0, 2 GiB) + [4 GiB, 4 TiB); node n is [n TiB * 4, (n + 1) TiB * 4).
 */
export function sixteenNodeBox(options: SpecOptions = {}): MachineSpec {
  const e820 = [usable(0, 2 * GiB), reserved(2 * GiB, 4 * GiB), usable(4 * GiB, 64 * TiB)];
  const srat = Array.from({ length: 16 }, (_, nid) => node(nid, nid * 4 * TiB, (nid + 1) * 4 * TiB));
  return machineSpec(e820, srat, options);
}

/** A VM whose RAM ends at `endBytes` (one node, RAM from 1 MiB, no hole). */
export function vmEndingAt(endBytes: number, options: SpecOptions = {}): MachineSpec {
  return machineSpec([...lowMemory(), usable(MiB, endBytes)], null, { hypervisor: true, ...options });
}
