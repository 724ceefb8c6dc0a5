/**
 * `pfnlab import`: a scenario that boots to the layout of a running Linux
 * machine, or of a copied tree (`--sysroot DIR`), read from the files the
 * kernel shows:
 *
 * - the firmware map: /sys/firmware/memmap/N/{start,end,type}
 *   (drivers/firmware/memmap.c), or else the top-level System RAM and
 *   Reserved lines of /proc/iomem;
 * - the memory block size and every block's state and zone
 *   (/sys/devices/system/memory), the blocks of each node and the node
 *   distances (/sys/devices/system/node/nodeN/{memoryM,distance});
 * - which memory is hotpluggable, which only the SRAT knows: from
 *   /sys/firmware/acpi/tables/SRAT when readable (memory affinity entries),
 *   else inferred (a node entirely in ZONE_MOVABLE under movable_node), and
 *   the scenario says which;
 * - the memory parameters of /proc/cmdline (those the model reads), the vm
 *   sysctls of /proc/sys/vm, and whether the machine is a VM (/proc/cpuinfo's
 *   `hypervisor` flag);
 * - /proc/zoneinfo, for an `expect` step that checks every zone's start,
 *   span and present pages, and the blocks' states, so the scenario proves
 *   itself when it runs.
 */
import { PAGE_SIZE } from '../contract/constants.js';
import { parseCmdline } from '../model/boot/cmdline.js';

/** Reads the tree: a file's text (undefined when absent) and a directory's entries (undefined when absent). */
export interface SysrootReader {
  read(path: string): Promise<string | undefined>;
  readBytes(path: string): Promise<Uint8Array | undefined>;
  list(path: string): Promise<string[] | undefined>;
}

export interface ImportResult {
  /** The scenario, as YAML with comments saying where each value came from. */
  yaml: string;
  /** What could not be read or inferred. */
  notes: string[];
}

const MEMORY = '/sys/devices/system/memory';
const NODE = '/sys/devices/system/node';
const VM_SYSCTLS = ['min_free_kbytes', 'watermark_scale_factor', 'lowmem_reserve_ratio'] as const;

interface E820Line {
  base: number;
  size: number;
  type: 'usable' | 'reserved';
  source: string;
}

interface SratLine {
  node: number;
  base: number;
  size: number;
  hotpluggable: boolean;
}

/** A zone of /proc/zoneinfo: its node and name, start pfn and page counts. */
export interface ZoneLine {
  node: number;
  zone: string;
  startPfn: number;
  spanned: number;
  present: number;
  managed: number;
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function numbered(names: readonly string[], prefix: string): number[] {
  return names
    .map((name) => (name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)) ? Number(name.slice(prefix.length)) : -1))
    .filter((n) => n >= 0)
    .sort((a, b) => a - b);
}

/** /sys/firmware/memmap: one directory per entry, `end` inclusive. */
async function firmwareMap(reader: SysrootReader): Promise<E820Line[] | undefined> {
  const entries = await reader.list('/sys/firmware/memmap');
  if (entries === undefined || entries.length === 0) return undefined;
  const out: E820Line[] = [];
  for (const n of numbered(entries, '')) {
    const [start, end, type] = await Promise.all(['start', 'end', 'type'].map((f) => reader.read(`/sys/firmware/memmap/${n}/${f}`)));
    if (start === undefined || end === undefined || type === undefined) continue;
    const base = Number(BigInt(start.trim()));
    const size = Number(BigInt(end.trim())) + 1 - base;
    out.push({ base, size, type: type.trim() === 'System RAM' ? 'usable' : 'reserved', source: `/sys/firmware/memmap/${n}: ${type.trim()}` });
  }
  return out.sort((a, b) => a.base - b.base);
}

/** BIOS_BEGIN and BIOS_END: the legacy BIOS area, never RAM to the kernel. */
const BIOS_BEGIN = 0xa0000;
const BIOS_END = 0x100000;

