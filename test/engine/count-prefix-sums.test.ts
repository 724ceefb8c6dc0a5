/**
 * Counts of sub-ranges come from prefix sums of the section counts (the
 * count sums of assembly/layout.ts: Fenwick trees inside each 64-section
 * group and over the groups) plus the partial edge sections, counted from
 * the MIXED records' chunk counts and pageblocks. Both are caches of the
 * page state that every change must keep exact. Here random changes
 * (setClass, claims, sections added and removed) are followed by counts of
 * many random sub-ranges, every one checked:
 *
 * - against the reference engine, on a window of three groups, the last one
 *   partial (so phantom sections pad its tree);
 * - against a plain interval model, on a window of 65 groups, where the
 *   reference's byte per page would be too slow, so the trees over the
 *   groups are several levels deep.
 *
 * validate() recomputes every node; the last test corrupts nodes through the
 * engine's exported memory, the only way in there is, and expects validate()
 * to name them.
 */
import { describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { createEngine } from '../../src/engine/index.js';
import { instantiateEngine, type EngineVariant } from '../../src/engine/load.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { Prng } from '../helpers/prng.js';

const ALL_MASK = (1 << NR_PAGE_CLASSES) - 1;
/** A chunk of a MIXED record: 8 pageblocks. */
const PAGES_PER_CHUNK = 8 * PAGES_PER_PAGEBLOCK;
/** validate()'s invariant id for the count sums (INV_GROUP_COUNTS in assembly/errors.ts). */
const INV_COUNT_SUMS = 18;

/** A random sub-range of [basePfn, endPfn): unaligned, or with ends on a page, chunk, pageblock or section boundary, short or long. */
function randomRange(rng: Prng, basePfn: number, endPfn: number): [number, number] {
  const nrPages = endPfn - basePfn;
  const align = rng.pick([1, 1, 1, PAGES_PER_PAGEBLOCK, PAGES_PER_CHUNK, PAGES_PER_SECTION]);
  const roll = rng.float();
  let len: number;
  if (roll < 0.3) len = rng.int(1, PAGES_PER_SECTION + 1); // within a section or across one boundary
  else if (roll < 0.9) len = Math.min(nrPages, rng.logUniform(Math.ceil(Math.log2(nrPages))));
  else len = nrPages;
  let start = basePfn + rng.int(0, nrPages - len + 1);
  let end = start + len;
  start = basePfn + Math.floor((start - basePfn) / align) * align;
  end = Math.min(endPfn, basePfn + Math.ceil((end - basePfn) / align) * align);
  if (rng.chance(0.05)) end = endPfn;
  return [start, end];
}

function randomMask(rng: Prng): number {
  const roll = rng.float();
  if (roll < 0.5) return 1 << rng.int(0, NR_PAGE_CLASSES);
  if (roll < 0.9) return rng.int(1, ALL_MASK + 1);
  return ALL_MASK;
}

describe.each(['release-simd', 'release', 'debug'] as const)('count sums on the %s build', (variant: EngineVariant) => {
  test('random changes, then random sub-range counts equal the reference', async () => {
    // Three groups of 64 sections, the last one of 12: its tree is padded.
    const nrSections = 140;
    const basePfn = 2 ** 30;
    const nrPages = nrSections * PAGES_PER_SECTION;
    const endPfn = basePfn + nrPages;
    const engine = await createEngine({ basePfn, nrPages }, variant);
    const ref = createRefEngine({ basePfn, nrPages });
    const both = (call: (e: EngineApi) => unknown): void => {
      let wasmError: unknown;
      let refError: unknown;
      try {
        call(engine);
      } catch (error) {
        wasmError = error;
      }
      try {
        call(ref);
      } catch (error) {
        refError = error;
      }
      expect((wasmError as { code?: string } | undefined)?.code).toBe((refError as { code?: string } | undefined)?.code);
    };
    const rng = new Prng(0xc0_0417);
    const present = new Array<boolean>(nrSections).fill(false);
    // Sections in runs, with gaps: absent sections count nothing.
    for (let s = 0; s < nrSections; ) {
      const run = rng.int(1, 40);
      const end = Math.min(nrSections, s + run);
      if (rng.chance(0.85)) {
        const cls = rng.int(0, NR_PAGE_CLASSES);
        both((e) => e.addSections(basePfn + s * PAGES_PER_SECTION, basePfn + end * PAGES_PER_SECTION, 0, cls, Migratetype.MOVABLE, 0));
        for (let i = s; i < end; i++) present[i] = true;
      }
      s = end;
    }
    const presentRun = (s0: number): number => {
      let s1 = s0;
      while (s1 < nrSections && present[s1]) s1++;
      return s1;
    };

    for (let round = 0; round < 12; round++) {
      for (let step = 0; step < 25; step++) {
        const roll = rng.float();
        if (roll < 0.55) {
          // setClass needs every section of its range present: pick inside a run of present ones.
          const s0 = rng.int(0, nrSections);
          const s1 = presentRun(s0);
          if (s1 === s0) continue;
          const runStart = basePfn + s0 * PAGES_PER_SECTION;
          const runPages = (s1 - s0) * PAGES_PER_SECTION;
          const a = runStart + rng.int(0, runPages);
          const b = Math.min(runStart + runPages, a + rng.skewedLength(runPages));
          const cls = rng.int(0, NR_PAGE_CLASSES);
          if (b > a) both((e) => e.setClass(a, b, cls));
        } else if (roll < 0.8) {
          const [a, b] = randomRange(rng, basePfn, endPfn);
          const [from, to] = [rng.int(0, NR_PAGE_CLASSES), rng.int(0, NR_PAGE_CLASSES)];
          const n = rng.int(0, 20_000);
          const mode = rng.pick([ClaimMode.LOWEST, ClaimMode.RANDOM_PAGEBLOCK]);
          const seed = rng.int(0, 1000);
          both((e) => e.claim(a, b, n, from, to, mode, seed));
        } else if (roll < 0.9) {
          const s0 = rng.int(0, nrSections);
          const s1 = Math.min(presentRun(s0), s0 + rng.int(1, 4));
          if (s1 === s0) continue;
          both((e) => e.removeSections(basePfn + s0 * PAGES_PER_SECTION, basePfn + s1 * PAGES_PER_SECTION));
          for (let i = s0; i < s1; i++) present[i] = false;
        } else {
          const s0 = rng.int(0, nrSections);
          let s1 = s0;
          while (s1 < nrSections && !present[s1] && s1 < s0 + 3) s1++;
          if (s1 === s0) continue;
          const cls = rng.int(0, NR_PAGE_CLASSES);
          both((e) => e.addSections(basePfn + s0 * PAGES_PER_SECTION, basePfn + s1 * PAGES_PER_SECTION, 0, cls, Migratetype.MOVABLE, 0));
          for (let i = s0; i < s1; i++) present[i] = true;
        }
      }
      engine.validate();
      for (let q = 0; q < 60; q++) {
        const [a, b] = randomRange(rng, basePfn, endPfn);
        const mask = randomMask(rng);
        expect(engine.count(a, b, mask), `count(${a}, ${b}, ${mask}) in round ${round}`).toBe(ref.count(a, b, mask));
        if (q % 4 === 0) expect(engine.countClasses(a, b), `countClasses(${a}, ${b}) in round ${round}`).toEqual(ref.countClasses(a, b));
      }
    }
  });
});

/** The classes of a window as painted runs, for counts where the reference would be too slow. */
class IntervalModel {
  /** Run starts (window offsets), each run up to the next start; class -1 for absent. */
  starts = [0];
  classes = [-1];
  constructor(readonly nrPages: number) {}

  paint(a: number, b: number, cls: number): void {
    const runs: [number, number][] = [[a, cls]];
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      const end = i + 1 < this.starts.length ? this.starts[i + 1]! : this.nrPages;
      const c = this.classes[i]!;
      if (start < a) runs.push([start, c]);
      if (end > b) runs.push([Math.max(start, b), c]);
    }
    runs.sort((x, y) => x[0] - y[0]);
    this.starts = [];
    this.classes = [];
    for (const [start, c] of runs) {
      if (this.classes.length > 0 && this.classes[this.classes.length - 1] === c) continue;
      this.starts.push(start);
      this.classes.push(c);
    }
  }

  count(a: number, b: number, mask: number): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const c = this.classes[i]!;
      if (c < 0 || ((mask >> c) & 1) === 0) continue;
      const s = this.starts[i]!;
      const e = i + 1 < this.starts.length ? this.starts[i + 1]! : this.nrPages;
      n += Math.max(0, Math.min(e, b) - Math.max(s, a));
    }
    return n;
  }
}

