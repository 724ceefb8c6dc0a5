/**
 * Benchmark machines, described once from a seed and applied to every engine
 * through the engine contract (range calls only), so the WASM engine and the
 * reference hold exactly the same state.
 *
 * The fleet window is 2^30 pages (4 TiB) mixed the way production fleets are
 * (J. Weiner, linux-mm 2023): unmovable kernel pages are under 7% of memory
 * yet sit in about 34% of 2 MiB pageblocks. The rest is USER and FREE.
 *
 * ```
 *  pageblock (512 pages)          share   content
 *  polluted                       34%     USER or FREE background, a few USER/FREE
 *                                          runs, 1-4 unmovable runs (SLAB, PGTABLE)
 *                                          of ~100 pages in all; tagged UNMOVABLE
 *  uniform USER                   ~40%    one class, merged with its neighbours
 *  uniform FREE                   ~16%    nothing to do: sections are added FREE
 *  mixed USER/FREE                ~10%    2-4 runs
 *  + PINNED single pages, thinly, inside polluted pageblocks (the rare class)
 * ```
 */
import {
  Migratetype,
  PAGE_OFFSET,
  PAGE_SIZE,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  SectionFlag,
} from '../src/contract/constants.js';
import type { EngineApi } from '../src/contract/engine-api.js';
import { Prng } from './common.js';

/** Fleet calibration and shape: the one home of the dataset's numbers. */
export const FLEET = {
  seed: 0x5eed_2023,
  /** Window start: 4 GiB up, so pfns are absolute and not offsets. */
  basePfn: 1 << 20,
  /** 2^30 pages: 4 TiB. */
  nrPages: 2 ** 30,
  /** Share of pageblocks holding unmovable pages (Weiner: 34%). */
  pollutedBlockShare: 0.34,
  /** Unmovable pages as a share of memory (Weiner: under 7%). */
  unmovablePageShare: 0.065,
  /** Of the remaining pageblocks: uniform USER, uniform FREE, mixed. */
  cleanUserShare: 0.6,
  cleanFreeShare: 0.25,
  /** Polluted pageblocks whose movable background is USER (the rest FREE). */
  pollutedUserBackgroundShare: 0.7,
  /** Longest run of the other movable class inside a polluted pageblock. */
  pollutedMovableRunMaxPages: 128,
  /** Longest extra run inside a mixed USER/FREE pageblock. */
  mixedRunMaxPages: 256,
  /** Share of unmovable runs that are page tables (the rest are slab). */
  pgtableRunShare: 0.25,
  /** PINNED pages: one per 2^16 pages on average (2^14 in the full window). */
  pagesPerPinnedPage: 2 ** 16,
} as const;

/** A seeded description: setClass runs and UNMOVABLE pageblock runs, as window offsets. */
export interface FleetLayout {
  basePfn: number;
  nrPages: number;
  /** setClass runs `[start, end)` (window offsets) with their class, in application order. */
  runStart: Uint32Array;
  runEnd: Uint32Array;
  runClass: Uint8Array;
  nrRuns: number;
  /** Runs of consecutive polluted pageblocks `[start, end)` (window offsets), tagged UNMOVABLE. */
  unmovableBlockRuns: Uint32Array;
  /** Tallies from the description. */
  stats: { pollutedBlocks: number; nrPageblocks: number; unmovablePages: number; pinnedPages: number };
}

class RunBuffer {
  start: Uint32Array;
  end: Uint32Array;
  cls: Uint8Array;
  n = 0;
  constructor(capacity: number) {
    this.start = new Uint32Array(capacity);
    this.end = new Uint32Array(capacity);
    this.cls = new Uint8Array(capacity);
  }
  push(start: number, end: number, cls: number): void {
    if (end <= start) return;
    if (this.n === this.start.length) this.#grow();
    this.start[this.n] = start;
    this.end[this.n] = end;
    this.cls[this.n] = cls;
    this.n++;
  }
  #grow(): void {
    const capacity = this.start.length * 2;
    const start = new Uint32Array(capacity);
    const end = new Uint32Array(capacity);
    const cls = new Uint8Array(capacity);
    start.set(this.start);
    end.set(this.end);
    cls.set(this.cls);
    this.start = start;
    this.end = end;
    this.cls = cls;
  }
}

