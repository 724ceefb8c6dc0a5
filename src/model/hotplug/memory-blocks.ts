/**
 * Memory blocks (drivers/base/memory.c): the unit user space onlines and
 * offlines, with the zones and nodes they sit in. The zone choice for
 * onlining (and the `valid_zones` preview of offline blocks) lives in
 * zone-policy.ts.
 *
 * A block is 1 to 16 sections (128 MiB to 2 GiB). It is a small state
 * machine with a transitional state and rollback:
 *
 * ```
 *              online / online_kernel / online_movable / "1" > online
 *   offline ------------------------------------------------------> online
 *      ^                                                              |
 *      |  success                               offline / "0" > online |
 *      +------------------------ going-offline <----------------------+
 *                                 (failure: back to online)
 * ```
 *
 * The page-level work of a transition (zone choice, isolation, migration,
 * accounting) is not done here: a {@link BlockTransitions} object supplies
 * it. This module owns the rules around it, i.e. which writes are refused
 * before any work starts and what an "already in that state" write returns.
 *
 * Loops here run over blocks and zones, never over pages.
 */
import { PAGES_PER_SECTION } from '../../contract/constants.js';
import type { OnlineType } from '../boot/layout.js';
import { NUMA_NO_NODE } from '../boot/memblock.js';
import type { MemoryGroup } from './memory-groups.js';
import type { Errno, ZoneName } from '../core/types.js';
import { validZonesText as offlineValidZones, zoneIntersects, type ZonePolicyContext } from './zone-policy.js';
import { ZONE_NAMES } from '../boot/mm-init.js';

/** The four online types in the kernel's table order (MMOP_OFFLINE .. MMOP_ONLINE_MOVABLE). */
export const ONLINE_TYPES: readonly OnlineType[] = ['offline', 'online', 'online_kernel', 'online_movable'];

// ---------------------------------------------------------------------------
// Zones and nodes

/** A pfn range `[startPfn, endPfn)`. */
export interface PfnRange {
  startPfn: number;
  endPfn: number;
}

/** One zone of one node, with the kernel's counters (§6 of kernel-semantics). */
export interface ZoneState {
  readonly nid: number;
  readonly zoneIdx: number;
  readonly name: ZoneName;
  /** zone_start_pfn; 0 when the zone spans nothing. */
  zoneStartPfn: number;
  spannedPages: number;
  presentPages: number;
  /** present pages that came from boot memory (what auto-movable budgets from). */
  presentEarlyPages: number;
  managedPages: number;
  /** CMA pages: none are modelled, kept so the auto-movable budget reads like the kernel's. */
  cmaPages: number;
  /** The pfns whose pages belong to this zone (page_zone), ascending and disjoint. */
  memberRanges: PfnRange[];
}

export interface NodeState {
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
  /** Every zone, DMA to DEVICE, in zone index order. */
  readonly zones: ZoneState[];
}

/** populated_zone: the zone has present pages. */
export function isPopulated(zone: ZoneState): boolean {
  return zone.presentPages > 0;
}

