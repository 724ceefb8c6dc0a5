/**
 * Batch translation (virt_to_phys) of 16 Mi random direct-map addresses over
 * the fleet window (4 TiB) with 3% of its sections remapped inside the
 * window: one batch all on the direct map (fast path), one all in remapped
 * sections (slow path: the per-page table), one uniform over the window
 * (mixed). Then a node's worth of sections (2^20 pages) is remapped to
 * another node's shard as an offline-migrated hot-remove does it (slab pages
 * copied out in short runs, the rest left in place; the far node records its
 * frames with remapIn, then the fleet window relocates with remapOut), and
 * the same batches run again, with one all in the far-remapped sections.
 * The WASM side uses the engine's zero-copy buffers; the reference
 * translates a 2^20 batch on its own 2^26-page window of the same shape (see
 * TRANSLATION.refWindowLog2), which gets a node's worth remapped out too.
 */
import { Migratetype, PAGE_OFFSET, PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createEngine, type Engine, type TranslateBuffers } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { PLAN_LONG, PLAN_SLOW, Prng, measure, type Measurement } from '../common.js';
import {
  FAR_TRANSLATION,
  TRANSLATION,
  applyFarRemap,
  applyRemap,
  fillAddresses,
  planFarRemap,
  planRemap,
  type AddressMix,
  type FarRemapPlan,
  type FleetLayout,
  type RemapPlan,
} from '../datasets.js';

/** Addresses checked one by one against the plans before timing. */
const NR_CHECKED = 4096;

/** Aims from the design: ns per lookup. A far frame costs what a near one does. */
export const TRANSLATION_AIM_NS: Record<AddressMix, number | undefined> = { direct: 1, remapped: 8, far: 8, mixed: undefined };

/** Before or after the node's worth of sections is remapped to the far node. */
export type TranslationPhase = 'before' | 'after';