/**
 * Generate the fleet description (no engine involved). `nrPages` other than
 * the full window is for quick runs of the harness itself.
 */
export function describeFleet(nrPages: number = FLEET.nrPages, seed: number = FLEET.seed): FleetLayout {
  const rng = new Prng(seed);
  const nrPageblocks = nrPages / PAGES_PER_PAGEBLOCK;
  const nrPinnedPages = Math.max(1, nrPages / FLEET.pagesPerPinnedPage);
  const runs = new RunBuffer(1 << 22);
  const blockRuns: number[] = [];
  const polluted: number[] = [];
  const meanUnmovablePerBlock = (FLEET.unmovablePageShare * PAGES_PER_PAGEBLOCK) / FLEET.pollutedBlockShare;
  let unmovablePages = 0;
  // A pending merged run of uniform USER pageblocks.
  let userRunStart = -1;
  let blockRunStart = -1;
  const flushUser = (at: number): void => {
    if (userRunStart >= 0) runs.push(userRunStart, at, PageClass.USER);
    userRunStart = -1;
  };
  const flushBlocks = (at: number): void => {
    if (blockRunStart >= 0) blockRuns.push(blockRunStart, at);
    blockRunStart = -1;
  };
  const other = (cls: number): number => (cls === PageClass.USER ? PageClass.FREE : PageClass.USER);

  for (let b = 0; b < nrPageblocks; b++) {
    const blockStart = b * PAGES_PER_PAGEBLOCK;
    const blockEnd = blockStart + PAGES_PER_PAGEBLOCK;
    if (rng.chance(FLEET.pollutedBlockShare)) {
      flushUser(blockStart);
      if (blockRunStart < 0) blockRunStart = blockStart;
      polluted.push(b);
      // Background, then a couple of runs of the other movable class.
      const background = rng.chance(FLEET.pollutedUserBackgroundShare) ? PageClass.USER : PageClass.FREE;
      if (background === PageClass.USER) runs.push(blockStart, blockEnd, PageClass.USER);
      for (let k = rng.int(0, 3); k > 0; k--) {
        const at = blockStart + rng.int(0, PAGES_PER_PAGEBLOCK);
        runs.push(at, Math.min(blockEnd, at + rng.int(1, FLEET.pollutedMovableRunMaxPages)), other(background));
      }
      // Unmovable pages: exponential around the calibrated mean, in 1-4 disjoint runs.
      const want = Math.min(
        PAGES_PER_PAGEBLOCK,
        1 + Math.floor(-Math.log(1 - rng.float()) * (meanUnmovablePerBlock - 1)),
      );
      const nrUnmovableRuns = Math.min(want, rng.int(1, 5));
      const slot = Math.floor(PAGES_PER_PAGEBLOCK / nrUnmovableRuns);
      let left = want;
      for (let k = 0; k < nrUnmovableRuns; k++) {
        const len = k === nrUnmovableRuns - 1 ? left : Math.max(1, Math.floor(want / nrUnmovableRuns));
        const room = Math.min(slot, PAGES_PER_PAGEBLOCK - k * slot);
        const fit = Math.min(len, room);
        const at = blockStart + k * slot + rng.int(0, room - fit + 1);
        runs.push(at, at + fit, rng.chance(FLEET.pgtableRunShare) ? PageClass.PGTABLE : PageClass.SLAB);
        unmovablePages += fit;
        left -= len;
      }
      continue;
    }
    flushBlocks(blockStart);
    const roll = rng.float();
    if (roll < FLEET.cleanUserShare) {
      if (userRunStart < 0) userRunStart = blockStart;
      continue;
    }
    flushUser(blockStart);
    if (roll < FLEET.cleanUserShare + FLEET.cleanFreeShare) continue;
    // Mixed USER/FREE pageblock.
    runs.push(blockStart, blockStart + rng.int(1, PAGES_PER_PAGEBLOCK), PageClass.USER);
    for (let k = rng.int(1, 4); k > 0; k--) {
      const at = blockStart + rng.int(0, PAGES_PER_PAGEBLOCK);
      runs.push(at, Math.min(blockEnd, at + rng.int(1, FLEET.mixedRunMaxPages)), rng.chance(0.5) ? PageClass.USER : PageClass.FREE);
    }
  }
  flushUser(nrPages);
  flushBlocks(nrPages);

  // PINNED: single pages in random polluted pageblocks, applied last.
  for (let i = 0; i < nrPinnedPages; i++) {
    const b = polluted[rng.int(0, polluted.length)]!;
    const at = b * PAGES_PER_PAGEBLOCK + rng.int(0, PAGES_PER_PAGEBLOCK);
    runs.push(at, at + 1, PageClass.PINNED);
  }

  return {
    basePfn: FLEET.basePfn,
    nrPages,
    runStart: runs.start,
    runEnd: runs.end,
    runClass: runs.cls,
    nrRuns: runs.n,
    unmovableBlockRuns: Uint32Array.from(blockRuns),
    stats: { pollutedBlocks: polluted.length, nrPageblocks, unmovablePages, pinnedPages: nrPinnedPages },
  };
}

