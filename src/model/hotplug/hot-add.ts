/**
 * Hot-adding memory (mm/memory_hotplug.c add_memory, __add_memory,
 * add_memory_driver_managed, add_memory_resource): the range checks
 * (check_hotplug_memory_range), the resource (register_memory_resource), the
 * memory group, the node (__try_online_node), the sections made present
 * (arch_add_memory), the memmap, the memory block devices (offline), and the
 * auto-online that memhp_default_state or auto_online_blocks asks for.
 *
 * The memmap comes from one of two places:
 * - memmap_on_memory (the block's altmap): pages at the start of each block
 *   hold its own struct pages; they are VMEMMAP, in UNMOVABLE pageblocks,
 *   from hot-add to hot-remove;
 * - otherwise kernel zones (FREE → VMEMMAP, 2 MiB per section): it stays
 *   managed, as buddy pages the kernel allocated do, but is no longer free,
 *   and it makes its block unmovable. Hot-remove gives the same number of
 *   pages back to each zone it came from. Which memmap pages of a zone go
 *   back is not tracked page by page: the memmap pages of different
 *   hot-adds are interchangeable.
 *
 * Hot-add ranges conflict with System RAM and with firmware-reserved e820
 * ranges; other iomem users (PCI windows, device memory) are not modelled.
 *
 * Against engine failures the add is one unit with its auto-online: every
 * engine write and model change is logged, so a failure anywhere takes the
 * whole add back. The one thing left behind is an engine shard started for
 * a window no earlier shard covered: shards are never dropped (a hot-remove
 * leaves its window too), and an empty one holds no page.
 */
import { reclaimInZone, watermark } from '../alloc/page-alloc.js';
import { reclaimablePages } from '../alloc/reclaim.js';
import { pagesAboveMark } from '../alloc/watermark-check.js';
import { classBit, Migratetype, PAGE_SIZE, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass, SectionFlag } from '../../contract/constants.js';
import { describeValue, hex } from '../../util/format.js';
import { inNodeOrder, zonelist } from '../alloc/zonelist.js';
import { addSeconds } from '../core/cost.js';
import { ModelError } from '../core/errors.js';
import { aboveDirectMapMessage, maxPhysmemBits, PMD_SIZE_BYTES, SECTION_MEMMAP_PAGES, STRUCT_PAGE_BYTES } from '../core/kernel.js';
import { ZONE_NORMAL } from '../core/mmzone.js';
import { failed, isSafeNonNegative, renamedFieldFailure } from '../core/outcomes.js';
import { countIn, countRemappedIn, type UndoLog } from '../core/page-state.js';
import { alignUp } from '../core/pfn-ranges.js';
import { saveNodeState, SYSTEM_RAM, type HotplugParams, type MemmapCharge, type ZoneState } from '../core/state.js';
import type { AddMemoryRequest, BlockOutcome, Outcome } from '../core/types.js';
import type { HotplugContext, LifecycleHost } from './host.js';
import { deviceOnline, MemoryBlock, workOf } from './memory-blocks.js';
import type { MemoryGroup } from './memory-groups.js';

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

/**
 * The kernel accepts a driver-managed resource name only when it starts with
 * "System RAM (" and ends with ")", so tools that look for "System RAM" still
 * find the memory while kexec and the firmware memmap leave it alone.
 */
function isDriverManagedName(name: unknown): boolean {
  return typeof name === 'string' && name.startsWith('System RAM (') && name.endsWith(')');
}

/** Memmap sources of a hot-add: per new block, and the totals per zone with what reclaim must free there first. */
interface MemmapPlan {
  perBlock: MemmapCharge[][];
  perZone: Map<ZoneState, { pages: number; reclaim: number }>;
}

/**
 * Where the memmap of `nrBlocks` new blocks would come from: kernel zones
 * (Normal, DMA32, DMA) of the target node first, then of other nodes in
 * its zonelist order (mm/sparse-vmemmap.c `vmemmap_alloc_block`:
 * GFP_KERNEL | __GFP_RETRY_MAYFAIL on the target node). Each zone gives what
 * lies above its min mark and lowmem reserve, after reclaim has freed its
 * reclaimable pages; a request that still does not fit fails with ENOMEM and
 * no OOM kill (`__GFP_RETRY_MAYFAIL`). Block by block, each block's pages
 * from as few zones as possible. Null for -ENOMEM.
 */
