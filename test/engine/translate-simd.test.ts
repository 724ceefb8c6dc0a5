/**
 * The SIMD build's translation kernel against the scalar build and the
 * reference, on big mixed batches: direct-map pages, remapped pages (near
 * and far), removed sections whose pages live on (GONE), misses past both
 * ends of the window, and addresses below PAGE_OFFSET, in windows low in the
 * space, at 2^34 and at the top of the 52-bit space (where addresses below
 * PAGE_OFFSET wrap onto window pfns and the kernels must test for them).
 * The SIMD kernel takes eight addresses per step, so every batch length
 * modulo 8 is run too.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PAGE_OFFSET, PAGE_OFFSET_L5, PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { Prng } from '../helpers/prng.js';

const TOP = 2 ** 40 - 64 * PAGES_PER_SECTION;
const WINDOWS = [
  { name: 'low', basePfn: 2 ** 20, nrPages: 64 * PAGES_PER_SECTION, pageOffset: PAGE_OFFSET },
  { name: 'at 2^34', basePfn: 2 ** 34, nrPages: 64 * PAGES_PER_SECTION, pageOffset: PAGE_OFFSET },
  { name: 'top of the 52-bit space, 4-level base', basePfn: TOP, nrPages: 64 * PAGES_PER_SECTION, pageOffset: PAGE_OFFSET },
  { name: 'top of the 52-bit space, 5-level base', basePfn: TOP, nrPages: 64 * PAGES_PER_SECTION, pageOffset: PAGE_OFFSET_L5 },
];
const BATCH = 1 << 14;
const U64 = 0xffff_ffff_ffff_ffffn;

/** The same state on every engine: present sections, runs remapped near and far, two sections removed with pages kept alive. */
function shape(engine: EngineApi, basePfn: number): void {
  const endPfn = basePfn + 64 * PAGES_PER_SECTION;
  engine.addSections(basePfn, basePfn + 60 * PAGES_PER_SECTION, 0, PageClass.USER, Migratetype.MOVABLE, 0);
  // Section 10's first 4096 pages relocate into section 40; section 11's into section 41 page by page (odd pages only).
  engine.remap(basePfn + 10 * PAGES_PER_SECTION, 4096, basePfn + 40 * PAGES_PER_SECTION);
  for (let i = 1; i < 512; i += 2) engine.remap(basePfn + 11 * PAGES_PER_SECTION + i, 1, basePfn + 41 * PAGES_PER_SECTION + i);
  // Section 20's pages relocate to frames of another shard, far below the window.
  engine.remapOut(basePfn + 20 * PAGES_PER_SECTION, 1024, 2 ** 10);
  // Section 40 goes: the pages it held go home, and section 10's pages that lived there with them.
  // Section 11 goes while its relocated pages live on in section 41 (GONE).
  engine.removeSections(basePfn + 11 * PAGES_PER_SECTION, basePfn + 12 * PAGES_PER_SECTION);
  expect(endPfn).toBeGreaterThan(basePfn);
}

/** Addresses around the window: mostly on its direct map, some past either end, some below PAGE_OFFSET or wild. */
function addresses(prng: Prng, pageOffset: bigint, basePfn: number, nrPages: number, n: number): BigUint64Array {
  const out = new BigUint64Array(n);
  const page = BigInt(PAGE_SIZE);
  for (let i = 0; i < n; i++) {
    const kind = prng.int(0, 16);
    if (kind < 11) {
      out[i] = (pageOffset + BigInt(basePfn + prng.int(0, nrPages)) * page + BigInt(prng.int(0, PAGE_SIZE))) & U64;
    } else if (kind < 13) {
      // Just past either end of the window.
      const pfn = kind === 11 ? basePfn - 1 - prng.int(0, PAGES_PER_SECTION) : basePfn + nrPages + prng.int(0, PAGES_PER_SECTION);
      out[i] = (pageOffset + BigInt(Math.max(pfn, 0)) * page) & U64;
    } else if (kind === 13) {
      out[i] = pageOffset - 1n - BigInt(prng.int(0, 2 ** 30)) * page;
    } else {
      out[i] = (BigInt(prng.int(0, 2 ** 32)) << 32n) | BigInt(prng.int(0, 2 ** 32));
    }
  }
  return out;
}

describe.each(WINDOWS)('virt_to_phys of the SIMD build, window $name', ({ basePfn, nrPages, pageOffset }) => {
  test('matches the scalar build and the reference on mixed batches of every length modulo 8', async () => {
    const opts = { basePfn, nrPages, pageOffset };
    const simd = await createEngine(opts, 'release-simd');
    const scalar = await createEngine(opts, 'release');
    const ref = createRefEngine(opts);
    for (const engine of [simd, scalar, ref]) shape(engine, basePfn);
    const prng = new Prng(basePfn % 1_000_003);
    let slow = 0;
    let fast = 0;
    let miss = 0;
    for (const n of [BATCH, BATCH + 1, BATCH + 3, BATCH + 7, 5, 8, 9]) {
      const vas = addresses(prng, pageOffset, basePfn, nrPages, n);
      const want = ref.virtToPhys(vas);
      const gotScalar = scalar.virtToPhys(vas);
      const gotSimd = simd.virtToPhys(vas);
      expect(gotScalar).toEqual(want);
      expect(gotSimd).toEqual(want);
      // The zero-copy path runs the same kernel on the engine's own buffers.
      const buffers = simd.translateBuffers(n);
      buffers.input.set(vas);
      const counts = simd.virtToPhysInPlace(n);
      expect(Array.from(buffers.output)).toEqual(Array.from(want.out));
      expect(counts).toEqual({ fast: want.fast, slow: want.slow, miss: want.miss });
      fast += want.fast;
      slow += want.slow;
      miss += want.miss;
    }
    // The batches reached every path. At the top of the space the 4-level
    // direct map (64 TiB from PAGE_OFFSET) has wrapped past 2^64 long before:
    // every address there is below the base and must miss. The 5-level base
    // reaches it.
    const wrapped = pageOffset + BigInt(basePfn) * BigInt(PAGE_SIZE) >= 2n ** 64n;
    if (wrapped) {
      expect(fast + slow).toBe(0);
    } else {
      expect(fast).toBeGreaterThan(BATCH);
      expect(slow).toBeGreaterThan(100);
    }
    expect(miss).toBeGreaterThan(BATCH / 8);
    simd.validate();
  });

  test('a batch wholly on the direct map takes the vector path for every step', async () => {
    const opts = { basePfn, nrPages, pageOffset };
    const simd = await createEngine(opts, 'release-simd');
    simd.addSections(basePfn, basePfn + nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const prng = new Prng(7);
    const vas = new BigUint64Array(BATCH);
    for (let i = 0; i < BATCH; i++) vas[i] = (pageOffset + BigInt(basePfn + prng.int(0, nrPages)) * BigInt(PAGE_SIZE) + BigInt(i % PAGE_SIZE)) & U64;
    const result = simd.virtToPhys(vas);
    const wraps = vas.some((va) => va < pageOffset);
    if (wraps) {
      // Past 2^64 the direct map wraps: those addresses are below the base and miss.
      expect(result.miss).toBe(vas.filter((va) => va < pageOffset).length);
    } else {
      expect(result.fast).toBe(BATCH);
      for (let i = 0; i < BATCH; i++) expect(result.out[i]).toBe(vas[i]! - pageOffset);
    }
  });
});
