/**
 * countPageblocks: pageblocks tagged UNMOVABLE, over the whole window and
 * over random unaligned sub-ranges.
 */
import { MIGRATETYPE_MASK, Migratetype } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, disagreement, measure, type Row } from '../common.js';
import { randomRanges, type FleetContext } from '../datasets.js';

const SUITE = 'pageblocks';
const SEED = 0xb10c;
const NR_RANGES = 4096;
const MAX_RANGE_LOG2 = 22;

export async function pageblockSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  const endPfn = basePfn + nrPages;
  const ranges = randomRanges(new Prng(SEED), basePfn, nrPages, NR_RANGES, MAX_RANGE_LOG2);
  const wrap = NR_RANGES - 1;
  const unmovable = Migratetype.UNMOVABLE;
  const note = disagreement(
    'countPageblocks',
    64,
    (i) => wasm.countPageblocks(ranges[2 * i]!, ranges[2 * i + 1]!, MIGRATETYPE_MASK, unmovable),
    (i) => ref.countPageblocks(ranges[2 * i]!, ranges[2 * i + 1]!, MIGRATETYPE_MASK, unmovable),
  );

  let wasmAt = 0;
  let refAt = 0;
  return [
    {
      suite: SUITE,
      primitive: 'countPageblocks UNMOVABLE, whole window',
      note,
      wasm: await measure('wasm countPageblocks whole', (n) => {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += wasm.countPageblocks(basePfn, endPfn, MIGRATETYPE_MASK, unmovable);
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref countPageblocks whole', (n) => {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += ref.countPageblocks(basePfn, endPfn, MIGRATETYPE_MASK, unmovable);
        return acc;
      }, PLAN_BATCHED),
    },
    {
      suite: SUITE,
      primitive: 'countPageblocks UNMOVABLE, random sub-range',
      note,
      wasm: await measure('wasm countPageblocks sub', (n) => {
        let acc = 0;
        let i = wasmAt;
        for (let k = 0; k < n; k++) {
          acc += wasm.countPageblocks(ranges[2 * i]!, ranges[2 * i + 1]!, MIGRATETYPE_MASK, unmovable);
          i = (i + 1) & wrap;
        }
        wasmAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref countPageblocks sub', (n) => {
        let acc = 0;
        let i = refAt;
        for (let k = 0; k < n; k++) {
          acc += ref.countPageblocks(ranges[2 * i]!, ranges[2 * i + 1]!, MIGRATETYPE_MASK, unmovable);
          i = (i + 1) & wrap;
        }
        refAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
  ];
}
