/**
 * Study throughput: points per second of a study on the 64 TiB, 16-node
 * machine of scenarios/64tib-16node-kernelcore.yaml, one thread against
 * worker threads (one per core), side by side in one run, with the ratio.
 * Each point boots the whole machine with its kernelcore= value, places a
 * small workload through the allocator and measures headroom, as a
 * capacity study's point does. The two runs must give the same results
 * byte for byte; a difference is reported, not timed around.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { engineFactoryFor } from '../../src/engines.js';
import { readStudy } from '../../src/study/study-file.js';
import { runStudyPool } from '../../src/study/study-pool.js';
import { resultsJson, runStudy } from '../../src/study/study.js';
import { findPackageRoot } from '../../src/util/package-root.js';

const SCENARIO = 'scenarios/64tib-16node-kernelcore.yaml';

function studyText(points: number): string {
  const values = Array.from({ length: points }, (_, i) => `${10 + Math.round((80 * i) / Math.max(points - 1, 1))}%`);
  return `version: 1
name: study-throughput
question: How fast does a study run on a 64 TiB machine?
scenario: ../${SCENARIO}
sweep:
  - path: cmdline:kernelcore
    values: [${values.join(', ')}]
metrics: [outcome, zones, headroom]
`;
}

export interface StudyThroughputRow {
  what: string;
  points: number;
  threads: number;
  seconds: number;
  pointsPerSecond: number;
}

export interface StudyThroughputReport {
  rows: StudyThroughputRow[];
  /** Worker threads over one thread, in points per second. */
  speedup: number;
  /** Set when the two runs' results differ. */
  mismatch?: string;
}

export async function studyThroughputSuite(quick: boolean): Promise<StudyThroughputReport> {
  const root = findPackageRoot(import.meta.url);
  const points = quick ? 4 : 16;
  const text = studyText(points);
  const file = join(root, 'studies', 'study-throughput.yaml');
  // The study is named as if it lived in studies/, so its scenario path reads the same in the workers.
  const study = await readStudy(text, file, async (path) => ({ text: readFileSync(join(root, 'studies', path), 'utf8'), file: path }));
  const threads = Math.max(2, availableParallelism());

  let t0 = performance.now();
  const single = await runStudy(study, { engines: await engineFactoryFor({ engine: 'wasm' }) });
  const singleSec = (performance.now() - t0) / 1000;

  t0 = performance.now();
  const pooled = await runStudyPool(study, {
    text,
    file,
    engine: { engine: 'wasm' },
    jobs: threads,
    workerUrl: new URL('../../src/study-worker.js', import.meta.url),
  });
  const pooledSec = (performance.now() - t0) / 1000;

  const rows: StudyThroughputRow[] = [
    { what: `64 TiB study, ${points} points, one thread`, points, threads: 1, seconds: singleSec, pointsPerSecond: points / singleSec },
    { what: `64 TiB study, ${points} points, ${threads} worker threads`, points, threads, seconds: pooledSec, pointsPerSecond: points / pooledSec },
  ];
  const same = resultsJson(single.results) === resultsJson(pooled.results);
  return { rows, speedup: singleSec / pooledSec, ...(same ? {} : { mismatch: 'the worker-thread run gave other results than the one-thread run' }) };
}