/** The zone whose member ranges hold `pfn`, or undefined (a hole, or memory of another node). */
export function zoneHoldingPfn(node: NodeState, pfn: number): ZoneState | undefined {
  for (const zone of node.zones) {
    const ranges = zone.memberRanges;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (pfn < ranges[mid].startPfn) high = mid - 1;
      else if (pfn >= ranges[mid].endPfn) low = mid + 1;
      else return zone;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// The block

/** Memmap pages of one block allocated in one kernel zone at hot-add. */
export interface MemmapCharge {
  nid: number;
  zoneIdx: number;
  nrPages: number;
}

export type MemoryBlockState = 'online' | 'offline' | 'going-offline';

/** One memory block device (struct memory_block). */
export class MemoryBlock {
  /** Device id: memory<id>. */
  readonly id: number;
  readonly sectionsPerBlock: number;
  state: MemoryBlockState;
  /**
   * The device core's view (dev->offline): true only once an offline has
   * completed, so a block going offline still counts as online here.
   */
  deviceOffline: boolean;
  /** Online type requested for the next online; 'offline' means none requested (MMOP_OFFLINE). */
  onlineType: OnlineType = 'offline';
  /** mem->nid: the last node that claimed memory in the block, or NUMA_NO_NODE. */
  nid = NUMA_NO_NODE;
  /** Nodes linked under the block (node<N> entries), ascending. */
  readonly nids: number[] = [];
  /** mem->zone: the single zone managing the block, or null (offline, or several zones or nodes). */
  zone: ZoneState | null = null;
  /** mem->group: the memory group of a hot-added device; boot blocks have none. */
  group: MemoryGroup | null = null;
  /** True for boot memory: its sections are EARLY. */
  readonly early: boolean;
  /**
   * memmap_on_memory (the block's altmap): pages at the start of the block
   * that hold its own struct pages. They are VMEMMAP from hot-add to
   * hot-remove, count as present (not managed) while the block is online,
   * and are never offlined or migrated. 0 without an altmap.
   */
  vmemmapPages = 0;
  /**
   * Where the block's memmap lives when it is not self-hosted: pages taken
   * from kernel zones at hot-add, released at hot-remove. Empty for boot
   * blocks (their memmap is a boot reservation) and for altmap blocks.
   */
  memmapCharges: MemmapCharge[] = [];

  constructor(id: number, sectionsPerBlock: number, state: MemoryBlockState, early: boolean) {
    this.id = id;
    this.sectionsPerBlock = sectionsPerBlock;
    this.state = state;
    this.deviceOffline = state === 'offline';
    this.early = early;
  }

  get startSectionNr(): number {
    return this.id * this.sectionsPerBlock;
  }

  get startPfn(): number {
    return this.startSectionNr * PAGES_PER_SECTION;
  }

  get nrPages(): number {
    return this.sectionsPerBlock * PAGES_PER_SECTION;
  }

  get endPfn(): number {
    return this.startPfn + this.nrPages;
  }

  /** Add a node link (register_memory_block_under_node); keeps `nids` ascending and unique. */
  linkNode(nid: number): void {
    if (this.nids.includes(nid)) return;
    this.nids.push(nid);
    this.nids.sort((a, b) => a - b);
  }
}

/**
 * early_node_zone_for_memory_block: the one populated zone of the node whose
 * span meets the block, or null when two or more do.
 */
export function earlyNodeZoneForBlock(node: NodeState, block: MemoryBlock): ZoneState | null {
  let matching: ZoneState | null = null;
  for (const zone of node.zones) {
    if (!isPopulated(zone)) continue;
    if (!zoneIntersects(zone, block.startPfn, block.nrPages)) continue;
    if (matching !== null) return null;
    matching = zone;
  }
  return matching;
}

/**
 * memory_block_add_nid_early: the first node to claim a boot block decides
 * its zone; a second, different node means the block has no single zone.
 */
export function addNidEarly(block: MemoryBlock, node: NodeState): void {
  if (block.nid === node.nid) return;
  block.zone = block.nid === NUMA_NO_NODE ? earlyNodeZoneForBlock(node, block) : null;
  block.nid = node.nid;
}

/**
 * The `valid_zones` text without its newline. An online block names its zone
 * ("none" without one). An offline block previews the zone choice of
 * zone-policy.ts: the zone a plain online would pick, then the kernel and
 * movable choices where they differ from it.
 */
export function validZonesText(ctx: ZonePolicyContext, block: MemoryBlock): string {
  if (block.state === 'online') return block.zone === null ? 'none' : block.zone.name;
  return offlineValidZones(ctx, block.nid, block.group, block.startPfn, block.nrPages);
}

/** Name of a zone index, as sysfs and /proc print it. */
export function zoneName(zoneIdx: number): ZoneName {
  return ZONE_NAMES[zoneIdx];
}

// ---------------------------------------------------------------------------
// Transitions and the sysfs write rules

/** Outcome of a transition or a write: success, or the errno the writer sees. */
export type BlockOpResult = { ok: true } | { ok: false; errno: Errno; message: string };

const OK: BlockOpResult = { ok: true };

function fail(errno: Errno, message: string): BlockOpResult {
  return { ok: false, errno, message };
}

/** The page-level work behind a state change, supplied by the machine. */
export interface BlockTransitions {
  /** memory_block_online: online the (offline) block into the zone `onlineType` selects. */
  online(block: MemoryBlock, onlineType: Exclude<OnlineType, 'offline'>): Promise<BlockOpResult>;
  /** offline_pages for the block's single zone (`block.zone` is not null when called). */
  offline(block: MemoryBlock): Promise<BlockOpResult>;
}

/**
 * memory_block_change_state: refuse unless the block is in `from`; show
 * going-offline while an offline runs; fall back to `from` on failure.
 */
async function changeState(
  block: MemoryBlock,
  to: 'online' | 'offline',
  from: 'online' | 'offline',
  action: () => Promise<BlockOpResult>,
): Promise<BlockOpResult> {
  if (block.state !== from) return fail('EINVAL', `memory${block.id} is ${block.state}, not ${from}`);
  if (to === 'offline') block.state = 'going-offline';
  let result: BlockOpResult;
  try {
    result = await action();
  } catch (error) {
    block.state = from;
    throw error;
  }
  block.state = result.ok ? to : from;
  return result;
}

/** memory_block_offline's own check before offline_pages runs. */
async function memoryBlockOffline(block: MemoryBlock, transitions: BlockTransitions): Promise<BlockOpResult> {
  if (block.zone === null) {
    return fail('EINVAL', `memory${block.id} spans several zones or nodes and cannot be offlined`);
  }
  return transitions.offline(block);
}

/** Result of device_online / device_offline: a BlockOpResult, or 'already' (the kernel's positive 1). */
export type DeviceResult = BlockOpResult | 'already';

/**
 * device_online through memory_subsys_online: online with the recorded
 * online type (plain "online" when none was recorded), then forget it.
 */
export async function deviceOnline(block: MemoryBlock, transitions: BlockTransitions): Promise<DeviceResult> {
  if (!block.deviceOffline) return 'already';
  if (block.state === 'online') return OK;
  const onlineType = block.onlineType === 'offline' ? 'online' : block.onlineType;
  const result = await changeState(block, 'online', 'offline', () => transitions.online(block, onlineType));
  // The request is consumed whether or not it worked.
  block.onlineType = 'offline';
  if (result.ok) block.deviceOffline = false;
  return result;
}

/** device_offline through memory_subsys_offline. */
export async function deviceOffline(block: MemoryBlock, transitions: BlockTransitions): Promise<DeviceResult> {
  if (block.deviceOffline) return 'already';
  if (block.state === 'offline') return OK;
  const result = await changeState(block, 'offline', 'online', () => memoryBlockOffline(block, transitions));
  if (result.ok) block.deviceOffline = true;
  return result;
}

/** sysfs_streq against a constant: equal, allowing one trailing newline on the written text. */
export function sysfsStreq(written: string, expected: string): boolean {
  return written === expected || written === `${expected}\n`;
}

/** mhp_online_type_from_str: the online type a written string names, or undefined. */
export function onlineTypeFromString(written: string): OnlineType | undefined {
  return ONLINE_TYPES.find((name) => sysfsStreq(written, name));
}

/**
 * kstrtobool: decided by the first character (1/y/t/e true, 0/n/f/d false,
 * either case) or by "on"/"off"; anything else is not a boolean.
 */
export function parseKernelBool(written: string): boolean | undefined {
  const first = written.charAt(0);
  if (first === '') return undefined;
  if ('eEyYtT1'.includes(first)) return true;
  if ('dDnNfF0'.includes(first)) return false;
  if (first === 'o' || first === 'O') {
    const second = written.charAt(1);
    if (second === 'n' || second === 'N') return true;
    if (second === 'f' || second === 'F') return false;
  }
  return undefined;
}

/**
 * A write to memory<id>/state (state_store). The string is checked first;
 * then the online types record the request and online the device, "offline"
 * offlines it. A device already in the asked-for state answers EINVAL. Note
 * the kernel quirk kept here: the recorded online type survives a refused
 * "online_movable" on an online block and is used by the next plain online.
 */
export async function storeState(block: MemoryBlock, written: string, transitions: BlockTransitions): Promise<BlockOpResult> {
  const onlineType = onlineTypeFromString(written);
  if (onlineType === undefined) {
    return fail('EINVAL', `state accepts online, online_kernel, online_movable or offline, not ${JSON.stringify(written.replace(/\n$/, ''))}`);
  }
  let result: DeviceResult;
  if (onlineType === 'offline') {
    result = await deviceOffline(block, transitions);
  } else {
    block.onlineType = onlineType;
    result = await deviceOnline(block, transitions);
  }
  if (result === 'already') {
    return fail('EINVAL', `memory${block.id} is already ${onlineType === 'offline' ? 'offline' : 'online'}`);
  }
  return result;
}

/**
 * A write to memory<id>/online (the device core's online_store): a kernel
 * boolean; asking for the state the device is already in succeeds.
 */
export async function storeOnline(block: MemoryBlock, written: string, transitions: BlockTransitions): Promise<BlockOpResult> {
  const value = parseKernelBool(written);
  if (value === undefined) {
    return fail('EINVAL', `online accepts a boolean (1/0, y/n, on/off...), not ${JSON.stringify(written.replace(/\n$/, ''))}`);
  }
  const result = value ? await deviceOnline(block, transitions) : await deviceOffline(block, transitions);
  return result === 'already' ? OK : result;
}
