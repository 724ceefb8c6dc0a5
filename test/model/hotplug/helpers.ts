/**
 * Machines and checks shared by the hotplug lifecycle tests.
 *
 * Machines are small so each file boots in milliseconds on the WASM engine:
 * VMs whose boot RAM ends below 64 GiB (128 MiB blocks), or bare metal with
 * an explicit 2 GiB block size. Every machine keeps the x86 PCI hole at
 * [2 GiB, 4 GiB), so node 0 has DMA, DMA32 and Normal.
 */
import { expect } from 'vitest';
import { classBit, PAGE_SIZE, PageClass } from '../../../src/contract/constants.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import type { E820Entry, MachineSpec, OfflineOutcome, Outcome, SratMemoryAffinity } from '../../../src/model/core/types.js';

export const MiB = 2 ** 20;
export const GiB = 2 ** 30;
/** Pages in one GiB. */
export const GIB_PAGES = GiB / PAGE_SIZE;
/** Pages in a 128 MiB block (one section). */
export const BLOCK_128M_PAGES = (128 * MiB) / PAGE_SIZE;
/** Pages in a 2 GiB block. */
export const BLOCK_2G_PAGES = (2 * GiB) / PAGE_SIZE;

export const MEMORY_DIR = '/sys/devices/system/memory';
export const NODE_DIR = '/sys/devices/system/node';

/** One populated (or, with `populated: false`, empty-slot) SRAT range. */
export function srat(node: number, base: number, size: number, extra: Partial<SratMemoryAffinity> = {}): SratMemoryAffinity {
  return { node, base, size, enabled: true, hotpluggable: false, nonVolatile: false, populated: true, ...extra };
}

export interface NodeLayout {
  /** Node id. */
  node: number;
  /** Boot memory `[base, base + size)` in bytes, or none for a node that only has an empty slot. */
  boot?: { base: number; size: number };
  /** An empty slot after the boot memory, filled by hot-add. */
  slot?: { base: number; size: number };
  hotpluggable?: boolean;
}

/**
 * A machine from node layouts. Node 0 always starts with [0, 2 GiB) below
 * the PCI hole; its `boot` range is the memory above 4 GiB.
 */
export function machineSpec(layouts: NodeLayout[], options: { cmdline?: string; hypervisor?: boolean; blockSize?: 'auto' | number; slit?: number[][] } = {}): MachineSpec {
  const e820: E820Entry[] = [
    { base: 0, size: 2 * GiB, type: 'usable' },
    { base: 2 * GiB, size: 2 * GiB, type: 'reserved' },
  ];
  const entries: SratMemoryAffinity[] = [srat(0, 0, 2 * GiB)];
  for (const layout of layouts) {
    const hotpluggable = layout.hotpluggable ?? false;
    if (layout.boot !== undefined) {
      e820.push({ base: layout.boot.base, size: layout.boot.size, type: 'usable' });
      entries.push(srat(layout.node, layout.boot.base, layout.boot.size, { hotpluggable }));
    }
    if (layout.slot !== undefined) entries.push(srat(layout.node, layout.slot.base, layout.slot.size, { hotpluggable, populated: false }));
  }
  return {
    e820,
    srat: entries,
    reservations: [],
    blockSize: options.blockSize ?? 'auto',
    hypervisor: options.hypervisor ?? true,
    slit: options.slit ?? null,
    cmdline: options.cmdline ?? '',
  };
}

/**
 * A two-node VM with 128 MiB blocks: node 0 is [0, 2G) + [4G, 6G); node 1 is
 * [6G, 8G) with an empty slot [8G, 10G); node 2 is possible but has only the
 * empty slot [10G, 12G). With `movable_node` node 1 is all Movable.
 */
export function twoNodeVm(cmdline = '', options: { node1Hotpluggable?: boolean } = {}): MachineSpec {
  return machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: 2 * GiB } },
      { node: 1, boot: { base: 6 * GiB, size: 2 * GiB }, slot: { base: 8 * GiB, size: 2 * GiB }, hotpluggable: options.node1Hotpluggable ?? true },
      { node: 2, slot: { base: 10 * GiB, size: 2 * GiB }, hotpluggable: true },
    ],
    { cmdline },
  );
}

/**
 * Four populated nodes, a VM with 128 MiB blocks: node 0 is [0, 2G) + [4G, 5G),
 * node n (1-3) is [4G + n GiB, 5G + n GiB), hotpluggable.
 */
export function fourNodeVm(cmdline = 'movable_node'): MachineSpec {
  return machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: 1 * GiB } },
      { node: 1, boot: { base: 5 * GiB, size: 1 * GiB }, hotpluggable: true },
      { node: 2, boot: { base: 6 * GiB, size: 1 * GiB }, hotpluggable: true },
      { node: 3, boot: { base: 7 * GiB, size: 1 * GiB }, slot: { base: 8 * GiB, size: 1 * GiB }, hotpluggable: true },
    ],
    { cmdline },
  );
}

