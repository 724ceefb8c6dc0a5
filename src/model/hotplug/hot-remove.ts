/**
 * Hot-removing memory (mm/memory_hotplug.c remove_memory, try_remove_memory,
 * offline_and_remove_memory): every block of the range must be offline; the
 * memmap goes back to where it came from, the sections go (arch_remove_memory),
 * the memory block devices and the resource with them, and a node left with
 * nothing goes offline (try_offline_node).
 *
 * CPUs: a node with boot memory is taken to have CPUs and never goes
 * offline; a node that only ever had hot-added memory has none, so removing
 * its last memory takes it offline.
 *
 * Against engine failures: a removal does all its engine writes first (the
 * memmap, the boot memmap, the sections), logged, and changes the model only
 * after the last of them, so a failure puts the page state back exactly: an
 * offline block's pages are RESERVED, its altmap VMEMMAP, its pageblocks
 * MOVABLE (the altmap's UNMOVABLE) and its sections offline with no zone,
 * which is what {@link addBlockSections} builds. Those model changes are not
 * logged: a removal is always the last step of a call, so nothing after it
 * can fail.
 */
import { PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../contract/constants.js';
import { describeValue, hex } from '../../util/format.js';
import { removeSeconds } from '../core/cost.js';
import { SECTION_MEMMAP_BYTES } from '../core/kernel.js';
import { ZONE_MOVABLE } from '../core/mmzone.js';
import { addWork, failed, isSafeNonNegative, noWork, offlineFigures, withoutOfflineWork } from '../core/outcomes.js';
import { UndoLog } from '../core/page-state.js';
import { subtractRanges } from '../core/pfn-ranges.js';
import type { IomemResource, PfnRange, ZoneState } from '../core/state.js';
import type { BlockOutcome, OfflineOutcome, OnlineRequestType, Outcome } from '../core/types.js';
import type { BootMemmapPlacement } from '../boot/layout.js';
import { addBlockSections } from './hot-add.js';
import type { HotplugContext, LifecycleHost } from './host.js';
import { deviceOffline, deviceOnline, saveBlockState, workOf, type BlockOpResult, type MemoryBlock } from './memory-blocks.js';

/** The blocks of a removal range, or the EINVAL outcome for a bad range. */
function removalBlocks(host: LifecycleHost, base: number, size: number): MemoryBlock[] | Outcome {
  const blockSizeBytes = host.geometry.blockSizeBytes;
  if (!isSafeNonNegative(base)) return failed('EINVAL', `base must be a byte address, got ${describeValue(base)}`);
  if (!isSafeNonNegative(size)) return failed('EINVAL', `size must be a byte count, got ${describeValue(size)}`);
  if (size === 0 || base % blockSizeBytes !== 0 || size % blockSizeBytes !== 0) {
    return failed('EINVAL', `base ${hex(base)} and size ${hex(size)} must be non-zero multiples of the block size ${hex(blockSizeBytes)}`);
  }
  const blocks: MemoryBlock[] = [];
  for (let id = base / blockSizeBytes; id < (base + size) / blockSizeBytes; id++) {
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

/** remove_memory: every block of the range must be offline, else EBUSY and nothing changes. */
export async function removeMemory(ctx: HotplugContext, base: number, size: number, log: UndoLog): Promise<Outcome> {
  const checked = removalBlocks(ctx.host, base, size);
  if (!Array.isArray(checked)) return checked;
  const notOffline = checked.find((b) => b.state !== 'offline');
  if (notOffline !== undefined) {
    return failed('EBUSY', `memory${notOffline.id} is ${notOffline.state}; every block of [${hex(base)}, ${hex(base + size)}) must be offline`);
  }
  return remove(ctx.host, checked, base, size, log);
}

/** Where a removal frees boot memmap: the placements that stay, and the pfn ranges freed. */
function splitBootMemmap(placements: readonly BootMemmapPlacement[], startPfn: number, endPfn: number): { kept: BootMemmapPlacement[]; freed: PfnRange[] } {
  const firstSectionNr = startPfn / PAGES_PER_SECTION;
  const endSectionNr = endPfn / PAGES_PER_SECTION;
  const kept: BootMemmapPlacement[] = [];
  const freed: PfnRange[] = [];
  for (const p of placements) {
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
  return { kept, freed };
}

/** The zone's pages that may hold memmap taken from it: its member ranges minus self-hosted memmaps. */
function kernelMemmapRanges(host: LifecycleHost, zone: ZoneState): PfnRange[] {
  const selfHosted = host
    .blockList()
    .filter((b) => b.vmemmapPages > 0 && b.zone === zone)
    .map((b) => ({ startPfn: b.startPfn, endPfn: b.startPfn + b.vmemmapPages }));
  return selfHosted.length === 0 ? zone.memberRanges : subtractRanges(zone.memberRanges, selfHosted);
}

/** try_remove_memory once every block is known to be offline. */
async function remove(host: LifecycleHost, blocks: readonly MemoryBlock[], base: number, size: number, parent: UndoLog): Promise<Outcome> {
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
  // Removing boot memory frees its memmap (sparse.c hands a boot-allocated
  // memmap back page by page): those reserved pages become free pages of the
  // zone that holds them, and its managed count grows, as free_reserved_page
  // does. A memmap inside the removed range itself goes with it.
  const { kept, freed } = splitBootMemmap(host.bootMemmap, startPfn, endPfn);
  const outside = freed.flatMap((r) => subtractRanges([r], [{ startPfn, endPfn }]));
  const freedInZones: { zone: ZoneState; startPfn: number; endPfn: number }[] = [];
  for (const node of host.nodeStates) {
    for (const zone of node.zones) {
      for (const member of zone.memberRanges) {
        for (const r of outside) {
          const lo = Math.max(member.startPfn, r.startPfn);
          const hi = Math.min(member.endPfn, r.endPfn);
          if (lo < hi) freedInZones.push({ zone, startPfn: lo, endPfn: hi });
        }
      }
    }
  }

  const log = new UndoLog(host.shards);
  try {
    for (const [zone, nrPages] of charged) {
      await log.claim(kernelMemmapRanges(host, zone), nrPages, PageClass.VMEMMAP, PageClass.FREE);
    }
    for (const f of freedInZones) await log.setClass(f.startPfn, f.endPfn, PageClass.FREE, PageClass.RESERVED);
    await log.removeSections(startPfn, endPfn, async (pieceStartPfn, pieceEndPfn) => {
      const rebuild = new UndoLog(host.shards);
      for (const block of blocks) {
        const lo = Math.max(block.startPfn, pieceStartPfn);
        const hi = Math.min(block.endPfn, pieceEndPfn);
        if (lo < hi) await addBlockSections(rebuild, block, lo, hi);
      }
    });
  } catch (error) {
    return log.rollBack(error);
  }
  log.commitTo(parent);

  for (const f of freedInZones) f.zone.managedPages += f.endPfn - f.startPfn;
  // The freed memmap pages go through adjust_managed_page_count, which in
  // 6.18 recomputes the reserves (not the marks).
  if (freedInZones.length > 0) host.watermarks.setupPerZoneLowmemReserve();
  host.bootMemmap = kept;
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
  tryOfflineNode(host, lastNid);
  return { ok: true, modelledSeconds: removeSeconds(host.cost, endPfn - startPfn) };
}

/**
 * try_offline_node: a node without CPUs, without memory blocks and
 * spanning nothing goes offline (its sysfs directory disappears).
 */
function tryOfflineNode(host: LifecycleHost, nid: number): void {
  const node = host.node(nid);
  if (node === undefined || !node.online) return;
  if (node.nodeSpannedPages !== 0 || host.hasCpus(nid)) return;
  if (host.blockList().some((b) => b.nid === nid || b.nids.includes(nid))) return;
  node.online = false;
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

/**
 * offline_and_remove_memory: offline every block in order (offline ones
 * are fine); on a failure, online again exactly the blocks it offlined,
 * each into its former zone kind, and return the first error.
 */
export async function offlineAndRemoveMemory(ctx: HotplugContext, base: number, size: number, log: UndoLog): Promise<OfflineOutcome> {
  const checked = removalBlocks(ctx.host, base, size);
  if (!Array.isArray(checked)) return withoutOfflineWork(checked);
  const kinds = new Map<MemoryBlock, OnlineRequestType>();
  for (const block of checked) {
    if (block.state !== 'offline') kinds.set(block, block.zone?.zoneIdx === ZONE_MOVABLE ? 'online_movable' : 'online_kernel');
  }
  const transitions = ctx.transitions(log);
  const totals = noWork();
  const results: BlockOutcome[] = [];
  const offlined: MemoryBlock[] = [];
  let failure: (BlockOpResult & { ok: false }) | null = null;
  for (const block of checked) {
    log.record(saveBlockState(block));
    const offline = await deviceOffline(block, transitions);
    if (offline === 'already') continue;
    addWork(totals, workOf(offline));
    if (!offline.ok) {
      results.push({ id: block.id, ok: false, errno: offline.errno, message: offline.message });
      failure = offline;
      break;
    }
    results.push({ id: block.id, ok: true });
    offlined.push(block);
  }
  if (failure !== null) {
    for (const block of offlined) {
      block.onlineType = kinds.get(block) ?? 'online';
      const online = await deviceOnline(block, transitions);
      if (online !== 'already' && online.ok) totals.modelledSeconds += workOf(online).modelledSeconds;
    }
    return { ok: false, errno: failure.errno, message: failure.message, blocks: results, ...offlineFigures(totals), modelledSeconds: totals.modelledSeconds };
  }
  const removed = await remove(ctx.host, checked, base, size, log);
  return { ...removed, blocks: results, ...offlineFigures(totals), modelledSeconds: totals.modelledSeconds + removed.modelledSeconds };
}
