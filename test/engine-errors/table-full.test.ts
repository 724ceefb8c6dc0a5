/**
 * An engine capped by `maxBytes` refuses work that needs table space it cannot
 * get with E_FULL, leaving its state exactly as it was, and keeps working:
 * calls that need no new space succeed, and space freed by collapsing ranges
 * back to one class is reused.
 *
 * WASM engine only: the reference never runs out of table space.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PAGE_OFFSET, PAGE_SHIFT, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { EngineError } from '../../src/contract/errors.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { WASM_ENGINE } from '../helpers/engines.js';
import { Prng } from '../helpers/prng.js';
import { expectRefused } from './fixture.js';

/** 512 sections (64 GiB) under a 2 MiB cap: room for far fewer mixed pageblocks than the window has. */
const BASE_PFN = 2 ** 32;
const WINDOW_PAGES = 2 ** 24;
const MAX_BYTES = 2 * 1024 * 1024;
const NR_PAGEBLOCKS = WINDOW_PAGES / PAGES_PER_PAGEBLOCK;

function addresses(pfns: number[]): { vas: BigUint64Array; pas: BigUint64Array } {
  const shift = BigInt(PAGE_SHIFT);
  return {
    vas: BigUint64Array.from(pfns, (pfn) => PAGE_OFFSET + (BigInt(pfn) << shift)),
    pas: BigUint64Array.from(pfns, (pfn) => BigInt(pfn) << shift),
  };
}

async function fullWindow(): Promise<EngineApi> {
  const engine = await WASM_ENGINE.create({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES, maxBytes: MAX_BYTES });
  await engine.addSections(BASE_PFN, BASE_PFN + WINDOW_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  return engine;
}

/**
 * Scatters short SLAB runs into pageblocks in a seeded order until one is
 * refused; returns the refused run. Each run splits a uniform pageblock, so
 * each needs new per-page state.
 */
async function fillUntilRefused(engine: EngineApi, rng: Prng): Promise<[number, number]> {
  const order = Array.from({ length: NR_PAGEBLOCKS }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const block of order) {
    const startPfn = BASE_PFN + block * PAGES_PER_PAGEBLOCK + rng.int(0, PAGES_PER_PAGEBLOCK - 8);
    const endPfn = startPfn + rng.int(1, 8);
    try {
      await engine.setClass(startPfn, endPfn, PageClass.SLAB);
    } catch (error) {
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).code).toBe('E_FULL');
      return [startPfn, endPfn];
    }
  }
  throw new Error(`a ${MAX_BYTES}-byte engine held a split in every one of ${NR_PAGEBLOCKS} pageblocks`);
}

