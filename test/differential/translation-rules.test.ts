/**
 * The translation rules both engines follow (documented on RefEngine), checked
 * on hand-built cases rather than against each other: remap and re-remap,
 * identity relocation, E_EXISTS on an occupied frame, clearRemap and
 * removeSections dropping pairs, and how fast / slow / miss are counted.
 */
import { describe, expect, test } from 'vitest';
import { BAD_ADDRESS, Migratetype, PAGE_OFFSET, PAGE_SHIFT, PAGES_PER_SECTION, PageClass, SectionFlag } from '../../src/contract/constants.js';
import type { EngineApi, TranslateResult } from '../../src/contract/engine-api.js';
import { ENGINE_CASES, type EngineCase } from '../helpers/engines.js';

const BASE_PFN = 2 ** 34;
const NR_SECTIONS = 4;
const BASE_SECTION_NR = BASE_PFN / PAGES_PER_SECTION;
const sectionPfn = (index: number): number => BASE_PFN + index * PAGES_PER_SECTION;

const P = sectionPfn(0) + 10;
const F = sectionPfn(1) + 100;
const G = sectionPfn(2);

function pa(pfn: number, offsetInPage = 0): bigint {
  return (BigInt(pfn) << BigInt(PAGE_SHIFT)) | BigInt(offsetInPage);
}
function va(pfn: number, offsetInPage = 0): bigint {
  return PAGE_OFFSET + pa(pfn, offsetInPage);
}

/** One address through virtToPhys: [result, 'fast' | 'slow' | 'miss']. */
async function v2p(engine: EngineApi, address: bigint): Promise<[bigint, string]> {
  return single(await engine.virtToPhys(BigUint64Array.of(address)));
}
async function p2v(engine: EngineApi, address: bigint): Promise<[bigint, string]> {
  return single(await engine.physToVirt(BigUint64Array.of(address)));
}
function single(result: TranslateResult): [bigint, string] {
  expect(result.out).toHaveLength(1);
  expect(result.fast + result.slow + result.miss).toBe(1);
  return [result.out[0]!, result.fast ? 'fast' : result.slow ? 'slow' : 'miss'];
}

