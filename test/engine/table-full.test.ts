/**
 * E_FULL: with a small maxBytes the pools run out; the refused call changes
 * nothing (classes, tags, translation, representation, bytesUsed), and the
 * same call succeeds once records are freed.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PAGE_OFFSET, PageClass } from '../../src/contract/constants.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { firstDifference } from './dense-model.js';

const NR_PAGES = 2 ** 22; // 128 sections, 8192 pageblocks
const MAX_BYTES = 1 << 20;

function snapshot(engine: Engine) {
  const nrPages = engine.info().nrPages;
  return {
    classes: engine.readClasses(0, nrPages),
    tags: engine.readPageblockTags(0, nrPages / PAGES_PER_PAGEBLOCK),
    sections: engine.readSections(0, nrPages / PAGES_PER_SECTION),
    translated: engine.virtToPhys(BigUint64Array.from([PAGE_OFFSET + 4096n * 77n, PAGE_OFFSET + 4096n * 40_000n])).out,
    stats: engine.representationStats(),
    bytes: engine.bytesUsed(),
  };
}

function expectUnchanged(engine: Engine, before: ReturnType<typeof snapshot>): void {
  const after = snapshot(engine);
  expect(firstDifference(after.classes, before.classes)).toBe(-1);
  expect(firstDifference(after.tags, before.tags)).toBe(-1);
  expect(after.sections).toEqual(before.sections);
  expect(after.translated).toEqual(before.translated);
  expect(after.stats).toEqual(before.stats);
  expect(after.bytes).toBe(before.bytes);
  engine.validate();
}

/** Scatters one short run per pageblock until the engine refuses; returns the refused pageblock. */
function fillUntilFull(engine: Engine): number {
  for (let pb = 0; pb < NR_PAGES / PAGES_PER_PAGEBLOCK; pb++) {
    const pfn = pb * PAGES_PER_PAGEBLOCK + 3;
    try {
      engine.setClass(pfn, pfn + 5, PageClass.SLAB);
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_FULL', op: 'setClass' });
      return pb;
    }
  }
  throw new Error('the engine never ran out of memory');
}

describe('E_FULL under a small maxBytes', () => {
  test('setClass that needs a plane it cannot have is refused and changes nothing', async () => {
    const engine = await createEngine({ basePfn: 0, nrPages: NR_PAGES, maxBytes: MAX_BYTES }, 'debug');
    engine.addSections(0, NR_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const refusedPb = fillUntilFull(engine);
    expect(refusedPb).toBeGreaterThan(100);
    expect(engine.memoryBytes()).toBeLessThanOrEqual(MAX_BYTES);
    const before = snapshot(engine);
    const pfn = refusedPb * PAGES_PER_PAGEBLOCK + 3;
    expect(() => engine.setClass(pfn, pfn + 5, PageClass.SLAB)).toThrow(expect.objectContaining({ code: 'E_FULL' }));
    expectUnchanged(engine, before);

    // Other calls that need records are refused the same way.
    expect(() => engine.remap(5, 10, 2 * PAGES_PER_SECTION)).toThrow(expect.objectContaining({ code: 'E_FULL' }));
    expectUnchanged(engine, before);
    const lastSection = NR_PAGES - PAGES_PER_SECTION;
    expect(() => engine.claim(lastSection, NR_PAGES, 700, PageClass.FREE, PageClass.USER, ClaimMode.RANDOM_PAGEBLOCK, 3)).toThrow(
      expect.objectContaining({ code: 'E_FULL' }),
    );
    expectUnchanged(engine, before);

    // Calls that need no new record still work when full.
    expect(engine.claim(0, PAGES_PER_PAGEBLOCK, 5, PageClass.SLAB, PageClass.USER, ClaimMode.LOWEST, 0)).toBe(8);
    // Freeing records (undoing the runs of one section) makes room again.
    engine.setClass(0, PAGES_PER_SECTION, PageClass.FREE);
    engine.setClass(pfn, pfn + 5, PageClass.SLAB);
    expect(engine.count(pfn - 3, pfn + 10, 1 << PageClass.SLAB)).toBe(5);
    engine.validate();
  });

  test('tags that need a MIXED record it cannot have are refused and change nothing', async () => {
    // 512 sections: more uniform sections than one pool page of MIXED records.
    const nrPages = 2 ** 24;
    const engine = await createEngine({ basePfn: 0, nrPages, maxBytes: MAX_BYTES });
    engine.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    fillUntilFull(engine);
    // Then one isolated pageblock per section splits every uniform section left.
    let refused = false;
    for (let s = 0; s < nrPages / PAGES_PER_SECTION && !refused; s++) {
      try {
        engine.setIsolate(s * PAGES_PER_SECTION, s * PAGES_PER_SECTION + 1, true);
      } catch (error) {
        expect(error).toMatchObject({ code: 'E_FULL', op: 'setIsolate' });
        refused = true;
        const before = snapshot(engine);
        expect(() => engine.setMigratetype(s * PAGES_PER_SECTION, s * PAGES_PER_SECTION + 1, Migratetype.UNMOVABLE)).toThrow(
          expect.objectContaining({ code: 'E_FULL' }),
        );
        expectUnchanged(engine, before);
      }
    }
    expect(refused).toBe(true);
  });

  test('a window whose tables do not fit in maxBytes is refused at creation', async () => {
    await expect(createEngine({ basePfn: 0, nrPages: 2 ** 32, maxBytes: 1 << 20 })).rejects.toMatchObject({
      code: 'E_FULL',
      arg: 'maxBytes',
    });
  });
});
