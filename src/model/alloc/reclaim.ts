/**
 * Reclaim as it bears on zone imbalance, and what a request that cannot be
 * satisfied ends in (mm/vmscan.c `can_reclaim_anon_pages`,
 * `isolate_lru_folios`, `shrink_zones`; mm/page_alloc.c
 * `__alloc_pages_slowpath`, `should_reclaim_retry`, `__alloc_pages_may_oom`;
 * docs/kernel-facts.md, facts 75 and 76).
 *
 * Reclaim frees pages where they are: clean page cache, reclaimable slab and,
 * only when swap has room, anonymous memory. It never moves a page to
 * another zone, so page cache in ZONE_MOVABLE does nothing for a kernel
 * allocation: only reclaimable pages in the zones the request may use count.
 * Page tables, unreclaimable slab, pinned and reserved pages are not
 * reclaimable.
 *
 * The model treats page cache as clean and reclaimable slab as wholly
 * freeable; a real shrinker frees a slab page only once every object on it
 * is gone, and dirty page cache must be written back first.
 */
import { __GFP_FS, __GFP_NORETRY, __GFP_RETRY_MAYFAIL, gfpZone } from './gfp.js';
import { ZONE_NORMAL } from '../core/mmzone.js';
import type { AllocFailure } from '../core/types.js';

/** PAGE_ALLOC_COSTLY_ORDER: requests above order 3 are not worth an OOM kill. */
export const PAGE_ALLOC_COSTLY_ORDER = 3;

/**
 * `__alloc_pages_slowpath` after reclaim made no progress: whether the
 * kernel kills a task or fails the request. Highest zones below Normal
 * (GFP_DMA, GFP_DMA32), costly orders, `__GFP_RETRY_MAYFAIL` and
 * `__GFP_NORETRY` fail without a kill; requests without `__GFP_FS` loop.
 */
export function failureOutcome(gfp: number, order: number): AllocFailure {
  if (gfp & __GFP_NORETRY) return 'ENOMEM';
  if (order > PAGE_ALLOC_COSTLY_ORDER) return 'ENOMEM';
  if (gfp & __GFP_RETRY_MAYFAIL) return 'ENOMEM';
  if (gfpZone(gfp) < ZONE_NORMAL) return 'ENOMEM';
  if ((gfp & __GFP_FS) === 0) return 'stall';
  return 'oom';
}

/** What reclaim could free in one zone. */
export interface ZoneReclaimable {
  /** Clean page cache. */
  filePages: number;
  /** Reclaimable slab (dentries, inodes). */
  slabReclaimablePages: number;
  /** Anonymous memory, reclaimable only into swap. */
  anonPages: number;
}

/** Pages reclaim can free in a zone, given the swap space left. */
export function reclaimablePages(zone: ZoneReclaimable, swapFreePages: number): number {
  return zone.filePages + zone.slabReclaimablePages + Math.min(zone.anonPages, swapFreePages);
}