/**
 * Bare metal with 2 GiB blocks (set explicitly, as a platform does with
 * set_memory_block_size_order): node 0 is [0, 2G) + [4G, 8G); node 1 is an
 * empty slot [8G, 16G).
 */
export function bareMetal2G(cmdline = ''): MachineSpec {
  return machineSpec(
    [
      { node: 0, boot: { base: 4 * GiB, size: 4 * GiB } },
      { node: 1, slot: { base: 8 * GiB, size: 8 * GiB }, hotpluggable: true },
    ],
    { cmdline, hypervisor: false, blockSize: 2 * GiB },
  );
}

export async function boot(spec: MachineSpec): Promise<BootedMachine> {
  const machine = await bootMachine(spec, { engine: 'wasm' });
  await machine.checkInvariants();
  return machine;
}

/** Assert an outcome succeeded, showing its errno and message when it did not. */
export function expectOk(outcome: Outcome): void {
  expect(outcome.ok ? 'ok' : `${outcome.errno}: ${outcome.message}`).toBe('ok');
}

/** Assert an outcome failed with `errno`. */
export function expectErrno(outcome: Outcome, errno: string): void {
  expect(outcome.ok ? 'ok' : outcome.errno).toBe(errno);
}

export async function readSysfs(machine: BootedMachine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`cat ${path}: ${result.errno} ${result.message}`);
  return result.value;
}

export async function zoneOf(machine: BootedMachine, nid: number, name: string) {
  const node = (await machine.nodes()).find((n) => n.nid === nid);
  if (node === undefined) throw new Error(`no node ${nid}`);
  const zone = node.zones.find((z) => z.name === name);
  if (zone === undefined) throw new Error(`node ${nid} has no zone ${name}`);
  return zone;
}

export async function nodeOf(machine: BootedMachine, nid: number) {
  const node = (await machine.nodes()).find((n) => n.nid === nid);
  if (node === undefined) throw new Error(`no node ${nid}`);
  return node;
}

/** Pages of a class in `[startPfn, endPfn)`, counted by the engines. */
export function countClass(machine: BootedMachine, startPfn: number, endPfn: number, cls: PageClass): Promise<number> {
  return machine.shards.count(startPfn, endPfn, classBit(cls));
}

/** Pages of a class over the whole machine. */
export function countClassEverywhere(machine: BootedMachine, cls: PageClass): Promise<number> {
  const shards = machine.shards.shards;
  return machine.shards.count(shards[0].startPfn, shards[shards.length - 1].endPfn, classBit(cls));
}

/** Sum of migratedByNode. */
export function migratedTotal(outcome: OfflineOutcome): number {
  return Object.values(outcome.migratedByNode).reduce((sum, n) => sum + n, 0);
}

/** Block id holding a byte address, for 128 MiB or 2 GiB blocks. */
export function blockIdAt(machine: BootedMachine, addr: number): number {
  return Math.floor(addr / machine.blockSizeBytes);
}

/**
 * Everything a user could observe, for "nothing changed" comparisons:
 * counters (with engine free counts), blocks, every block's sysfs files,
 * node masks, /proc/iomem, and the engines' class totals.
 */
export async function observe(machine: BootedMachine): Promise<unknown> {
  const blocks = await machine.blocks();
  const files: Record<string, string> = {};
  for (const block of blocks) {
    for (const file of ['state', 'online', 'valid_zones']) {
      const path = `${MEMORY_DIR}/memory${block.id}/${file}`;
      files[path] = await readSysfs(machine, path);
    }
  }
  for (const file of ['possible', 'online', 'has_memory', 'has_normal_memory']) {
    files[`${NODE_DIR}/${file}`] = await readSysfs(machine, `${NODE_DIR}/${file}`);
  }
  const classTotals: number[] = [];
  for (const cls of Object.values(PageClass)) {
    classTotals.push(await countClassEverywhere(machine, cls));
  }
  return {
    nodes: await machine.nodes(),
    blocks,
    files,
    iomem: await machine.iomem(),
    groups: machine.groups.all().map((g) => ({ ...g })),
    classTotals,
  };
}

/**
 * Page cache on node `nid` as far as the allocator places it: the node's
 * free pages asked for, its zones filled down to their min marks (the rest
 * of the request spills to other nodes or is met by reclaiming the page
 * cache just placed, as the kernel would).
 */
export async function fillWithPageCache(machine: BootedMachine, nid: number): Promise<void> {
  const node = (await machine.nodes()).find((n) => n.nid === nid)!;
  const free = node.zones.reduce((sum, z) => sum + z.freePages, 0);
  await machine.alloc({ kind: 'file', size: free * 4096, node: nid });
}
