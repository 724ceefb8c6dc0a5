/**
 * The hotplug lifecycle (kernel-semantics §5 to §8): hot-add, online,
 * offline with isolation and migration, hot-remove, offline_and_remove, the
 * minimal allocator the workload uses, and memory-notifier error injection.
 *
 * ```
 *  addMemory ──▶ sections PRESENT, blocks OFFLINE ──online──▶ ONLINE ──offline──▶ OFFLINE ──removeMemory──▶ gone
 *                memmap: in the block (altmap)            zone, spans,          isolation,
 *                or from kernel zones                     present, managed      migration, spans shrink
 * ```
 *
 * The rules around a block's state change (which writes are refused, the
 * transitional going-offline state, rollback) live in memory-blocks.ts; this
 * module supplies the page-level work behind them as {@link BlockTransitions},
 * so sysfs writes and the API calls below run the same code.
 *
 * Page state choices (the engine holds one class per page):
 * - Pages of an offline block are RESERVED: not in any zone, never handed
 *   out, like the kernel's uninitialised or poisoned memmap. Onlining makes
 *   them FREE; a successful offline makes them RESERVED again.
 * - Self-hosted memmap pages (memmap_on_memory) are VMEMMAP from hot-add to
 *   hot-remove, in UNMOVABLE pageblocks.
 * - Memmap of a hot-add without memmap_on_memory is taken from kernel zones
 *   (FREE → VMEMMAP, 2 MiB per section): it stays managed, as buddy pages
 *   the kernel allocated do, but is no longer free, and it makes its block
 *   unmovable. Hot-remove gives the same number of pages back to each zone
 *   it came from. Which memmap pages of a zone go back is not tracked page by
 *   page: the memmap pages of different hot-adds are interchangeable.
 *
 * Simplifications, each where the kernel's behaviour would need state the
 * model does not keep:
 * - The boot memmap of a removed boot range stays where boot put it (as
 *   RESERVED pages); the kernel frees it. Boot only records how much memmap
 *   each node hosts, not where each section's lies.
 * - CPUs: a node with boot memory is taken to have CPUs and never goes
 *   offline; a node that only ever had hot-added memory has none, so
 *   removing its last memory takes it offline (try_offline_node).
 * - Migration between rescans: nothing else runs in the model, so a pass
 *   that leaves pages behind would repeat identically; the retries are
 *   counted, not replayed, and the offline ends with EINTR after the budget.
 * - Hot-add ranges conflict with System RAM and with firmware-reserved e820
 *   ranges; other iomem users (PCI windows, device memory) are not modelled.
 *
 * Time: every call returns modelled seconds on real hardware from cost.ts.
 */
