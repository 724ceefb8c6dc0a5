/**
 * Where inside one zone a request's pages go: mobility grouping as
 * `__rmqueue` does it (mobility.ts has the per-block rules), applied to the
 * whole zone through the engine's tag-aware calls, so that no loop over
 * pageblocks runs here.
 *
 * grouped (the kernel's behaviour):
 * 1. free pages of the request's own migratetype's pageblocks;
 * 2. whole free pageblocks of a fallback type, claimed (retagged) in
 *    fallback order: the kernel's order-9 and order-10 fallback chunks;
 * 3. unless ALLOC_NOFRAGMENT: pageblocks of a fallback type whose free and
 *    alike pages reach half a pageblock, claimed;
 * 4. unless ALLOC_NOFRAGMENT: pages stolen from fallback pageblocks, which
 *    keep their type (pollution).
 * fragmented (a long-running machine, calibrated): unmovable and
 * reclaimable requests first spread over seeded random MOVABLE pageblocks,
 * at most FRAGMENT_UNMOVABLE_PER_PAGEBLOCK unmovable pages in any one, then
 * go on as grouped.
 * compact: free pages in pfn order, pageblock types ignored.
 */
import {
  ALL_CLASSES,
  ClaimMode,
  classBit,
  MIGRATETYPE_MASK,
  Migratetype,
  PAGEBLOCK_ISOLATE,
  PAGES_PER_PAGEBLOCK,
  PageClass,
} from '../../contract/constants.js';
import { EngineError } from '../../contract/errors.js';
import { mix32 } from '../../contract/permute.js';
import { CLAIM_THRESHOLD_PAGES, FALLBACKS } from './mobility.js';
import { countIn, countTaggedIn, type UndoLog } from '../core/page-state.js';
import type { ZoneState } from '../core/state.js';
import type { Placement } from '../core/types.js';

/**
 * The fleet calibration of `fragmented`: one request puts at most this many
 * unmovable pages in any pageblock it visits. Each page class walks its own
 * seeded order of pageblocks, so the kinds overlap only by chance, as slab
 * caches, page tables and pins do. Measured as a fleet scan would measure it
 * (unmovable allocations as a share of MemTotal, the managed pages; a
 * pageblock counted when it holds any unmovable page, the boot memmap and
 * reservations included), 74 puts 6.0% unmovable in 32% of the pageblocks,
 * 6.5% in 34% and 7.0% in 36%: the figure J. Weiner measured on Meta's fleet
 * (linux-mm, 2023). test/model/alloc/fleet-fragmentation.test.ts checks it.
 */
export const FRAGMENT_UNMOVABLE_PER_PAGEBLOCK = 74;

/** Page classes that make a pageblock unmovable: the cap of `fragmented` counts them. */
export const UNMOVABLE_CLASSES =
  classBit(PageClass.SLAB) |
  classBit(PageClass.SLAB_RECLAIMABLE) |
  classBit(PageClass.PGTABLE) |
  classBit(PageClass.PINNED) |
  classBit(PageClass.RESERVED) |
  classBit(PageClass.VMEMMAP);
/** Movable (LRU) pages, as `try_to_claim_block` counts them: pinned pages sit on the LRU too. */
const MOVABLE_CLASSES = classBit(PageClass.USER) | classBit(PageClass.PINNED);
const FREE = classBit(PageClass.FREE);

/** Tags of pageblocks of migratetype `mt` that are not isolated. */
const TAG_MASK = MIGRATETYPE_MASK | PAGEBLOCK_ISOLATE;

/** The classes that count toward claiming a `blockMt` block for a `requestMt` request: free plus alike pages. */
function claimGoodMask(requestMt: number, blockMt: number): number {
  if (requestMt === Migratetype.MOVABLE) return FREE | MOVABLE_CLASSES;
  if (blockMt === Migratetype.MOVABLE) return ALL_CLASSES & ~MOVABLE_CLASSES;
  return FREE;
}

/** Rounds of claim-then-take before the model moves on to stealing. */
const MAX_CLAIM_ROUNDS = 32;

export interface ZoneRequest {
  nrPages: number;
  cls: PageClass;
  migratetype: number;
  placement: Placement;
  seed: number;
  /** ALLOC_NOFRAGMENT: own pageblocks and whole free fallback blocks only. */
  noFragment: boolean;
  /** Mobility grouping is off: pages come from any pageblock, which keeps its type. */
  groupingDisabled: boolean;
}