async function build(factory: EngineCase): Promise<EngineApi> {
  const engine = await factory.create({ basePfn: BASE_PFN, nrPages: NR_SECTIONS * PAGES_PER_SECTION });
  await engine.addSections(sectionPfn(0), sectionPfn(3), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  return engine;
}

describe.each(ENGINE_CASES)('%s engine: translation rules', (_kind, factory) => {
  test('without remaps every present page is the direct map, answered fast', async () => {
    const engine = await build(factory);
    expect(await v2p(engine, va(P, 0x123))).toEqual([pa(P, 0x123), 'fast']);
    expect(await p2v(engine, pa(P, 0x123))).toEqual([va(P, 0x123), 'fast']);
  });

  test('misses: below PAGE_OFFSET, outside the window, absent section', async () => {
    const engine = await build(factory);
    expect(await v2p(engine, PAGE_OFFSET - 1n)).toEqual([BAD_ADDRESS, 'miss']);
    expect(await v2p(engine, pa(P))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await v2p(engine, va(BASE_PFN - 1))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await v2p(engine, va(sectionPfn(NR_SECTIONS)))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await v2p(engine, va(sectionPfn(3) + 5))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, pa(sectionPfn(3) + 5))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, pa(BASE_PFN - 1))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, BAD_ADDRESS)).toEqual([BAD_ADDRESS, 'miss']);
  });

  test('remap: old pages translate through the table, frames answer the old addresses', async () => {
    const engine = await build(factory);
    await engine.remap(P, 2, F);
    expect((await engine.readSections(BASE_SECTION_NR, 2))[0]! & SectionFlag.REMAPPED).toBe(SectionFlag.REMAPPED);
    expect((await engine.readSections(BASE_SECTION_NR, 2))[1]! & SectionFlag.REMAPPED).toBe(0);
    // Relocated pages go through the table; a neighbour in the REMAPPED section is identity, but slow.
    expect(await v2p(engine, va(P, 0x10))).toEqual([pa(F, 0x10), 'slow']);
    expect(await v2p(engine, va(P + 1))).toEqual([pa(F + 1), 'slow']);
    expect(await v2p(engine, va(P + 2))).toEqual([pa(P + 2), 'slow']);
    // The target frame's own section is still the direct map.
    expect(await v2p(engine, va(F))).toEqual([pa(F), 'fast']);
    // Frames holding relocated pages answer the old address; the vacated frame has none.
    expect(await p2v(engine, pa(F, 5))).toEqual([va(P, 5), 'slow']);
    expect(await p2v(engine, pa(F + 1))).toEqual([va(P + 1), 'slow']);
    expect(await p2v(engine, pa(P))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, pa(P + 2))).toEqual([va(P + 2), 'slow']);
    expect(await p2v(engine, pa(F + 2))).toEqual([va(F + 2), 'fast']);
    await engine.validate();
  });

  test('remapping a page again moves it and frees its previous frame', async () => {
    const engine = await build(factory);
    await engine.remap(P, 2, F);
    await engine.remap(P, 1, G);
    expect(await v2p(engine, va(P))).toEqual([pa(G), 'slow']);
    expect(await p2v(engine, pa(G))).toEqual([va(P), 'slow']);
    expect(await p2v(engine, pa(F))).toEqual([va(F), 'fast']);
    expect(await p2v(engine, pa(F + 1))).toEqual([va(P + 1), 'slow']);
    // The freed frame can take another page.
    await engine.remap(P + 7, 1, F);
    expect(await p2v(engine, pa(F))).toEqual([va(P + 7), 'slow']);
    await engine.validate();
  });

  test('a frame holds at most one relocated page: E_EXISTS newStartPfn, nothing changed', async () => {
    const engine = await build(factory);
    await engine.remap(P, 2, F);
    await expect(async () => engine.remap(P + 20, 3, F - 1)).rejects.toMatchObject({ code: 'E_EXISTS', arg: 'newStartPfn' });
    expect(await v2p(engine, va(P + 20))).toEqual([pa(P + 20), 'slow']);
    expect(await p2v(engine, pa(F - 1))).toEqual([va(F - 1), 'fast']);
    expect(await p2v(engine, pa(F))).toEqual([va(P), 'slow']);
  });

  test('a page relocated onto its own frame is an identity entry', async () => {
    const engine = await build(factory);
    await engine.remap(P, 1, P);
    expect(await v2p(engine, va(P, 9))).toEqual([pa(P, 9), 'slow']);
    expect(await p2v(engine, pa(P, 9))).toEqual([va(P, 9), 'slow']);
    await expect(async () => engine.remap(P + 1, 1, P)).rejects.toMatchObject({ code: 'E_EXISTS', arg: 'newStartPfn' });
    await engine.validate();
  });

  test('clearRemap returns the old sections to the direct map and drops their reverse entries', async () => {
    const engine = await build(factory);
    await engine.remap(P, 2, F);
    await engine.remap(sectionPfn(1) + 7, 1, G);
    await engine.clearRemap(sectionPfn(0) + 500, sectionPfn(0) + 501);
    expect((await engine.readSections(BASE_SECTION_NR, 1))[0]! & SectionFlag.REMAPPED).toBe(0);
    expect(await v2p(engine, va(P))).toEqual([pa(P), 'fast']);
    expect(await p2v(engine, pa(P))).toEqual([va(P), 'fast']);
    // F holds nothing now; its own section 1 is REMAPPED (by the second remap), so identity is slow.
    expect(await p2v(engine, pa(F))).toEqual([va(F), 'slow']);
    // The pair of a page of section 1 (on frame G of section 2) survives.
    expect(await p2v(engine, pa(G))).toEqual([va(sectionPfn(1) + 7), 'slow']);
    // Clearing a section whose frames received pages does not drop those pairs.
    await engine.clearRemap(sectionPfn(2), sectionPfn(3));
    expect(await p2v(engine, pa(G))).toEqual([va(sectionPfn(1) + 7), 'slow']);
    expect(await v2p(engine, va(sectionPfn(1) + 7))).toEqual([pa(G), 'slow']);
    await engine.validate();
  });

  test('removeSections drops pairs whose frame goes and keeps removed pages that live on', async () => {
    const engine = await build(factory);
    await engine.remap(P, 1, F);
    await engine.remap(sectionPfn(2) + 3, 1, sectionPfn(0) + 900);
    await engine.removeSections(sectionPfn(1), sectionPfn(3));
    // P's frame is gone: P translates through identity again, its section still REMAPPED.
    expect(await v2p(engine, va(P))).toEqual([pa(P), 'slow']);
    expect(await p2v(engine, pa(P))).toEqual([va(P), 'slow']);
    expect(await v2p(engine, va(F))).toEqual([BAD_ADDRESS, 'miss']);
    // Section 2 is gone, but its page at frame 900 of section 0 is still
    // reached through its direct-map address; the rest of section 2 misses.
    expect(await v2p(engine, va(sectionPfn(2) + 3, 0x40))).toEqual([pa(sectionPfn(0) + 900, 0x40), 'slow']);
    expect(await p2v(engine, pa(sectionPfn(0) + 900))).toEqual([va(sectionPfn(2) + 3), 'slow']);
    expect(await v2p(engine, va(sectionPfn(2) + 4))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, pa(sectionPfn(2) + 3))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await engine.countRemapped(sectionPfn(0), sectionPfn(4))).toEqual({ pages: 1, sections: 2 });
    await engine.validate();
    // Its direct-map range is in use: it cannot come back until clearRemap.
    await expect(async () => engine.addSections(sectionPfn(1), sectionPfn(3), 0, PageClass.FREE, Migratetype.MOVABLE, 0)).rejects.toMatchObject({ code: 'E_EXISTS', arg: 'startPfn' });
    await engine.addSections(sectionPfn(1), sectionPfn(2), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    await engine.clearRemap(sectionPfn(2), sectionPfn(3));
    expect(await v2p(engine, va(sectionPfn(2) + 3))).toEqual([BAD_ADDRESS, 'miss']);
    expect(await p2v(engine, pa(sectionPfn(0) + 900))).toEqual([va(sectionPfn(0) + 900), 'slow']);
    // Re-adding the sections brings back plain direct-map frames.
    await engine.addSections(sectionPfn(2), sectionPfn(3), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    expect(await p2v(engine, pa(F))).toEqual([va(F), 'fast']);
    expect(await v2p(engine, va(sectionPfn(2) + 3))).toEqual([pa(sectionPfn(2) + 3), 'fast']);
    await engine.validate();
  });

  test('a removed section leaves the translation map when its last relocated page goes home', async () => {
    const engine = await build(factory);
    await engine.remap(sectionPfn(2) + 3, 2, sectionPfn(0) + 900);
    await engine.removeSections(sectionPfn(2), sectionPfn(3));
    expect(await engine.countRemapped(sectionPfn(2), sectionPfn(3))).toEqual({ pages: 2, sections: 1 });
    // The frames go too: nothing of section 2 is left to translate.
    await engine.removeSections(sectionPfn(0), sectionPfn(1));
    expect(await engine.countRemapped(sectionPfn(0), sectionPfn(4))).toEqual({ pages: 0, sections: 0 });
    expect(await v2p(engine, va(sectionPfn(2) + 3))).toEqual([BAD_ADDRESS, 'miss']);
    await engine.validate();
    await engine.addSections(sectionPfn(0), sectionPfn(1), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    await engine.addSections(sectionPfn(2), sectionPfn(3), 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    await engine.validate();
  });

  test('a batch counts each address once', async () => {
    const engine = await build(factory);
    await engine.remap(P, 1, F);
    const result = await engine.virtToPhys(BigUint64Array.of(va(P), va(P + 1), va(F), 0n, va(sectionPfn(3))));
    expect(Array.from(result.out)).toEqual([pa(F), pa(P + 1), pa(F), BAD_ADDRESS, BAD_ADDRESS]);
    expect([result.fast, result.slow, result.miss]).toEqual([1, 2, 2]);
  });
});
