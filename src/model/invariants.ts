/**
 * The machine's invariants, checked against independent recounts from the
 * engines. Each check names what broke; the first failure throws.
 *
 * - Pages are conserved: every zone's member ranges lie in present sections
 *   and hold exactly its present pages.
 * - Counters agree with page state: a zone's RESERVED pages are its present
 *   pages minus managed minus the self-hosted memmap of its blocks (free
 *   pages are, by definition, the engine's FREE count).
 * - Zones of all nodes hold disjoint pfns, inside their spans.
 * - Nodes: present = sum of their zones' present; N_MEMORY and
 *   N_NORMAL_MEMORY follow the present pages.
 * - Blocks and sections agree: a present section is ONLINE exactly when its
 *   block is online, an online block's sections carry its zone and an
 *   offline block's carry none.
 * - An offline block's pages are RESERVED, but for its self-hosted memmap
 *   (VMEMMAP), and no pageblock stays isolated outside an offline: what the
 *   lifecycle relies on to put a failed transition back.
 * - Memory groups count what their blocks hold.
 * - Every shard passes its own validate().
 *
 * Costs a few engine calls per zone and one section read per shard.
 */
import { NO_ZONE, NR_PAGE_CLASSES, PAGEBLOCK_ISOLATE, PAGES_PER_SECTION, PageClass, SECTION_WORD_ZONE_SHIFT, SectionFlag } from '../contract/constants.js';
import { ZONE_MOVABLE, ZONE_NORMAL } from './core/mmzone.js';
import { countClassesIn, countPageblocksOver } from './core/page-state.js';
import { rangePages } from './core/pfn-ranges.js';
import type { PfnRange, ZoneState } from './core/state.js';
import type { LifecycleHost } from './hotplug/host.js';
import type { MemoryBlock } from './hotplug/memory-blocks.js';

