/**
 * Onlining a memory block (mm/memory_hotplug.c online_pages, reached
 * through memory_block_online in drivers/base/memory.c): the zone the
 * online policy picks (zone-policy.ts), the MEM_GOING_ONLINE notifier, the
 * block's pages handed to the buddy allocator, the zone and node
 * accounting (zone-accounting.ts), and the watermarks recomputed
 * (alloc/watermarks.ts).
 *
 * Page state: an offline block's pages are RESERVED (not in any zone, never
 * handed out), except its self-hosted memmap, which is VMEMMAP from hot-add
 * to hot-remove. Onlining makes the rest FREE.
 *
 * The transition is all or nothing against engine failures: its engine
 * writes go to its own undo log, and if one throws the block's page state is
 * put back exactly (the state before is fixed by the rules above) and the
 * error goes on. Its model changes come after the last engine write and are
 * recorded too, so the call that ran it can still take it back.
 */
import { Migratetype, NO_ZONE, PageClass, SectionFlag } from '../../contract/constants.js';
import { onlineSeconds } from '../core/cost.js';
import { ModelError } from '../core/errors.js';
import { failed, noWork, summarize } from '../core/outcomes.js';
import { countRemappedIn, UndoLog } from '../core/page-state.js';
import { saveNodeState } from '../core/state.js';
import { ONLINE_REQUEST_TYPES, type BlockOutcome, type BlockSelector, type OnlineRequestType, type Outcome } from '../core/types.js';
import type { HotplugContext } from './host.js';
import { refuse, saveBlockState, selectBlocks, storeState, workOf, type MemoryBlock, type Transition } from './memory-blocks.js';
import { accountOnline } from './zone-accounting.js';
import { zoneForPfnRange } from './zone-policy.js';

/** memory_block_online + online_pages for an offline block; its writes join `parent` when it succeeds. */
export async function onlineBlock(ctx: HotplugContext, block: MemoryBlock, onlineType: OnlineRequestType, parent: UndoLog): Promise<Transition> {
  const host = ctx.host;
  const node = host.node(block.nid);
  if (node === undefined) return refuse('EINVAL', `memory${block.id} belongs to no possible node`);
  // offline-migrated (offline-migrated.ts): kernel pages copied out of the
  // block are still reached through its direct-map addresses, which its own
  // pages would need again; the scheme has no way back, so it stays offline.
  const relocatedAway = await countRemappedIn(host.shards, [{ startPfn: block.startPfn, endPfn: block.endPfn }]);
  if (relocatedAway > 0) {
    return refuse('EBUSY', `memory${block.id}: its direct-map addresses still reach ${relocatedAway} kernel pages copied out when it went offline (offline-migrated), so its pages cannot be mapped again`);
  }
  let zoneIdx: number;
  try {
    zoneIdx = zoneForPfnRange(host.policy, onlineType, block.nid, block.group, block.startPfn, block.nrPages);
  } catch (error) {
    if (error instanceof ModelError) return refuse(error.errno, error.message);
    throw error;
  }
  const zone = node.zones[zoneIdx];
  // The veto comes before anything visible changes (the kernel grows the
  // span first and shrinks it back on the veto; the net effect is none).
  const veto = ctx.notifier.veto('MEM_GOING_ONLINE');
  if (veto !== undefined) return refuse(veto, `MEM_GOING_ONLINE notifier refused memory${block.id} (${veto})`);

  const { startPfn, endPfn } = block;
  const vmemmapEndPfn = startPfn + block.vmemmapPages;
  const log = new UndoLog(host.shards);
  try {
    await log.setClass(vmemmapEndPfn, endPfn, PageClass.FREE, PageClass.RESERVED);
    // An offline block's pageblocks are as hot-add left them (MOVABLE, the
    // altmap UNMOVABLE): nothing else writes migratetypes, so these writes
    // and their undo are the same values.
    await log.setMigratetype(vmemmapEndPfn, endPfn, Migratetype.MOVABLE, Migratetype.MOVABLE);
    if (block.vmemmapPages > 0) await log.setMigratetype(startPfn, vmemmapEndPfn, Migratetype.UNMOVABLE, Migratetype.UNMOVABLE);
    await log.setSectionZone(startPfn, endPfn, zoneIdx, NO_ZONE);
    await log.setSectionFlags(startPfn, endPfn, SectionFlag.ONLINE, 0);
  } catch (error) {
    return log.rollBack(error);
  }

  log.record(saveNodeState(node));
  accountOnline(node, zone, { startPfn, endPfn, vmemmapPages: block.vmemmapPages, early: block.early });
  if (block.group !== null) {
    const group = block.group;
    host.groups.adjustPresentPages(group.id, zoneIdx, block.nrPages);
    log.record(() => host.groups.adjustPresentPages(group.id, zoneIdx, -block.nrPages));
  }
  block.zone = zone;
  log.record(() => {
    block.zone = null;
  });
  // online_pages ends with init_per_zone_wmark_min: marks and reserves for the new managed counts.
  log.record(host.watermarks.save());
  host.watermarks.initPerZoneWmarkMin();
  log.commitTo(parent);
  const work = noWork();
  work.modelledSeconds = onlineSeconds(host.cost, block.nrPages, { selfHostedVmemmapPages: block.vmemmapPages });
  return { ok: true, work };
}

/**
 * Online the selected blocks in ascending order, writing `type` to each
 * offline block's state; blocks already online are left as they are.
 */
export async function onlineBlocks(ctx: HotplugContext, sel: BlockSelector, type: OnlineRequestType, log: UndoLog): Promise<Outcome> {
  if (!ONLINE_REQUEST_TYPES.includes(type)) {
    return failed('EINVAL', `type must be ${ONLINE_REQUEST_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const selected = selectBlocks(ctx.host.blockList(), sel);
  if (!Array.isArray(selected)) return selected;
  const transitions = ctx.transitions(log);
  const results: BlockOutcome[] = [];
  let seconds = 0;
  for (const block of selected) {
    if (block.state === 'online') {
      results.push({ id: block.id, ok: true, message: `memory${block.id} already online` });
      continue;
    }
    log.record(saveBlockState(block));
    const result = await storeState(block, type, transitions);
    if (result.ok) seconds += workOf(result).modelledSeconds;
    results.push(result.ok ? { id: block.id, ok: true } : { id: block.id, ok: false, errno: result.errno, message: result.message });
  }
  return summarize(results, seconds);
}
