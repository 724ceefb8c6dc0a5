/**
 * Relocation across shards, on both engines: pages of node A's shard sent to
 * frames of node B's (remapOut on A, remapIn on B) translate exactly both
 * ways, page by page, in runs, scattered, mixed with relocations inside A,
 * and to two nodes more than 2^32 pages apart from one pageblock; sending
 * pages home; countRemapped against a page-by-page count; and what
 * clearRemap and removeSections do to far entries on either side.
 */
import { describe, expect, test } from 'vitest';
import { BAD_ADDRESS, Migratetype, PAGE_OFFSET, PAGE_SHIFT, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import type { EngineApi, TranslateResult } from '../../src/contract/engine-api.js';
import { Engine } from '../../src/engine/index.js';
import { ENGINE_CASES, type EngineCase } from '../helpers/engines.js';
import { Prng } from '../helpers/prng.js';

const NR_SECTIONS = 4;
// Three nodes' shards, all within the 4-level direct map (below 2^35 pfns,
// where `va - PAGE_OFFSET` would wrap).
const A_BASE = 2 ** 30;
const B_BASE = 2 ** 32;
/** Node C lies more than 2^32 pages from A and B: one pageblock's pages sent to B and C need u64 values. */
const C_BASE = 2 ** 34 + 2 ** 33;
const SHIFT = BigInt(PAGE_SHIFT);

const pa = (pfn: number, offset = 0): bigint => (BigInt(pfn) << SHIFT) | BigInt(offset);
const va = (pfn: number, offset = 0): bigint => PAGE_OFFSET + pa(pfn, offset);
const sectionPfn = (base: number, index: number): number => base + index * PAGES_PER_SECTION;

async function shard(factory: EngineCase, basePfn: number): Promise<EngineApi> {
  const engine = await factory.create({ basePfn, nrPages: NR_SECTIONS * PAGES_PER_SECTION });
  await engine.addSections(basePfn, basePfn + NR_SECTIONS * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  return engine;
}

/** The far relocation as the feature makes it: the frames' shard first (it may refuse), then the pages'. */
async function relocateFar(from: EngineApi, to: EngineApi, oldStartPfn: number, nrPages: number, newStartPfn: number): Promise<void> {
  await to.remapIn(newStartPfn, nrPages, oldStartPfn);
  await from.remapOut(oldStartPfn, nrPages, newStartPfn);
}

/**
 * Two shards: pages P.. of A's section 1 (700 of them) live in B's frames
 * F.., and pages Q..Q+2 of B's section 0 in frames F+2000.. of B (near pairs
 * whose frames share F's section).
 */
async function farAndNearPairs(factory: EngineCase): Promise<{ a: EngineApi; b: EngineApi; P: number; F: number; Q: number }> {
  const [a, b] = [await shard(factory, A_BASE), await shard(factory, B_BASE)];
  const P = sectionPfn(A_BASE, 1) + 5;
  const F = sectionPfn(B_BASE, 2) + 1;
  await relocateFar(a, b, P, 700, F);
  const Q = sectionPfn(B_BASE, 0) + 9;
  await b.remap(Q, 3, F + 2000);
  return { a, b, P, F, Q };
}

function single(result: TranslateResult): [bigint, string] {
  expect(result.fast + result.slow + result.miss).toBe(1);
  return [result.out[0]!, result.fast ? 'fast' : result.slow ? 'slow' : 'miss'];
}
async function v2p(engine: EngineApi, address: bigint): Promise<[bigint, string]> {
  return single(await engine.virtToPhys(BigUint64Array.of(address)));
}
async function p2v(engine: EngineApi, address: bigint): Promise<[bigint, string]> {
  return single(await engine.physToVirt(BigUint64Array.of(address)));
}

/**
 * Every page of `[startPfn, endPfn)` translates, at a random offset in the
 * page, to the frame `frameOf(pfn)` gives; returns the pages that moved.
 */
async function expectFrames(engine: EngineApi, startPfn: number, endPfn: number, frameOf: (pfn: number) => number, rng: Prng): Promise<number> {
  const n = endPfn - startPfn;
  const offsets = Array.from({ length: n }, () => rng.int(0, 4096));
  const result = await engine.virtToPhys(BigUint64Array.from(offsets, (offset, i) => va(startPfn + i, offset)));
  let moved = 0;
  let wrong = -1;
  for (let i = 0; i < n; i++) {
    const frame = frameOf(startPfn + i);
    if (frame !== startPfn + i) moved++;
    if (result.out[i] !== pa(frame, offsets[i]) && wrong < 0) wrong = i;
  }
  expect(wrong, wrong < 0 ? '' : `page ${startPfn + wrong}: got 0x${result.out[wrong]!.toString(16)}, want frame ${frameOf(startPfn + wrong)}`).toBe(-1);
  return moved;
}

describe.each(ENGINE_CASES)('%s engine: relocation across shards', (kind, factory) => {
  test('pages sent to another shard translate to its frames; the frames answer the old addresses', async () => {
    const [a, b] = [await shard(factory, A_BASE), await shard(factory, B_BASE)];
    const P = sectionPfn(A_BASE, 1) + 100;
    const F = sectionPfn(B_BASE, 2) + 7;
    await relocateFar(a, b, P, 50, F);
    expect(await v2p(a, va(P, 0x123))).toEqual([pa(F, 0x123), 'slow']);
    expect(await v2p(a, va(P + 49, 0xfff))).toEqual([pa(F + 49, 0xfff), 'slow']);
    // Neighbours in the REMAPPED section stay at their frames.
    expect(await v2p(a, va(P + 50))).toEqual([pa(P + 50), 'slow']);
    expect(await v2p(a, va(sectionPfn(A_BASE, 0)))).toEqual([pa(sectionPfn(A_BASE, 0)), 'fast']);
    // The frames answer the old pages' addresses; the vacated frames answer nothing.
    expect(await p2v(b, pa(F + 3, 0x10))).toEqual([va(P + 3, 0x10), 'slow']);
    expect(await p2v(b, pa(F + 50))).toEqual([va(F + 50), 'fast']);
    expect(await p2v(a, pa(P + 3))).toEqual([BAD_ADDRESS, 'miss']);
    // B's own direct map and section flags do not change; A's frames are not B's.
    expect(await v2p(b, va(F))).toEqual([pa(F), 'fast']);
    expect(await p2v(a, pa(F))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await a.countRemapped(A_BASE, sectionPfn(A_BASE, NR_SECTIONS))).toEqual({ pages: 50, sections: 1 });
    expect(await b.countRemapped(B_BASE, sectionPfn(B_BASE, NR_SECTIONS))).toEqual({ pages: 0, sections: 0 });
    await a.validate();
    await b.validate();
  });

  test('scattered runs, mixed with relocations inside the window, translate page by page', async () => {
    const [a, b] = [await shard(factory, A_BASE), await shard(factory, B_BASE)];
    const rng = new Prng(41);
    const frames = new Map<number, number>();
    const sourceStart = sectionPfn(A_BASE, 1);
    const sourceEnd = sectionPfn(A_BASE, 3);
    // Slab pages scattered over two sections go to B's frames in allocation order.
    let nextFrame = sectionPfn(B_BASE, 1) + 3;
    let nearFrame = sectionPfn(A_BASE, 3);
    for (let pfn = sourceStart; pfn < sourceEnd; ) {
      pfn += rng.int(0, 200);
      const n = Math.min(rng.int(1, 40), sourceEnd - pfn);
      if (n <= 0) break;
      if (rng.chance(0.8)) {
        await relocateFar(a, b, pfn, n, nextFrame);
        for (let i = 0; i < n; i++) frames.set(pfn + i, nextFrame + i);
        nextFrame += n + rng.int(0, 3);
      } else {
        await a.remap(pfn, n, nearFrame);
        for (let i = 0; i < n; i++) frames.set(pfn + i, nearFrame + i);
        nearFrame += n;
      }
      pfn += n;
    }
    const moved = await expectFrames(a, sourceStart, sourceEnd, (pfn) => frames.get(pfn) ?? pfn, rng);
    expect(moved).toBe(frames.size);
    expect(await a.countRemapped(A_BASE, sectionPfn(A_BASE, NR_SECTIONS))).toEqual({ pages: frames.size, sections: 2 });
    // Every frame, near or far, answers its page's address.
    const held = [...frames].filter(([, frame]) => frame >= B_BASE);
    const back = await b.physToVirt(BigUint64Array.from(held, ([, frame]) => pa(frame, 5)));
    expect(Array.from(back.out)).toEqual(held.map(([pfn]) => va(pfn, 5)));
    if (kind === 'wasm') expect((a as Engine).representationStats().pfnBlocks).toBeGreaterThan(0);
    await a.validate();
    await b.validate();
  });

  test('one pageblock sent to two nodes more than 2^32 pages apart, then partly home', async () => {
    const [a, b, c] = [await shard(factory, A_BASE), await shard(factory, B_BASE), await shard(factory, C_BASE)];
    const pb = sectionPfn(A_BASE, 2) + 5 * PAGES_PER_PAGEBLOCK;
    await relocateFar(a, b, pb + 10, 20, sectionPfn(B_BASE, 0) + 1000);
    await relocateFar(a, c, pb + 100, 30, sectionPfn(C_BASE, 3) + 77);
    await a.remap(pb + 300, 5, sectionPfn(A_BASE, 0) + 9);
    const frameOf = (pfn: number): number => {
      const i = pfn - pb;
      if (i >= 10 && i < 30) return sectionPfn(B_BASE, 0) + 1000 + i - 10;
      if (i >= 100 && i < 130) return sectionPfn(C_BASE, 3) + 77 + i - 100;
      if (i >= 300 && i < 305) return sectionPfn(A_BASE, 0) + 9 + i - 300;
      return pfn;
    };
    const rng = new Prng(7);
    expect(await expectFrames(a, pb, pb + PAGES_PER_PAGEBLOCK, frameOf, rng)).toBe(55);
    if (kind === 'wasm') expect((a as Engine).representationStats().widePfnBlocks).toBe(1);
    await a.validate();
    // C's frames went away: those pages come home (no reverse entry), the rest stay.
    await a.remapOut(pb + 100, 30, pb + 100);
    expect(await expectFrames(a, pb, pb + PAGES_PER_PAGEBLOCK, (pfn) => (pfn >= pb + 100 && pfn < pb + 130 ? pfn : frameOf(pfn)), rng)).toBe(25);
    expect(await p2v(a, pa(pb + 100, 1))).toEqual([va(pb + 100, 1), 'slow']);
    expect(await a.countRemapped(pb, pb + PAGES_PER_PAGEBLOCK)).toEqual({ pages: 25, sections: 1 });
    await a.validate();
  });

  test('relocating again drops the previous frame only when it is in the window', async () => {
    const [a, b] = [await shard(factory, A_BASE), await shard(factory, B_BASE)];
    const P = sectionPfn(A_BASE, 0) + 600;
    const near = sectionPfn(A_BASE, 1) + 40;
    const F = sectionPfn(B_BASE, 1);
    await a.remap(P, 4, near);
    await relocateFar(a, b, P, 4, F);
    // The near frame holds nothing now; the far frames hold the pages.
    expect(await p2v(a, pa(near + 1))).toEqual([va(near + 1), 'fast']);
    expect(await v2p(a, va(P + 1))).toEqual([pa(F + 1), 'slow']);
    // Back inside the window: B still holds its half until its owner clears it.
    await a.remap(P, 4, near + 100);
    expect(await v2p(a, va(P + 2))).toEqual([pa(near + 102), 'slow']);
    expect(await p2v(a, pa(near + 102))).toEqual([va(P + 2), 'slow']);
    expect(await p2v(b, pa(F + 2))).toEqual([va(P + 2), 'slow']);
    await b.clearRemap(F, F + 4);
    expect(await p2v(b, pa(F + 2))).toEqual([va(F + 2), 'fast']);
    await a.validate();
    await b.validate();
  });

  test('clearRemap: the pages\' shard forgets its forward entries, the frames\' shard its far pages', async () => {
    const { a, b, P, F, Q } = await farAndNearPairs(factory);
    await a.clearRemap(P, P + 1);
    expect(await v2p(a, va(P + 10))).toEqual([pa(P + 10), 'fast']);
    expect(await a.countRemapped(A_BASE, sectionPfn(A_BASE, NR_SECTIONS))).toEqual({ pages: 0, sections: 0 });
    // B is the caller's to clear: until then its frames still answer A's addresses.
    expect(await p2v(b, pa(F + 10))).toEqual([va(P + 10), 'slow']);
    await b.clearRemap(F, F + 1);
    expect(await p2v(b, pa(F + 10))).toEqual([va(F + 10), 'fast']);
    // The near pair whose page lies outside the cleared section stays.
    expect(await p2v(b, pa(F + 2001))).toEqual([va(Q + 1), 'slow']);
    expect(await v2p(b, va(Q + 1))).toEqual([pa(F + 2001), 'slow']);
    await a.validate();
    await b.validate();
  });

  test('remapIn(frames, n, frames) undoes remapIn: those frames forget their far pages, nothing else changes', async () => {
    const { a, b, P, F, Q } = await farAndNearPairs(factory);
    // Undo the middle of the far relocation, across a pageblock edge: both halves.
    await b.remapIn(F + 500, 100, F + 500);
    await a.remapOut(P + 500, 100, P + 500);
    expect(await p2v(b, pa(F + 499))).toEqual([va(P + 499), 'slow']);
    expect(await p2v(b, pa(F + 550))).toEqual([va(F + 550), 'fast']);
    expect(await p2v(b, pa(F + 600))).toEqual([va(P + 600), 'slow']);
    expect(await v2p(a, va(P + 550))).toEqual([pa(P + 550), 'slow']);
    expect(await a.countRemapped(P, P + 700)).toEqual({ pages: 600, sections: 1 });
    // The frames are free again: a new far page may land there.
    await relocateFar(a, b, sectionPfn(A_BASE, 3), 100, F + 500);
    // Near pairs stay: forgetting frames that hold near pages leaves them.
    await b.remapIn(F + 2000, 3, F + 2000);
    expect(await p2v(b, pa(F + 2001))).toEqual([va(Q + 1), 'slow']);
    await expect(async () => b.remapIn(F, 1, F + 1)).rejects.toMatchObject({ code: 'E_RANGE', arg: 'oldStartPfn' });
    await a.validate();
    await b.validate();
  });

  test('removeSections: frames forget far pages; removed pages keep far frames until clearRemap', async () => {
    const [a, b] = [await shard(factory, A_BASE), await shard(factory, B_BASE)];
    const P = sectionPfn(A_BASE, 1) + 5;
    const F = sectionPfn(B_BASE, 2) + 1;
    await relocateFar(a, b, P, 100, F);
    // Frames of B's section 2 also hold pages of B's section 0 (near pairs).
    const Q = sectionPfn(B_BASE, 0) + 9;
    await b.remap(Q, 3, F + 500);
    await b.removeSections(sectionPfn(B_BASE, 2), sectionPfn(B_BASE, 3));
    // Q's frames went away: identity again, its section still REMAPPED.
    expect(await v2p(b, va(Q + 1))).toEqual([pa(Q + 1), 'slow']);
    expect(await b.countRemapped(Q, Q + 3)).toEqual({ pages: 0, sections: 1 });
    // A's pages still name B's frames until A sends them home or clears them.
    expect(await v2p(a, va(P))).toEqual([pa(F), 'slow']);
    await a.remapOut(P, 100, P);
    expect(await v2p(a, va(P))).toEqual([pa(P), 'slow']);
    expect(await a.countRemapped(P, P + 100)).toEqual({ pages: 0, sections: 1 });
    // Re-added, B's frames are plain direct-map frames.
    await b.addSections(sectionPfn(B_BASE, 2), sectionPfn(B_BASE, 3), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    expect(await p2v(b, pa(F + 3))).toEqual([va(F + 3), 'fast']);
    // Removing the pages' sections keeps their far forward entries: the
    // pages live on in B's frames, reached through their old addresses.
    await relocateFar(a, b, P, 10, F);
    await a.removeSections(sectionPfn(A_BASE, 1), sectionPfn(A_BASE, 2));
    expect(await v2p(a, va(P + 9))).toEqual([pa(F + 9), 'slow']);
    expect(await v2p(a, va(P + 10))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await a.countRemapped(A_BASE, sectionPfn(A_BASE, NR_SECTIONS))).toEqual({ pages: 10, sections: 1 });
    await a.validate();
    // clearRemap lets them go; the section then leaves the translation map.
    await a.clearRemap(sectionPfn(A_BASE, 1), sectionPfn(A_BASE, 2));
    expect(await v2p(a, va(P))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await a.countRemapped(A_BASE, sectionPfn(A_BASE, NR_SECTIONS))).toEqual({ pages: 0, sections: 0 });
    await a.validate();
    await b.validate();
  });

  test('countRemapped of random ranges equals a page-by-page count', async () => {
    const a = await shard(factory, A_BASE);
    const rng = new Prng(99);
    const frames = new Map<number, number>();
    let nextFrame = B_BASE + 17;
    for (let k = 0; k < 60; k++) {
      const pfn = A_BASE + rng.int(0, NR_SECTIONS * PAGES_PER_SECTION - 600);
      const n = rng.chance(0.2) ? rng.int(PAGES_PER_PAGEBLOCK, 600) : rng.int(1, 30);
      if (rng.chance(0.15)) {
        await a.remapOut(pfn, n, pfn);
        for (let i = 0; i < n; i++) frames.delete(pfn + i);
        continue;
      }
      await a.remapOut(pfn, n, nextFrame);
      for (let i = 0; i < n; i++) frames.set(pfn + i, nextFrame + i);
      nextFrame += n;
    }
    for (let k = 0; k < 40; k++) {
      const startPfn = A_BASE + rng.int(0, NR_SECTIONS * PAGES_PER_SECTION);
      const endPfn = Math.min(A_BASE + NR_SECTIONS * PAGES_PER_SECTION, startPfn + rng.skewedLength(NR_SECTIONS * PAGES_PER_SECTION));
      let pages = 0;
      for (const pfn of frames.keys()) if (pfn >= startPfn && pfn < endPfn) pages++;
      expect((await a.countRemapped(startPfn, endPfn)).pages, `[${startPfn}, ${endPfn})`).toBe(pages);
    }
    await a.validate();
  });
});
