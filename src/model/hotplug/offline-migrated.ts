/**
 * The offline-migrated hot-remove scheme (docs/hot-remove-schemes.md): Mel
 * Gorman's 2012 alternative to ZONE_MOVABLE, which Linux never built.
 * Offlining a block in a kernel zone does not stop at its first slab or
 * page-table page; under a modelled stop_machine
 *
 * - slab pages (reclaimable or not), reached only through the direct map,
 *   are copied to free frames elsewhere, and their sections' virt_to_phys
 *   switches from `pa + PAGE_OFFSET` to the engine's per-section remap
 *   table (EngineApi.remap);
 * - page-table pages are copied too, and a walk of every process's page
 *   tables rewrites the entries that pointed at them, so they need no remap;
 * - pinned pages still block (offline.ts ends the offline with EINTR after
 *   its retries, as for a pinned page in ZONE_MOVABLE), and so do reserved
 *   pages and memmap (EBUSY at isolation);
 * - a block holding kernel pages copied into it earlier is refused with
 *   EBUSY: their addresses belong to the blocks they came from, and moving
 *   them again would need the remap table's reverse entries, which the
 *   model does not follow yet.
 *
 * Targets are chosen as migration targets are (offline.ts `migrate`): the
 * kernel zones of the other nodes with memory, in the source node's
 * zonelist order, each down to its min mark plus lowmem reserve. Runs of
 * pages are found and placed with the engine's scan (migrateScan); nothing
 * here loops over pages.
 */
import { classBit, PAGES_PER_SECTION, PageClass, SectionFlag } from '../../contract/constants.js';
import type { ShardEngine } from '../../contract/engine-api.js';
import { watermark } from '../alloc/page-alloc.js';
import { pagesAboveMark } from '../alloc/watermark-check.js';
import { inNodeOrder, zonelist } from '../alloc/zonelist.js';
import { ZONE_NORMAL } from '../core/mmzone.js';
import { countIn, type UndoLog } from '../core/page-state.js';
import { subtractRanges } from '../core/pfn-ranges.js';
import type { ShardSet } from '../core/shards.js';
import type { NodeState, PfnRange } from '../core/state.js';
import type { LifecycleHost } from './host.js';
import type { MemoryBlock } from './memory-blocks.js';

/** Kernel page classes offline-migrated moves out of a block, in the order it moves them. */
export const RELOCATED_CLASSES = [PageClass.SLAB, PageClass.SLAB_RECLAIMABLE, PageClass.PGTABLE] as const;
/** Of those, the ones reached through the direct map: their old addresses must keep translating. */
const REMAPPED_CLASSES = new Set<PageClass>([PageClass.SLAB, PageClass.SLAB_RECLAIMABLE]);
/** Runs a scan call returns at most: bounds the arrays, not the work. */
const SCAN_RUNS = 4096;

/** `[startPfn, nrPages]` runs. */
type Run = [number, number];

export interface KernelRelocation {
  /** Slab pages copied and remapped. */
  copiedPages: number;
  /** Page-table pages relocated. */
  pgtablePages: number;
  /** Sections of the block whose virt_to_phys now goes through the remap table. */
  remappedSections: number;
  /** Kernel pages moved, by target node id. */
  byNode: Map<number, number>;
}

/** Runs of pages whose class is in `mask` in `ranges`, ascending, at most `limit` pages in all. */
async function scanRuns(shards: ShardSet, ranges: readonly PfnRange[], mask: number, limit: number): Promise<Run[]> {
  const runs: Run[] = [];
  let found = 0;
  for (const range of ranges) {
    for (const piece of shards.split(range.startPfn, range.endPfn)) {
      let pfn = piece.startPfn;
      while (found < limit && pfn < piece.endPfn) {
        const scan = await piece.shard.engine.migrateScan(pfn, piece.endPfn, mask, 0, SCAN_RUNS);
        for (let i = 0; i < scan.runs.length && found < limit; i += 2) {
          const nrPages = Math.min(scan.runs[i + 1]!, limit - found);
          runs.push([scan.runs[i]!, nrPages]);
          found += nrPages;
        }
        pfn = scan.nextPfn;
      }
      if (found >= limit) return runs;
    }
  }
  return runs;
}