class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant broken: ${message}`);
    this.name = 'InvariantError';
  }
}

function check(condition: boolean, message: () => string): void {
  if (!condition) throw new InvariantError(message());
}

function zoneLabel(zone: ZoneState): string {
  return `node ${zone.nid} zone ${zone.name}`;
}

function selfHostedPagesOf(blocks: readonly MemoryBlock[], zone: ZoneState): number {
  let pages = 0;
  for (const block of blocks) if (block.zone === zone && block.state !== 'offline') pages += block.vmemmapPages;
  return pages;
}

export async function checkInvariants(host: LifecycleHost): Promise<void> {
  const blocks = host.blockList();
  const allMembers: (PfnRange & { zone: ZoneState })[] = [];

  for (const node of host.nodeStates) {
    let nodePresent = 0;
    for (const zone of node.zones) {
      const label = zoneLabel(zone);
      nodePresent += zone.presentPages;
      const ranges = zone.memberRanges;
      for (let i = 1; i < ranges.length; i++) {
        check(ranges[i - 1].endPfn <= ranges[i].startPfn, () => `${label}: member ranges overlap or are unsorted`);
      }
      check(rangePages(ranges) === zone.presentPages, () => `${label}: member ranges hold ${rangePages(ranges)} pages, present is ${zone.presentPages}`);
      if (zone.spannedPages === 0) {
        check(ranges.length === 0, () => `${label}: spans nothing but has member ranges`);
      } else {
        const zoneEndPfn = zone.zoneStartPfn + zone.spannedPages;
        for (const r of ranges) {
          check(r.startPfn >= zone.zoneStartPfn && r.endPfn <= zoneEndPfn, () => `${label}: member range [${r.startPfn}, ${r.endPfn}) outside the span [${zone.zoneStartPfn}, ${zoneEndPfn})`);
        }
      }
      check(zone.presentEarlyPages >= 0 && zone.presentEarlyPages <= zone.presentPages, () => `${label}: present early ${zone.presentEarlyPages} outside [0, present ${zone.presentPages}]`);
      for (const r of ranges) allMembers.push({ ...r, zone });

      if (zone.presentPages === 0) {
        check(zone.managedPages === 0, () => `${label}: no present pages but ${zone.managedPages} managed`);
        continue;
      }
      const counts = await countClassesIn(host.shards, ranges);
      let counted = 0;
      for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) counted += counts[cls];
      check(counted === zone.presentPages, () => `${label}: the engines hold ${counted} pages in the zone's ranges, present is ${zone.presentPages} (pages not conserved)`);
      const selfHosted = selfHostedPagesOf(blocks, zone);
      const expectedReserved = zone.presentPages - zone.managedPages - selfHosted;
      check(counts[PageClass.RESERVED] === expectedReserved, () => `${label}: ${counts[PageClass.RESERVED]} RESERVED pages, but present ${zone.presentPages} - managed ${zone.managedPages} - self-hosted memmap ${selfHosted} = ${expectedReserved}`);
      check(zone.filePages >= 0 && zone.filePages <= counts[PageClass.USER], () => `${label}: ${zone.filePages} page-cache pages, but the zone holds ${counts[PageClass.USER]} user pages`);
      check(counts[PageClass.FREE] <= zone.managedPages, () => `${label}: ${counts[PageClass.FREE]} free pages exceed managed ${zone.managedPages}`);
      if (zone.zoneIdx === ZONE_MOVABLE) {
        for (const cls of [PageClass.SLAB, PageClass.SLAB_RECLAIMABLE, PageClass.PGTABLE]) {
          check(counts[cls] === 0, () => `${label}: holds ${counts[cls]} unmovable kernel pages (class ${cls})`);
        }
      }
    }
    check(node.nodePresentPages === nodePresent, () => `node ${node.nid}: present ${node.nodePresentPages}, its zones sum to ${nodePresent}`);
    check(node.hasMemory === nodePresent > 0, () => `node ${node.nid}: N_MEMORY is ${node.hasMemory} with ${nodePresent} present pages`);
    const normalPresent = node.zones.filter((z) => z.zoneIdx <= ZONE_NORMAL).reduce((sum, z) => sum + z.presentPages, 0);
    check(node.hasNormalMemory === normalPresent > 0, () => `node ${node.nid}: N_NORMAL_MEMORY is ${node.hasNormalMemory} with ${normalPresent} present pages in kernel zones`);
    if (node.hasMemory) check(node.online, () => `node ${node.nid} has memory but is offline`);
    for (const zone of node.zones) {
      if (zone.spannedPages === 0) continue;
      const nodeEnd = node.nodeStartPfn + node.nodeSpannedPages;
      check(zone.zoneStartPfn >= node.nodeStartPfn && zone.zoneStartPfn + zone.spannedPages <= nodeEnd, () => `node ${node.nid}: zone ${zone.name} spans outside the node's span`);
    }
  }

  allMembers.sort((a, b) => a.startPfn - b.startPfn);
  for (let i = 1; i < allMembers.length; i++) {
    const prev = allMembers[i - 1];
    const cur = allMembers[i];
    check(prev.endPfn <= cur.startPfn, () => `${zoneLabel(prev.zone)} and ${zoneLabel(cur.zone)} both hold pfn ${cur.startPfn}`);
  }

  await checkBlocksAndSections(host, blocks);
  checkGroups(host, blocks);
  for (const shard of host.shards.shards) {
    try {
      await shard.engine.validate();
    } catch (error) {
      throw new InvariantError(`shard [${shard.startPfn}, ${shard.endPfn}) fails validate(): ${(error as Error).message}`);
    }
  }
}

