/**
 * Offlining a memory block (mm/memory_hotplug.c offline_pages, reached
 * through memory_block_offline in drivers/base/memory.c): isolation of the
 * block's pageblocks (start_isolate_page_range), the MEM_GOING_OFFLINE
 * notifier, the migration loop (do_migrate_range) with its retry budget,
 * then the pages taken from the buddy allocator, the zone and node
 * accounting with the span shrink rules (zone-accounting.ts), and the
 * watermarks recomputed (alloc/watermarks.ts).
 *
 * Isolation fails fast on an unmovable page: in ZONE_MOVABLE everything but
 * reserved pages and memmap counts as movable; in kernel zones slab, page
 * tables, pinned and memmap pages do not move either. Pinned pages in
 * ZONE_MOVABLE pass isolation but never migrate.
 *
 * Migration between rescans: nothing else runs in the model, so a pass that
 * leaves pages behind would repeat identically; the retries are counted, not
 * replayed, and the offline ends with EINTR after the budget, as a signal
 * would end it.
 *
 * Against engine failures: isolation and the final page state changes go to
 * the transition's undo log and are put back exactly if an engine call
 * throws. Migration moves pages in pairs (a target zone takes pages, then
 * the block gives up as many); a pair that fails half way is undone, but
 * pairs that completed stay migrated, as the kernel leaves pages migrated
 * when an offline is interrupted. Migration changes no counter (migrated
 * pages are managed on both sides), so the counters stay consistent.
 */
import { pagesAllowed } from '../alloc/page-alloc.js';
import { shardsAnswerLater } from '../alloc/workload.js';
import { classBit, NO_ZONE, PAGE_CLASS_NAMES, PAGEBLOCK_ISOLATE, PageClass, SectionFlag } from '../../contract/constants.js';
import { hex } from '../../util/format.js';
import { inNodeOrder, zonelist } from '../alloc/zonelist.js';
import { offlineSeconds, stopMachineSeconds } from '../core/cost.js';
import { ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL } from '../core/mmzone.js';
import { addWork, noWork, offlineFigures, summarize, withoutOfflineWork } from '../core/outcomes.js';
import { countIn, countInZones, countPageblocksOver, findNextIn, UndoLog } from '../core/page-state.js';
import { pagesInside, subtractRanges } from '../core/pfn-ranges.js';
import type { ShardSet } from '../core/shards.js';
import { saveNodeState, type NodeState, type PfnRange, type ZoneState } from '../core/state.js';
import type { BlockOutcome, BlockSelector, OfflineOutcome } from '../core/types.js';
import type { HotplugContext } from './host.js';
import { refuse, saveBlockState, selectBlocks, storeState, workOf, type BlockTransitions, type MemoryBlock, type Transition } from './memory-blocks.js';
import { accountOffline } from './zone-accounting.js';
import { kernelPagesOf, relocateKernelPages } from './offline-migrated.js';

/** Migration rescans before an offline gives up with EINTR (the kernel retries until a signal arrives). */
export const DEFAULT_OFFLINE_RETRY_BUDGET = 16;

export const REASON_NO_TARGET = 'no migration target';
export const REASON_PINNED = 'pinned page';

/**
 * Classes that fail isolation (page_is_unmovable in MEM_OFFLINE mode). In
 * ZONE_MOVABLE everything but reserved pages counts as movable; in kernel
 * zones slab (reclaimable or not: shrinkers free objects, they never move
 * a slab page), page tables, pinned and memmap pages do not move either.
 * (A block's own self-hosted memmap lies outside the range offlined.)
 */
const UNMOVABLE_IN_MOVABLE = classBit(PageClass.RESERVED) | classBit(PageClass.VMEMMAP);
const UNMOVABLE_IN_KERNEL_ZONES =
  classBit(PageClass.SLAB) |
  classBit(PageClass.SLAB_RECLAIMABLE) |
  classBit(PageClass.PGTABLE) |
  classBit(PageClass.PINNED) |
  classBit(PageClass.RESERVED) |
  classBit(PageClass.VMEMMAP);

/**
 * offline-migrated moves slab and page tables too (offline-migrated.ts):
 * only reserved pages and memmap fail isolation, as in ZONE_MOVABLE, and
 * pinned pages pass it but never move.
 */
function movesKernelPagesOf(ctx: HotplugContext, zone: ZoneState): boolean {
  return ctx.host.scheme === 'offline-migrated' && zone.zoneIdx !== ZONE_MOVABLE;
}

/**
 * What start_isolate_page_range reads of a block before it writes anything:
 * the pageblocks already isolated, and the lowest page isolation refuses
 * (with its class), or -1.
 *
 * Offlining other blocks does not change it: an offline isolates, and
 * turns RESERVED, only its own range; migration and offline-migrated's
 * copies write USER, slab and page-table pages elsewhere, none of them a
 * class isolation refuses in the zone they land in (USER never; slab and
 * page tables only in a kernel zone under zone-movable, where no copy is
 * made). So offlineBlocks reads it for every block up front, all shards at
 * once, and each offline finds what it would have read itself.
 */
