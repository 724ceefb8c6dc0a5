/**
 * What relocation across shards costs in memory, on the WASM engine: a
 * node's worth of pages (2^20) whose slab pages went to another node's
 * frames in short runs costs the source one 2 KiB PFN BLOCK per pageblock
 * (u32 deltas, wherever the frames are) and a directory per section; runs of
 * whole pageblocks cost the directories only; a window above 2^40, whose
 * values no entry base can hold, falls back to WIDE blocks and still
 * translates exactly.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PAGE_OFFSET, PAGE_SHIFT, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { Prng } from '../helpers/prng.js';

const NODE_PAGES = 2 ** 20;
const NODE_PAGEBLOCKS = NODE_PAGES / PAGES_PER_PAGEBLOCK;
const NODE_SECTIONS = NODE_PAGES / PAGES_PER_SECTION;
const A_BASE = 2 ** 30;
const B_BASE = 2 ** 32;
/** One growth step of a pool: a 64 KiB WASM page. */
const WASM_PAGE = 2 ** 16;
const SIZE_OF_PFN_BLOCK = 2048;
const SIZE_OF_DIR = 512;

async function node(basePfn: number, nrPages: number): Promise<Engine> {
  const engine = await createEngine({ basePfn, nrPages });
  engine.addSections(basePfn, basePfn + nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  return engine;
}

describe('wasm engine: memory of relocation across shards', () => {
  test('2^20 pages, half of them slab in runs of 1-32 pages: one 2 KiB block per pageblock on the source', async () => {
    const [a, b] = [await node(A_BASE, 2 * NODE_PAGES), await node(B_BASE, 2 * NODE_PAGES)];
    const [a0, b0] = [a.bytesUsed(), b.bytesUsed()];
    const rng = new Prng(3);
    let frame = B_BASE + 5;
    let moved = 0;
    for (let pfn = A_BASE; pfn < A_BASE + NODE_PAGES; ) {
      const n = Math.min(rng.int(1, 33), A_BASE + NODE_PAGES - pfn);
      if (rng.chance(0.5)) {
        b.remapIn(frame, n, pfn);
        a.remapOut(pfn, n, frame);
        moved += n;
        frame += n + rng.int(0, 9);
      }
      pfn += n;
    }
    expect(a.representationStats()).toMatchObject({ forwardTables: NODE_SECTIONS, pfnBlocks: NODE_PAGEBLOCKS, widePfnBlocks: 0 });
    expect(a.bytesUsed() - a0).toBeLessThanOrEqual(NODE_PAGEBLOCKS * SIZE_OF_PFN_BLOCK + NODE_SECTIONS * SIZE_OF_DIR + WASM_PAGE);
    // The frames came in allocation order: their pageblocks, and no more, took blocks.
    const framePageblocks = Math.ceil((frame - B_BASE) / PAGES_PER_PAGEBLOCK);
    expect(b.representationStats().pfnBlocks).toBeLessThanOrEqual(framePageblocks);
    expect(b.bytesUsed() - b0).toBeLessThanOrEqual(framePageblocks * SIZE_OF_PFN_BLOCK + (framePageblocks / 64 + 1) * SIZE_OF_DIR + 2 * WASM_PAGE);
    expect(a.countRemapped(A_BASE, A_BASE + 2 * NODE_PAGES)).toEqual({ pages: moved, sections: NODE_SECTIONS });
    a.validate();
    b.validate();
  });

  test('runs of whole pageblocks cost the directories only', async () => {
    const [a, b] = [await node(A_BASE, 2 * NODE_PAGES), await node(B_BASE, 2 * NODE_PAGES)];
    const a0 = a.bytesUsed();
    for (let k = 0; k < NODE_PAGEBLOCKS; k++) {
      const frame = B_BASE + ((k * 7919) % NODE_PAGEBLOCKS) * PAGES_PER_PAGEBLOCK;
      b.remapIn(frame, PAGES_PER_PAGEBLOCK, A_BASE + k * PAGES_PER_PAGEBLOCK);
      a.remapOut(A_BASE + k * PAGES_PER_PAGEBLOCK, PAGES_PER_PAGEBLOCK, frame);
    }
    expect(a.representationStats()).toMatchObject({ forwardTables: NODE_SECTIONS, pfnBlocks: 0 });
    expect(b.representationStats()).toMatchObject({ pfnBlocks: 0 });
    expect(a.bytesUsed() - a0).toBeLessThanOrEqual(NODE_SECTIONS * SIZE_OF_DIR + WASM_PAGE);
  });

  test('a window above 2^40 relocates page by page through WIDE blocks, exactly', async () => {
    const base = 2 ** 41;
    const [wasm, ref] = [await node(base, 4 * PAGES_PER_SECTION), createRefEngine({ basePfn: base, nrPages: 4 * PAGES_PER_SECTION })];
    ref.addSections(base, base + 4 * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    for (const engine of [wasm, ref]) {
      engine.remap(base + 10, 5, base + PAGES_PER_SECTION + 3);
      engine.remapOut(base + 40, 3, B_BASE + 1);
    }
    expect(wasm.representationStats().widePfnBlocks).toBeGreaterThan(0);
    const shift = BigInt(PAGE_SHIFT);
    // The direct map does not reach this high: compare physToVirt, which wraps the same way on both.
    const frames = BigUint64Array.from([0, 1, 4, 5, 7], (i) => BigInt(base + PAGES_PER_SECTION + 3 + i) << shift);
    expect(wasm.physToVirt(frames)).toEqual(ref.physToVirt(frames));
    expect(wasm.physToVirt(frames).out[1]).toBe((PAGE_OFFSET + (BigInt(base + 11) << shift)) & ((1n << 64n) - 1n));
    expect(wasm.countRemapped(base, base + PAGES_PER_SECTION)).toEqual(ref.countRemapped(base, base + PAGES_PER_SECTION));
    wasm.validate();
  });
});
