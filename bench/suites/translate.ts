/**
 * Batch translation (virt_to_phys) of 16 Mi random direct-map addresses over
 * the fleet window (4 TiB) with 3% of its sections remapped: one batch all on
 * the direct map (fast path), one all in remapped sections (slow path: the
 * per-page table), one uniform over the window (mixed). The WASM side uses the
 * engine's zero-copy buffers; the reference translates a 2^20 batch on its
 * own 2^26-page window of the same shape (see TRANSLATION.refWindowLog2).
 */
import { Migratetype, PAGE_OFFSET, PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { PLAN_LONG, PLAN_SLOW, Prng, measure, type Measurement } from '../common.js';
import {
  TRANSLATION,
  applyRemap,
  fillAddresses,
  planRemap,
  type AddressMix,
  type FleetLayout,
  type RemapPlan,
} from '../datasets.js';

/** Addresses checked one by one against the plan before timing. */
const NR_CHECKED = 4096;

/** Aims from the design: ns per lookup. */
export const TRANSLATION_AIM_NS: Record<AddressMix, number | undefined> = { direct: 1, remapped: 8, mixed: undefined };

export interface TranslationRow {
  mix: AddressMix;
  /** Zero-copy batch on the fleet window, ns per lookup. */
  wasmNs: number;
  wasmRmePct: number;
  /** Zero-copy batch on the reference's smaller window, ns per lookup. */
  wasmSmallNs: number;
  refNs: number;
  refRmePct: number;
  aimNs?: number;
  note?: string;
}

export interface TranslationReport {
  /** Addresses per WASM batch and per reference batch. */
  batch: number;
  refBatch: number;
  remappedSections: number;
  relocatedPages: number;
  remapSetupMs: number;
  rows: TranslationRow[];
  /** The copying EngineApi path on the mixed batch, for comparison. */
  copyingMixedNs: number;
}

/** Where the plan sends the page of `pfn` (identity outside remapped sections). */
function plannedFrame(plan: RemapPlan, remappedIndex: Map<number, number>, pfn: number): number {
  const sectionIndex = Math.floor((pfn - plan.basePfn) / PAGES_PER_SECTION);
  const k = remappedIndex.get(sectionIndex);
  if (k === undefined) return pfn;
  const pageInSection = (pfn - plan.basePfn) % PAGES_PER_SECTION;
  const runsPerSection = PAGES_PER_SECTION / TRANSLATION.runPages;
  const r = k * runsPerSection + Math.floor(pageInSection / TRANSLATION.runPages);
  return plan.remaps[3 * r + 2]! + (pageInSection % TRANSLATION.runPages);
}

/** Check the first addresses of a filled batch against the plan; a note on the first mismatch. */
function checkAgainstPlan(plan: RemapPlan, vas: BigUint64Array, pas: BigUint64Array): string | undefined {
  const remappedIndex = new Map<number, number>();
  plan.remappedSections.forEach((s, k) => remappedIndex.set(s, k));
  const pageSize = BigInt(PAGE_SIZE);
  for (let i = 0; i < Math.min(NR_CHECKED, vas.length); i++) {
    const pa = vas[i]! - PAGE_OFFSET;
    const pfn = Number(pa / pageSize);
    const want = BigInt(plannedFrame(plan, remappedIndex, pfn)) * pageSize + (pa % pageSize);
    if (pas[i] !== want) return `RESULTS DIFFER at address ${i}: got 0x${pas[i]!.toString(16)}, planned 0x${want.toString(16)}`;
  }
  return undefined;
}

/** Every section of the plan's window present, FREE (translation ignores classes). */
function bareWindow(engine: EngineApi, plan: RemapPlan): void {
  engine.addSections(plan.basePfn, plan.basePfn + plan.nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
}

/** `quick` shrinks the batches and the reference's window to check the harness itself. */
export async function translateSuite(wasm: Engine, layout: FleetLayout, quick = false): Promise<TranslationReport> {
  const plan = planRemap(layout.basePfn, layout.nrPages);
  const t0 = performance.now();
  applyRemap(wasm, plan);
  const remapSetupMs = performance.now() - t0;
  const batch = 2 ** (quick ? TRANSLATION.refBatchLog2 : TRANSLATION.batchLog2);
  const refBatch = 2 ** (quick ? TRANSLATION.refBatchLog2 - 4 : TRANSLATION.refBatchLog2);

  // The reference's window, and a WASM engine on the same window to check it against.
  const refPlan = planRemap(0, 2 ** (quick ? TRANSLATION.refWindowLog2 - 4 : TRANSLATION.refWindowLog2));
  const ref = createRefEngine({ basePfn: refPlan.basePfn, nrPages: refPlan.nrPages });
  const small = await createEngine({ basePfn: refPlan.basePfn, nrPages: refPlan.nrPages });
  bareWindow(ref, refPlan);
  bareWindow(small, refPlan);
  applyRemap(ref, refPlan);
  applyRemap(small, refPlan);

  // Allocate the zero-copy buffers last: later growth would detach them.
  const buffers = wasm.translateBuffers(batch);
  const smallBuffers = small.translateBuffers(refBatch);
  const refInput = new BigUint64Array(refBatch);
  const rng = new Prng(TRANSLATION.seed + 1);
  const rows: TranslationRow[] = [];

  for (const mix of ['direct', 'remapped', 'mixed'] as const) {
    fillAddresses(buffers.input, plan, mix, rng);
    fillAddresses(refInput, refPlan, mix, rng);
    smallBuffers.input.set(refInput);

    // Correctness first: counts, the plan, and the reference on its window.
    const counts = wasm.virtToPhysInPlace(batch);
    let note: string | undefined;
    const expectSlow = mix === 'direct' ? 0 : mix === 'remapped' ? batch : undefined;
    if (counts.miss !== 0 || counts.fast + counts.slow !== batch || (expectSlow !== undefined && counts.slow !== expectSlow)) {
      note = `unexpected counts fast ${counts.fast} slow ${counts.slow} miss ${counts.miss}`;
    }
    note ??= checkAgainstPlan(plan, buffers.input, buffers.output);
    small.virtToPhysInPlace(refBatch);
    const refResult = ref.virtToPhys(refInput);
    for (let i = 0; i < refBatch && note === undefined; i++) {
      if (smallBuffers.output[i] !== refResult.out[i]) note = `RESULTS DIFFER from the reference at address ${i}`;
    }

    const wasmM: Measurement = await measure(`wasm virtToPhys ${mix}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += wasm.virtToPhysInPlace(batch).slow;
      return acc;
    }, PLAN_LONG);
    const smallM: Measurement = await measure(`wasm small virtToPhys ${mix}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += small.virtToPhysInPlace(refBatch).slow;
      return acc;
    }, PLAN_LONG);
    const refM: Measurement = await measure(`ref virtToPhys ${mix}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ref.virtToPhys(refInput).slow;
      return acc;
    }, PLAN_SLOW);

    rows.push({
      mix,
      wasmNs: wasmM.nsPerOp / batch,
      wasmRmePct: wasmM.rmePct,
      wasmSmallNs: smallM.nsPerOp / refBatch,
      refNs: refM.nsPerOp / refBatch,
      refRmePct: refM.rmePct,
      aimNs: TRANSLATION_AIM_NS[mix],
      note,
    });
  }

  // The contract's copying path on the last (mixed) batch: copy in, translate, copy out.
  const mixedCopy = buffers.input.slice();
  const copying = await measure('wasm virtToPhys copying', (n) => {
    let acc = 0;
    for (let k = 0; k < n; k++) acc += wasm.virtToPhys(mixedCopy).slow;
    return acc;
  }, PLAN_SLOW);

  return {
    batch,
    refBatch,
    remappedSections: plan.remappedSections.length,
    relocatedPages: plan.remappedSections.length * PAGES_PER_SECTION,
    remapSetupMs,
    rows,
    copyingMixedNs: copying.nsPerOp / batch,
  };
}
