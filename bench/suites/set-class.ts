/**
 * setClass of random unaligned ranges (log-uniform lengths up to 2^16 pages),
 * alternating USER and FREE so the fleet's balance drifts little. This suite
 * changes state: it runs after the read-only suites.
 */
import { PageClass } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, measure, type Row } from '../common.js';
import { randomRanges, type FleetContext } from '../datasets.js';

const SUITE = 'set-class';
const SEED = 0x5e7c;
const NR_RANGES = 4096;
const MAX_RANGE_LOG2 = 16;

export async function setClassSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  const ranges = randomRanges(new Prng(SEED), basePfn, nrPages, NR_RANGES, MAX_RANGE_LOG2);
  const wrap = NR_RANGES - 1;
  const user = PageClass.USER;
  const free = PageClass.FREE;

  let wasmAt = 0;
  let refAt = 0;
  return [
    {
      suite: SUITE,
      primitive: 'setClass USER/FREE, random range (<= 2^16 pages)',
      wasm: await measure('wasm setClass', (n) => {
        let i = wasmAt;
        for (let k = 0; k < n; k++) {
          wasm.setClass(ranges[2 * i]!, ranges[2 * i + 1]!, (i & 1) === 0 ? user : free);
          i = (i + 1) & wrap;
        }
        wasmAt = i;
        return i;
      }, PLAN_BATCHED),
      ref: await measure('ref setClass', (n) => {
        let i = refAt;
        for (let k = 0; k < n; k++) {
          ref.setClass(ranges[2 * i]!, ranges[2 * i + 1]!, (i & 1) === 0 ? user : free);
          i = (i + 1) & wrap;
        }
        refAt = i;
        return i;
      }, PLAN_BATCHED),
    },
  ];
}