async function planMemmap(host: LifecycleHost, nid: number, nrBlocks: number, pagesPerBlock: number): Promise<MemmapPlan | null> {
  const candidates = host.nodeStates.filter((n) => n.hasMemory);
  const zones = zonelist(inNodeOrder(host.nodeOrder(nid), candidates), ZONE_NORMAL);
  const counts = await Promise.all(zones.map((zone) => memmapAllowance(host, zone)));
  const free = counts.map((c) => c.total);
  const total = free.reduce((sum, n) => sum + n, 0);
  if (total < nrBlocks * pagesPerBlock) return null;
  const perBlock: MemmapCharge[][] = [];
  const perZone = new Map<ZoneState, { pages: number; reclaim: number }>();
  let zoneIndex = 0;
  for (let b = 0; b < nrBlocks; b++) {
    const charges: MemmapCharge[] = [];
    let need = pagesPerBlock;
    while (need > 0) {
      const take = Math.min(need, free[zoneIndex]);
      if (take > 0) {
        const zone = zones[zoneIndex];
        charges.push({ nid: zone.nid, zoneIdx: zone.zoneIdx, nrPages: take });
        const entry = perZone.get(zone) ?? { pages: 0, reclaim: 0 };
        entry.pages += take;
        // Pages beyond what is free above the mark come from reclaim.
        entry.reclaim = Math.max(0, entry.pages - counts[zoneIndex].aboveMark);
        perZone.set(zone, entry);
        free[zoneIndex] -= take;
        need -= take;
      }
      if (free[zoneIndex] === 0) zoneIndex++;
    }
    perBlock.push(charges);
  }
  return { perBlock, perZone };
}

/** What a kernel zone can give the memmap: free pages above its min mark and reserve, and that plus reclaim. */
async function memmapAllowance(host: LifecycleHost, zone: ZoneState): Promise<{ aboveMark: number; total: number }> {
  const [free, user, slabReclaimable] = await Promise.all(
    [PageClass.FREE, PageClass.USER, PageClass.SLAB_RECLAIMABLE].map((cls) => countIn(host.shards, zone.memberRanges, classBit(cls))),
  );
  const file = Math.min(zone.filePages, user);
  const reclaimable = reclaimablePages({ filePages: file, slabReclaimablePages: slabReclaimable, anonPages: user - file }, host.swapFreePages());
  const check = { mark: watermark(zone, 'min'), reserve: zone.lowmemReserve[ZONE_NORMAL] ?? 0 };
  return { aboveMark: pagesAboveMark({ freePages: free, ...check }, 0), total: pagesAboveMark({ freePages: free + reclaimable, ...check }, 0) };
}

/**
 * arch_add_memory for one block, over `[startPfn, endPfn)` of it: its
 * sections present and offline (EARLY for boot memory), every page RESERVED
 * in MOVABLE pageblocks, and its altmap, if any, VMEMMAP in UNMOVABLE
 * pageblocks with the first section marked. Hot-remove calls it again to
 * put back sections it removed.
 */
export async function addBlockSections(log: UndoLog, block: MemoryBlock, startPfn = block.startPfn, endPfn = block.endPfn): Promise<void> {
  await log.addSections(startPfn, endPfn, block.nid, PageClass.RESERVED, Migratetype.MOVABLE, block.early ? SectionFlag.EARLY : 0);
  if (block.vmemmapPages === 0) return;
  const vmemmapStartPfn = Math.max(startPfn, block.startPfn);
  const vmemmapEndPfn = Math.min(endPfn, block.startPfn + block.vmemmapPages);
  if (vmemmapStartPfn < vmemmapEndPfn) {
    await log.setClass(vmemmapStartPfn, vmemmapEndPfn, PageClass.VMEMMAP, PageClass.RESERVED);
    await log.setMigratetype(vmemmapStartPfn, vmemmapEndPfn, Migratetype.UNMOVABLE, Migratetype.MOVABLE);
  }
  const firstSectionEndPfn = Math.min(endPfn, block.startPfn + PAGES_PER_SECTION);
  if (vmemmapStartPfn < firstSectionEndPfn) await log.setSectionFlags(vmemmapStartPfn, firstSectionEndPfn, SectionFlag.MEMMAP_ON_MEMORY, 0);
}