/**
 * The firmware's map as x86 setup_arch leaves it for memblock
 * (arch/x86/kernel/setup.c trim_bios_range): page 0 turned from RAM to
 * reserved, and RAM in the BIOS area [640K, 1M) dropped. /sys/firmware/memmap
 * shows the map before that; /proc/iomem after it.
 */
export function trimBiosRange(map: readonly E820Line[]): E820Line[] {
  const out: E820Line[] = [];
  for (const e of map) {
    if (e.type !== 'usable') {
      out.push(e);
      continue;
    }
    const end = e.base + e.size;
    const pieces: [number, number, 'usable' | 'reserved', string][] = [];
    if (e.base < PAGE_SIZE) pieces.push([e.base, Math.min(end, PAGE_SIZE), 'reserved', `${e.source}, page 0 reserved (trim_bios_range)`]);
    const lowStart = Math.max(e.base, PAGE_SIZE);
    if (lowStart < Math.min(end, BIOS_BEGIN)) pieces.push([lowStart, Math.min(end, BIOS_BEGIN), 'usable', e.source]);
    const highStart = Math.max(e.base, BIOS_END, PAGE_SIZE);
    if (highStart < end) pieces.push([highStart, end, 'usable', e.source]);
    for (const [base, stop, type, source] of pieces) out.push({ base, size: stop - base, type, source });
  }
  return out;
}

/** The top-level System RAM and Reserved lines of /proc/iomem (`start-end : name`, end inclusive). */
function iomemMap(text: string): E820Line[] {
  const out: E820Line[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]+)-([0-9a-f]+) : (.+)$/.exec(line);
    if (match === null) continue;
    const name = match[3]!.trim();
    if (name !== 'System RAM' && name !== 'Reserved') continue;
    const base = Number(BigInt(`0x${match[1]}`));
    out.push({ base, size: Number(BigInt(`0x${match[2]}`)) + 1 - base, type: name === 'System RAM' ? 'usable' : 'reserved', source: `/proc/iomem: ${name}` });
  }
  return out;
}

/** Memory affinity entries of an ACPI SRAT (type 1, 40 bytes: domain, base, length, flags: enabled, hot-pluggable). */
export function sratMemory(table: Uint8Array): SratLine[] | undefined {
  if (table.length < 48 || String.fromCharCode(...table.subarray(0, 4)) !== 'SRAT') return undefined;
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const length = Math.min(view.getUint32(4, true), table.length);
  const out: SratLine[] = [];
  // The header (36 bytes) and 12 reserved bytes come before the entries.
  for (let at = 48; at + 2 <= length; ) {
    const type = table[at]!;
    const len = table[at + 1]!;
    if (len === 0) break;
    if (type === 1 && len >= 40 && at + 40 <= length) {
      const flags = view.getUint32(at + 28, true);
      const size = Number(view.getBigUint64(at + 16, true));
      if ((flags & 1) !== 0 && size > 0) {
        out.push({ node: view.getUint32(at + 2, true), base: Number(view.getBigUint64(at + 8, true)), size, hotpluggable: (flags & 2) !== 0 });
      }
    }
    at += len;
  }
  return out;
}

/** Zones of /proc/zoneinfo: `Node N, zone NAME`, then its `spanned`, `present`, `managed` and `start_pfn:` lines. */
export function zoneinfoZones(text: string): ZoneLine[] {
  const out: ZoneLine[] = [];
  let current: ZoneLine | undefined;
  for (const line of text.split('\n')) {
    const head = /^Node (\d+), zone\s+(\S+)/.exec(line);
    if (head !== null) {
      current = { node: Number(head[1]), zone: head[2]!, startPfn: 0, spanned: 0, present: 0, managed: 0 };
      out.push(current);
      continue;
    }
    const field = current === undefined ? null : /^\s+(spanned|present|managed|start_pfn:)\s+(\d+)/.exec(line);
    if (field === null || current === undefined) continue;
    if (field[1] === 'start_pfn:') current.startPfn = Number(field[2]);
    else current[field[1] as 'spanned' | 'present' | 'managed'] = Number(field[2]);
  }
  return out;
}

