/**
 * claim: take 32 FREE pages for USER in a random one-section range, then give
 * 32 USER pages back, so the range's balance is unchanged and the loop never
 * runs out (the figures are per claim call). Both claim modes.
 */
import { ClaimMode, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { PLAN_BATCHED, Prng, measure, type Row } from '../common.js';
import { sectionRangeStarts, type FleetContext } from '../datasets.js';

const SUITE = 'claim';
const SEED = 0xc1a1;
const NR_RANGES = 1024;
const CLAIM_PAGES = 32;

export async function claimSuite(ctx: FleetContext): Promise<Row[]> {
  const { wasm, ref } = ctx;
  const { basePfn, nrPages } = ctx.layout;
  // Ranges with material both ways, on both engines.
  const starts = sectionRangeStarts(
    new Prng(SEED),
    basePfn,
    nrPages,
    NR_RANGES,
    1,
    (startPfn, endPfn) =>
      [wasm, ref].every(
        (engine) =>
          engine.count(startPfn, endPfn, classBit(PageClass.FREE)) >= 2 * CLAIM_PAGES &&
          engine.count(startPfn, endPfn, classBit(PageClass.USER)) >= 2 * CLAIM_PAGES,
      ),
    'claim suite (FREE and USER pages both ways)',
  );
  /** Steps cycle over the ranges twice: a take and a give-back per range. */
  const wrap = 2 * NR_RANGES - 1;
  const free = PageClass.FREE;
  const user = PageClass.USER;
  const lowest = ClaimMode.LOWEST;
  const random = ClaimMode.RANDOM_PAGEBLOCK;

  let wasmLowAt = 0;
  let refLowAt = 0;
  let wasmRandAt = 0;
  let refRandAt = 0;
  return [
    {
      suite: SUITE,
      primitive: `claim ${CLAIM_PAGES} pages LOWEST, 1-section range`,
      wasm: await measure('wasm claim lowest', (n) => {
        let acc = 0;
        let i = wasmLowAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          // Even steps take FREE pages, odd steps give as many USER pages back.
          acc += (i & 1) === 0
            ? wasm.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, free, user, lowest, i)
            : wasm.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, user, free, lowest, i);
          i = (i + 1) & wrap;
        }
        wasmLowAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref claim lowest', (n) => {
        let acc = 0;
        let i = refLowAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          // Even steps take FREE pages, odd steps give as many USER pages back.
          acc += (i & 1) === 0
            ? ref.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, free, user, lowest, i)
            : ref.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, user, free, lowest, i);
          i = (i + 1) & wrap;
        }
        refLowAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
    {
      suite: SUITE,
      primitive: `claim ${CLAIM_PAGES} pages RANDOM_PAGEBLOCK, 1-section range`,
      wasm: await measure('wasm claim random', (n) => {
        let acc = 0;
        let i = wasmRandAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          // Even steps take FREE pages, odd steps give as many USER pages back.
          acc += (i & 1) === 0
            ? wasm.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, free, user, random, i)
            : wasm.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, user, free, random, i);
          i = (i + 1) & wrap;
        }
        wasmRandAt = i;
        return acc;
      }, PLAN_BATCHED),
      ref: await measure('ref claim random', (n) => {
        let acc = 0;
        let i = refRandAt;
        for (let k = 0; k < n; k++) {
          const s = starts[i >>> 1]!;
          // Even steps take FREE pages, odd steps give as many USER pages back.
          acc += (i & 1) === 0
            ? ref.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, free, user, random, i)
            : ref.claim(s, s + PAGES_PER_SECTION, CLAIM_PAGES, user, free, random, i);
          i = (i + 1) & wrap;
        }
        refRandAt = i;
        return acc;
      }, PLAN_BATCHED),
    },
  ];
}
