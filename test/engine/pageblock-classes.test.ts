/**
 * readPageblockClasses: per pageblock, the mask of the classes its pages
 * hold, through each representation a section can take (one class for the
 * whole section, one class for a pageblock, a plane record of mixed pages),
 * and 0 where no section is present. The WASM engine and the reference agree.
 */
import { describe, expect, test } from 'vitest';
import { classBit, Migratetype, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';

const BASE_PFN = 7 * PAGES_PER_SECTION;
const NR_PAGES = 3 * PAGES_PER_SECTION;
const PB = PAGES_PER_PAGEBLOCK;

async function engines(): Promise<[string, EngineApi][]> {
  const opts = { basePfn: BASE_PFN, nrPages: NR_PAGES };
  return [
    ['wasm', await createEngine(opts, 'debug')],
    ['reference', createRefEngine(opts)],
  ];
}

describe('readPageblockClasses', () => {
  test('uniform, one-class and mixed pageblocks, and absent sections', async () => {
    for (const [name, engine] of await engines()) {
      // Sections 0 and 1 present, section 2 absent.
      engine.addSections(BASE_PFN, BASE_PFN + 2 * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
      const free = classBit(PageClass.FREE);
      // Section 0 stays one class.
      // Section 1: pageblock 1 all USER; pageblock 2 one SLAB page among FREE; pageblock 3 USER and PINNED only.
      const s1 = BASE_PFN + PAGES_PER_SECTION;
      engine.setClass(s1 + PB, s1 + 2 * PB, PageClass.USER);
      engine.setClass(s1 + 2 * PB + 17, s1 + 2 * PB + 18, PageClass.SLAB);
      engine.setClass(s1 + 3 * PB, s1 + 4 * PB, PageClass.USER);
      engine.setClass(s1 + 4 * PB - 1, s1 + 4 * PB, PageClass.PINNED);

      const perSection = PAGES_PER_SECTION / PB;
      const got = engine.readPageblockClasses(BASE_PFN, NR_PAGES / PB);
      const want = new Uint8Array(NR_PAGES / PB);
      want.fill(free, 0, 2 * perSection);
      want[perSection + 1] = classBit(PageClass.USER);
      want[perSection + 2] = free | classBit(PageClass.SLAB);
      want[perSection + 3] = classBit(PageClass.USER) | classBit(PageClass.PINNED);
      expect(Array.from(got), name).toEqual(Array.from(want));
      // From a pfn inside a pageblock: that pageblock first.
      expect(Array.from(engine.readPageblockClasses(s1 + 2 * PB + 300, 2)), name).toEqual([want[perSection + 2], want[perSection + 3]]);
      // Refusals name the argument, as readPageblockTags does.
      expect(() => engine.readPageblockClasses(BASE_PFN - 1, 1), name).toThrow(/startPfn/);
      expect(() => engine.readPageblockClasses(BASE_PFN + NR_PAGES - PB, 2), name).toThrow(/nrPageblocks/);
    }
  });
});