test('65 groups: deep trees over the groups stay exact under setClass and sections added and removed', async () => {
  const nrSections = 64 * 64 + 70; // 65 groups, the last one partial
  const basePfn = 2 ** 34;
  const nrPages = nrSections * PAGES_PER_SECTION;
  const engine = await createEngine({ basePfn, nrPages });
  const model = new IntervalModel(nrPages);
  const rng = new Prng(2024);
  const present = new Array<boolean>(nrSections).fill(false);
  engine.addSections(basePfn, basePfn + nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  present.fill(true);
  model.paint(0, nrPages, PageClass.FREE);
  const presentRun = (s0: number): number => {
    let s1 = s0;
    while (s1 < nrSections && present[s1]) s1++;
    return s1;
  };
  for (let round = 0; round < 10; round++) {
    for (let step = 0; step < 40; step++) {
      const roll = rng.float();
      if (roll < 0.8) {
        const s0 = rng.int(0, nrSections);
        const s1 = presentRun(s0);
        if (s1 === s0) continue;
        const runPages = (s1 - s0) * PAGES_PER_SECTION;
        const a = s0 * PAGES_PER_SECTION + rng.int(0, runPages);
        const b = Math.min((s0 * PAGES_PER_SECTION) + runPages, a + Math.min(runPages, rng.logUniform(26)));
        const cls = rng.int(0, NR_PAGE_CLASSES);
        if (b <= a) continue;
        engine.setClass(basePfn + a, basePfn + b, cls);
        model.paint(a, b, cls);
      } else if (roll < 0.9) {
        const s0 = rng.int(0, nrSections);
        const s1 = Math.min(presentRun(s0), s0 + rng.int(1, 200));
        if (s1 === s0) continue;
        engine.removeSections(basePfn + s0 * PAGES_PER_SECTION, basePfn + s1 * PAGES_PER_SECTION);
        model.paint(s0 * PAGES_PER_SECTION, s1 * PAGES_PER_SECTION, -1);
        for (let i = s0; i < s1; i++) present[i] = false;
      } else {
        const s0 = rng.int(0, nrSections);
        let s1 = s0;
        while (s1 < nrSections && !present[s1] && s1 < s0 + 200) s1++;
        if (s1 === s0) continue;
        const cls = rng.int(0, NR_PAGE_CLASSES);
        engine.addSections(basePfn + s0 * PAGES_PER_SECTION, basePfn + s1 * PAGES_PER_SECTION, 0, cls, Migratetype.MOVABLE, 0);
        model.paint(s0 * PAGES_PER_SECTION, s1 * PAGES_PER_SECTION, cls);
        for (let i = s0; i < s1; i++) present[i] = true;
      }
    }
    engine.validate();
    for (let q = 0; q < 200; q++) {
      const [a, b] = randomRange(rng, basePfn, basePfn + nrPages);
      const mask = randomMask(rng);
      expect(engine.count(a, b, mask), `count(${a}, ${b}, ${mask}) in round ${round}`).toBe(model.count(a - basePfn, b - basePfn, mask));
      if (q % 8 === 0) {
        const counts = engine.countClasses(a, b);
        for (let c = 0; c < NR_PAGE_CLASSES; c++) expect(counts[c]).toBe(model.count(a - basePfn, b - basePfn, 1 << c));
      }
    }
  }
});

test('validate() names a corrupted node of the count sums', async () => {
  // One group of 64 sections: its group node and the in-group nodes covering
  // sections 0..3 all hold the same count of SLAB_RECLAIMABLE, 3 x 32768 + 1234,
  // a value no other table of the static part holds.
  const x = await instantiateEngine('debug');
  const nrPages = 64 * PAGES_PER_SECTION;
  expect(x.init(0, nrPages, 2 ** 26, 0xffff8880, 0)).toBe(0);
  expect(x.addSections(0, nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0)).toBe(0);
  const held = 3 * PAGES_PER_SECTION + 1234;
  expect(x.setClass(0, held, PageClass.SLAB_RECLAIMABLE)).toBe(0);
  expect(x.count(0, nrPages, classBit(PageClass.SLAB_RECLAIMABLE))).toBe(held);
  // The static part ends at the I/O area (where validate() keeps its scratch).
  const words = new Uint32Array(x.memory.buffer, 0, (x.ioArea() >>> 0) / 4);
  const found: number[] = [];
  for (let i = 0; i < words.length; i++) if (words[i] === held) found.push(i);
  // The group node (u64), and the in-group nodes 4, 8, 16, 32 and 64 (u32).
  expect(found.length).toBe(6);
  expect(x.validate()).toBe(0);
  for (const i of found) {
    words[i] = held + 512;
    expect(x.validate(), `word ${i} changed`).toBeLessThan(0);
    expect(x.lastErrorArg()).toBe(INV_COUNT_SUMS);
    words[i] = held;
    expect(x.validate()).toBe(0);
  }
});