/** The engine of the shard holding `pfn`. */
function engineOf(shards: ShardSet, pfn: number): ShardEngine {
  const shard = shards.shardOfPfn(pfn);
  if (shard === undefined) throw new Error(`internal: pfn ${pfn} lies in no shard`);
  return shard.engine;
}

/**
 * Point the direct-map addresses of `[oldStartPfn, +nrPages)` at the frames
 * from `newStartPfn`. Both runs lie inside one section each side (the caller
 * cuts them so).
 */
async function remapRun(shards: ShardSet, oldStartPfn: number, nrPages: number, newStartPfn: number): Promise<void> {
  const source = shards.shardOfPfn(oldStartPfn);
  const target = shards.shardOfPfn(newStartPfn);
  if (source === undefined || target === undefined) throw new Error(`internal: remap of pfn ${oldStartPfn} to ${newStartPfn} outside the shards`);
  if (source === target) {
    await source.engine.remap(oldStartPfn, nrPages, newStartPfn);
    return;
  }
  // Across shards in halves: the frames' shard takes the reverse half first
  // (it refuses an occupied frame), then the pages' shard the forward half.
  await target.engine.remapIn(newStartPfn, nrPages, oldStartPfn);
  await source.engine.remapOut(oldStartPfn, nrPages, newStartPfn);
}

/**
 * Undoes remapRun, also when it stopped halfway: the frames' shard forgets
 * the pages (remapIn onto the frames themselves; a no-op where it holds
 * none), and the pages go home; a section that had no table before loses it.
 */
async function unremapRun(shards: ShardSet, oldStartPfn: number, nrPages: number, newStartPfn: number, hadTable: boolean): Promise<void> {
  const source = engineOf(shards, oldStartPfn);
  const target = engineOf(shards, newStartPfn);
  if (target !== source) await target.remapIn(newStartPfn, nrPages, newStartPfn);
  if (hadTable) await source.remapOut(oldStartPfn, nrPages, oldStartPfn);
  else await source.clearRemap(oldStartPfn, oldStartPfn + 1);
}

/** Sections of the block that are remapped already (they keep their tables on undo). */
async function remappedSectionsOf(shards: ShardSet, block: MemoryBlock, pagesPerSection: number): Promise<Set<number>> {
  const first = block.startPfn / pagesPerSection;
  const count = (block.endPfn - block.startPfn) / pagesPerSection;
  const words = await engineOf(shards, block.startPfn).readSections(first, count);
  const out = new Set<number>();
  words.forEach((word, i) => {
    if ((word & SectionFlag.REMAPPED) !== 0) out.add(first + i);
  });
  return out;
}

/** Kernel pages of the block that offline-migrated would move, per class. */
export async function kernelPagesOf(shards: ShardSet, range: readonly PfnRange[]): Promise<Map<PageClass, number>> {
  const counts = new Map<PageClass, number>();
  for (const cls of RELOCATED_CLASSES) counts.set(cls, await countIn(shards, range, classBit(cls)));
  return counts;
}

/**
 * Copy the block's slab and page-table pages to the kernel zones of the
 * other nodes (the source node only when it is the only one with memory).
 * Returns null, changing nothing, when the targets cannot take them all:
 * the offline then ends as a migration without a target does. Writes go to
 * `log`, so a later failure of the offline puts them back.
 */