/** The memory group of a request, registered; or the EINVAL outcome of a bad one. */
function registerGroup(host: LifecycleHost, req: AddMemoryRequest, log: UndoLog): MemoryGroup | null | Outcome {
  const groupRequest = req.group === undefined ? { kind: 'static' as const } : req.group;
  let group: MemoryGroup | null = null;
  try {
    if (groupRequest !== null && groupRequest.kind === 'static') group = host.groups.registerStatic(req.node, req.size / PAGE_SIZE);
    else if (groupRequest !== null && groupRequest.kind === 'dynamic') {
      const unitBytes = groupRequest.unitBytes;
      if (!isSafeNonNegative(unitBytes) || unitBytes % PAGE_SIZE !== 0) {
        return failed('EINVAL', `group.unitBytes must be a whole number of pages, got ${describeValue(unitBytes)}`);
      }
      group = host.groups.registerDynamic(req.node, unitBytes / PAGE_SIZE);
    } else if (groupRequest !== null) {
      return failed('EINVAL', `group must be null, { kind: 'static' } or { kind: 'dynamic', unitBytes }, got ${JSON.stringify(groupRequest)}`);
    }
  } catch (error) {
    if (error instanceof ModelError) return failed(error.errno, `group: ${error.message}`);
    throw error;
  }
  if (group !== null) {
    const id = group.id;
    log.record(() => host.groups.unregister(id));
  }
  return group;
}

