/**
 * The tag-aware calls an allocator model is built on, on the fleet window,
 * each in random one-section ranges and balanced so the loop never runs out
 * (figures are per call):
 *
 * - claimTagged, mobility grouping: take 32 FREE pages for USER from MOVABLE
 *   pageblocks in seeded pageblock order, then give 32 USER pages back;
 * - claimTagged with a limit, a fragmented workload: take 32 FREE pages for
 *   SLAB at most 2 from any pageblock, then give 32 SLAB pages back the same way;
 * - retagPageblocks, the kernel's claim rule: retag up to 4 MOVABLE
 *   pageblocks holding at least half a pageblock of FREE|USER pages to
 *   RECLAIMABLE (a migratetype the fleet does not use), then every
 *   RECLAIMABLE pageblock of the range back to MOVABLE.
 *
 * Both engines run the first 64 steps before timing and must agree. This
 * suite changes state: it runs after the read-only suites.
 */
import { ClaimMode, MIGRATETYPE_MASK, Migratetype, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { PLAN_BATCHED, Prng, disagreement, measure, type Row } from '../common.js';
import { sectionRangeStarts, type FleetContext } from '../datasets.js';

const SUITE = 'tagged';
const SEED = 0x7a66;
const NR_RANGES = 1024;
const CLAIM_PAGES = 32;
/** The fragmented workload's per-pageblock limit. */
const SPREAD_LIMIT = 2;
const RETAG_BLOCKS = 4;
const HALF_PAGEBLOCK = PAGES_PER_PAGEBLOCK / 2;
const CHECKED_STEPS = 64;

/** Pages a limited claim of class `cls` can take from [startPfn, endPfn): the sum over pageblocks of min(pages, limit). */
function offeredUnderLimit(engine: EngineApi, startPfn: number, endPfn: number, cls: PageClass, limit: number): number {
  let sum = 0;
  for (let pfn = startPfn; pfn < endPfn; pfn += PAGES_PER_PAGEBLOCK) {
    sum += Math.min(limit, engine.count(pfn, Math.min(endPfn, pfn + PAGES_PER_PAGEBLOCK), classBit(cls)) as number);
  }
  return sum;
}

/** One-section ranges (pageblock aligned) where every step of the suite finds material. */
function pickStarts(ctx: FleetContext): Float64Array {
  const { wasm } = ctx;
  // Each give-back finds at least the pages its take made; the takes need FREE pages.
  const accept = (startPfn: number, endPfn: number): boolean =>
    wasm.countTagged(startPfn, endPfn, classBit(PageClass.FREE), MIGRATETYPE_MASK, Migratetype.MOVABLE) >= 2 * CLAIM_PAGES &&
    offeredUnderLimit(wasm, startPfn, endPfn, PageClass.FREE, SPREAD_LIMIT) >= 2 * CLAIM_PAGES;
  const { basePfn, nrPages } = ctx.layout;
  return sectionRangeStarts(new Prng(SEED), basePfn, nrPages, NR_RANGES, PAGES_PER_PAGEBLOCK, accept, 'tagged suite (FREE pages to take)');
}

export async function taggedSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const starts = pickStarts(ctx);
  /** Steps cycle over the ranges twice: a take and a give-back per range. */
  const wrap = 2 * NR_RANGES - 1;
  const { FREE, USER, SLAB } = PageClass;
  const random = ClaimMode.RANDOM_PAGEBLOCK;
  const mtMask = MIGRATETYPE_MASK;
  const { MOVABLE, RECLAIMABLE } = Migratetype;
  const movableGood = classBit(FREE) | classBit(USER);
  const span = PAGES_PER_SECTION;

  // Even steps take, odd steps give back; the same step on both engines must give the same answer.
  const groupStep = (e: EngineApi, i: number): number => {
    const s = starts[i >>> 1]!;
    return (i & 1) === 0
      ? e.claimTagged(s, s + span, CLAIM_PAGES, FREE, USER, random, i, mtMask, MOVABLE, 0)
      : e.claimTagged(s, s + span, CLAIM_PAGES, USER, FREE, random, i, mtMask, MOVABLE, 0);
  };
  const spreadStep = (e: EngineApi, i: number): number => {
    const s = starts[i >>> 1]!;
    return (i & 1) === 0
      ? e.claimTagged(s, s + span, CLAIM_PAGES, FREE, SLAB, random, i, 0, 0, SPREAD_LIMIT)
      : e.claimTagged(s, s + span, CLAIM_PAGES, SLAB, FREE, random, i, 0, 0, SPREAD_LIMIT);
  };
  const retagStep = (e: EngineApi, i: number): number => {
    const s = starts[i >>> 1]!;
    return (i & 1) === 0
      ? e.retagPageblocks(s, s + span, RETAG_BLOCKS, mtMask, MOVABLE, RECLAIMABLE, movableGood, HALF_PAGEBLOCK).goodPages
      : e.retagPageblocks(s, s + span, span, mtMask, RECLAIMABLE, MOVABLE, 0, 0).blocks;
  };
  // Run in pairs (take and give back) on both engines; their states stay equal.
  const groupNote = disagreement('claimTagged MOVABLE', CHECKED_STEPS, (i) => groupStep(wasm, i), (i) => groupStep(ref, i));
  const spreadNote = disagreement('claimTagged limit', CHECKED_STEPS, (i) => spreadStep(wasm, i), (i) => spreadStep(ref, i));
  const retagNote = disagreement('retagPageblocks', CHECKED_STEPS, (i) => retagStep(wasm, i), (i) => retagStep(ref, i));

  let wasmGroupAt = CHECKED_STEPS;
  let refGroupAt = CHECKED_STEPS;
  let wasmSpreadAt = CHECKED_STEPS;
  let refSpreadAt = CHECKED_STEPS;
  let wasmRetagAt = CHECKED_STEPS;
  let refRetagAt = CHECKED_STEPS;
  return [
    {
      suite: SUITE,
      primitive: `claimTagged ${CLAIM_PAGES} pages of MOVABLE pageblocks, RANDOM_PAGEBLOCK, 1-section range`,
      note: groupNote,
      wasm: await measure('wasm claimTagged movable', (n) => {
        let acc = 0;
        let i = wasmGroupAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? wasm.claimTagged(s, s + span, CLAIM_PAGES, FREE, USER, random, i, mtMask, MOVABLE, 0)
            : wasm.claimTagged(s, s + span, CLAIM_PAGES, USER, FREE, random, i, mtMask, MOVABLE, 0);
          i = (i + 1) & wrap;
        }
        wasmGroupAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref claimTagged movable', (n) => {
        let acc = 0;
        let i = refGroupAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? ref.claimTagged(s, s + span, CLAIM_PAGES, FREE, USER, random, i, mtMask, MOVABLE, 0)
            : ref.claimTagged(s, s + span, CLAIM_PAGES, USER, FREE, random, i, mtMask, MOVABLE, 0);
          i = (i + 1) & wrap;
        }
        refGroupAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
    {
      suite: SUITE,
      primitive: `claimTagged ${CLAIM_PAGES} pages, at most ${SPREAD_LIMIT} per pageblock, RANDOM_PAGEBLOCK, 1-section range`,
      note: spreadNote,
      wasm: await measure('wasm claimTagged limit', (n) => {
        let acc = 0;
        let i = wasmSpreadAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? wasm.claimTagged(s, s + span, CLAIM_PAGES, FREE, SLAB, random, i, 0, 0, SPREAD_LIMIT)
            : wasm.claimTagged(s, s + span, CLAIM_PAGES, SLAB, FREE, random, i, 0, 0, SPREAD_LIMIT);
          i = (i + 1) & wrap;
        }
        wasmSpreadAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref claimTagged limit', (n) => {
        let acc = 0;
        let i = refSpreadAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? ref.claimTagged(s, s + span, CLAIM_PAGES, FREE, SLAB, random, i, 0, 0, SPREAD_LIMIT)
            : ref.claimTagged(s, s + span, CLAIM_PAGES, SLAB, FREE, random, i, 0, 0, SPREAD_LIMIT);
          i = (i + 1) & wrap;
        }
        refSpreadAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
    {
      suite: SUITE,
      primitive: `retagPageblocks ${RETAG_BLOCKS} MOVABLE pageblocks with half FREE|USER, and back, 1-section range`,
      note: retagNote,
      wasm: await measure('wasm retagPageblocks', (n) => {
        let acc = 0;
        let i = wasmRetagAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? wasm.retagPageblocks(s, s + span, RETAG_BLOCKS, mtMask, MOVABLE, RECLAIMABLE, movableGood, HALF_PAGEBLOCK).goodPages
            : wasm.retagPageblocks(s, s + span, span, mtMask, RECLAIMABLE, MOVABLE, 0, 0).blocks;
          i = (i + 1) & wrap;
        }
        wasmRetagAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref retagPageblocks', (n) => {
        let acc = 0;
        let i = refRetagAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          acc += (i & 1) === 0
            ? ref.retagPageblocks(s, s + span, RETAG_BLOCKS, mtMask, MOVABLE, RECLAIMABLE, movableGood, HALF_PAGEBLOCK).goodPages
            : ref.retagPageblocks(s, s + span, span, mtMask, RECLAIMABLE, MOVABLE, 0, 0).blocks;
          i = (i + 1) & wrap;
        }
        refRetagAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
  ];
}
