/**
 * The watermark check of the page allocator (mm/page_alloc.c
 * `__zone_watermark_ok`, `__zone_watermark_unusable_free`,
 * `zone_watermark_fast`; the ALLOC_* bits of mm/internal.h), and which mark
 * and which reserve bits each kind of request gets (`gfp_to_alloc_flags`,
 * `__gfp_pfmemalloc_flags`): docs/kernel-facts.md, facts 62 and 63.
 *
 * A zone may hand out a page of order `order` to a request whose highest
 * usable zone is `hz` while
 *
 *     free - unusable  >  mark + lowmem_reserve[hz]
 *
 * where `unusable` is the order's own pages minus one plus the free pages the
 * request may not touch (highatomic reserves unless it may dip into them, CMA
 * unless it is movable), and `mark` is the zone's min, low or high
 * watermark, lowered for requests with access to reserves. The model
 * allocates order-0 pages, so the free-list test that follows for higher
 * orders is not modelled: the check here is the counting part.
 */

/** ALLOC_* bits that change the check (mm/internal.h). */
export const AllocFlag = {
  /** __GFP_HIGH, or a realtime task: half the mark. */
  MIN_RESERVE: 1 << 0,
  /** GFP_ATOMIC-like: cannot block, a further quarter off. */
  NON_BLOCK: 1 << 1,
  /** An OOM victim: half the mark. */
  OOM: 1 << 2,
  /** May use the zone's highatomic reserve. */
  HIGHATOMIC: 1 << 3,
  /** A movable request may use free CMA pages. */
  CMA: 1 << 4,
} as const;

/** Any of these lets a request use the highatomic reserve's free pages. */
const RESERVES = AllocFlag.MIN_RESERVE | AllocFlag.NON_BLOCK | AllocFlag.HIGHATOMIC | AllocFlag.OOM;

/** The watermark a pass tests: the fast path LOW, the slow path MIN, the last try before an OOM kill HIGH. */
export type WatermarkLevel = 'min' | 'low' | 'high';

/** The mark a request with `flags` tests against, from the zone's mark (MIN_RESERVE, NON_BLOCK, OOM cut it). */
export function effectiveMark(mark: number, flags: number): number {
  let m = mark;
  if ((flags & RESERVES) === 0) return m;
  if (flags & AllocFlag.MIN_RESERVE) {
    m -= Math.floor(m / 2);
    if (flags & AllocFlag.NON_BLOCK) m -= Math.floor(m / 4);
  }
  if (flags & AllocFlag.OOM) m -= Math.floor(m / 2);
  return m;
}

/** What one zone offers a check. */
export interface ZoneCheckInput {
  /** NR_FREE_PAGES. */
  freePages: number;
  /** The zone's watermark of the level tested (boost included). */
  mark: number;
  /** lowmem_reserve[hz]: the protection against requests whose highest zone is hz. */
  reserve: number;
  /** Free pages in highatomic pageblocks (0: none modelled yet). */
  freeHighatomic?: number;
  /** Free CMA pages (0: no CMA is modelled). */
  freeCma?: number;
}

/** `__zone_watermark_ok` for order `order` (counting part; see the file comment). */
export function zoneWatermarkOk(zone: ZoneCheckInput, order: number, flags: number): boolean {
  let unusable = 2 ** order - 1;
  if ((flags & RESERVES) === 0) unusable += zone.freeHighatomic ?? 0;
  if ((flags & AllocFlag.CMA) === 0) unusable += zone.freeCma ?? 0;
  const free = zone.freePages - unusable;
  return free > effectiveMark(zone.mark, flags) + zone.reserve;
}

/**
 * Pages of order 0 a zone can hand out at this mark before the check fails:
 * the check is made before each page, so it is the free pages above
 * `mark + reserve` (and what the request may not use).
 */
export function pagesAboveMark(zone: ZoneCheckInput, flags: number): number {
  let unusable = 0;
  if ((flags & RESERVES) === 0) unusable += zone.freeHighatomic ?? 0;
  if ((flags & AllocFlag.CMA) === 0) unusable += zone.freeCma ?? 0;
  return Math.max(0, zone.freePages - unusable - (effectiveMark(zone.mark, flags) + zone.reserve));
}