/** add_memory: `[base, base + size)` onto node `nid`, then the auto-online. */
export async function addMemory(ctx: HotplugContext, req: AddMemoryRequest, log: UndoLog): Promise<Outcome> {
  const host = ctx.host;
  if (req === null || typeof req !== 'object') return failed('EINVAL', 'the request must be an object { node, base, size }');
  const renamed = renamedFieldFailure(req);
  if (renamed !== null) return renamed;
  const { node: nid, base, size } = req;
  if (!isSafeNonNegative(nid)) return failed('EINVAL', `node must be a node id, got ${describeValue(nid)}`);
  if (!isSafeNonNegative(base)) return failed('EINVAL', `base must be a byte address, got ${describeValue(base)}`);
  if (!isSafeNonNegative(size)) return failed('EINVAL', `size must be a byte count, got ${describeValue(size)}`);
  if (req.memmapOnMemory !== undefined && typeof req.memmapOnMemory !== 'boolean') {
    return failed('EINVAL', `memmapOnMemory must be a boolean, got ${describeValue(req.memmapOnMemory)}`);
  }
  // add_memory_driver_managed checks the resource name before anything else.
  if (req.driverManaged !== undefined && !isDriverManagedName(req.driverManaged)) {
    return failed('EINVAL', `driver-managed resource name ${JSON.stringify(req.driverManaged)} must read "System RAM (<driver>)"`);
  }
  const { blockSizeBytes, sectionsPerBlock } = host.geometry;
  // check_hotplug_memory_range.
  if (size === 0 || base % blockSizeBytes !== 0 || size % blockSizeBytes !== 0) {
    return failed('EINVAL', `base ${hex(base)} and size ${hex(size)} must be non-zero multiples of the block size ${hex(blockSizeBytes)}`);
  }
  // register_memory_resource: the direct map, then conflicts with System RAM.
  if (base + size > 2 ** maxPhysmemBits(host.pagingLevels)) {
    return failed('E2BIG', aboveDirectMapMessage(base, base + size, host.pagingLevels));
  }
  const clash = [...host.iomemResources, ...host.firmwareReserved.map((r) => ({ ...r, name: 'Reserved' }))].find(
    (r) => r.base < base + size && base < r.base + r.size,
  );
  if (clash !== undefined) {
    return failed('EEXIST', `[${hex(base)}, ${hex(base + size)}) conflicts with ${clash.name} [${hex(clash.base)}, ${hex(clash.base + clash.size)})`);
  }
  const node = host.node(nid);
  if (node === undefined || !node.possible) return failed('EINVAL', `node ${nid} is not possible (not in the SRAT)`);
  const firstBlockId = base / blockSizeBytes;
  const nrBlocks = size / blockSizeBytes;
  for (let id = firstBlockId; id < firstBlockId + nrBlocks; id++) {
    if (host.block(id) !== undefined) return failed('EEXIST', `memory${id} already exists`);
  }
  // offline-migrated: kernel pages copied out of memory that was then removed
  // are still reached through this range's direct-map addresses, so the
  // range cannot be mapped for new memory until they go.
  const startPfn = base / PAGE_SIZE;
  const endPfn = (base + size) / PAGE_SIZE;
  const stillMapped = await countRemappedIn(host.shards, [{ startPfn, endPfn }]);
  if (stillMapped > 0) {
    return failed('EEXIST', `the direct map of [${hex(base)}, ${hex(base + size)}) still reaches ${stillMapped} kernel pages copied out of it before it was removed`);
  }

  // The memmap and the memory group, decided before anything changes.
  const vmemmapPages = req.memmapOnMemory === true ? memmapOnMemoryPages(blockSizeBytes, host.params.memmapOnMemory) : 0;
  const memmapPagesPerBlock = sectionsPerBlock * SECTION_MEMMAP_PAGES;
  let plan: MemmapPlan | null = null;
  if (vmemmapPages === 0) {
    plan = await planMemmap(host, nid, nrBlocks, memmapPagesPerBlock);
    if (plan === null) {
      return failed('ENOMEM', `no kernel memory left for the memmap of [${hex(base)}, ${hex(base + size)}) (${nrBlocks * memmapPagesPerBlock} pages)`);
    }
  }
  const group = registerGroup(host, req, log);
  if (group !== null && 'ok' in group) return group;

  // __try_online_node: a possible node without a pgdat gets an empty one.
  log.record(saveNodeState(node));
  if (!node.online) {
    node.online = true;
    node.nodeStartPfn = 0;
    node.nodeSpannedPages = 0;
  }
  // arch_add_memory: sections present (offline, pages RESERVED until online).
  await host.shards.cover(startPfn, endPfn, nid);
  const blocks: MemoryBlock[] = [];
  for (let i = 0; i < nrBlocks; i++) {
    const block = new MemoryBlock(firstBlockId + i, host.geometry, 'offline', false);
    block.nid = nid;
    block.linkNode(nid);
    block.group = group;
    block.vmemmapPages = vmemmapPages;
    blocks.push(block);
  }
  for (const block of blocks) await addBlockSections(log, block);
  if (plan !== null) {
    for (const [zone, { pages, reclaim }] of plan.perZone) {
      if (reclaim > 0) await reclaimInZone(host, log, zone, reclaim);
      await log.claim(zone.memberRanges, pages, PageClass.FREE, PageClass.VMEMMAP);
    }
    blocks.forEach((block, i) => {
      block.memmapCharges = plan.perBlock[i];
    });
  }
  host.insertBlocks(blocks);
  log.record(() => host.deleteBlocks(blocks.map((b) => b.id)));
  if (group !== null) {
    host.groups.adjustMemoryBlocks(group.id, nrBlocks);
    log.record(() => host.groups.adjustMemoryBlocks(group.id, -nrBlocks));
  }
  const resource = { base, size, name: req.driverManaged ?? SYSTEM_RAM };
  host.iomemResources.push(resource);
  log.record(() => host.iomemResources.splice(host.iomemResources.indexOf(resource), 1));

  // Auto-online (memhp_default_state / auto_online_blocks); failures leave blocks offline.
  let seconds = addSeconds(host.cost, endPfn - startPfn);
  const results: BlockOutcome[] = [];
  const defaultType = host.autoOnlineBlocks;
  if (defaultType !== 'offline') {
    const transitions = ctx.transitions(log);
    for (const block of blocks) {
      block.onlineType = defaultType;
      const online = await deviceOnline(block, transitions);
      if (online === 'already' || online.ok) {
        if (online !== 'already') seconds += workOf(online).modelledSeconds;
        results.push({ id: block.id, ok: true });
      } else {
        results.push({ id: block.id, ok: false, errno: online.errno, message: `auto-online: ${online.message}` });
      }
    }
  }
  const outcome: Outcome = { ok: true, modelledSeconds: seconds };
  if (results.length > 0) outcome.blocks = results;
  return outcome;
}