/** Reads the tree and writes the scenario (see the file comment). */
export async function importMachine(reader: SysrootReader, source: string): Promise<ImportResult> {
  const notes: string[] = [];
  const blockSizeText = await reader.read(`${MEMORY}/block_size_bytes`);
  if (blockSizeText === undefined) throw new Error(`${source}: no ${MEMORY}/block_size_bytes: not a Linux sysfs with memory hotplug`);
  const blockSize = Number(BigInt(`0x${blockSizeText.trim()}`));

  // Blocks, their state and zone, and their node.
  const blockIds = numbered((await reader.list(MEMORY)) ?? [], 'memory');
  const nodes = numbered((await reader.list(NODE)) ?? [], 'node');
  const nodeOf = new Map<number, number>();
  const distances = new Map<number, number[]>();
  for (const nid of nodes) {
    for (const id of numbered((await reader.list(`${NODE}/node${nid}`)) ?? [], 'memory')) nodeOf.set(id, nid);
    const distance = await reader.read(`${NODE}/node${nid}/distance`);
    if (distance !== undefined) distances.set(nid, distance.trim().split(/\s+/).map(Number));
  }
  const blocks = await Promise.all(
    blockIds.map(async (id) => ({
      id,
      nid: nodeOf.get(id) ?? 0,
      state: ((await reader.read(`${MEMORY}/memory${id}/state`)) ?? 'offline').trim(),
      zones: ((await reader.read(`${MEMORY}/memory${id}/valid_zones`)) ?? '').trim(),
    })),
  );

  // The command line: the memory parameters the model reads.
  const cmdlineText = ((await reader.read('/proc/cmdline')) ?? '').trim();
  if (cmdlineText === '') notes.push('no /proc/cmdline: the scenario boots with an empty command line');
  const parsed = parseCmdline(cmdlineText.split(' -- ')[0] ?? '');
  const unknown = new Set(parsed.unknown);
  const cmdline = (cmdlineText.split(' -- ')[0] ?? '')
    .split(/\s+/)
    .filter((word) => word !== '' && !unknown.has(word))
    .join(' ');
  const movableNode = /(^|\s)movable_node(\s|$)/.test(cmdline);

  // The SRAT: from the ACPI table, else from the nodes' blocks.
  const sratTable = await reader.readBytes('/sys/firmware/acpi/tables/SRAT');
  let srat = sratTable === undefined ? undefined : sratMemory(sratTable);
  let sratSource = '/sys/firmware/acpi/tables/SRAT (memory affinity entries)';
  if (srat === undefined) {
    sratSource = `the memory blocks of each node (${NODE}/nodeN/memoryM), block-aligned`;
    srat = [];
    for (const block of blocks) {
      const base = block.id * blockSize;
      const last = srat[srat.length - 1];
      if (last !== undefined && last.node === block.nid && last.base + last.size === base) last.size += blockSize;
      else srat.push({ node: block.nid, base, size: blockSize, hotpluggable: false });
    }
    // Only the SRAT knows hotpluggable memory: a node that is all ZONE_MOVABLE under movable_node had it.
    for (const nid of nodes) {
      const own = blocks.filter((b) => b.nid === nid && b.state === 'online');
      if (movableNode && own.length > 0 && own.every((b) => b.zones === 'Movable')) {
        for (const entry of srat) if (entry.node === nid) entry.hotpluggable = true;
        notes.push(`node ${nid}: hotpluggable inferred (all its memory is in ZONE_MOVABLE under movable_node); no SRAT table to read`);
      }
    }
    if (!movableNode) notes.push('hotpluggable flags: no SRAT table to read and no movable_node to infer them from; none set');
  }

  const firmware = await firmwareMap(reader);
  const e820 = firmware === undefined ? iomemMap((await reader.read('/proc/iomem')) ?? '') : trimBiosRange(firmware);
  if (e820.length === 0) notes.push('no firmware map (/sys/firmware/memmap) and no System RAM in /proc/iomem: the e820 is derived from the SRAT');

  const cpuinfo = (await reader.read('/proc/cpuinfo')) ?? '';
  const vm = /^flags\s*:.*\bhypervisor\b/m.test(cpuinfo);
  if (cpuinfo === '') notes.push('no /proc/cpuinfo: taken to be bare metal');

  const sysctls: [string, string][] = [];
  for (const name of VM_SYSCTLS) {
    const value = await reader.read(`/proc/sys/vm/${name}`);
    if (value !== undefined) sysctls.push([`vm.${name}`, value.trim().replace(/\s+/g, ' ')]);
  }

  // Distances as a SLIT, when they are not the kernel's default.
  const slit = nodes.map((from) => nodes.map((to, j) => distances.get(from)?.[j] ?? (from === to ? 10 : 20)));
  const defaultSlit = slit.every((row, i) => row.every((d, j) => d === (i === j ? 10 : 20)));

  const zones = zoneinfoZones((await reader.read('/proc/zoneinfo')) ?? '').filter((z) => z.spanned > 0);
  if (zones.length === 0) notes.push('no /proc/zoneinfo: the expect step checks blocks only');

  const lines: string[] = [
    `# Imported from ${source} by pfnlab import.`,
    ...notes.map((note) => `# note: ${note}`),
    'version: 1',
    `name: imported`,
    `description: imported from ${source}`,
    'machine:',
    `  type: ${vm ? 'vm' : 'bare-metal'}              # /proc/cpuinfo ${vm ? 'has' : 'lacks'} the hypervisor flag`,
    `  blockSize: ${hex(blockSize)}          # ${MEMORY}/block_size_bytes`,
  ];
  if (e820.length > 0) {
    lines.push('  e820:');
    for (const e of e820) lines.push(`    - { base: ${hex(e.base)}, size: ${hex(e.size)}${e.type === 'reserved' ? ', type: reserved' : ''} }   # ${e.source}`);
  }
  lines.push(`  srat:                       # ${sratSource}`);
  for (const s of srat) lines.push(`    - { node: ${s.node}, base: ${hex(s.base)}, size: ${hex(s.size)}${s.hotpluggable ? ', hotpluggable: true' : ''} }`);
  if (firmware !== undefined) {
    // Only for a map read from the firmware: a tree's iomem-derived map comes from a model or a kernel that did this already.
    lines.push('  reservations:               # x86 reserves the first 1 MiB at boot (arch/x86/kernel/setup.c)', '    - { name: low-1M, base: 0, size: 1M }');
  }
  if (!defaultSlit) {
    lines.push(`  slit:                       # ${NODE}/nodeN/distance`);
    for (const row of slit) lines.push(`    - [${row.join(', ')}]`);
  }
  if (sysctls.length > 0) {
    lines.push('  sysctl:                     # /proc/sys/vm');
    for (const [name, value] of sysctls) lines.push(`    ${name}: ${JSON.stringify(value)}`);
  }
  lines.push(`cmdline: ${JSON.stringify(cmdline)}   # the memory parameters of /proc/cmdline`);
  lines.push('steps:', '  # The imported layout, checked when the scenario runs.', '  - expect:');
  for (const z of zones) {
    lines.push(`      - { node: ${z.node}, zone: ${z.zone}, zoneStartPfn: ${z.startPfn}, spannedPages: ${z.spanned}, presentPages: ${z.present} }   # /proc/zoneinfo`);
  }
  const online = blocks.filter((b) => b.state === 'online').length;
  lines.push(`      - { blocks: { total: ${blocks.length}, online: ${online} } }   # ${MEMORY}/memoryN/state`);
  for (const nid of nodes) {
    const own = blocks.filter((b) => b.nid === nid);
    if (own.length > 0) lines.push(`      - { blocks: { node: ${nid}, total: ${own.length}, online: ${own.filter((b) => b.state === 'online').length} } }`);
  }
  return { yaml: `${lines.join('\n')}\n`, notes };
}