/**
 * Build the fleet on an engine: every section present and online, FREE and
 * MOVABLE, then the described runs and the UNMOVABLE pageblock tags.
 */
export function applyFleet(engine: EngineApi, layout: FleetLayout): void {
  const { basePfn, nrPages } = layout;
  engine.addSections(basePfn, basePfn + nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, SectionFlag.ONLINE);
  const { runStart, runEnd, runClass, nrRuns } = layout;
  for (let i = 0; i < nrRuns; i++) {
    engine.setClass(basePfn + runStart[i]!, basePfn + runEnd[i]!, runClass[i]!);
  }
  const blocks = layout.unmovableBlockRuns;
  for (let i = 0; i < blocks.length; i += 2) {
    engine.setMigratetype(basePfn + blocks[i]!, basePfn + blocks[i + 1]!, Migratetype.UNMOVABLE);
  }
}

// ---- roaring ----------------------------------------------------------------------

/** The parts of roaring's RoaringBitmap32 the benchmarks use. */
export interface RoaringBitmap {
  addRange(rangeStart: number, rangeEnd: number): void;
  rangeCardinality(rangeStart: number, rangeEnd: number): number;
  rank(maxValue: number): number;
  select(rank: number): number | undefined;
  runOptimize(): boolean;
  readonly size: number;
}

export interface RoaringModule {
  RoaringBitmap32: new () => RoaringBitmap;
}

/** roaring is optional: undefined when it is not installed (or failed to build). */
export async function loadRoaring(): Promise<RoaringModule | undefined> {
  try {
    const mod = (await import('roaring' as string)) as { default?: RoaringModule } & Partial<RoaringModule>;
    const RoaringBitmap32 = mod.RoaringBitmap32 ?? mod.default?.RoaringBitmap32;
    return RoaringBitmap32 === undefined ? undefined : { RoaringBitmap32 };
  } catch {
    return undefined;
  }
}

/**
 * One bitmap per class in `classes`, holding the window offsets of that
 * class's pages, read back from an engine that holds the dataset (exact even
 * where later runs overwrote earlier ones).
 */
export function roaringOfClasses(
  roaring: RoaringModule,
  engine: EngineApi,
  classes: readonly number[],
): Map<number, RoaringBitmap> {
  const { basePfn, nrPages } = engine.info();
  const bitmaps = new Map(classes.map((cls) => [cls, new roaring.RoaringBitmap32()] as const));
  for (let chunkStart = 0; chunkStart < nrPages; chunkStart += READ_CHUNK_PAGES) {
    const chunkPages = Math.min(READ_CHUNK_PAGES, nrPages - chunkStart);
    const pageClasses = engine.readClasses(basePfn + chunkStart, chunkPages);
    let i = 0;
    while (i < chunkPages) {
      const cls = pageClasses[i]!;
      let j = i + 1;
      while (j < chunkPages && pageClasses[j] === cls) j++;
      bitmaps.get(cls)?.addRange(chunkStart + i, chunkStart + j);
      i = j;
    }
  }
  for (const bitmap of bitmaps.values()) bitmap.runOptimize();
  return bitmaps;
}

