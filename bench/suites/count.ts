/**
 * Count-type operations: countClasses and count with class masks, over the
 * whole window and over random unaligned sub-ranges. roaring answers
 * the single-class count with rangeCardinality over its SLAB bitmap.
 * The engine's counts take whole sections from prefix sums and count only
 * the partial edge sections, so their cost does not grow with the range's
 * length: the last row draws lengths up to the whole window to show it.
 */
import { PageClass, classBit } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, disagreement, measure, type Row } from '../common.js';
import { randomRanges, type FleetContext } from '../datasets.js';

const SUITE = 'count';
const SEED = 0xc0_0417;
/** Sub-range arguments per stream (a power of two: the cursor wraps with a mask). */
const NR_RANGES = 4096;
/** Sub-range lengths are log-uniform up to 2^22 pages (16 GiB). */
const MAX_RANGE_LOG2 = 22;
/** The long sub-ranges' stream: its own seed, lengths log-uniform up to the whole window. */
const LONG_SEED = 0xc0_0418;
/**
 * The cold stream: as many sub-ranges as this, so the lines their edges read
 * (about 2 KiB each on the engine) are not still in cache from the last
 * pass, as most of the 4096-range streams' are: both the engine and roaring
 * then wait on memory.
 */
const NR_COLD_RANGES = 65536;
const COLD_SEED = 0xc0_0419;
const SLAB_MASK = classBit(PageClass.SLAB);
const MOVABLE_MASK = classBit(PageClass.USER) | classBit(PageClass.FREE);

