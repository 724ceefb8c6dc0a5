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
 * it (online.ts, offline.ts). This module owns the rules around it, i.e.
 * which writes are refused before any work starts and what an "already in
 * that state" write returns. When the work throws (an engine failure, which
 * the work has undone) the block goes back to the state it came from and the
 * error goes on. Also here: which blocks an API selector names, and what a
 * call saves of a block to put it back.
 *
 * Loops here run over blocks and zones, never over pages.
 */
import { describeValue } from '../../util/format.js';
import { NUMA_NO_NODE } from '../core/kernel.js';
import { failed, isSafeNonNegative, noWork, type TransitionWork } from '../core/outcomes.js';
import { isPopulated, ONLINE_TYPES, type BlockGeometry, type MemmapCharge, type NodeState, type OnlineType, type ZoneState } from '../core/state.js';
import { sysfsStreq, parseKernelBool } from '../core/kstrtox.js';
import type { BlockSelector, BlockState, Errno, Outcome } from '../core/types.js';
import type { MemoryGroup } from './memory-groups.js';
import { validZonesText as offlineValidZones, zoneIntersects, type ZonePolicyContext } from './zone-policy.js';

// ---------------------------------------------------------------------------
// The block

/** One memory block device (struct memory_block). */
export class MemoryBlock {
  /** Device id: memory<id>. */
  readonly id: number;
  readonly geometry: BlockGeometry;
  state: BlockState;
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
  /**
   * offline-migrated: kernel pages copied into this block's frames from
   * blocks offlined before. Their addresses belong to the blocks they came
   * from, so moving them again would need the remap table's reverse entries;
   * the model refuses to offline the block instead (offline-migrated.ts).
   */
  relocatedInPages = 0;

  constructor(id: number, geometry: BlockGeometry, state: BlockState, early: boolean) {
    this.id = id;
    this.geometry = geometry;
    this.state = state;
    this.deviceOffline = state === 'offline';
    this.early = early;
  }

  get startSectionNr(): number {
    return this.id * this.geometry.sectionsPerBlock;
  }

  get startPfn(): number {
    return this.id * this.geometry.pagesPerBlock;
  }