/** readClasses() returns at most 2^24 pages per call. */
const READ_CHUNK_PAGES = 2 ** 24;

// ---- argument streams -----------------------------------------------------------------

/** `n` random unaligned sub-ranges of the window, log-uniform lengths up to 2^maxLog2 pages. */
export function randomRanges(rng: Prng, basePfn: number, nrPages: number, n: number, maxLog2: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const len = Math.min(nrPages, rng.logUniform(maxLog2));
    const start = basePfn + rng.int(0, nrPages - len + 1);
    out[2 * i] = start;
    out[2 * i + 1] = start + len;
  }
  return out;
}

/** `n` random pfns of the window. */
export function randomPfns(rng: Prng, basePfn: number, nrPages: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = basePfn + rng.int(0, nrPages);
  return out;
}

/**
 * Starts of `n` one-section ranges `[start, start + PAGES_PER_SECTION)` of
 * the window that `accept` takes, from up to 8n random candidates aligned
 * down to `alignPages` (1: unaligned). Throws, naming `what`, when fewer
 * qualify.
 */
export function sectionRangeStarts(
  rng: Prng,
  basePfn: number,
  nrPages: number,
  n: number,
  alignPages: number,
  accept: (startPfn: number, endPfn: number) => boolean,
  what: string,
): Float64Array {
  const starts = new Float64Array(n);
  const candidates = randomPfns(rng, basePfn, nrPages - PAGES_PER_SECTION, n * 8);
  let found = 0;
  for (let c = 0; c < candidates.length && found < n; c++) {
    const startPfn = candidates[c]! - ((candidates[c]! - basePfn) % alignPages);
    if (accept(startPfn, startPfn + PAGES_PER_SECTION)) starts[found++] = startPfn;
  }
  if (found < n) throw new Error(`${what}: only ${found} of ${n} ranges qualify`);
  return starts;
}

// ---- translation --------------------------------------------------------------------------

/** Translation dataset numbers. */
export const TRANSLATION = {
  seed: 0x7a11_5ec7,
  /** Share of the window's sections whose pages are relocated. */
  remappedSectionShare: 0.03,
  /** Relocation runs: each remapped section moves in runs of this many pages. */
  runPages: 512,
  /** Addresses per WASM batch: 16 Mi. */
  batchLog2: 24,
  /** Addresses per reference batch (the reference is ~100x slower per lookup). */
  refBatchLog2: 20,
  /**
   * The reference keeps one Map entry per relocated page, and a JS Map holds
   * at most 2^24 entries; 3% of a 2^30-page window is 2^25 pages. So the
   * reference's translation runs on a 2^26-page window with the same shape.
   */
  refWindowLog2: 26,
} as const;

/** Which sections are remapped, and the relocation runs to get there. */
export interface RemapPlan {
  basePfn: number;
  nrPages: number;
  /** Window section indexes, ascending. */
  remappedSections: Uint32Array;
  /** Triples (oldStartPfn, nrPages, newStartPfn). */
  remaps: Float64Array;
}

/**
 * Pick `remappedSectionShare` of the window's sections and relocate every page
 * of them, in runs, to shuffled frames of as many other sections (each frame
 * receives one page). Concentrating the frames in few sections mirrors an
 * offline that empties sections into free memory, and bounds the reverse
 * tables the engine must keep.
 */
