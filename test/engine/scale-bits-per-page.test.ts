/**
 * Memory at scale, in bits per page of present memory (docs/design.md, numbers we hold ourselves to): at
 * most 0.02 for a machine filled by a few uniform ranges and at most 1.25 for
 * a fleet-fragmented one (unmovable pages under 7% of memory sitting in about
 * 34% of pageblocks, J. Weiner, linux-mm 2023). The kernel's memmap costs 512.
 *
 * Both machines are built with range calls only, never a per-page loop.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { Prng } from '../helpers/prng.js';

function bitsPerPage(bytes: number, presentPages: number): number {
  return (bytes * 8) / presentPages;
}

describe('bits per page of present memory', () => {
  test('a 2^32-page window (16 TiB) of a few uniform ranges stays at or under 0.02', async () => {
    const nrPages = 2 ** 32;
    const basePfn = 2 ** 33; // above 32 TiB: pfns past u32 as well
    const engine = await createEngine({ basePfn, nrPages });
    const endPfn = basePfn + nrPages;
    engine.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    // Large ranges with unaligned ends, as boot reservations and workloads leave them.
    engine.setClass(basePfn + 1_234_567, basePfn + 2 ** 30 + 77, PageClass.USER);
    engine.setClass(basePfn + 2 ** 31 + 4_097, basePfn + 2 ** 31 + 2 ** 29 + 511, PageClass.SLAB);
    engine.setClass(basePfn + 3 * 2 ** 30 - 12_345, basePfn + 3 * 2 ** 30 + 999_999, PageClass.RESERVED);
    engine.setClass(endPfn - 2 ** 28 - 5, endPfn - 3, PageClass.PINNED);
    engine.setMigratetype(basePfn + 2 ** 31 + 4_097, basePfn + 2 ** 31 + 2 ** 29 + 511, Migratetype.UNMOVABLE);
    engine.setMigratetype(basePfn + 3 * 2 ** 30 - 12_345, basePfn + 3 * 2 ** 30 + 999_999, Migratetype.UNMOVABLE);
    engine.setIsolate(basePfn + 100 * PAGES_PER_SECTION + 1, basePfn + 300 * PAGES_PER_SECTION + 7, true);
    engine.validate();

    const counts = engine.countClasses(basePfn, endPfn);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(nrPages);
    expect(counts[PageClass.USER]).toBe(2 ** 30 + 77 - 1_234_567);
    const bits = bitsPerPage(engine.bytesUsed(), nrPages);
    console.log(`uniform 2^32-page window: ${engine.bytesUsed()} bytes, ${bits.toFixed(5)} bits per page`);
    expect(bits).toBeLessThanOrEqual(0.02);
  });

  test('a 2^28-page window (1 TiB) with 7% SLAB over 34% of pageblocks stays at or under 1.25', async () => {
    const nrPages = 2 ** 28;
    const basePfn = 2 ** 30;
    const endPfn = basePfn + nrPages;
    const engine = await createEngine({ basePfn, nrPages });
    engine.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const rng = new Prng(2023);
    const started = performance.now();

    // Background: runs of whole pageblocks alternating USER and FREE.
    const nrPageblocks = nrPages / PAGES_PER_PAGEBLOCK;
    for (let pb = 0, cls: number = PageClass.USER; pb < nrPageblocks; cls ^= 1) {
      const runBlocks = rng.int(1, 65);
      const endPb = Math.min(nrPageblocks, pb + runBlocks);
      engine.setClass(basePfn + pb * PAGES_PER_PAGEBLOCK, basePfn + endPb * PAGES_PER_PAGEBLOCK, cls);
      pb = endPb;
    }
    // Unmovable pollution: 34% of pageblocks get three short unaligned SLAB runs
    // of 20..50 pages, about 105 pages per polluted pageblock, so 7% overall.
    let polluted = 0;
    for (let pb = 0; pb < nrPageblocks; pb++) {
      if (!rng.chance(0.34)) continue;
      polluted++;
      const pbPfn = basePfn + pb * PAGES_PER_PAGEBLOCK;
      for (let run = 0; run < 3; run++) {
        const nr = rng.int(20, 51);
        const at = rng.int(0, PAGES_PER_PAGEBLOCK - nr + 1);
        engine.setClass(pbPfn + at, pbPfn + at + nr, PageClass.SLAB);
      }
    }
    const buildMs = performance.now() - started;

    const slabShare = engine.count(basePfn, endPfn, classBit(PageClass.SLAB)) / nrPages;
    const pollutedShare = polluted / nrPageblocks;
    const stats = engine.representationStats();
    const bits = bitsPerPage(engine.bytesUsed(), nrPages);
    console.log(
      `fragmented 2^28-page window: SLAB ${(100 * slabShare).toFixed(2)}% of pages in ` +
        `${(100 * pollutedShare).toFixed(2)}% of pageblocks; ${stats.mixedPageblocks} mixed pageblocks, ` +
        `${stats.mixedSections} mixed sections; ${engine.bytesUsed()} bytes, ${bits.toFixed(4)} bits per page; ` +
        `built in ${buildMs.toFixed(0)} ms`,
    );
    expect(slabShare).toBeGreaterThan(0.06);
    expect(slabShare).toBeLessThan(0.07);
    expect(pollutedShare).toBeGreaterThan(0.33);
    expect(pollutedShare).toBeLessThan(0.35);
    // Every polluted pageblock is mixed (SLAB runs never fill one), nothing else is.
    expect(stats.mixedPageblocks).toBe(polluted);
    expect(bits).toBeLessThanOrEqual(1.25);
    expect(buildMs).toBeLessThan(20_000);
  });
});
