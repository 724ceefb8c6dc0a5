/**
 * migrateScan(): movable runs in pfn order, MORE when maxRuns is reached
 * (resumable from nextPfn), UNMOVABLE at the first unmovable page, and runs
 * that break at sections that are not present.
 */
import { describe, expect, test } from 'vitest';
import { Migratetype, PAGES_PER_SECTION, PageClass, ScanStatus, classBit } from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { Prng } from '../helpers/prng.js';
import { DenseClasses } from './dense-model.js';

const MOVABLE = classBit(PageClass.USER) | classBit(PageClass.FREE);
const UNMOVABLE = classBit(PageClass.PINNED);

/** The runs a scan must report, from the dense model (NO_CLASS pages break runs). */
function modelRuns(model: DenseClasses, startPfn: number, endPfn: number, movable: number): number[] {
  const runs: number[] = [];
  for (let pfn = startPfn; pfn < endPfn; pfn++) {
    const cls = model.classAt(pfn);
    if (cls > 6 || !((movable >> cls) & 1)) continue;
    const n = runs.length;
    if (n > 0 && runs[n - 2]! + runs[n - 1]! === pfn) runs[n - 1]!++;
    else runs.push(pfn, 1);
  }
  return runs;
}

describe('migrateScan', () => {
  test('collects runs across pageblock and section edges and stops them at absent sections', async () => {
    const basePfn = 2 ** 40;
    const nrPages = 6 * PAGES_PER_SECTION;
    const engine = await createEngine({ basePfn, nrPages }, 'debug');
    const model = new DenseClasses(basePfn, nrPages);
    engine.addSections(basePfn, basePfn + nrPages, 0, PageClass.SLAB, Migratetype.MOVABLE, 0);
    model.addSections(basePfn, basePfn + nrPages, PageClass.SLAB);
    engine.removeSections(basePfn + 3 * PAGES_PER_SECTION, basePfn + 4 * PAGES_PER_SECTION);
    model.removeSections(basePfn + 3 * PAGES_PER_SECTION, basePfn + 4 * PAGES_PER_SECTION);
    const rng = new Prng(11);
    for (let i = 0; i < 200; i++) {
      const a = basePfn + rng.int(0, 3 * PAGES_PER_SECTION);
      const b = Math.min(basePfn + 3 * PAGES_PER_SECTION, a + rng.skewedLength(5000));
      const cls = rng.pick([PageClass.USER, PageClass.FREE, PageClass.SLAB]);
      engine.setClass(a, b, cls);
      model.setClass(a, b, cls);
    }
    // A movable run that spans the absent section's neighbours.
    engine.setClass(basePfn + 3 * PAGES_PER_SECTION - 10, basePfn + 3 * PAGES_PER_SECTION, PageClass.USER);
    model.setClass(basePfn + 3 * PAGES_PER_SECTION - 10, basePfn + 3 * PAGES_PER_SECTION, PageClass.USER);
    engine.setClass(basePfn + 4 * PAGES_PER_SECTION, basePfn + 4 * PAGES_PER_SECTION + 10, PageClass.USER);
    model.setClass(basePfn + 4 * PAGES_PER_SECTION, basePfn + 4 * PAGES_PER_SECTION + 10, PageClass.USER);

    const endPfn = basePfn + nrPages;
    const want = modelRuns(model, basePfn, endPfn, MOVABLE);
    const result = engine.migrateScan(basePfn, endPfn, MOVABLE, UNMOVABLE, 1e9);
    expect(result.status).toBe(ScanStatus.DONE);
    expect(result.nextPfn).toBe(endPfn);
    expect(result.unmovablePfn).toBe(-1);
    expect(Array.from(result.runs)).toEqual(want);
    expect(result.movablePages).toBe(want.reduce((sum, v, i) => (i % 2 ? sum + v : sum), 0));

    // The same runs, a few at a time through MORE.
    const collected: number[] = [];
    let from = basePfn;
    for (;;) {
      const part = engine.migrateScan(from, endPfn, MOVABLE, UNMOVABLE, 3);
      collected.push(...part.runs);
      expect(part.runs.length).toBeLessThanOrEqual(6);
      if (part.status === ScanStatus.DONE) break;
      expect(part.status).toBe(ScanStatus.MORE);
      expect(part.runs.length).toBe(6);
      from = part.nextPfn;
    }
    expect(collected).toEqual(want);
  });

  test('stops at the first unmovable page with the runs before it', async () => {
    const engine = await createEngine({ basePfn: 0, nrPages: 2 * PAGES_PER_SECTION });
    engine.addSections(0, 2 * PAGES_PER_SECTION, 0, PageClass.USER, Migratetype.MOVABLE, 0);
    engine.setClass(100, 110, PageClass.SLAB);
    engine.setClass(PAGES_PER_SECTION + 7, PAGES_PER_SECTION + 8, PageClass.PINNED);
    engine.setClass(PAGES_PER_SECTION + 9, PAGES_PER_SECTION + 10, PageClass.PINNED);
    const result = engine.migrateScan(50, 2 * PAGES_PER_SECTION, MOVABLE, UNMOVABLE, 10);
    expect(result.status).toBe(ScanStatus.UNMOVABLE);
    expect(result.unmovablePfn).toBe(PAGES_PER_SECTION + 7);
    expect(result.nextPfn).toBe(PAGES_PER_SECTION + 7);
    expect(Array.from(result.runs)).toEqual([50, 50, 110, PAGES_PER_SECTION + 7 - 110]);
    // SLAB is neither movable nor unmovable here: skipped, not a stop.
    expect(result.movablePages).toBe(50 + PAGES_PER_SECTION + 7 - 110);
  });

  test('returns more runs than one I/O area holds in a single call', async () => {
    const nrPages = PAGES_PER_SECTION;
    const engine = await createEngine({ basePfn: 0, nrPages });
    engine.addSections(0, nrPages, 0, PageClass.USER, Migratetype.MOVABLE, 0);
    // Every other page SLAB: 16,384 one-page runs.
    for (let pfn = 1; pfn < nrPages; pfn += 2) engine.setClass(pfn, pfn + 1, PageClass.SLAB);
    const result = engine.migrateScan(0, nrPages, MOVABLE, UNMOVABLE, nrPages);
    expect(result.status).toBe(ScanStatus.DONE);
    expect(result.runs.length).toBe(nrPages);
    expect(result.runs[2 * 12345]).toBe(2 * 12345);
    expect(result.runs[2 * 12345 + 1]).toBe(1);
    const capped = engine.migrateScan(0, nrPages, MOVABLE, UNMOVABLE, 10_000);
    expect(capped.status).toBe(ScanStatus.MORE);
    expect(capped.runs.length).toBe(20_000);
    expect(capped.nextPfn).toBe(20_000);
  });
});
