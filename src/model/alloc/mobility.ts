/**
 * Mobility grouping: which pageblocks a request of a migratetype takes
 * pages from when its own run out (mm/page_alloc.c 6.18: `fallbacks`,
 * `__rmqueue_claim`, `should_try_claim_block`, `try_to_claim_block`,
 * `__rmqueue_steal`, `boost_watermark`, `reserve_highatomic_pageblock`;
 * docs/kernel-facts.md, facts 69 to 74).
 *
 * The rules here decide for one pageblock and one free chunk; the allocator
 * (page-alloc.ts) applies them to whole zones through the engine's
 * tag-aware claims, so that no loop over pageblocks runs in TypeScript.
 *
 * In short: a request takes free pages of its own migratetype's pageblocks
 * first. When there are none, it may *claim* a pageblock of a fallback type
 * (the whole block changes type) if enough of it is free or holds pages
 * alike to the request, scanning from the largest free chunks down; failing
 * that, it *steals* pages from the smallest fallback chunk and the block
 * keeps its type: a polluted pageblock. Unmovable and reclaimable requests
 * claim eagerly (at any chunk order); movable ones only from chunks of order
 * 4 and up.
 */
import { Migratetype, PAGEBLOCK_ORDER, PAGES_PER_PAGEBLOCK } from '../../contract/constants.js';

/** `fallbacks[]`: the types a request falls back to, in the order tried. */
export const FALLBACKS: Readonly<Record<number, readonly number[]>> = {
  [Migratetype.UNMOVABLE]: [Migratetype.RECLAIMABLE, Migratetype.MOVABLE],
  [Migratetype.MOVABLE]: [Migratetype.RECLAIMABLE, Migratetype.UNMOVABLE],
  [Migratetype.RECLAIMABLE]: [Migratetype.UNMOVABLE, Migratetype.MOVABLE],
};

/** MAX_PAGE_ORDER: the largest free chunk, 1024 pages. */
export const MAX_PAGE_ORDER = 10;
/** Half a pageblock: a block claimed must be at least this free-or-alike. */
export const CLAIM_THRESHOLD_PAGES = 1 << (PAGEBLOCK_ORDER - 1);
/** MIGRATE_TYPES with CMA and isolation configured: the mobility-off threshold is 512 pages per type. */
export const MIGRATE_TYPES = 6;

/**
 * `should_try_claim_block`: may a fallback chunk of `order` be claimed for
 * `requestMt`? Chunks of half a pageblock or more always; smaller ones only
 * for unmovable and reclaimable requests (or with grouping off).
 */
export function mayClaimAtOrder(order: number, requestMt: number, groupingDisabled = false): boolean {
  if (order >= PAGEBLOCK_ORDER / 2) return true;
  if (requestMt === Migratetype.UNMOVABLE || requestMt === Migratetype.RECLAIMABLE) return true;
  return groupingDisabled;
}

/**
 * Pages of a fallback block that count as "alike" to the request in
 * `try_to_claim_block`: for a movable request its movable pages; for an
 * unmovable or reclaimable request into a MOVABLE block every page that is
 * neither free nor movable; between UNMOVABLE and RECLAIMABLE none, since the
 * kernel cannot tell those pages apart.
 */
export function alikePages(requestMt: number, blockMt: number, freePages: number, movablePages: number): number {
  if (requestMt === Migratetype.MOVABLE) return movablePages;
  if (blockMt === Migratetype.MOVABLE) return PAGES_PER_PAGEBLOCK - freePages - movablePages;
  return 0;
}

/** What taking one fallback chunk does to its pageblock. */
export interface ClaimDecision {
  /** The block (or, for a chunk of a pageblock or more, every block it covers) takes the request's type. */
  claimed: boolean;
  /** The zone's watermark boost grows (a claim attempt below pageblock order). */
  boosts: boolean;
}

/**
 * `try_to_claim_block` for a chunk of `chunkOrder` in a block of type
 * `blockMt` holding `freePages` free and `movablePages` movable (LRU) pages;
 * `null` when the claim path does not take this chunk at all (a movable
 * request below order 4: it steals instead, without boosting, in 6.18).
 */
export function claimDecision(
  requestMt: number,
  blockMt: number,
  chunkOrder: number,
  freePages: number,
  movablePages: number,
  groupingDisabled = false,
): ClaimDecision | null {
  if (!mayClaimAtOrder(chunkOrder, requestMt, groupingDisabled)) return null;
  if (chunkOrder >= PAGEBLOCK_ORDER) return { claimed: true, boosts: false };
  const alike = alikePages(requestMt, blockMt, freePages, movablePages);
  return { claimed: groupingDisabled || freePages + alike >= CLAIM_THRESHOLD_PAGES, boosts: true };
}

/** `watermark_boost_factor` default (sysctl vm.watermark_boost_factor). */
export const DEFAULT_WATERMARK_BOOST_FACTOR = 15000;

/**
 * `boost_watermark`'s cap: the high mark times the factor (per 10000), at
 * least one pageblock; 0 (no boosting) without a factor, in zones under four
 * pageblocks, or when the product rounds to 0.
 */
export function watermarkBoostCap(managedPages: number, highMark: number, factor = DEFAULT_WATERMARK_BOOST_FACTOR): number {
  if (factor === 0 || managedPages < 4 * PAGES_PER_PAGEBLOCK) return 0;
  const maxBoost = Math.floor((highMark * factor) / 10000);
  return maxBoost === 0 ? 0 : Math.max(PAGES_PER_PAGEBLOCK, maxBoost);
}

/** `boost_watermark`: the zone's boost after one more sub-pageblock fallback, a pageblock at a time up to the cap. */
export function boostedWatermark(currentBoost: number, managedPages: number, highMark: number, factor = DEFAULT_WATERMARK_BOOST_FACTOR): number {
  const cap = watermarkBoostCap(managedPages, highMark, factor);
  return cap === 0 ? currentBoost : Math.min(currentBoost + PAGES_PER_PAGEBLOCK, cap);
}

/**
 * `reserve_highatomic_pageblock`'s cap: about 1% of the zone in whole
 * pageblocks, and none at all when 1% is less than a pageblock.
 */
export function highatomicCap(managedPages: number): number {
  const onePercent = Math.floor(managedPages / 100);
  if (onePercent < PAGES_PER_PAGEBLOCK) return 0;
  return Math.ceil(onePercent / PAGES_PER_PAGEBLOCK) * PAGES_PER_PAGEBLOCK;
}

/**
 * `build_all_zonelists`: mobility grouping is off when the whole machine has
 * fewer than 512 pages per migratetype above the high marks, and every
 * request is then UNMOVABLE (fact 69).
 */
export function groupingDisabled(pagesAboveHigh: number): boolean {
  return pagesAboveHigh < PAGES_PER_PAGEBLOCK * MIGRATE_TYPES;
}
