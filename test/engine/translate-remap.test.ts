/**
 * Translation: the direct map, remapped sections through their forward
 * tables, phys_to_virt through reverse entries, and the zero-copy batch path
 * agreeing with the copying one.
 */
import { describe, expect, test } from 'vitest';
import { BAD_ADDRESS, Migratetype, PAGE_OFFSET, PAGE_SHIFT, PAGES_PER_SECTION, PageClass, SectionFlag } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { Prng } from '../helpers/prng.js';

const BASE_PFN = 2 ** 33;
const NR_PAGES = 8 * PAGES_PER_SECTION;
const SHIFT = BigInt(PAGE_SHIFT);

const va = (pfn: number, offset = 0): bigint => PAGE_OFFSET + ((BigInt(pfn) << SHIFT) | BigInt(offset));
const pa = (pfn: number, offset = 0): bigint => (BigInt(pfn) << SHIFT) | BigInt(offset);

async function machine() {
  const engine = await createEngine({ basePfn: BASE_PFN, nrPages: NR_PAGES }, 'debug');
  // Sections 0..5 present, 6..7 absent.
  engine.addSections(BASE_PFN, BASE_PFN + 6 * PAGES_PER_SECTION, 0, PageClass.SLAB, Migratetype.UNMOVABLE, 0);
  return engine;
}