export function planRemap(basePfn: number, nrPages: number, seed: number = TRANSLATION.seed): RemapPlan {
  const rng = new Prng(seed);
  const nrSections = nrPages / PAGES_PER_SECTION;
  const order = rng.shuffle(Uint32Array.from({ length: nrSections }, (_, i) => i));
  const nrRemapped = Math.max(1, Math.round(nrSections * TRANSLATION.remappedSectionShare));
  if (2 * nrRemapped > nrSections) throw new Error(`planRemap: window of ${nrSections} sections is too small`);
  const remappedSections = order.slice(0, nrRemapped).sort();
  const targetSections = order.slice(nrRemapped, 2 * nrRemapped);
  const runsPerSection = PAGES_PER_SECTION / TRANSLATION.runPages;
  const nrRuns = nrRemapped * runsPerSection;
  // Every run slot of the target sections, shuffled: run r of the remapped pages lands in slot r.
  const slots = rng.shuffle(
    Float64Array.from({ length: nrRuns }, (_, i) => targetSections[Math.floor(i / runsPerSection)]! * runsPerSection + (i % runsPerSection)),
  );
  const remaps = new Float64Array(3 * nrRuns);
  let r = 0;
  for (let k = 0; k < nrRemapped; k++) {
    const sectionStartPfn = basePfn + remappedSections[k]! * PAGES_PER_SECTION;
    for (let j = 0; j < runsPerSection; j++, r++) {
      remaps[3 * r] = sectionStartPfn + j * TRANSLATION.runPages;
      remaps[3 * r + 1] = TRANSLATION.runPages;
      remaps[3 * r + 2] = basePfn + slots[r]! * TRANSLATION.runPages;
    }
  }
  return { basePfn, nrPages, remappedSections, remaps };
}

export function applyRemap(engine: EngineApi, plan: RemapPlan): void {
  const { remaps } = plan;
  for (let i = 0; i < remaps.length; i += 3) engine.remap(remaps[i]!, remaps[i + 1]!, remaps[i + 2]!);
}

// ---- translation across shards -----------------------------------------------------------

/** Relocation to another node's shard, as an offline-migrated hot-remove does it. */
export const FAR_TRANSLATION = {
  seed: 0x0fa7_5eed,
  /** A node's worth of memory blocks: 2^20 pages (4 GiB, 32 sections), one run of sections. */
  nodePagesLog2: 20,
  /** Share of the pages copied out: the slab pages (the rest are free or migrated, and stay identity). */
  movedShare: 0.5,
  /** Slab runs and the runs between them: 1 to this many pages. */
  maxRunPages: 32,
  /** Free frames the far node's allocator skips between two runs: 0 to this many. */
  maxFrameGapPages: 8,
  /** The far node's shard window: 2^26 pages from 8 TiB. */
  farBasePfn: 2 ** 31,
  farNrPages: 2 ** 26,
} as const;

/** Which sections go, and the relocation runs to the far node. */
export interface FarRemapPlan {
  /** Window section indexes of the run of sections, ascending. */
  sections: Uint32Array;
  /** The run's first pfn and its pages. */
  startPfn: number;
  nrPages: number;
  /** Triples (oldStartPfn, nrPages, farStartPfn). */
  remaps: Float64Array;
  /** Far frame of each page of the run, or -1 for a page that stays. */
  frames: Float64Array;
}

/**
 * A run of sections holding a node's worth of pages, clear of the in-window
 * plan's remapped and target sections, whose slab pages (`movedShare` of
 * them, in runs of 1 to `maxRunPages`) are copied to free frames of the far
 * node in allocation order, a few frames skipped now and then.
 */
export function planFarRemap(plan: RemapPlan, seed: number = FAR_TRANSLATION.seed): FarRemapPlan {
  const rng = new Prng(seed);
  const nrSections = plan.nrPages / PAGES_PER_SECTION;
  const nrPages = 2 ** FAR_TRANSLATION.nodePagesLog2;
  const want = nrPages / PAGES_PER_SECTION;
  const used = new Uint8Array(nrSections);
  for (let i = 0; i < plan.remaps.length; i += 3) {
    used[Math.floor((plan.remaps[i]! - plan.basePfn) / PAGES_PER_SECTION)] = 1;
    used[Math.floor((plan.remaps[i + 2]! - plan.basePfn) / PAGES_PER_SECTION)] = 1;
  }
  const from = rng.int(0, nrSections);
  let first = -1;
  for (let k = 0; k < nrSections && first < 0; k++) {
    const s = (from + k) % nrSections;
    if (s + want <= nrSections && used.subarray(s, s + want).every((u) => u === 0)) first = s;
  }
  if (first < 0) throw new Error(`planFarRemap: no run of ${want} sections clear of the in-window plan`);
  const startPfn = plan.basePfn + first * PAGES_PER_SECTION;
  const frames = new Float64Array(nrPages).fill(-1);
  const remaps: number[] = [];
  let frame = FAR_TRANSLATION.farBasePfn + PAGES_PER_SECTION;
  for (let pfn = startPfn; pfn < startPfn + nrPages; ) {
    const n = Math.min(rng.int(1, FAR_TRANSLATION.maxRunPages + 1), startPfn + nrPages - pfn);
    if (rng.chance(FAR_TRANSLATION.movedShare)) {
      remaps.push(pfn, n, frame);
      for (let i = 0; i < n; i++) frames[pfn - startPfn + i] = frame + i;
      frame += n + rng.int(0, FAR_TRANSLATION.maxFrameGapPages + 1);
    }
    pfn += n;
  }
  if (frame > FAR_TRANSLATION.farBasePfn + FAR_TRANSLATION.farNrPages) throw new Error('planFarRemap: the far node is too small');
  return { sections: Uint32Array.from({ length: want }, (_, i) => first + i), startPfn, nrPages, remaps: Float64Array.from(remaps), frames };
}

