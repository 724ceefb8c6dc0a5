/**
 * Several shards, each in its own worker, work at the same time: four
 * workers each fill and count their own 2^24-page window under Promise.all.
 * Every result must match a reference engine given the same calls, and every
 * shard's work must be in flight before any shard finishes (the calls are
 * pipelined, not serialised one shard after another).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ALL_CLASSES, Migratetype, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, PageClass, classBit } from '../../src/contract/constants.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { Prng } from '../helpers/prng.js';

const NR_SHARDS = 4;
const WINDOW_PAGES = 2 ** 24;
/** setClass runs per shard: enough to keep each worker busy for a while. */
const RUNS_PER_SHARD = 2000;

interface Fill {
  startPfn: number;
  endPfn: number;
  cls: number;
}

/** A shard's own seeded fill: runs of every class at random unaligned places in its window. */
function fillOf(shard: number, basePfn: number): Fill[] {
  const rng = new Prng(7000 + shard);
  const fills: Fill[] = [];
  for (let i = 0; i < RUNS_PER_SHARD; i++) {
    const startPfn = basePfn + rng.int(0, WINDOW_PAGES);
    const nrPages = rng.int(1, 64 * PAGES_PER_PAGEBLOCK);
    fills.push({ startPfn, endPfn: Math.min(basePfn + WINDOW_PAGES, startPfn + nrPages), cls: rng.int(0, NR_PAGE_CLASSES) });
  }
  return fills;
}

interface ShardReport {
  classCounts: number[];
  userOrSlab: number;
  firstPinned: number;
  unmovableBlocks: number;
}

/** Fill then count, awaiting only at the end: the calls queue in the worker in order. */
async function fillAndCount(engine: WorkerEngine | EngineApi, basePfn: number, fills: Fill[]): Promise<ShardReport> {
  const endPfn = basePfn + WINDOW_PAGES;
  const pending: unknown[] = [
    engine.addSections(basePfn, endPfn, 0, PageClass.FREE, Migratetype.MOVABLE, 0),
  ];
  for (const { startPfn, endPfn: runEndPfn, cls } of fills) pending.push(engine.setClass(startPfn, runEndPfn, cls));
  pending.push(engine.setMigratetype(basePfn, basePfn + WINDOW_PAGES / 4, Migratetype.UNMOVABLE));
  await Promise.all(pending);
  const [classCounts, userOrSlab, firstPinned, unmovableBlocks] = await Promise.all([
    engine.countClasses(basePfn, endPfn),
    engine.count(basePfn + 12345, endPfn - 777, classBit(PageClass.USER) | classBit(PageClass.SLAB)),
    engine.findNext(basePfn + 3, endPfn, classBit(PageClass.PINNED)),
    engine.countPageblocks(basePfn, endPfn, 0b11, Migratetype.UNMOVABLE),
  ]);
  return { classCounts: Array.from(classCounts), userOrSlab, firstPinned, unmovableBlocks };
}

describe('shards in several workers', () => {
  const workers: WorkerEngine[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.terminate()));
  });

  test(`${NR_SHARDS} workers fill and count their own 2^24-page windows concurrently`, async () => {
    const bases = Array.from({ length: NR_SHARDS }, (_, shard) => (shard + 1) * WINDOW_PAGES);
    for (const basePfn of bases) workers.push(await createWorkerEngine({ basePfn, nrPages: WINDOW_PAGES }));
    expect(new Set(workers.map((worker) => worker.threadId)).size).toBe(NR_SHARDS);

    const fills = bases.map((basePfn, shard) => fillOf(shard, basePfn));
    const events: string[] = [];
    const reports = await Promise.all(
      workers.map(async (worker, shard) => {
        events.push(`start ${shard}`);
        const report = await fillAndCount(worker, bases[shard]!, fills[shard]!);
        events.push(`finish ${shard}`);
        return report;
      }),
    );

    // Every shard was under way before the first one finished.
    const firstFinish = events.findIndex((event) => event.startsWith('finish'));
    expect(events.slice(0, firstFinish).sort()).toEqual(bases.map((_, shard) => `start ${shard}`).sort());
    expect(events).toHaveLength(2 * NR_SHARDS);

    for (let shard = 0; shard < NR_SHARDS; shard++) {
      const reference = createRefEngine({ basePfn: bases[shard]!, nrPages: WINDOW_PAGES });
      const expected = await fillAndCount(reference, bases[shard]!, fills[shard]!);
      expect(reports[shard], `shard ${shard}`).toEqual(expected);
      // Each window holds exactly its own pages: nothing leaked between shards.
      expect(reports[shard]!.classCounts.reduce((a, b) => a + b, 0)).toBe(WINDOW_PAGES);
      expect(await workers[shard]!.count(bases[shard]!, bases[shard]! + WINDOW_PAGES, ALL_CLASSES)).toBe(WINDOW_PAGES);
    }
    // The seeded fills differ per shard, so equal reports would mean crossed wires.
    expect(new Set(reports.map((report) => JSON.stringify(report))).size).toBe(NR_SHARDS);
  });
});