export async function relocateKernelPages(
  host: LifecycleHost,
  block: MemoryBlock,
  node: NodeState,
  log: UndoLog,
): Promise<KernelRelocation | null> {
  const shards = host.shards;
  const source: PfnRange[] = [{ startPfn: block.startPfn + block.vmemmapPages, endPfn: block.endPfn }];
  const perClass = await kernelPagesOf(shards, source);
  const total = [...perClass.values()].reduce((sum, n) => sum + n, 0);
  const relocation: KernelRelocation = { copiedPages: 0, pgtablePages: 0, remappedSections: 0, byNode: new Map() };
  if (total === 0) return relocation;

  // Free frames the targets can give, zone by zone, as migration targets do.
  const memoryNodes = host.nodeStates.filter((n) => n.hasMemory);
  const others = memoryNodes.filter((n) => n.nid !== node.nid);
  const targets = inNodeOrder(host.nodeOrder(node.nid), others.length > 0 ? others : [node]);
  const isolated: PfnRange = { startPfn: block.startPfn, endPfn: block.endPfn };
  const frames: { nid: number; runs: Run[] }[] = [];
  let available = 0;
  for (const zone of zonelist(targets, ZONE_NORMAL)) {
    if (available === total) break;
    const ranges = subtractRanges(zone.memberRanges, [isolated]);
    const free = await countIn(shards, ranges, classBit(PageClass.FREE));
    const allowed = Math.min(total - available, pagesAboveMark({ freePages: free, mark: watermark(zone, 'min'), reserve: zone.lowmemReserve[ZONE_NORMAL] ?? 0 }, 0));
    if (allowed === 0) continue;
    frames.push({ nid: zone.nid, runs: await scanRuns(shards, ranges, classBit(PageClass.FREE), allowed) });
    available += allowed;
  }
  if (available < total) return null;

  const pagesPerSection = PAGES_PER_SECTION;
  const remappedBefore = await remappedSectionsOf(shards, block, pagesPerSection);
  const remapped = new Set<number>();
  let target = 0;
  let targetRun = 0;
  let targetOffset = 0;
  for (const cls of RELOCATED_CLASSES) {
    if (perClass.get(cls) === 0) continue;
    for (const [runStart, runPages] of await scanRuns(shards, source, classBit(cls), Number.MAX_SAFE_INTEGER)) {
      let done = 0;
      while (done < runPages) {
        const { nid, runs } = frames[target]!;
        const [frameStart, framePages] = runs[targetRun]!;
        const oldPfn = runStart + done;
        const newPfn = frameStart + targetOffset;
        // One piece: within the source run, the target run, and one section on each side.
        const n = Math.min(
          runPages - done,
          framePages - targetOffset,
          pagesPerSection - (oldPfn % pagesPerSection),
          pagesPerSection - (newPfn % pagesPerSection),
        );
        await log.setClass(newPfn, newPfn + n, cls, PageClass.FREE);
        await log.setClass(oldPfn, oldPfn + n, PageClass.FREE, cls);
        if (REMAPPED_CLASSES.has(cls)) {
          const sectionNr = Math.floor(oldPfn / pagesPerSection);
          // Logged first: a run that fails between its halves is undone too.
          const hadTable = remappedBefore.has(sectionNr);
          log.record(() => unremapRun(shards, oldPfn, n, newPfn, hadTable));
          await remapRun(shards, oldPfn, n, newPfn);
          remapped.add(sectionNr);
          relocation.copiedPages += n;
        } else {
          relocation.pgtablePages += n;
        }
        relocation.byNode.set(nid, (relocation.byNode.get(nid) ?? 0) + n);
        const receiver = host.block(Math.floor(newPfn / host.geometry.pagesPerBlock));
        if (receiver !== undefined) {
          receiver.relocatedInPages += n;
          log.record(() => {
            receiver.relocatedInPages -= n;
          });
        }
        done += n;
        targetOffset += n;
        if (targetOffset === framePages) {
          targetOffset = 0;
          targetRun++;
          if (targetRun === runs.length) {
            targetRun = 0;
            target++;
          }
        }
      }
    }
  }
  relocation.remappedSections = [...remapped].filter((s) => !remappedBefore.has(s)).length;
  return relocation;
}