export interface TranslationRow {
  mix: AddressMix;
  phase: TranslationPhase;
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

/** The node's worth of sections remapped to the far node, and what it cost. */
export interface FarRemapReport {
  sections: number;
  /** Pages relocated (the slab pages), and the remapIn + remapOut pairs that did it. */
  relocatedPages: number;
  calls: number;
  /** Wall time of every remapIn on the far node and remapOut on the fleet window. */
  setupMs: number;
  /** Bytes the fleet window's state grew by (forward tables), and the far node's (reverse tables). */
  sourceBytes: number;
  farNodeBytes: number;
  /** Pageblocks of the fleet window relocated page by page (PFN BLOCKs, of which WIDE). */
  pfnBlocks: number;
  widePfnBlocks: number;
  /** countRemapped of the run of sections: pages and sections, as the engine counts them. */
  countedPages: number;
  countedSections: number;
}

export interface TranslationReport {
  /** Addresses per WASM batch and per reference batch. */
  batch: number;
  refBatch: number;
  remappedSections: number;
  relocatedPages: number;
  remapSetupMs: number;
  far: FarRemapReport;
  rows: TranslationRow[];
  /** The copying EngineApi path on the mixed batch after the far remap, for comparison. */
  copyingMixedNs: number;
}

/** Where the plans send the page of `pfn` (identity outside remapped sections). */
function plannedFrame(plan: RemapPlan, remappedIndex: Map<number, number>, far: FarRemapPlan | undefined, pfn: number): number {
  if (far !== undefined && pfn >= far.startPfn && pfn < far.startPfn + far.nrPages) {
    const frame = far.frames[pfn - far.startPfn]!;
    return frame < 0 ? pfn : frame;
  }
  const sectionIndex = Math.floor((pfn - plan.basePfn) / PAGES_PER_SECTION);
  const k = remappedIndex.get(sectionIndex);
  if (k === undefined) return pfn;
  const pageInSection = (pfn - plan.basePfn) % PAGES_PER_SECTION;
  const runsPerSection = PAGES_PER_SECTION / TRANSLATION.runPages;
  const r = k * runsPerSection + Math.floor(pageInSection / TRANSLATION.runPages);
  return plan.remaps[3 * r + 2]! + (pageInSection % TRANSLATION.runPages);
}

/** Check the first addresses of a filled batch against the plans; a note on the first mismatch. */
function checkAgainstPlan(plan: RemapPlan, far: FarRemapPlan | undefined, vas: BigUint64Array, pas: BigUint64Array): string | undefined {
  const remappedIndex = new Map<number, number>();
  plan.remappedSections.forEach((s, k) => remappedIndex.set(s, k));
  const pageSize = BigInt(PAGE_SIZE);
  for (let i = 0; i < Math.min(NR_CHECKED, vas.length); i++) {
    const pa = vas[i]! - PAGE_OFFSET;
    const pfn = Number(pa / pageSize);
    const want = BigInt(plannedFrame(plan, remappedIndex, far, pfn)) * pageSize + (pa % pageSize);
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
  const farPlan = planFarRemap(plan);
  const refFarPlan = planFarRemap(refPlan);

  const refInput = new BigUint64Array(refBatch);
  const rng = new Prng(TRANSLATION.seed + 1);
  const rows: TranslationRow[] = [];
  // Allocate the zero-copy buffers after every change: growth detaches them.
  let buffers: TranslateBuffers = wasm.translateBuffers(batch);
  let smallBuffers: TranslateBuffers = small.translateBuffers(refBatch);

  const measureMix = async (mix: AddressMix, phase: TranslationPhase): Promise<void> => {
    const far = phase === 'after' ? farPlan : undefined;
    const refFar = phase === 'after' ? refFarPlan : undefined;
    fillAddresses(buffers.input, plan, mix, rng, far);
    fillAddresses(refInput, refPlan, mix, rng, refFar);
    smallBuffers.input.set(refInput);

    // Correctness first: counts, the plans, and the reference on its window.
    const counts = wasm.virtToPhysInPlace(batch);
    let note: string | undefined;
    const expectSlow = mix === 'direct' ? 0 : mix === 'mixed' ? undefined : batch;
    if (counts.miss !== 0 || counts.fast + counts.slow !== batch || (expectSlow !== undefined && counts.slow !== expectSlow)) {
      note = `unexpected counts fast ${counts.fast} slow ${counts.slow} miss ${counts.miss}`;
    }
    note ??= checkAgainstPlan(plan, far, buffers.input, buffers.output);
    small.virtToPhysInPlace(refBatch);
    const refResult = ref.virtToPhys(refInput);
    for (let i = 0; i < refBatch && note === undefined; i++) {
      if (smallBuffers.output[i] !== refResult.out[i]) note = `RESULTS DIFFER from the reference at address ${i}`;
    }
    note ??= checkAgainstPlan(refPlan, refFar, smallBuffers.input, smallBuffers.output);

    const wasmM: Measurement = await measure(`wasm virtToPhys ${mix} ${phase}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += wasm.virtToPhysInPlace(batch).slow;
      return acc;
    }, PLAN_LONG);
    const smallM: Measurement = await measure(`wasm small virtToPhys ${mix} ${phase}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += small.virtToPhysInPlace(refBatch).slow;
      return acc;
    }, PLAN_LONG);
    const refM: Measurement = await measure(`ref virtToPhys ${mix} ${phase}`, (n) => {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ref.virtToPhys(refInput).slow;
      return acc;
    }, PLAN_SLOW);

    rows.push({
      mix,
      phase,
      wasmNs: wasmM.nsPerOp / batch,
      wasmRmePct: wasmM.rmePct,
      wasmSmallNs: smallM.nsPerOp / refBatch,
      refNs: refM.nsPerOp / refBatch,
      refRmePct: refM.rmePct,
      aimNs: TRANSLATION_AIM_NS[mix],
      note,
    });
  };

  for (const mix of ['direct', 'remapped', 'mixed'] as const) await measureMix(mix, 'before');

  // A node's worth of sections to the far node: its shard takes the frames
  // first, then the fleet window relocates the pages. The reference's window
  // and its WASM twin relocate theirs to the same far pfns.
  const farNode = await createEngine({ basePfn: FAR_TRANSLATION.farBasePfn, nrPages: FAR_TRANSLATION.farNrPages });
  farNode.addSections(FAR_TRANSLATION.farBasePfn, FAR_TRANSLATION.farBasePfn + FAR_TRANSLATION.farNrPages, 1, PageClass.FREE, Migratetype.MOVABLE, 0);
  const [sourceBytes0, farNodeBytes0] = [wasm.bytesUsed(), farNode.bytesUsed()];
  const t1 = performance.now();
  applyFarRemap(wasm, farPlan, farNode);
  const farSetupMs = performance.now() - t1;
  applyFarRemap(ref, refFarPlan);
  applyFarRemap(small, refFarPlan);
  const stats = wasm.representationStats();
  const counted = wasm.countRemapped(farPlan.startPfn, farPlan.startPfn + farPlan.nrPages);
  let relocatedPages = 0;
  for (let i = 1; i < farPlan.remaps.length; i += 3) relocatedPages += farPlan.remaps[i]!;
  const far: FarRemapReport = {
    sections: farPlan.sections.length,
    relocatedPages,
    calls: farPlan.remaps.length / 3,
    setupMs: farSetupMs,
    sourceBytes: wasm.bytesUsed() - sourceBytes0,
    farNodeBytes: farNode.bytesUsed() - farNodeBytes0,
    pfnBlocks: stats.pfnBlocks,
    widePfnBlocks: stats.widePfnBlocks,
    countedPages: counted.pages,
    countedSections: counted.sections,
  };
  buffers = wasm.translateBuffers(batch);
  smallBuffers = small.translateBuffers(refBatch);

  for (const mix of ['direct', 'remapped', 'far', 'mixed'] as const) await measureMix(mix, 'after');

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
    far,
    rows,
    copyingMixedNs: copying.nsPerOp / batch,
  };
}