export interface IsolationCheck {
  isolatedPageblocks: number;
  unmovablePfn: number;
  unmovableClass: number;
}

async function readIsolationCheck(ctx: HotplugContext, block: MemoryBlock, zone: ZoneState): Promise<IsolationCheck> {
  const shards = ctx.host.shards;
  const startPfn = block.startPfn + block.vmemmapPages;
  const endPfn = block.endPfn;
  const check: IsolationCheck = { isolatedPageblocks: 0, unmovablePfn: -1, unmovableClass: -1 };
  check.isolatedPageblocks = await countPageblocksOver(shards, startPfn, endPfn, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE);
  if (check.isolatedPageblocks > 0) return check;
  const unmovableMask = zone.zoneIdx === ZONE_MOVABLE || movesKernelPagesOf(ctx, zone) ? UNMOVABLE_IN_MOVABLE : UNMOVABLE_IN_KERNEL_ZONES;
  check.unmovablePfn = await findNextIn(shards, [{ startPfn, endPfn }], unmovableMask);
  if (check.unmovablePfn >= 0) {
    const piece = shards.split(check.unmovablePfn, check.unmovablePfn + 1)[0];
    check.unmovableClass = (await piece.shard.engine.readClasses(check.unmovablePfn, 1))[0];
  }
  return check;
}

/** The block's zone when it can be offlined at all: online, in one zone, without holes. */
function offlinableZone(block: MemoryBlock): ZoneState | null {
  const zone = block.zone;
  if (block.state !== 'online' || zone === null) return null;
  return pagesInside(zone.memberRanges, block.startPfn, block.endPfn) === block.nrPages ? zone : null;
}

/**
 * memory_block_offline + offline_pages; `block.zone` is set and the block is
 * going-offline. Its writes join `parent` when it succeeds; a refusal
 * (EBUSY, a veto, EINTR) takes its isolation back and leaves the block as
 * it was, migrated pages aside. `checked`: the block's isolation check, read
 * ahead by offlineBlocks (undefined: read it here).
 */