/** Place up to `req.nrPages` pages in `zone`; returns how many were placed. */
export async function placeInZone(log: UndoLog, zone: ZoneState, req: ZoneRequest): Promise<number> {
  const ranges = zone.memberRanges;
  let left = req.nrPages;
  const shards = log.shards;

  if (req.placement === 'compact' || req.groupingDisabled) {
    const free = await countIn(shards, ranges, FREE);
    const n = Math.min(left, free);
    if (n > 0) await log.claim(ranges, n, PageClass.FREE, req.cls);
    return n;
  }

  const fromTag = async (mt: number, mode = ClaimMode.LOWEST, seed = 0): Promise<void> => {
    if (left === 0) return;
    const n = Math.min(left, await countTaggedIn(shards, ranges, FREE, TAG_MASK, mt));
    if (n === 0) return;
    await log.claimTagged(ranges, n, PageClass.FREE, req.cls, mode, seed, TAG_MASK, mt, 0);
    left -= n;
  };
  const own = (): Promise<void> => fromTag(req.migratetype);

  if (req.placement === 'fragmented' && req.migratetype !== Migratetype.MOVABLE) await spread(log, zone, req, () => left, (n) => (left -= n));

  await own();
  // Whole free pageblocks first: the largest chunks are tried first, and a
  // chunk of a pageblock or more changes its blocks' type outright.
  for (const fallback of FALLBACKS[req.migratetype]) {
    for (let round = 0; left > 0 && round < MAX_CLAIM_ROUNDS; round++) {
      const { blocks } = await log.retagPageblocks(ranges, Math.ceil(left / PAGES_PER_PAGEBLOCK), TAG_MASK, fallback, req.migratetype, FREE, PAGES_PER_PAGEBLOCK);
      if (blocks === 0) break;
      await own();
    }
  }
  if (req.noFragment) return req.nrPages - left;
  // Blocks at least half free or alike to the request.
  for (const fallback of FALLBACKS[req.migratetype]) {
    const goodMask = claimGoodMask(req.migratetype, fallback);
    for (let round = 0; left > 0 && round < MAX_CLAIM_ROUNDS; round++) {
      const { blocks } = await log.retagPageblocks(ranges, Math.ceil(left / CLAIM_THRESHOLD_PAGES), TAG_MASK, fallback, req.migratetype, goodMask, CLAIM_THRESHOLD_PAGES);
      if (blocks === 0) break;
      await own();
    }
  }
  // Steal: the blocks keep their type.
  for (const fallback of FALLBACKS[req.migratetype]) await fromTag(fallback);
  return req.nrPages - left;
}

/** The pageblock order of one page class under a workload seed: kinds of one seed walk different orders. */
function classSeed(seed: number, cls: PageClass): number {
  return mix32(seed ^ Math.imul(cls + 1, 0x9e3779b9));
}

/**
 * `fragmented`'s first step: up to the request's pages spread over seeded
 * random MOVABLE pageblocks, no block holding more than the calibrated number
 * of unmovable pages. When the zone cannot take them all under the cap, half
 * as many are tried, down to one pageblock's worth; the rest goes the grouped way.
 */
async function spread(log: UndoLog, zone: ZoneState, req: ZoneRequest, left: () => number, took: (n: number) => void): Promise<void> {
  // No more than the free pages of the zone's MOVABLE pageblocks: a request
  // larger than those (another node's kernel memory spilling into a small
  // node) is spread as far as they go, and the rest goes the grouped way.
  let n = Math.min(left(), await countTaggedIn(log.shards, zone.memberRanges, FREE, TAG_MASK, Migratetype.MOVABLE));
  while (n > 0) {
    try {
      await log.claimTagged(
        zone.memberRanges,
        n,
        PageClass.FREE,
        req.cls,
        ClaimMode.RANDOM_PAGEBLOCK,
        classSeed(req.seed, req.cls),
        TAG_MASK,
        Migratetype.MOVABLE,
        FRAGMENT_UNMOVABLE_PER_PAGEBLOCK,
      );
      took(n);
      return;
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== 'E_NOSPC' || n <= FRAGMENT_UNMOVABLE_PER_PAGEBLOCK) {
        if (error instanceof EngineError && error.code === 'E_NOSPC') return;
        throw error;
      }
      n = Math.floor(n / 2);
    }
  }
}
