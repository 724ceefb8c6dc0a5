/**
 * `pfnlab demo`: the engine alone on a multi-terabyte window. One shard holds
 * 2^30 pages (4 TiB); a few uniform ranges and some scattered kernel pages go
 * in, then it counts, finds, claims, scans and translates, printing what each
 * call did, how long it took, and the engine's memory in bits per page.
 *
 * The figures are wall times of this process (they vary from run to run);
 * the page counts and found pfns are deterministic.
 */

import {
  ALL_CLASSES,
  ClaimMode,
  classBit,
  Migratetype,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PageClass,
  PAGE_CLASS_NAMES,
  PAGES_PER_SECTION,
  ScanStatus,
  SectionFlag,
} from '../contract/constants.js';
import type { EngineApi, EngineFactory } from '../contract/engine-api.js';

/** The demo window: 2^30 pages of 4 KiB = 4 TiB. */
const DEMO_WINDOW_PAGES = 2 ** 30;
const PAGES_PER_GIB = 2 ** (30 - PAGE_SHIFT);
/** Kernel pages sprinkled one at a time over the window (seeded, so the same every run). */
const SCATTERED_KERNEL_PAGES = 50_000;
/** Addresses translated in one batch. */
const TRANSLATE_BATCH = 1 << 20;
const DEMO_SEED = 0x5eed;

/** xorshift32: a small seeded generator, enough to scatter pages reproducibly. */
function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

function gib(pages: number): string {
  return `${(pages / PAGES_PER_GIB).toFixed(2)} GiB`;
}

function ms(start: number): string {
  return `${(performance.now() - start).toFixed(2)} ms`;
}