async function checkBlocksAndSections(host: LifecycleHost, blocks: readonly MemoryBlock[]): Promise<void> {
  const sectionsPerBlock = host.geometry.sectionsPerBlock;
  const byId = new Map(blocks.map((b) => [b.id, b]));
  for (const block of blocks) {
    check(block.state === 'online' || block.state === 'offline', () => `memory${block.id} is ${block.state} outside an offline`);
    check(block.deviceOffline === (block.state === 'offline'), () => `memory${block.id}: online file disagrees with state ${block.state}`);
    if (block.state === 'offline') check(block.zone === null, () => `memory${block.id} is offline but keeps zone ${block.zone?.name}`);
    if (block.state === 'online' && block.zone !== null) {
      const zone = block.zone;
      const inside = zone.memberRanges.some((r) => r.startPfn <= block.startPfn && r.endPfn >= block.endPfn);
      check(inside || block.early, () => `memory${block.id} is online in ${zoneLabel(zone)} but its pages are not the zone's`);
    }
  }
  for (const shard of host.shards.shards) {
    const firstSectionNr = shard.startPfn / PAGES_PER_SECTION;
    const words = await shard.engine.readSections(firstSectionNr, (shard.endPfn - shard.startPfn) / PAGES_PER_SECTION);
    for (let i = 0; i < words.length; i++) {
      const word = words[i];
      if ((word & SectionFlag.PRESENT) === 0) continue;
      const sectionNr = firstSectionNr + i;
      const block = byId.get(Math.floor(sectionNr / sectionsPerBlock));
      check(block !== undefined, () => `section ${sectionNr} is present but no memory block holds it`);
      const b = block as MemoryBlock;
      const online = (word & SectionFlag.ONLINE) !== 0;
      check(online === (b.state === 'online'), () => `section ${sectionNr} is ${online ? '' : 'not '}ONLINE but memory${b.id} is ${b.state}`);
      const zoneId = (word >>> SECTION_WORD_ZONE_SHIFT) & 0xff;
      if (online && b.zone !== null) {
        check(zoneId === b.zone.zoneIdx, () => `section ${sectionNr} has zone id ${zoneId}, memory${b.id} is in ${b.zone?.name}`);
      }
      if (!online) check(zoneId === NO_ZONE, () => `section ${sectionNr} of the offline memory${b.id} has zone id ${zoneId}`);
    }
    const isolated = await countPageblocksOver(host.shards, shard.startPfn, shard.endPfn, PAGEBLOCK_ISOLATE, PAGEBLOCK_ISOLATE);
    check(isolated === 0, () => `shard [${shard.startPfn}, ${shard.endPfn}) has ${isolated} isolated pageblocks outside an offline`);
  }
  for (const block of blocks) {
    if (block.state !== 'offline') continue;
    const counts = await countClassesIn(host.shards, [{ startPfn: block.startPfn, endPfn: block.endPfn }]);
    const reserved = block.nrPages - block.vmemmapPages;
    check(
      counts[PageClass.RESERVED] === reserved && counts[PageClass.VMEMMAP] === block.vmemmapPages,
      () => `offline memory${block.id} holds ${counts[PageClass.RESERVED]} RESERVED and ${counts[PageClass.VMEMMAP]} VMEMMAP pages, expected ${reserved} and ${block.vmemmapPages}`,
    );
  }
}

function checkGroups(host: LifecycleHost, blocks: readonly MemoryBlock[]): void {
  for (const group of host.groups.all()) {
    const mine = blocks.filter((b) => b.group !== null && b.group.id === group.id);
    let kernel = 0;
    let movable = 0;
    for (const block of mine) {
      if (block.state !== 'online' || block.zone === null) continue;
      if (block.zone.zoneIdx === ZONE_MOVABLE) movable += block.nrPages;
      else kernel += block.nrPages;
    }
    check(group.nrMemoryBlocks === mine.length, () => `memory group ${group.id}: counts ${group.nrMemoryBlocks} blocks, holds ${mine.length}`);
    check(group.presentKernelPages === kernel, () => `memory group ${group.id}: present kernel ${group.presentKernelPages}, its online blocks hold ${kernel}`);
    check(group.presentMovablePages === movable, () => `memory group ${group.id}: present movable ${group.presentMovablePages}, its online blocks hold ${movable}`);
  }
}