  get nrPages(): number {
    return this.geometry.pagesPerBlock;
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

// ---------------------------------------------------------------------------
// Transitions and the sysfs write rules

/** Outcome of a transition or a write: success, or the errno the writer sees. */
export type BlockOpResult = { ok: true } | { ok: false; errno: Errno; message: string };

const OK: BlockOpResult = { ok: true };

function fail(errno: Errno, message: string): BlockOpResult {
  return { ok: false, errno, message };
}

/**
 * The page-level work behind a state change, supplied by the lifecycle
 * (online.ts, offline.ts). A transition returns its result, which may carry
 * more (the lifecycle's carry the work they did, see {@link Transition}):
 * the rules here hand it back untouched.
 */
export interface BlockTransitions<R extends BlockOpResult = BlockOpResult> {
  /** memory_block_online: online the (offline) block into the zone `onlineType` selects. */
  online(block: MemoryBlock, onlineType: Exclude<OnlineType, 'offline'>): Promise<R>;
  /** offline_pages for the block's single zone (`block.zone` is not null when called). */
  offline(block: MemoryBlock): Promise<R>;
}

/** A lifecycle transition's result: the outcome, and the work done to reach it. */
export type Transition = BlockOpResult & { readonly work: TransitionWork };

/** A transition refused before any work: the errno the writer sees. */
export function refuse(errno: Errno, message: string): Transition {
  return { ok: false, errno, message, work: noWork() };
}

/** The work behind a result: what a transition did, or nothing for a write the rules refused. */
export function workOf(result: BlockOpResult): TransitionWork {
  return 'work' in result ? (result as Transition).work : noWork();
}

/** The result alone, as a sysfs write reports it. */
export function withoutWork(result: BlockOpResult): BlockOpResult {
  if (!('work' in result)) return result;
  return result.ok ? { ok: true } : { ok: false, errno: result.errno, message: result.message };
}

/**
 * memory_block_change_state: refuse unless the block is in `from`; show
 * going-offline while an offline runs; fall back to `from` on failure, and
 * when the work throws (an engine failure, which the work has undone).
 */
async function changeState<R extends BlockOpResult>(
  block: MemoryBlock,
  to: 'online' | 'offline',
  from: 'online' | 'offline',
  action: () => Promise<R>,
): Promise<R | BlockOpResult> {
  if (block.state !== from) return fail('EINVAL', `memory${block.id} is ${block.state}, not ${from}`);
  if (to === 'offline') block.state = 'going-offline';
  let result: R;
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
async function memoryBlockOffline<R extends BlockOpResult>(block: MemoryBlock, transitions: BlockTransitions<R>): Promise<R | BlockOpResult> {
  if (block.zone === null) {
    return fail('EINVAL', `memory${block.id} spans several zones or nodes and cannot be offlined`);
  }
  return transitions.offline(block);
}

/** Result of device_online / device_offline: a result, or 'already' (the kernel's positive 1). */
export type DeviceResult<R extends BlockOpResult = BlockOpResult> = R | BlockOpResult | 'already';

/**
 * device_online through memory_subsys_online: online with the recorded
 * online type (plain "online" when none was recorded), then forget it.
 */
export async function deviceOnline<R extends BlockOpResult>(block: MemoryBlock, transitions: BlockTransitions<R>): Promise<DeviceResult<R>> {
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
export async function deviceOffline<R extends BlockOpResult>(block: MemoryBlock, transitions: BlockTransitions<R>): Promise<DeviceResult<R>> {
  if (block.deviceOffline) return 'already';
  if (block.state === 'offline') return OK;
  const result = await changeState(block, 'offline', 'online', () => memoryBlockOffline(block, transitions));
  if (result.ok) block.deviceOffline = true;
  return result;
}

/** mhp_online_type_from_str: the online type a written string names, or undefined. */
export function onlineTypeFromString(written: string): OnlineType | undefined {
  return ONLINE_TYPES.find((name) => sysfsStreq(written, name));
}

/**
 * A write to memory<id>/state (state_store). The string is checked first;
 * then the online types record the request and online the device, "offline"
 * offlines it. A device already in the asked-for state answers EINVAL. Note
 * the kernel quirk kept here: the recorded online type survives a refused
 * "online_movable" on an online block and is used by the next plain online.
 */
export async function storeState<R extends BlockOpResult>(block: MemoryBlock, written: string, transitions: BlockTransitions<R>): Promise<R | BlockOpResult> {
  const onlineType = onlineTypeFromString(written);
  if (onlineType === undefined) {
    return fail('EINVAL', `state accepts online, online_kernel, online_movable or offline, not ${JSON.stringify(written.replace(/\n$/, ''))}`);
  }
  let result: DeviceResult<R>;
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
export async function storeOnline<R extends BlockOpResult>(block: MemoryBlock, written: string, transitions: BlockTransitions<R>): Promise<R | BlockOpResult> {
  const value = parseKernelBool(written);
  if (value === undefined) {
    return fail('EINVAL', `online accepts a boolean (1/0, y/n, on/off...), not ${JSON.stringify(written.replace(/\n$/, ''))}`);
  }
  const result = value ? await deviceOnline(block, transitions) : await deviceOffline(block, transitions);
  return result === 'already' ? OK : result;
}

/**
 * What a call saves of a block before changing its state, and puts back if
 * the call is taken back: the fields the state rules and the transitions
 * change.
 */
export function saveBlockState(block: MemoryBlock): () => void {
  const { state, deviceOffline, onlineType, zone } = block;
  return () => {
    block.state = state;
    block.deviceOffline = deviceOffline;
    block.onlineType = onlineType;
    block.zone = zone;
  };
}

// ---------------------------------------------------------------------------
// Selecting blocks (the online and offline calls of the API)

/** The blocks a selector names, ascending id, or the EINVAL outcome for a bad or empty selector. */
export function selectBlocks(blocks: readonly MemoryBlock[], sel: BlockSelector): MemoryBlock[] | Outcome {
  if (sel === null || typeof sel !== 'object') return failed('EINVAL', 'selector must be an object with firstBlockId/lastBlockId and/or node');
  const { firstBlockId, lastBlockId, node } = sel;
  if (firstBlockId === undefined && lastBlockId === undefined && node === undefined) {
    return failed('EINVAL', 'selector names no blocks: give firstBlockId (and lastBlockId) or node');
  }
  if (firstBlockId !== undefined && !isSafeNonNegative(firstBlockId)) return failed('EINVAL', `selector.firstBlockId must be a block id, got ${describeValue(firstBlockId)}`);
  if (lastBlockId !== undefined && !isSafeNonNegative(lastBlockId)) return failed('EINVAL', `selector.lastBlockId must be a block id, got ${describeValue(lastBlockId)}`);
  if (lastBlockId !== undefined && firstBlockId === undefined) return failed('EINVAL', 'selector.lastBlockId needs selector.firstBlockId');
  if (node !== undefined && !isSafeNonNegative(node)) return failed('EINVAL', `selector.node must be a node id, got ${describeValue(node)}`);
  const first = firstBlockId ?? 0;
  const last = lastBlockId ?? firstBlockId ?? Number.MAX_SAFE_INTEGER;
  if (last < first) return failed('EINVAL', `selector.lastBlockId (${last}) is below selector.firstBlockId (${first})`);
  const selected = blocks.filter((b) => b.id >= first && b.id <= last && (node === undefined || b.nids.includes(node)));
  if (selected.length === 0) return failed('EINVAL', `no memory block matches the selector ${JSON.stringify(sel)}`);
  return selected;
}