describe('wasm engine: table full', () => {
  test('scattered setClass runs end in E_FULL; the refused call changes nothing', async () => {
    const engine = await fullWindow();
    const [startPfn, endPfn] = await fillUntilRefused(engine, new Prng(11));
    expect(await engine.bytesUsed()).toBeLessThanOrEqual(MAX_BYTES);
    const slabBefore = await engine.count(BASE_PFN, BASE_PFN + WINDOW_PAGES, 1 << PageClass.SLAB);
    expect(slabBefore).toBeGreaterThan(0);
    await expectRefused(engine, () => engine.setClass(startPfn, endPfn, PageClass.SLAB), 'E_FULL', undefined, addresses([startPfn, endPfn]));
    expect(await engine.count(BASE_PFN, BASE_PFN + WINDOW_PAGES, 1 << PageClass.SLAB)).toBe(slabBefore);
  });

  test('a full engine still does work that needs no new space', async () => {
    const engine = await fullWindow();
    const [startPfn] = await fillUntilRefused(engine, new Prng(12));
    const blockPfn = startPfn - ((startPfn - BASE_PFN) % PAGES_PER_PAGEBLOCK);
    // A whole pageblock to one class needs no per-page state.
    await engine.setClass(blockPfn, blockPfn + PAGES_PER_PAGEBLOCK, PageClass.USER);
    expect(await engine.count(blockPfn, blockPfn + PAGES_PER_PAGEBLOCK, 1 << PageClass.USER)).toBe(PAGES_PER_PAGEBLOCK);
    // Counting, searching, scanning and tagging whole pageblocks need none either.
    expect(await engine.findNext(BASE_PFN, BASE_PFN + WINDOW_PAGES, 1 << PageClass.SLAB)).toBeGreaterThanOrEqual(BASE_PFN);
    await engine.migrateScan(BASE_PFN, BASE_PFN + WINDOW_PAGES, 1 << PageClass.USER, 1 << PageClass.PINNED, 4);
    await engine.validate();
  });

  test('space freed by collapsing a range to one class is reused', async () => {
    const engine = await fullWindow();
    const [startPfn, endPfn] = await fillUntilRefused(engine, new Prng(13));
    // Collapse the first half of the window: every split there goes back to uniform.
    await engine.setClass(BASE_PFN, BASE_PFN + WINDOW_PAGES / 2, PageClass.FREE);
    await engine.validate();
    // The refused run (wherever it is) and a run in the collapsed half now fit.
    await engine.setClass(startPfn, endPfn, PageClass.SLAB);
    await engine.setClass(BASE_PFN + 1000, BASE_PFN + 1003, PageClass.PINNED);
    expect(Array.from(await engine.readClasses(startPfn, endPfn - startPfn))).toEqual(
      new Array(endPfn - startPfn).fill(PageClass.SLAB),
    );
    expect(await engine.count(BASE_PFN, BASE_PFN + WINDOW_PAGES / 2, 1 << PageClass.PINNED)).toBe(3);
    await engine.validate();
  });

  test('remap tables count against the cap too: E_FULL, state unchanged', async () => {
    const engine = await WASM_ENGINE.create({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES, maxBytes: MAX_BYTES });
    await engine.addSections(BASE_PFN, BASE_PFN + WINDOW_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    // Each remap leaves one more section REMAPPED, which needs a per-page table.
    let refused: [number, number] | undefined;
    for (let s = 0; s < WINDOW_PAGES / PAGES_PER_SECTION - 1 && refused === undefined; s++) {
      const oldPfn = BASE_PFN + s * PAGES_PER_SECTION + 5;
      const newPfn = BASE_PFN + (s + 1) * PAGES_PER_SECTION + 9;
      try {
        await engine.remap(oldPfn, 1, newPfn);
      } catch (error) {
        expect((error as EngineError).code).toBe('E_FULL');
        refused = [oldPfn, newPfn];
      }
    }
    expect(refused, 'every section was remapped within the cap').toBeDefined();
    const [oldPfn, newPfn] = refused!;
    await expectRefused(engine, () => engine.remap(oldPfn, 1, newPfn), 'E_FULL', undefined, addresses([oldPfn, newPfn, BASE_PFN + 5]));
  });

  test('far relocations count against the cap too: remapOut and remapIn end in E_FULL, state unchanged', async () => {
    const engine = await WASM_ENGINE.create({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES, maxBytes: MAX_BYTES });
    await engine.addSections(BASE_PFN, BASE_PFN + WINDOW_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    // Each call leaves one more pageblock relocated page by page, which needs a block.
    const farPfn = 2 ** 38;
    let refusedOut: number | undefined;
    let refusedIn: number | undefined;
    for (let k = 0; k < NR_PAGEBLOCKS && (refusedOut === undefined || refusedIn === undefined); k++) {
      const pfn = BASE_PFN + k * PAGES_PER_PAGEBLOCK + 7;
      for (const [call, which] of [
        [() => engine.remapOut(pfn, 1, farPfn + k), 'out'],
        [() => engine.remapIn(pfn + 100, 1, farPfn + k), 'in'],
      ] as const) {
        if ((which === 'out' ? refusedOut : refusedIn) !== undefined) continue;
        try {
          await call();
        } catch (error) {
          expect((error as EngineError).code).toBe('E_FULL');
          if (which === 'out') refusedOut = pfn;
          else refusedIn = pfn + 100;
        }
      }
    }
    expect(refusedOut, 'every pageblock was relocated within the cap').toBeDefined();
    expect(refusedIn, 'every pageblock received pages within the cap').toBeDefined();
    const probe = addresses([refusedOut!, refusedIn!, BASE_PFN + 7]);
    await expectRefused(engine, () => engine.remapOut(refusedOut!, 1, farPfn - 1), 'E_FULL', undefined, probe);
    await expectRefused(engine, () => engine.remapIn(refusedIn!, 1, farPfn - 1), 'E_FULL', undefined, probe);
  });
});