export async function offlineBlock(ctx: HotplugContext, block: MemoryBlock, parent: UndoLog, checked?: Promise<IsolationCheck | undefined>): Promise<Transition> {
  const host = ctx.host;
  const shards = host.shards;
  const zone = block.zone as ZoneState;
  const node = host.node(zone.nid) as NodeState;
  const startPfn = block.startPfn + block.vmemmapPages;
  const endPfn = block.endPfn;
  const range: PfnRange[] = [{ startPfn, endPfn }];

  if (pagesInside(zone.memberRanges, block.startPfn, endPfn) !== block.nrPages) {
    return refuse('EINVAL', `memory${block.id} has memory holes or pages of another zone; offline refused`);
  }

  // start_isolate_page_range: an isolated pageblock or an unmovable page fails fast.
  const check = (await checked) ?? (await readIsolationCheck(ctx, block, zone));
  if (check.isolatedPageblocks > 0) {
    return refuse('EBUSY', `failure to isolate range of memory${block.id}: pageblocks already isolated`);
  }
  const movesKernelPages = movesKernelPagesOf(ctx, zone);
  if (movesKernelPages && block.relocatedInPages > 0) {
    return refuse(
      'EBUSY',
      `memory${block.id} holds ${block.relocatedInPages} kernel pages copied in from blocks offlined before; offline-migrated does not move them twice`,
    );
  }
  if (check.unmovablePfn >= 0) {
    const cls = check.unmovableClass;
    return refuse(
      'EBUSY',
      `failure to isolate range of memory${block.id}: unmovable ${PAGE_CLASS_NAMES[cls] ?? cls} page at pfn ${hex(check.unmovablePfn)} in ZONE_${ZONE_NAMES[zone.zoneIdx].toUpperCase()}`,
    );
  }

  const log = new UndoLog(shards);
  try {
    await log.setIsolate(startPfn, endPfn, true);

    const veto = ctx.notifier.veto('MEM_GOING_OFFLINE');
    if (veto !== undefined) {
      await log.revert();
      return refuse(veto, `MEM_GOING_OFFLINE notifier refused memory${block.id} (${veto})`);
    }

    // Three reads of the isolated block and its zone, nothing written between them: one round trip.
    const [userPages, pinnedPages, zoneUser] = await Promise.all([
      countIn(shards, range, classBit(PageClass.USER)),
      zone.zoneIdx === ZONE_MOVABLE || movesKernelPages ? countIn(shards, range, classBit(PageClass.PINNED)) : 0,
      countIn(shards, zone.memberRanges, classBit(PageClass.USER)),
    ]);
    const work = noWork();
    const migrated = await migrate(ctx, block, zone, node, userPages, zoneUser);
    work.migratedPages = migrated.total;
    work.migratedByNode = migrated.byNode;
    let leftBehind = userPages - migrated.total;
    // The kernel pages move once nothing else stands in the way (a pinned page ends the offline first).
    if (movesKernelPages && leftBehind === 0 && pinnedPages === 0) {
      const relocation = await relocateKernelPages(host, block, node, log);
      if (relocation === null) {
        leftBehind = [...(await kernelPagesOf(shards, range)).values()].reduce((sum, n) => sum + n, 0);
      } else {
        const pgtablePagesInMachine = relocation.pgtablePages === 0 ? 0 : await countInZones(shards, host.nodeStates, classBit(PageClass.PGTABLE));
        const kernel = {
          copiedPages: relocation.copiedPages,
          pgtablePages: relocation.pgtablePages,
          remappedSections: relocation.remappedSections,
          stopMachineSeconds: stopMachineSeconds(host.cost, { ...relocation, pgtablePagesInMachine }),
        };
        work.kernel = kernel;
        for (const [nid, pages] of relocation.byNode) work.migratedByNode.set(nid, (work.migratedByNode.get(nid) ?? 0) + pages);
        work.migratedPages += relocation.copiedPages + relocation.pgtablePages;
      }
    }
    if (leftBehind > 0 || pinnedPages > 0) {
      work.retries = ctx.offlineRetryBudget;
      work.reason = leftBehind > 0 ? REASON_NO_TARGET : REASON_PINNED;
      work.modelledSeconds = offlineSeconds(host.cost, {
        migratedPages: migrated.total,
        scannedPages: (endPfn - startPfn) * (work.retries + 1),
        retries: work.retries,
      });
      await log.revert();
      const what = leftBehind > 0 ? `${leftBehind} pages found no migration target` : `${pinnedPages} pinned pages cannot migrate`;
      return { ok: false, errno: 'EINTR', message: `offline of memory${block.id} interrupted after ${work.retries} retries: ${what} (${work.reason})`, work };
    }

    // __offline_isolated_pages and the accounting after it. Every page of the
    // range is FREE by now: isolation let only free, user and (in Movable)
    // pinned pages through, the user pages migrated and a pinned page ended
    // the offline above.
    await log.setIsolate(startPfn, endPfn, false);
    await log.setClass(startPfn, endPfn, PageClass.RESERVED, PageClass.FREE);
    await log.setSectionFlags(block.startPfn, endPfn, 0, SectionFlag.ONLINE);
    await log.setSectionZone(block.startPfn, endPfn, NO_ZONE, zone.zoneIdx);
    log.record(saveNodeState(node));
    accountOffline(node, zone, { startPfn: block.startPfn, endPfn, vmemmapPages: block.vmemmapPages, early: block.early });
    if (block.group !== null) {
      const group = block.group;
      host.groups.adjustPresentPages(group.id, zone.zoneIdx, -block.nrPages);
      log.record(() => host.groups.adjustPresentPages(group.id, zone.zoneIdx, block.nrPages));
    }
    block.zone = null;
    log.record(() => {
      block.zone = zone;
    });
    // offline_pages recomputes the watermarks for the smaller managed counts (init_per_zone_wmark_min).
    log.record(host.watermarks.save());
    host.watermarks.initPerZoneWmarkMin();
    log.commitTo(parent);
    work.modelledSeconds =
      offlineSeconds(host.cost, { migratedPages: migrated.total, scannedPages: endPfn - startPfn, retries: 0 }) + (work.kernel?.stopMachineSeconds ?? 0);
    return { ok: true, work };
  } catch (error) {
    return log.rollBack(error);
  }
}

/**
 * do_migrate_range for the block's USER pages: targets are the other
 * nodes with memory in the source node's zonelist order (the source node
 * itself only when it is the only one), zones up to Movable for a Movable
 * source and up to Normal otherwise, never the isolated range. Each target
 * zone takes, in one claim, the pages the allocator would give a migration
 * target there: its free pages above its min mark and lowmem reserve
 * (`alloc_migration_target` allocates through the page allocator like any
 * other request), and the block gives up as many, lowest first, as the scan
 * walks them. Page cache moves with the pages in proportion (the zone's
 * share of page cache among its USER pages).
 */