import {
  ClaimMode,
  classBit,
  Migratetype,
  NO_ZONE,
  PAGE_CLASS_NAMES,
  PAGE_SIZE,
  PAGEBLOCK_ISOLATE,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  SectionFlag,
} from '../../contract/constants.js';
import type { BootMemmapPlacement, OnlineType as OnlineTypeOrOffline } from '../boot/layout.js';
import { PMD_SIZE_BYTES, SECTION_MEMMAP_BYTES, STRUCT_PAGE_BYTES } from '../boot/setup.js';
import { addSeconds, offlineSeconds, onlineSeconds, removeSeconds, type CostParams } from '../core/cost.js';
import { ModelError } from '../core/errors.js';
import {
  deviceOffline,
  deviceOnline,
  MemoryBlock,
  storeState,
  type BlockOpResult,
  type BlockTransitions,
  type MemmapCharge,
  type NodeState,
  type PfnRange,
  type ZoneState,
} from './memory-blocks.js';
import type { MemoryGroup, MemoryGroupRegistry } from './memory-groups.js';
import {
  claimIn,
  countIn,
  countPageblocksOver,
  findNextIn,
  setClassOver,
  setIsolateOver,
  setMigratetypeOver,
  setSectionFlagsOver,
  setSectionZoneOver,
} from '../core/page-state.js';
import { alignUp, pagesInside, subtractRanges } from '../core/pfn-ranges.js';
import type { IomemResource } from '../views/procfs.js';
import type { ShardSet } from '../core/shards.js';
import type { HotplugParams } from '../views/sysfs.js';
import type {
  AddMemoryRequest,
  AllocKind,
  AllocRequest,
  BlockOutcome,
  BlockSelector,
  Errno,
  FreeRequest,
  NotifierAction,
  OfflineOutcome,
  OnlineRequestType,
  Outcome,
} from '../core/types.js';
import { accountOffline, accountOnline } from './zone-accounting.js';
import { nodeOrder, zonelist } from '../alloc/zonelist.js';
import { zoneForPfnRange, type ZonePolicyContext } from './zone-policy.js';
import { ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../boot/mm-init.js';

/** MAX_PHYSMEM_BITS with 4-level paging: the direct map ends at 64 TiB (5-level paging is not modelled). */
export const MAX_PHYSMEM_BITS = 46;
/** First byte above the direct map: hot-add ranges must end at or below it. */
export const DIRECT_MAP_END_BYTES = 2 ** MAX_PHYSMEM_BITS;
/** Migration rescans before an offline gives up with EINTR (the kernel retries until a signal arrives). */
export const DEFAULT_OFFLINE_RETRY_BUDGET = 16;
/** Memmap pages per section when the memmap comes from kernel zones (2 MiB, one PMD). */
export const SECTION_MEMMAP_PAGES = SECTION_MEMMAP_BYTES / PAGE_SIZE;

const NOTIFIER_ACTIONS: readonly NotifierAction[] = ['MEM_GOING_ONLINE', 'MEM_GOING_OFFLINE'];
const ALLOC_KINDS: readonly AllocKind[] = ['user', 'slab', 'pgtable', 'pinned'];
const ONLINE_REQUEST_TYPES: readonly OnlineRequestType[] = ['online', 'online_kernel', 'online_movable'];

/** Page class of each allocation kind. */
const KIND_CLASS: Record<AllocKind, PageClass> = {
  user: PageClass.USER,
  slab: PageClass.SLAB,
  pgtable: PageClass.PGTABLE,
  pinned: PageClass.PINNED,
};

/**
 * Classes that fail isolation (page_is_unmovable in MEM_OFFLINE mode). In
 * ZONE_MOVABLE everything but reserved pages counts as movable; in kernel
 * zones slab, page tables, pinned and memmap pages do not move either.
 * (A block's own self-hosted memmap lies outside the range offlined.)
 */
const UNMOVABLE_IN_MOVABLE = classBit(PageClass.RESERVED) | classBit(PageClass.VMEMMAP);
const UNMOVABLE_IN_KERNEL_ZONES =
  classBit(PageClass.SLAB) |
  classBit(PageClass.PGTABLE) |
  classBit(PageClass.PINNED) |
  classBit(PageClass.RESERVED) |
  classBit(PageClass.VMEMMAP);

export const REASON_NO_TARGET = 'no migration target';
export const REASON_PINNED = 'pinned page';

// ---------------------------------------------------------------------------
// What the lifecycle works on

/** The machine state the lifecycle reads and changes (implemented by the booted machine). */
export interface LifecycleHost {
  readonly shards: ShardSet;
  /** Every possible node, ascending nid. */
  readonly nodeStates: readonly NodeState[];
  node(nid: number): NodeState | undefined;
  /** Every block, ascending id. */
  blockList(): readonly MemoryBlock[];
  block(id: number): MemoryBlock | undefined;
  /** Insert hot-added blocks (ids not in use). */
  insertBlocks(blocks: readonly MemoryBlock[]): void;
  /** Drop removed blocks. */
  deleteBlocks(ids: readonly number[]): void;
  /** /proc/iomem System RAM resources; the lifecycle adds and releases them. */
  readonly iomemResources: IomemResource[];
  /** Firmware-reserved e820 ranges: they sit in the iomem tree too, so a hot-add over them conflicts. */
  readonly firmwareReserved: readonly { base: number; size: number }[];
  readonly groups: MemoryGroupRegistry;
  readonly policy: ZonePolicyContext;
  readonly params: HotplugParams;
  readonly autoOnlineBlocks: OnlineTypeOrOffline;
  readonly sectionsPerBlock: number;
  readonly blockSizeBytes: number;
  readonly cost: CostParams;
  readonly slit: number[][] | null;
  /** The node has CPUs, so try_offline_node keeps it online. */
  hasCpus(nid: number): boolean;
  /** Where boot sections' memmaps still lie (ascending); the lifecycle frees them at hot-remove. */
  bootMemmap: BootMemmapPlacement[];
}

/** What the last transition did, for the API calls to report. */
interface TransitionWork {
  modelledSeconds: number;
  migratedPages: number;
  migratedByNode: Map<number, number>;
  retries: number;
  reason?: string;
}

function noWork(): TransitionWork {
  return { modelledSeconds: 0, migratedPages: 0, migratedByNode: new Map(), retries: 0 };
}

const OK: BlockOpResult = { ok: true };

function fail(errno: Errno, message: string): BlockOpResult & { ok: false } {
  return { ok: false, errno, message };
}

function failed(errno: Errno, message: string, modelledSeconds = 0): Outcome {
  return { ok: false, errno, message, modelledSeconds };
}

function offlineFailed(errno: Errno, message: string): OfflineOutcome {
  return { ok: false, errno, message, modelledSeconds: 0, migratedPages: 0, migratedByNode: {}, retries: 0 };
}

function isSafeNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/**
 * memmap_on_memory support (mhp_supports_memmap_on_memory): the number of
 * self-hosted memmap pages of one block, or 0 when the parameter is off or
 * the block size does not allow it.
 */
export function memmapOnMemoryPages(blockSizeBytes: number, mode: HotplugParams['memmapOnMemory']): number {
  if (mode === 'N') return 0;
  const vmemmapBytes = (blockSizeBytes / PAGE_SIZE) * STRUCT_PAGE_BYTES;
  if (vmemmapBytes % PAGE_SIZE !== 0) return 0;
  let nrVmemmapPages = vmemmapBytes / PAGE_SIZE;
  // "force" only pads the memmap to whole pageblocks; the PMD rule still applies.
  if (mode === 'force') nrVmemmapPages = alignUp(nrVmemmapPages, PAGES_PER_PAGEBLOCK);
  if (nrVmemmapPages % PAGES_PER_PAGEBLOCK !== 0) return 0;
  if (nrVmemmapPages === blockSizeBytes / PAGE_SIZE) return 0;
  if (vmemmapBytes % PMD_SIZE_BYTES !== 0) return 0;
  return nrVmemmapPages;
}

// ---------------------------------------------------------------------------
// The lifecycle

export class HotplugLifecycle {
  readonly #host: LifecycleHost;
  /** memory-notifier-error-inject: the errno each action fails with, until cleared. */
  readonly #notifierErrors = new Map<NotifierAction, Errno>();
  #retryBudget = DEFAULT_OFFLINE_RETRY_BUDGET;
  #last: TransitionWork = noWork();
  /** device_hotplug_lock: one lifecycle operation at a time. */
  #busy = false;
  readonly #waiters: (() => void)[] = [];

  /** The page-level work behind block state changes, for memory-blocks.ts. */
  readonly transitions: BlockTransitions = {
    online: (block, onlineType) => this.#onlineBlock(block, onlineType),
    offline: (block) => this.#offlineBlock(block),
  };

  constructor(host: LifecycleHost) {
    this.#host = host;
  }

  get offlineRetryBudget(): number {
    return this.#retryBudget;
  }

  /**
   * Run `operation` under the hotplug lock. When the lock is free the
   * operation starts synchronously, so a state change it makes before its
   * first await (going-offline) is visible to the caller at once.
   */
  async locked<T>(operation: () => Promise<T>): Promise<T> {
    if (this.#busy) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#busy = true;
    try {
      return await operation();
    } finally {
      const next = this.#waiters.shift();
      if (next !== undefined) next();
      else this.#busy = false;
    }
  }

  // ---- settings --------------------------------------------------------------

  injectNotifierError(action: NotifierAction, errno: Errno | null): void {
    if (!NOTIFIER_ACTIONS.includes(action)) {
      throw new ModelError('EINVAL', `action must be ${NOTIFIER_ACTIONS.join(' or ')}, got ${JSON.stringify(action)}`);
    }
    if (errno === null) {
      this.#notifierErrors.delete(action);
      return;
    }
    if (typeof errno !== 'string' || !/^E[A-Z0-9]+$/.test(errno)) {
      throw new ModelError('EINVAL', `errno must be an errno name such as ENOMEM, or null, got ${JSON.stringify(errno)}`);
    }
    this.#notifierErrors.set(action, errno);
  }

  setOfflineRetryBudget(retries: number): void {
    if (!isSafeNonNegative(retries)) {
      throw new ModelError('EINVAL', `retries must be a non-negative integer, got ${String(retries)}`);
    }
    this.#retryBudget = retries;
  }

  // ---- online ----------------------------------------------------------------

  /** memory_block_online + online_pages for an offline block. */
  async #onlineBlock(block: MemoryBlock, onlineType: OnlineRequestType): Promise<BlockOpResult> {
    this.#last = noWork();
    const host = this.#host;
    const node = host.node(block.nid);
    if (node === undefined) return fail('EINVAL', `memory${block.id} belongs to no possible node`);
    let zoneIdx: number;
    try {
      zoneIdx = zoneForPfnRange(host.policy, onlineType, block.nid, block.group, block.startPfn, block.nrPages);
    } catch (error) {
      if (error instanceof ModelError) return fail(error.errno, error.message);
      throw error;
    }
    const zone = node.zones[zoneIdx];
    // The veto comes before anything visible changes (the kernel grows the
    // span first and shrinks it back on the veto; the net effect is none).
    const veto = this.#notifierErrors.get('MEM_GOING_ONLINE');
    if (veto !== undefined) return fail(veto, `MEM_GOING_ONLINE notifier refused memory${block.id} (${veto})`);

    const { startPfn, endPfn } = block;
    const vmemmapEndPfn = startPfn + block.vmemmapPages;
    const shards = host.shards;
    await setClassOver(shards, vmemmapEndPfn, endPfn, PageClass.FREE);
    await setMigratetypeOver(shards, vmemmapEndPfn, endPfn, Migratetype.MOVABLE);
    if (block.vmemmapPages > 0) await setMigratetypeOver(shards, startPfn, vmemmapEndPfn, Migratetype.UNMOVABLE);
    await setSectionZoneOver(shards, startPfn, endPfn, zoneIdx);
    await setSectionFlagsOver(shards, startPfn, endPfn, SectionFlag.ONLINE, 0);

    accountOnline(node, zone, { startPfn, endPfn, vmemmapPages: block.vmemmapPages, early: block.early });
    if (block.group !== null) host.groups.adjustPresentPages(block.group.id, zoneIdx, block.nrPages);
    block.zone = zone;
    this.#last.modelledSeconds = onlineSeconds(host.cost, block.nrPages, { selfHostedVmemmapPages: block.vmemmapPages });
    return OK;
  }

  // ---- offline ---------------------------------------------------------------

  /** memory_block_offline + offline_pages; `block.zone` is set and the block is going-offline. */
  async #offlineBlock(block: MemoryBlock): Promise<BlockOpResult> {
    this.#last = noWork();
    const host = this.#host;
    const shards = host.shards;
    const zone = block.zone as ZoneState;
    const node = host.node(zone.nid) as NodeState;
    const startPfn = block.startPfn + block.vmemmapPages;
    const endPfn = block.endPfn;
    const range: PfnRange[] = [{ startPfn, endPfn }];

    if (pagesInside(zone.memberRanges, block.startPfn, endPfn) !== block.nrPages) {
      return fail('EINVAL', `memory${block.id} has memory holes or pages of another zone; offline refused`);
    }

    // start_isolate_page_range: an isolated pageblock or an unmovable page fails fast.
    if ((await countPageblocksOver(shards, startPfn, endPfn, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE)) > 0) {
      return fail('EBUSY', `failure to isolate range of memory${block.id}: pageblocks already isolated`);
    }
    const unmovableMask = zone.zoneIdx === ZONE_MOVABLE ? UNMOVABLE_IN_MOVABLE : UNMOVABLE_IN_KERNEL_ZONES;
    const unmovablePfn = await findNextIn(shards, range, unmovableMask);
    if (unmovablePfn >= 0) {
      const piece = shards.split(unmovablePfn, unmovablePfn + 1)[0];
      const cls = (await piece.shard.engine.readClasses(unmovablePfn, 1))[0];
      return fail(
        'EBUSY',
        `failure to isolate range of memory${block.id}: unmovable ${PAGE_CLASS_NAMES[cls] ?? cls} page at pfn ${hex(unmovablePfn)} in ZONE_${ZONE_NAMES[zone.zoneIdx].toUpperCase()}`,
      );
    }
    await setIsolateOver(shards, startPfn, endPfn, true);

    const veto = this.#notifierErrors.get('MEM_GOING_OFFLINE');
    if (veto !== undefined) {
      await setIsolateOver(shards, startPfn, endPfn, false);
      return fail(veto, `MEM_GOING_OFFLINE notifier refused memory${block.id} (${veto})`);
    }

    // The migration loop. Pinned pages in ZONE_MOVABLE pass isolation but
    // never migrate. Between rescans nothing else runs in the model, so a
    // pass that leaves pages behind is repeated identically until the
    // budget runs out, and the offline ends as a signal would end it.
    const userPages = await countIn(shards, range, classBit(PageClass.USER));
    const pinnedPages = zone.zoneIdx === ZONE_MOVABLE ? await countIn(shards, range, classBit(PageClass.PINNED)) : 0;
    const migrated = await this.#migrate(block, zone, node, userPages);
    const work = this.#last;
    work.migratedPages = migrated.total;
    work.migratedByNode = migrated.byNode;
    const leftBehind = userPages - migrated.total;
    if (leftBehind > 0 || pinnedPages > 0) {
      work.retries = this.#retryBudget;
      work.reason = leftBehind > 0 ? REASON_NO_TARGET : REASON_PINNED;
      work.modelledSeconds = offlineSeconds(host.cost, {
        migratedPages: migrated.total,
        scannedPages: (endPfn - startPfn) * (work.retries + 1),
        retries: work.retries,
      });
      await setIsolateOver(shards, startPfn, endPfn, false);
      const what = leftBehind > 0 ? `${leftBehind} pages found no migration target` : `${pinnedPages} pinned pages cannot migrate`;
      return fail('EINTR', `offline of memory${block.id} interrupted after ${work.retries} retries: ${what} (${work.reason})`);
    }

    // __offline_isolated_pages and the accounting after it.
    await setIsolateOver(shards, startPfn, endPfn, false);
    await setClassOver(shards, startPfn, endPfn, PageClass.RESERVED);
    await setSectionFlagsOver(shards, block.startPfn, endPfn, 0, SectionFlag.ONLINE);
    await setSectionZoneOver(shards, block.startPfn, endPfn, NO_ZONE);
    accountOffline(node, zone, { startPfn: block.startPfn, endPfn, vmemmapPages: block.vmemmapPages, early: block.early });
    if (block.group !== null) host.groups.adjustPresentPages(block.group.id, zone.zoneIdx, -block.nrPages);
    block.zone = null;
    work.modelledSeconds = offlineSeconds(host.cost, { migratedPages: migrated.total, scannedPages: endPfn - startPfn, retries: 0 });
    return OK;
  }

  /**
   * do_migrate_range for the block's USER pages: targets are the other
   * nodes with memory in the source node's zonelist order (the source node
   * itself only when it is the only one), zones up to Movable for a Movable
   * source and up to Normal otherwise, never the isolated range. Each target
   * zone takes as many pages as it has free, in one claim; the source pages
   * then become FREE, lowest first, as the scan walks them.
   */
  async #migrate(block: MemoryBlock, zone: ZoneState, node: NodeState, userPages: number): Promise<{ total: number; byNode: Map<number, number> }> {
    const byNode = new Map<number, number>();
    if (userPages === 0) return { total: 0, byNode };
    const host = this.#host;
    const memoryNodes = host.nodeStates.filter((n) => n.hasMemory);
    const others = memoryNodes.filter((n) => n.nid !== node.nid);
    const targets = nodeOrder(host.slit, node.nid, others.length > 0 ? others : [node]);
    const highestZoneIdx = zone.zoneIdx === ZONE_MOVABLE ? ZONE_MOVABLE : ZONE_NORMAL;
    const isolated: PfnRange = { startPfn: block.startPfn, endPfn: block.endPfn };
    let total = 0;
    for (const target of zonelist(targets, highestZoneIdx)) {
      if (total === userPages) break;
      const ranges = subtractRanges(target.memberRanges, [isolated]);
      const free = await countIn(host.shards, ranges, classBit(PageClass.FREE));
      const take = Math.min(free, userPages - total);
      if (take === 0) continue;
      await claimIn(host.shards, ranges, take, PageClass.FREE, PageClass.USER);
      byNode.set(target.nid, (byNode.get(target.nid) ?? 0) + take);
      total += take;
    }
    if (total > 0) {
      await claimIn(host.shards, [{ startPfn: block.startPfn + block.vmemmapPages, endPfn: block.endPfn }], total, PageClass.USER, PageClass.FREE);
    }
    return { total, byNode };
  }

  // ---- block selections --------------------------------------------------------

  #select(sel: BlockSelector): MemoryBlock[] | Outcome {
    if (sel === null || typeof sel !== 'object') return failed('EINVAL', 'selector must be an object with firstBlockId/lastBlockId and/or node');
    const { firstBlockId, lastBlockId, node } = sel;
    if (firstBlockId === undefined && lastBlockId === undefined && node === undefined) {
      return failed('EINVAL', 'selector names no blocks: give firstBlockId (and lastBlockId) or node');
    }
    if (firstBlockId !== undefined && !isSafeNonNegative(firstBlockId)) return failed('EINVAL', `selector.firstBlockId must be a block id, got ${String(firstBlockId)}`);
    if (lastBlockId !== undefined && !isSafeNonNegative(lastBlockId)) return failed('EINVAL', `selector.lastBlockId must be a block id, got ${String(lastBlockId)}`);
    if (lastBlockId !== undefined && firstBlockId === undefined) return failed('EINVAL', 'selector.lastBlockId needs selector.firstBlockId');
    if (node !== undefined && !isSafeNonNegative(node)) return failed('EINVAL', `selector.node must be a node id, got ${String(node)}`);
    const first = firstBlockId ?? 0;
    const last = lastBlockId ?? firstBlockId ?? Number.MAX_SAFE_INTEGER;
    if (last < first) return failed('EINVAL', `selector.lastBlockId (${last}) is below selector.firstBlockId (${first})`);
    const blocks = this.#host
      .blockList()
      .filter((b) => b.id >= first && b.id <= last && (node === undefined || b.nids.includes(node)));
    if (blocks.length === 0) return failed('EINVAL', `no memory block matches the selector ${JSON.stringify(sel)}`);
    return blocks;
  }

  /** Online the selected blocks in ascending order, writing `type` to each offline block's state. */
  onlineBlocks(sel: BlockSelector, type: OnlineRequestType): Promise<Outcome> {
    return this.locked(async () => {
      if (!ONLINE_REQUEST_TYPES.includes(type)) {
        return failed('EINVAL', `type must be ${ONLINE_REQUEST_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
      }
      const selected = this.#select(sel);
      if (!Array.isArray(selected)) return selected;
      const results: BlockOutcome[] = [];
      let seconds = 0;
      for (const block of selected) {
        if (block.state === 'online') {
          results.push({ id: block.id, ok: true, message: `memory${block.id} already online` });
          continue;
        }
        const result = await storeState(block, type, this.transitions);
        if (result.ok) seconds += this.#last.modelledSeconds;
        results.push(result.ok ? { id: block.id, ok: true } : { id: block.id, ok: false, errno: result.errno, message: result.message });
      }
      return summarize(results, seconds);
    });
  }

  /** Offline the selected blocks, highest first; every block is tried. */
  offlineBlocks(sel: BlockSelector): Promise<OfflineOutcome> {
    return this.locked(async () => {
      const selected = this.#select(sel);
      if (!Array.isArray(selected)) return { ...selected, migratedPages: 0, migratedByNode: {}, retries: 0 };
      const totals = noWork();
      const results: BlockOutcome[] = [];
      for (const block of [...selected].reverse()) {
        if (block.state === 'offline') {
          results.push({ id: block.id, ok: true, message: `memory${block.id} already offline` });
          continue;
        }
        this.#last = noWork();
        const result = await storeState(block, 'offline', this.transitions);
        addWork(totals, this.#last);
        results.push(result.ok ? { id: block.id, ok: true } : { id: block.id, ok: false, errno: result.errno, message: result.message });
      }
      return { ...summarize(results, totals.modelledSeconds), ...offlineFigures(totals) };
    });
  }

  // ---- hot-add -----------------------------------------------------------------

  addMemory(req: AddMemoryRequest): Promise<Outcome> {
    return this.locked(() => this.#addMemory(req));
  }

  async #addMemory(req: AddMemoryRequest): Promise<Outcome> {
    const host = this.#host;
    if (req === null || typeof req !== 'object') return failed('EINVAL', 'the request must be an object { nid, base, size }');
    const { nid, base, size } = req;
    if (!isSafeNonNegative(nid)) return failed('EINVAL', `nid must be a node id, got ${String(nid)}`);
    if (!isSafeNonNegative(base)) return failed('EINVAL', `base must be a byte address, got ${String(base)}`);
    if (!isSafeNonNegative(size)) return failed('EINVAL', `size must be a byte count, got ${String(size)}`);
    if (req.memmapOnMemory !== undefined && typeof req.memmapOnMemory !== 'boolean') {
      return failed('EINVAL', `memmapOnMemory must be a boolean, got ${String(req.memmapOnMemory)}`);
    }
    // add_memory_driver_managed checks the resource name before anything else.
    if (req.driverManaged !== undefined && !isDriverManagedName(req.driverManaged)) {
      return failed('EINVAL', `driver-managed resource name ${JSON.stringify(req.driverManaged)} must read "System RAM (<driver>)"`);
    }
    const blockBytes = host.blockSizeBytes;
    // check_hotplug_memory_range.
    if (size === 0 || base % blockBytes !== 0 || size % blockBytes !== 0) {
      return failed('EINVAL', `base ${hex(base)} and size ${hex(size)} must be non-zero multiples of the block size ${hex(blockBytes)}`);
    }
    // register_memory_resource: the direct map, then conflicts with System RAM.
    if (base + size > DIRECT_MAP_END_BYTES) {
      return failed('E2BIG', `[${hex(base)}, ${hex(base + size)}) ends above the direct map (${hex(DIRECT_MAP_END_BYTES)}, MAX_PHYSMEM_BITS ${MAX_PHYSMEM_BITS})`);
    }
    const clash = [...host.iomemResources, ...host.firmwareReserved.map((r) => ({ ...r, name: 'Reserved' }))].find(
      (r) => r.base < base + size && base < r.base + r.size,
    );
    if (clash !== undefined) {
      return failed('EEXIST', `[${hex(base)}, ${hex(base + size)}) conflicts with ${clash.name} [${hex(clash.base)}, ${hex(clash.base + clash.size)})`);
    }
    const node = host.node(nid);
    if (node === undefined || !node.possible) return failed('EINVAL', `node ${nid} is not possible (not in the SRAT)`);
    const firstBlockId = base / blockBytes;
    const nrBlocks = size / blockBytes;
    for (let id = firstBlockId; id < firstBlockId + nrBlocks; id++) {
      if (host.block(id) !== undefined) return failed('EEXIST', `memory${id} already exists`);
    }

    // The memory group and the memmap, decided before anything changes.
    const groupRequest = req.group === undefined ? { kind: 'static' as const } : req.group;
    const startPfn = base / PAGE_SIZE;
    const endPfn = (base + size) / PAGE_SIZE;
    const vmemmapPages = req.memmapOnMemory === true ? memmapOnMemoryPages(blockBytes, host.params.memmapOnMemory) : 0;
    const memmapPagesPerBlock = host.sectionsPerBlock * SECTION_MEMMAP_PAGES;
    let plan: MemmapPlan | null = null;
    if (vmemmapPages === 0) {
      plan = await this.#planMemmap(nid, nrBlocks, memmapPagesPerBlock);
      if (plan === null) {
        return failed('ENOMEM', `no kernel memory left for the memmap of [${hex(base)}, ${hex(base + size)}) (${nrBlocks * memmapPagesPerBlock} pages)`);
      }
    }
    let group: MemoryGroup | null = null;
    try {
      if (groupRequest !== null && groupRequest.kind === 'static') group = host.groups.registerStatic(nid, size / PAGE_SIZE);
      else if (groupRequest !== null && groupRequest.kind === 'dynamic') {
        const unitBytes = groupRequest.unitBytes;
        if (!isSafeNonNegative(unitBytes) || unitBytes % PAGE_SIZE !== 0) {
          return failed('EINVAL', `group.unitBytes must be a whole number of pages, got ${String(unitBytes)}`);
        }
        group = host.groups.registerDynamic(nid, unitBytes / PAGE_SIZE);
      } else if (groupRequest !== null) {
        return failed('EINVAL', `group must be null, { kind: 'static' } or { kind: 'dynamic', unitBytes }, got ${JSON.stringify(groupRequest)}`);
      }
    } catch (error) {
      if (error instanceof ModelError) return failed(error.errno, `group: ${error.message}`);
      throw error;
    }

    // __try_online_node: a possible node without a pgdat gets an empty one.
    if (!node.online) {
      node.online = true;
      node.nodeStartPfn = 0;
      node.nodeSpannedPages = 0;
    }
    // arch_add_memory: sections present (offline, pages RESERVED until online).
    const shards = host.shards;
    await shards.cover(startPfn, endPfn, nid);
    for (const piece of shards.split(startPfn, endPfn)) {
      await piece.shard.engine.addSections(piece.startPfn, piece.endPfn, nid, PageClass.RESERVED, Migratetype.MOVABLE, 0);
    }
    const blocks: MemoryBlock[] = [];
    for (let i = 0; i < nrBlocks; i++) {
      const block = new MemoryBlock(firstBlockId + i, host.sectionsPerBlock, 'offline', false);
      block.nid = nid;
      block.linkNode(nid);
      block.group = group;
      block.vmemmapPages = vmemmapPages;
      blocks.push(block);
    }
    if (vmemmapPages > 0) {
      for (const block of blocks) {
        const vmemmapEndPfn = block.startPfn + vmemmapPages;
        await setClassOver(shards, block.startPfn, vmemmapEndPfn, PageClass.VMEMMAP);
        await setMigratetypeOver(shards, block.startPfn, vmemmapEndPfn, Migratetype.UNMOVABLE);
        await setSectionFlagsOver(shards, block.startPfn, block.startPfn + PAGES_PER_SECTION, SectionFlag.MEMMAP_ON_MEMORY, 0);
      }
    } else if (plan !== null) {
      await this.#allocateMemmap(plan, blocks);
    }
    host.insertBlocks(blocks);
    if (group !== null) host.groups.adjustMemoryBlocks(group.id, nrBlocks);
    host.iomemResources.push({ base, size, name: req.driverManaged ?? 'System RAM' });

    // Auto-online (memhp_default_state / auto_online_blocks); failures leave blocks offline.
    let seconds = addSeconds(host.cost, endPfn - startPfn);
    const results: BlockOutcome[] = [];
    const defaultType = host.autoOnlineBlocks;
    if (defaultType !== 'offline') {
      for (const block of blocks) {
        block.onlineType = defaultType;
        const result = await deviceOnline(block, this.transitions);
        if (result === 'already' || result.ok) {
          seconds += this.#last.modelledSeconds;
          results.push({ id: block.id, ok: true });
        } else {
          results.push({ id: block.id, ok: false, errno: result.errno, message: `auto-online: ${result.message}` });
        }
      }
    }
    const outcome: Outcome = { ok: true, modelledSeconds: seconds };
    if (results.length > 0) outcome.blocks = results;
    return outcome;
  }

  /**
   * Where the memmap of `nrBlocks` new blocks would come from: kernel zones
   * (Normal, DMA32, DMA) of the target node first, then of other nodes in
   * its zonelist order. Block by block, each block's pages from as few zones
   * as possible. Null when the kernel zones lack the pages (-ENOMEM).
   */
  async #planMemmap(nid: number, nrBlocks: number, pagesPerBlock: number): Promise<MemmapPlan | null> {
    const host = this.#host;
    const candidates = host.nodeStates.filter((n) => n.hasMemory);
    const zones = zonelist(nodeOrder(host.slit, nid, candidates), ZONE_NORMAL);
    const free = await Promise.all(zones.map((zone) => countIn(host.shards, zone.memberRanges, classBit(PageClass.FREE))));
    const total = free.reduce((sum, n) => sum + n, 0);
    if (total < nrBlocks * pagesPerBlock) return null;
    const perBlock: MemmapCharge[][] = [];
    const perZone = new Map<ZoneState, number>();
    let zoneIndex = 0;
    for (let b = 0; b < nrBlocks; b++) {
      const charges: MemmapCharge[] = [];
      let need = pagesPerBlock;
      while (need > 0) {
        const take = Math.min(need, free[zoneIndex]);
        if (take > 0) {
          const zone = zones[zoneIndex];
          charges.push({ nid: zone.nid, zoneIdx: zone.zoneIdx, nrPages: take });
          perZone.set(zone, (perZone.get(zone) ?? 0) + take);
          free[zoneIndex] -= take;
          need -= take;
        }
        if (free[zoneIndex] === 0) zoneIndex++;
      }
      perBlock.push(charges);
    }
    return { perBlock, perZone };
  }

  async #allocateMemmap(plan: MemmapPlan, blocks: readonly MemoryBlock[]): Promise<void> {
    for (const [zone, nrPages] of plan.perZone) {
      await claimIn(this.#host.shards, zone.memberRanges, nrPages, PageClass.FREE, PageClass.VMEMMAP);
    }
    blocks.forEach((block, i) => {
      block.memmapCharges = plan.perBlock[i];
    });
  }

  // ---- hot-remove ----------------------------------------------------------------

  removeMemory(base: number, size: number): Promise<Outcome> {
    return this.locked(async () => {
      const checked = this.#removalBlocks(base, size);
      if (!Array.isArray(checked)) return checked;
      const notOffline = checked.find((b) => b.state !== 'offline');
      if (notOffline !== undefined) {
        return failed('EBUSY', `memory${notOffline.id} is ${notOffline.state}; every block of [${hex(base)}, ${hex(base + size)}) must be offline`);
      }
      return this.#remove(checked, base, size);
    });
  }

  /** The blocks of a removal range, or the EINVAL outcome for a bad range. */
  #removalBlocks(base: number, size: number): MemoryBlock[] | Outcome {
    const host = this.#host;
    const blockBytes = host.blockSizeBytes;
    if (!isSafeNonNegative(base)) return failed('EINVAL', `base must be a byte address, got ${String(base)}`);
    if (!isSafeNonNegative(size)) return failed('EINVAL', `size must be a byte count, got ${String(size)}`);
    if (size === 0 || base % blockBytes !== 0 || size % blockBytes !== 0) {
      return failed('EINVAL', `base ${hex(base)} and size ${hex(size)} must be non-zero multiples of the block size ${hex(blockBytes)}`);
    }
    const blocks: MemoryBlock[] = [];
    for (let id = base / blockBytes; id < (base + size) / blockBytes; id++) {
      const block = host.block(id);
      if (block === undefined) return failed('EINVAL', `[${hex(base)}, ${hex(base + size)}) is not all memory: memory${id} does not exist`);
      blocks.push(block);
    }
    const withAltmap = blocks.filter((b) => b.vmemmapPages > 0).length;
    if (withAltmap !== 0 && withAltmap !== blocks.length) {
      return failed('EINVAL', `[${hex(base)}, ${hex(base + size)}) mixes blocks with and without memmap_on_memory`);
    }
    return blocks;
  }

  /** try_remove_memory once every block is known to be offline. */
  async #remove(blocks: readonly MemoryBlock[], base: number, size: number): Promise<Outcome> {
    const host = this.#host;
    const shards = host.shards;
    const startPfn = base / PAGE_SIZE;
    const endPfn = (base + size) / PAGE_SIZE;
    // The memmap taken from kernel zones goes back to them.
    const charged = new Map<ZoneState, number>();
    for (const block of blocks) {
      for (const charge of block.memmapCharges) {
        const zone = host.node(charge.nid)?.zones[charge.zoneIdx];
        if (zone === undefined) throw new Error(`internal: memory${block.id} charged its memmap to a missing zone`);
        charged.set(zone, (charged.get(zone) ?? 0) + charge.nrPages);
      }
    }
    for (const [zone, nrPages] of charged) {
      await claimIn(shards, this.#kernelMemmapRanges(zone), nrPages, PageClass.VMEMMAP, PageClass.FREE);
    }
    await this.#freeBootMemmap(startPfn, endPfn);
    for (const piece of shards.split(startPfn, endPfn)) await piece.shard.engine.removeSections(piece.startPfn, piece.endPfn);

    const lastNid = blocks[blocks.length - 1].nid;
    host.deleteBlocks(blocks.map((b) => b.id));
    const groups = new Map<number, number>();
    for (const block of blocks) if (block.group !== null) groups.set(block.group.id, (groups.get(block.group.id) ?? 0) + 1);
    for (const [id, nrBlocks] of groups) {
      host.groups.adjustMemoryBlocks(id, -nrBlocks);
      const group = host.groups.get(id);
      if (group !== undefined && group.nrMemoryBlocks === 0) host.groups.unregister(id);
    }
    releaseIomem(host.iomemResources, base, size);
    this.#tryOfflineNode(lastNid);
    return { ok: true, modelledSeconds: removeSeconds(host.cost, endPfn - startPfn) };
  }

  /**
   * Removing boot memory frees its memmap (sparse.c hands a boot-allocated
   * memmap back page by page): those reserved pages become free pages of the
   * zone that holds them, and its managed count grows, as
   * free_reserved_page does. A memmap inside the removed range itself goes
   * with it.
   */
  async #freeBootMemmap(startPfn: number, endPfn: number): Promise<void> {
    const host = this.#host;
    const firstSectionNr = startPfn / PAGES_PER_SECTION;
    const endSectionNr = endPfn / PAGES_PER_SECTION;
    const kept: BootMemmapPlacement[] = [];
    const freed: PfnRange[] = [];
    for (const p of host.bootMemmap) {
      const from = Math.max(p.startSectionNr, firstSectionNr);
      const to = Math.min(p.startSectionNr + p.nrSections, endSectionNr);
      if (from >= to) {
        kept.push(p);
        continue;
      }
      if (p.startSectionNr < from) kept.push({ startSectionNr: p.startSectionNr, nrSections: from - p.startSectionNr, base: p.base });
      const tail = p.startSectionNr + p.nrSections - to;
      if (tail > 0) kept.push({ startSectionNr: to, nrSections: tail, base: p.base + (to - p.startSectionNr) * SECTION_MEMMAP_BYTES });
      const base = p.base + (from - p.startSectionNr) * SECTION_MEMMAP_BYTES;
      freed.push({ startPfn: base / PAGE_SIZE, endPfn: (base + (to - from) * SECTION_MEMMAP_BYTES) / PAGE_SIZE });
    }
    host.bootMemmap = kept;
    const outside = freed.flatMap((r) => subtractRanges([r], [{ startPfn, endPfn }]));
    if (outside.length === 0) return;
    for (const node of host.nodeStates) {
      for (const zone of node.zones) {
        for (const member of zone.memberRanges) {
          for (const r of outside) {
            const lo = Math.max(member.startPfn, r.startPfn);
            const hi = Math.min(member.endPfn, r.endPfn);
            if (lo >= hi) continue;
            await setClassOver(host.shards, lo, hi, PageClass.FREE);
            zone.managedPages += hi - lo;
          }
        }
      }
    }
  }

  /** The zone's pages that may hold memmap taken from it: its member ranges minus self-hosted memmaps. */
  #kernelMemmapRanges(zone: ZoneState): PfnRange[] {
    const selfHosted = this.#host
      .blockList()
      .filter((b) => b.vmemmapPages > 0 && b.zone === zone)
      .map((b) => ({ startPfn: b.startPfn, endPfn: b.startPfn + b.vmemmapPages }));
    return selfHosted.length === 0 ? zone.memberRanges : subtractRanges(zone.memberRanges, selfHosted);
  }

  /**
   * try_offline_node: a node without CPUs, without memory blocks and
   * spanning nothing goes offline (its sysfs directory disappears).
   */
  #tryOfflineNode(nid: number): void {
    const host = this.#host;
    const node = host.node(nid);
    if (node === undefined || !node.online) return;
    if (node.nodeSpannedPages !== 0 || host.hasCpus(nid)) return;
    if (host.blockList().some((b) => b.nid === nid || b.nids.includes(nid))) return;
    node.online = false;
  }

  /**
   * offline_and_remove_memory: offline every block in order (offline ones
   * are fine); on a failure, online again exactly the blocks it offlined,
   * each into its former zone kind, and return the first error.
   */
  offlineAndRemoveMemory(base: number, size: number): Promise<OfflineOutcome> {
    return this.locked(async () => {
      const checked = this.#removalBlocks(base, size);
      if (!Array.isArray(checked)) return { ...checked, migratedPages: 0, migratedByNode: {}, retries: 0 };
      const kinds = new Map<MemoryBlock, OnlineRequestType>();
      for (const block of checked) {
        if (block.state !== 'offline') kinds.set(block, block.zone?.zoneIdx === ZONE_MOVABLE ? 'online_movable' : 'online_kernel');
      }
      const totals = noWork();
      const results: BlockOutcome[] = [];
      const offlined: MemoryBlock[] = [];
      let failure: (BlockOpResult & { ok: false }) | null = null;
      for (const block of checked) {
        this.#last = noWork();
        const result = await deviceOffline(block, this.transitions);
        addWork(totals, this.#last);
        if (result === 'already') continue;
        if (!result.ok) {
          results.push({ id: block.id, ok: false, errno: result.errno, message: result.message });
          failure = result;
          break;
        }
        results.push({ id: block.id, ok: true });
        offlined.push(block);
      }
      if (failure !== null) {
        for (const block of offlined) {
          block.onlineType = kinds.get(block) ?? 'online';
          const result = await deviceOnline(block, this.transitions);
          if (result !== 'already' && result.ok) totals.modelledSeconds += this.#last.modelledSeconds;
        }
        return { ok: false, errno: failure.errno, message: failure.message, blocks: results, ...offlineFigures(totals), modelledSeconds: totals.modelledSeconds };
      }
      const removed = await this.#remove(checked, base, size);
      return { ...removed, blocks: results, ...offlineFigures(totals), modelledSeconds: totals.modelledSeconds + removed.modelledSeconds };
    });
  }

  // ---- the workload's allocator ------------------------------------------------

  /**
   * Allocate `sizeBytes` (rounded up to pages) of a kind, lowest pfns first,
   * zone by zone in the preferred node's zonelist: user memory may use
   * ZONE_MOVABLE, kernel kinds stop at Normal. ENOMEM, with nothing
   * allocated, when the allowed zones lack the free pages.
   */
  alloc(req: AllocRequest): Promise<Outcome> {
    return this.locked(async () => {
      const checked = this.#checkAlloc(req);
      if ('ok' in checked) return checked;
      const { cls, nrPages, node } = checked;
      const host = this.#host;
      const highestZoneIdx = req.kind === 'user' ? ZONE_MOVABLE : ZONE_NORMAL;
      const zones = zonelist(nodeOrder(host.slit, node.nid, host.nodeStates.filter((n) => n.hasMemory)), highestZoneIdx);
      const free = await Promise.all(zones.map((zone) => countIn(host.shards, zone.memberRanges, classBit(PageClass.FREE))));
      const total = free.reduce((sum, n) => sum + n, 0);
      if (total < nrPages) {
        const where = req.kind === 'user' ? 'any zone' : 'the kernel zones (DMA, DMA32, Normal)';
        return failed('ENOMEM', `${nrPages} ${req.kind} pages do not fit: ${total} free pages in ${where} of the nodes with memory`);
      }
      let left = nrPages;
      for (let i = 0; i < zones.length && left > 0; i++) {
        const take = Math.min(left, free[i]);
        if (take === 0) continue;
        await claimIn(host.shards, zones[i].memberRanges, take, PageClass.FREE, cls);
        left -= take;
      }
      return { ok: true, modelledSeconds: 0 };
    });
  }

  /** Free `sizeBytes` of a kind on one node: a seeded random subset of its pages, spread over its zones. */
  free(req: FreeRequest): Promise<Outcome> {
    return this.locked(async () => {
      const checked = this.#checkAlloc(req);
      if ('ok' in checked) return checked;
      const { cls, nrPages, node } = checked;
      const seed = req.seed ?? 0;
      if (!Number.isSafeInteger(seed)) return failed('EINVAL', `seed must be an integer, got ${String(seed)}`);
      const host = this.#host;
      const ranges = node.zones.flatMap((zone) => zone.memberRanges).sort((a, b) => a.startPfn - b.startPfn);
      const held = await countIn(host.shards, ranges, classBit(cls));
      if (held < nrPages) return failed('EINVAL', `node ${node.nid} holds ${held} ${req.kind} pages, fewer than the ${nrPages} to free`);
      await claimIn(host.shards, ranges, nrPages, cls, PageClass.FREE, ClaimMode.RANDOM_PAGEBLOCK, seed >>> 0);
      return { ok: true, modelledSeconds: 0 };
    });
  }

  #checkAlloc(req: AllocRequest): Outcome | { cls: PageClass; nrPages: number; node: NodeState } {
    if (req === null || typeof req !== 'object') return failed('EINVAL', 'the request must be an object { kind, sizeBytes, nid }');
    if (!ALLOC_KINDS.includes(req.kind)) return failed('EINVAL', `kind must be ${ALLOC_KINDS.join(', ')}, got ${JSON.stringify(req.kind)}`);
    if (!isSafeNonNegative(req.sizeBytes) || req.sizeBytes === 0) return failed('EINVAL', `sizeBytes must be a positive integer, got ${String(req.sizeBytes)}`);
    if (!isSafeNonNegative(req.nid)) return failed('EINVAL', `nid must be a node id, got ${String(req.nid)}`);
    const node = this.#host.node(req.nid);
    if (node === undefined) return failed('EINVAL', `node ${req.nid} is not possible`);
    return { cls: KIND_CLASS[req.kind], nrPages: Math.ceil(req.sizeBytes / PAGE_SIZE), node };
  }
}

/** Memmap sources of a hot-add: per new block, and the totals per zone. */
interface MemmapPlan {
  perBlock: MemmapCharge[][];
  perZone: Map<ZoneState, number>;
}

function addWork(totals: TransitionWork, work: TransitionWork): void {
  totals.modelledSeconds += work.modelledSeconds;
  totals.migratedPages += work.migratedPages;
  totals.retries += work.retries;
  for (const [nid, pages] of work.migratedByNode) totals.migratedByNode.set(nid, (totals.migratedByNode.get(nid) ?? 0) + pages);
  if (totals.reason === undefined && work.reason !== undefined) totals.reason = work.reason;
}

function offlineFigures(work: TransitionWork): Pick<OfflineOutcome, 'migratedPages' | 'migratedByNode' | 'retries' | 'reason'> {
  const byNode: Record<string, number> = {};
  for (const nid of [...work.migratedByNode.keys()].sort((a, b) => a - b)) byNode[String(nid)] = work.migratedByNode.get(nid) as number;
  const figures: Pick<OfflineOutcome, 'migratedPages' | 'migratedByNode' | 'retries' | 'reason'> = {
    migratedPages: work.migratedPages,
    migratedByNode: byNode,
    retries: work.retries,
  };
  if (work.reason !== undefined) figures.reason = work.reason;
  return figures;
}

/** ok only if every block succeeded; errno and message of the first failure. */
function summarize(results: BlockOutcome[], modelledSeconds: number): Outcome {
  const firstFailure = results.find((r) => !r.ok);
  const outcome: Outcome = { ok: firstFailure === undefined, modelledSeconds, blocks: results };
  if (firstFailure !== undefined) {
    if (firstFailure.errno !== undefined) outcome.errno = firstFailure.errno;
    outcome.message = firstFailure.message ?? `memory${firstFailure.id} failed`;
  }
  return outcome;
}

/**
 * The kernel accepts a driver-managed resource name only when it starts with
 * "System RAM (" and ends with ")", so tools that look for "System RAM" still
 * find the memory while kexec and the firmware memmap leave it alone.
 */
function isDriverManagedName(name: unknown): boolean {
  return typeof name === 'string' && name.startsWith('System RAM (') && name.endsWith(')');
}

/** release_mem_region_adjustable: cut `[base, base + size)` out of the System RAM resources. */
function releaseIomem(resources: IomemResource[], base: number, size: number): void {
  const end = base + size;
  const kept: IomemResource[] = [];
  for (const r of resources) {
    const rEnd = r.base + r.size;
    if (rEnd <= base || r.base >= end) {
      kept.push(r);
      continue;
    }
    if (r.base < base) kept.push({ ...r, size: base - r.base });
    if (rEnd > end) kept.push({ ...r, base: end, size: rEnd - end });
  }
  resources.splice(0, resources.length, ...kept);
}