/** Run the demo, writing one line per action. */
export async function runDemo(write: (line: string) => void, engines: EngineFactory<EngineApi>): Promise<void> {
  const basePfn = 0;
  const endPfn = basePfn + DEMO_WINDOW_PAGES;
  let t = performance.now();
  const engine = await engines({ basePfn, nrPages: DEMO_WINDOW_PAGES });
  write(`engine: window [${basePfn}, ${endPfn}) = ${DEMO_WINDOW_PAGES} pages (${gib(DEMO_WINDOW_PAGES)}), created in ${ms(t)}`);

  // Boot-like layout: every section present and online, all FREE.
  t = performance.now();
  engine.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, SectionFlag.ONLINE | SectionFlag.EARLY);
  write(`addSections: ${DEMO_WINDOW_PAGES / PAGES_PER_SECTION} sections FREE in ${ms(t)}`);

  // A few uniform ranges: firmware and kernel at the bottom, user memory above.
  const uniform: [string, number, number, PageClass][] = [
    ['reserved (firmware, kernel image)', 0, PAGES_PER_GIB, PageClass.RESERVED],
    ['vmemmap', PAGES_PER_GIB, 65 * PAGES_PER_GIB, PageClass.VMEMMAP],
    ['slab', 65 * PAGES_PER_GIB, 97 * PAGES_PER_GIB, PageClass.SLAB],
    ['user (anon, page cache)', 128 * PAGES_PER_GIB, 2176 * PAGES_PER_GIB, PageClass.USER],
    ['pinned (DMA)', 3000 * PAGES_PER_GIB, 3001 * PAGES_PER_GIB, PageClass.PINNED],
  ];
  for (const [label, startPfn, rangeEndPfn, cls] of uniform) {
    t = performance.now();
    engine.setClass(startPfn, rangeEndPfn, cls);
    write(`setClass ${label}: [${startPfn}, ${rangeEndPfn}) ${gib(rangeEndPfn - startPfn)} in ${ms(t)}`);
  }

  // Scattered kernel pages in the user range: the fragmentation that makes memory hard to offline.
  const random = xorshift32(DEMO_SEED);
  const userStart = 128 * PAGES_PER_GIB;
  const userPages = 2048 * PAGES_PER_GIB;
  t = performance.now();
  for (let i = 0; i < SCATTERED_KERNEL_PAGES; i++) {
    const pfn = userStart + (random() % userPages);
    engine.setClass(pfn, pfn + 1, i % 4 === 0 ? PageClass.PGTABLE : PageClass.SLAB);
  }
  write(`setClass scattered: ${SCATTERED_KERNEL_PAGES} single kernel pages (slab, page tables) in ${ms(t)}`);

  t = performance.now();
  const counts = engine.countClasses(basePfn, endPfn);
  write(`countClasses over the window in ${ms(t)}:`);
  const perClass = PAGE_CLASS_NAMES.map((name, cls) => `${name} ${gib(counts[cls])}`);
  write(`  ${perClass.slice(0, 4).join(', ')}`);
  write(`  ${perClass.slice(4).join(', ')}`);

  t = performance.now();
  const kernelMask = classBit(PageClass.SLAB) | classBit(PageClass.PGTABLE);
  const firstKernelInUser = engine.findNext(userStart, endPfn, kernelMask);
  write(`findNext slab|pgtable from pfn ${userStart}: pfn ${firstKernelInUser} in ${ms(t)}`);

  t = performance.now();
  const claimPages = 4 * PAGES_PER_GIB;
  const claimEnd = engine.claim(basePfn, endPfn, claimPages, PageClass.FREE, PageClass.USER, ClaimMode.RANDOM_PAGEBLOCK, DEMO_SEED);
  write(`claim ${gib(claimPages)} FREE -> USER, seeded pageblock order: highest pfn changed ${claimEnd - 1}, in ${ms(t)}`);

  // A migration scan over one 2 GiB memory block of the user range.
  const blockPages = 2 * PAGES_PER_GIB;
  const scanStart = userStart + 10 * blockPages;
  const unmovable = ALL_CLASSES & ~(classBit(PageClass.USER) | classBit(PageClass.FREE));
  t = performance.now();
  const scan = engine.migrateScan(scanStart, scanStart + blockPages, classBit(PageClass.USER), unmovable, 1 << 16);
  const statusName = Object.entries(ScanStatus).find(([, v]) => v === scan.status)?.[0] ?? String(scan.status);
  write(`migrateScan of the 2 GiB block at pfn ${scanStart} in ${ms(t)}:`);
  write(
    `  ${statusName}: ${scan.movablePages} movable pages in ${scan.runs.length / 2} runs, ` +
      `stopped at pfn ${scan.nextPfn} (first unmovable page: ${scan.unmovablePfn})`,
  );

  // Relocate 1 GiB of direct-map pages, then translate a batch through both paths.
  const remapFrom = 65 * PAGES_PER_GIB;
  const remapTo = 3500 * PAGES_PER_GIB;
  t = performance.now();
  engine.remap(remapFrom, PAGES_PER_GIB, remapTo);
  write(`remap 1 GiB of slab pages [${remapFrom}, ${remapFrom + PAGES_PER_GIB}) -> pfn ${remapTo} in ${ms(t)}`);
  const vas = new BigUint64Array(TRANSLATE_BATCH);
  const span = 2 * PAGES_PER_GIB;
  for (let i = 0; i < TRANSLATE_BATCH; i++) {
    const pfn = 64 * PAGES_PER_GIB + (random() % span);
    vas[i] = PAGE_OFFSET + (BigInt(pfn) << BigInt(PAGE_SHIFT));
  }
  t = performance.now();
  const translated = engine.virtToPhys(vas);
  write(
    `virtToPhys of ${TRANSLATE_BATCH} addresses: ${translated.fast} direct map, ${translated.slow} remapped, ` +
      `${translated.miss} missed, in ${ms(t)}`,
  );

  t = performance.now();
  engine.validate();
  write(`validate: all invariants hold (${ms(t)})`);
  const bytes = engine.bytesUsed();
  write(
    `bytesUsed: ${bytes} bytes = ${((bytes * 8) / DEMO_WINDOW_PAGES).toFixed(4)} bits per page ` +
      `(the kernel's memmap: 512 bits per page)`,
  );
}