async function migrate(
  ctx: HotplugContext,
  block: MemoryBlock,
  zone: ZoneState,
  node: NodeState,
  userPages: number,
  zoneUser: number,
): Promise<{ total: number; byNode: Map<number, number> }> {
  const byNode = new Map<number, number>();
  if (userPages === 0) return { total: 0, byNode };
  const host = ctx.host;
  const memoryNodes = host.nodeStates.filter((n) => n.hasMemory);
  const others = memoryNodes.filter((n) => n.nid !== node.nid);
  // alloc_migration_target: the source node's zonelist, with the source node
  // masked out unless it is the only node with memory.
  const targets = inNodeOrder(host.nodeOrder(node.nid), others.length > 0 ? others : [node]);
  const highestZoneIdx = zone.zoneIdx === ZONE_MOVABLE ? ZONE_MOVABLE : ZONE_NORMAL;
  const isolated: PfnRange = { startPfn: block.startPfn, endPfn: block.endPfn };
  const source: PfnRange[] = [{ startPfn: block.startPfn + block.vmemmapPages, endPfn: block.endPfn }];
  let total = 0;
  const fileShare = zoneUser === 0 ? 0 : Math.min(zone.filePages, zoneUser) / zoneUser;
  const zones = zonelist(targets, highestZoneIdx);
  const rangesOf = zones.map((target) => subtractRanges(target.memberRanges, [isolated]));
  // Each target's free pages, read before anything is claimed in it. Claims
  // in other targets and in the source leave them as they are (disjoint
  // ranges), so with shards in other threads the reads past the first
  // target (which usually takes every page) are sent at once.
  const ahead = shardsAnswerLater(host.shards);
  const frees: Promise<number>[] = [];
  const freeIn = (i: number): Promise<number> => {
    if (frees[i] === undefined) {
      for (let j = i; j < (i > 0 && ahead ? zones.length : i + 1); j++) {
        frees[j] = countIn(host.shards, rangesOf[j], classBit(PageClass.FREE));
        // A read the loop never reaches is dropped, its failure with it, as if never made.
        frees[j].catch(() => undefined);
      }
    }
    return frees[i];
  };
  for (let i = 0; i < zones.length; i++) {
    if (total === userPages) break;
    const target = zones[i];
    const ranges = rangesOf[i];
    const free = await freeIn(i);
    const allowed = pagesAllowed(target, 'min', highestZoneIdx, free);
    const take = Math.min(allowed, userPages - total);
    if (take === 0) continue;
    await migratePair(host.shards, ranges, source, take);
    const file = Math.floor(take * fileShare);
    target.filePages += file;
    zone.filePages -= file;
    byNode.set(target.nid, (byNode.get(target.nid) ?? 0) + take);
    total += take;
  }
  return { total, byNode };
}

/**
 * One migration step: `nrPages` FREE pages of the target ranges become USER,
 * then as many USER pages of the source become FREE. Both or neither: a
 * failure in between undoes the target's claim. Once both are done the pair
 * is not logged anywhere, so nothing later takes it back.
 */
async function migratePair(shards: ShardSet, target: readonly PfnRange[], source: readonly PfnRange[], nrPages: number): Promise<void> {
  const pair = new UndoLog(shards);
  try {
    await pair.claim(target, nrPages, PageClass.FREE, PageClass.USER);
    await pair.claim(source, nrPages, PageClass.USER, PageClass.FREE);
  } catch (error) {
    await pair.rollBack(error);
  }
}

/** Offline the selected blocks, highest first (as chmem -d); every block is tried. */
export async function offlineBlocks(ctx: HotplugContext, sel: BlockSelector, log: UndoLog): Promise<OfflineOutcome> {
  const selected = selectBlocks(ctx.host.blockList(), sel);
  if (!Array.isArray(selected)) return withoutOfflineWork(selected);
  const order = [...selected].reverse();
  // With shards in other threads, every block's isolation check is read
  // ahead on all of them at once, in the order the offlines will want them,
  // while they run (see IsolationCheck); a read that fails is made again, in
  // turn, by its own offline. Shards in this thread answer at once: there is
  // no wait to hide, and each offline reads its own.
  const checks = new Map<MemoryBlock, Promise<IsolationCheck | undefined>>();
  if (shardsAnswerLater(ctx.host.shards)) {
    for (const block of order) {
      const zone = offlinableZone(block);
      if (zone !== null) checks.set(block, readIsolationCheck(ctx, block, zone).catch(() => undefined));
    }
  }
  const transitions: BlockTransitions<Transition> = { ...ctx.transitions(log), offline: (block) => offlineBlock(ctx, block, log, checks.get(block)) };
  const totals = noWork();
  const results: BlockOutcome[] = [];
  for (const block of order) {
    if (block.state === 'offline') {
      results.push({ id: block.id, ok: true, message: `memory${block.id} already offline` });
      continue;
    }
    log.record(saveBlockState(block));
    const result = await storeState(block, 'offline', transitions);
    addWork(totals, workOf(result));
    results.push(result.ok ? { id: block.id, ok: true } : { id: block.id, ok: false, errno: result.errno, message: result.message });
  }
  return { ...summarize(results, totals.modelledSeconds), ...offlineFigures(totals) };
}
