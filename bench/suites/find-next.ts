/**
 * find-next from random starting pfns to the window end: a rare class
 * (PINNED, about one page per 2^16: the sparse case), a medium one (SLAB,
 * inside a quarter of the pageblocks) and a common one (USER: dense). roaring
 * answers with select(rank(x - 1)), its only way to find the next member.
 */
import { PageClass, classBit } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, disagreement, measure, type Row } from '../common.js';
import { randomPfns, type FleetContext, type RoaringBitmap } from '../datasets.js';

const SUITE = 'find-next';
const SEED = 0xf1_4d;
const NR_STARTS = 4096;

/** roaring's next member at or after `offset`, or -1. */
function roaringNext(bitmap: RoaringBitmap, offset: number): number {
  const before = offset === 0 ? 0 : bitmap.rank(offset - 1);
  return bitmap.select(before) ?? -1;
}

export async function findNextSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  const endPfn = basePfn + nrPages;
  const starts = randomPfns(new Prng(SEED), basePfn, nrPages, NR_STARTS);
  const wrap = NR_STARTS - 1;
  const pinned = classBit(PageClass.PINNED);
  const slab = classBit(PageClass.SLAB);
  const user = classBit(PageClass.USER);
  const rows: Row[] = [];
  const roaring = ctx.roaring;

  const verify = (mask: number, bitmap?: RoaringBitmap): string | undefined =>
    disagreement('findNext', 64, (i) => wasm.findNext(starts[i]!, endPfn, mask), (i) =>
      ref.findNext(starts[i]!, endPfn, mask),
    ) ??
    (bitmap &&
      disagreement('roaring select(rank)', 16, (i) => {
        const offset = roaringNext(bitmap, starts[i]! - basePfn);
        return offset < 0 ? -1 : basePfn + offset;
      }, (i) => ref.findNext(starts[i]!, endPfn, mask)));

  // -- sparse: PINNED
  let wasmPinnedAt = 0;
  let refPinnedAt = 0;
  let roaringPinnedAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'findNext PINNED (sparse), random start',
    target: 'SPARSE_FIND',
    note: verify(pinned, roaring?.pinned),
    wasm: await measure('wasm findNext sparse', (n) => {
      let acc = 0;
      let i = wasmPinnedAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.findNext(starts[i]!, endPfn, pinned);
        i = (i + 1) & wrap;
      }
      wasmPinnedAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref findNext sparse', (n) => {
      let acc = 0;
      let i = refPinnedAt;
      for (let k = 0; k < n; k++) {
        acc += ref.findNext(starts[i]!, endPfn, pinned);
        i = (i + 1) & wrap;
      }
      refPinnedAt = i;
      return acc;
    }, PLAN_BATCHED),
    roaring:
      roaring &&
      (await measure('roaring next sparse', (n) => {
        let acc = 0;
        let i = roaringPinnedAt;
        const bitmap = roaring.pinned;
        for (let k = 0; k < n; k++) {
          const offset = starts[i]! - basePfn;
          acc += bitmap.select(offset === 0 ? 0 : bitmap.rank(offset - 1)) ?? -1;
          i = (i + 1) & wrap;
        }
        roaringPinnedAt = i;
        return acc;
      }, PLAN_BATCHED)),
  });

  // -- medium: SLAB
  let wasmSlabAt = 0;
  let refSlabAt = 0;
  let roaringSlabAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'findNext SLAB (in 1/4 of pageblocks), random start',
    note: verify(slab, roaring?.slab),
    wasm: await measure('wasm findNext slab', (n) => {
      let acc = 0;
      let i = wasmSlabAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.findNext(starts[i]!, endPfn, slab);
        i = (i + 1) & wrap;
      }
      wasmSlabAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref findNext slab', (n) => {
      let acc = 0;
      let i = refSlabAt;
      for (let k = 0; k < n; k++) {
        acc += ref.findNext(starts[i]!, endPfn, slab);
        i = (i + 1) & wrap;
      }
      refSlabAt = i;
      return acc;
    }, PLAN_BATCHED),
    roaring:
      roaring &&
      (await measure('roaring next slab', (n) => {
        let acc = 0;
        let i = roaringSlabAt;
        const bitmap = roaring.slab;
        for (let k = 0; k < n; k++) {
          const offset = starts[i]! - basePfn;
          acc += bitmap.select(offset === 0 ? 0 : bitmap.rank(offset - 1)) ?? -1;
          i = (i + 1) & wrap;
        }
        roaringSlabAt = i;
        return acc;
      }, PLAN_BATCHED)),
  });

  // -- dense: USER
  let wasmUserAt = 0;
  let refUserAt = 0;
  rows.push({
    suite: SUITE,
    primitive: 'findNext USER (dense), random start',
    note: verify(user),
    wasm: await measure('wasm findNext dense', (n) => {
      let acc = 0;
      let i = wasmUserAt;
      for (let k = 0; k < n; k++) {
        acc += wasm.findNext(starts[i]!, endPfn, user);
        i = (i + 1) & wrap;
      }
      wasmUserAt = i;
      return acc;
    }, PLAN_BATCHED),
    ref: await measure('ref findNext dense', (n) => {
      let acc = 0;
      let i = refUserAt;
      for (let k = 0; k < n; k++) {
        acc += ref.findNext(starts[i]!, endPfn, user);
        i = (i + 1) & wrap;
      }
      refUserAt = i;
      return acc;
    }, PLAN_BATCHED),
  });

  return rows;
}