describe('translation', () => {
  test('the direct map answers present sections and misses the rest', async () => {
    const engine = await machine();
    const inputs = BigUint64Array.from([
      va(BASE_PFN, 0x123),
      va(BASE_PFN + 6 * PAGES_PER_SECTION - 1, 0xfff),
      va(BASE_PFN + 6 * PAGES_PER_SECTION), // absent section
      va(BASE_PFN - 1), // below the window
      pa(BASE_PFN), // below PAGE_OFFSET
    ]);
    const result = engine.virtToPhys(inputs);
    expect(Array.from(result.out)).toEqual([pa(BASE_PFN, 0x123), pa(BASE_PFN + 6 * PAGES_PER_SECTION - 1, 0xfff), BAD_ADDRESS, BAD_ADDRESS, BAD_ADDRESS]);
    expect([result.fast, result.slow, result.miss]).toEqual([2, 0, 3]);
  });

  test('remapped pages translate through the table, both ways', async () => {
    const engine = await machine();
    const oldPfn = BASE_PFN + PAGES_PER_SECTION + 100;
    const newPfn = BASE_PFN + 4 * PAGES_PER_SECTION + 7;
    engine.remap(oldPfn, 50, newPfn);
    const flags = engine.readSections(BASE_PFN / PAGES_PER_SECTION, 6);
    expect(Array.from(flags, (w) => (w & SectionFlag.REMAPPED) !== 0)).toEqual([false, true, false, false, false, false]);

    const v2p = engine.virtToPhys(BigUint64Array.from([va(oldPfn, 5), va(oldPfn + 49, 9), va(oldPfn + 50), va(oldPfn - 1), va(BASE_PFN)]));
    expect(Array.from(v2p.out)).toEqual([pa(newPfn, 5), pa(newPfn + 49, 9), pa(oldPfn + 50), pa(oldPfn - 1), pa(BASE_PFN)]);
    expect([v2p.fast, v2p.slow, v2p.miss]).toEqual([1, 4, 0]);

    const p2v = engine.physToVirt(BigUint64Array.from([pa(newPfn, 3), pa(oldPfn, 3), pa(oldPfn + 50), pa(BASE_PFN)]));
    // The new frame maps to the old page's address; the old frame lost its page.
    expect(Array.from(p2v.out)).toEqual([va(oldPfn, 3), BAD_ADDRESS, va(oldPfn + 50), va(BASE_PFN)]);
    expect([p2v.fast, p2v.slow, p2v.miss]).toEqual([1, 2, 1]);
    expect(engine.representationStats()).toMatchObject({ forwardTables: 1, reverseTables: 1 });
    engine.validate();

    // A frame can hold one relocated page only.
    expect(() => engine.remap(oldPfn + 500, 10, newPfn + 40)).toThrow(expect.objectContaining({ code: 'E_EXISTS', arg: 'newStartPfn' }));
    // Relocating again moves the page and frees its old frame's reverse entry.
    engine.remap(oldPfn, 1, newPfn + 1000);
    expect(engine.physToVirt(BigUint64Array.from([pa(newPfn)])).out[0]).toBe(pa(newPfn) + PAGE_OFFSET);
    expect(engine.virtToPhys(BigUint64Array.from([va(oldPfn)])).out[0]).toBe(pa(newPfn + 1000));
    engine.validate();

    engine.clearRemap(oldPfn, oldPfn + 1);
    expect(engine.representationStats()).toMatchObject({ forwardTables: 0, reverseTables: 0 });
    const back = engine.virtToPhys(BigUint64Array.from([va(oldPfn, 1)]));
    expect(back.out[0]).toBe(pa(oldPfn, 1));
    expect(back.fast).toBe(1);
    engine.validate();
  });

  test('removing the target section sends the moved pages back to identity', async () => {
    const engine = await machine();
    const oldPfn = BASE_PFN + 2 * PAGES_PER_SECTION;
    const newPfn = BASE_PFN + 5 * PAGES_PER_SECTION;
    engine.remap(oldPfn, 1000, newPfn);
    engine.removeSections(BASE_PFN + 5 * PAGES_PER_SECTION, BASE_PFN + 6 * PAGES_PER_SECTION);
    const v2p = engine.virtToPhys(BigUint64Array.from([va(oldPfn + 10)]));
    expect(v2p.out[0]).toBe(pa(oldPfn + 10));
    expect(v2p.slow).toBe(1); // still a REMAPPED section
    expect(engine.representationStats()).toMatchObject({ forwardTables: 1, reverseTables: 0 });
    engine.validate();
    engine.removeSections(BASE_PFN + 2 * PAGES_PER_SECTION, BASE_PFN + 3 * PAGES_PER_SECTION);
    expect(engine.representationStats()).toMatchObject({ forwardTables: 0, reverseTables: 0 });
    engine.validate();
  });

  test('the zero-copy path gives the copying path\'s answers', async () => {
    const engine = await machine();
    const rng = new Prng(5);
    for (let i = 0; i < 20; i++) {
      const oldPfn = BASE_PFN + rng.int(0, 3 * PAGES_PER_SECTION);
      const newPfn = BASE_PFN + 3 * PAGES_PER_SECTION + i * 1000;
      engine.remap(oldPfn, 1000, newPfn);
    }
    const n = 100_000; // more than one I/O-area chunk
    const vas = new BigUint64Array(n);
    for (let i = 0; i < n; i++) {
      vas[i] = rng.chance(0.05) ? BigInt(rng.int(0, 2 ** 40)) : va(BASE_PFN + rng.int(0, NR_PAGES), rng.int(0, 4096));
    }
    const copied = engine.virtToPhys(vas);
    const buffers = engine.translateBuffers(n);
    buffers.input.set(vas);
    const counts = engine.virtToPhysInPlace(n);
    expect(counts).toEqual({ fast: copied.fast, slow: copied.slow, miss: copied.miss });
    expect(copied.slow).toBeGreaterThan(0);
    expect(copied.miss).toBeGreaterThan(0);
    let same = true;
    for (let i = 0; i < n; i++) if (buffers.output[i] !== copied.out[i]) same = false;
    expect(same).toBe(true);
    // And back: every translated address returns to its virtual address, except
    // identity frames of the target area, which also hold a relocated page.
    const targetLo = pa(BASE_PFN + 3 * PAGES_PER_SECTION);
    const targetHi = pa(BASE_PFN + 3 * PAGES_PER_SECTION + 20 * 1000);
    const oldHi = va(BASE_PFN + 3 * PAGES_PER_SECTION);
    const backCopied = engine.physToVirt(copied.out);
    buffers.input.set(copied.out);
    const backCounts = engine.physToVirtInPlace(n);
    expect(backCounts).toEqual({ fast: backCopied.fast, slow: backCopied.slow, miss: backCopied.miss });
    for (let i = 0; i < n; i++) {
      const out = copied.out[i]!;
      if (out === BAD_ADDRESS) continue;
      const identityInTargets = out >= targetLo && out < targetHi && vas[i]! >= oldHi;
      if (!identityInTargets) expect(backCopied.out[i]).toBe(vas[i]);
    }
    // Results never alias WASM memory.
    expect(copied.out.buffer).not.toBe(buffers.output.buffer);
  });
});