export async function countSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  const endPfn = basePfn + nrPages;
  const ranges = randomRanges(new Prng(SEED), basePfn, nrPages, NR_RANGES, MAX_RANGE_LOG2);
  const longRanges = randomRanges(new Prng(LONG_SEED), basePfn, nrPages, NR_RANGES, Math.log2(nrPages));
  const coldRanges = randomRanges(new Prng(COLD_SEED), basePfn, nrPages, NR_COLD_RANGES, MAX_RANGE_LOG2);
  const wrap = NR_RANGES - 1;
  const rows: Row[] = [];
  const slab = ctx.roaring?.slab;
  const note =
    disagreement('countClasses', 64, (i) => wasm.countClasses(ranges[2 * i]!, ranges[2 * i + 1]!), (i) =>
      ref.countClasses(ranges[2 * i]!, ranges[2 * i + 1]!),
    ) ??
    disagreement('count', 64, (i) => wasm.count(ranges[2 * i]!, ranges[2 * i + 1]!, SLAB_MASK), (i) =>
      ref.count(ranges[2 * i]!, ranges[2 * i + 1]!, SLAB_MASK),
    ) ??
    disagreement('count, long ranges', 64, (i) => wasm.count(longRanges[2 * i]!, longRanges[2 * i + 1]!, SLAB_MASK), (i) =>
      ref.count(longRanges[2 * i]!, longRanges[2 * i + 1]!, SLAB_MASK),
    ) ??
    (slab &&
      (disagreement('roaring rangeCardinality', 64, (i) => slab.rangeCardinality(ranges[2 * i]! - basePfn, ranges[2 * i + 1]! - basePfn), (i) =>
        ref.count(ranges[2 * i]!, ranges[2 * i + 1]!, SLAB_MASK),
      ) ??
        disagreement('count, cold ranges', 64, (i) => wasm.count(coldRanges[2 * i]!, coldRanges[2 * i + 1]!, SLAB_MASK), (i) =>
          slab.rangeCardinality(coldRanges[2 * i]! - basePfn, coldRanges[2 * i + 1]! - basePfn),
        )));

  // -- countClasses, whole window
  rows.push({
    suite: SUITE,
    primitive: 'countClasses, whole window',
    target: 'COUNT',
    wasm: await measure('wasm countClasses whole', (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += wasm.countClasses(basePfn, endPfn)[PageClass.USER]!;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref countClasses whole', (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ref.countClasses(basePfn, endPfn)[PageClass.USER]!;
      return acc;
    }, PLAN_BATCHED),
  });

  // -- count SLAB, whole window
  rows.push({
    suite: SUITE,
    primitive: 'count SLAB, whole window',
    target: 'COUNT',
    wasm: await measure('wasm count whole', (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += wasm.count(basePfn, endPfn, SLAB_MASK);
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref count whole', (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ref.count(basePfn, endPfn, SLAB_MASK);
      return acc;
    }, PLAN_BATCHED),
    roaring:
      slab &&
      (await measure('roaring rangeCardinality whole', (n) => {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += slab.rangeCardinality(0, nrPages);
        return acc;
      }, PLAN_BATCHED)),
  });

  // -- countClasses, random sub-ranges
  let wasmAt = 0;
  let refAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'countClasses, random sub-range (<= 2^22 pages)',
    target: 'COUNT',
    wasm: await measure('wasm countClasses sub', (n) => {
      let acc = 0;
      let i = wasmAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.countClasses(ranges[2 * i]!, ranges[2 * i + 1]!)[PageClass.FREE]!;
        i = (i + 1) & wrap;
      }
      wasmAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref countClasses sub', (n) => {
      let acc = 0;
      let i = refAt;
      for (let k = 0; k < n; k++) {
        acc += ref.countClasses(ranges[2 * i]!, ranges[2 * i + 1]!)[PageClass.FREE]!;
        i = (i + 1) & wrap;
      }
      refAt = i;
      return acc;
    }, PLAN_BATCHED),
  });

  // -- count SLAB, random sub-ranges
  let wasmSlabAt = 0;
  let refSlabAt = 0;
  let roaringSlabAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'count SLAB, random sub-range',
    target: 'COUNT',
    wasm: await measure('wasm count sub', (n) => {
      let acc = 0;
      let i = wasmSlabAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.count(ranges[2 * i]!, ranges[2 * i + 1]!, SLAB_MASK);
        i = (i + 1) & wrap;
      }
      wasmSlabAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref count sub', (n) => {
      let acc = 0;
      let i = refSlabAt;
      for (let k = 0; k < n; k++) {
        acc += ref.count(ranges[2 * i]!, ranges[2 * i + 1]!, SLAB_MASK);
        i = (i + 1) & wrap;
      }
      refSlabAt = i;
      return acc;
    }, PLAN_BATCHED),
    roaring:
      slab &&
      (await measure('roaring rangeCardinality sub', (n) => {
        let acc = 0;
        let i = roaringSlabAt;
        for (let k = 0; k < n; k++) {
          acc += slab.rangeCardinality(ranges[2 * i]! - basePfn, ranges[2 * i + 1]! - basePfn);
          i = (i + 1) & wrap;
        }
        roaringSlabAt = i;
        return acc;
      }, PLAN_BATCHED)),
  });

  // -- count USER|FREE, random sub-ranges
  let wasmMixAt = 0;
  let refMixAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'count USER|FREE, random sub-range',
    target: 'COUNT',
    wasm: await measure('wasm count mask sub', (n) => {
      let acc = 0;
      let i = wasmMixAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.count(ranges[2 * i]!, ranges[2 * i + 1]!, MOVABLE_MASK);
        i = (i + 1) & wrap;
      }
      wasmMixAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref count mask sub', (n) => {
      let acc = 0;
      let i = refMixAt;
      for (let k = 0; k < n; k++) {
        acc += ref.count(ranges[2 * i]!, ranges[2 * i + 1]!, MOVABLE_MASK);
        i = (i + 1) & wrap;
      }
      refMixAt = i;
      return acc;
    }, PLAN_BATCHED),
  });

  // -- count SLAB, random sub-ranges up to the whole window
  let wasmLongAt = 0;
  let refLongAt = 0;
  let roaringLongAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'count SLAB, random sub-range (<= whole window)',
    target: 'COUNT',
    wasm: await measure('wasm count long', (n) => {
      let acc = 0;
      let i = wasmLongAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.count(longRanges[2 * i]!, longRanges[2 * i + 1]!, SLAB_MASK);
        i = (i + 1) & wrap;
      }
      wasmLongAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref count long', (n) => {
      let acc = 0;
      let i = refLongAt;
      for (let k = 0; k < n; k++) {
        acc += ref.count(longRanges[2 * i]!, longRanges[2 * i + 1]!, SLAB_MASK);
        i = (i + 1) & wrap;
      }
      refLongAt = i;
      return acc;
    }, PLAN_BATCHED),
    roaring:
      slab &&
      (await measure('roaring rangeCardinality long', (n) => {
        let acc = 0;
        let i = roaringLongAt;
        for (let k = 0; k < n; k++) {
          acc += slab.rangeCardinality(longRanges[2 * i]! - basePfn, longRanges[2 * i + 1]! - basePfn);
          i = (i + 1) & wrap;
        }
        roaringLongAt = i;
        return acc;
      }, PLAN_BATCHED)),
  });

  // -- count SLAB, random sub-ranges, too many for their edges to stay in cache
  const coldWrap = NR_COLD_RANGES - 1;
  let wasmColdAt = 0;
  let roaringColdAt = 0;
  rows.push({
    suite: SUITE,
    primitive: `count SLAB, random sub-range, 2^${Math.log2(NR_COLD_RANGES)} ranges (edges out of cache)`,
    wasm: await measure('wasm count cold', (n) => {
      let acc = 0;
      let i = wasmColdAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.count(coldRanges[2 * i]!, coldRanges[2 * i + 1]!, SLAB_MASK);
        i = (i + 1) & coldWrap;
      }
      wasmColdAt = i;
      return acc;
    }, PLAN_BATCHED),
    roaring:
      slab &&
      (await measure('roaring rangeCardinality cold', (n) => {
        let acc = 0;
        let i = roaringColdAt;
        for (let k = 0; k < n; k++) {
          acc += slab.rangeCardinality(coldRanges[2 * i]! - basePfn, coldRanges[2 * i + 1]! - basePfn);
          i = (i + 1) & coldWrap;
        }
        roaringColdAt = i;
        return acc;
      }, PLAN_BATCHED)),
  });

  if (note !== undefined) for (const row of rows) row.note = note;
  return rows;
}