/**
 * The far relocations as the feature makes them: the far node's shard
 * records its frames' pages (when given), then the source relocates them.
 */
export function applyFarRemap(source: EngineApi, plan: FarRemapPlan, farNode?: EngineApi): void {
  const { remaps } = plan;
  for (let i = 0; i < remaps.length; i += 3) {
    farNode?.remapIn(remaps[i + 2]!, remaps[i + 1]!, remaps[i]!);
    source.remapOut(remaps[i]!, remaps[i + 1]!, remaps[i + 2]!);
  }
}

/** Direct-map lookups: in sections not remapped, in sections remapped inside the window or to the far node, or anywhere. */
export type AddressMix = 'direct' | 'remapped' | 'far' | 'mixed';

/**
 * Fill `out` with random direct-map addresses (random page, random byte
 * offset) of the plan's window: in sections no plan remaps, in the in-window
 * plan's remapped ones, in the far plan's, or anywhere.
 */
export function fillAddresses(out: BigUint64Array, plan: RemapPlan, mix: AddressMix, rng: Prng, far?: FarRemapPlan): void {
  const nrSections = plan.nrPages / PAGES_PER_SECTION;
  const remapped = new Uint8Array(nrSections);
  for (const s of plan.remappedSections) remapped[s] = 1;
  for (const s of far?.sections ?? []) remapped[s] = 1;
  const direct = Uint32Array.from({ length: nrSections - remapped.reduce((a, b) => a + b, 0) });
  for (let s = 0, k = 0; s < nrSections; s++) if (remapped[s] === 0) direct[k++] = s;
  if (mix === 'far' && far === undefined) throw new Error("fillAddresses: the 'far' mix needs the far plan");
  // Write each u64 as two u32 halves (little-endian) with Number arithmetic:
  // BigInt per entry would cost more than the lookups being measured.
  const halves = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  const baseLow = Number(PAGE_OFFSET & 0xffffffffn);
  const baseHigh = Number(PAGE_OFFSET >> 32n);
  for (let i = 0; i < out.length; i++) {
    let pfn: number;
    if (mix === 'mixed') {
      pfn = plan.basePfn + rng.int(0, plan.nrPages);
    } else {
      const pool = mix === 'direct' ? direct : mix === 'far' ? far!.sections : plan.remappedSections;
      pfn = plan.basePfn + pool[rng.int(0, pool.length)]! * PAGES_PER_SECTION + rng.int(0, PAGES_PER_SECTION);
    }
    const pa = pfn * PAGE_SIZE + (rng.u32() & (PAGE_SIZE - 1));
    const low = baseLow + (pa % 2 ** 32);
    halves[2 * i] = low >>> 0;
    halves[2 * i + 1] = (baseHigh + Math.floor(pa / 2 ** 32) + (low >= 2 ** 32 ? 1 : 0)) >>> 0;
  }
}

// ---- what the suites share ---------------------------------------------------------------

/** The fleet on every engine, plus roaring bitmaps of the classes roaring is compared on. */
export interface FleetContext {
  layout: FleetLayout;
  wasm: EngineApi;
  ref: EngineApi;
  /** Window offsets of SLAB and PINNED pages; absent without roaring. */
  roaring?: { slab: RoaringBitmap; pinned: RoaringBitmap };
}
