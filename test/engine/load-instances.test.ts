/**
 * Loading: one compiled module per build variant, one instance (and linear
 * memory) per shard, both variants giving the same answers, and window
 * options checked at creation.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, PAGE_OFFSET, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createEngine, engineModule } from '../../src/engine/index.js';

describe('engine loading', () => {
  test('each variant is compiled once and shared by its instances', async () => {
    const first = await engineModule('release');
    await createEngine({ basePfn: 0, nrPages: PAGES_PER_SECTION });
    expect(await engineModule('release')).toBe(first);
    expect(await engineModule('debug')).not.toBe(first);
  });

  test('shards are separate instances with separate state', async () => {
    const a = await createEngine({ basePfn: 0, nrPages: 4 * PAGES_PER_SECTION });
    const b = await createEngine({ basePfn: 0, nrPages: 4 * PAGES_PER_SECTION });
    a.addSections(0, 4 * PAGES_PER_SECTION, 0, PageClass.USER, Migratetype.MOVABLE, 0);
    expect(a.count(0, 4 * PAGES_PER_SECTION, 1 << PageClass.USER)).toBe(4 * PAGES_PER_SECTION);
    expect(b.count(0, 4 * PAGES_PER_SECTION, 1 << PageClass.USER)).toBe(0);
    expect(b.readSections(0, 4)).toEqual(new Uint32Array(4));
  });

  test('release and debug builds agree', async () => {
    const results = [];
    for (const variant of ['release', 'debug'] as const) {
      const e = await createEngine({ basePfn: 2 ** 30, nrPages: 8 * PAGES_PER_SECTION }, variant);
      const base = 2 ** 30;
      e.addSections(base, base + 6 * PAGES_PER_SECTION, 3, PageClass.FREE, Migratetype.MOVABLE, 0);
      e.setClass(base + 1000, base + 90_000, PageClass.USER);
      const claimed = e.claim(base, base + 6 * PAGES_PER_SECTION, 12_345, PageClass.FREE, PageClass.SLAB, ClaimMode.RANDOM_PAGEBLOCK, 77);
      const scan = e.migrateScan(base, base + 8 * PAGES_PER_SECTION, 1 << PageClass.USER, 1 << PageClass.PINNED, 50);
      results.push({ claimed, counts: Array.from(e.countClasses(base, base + 8 * PAGES_PER_SECTION)), runs: Array.from(scan.runs) });
      e.validate();
    }
    expect(results[1]).toEqual(results[0]);
  });

  test('window options are checked at creation', async () => {
    await expect(createEngine({ basePfn: 5, nrPages: PAGES_PER_SECTION })).rejects.toMatchObject({ code: 'E_ALIGN', arg: 'basePfn' });
    await expect(createEngine({ basePfn: 0, nrPages: 100 })).rejects.toMatchObject({ code: 'E_ALIGN', arg: 'nrPages' });
    await expect(createEngine({ basePfn: 0, nrPages: 0 })).rejects.toMatchObject({ code: 'E_RANGE', arg: 'nrPages' });
    await expect(createEngine({ basePfn: 0, nrPages: 2 ** 32 + PAGES_PER_SECTION })).rejects.toMatchObject({ code: 'E_RANGE', arg: 'nrPages' });
    await expect(createEngine({ basePfn: -PAGES_PER_SECTION, nrPages: PAGES_PER_SECTION })).rejects.toMatchObject({ code: 'E_ARG', arg: 'basePfn' });
    const e = await createEngine({ basePfn: 2 ** 40, nrPages: 2 * PAGES_PER_SECTION });
    expect(e.info()).toEqual({ basePfn: 2 ** 40, nrPages: 2 * PAGES_PER_SECTION, nrSections: 2, pageOffset: PAGE_OFFSET });
  });
});
