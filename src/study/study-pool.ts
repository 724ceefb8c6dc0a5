/**
 * A study's points on worker threads, up to one per core: each worker runs
 * its share of the points (every jobs-th point of the run, round robin) with
 * its own engines, and the shares are joined back into point order, so the
 * results equal a run on one thread byte for byte.
 *
 * The worker is the composition root `study-worker.ts` (it picks the
 * engines, as `cli.ts` does); this file only starts workers and joins.
 */
import { Worker } from 'node:worker_threads';
import type { EngineChoice } from '../contract/engine-api.js';
import type { Study } from './study-file.js';
import { joinResults, shardPoints, type ShardSpec } from './study.js';
import type { StudyResults, StudyWallTimes } from './study-results.js';

/** What the parent sends a worker. */
export interface StudyWorkerTask {
  text: string;
  file: string;
  engine: EngineChoice;
  shard?: ShardSpec;
  points: number[];
}

/** What a worker sends back: a point done, then its results, or an error. */
export type StudyWorkerMessage =
  | { kind: 'point' }
  | { kind: 'done'; results: StudyResults; wall: StudyWallTimes }
  | { kind: 'error'; message: string; stack?: string };

export interface StudyPoolOptions {
  /** The study file's text and path, read again by each worker. */
  text: string;
  file: string;
  engine: EngineChoice;
  shard?: ShardSpec;
  jobs: number;
  /** The worker script (the compiled study-worker.ts). */
  workerUrl: URL;
  onPoint?: (done: number, total: number) => void;
}

export async function runStudyPool(study: Study, options: StudyPoolOptions): Promise<{ results: StudyResults; wall: StudyWallTimes }> {
  const startedAt = new Date();
  const t0 = performance.now();
  const points = shardPoints(study.points, options.shard).map((p) => p.point);
  const jobs = Math.max(1, Math.min(options.jobs, points.length));
  const shares = Array.from({ length: jobs }, (_, j) => points.filter((_, k) => k % jobs === j));
  let done = 0;
  const runs = shares.map(
    (share) =>
      new Promise<{ results: StudyResults; wall: StudyWallTimes }>((resolve, reject) => {
        const task: StudyWorkerTask = { text: options.text, file: options.file, engine: options.engine, points: share, ...(options.shard === undefined ? {} : { shard: options.shard }) };
        const worker = new Worker(options.workerUrl, { workerData: task });
        let settled = false;
        worker.on('message', (message: StudyWorkerMessage) => {
          if (message.kind === 'point') options.onPoint?.(++done, points.length);
          else if (message.kind === 'done') {
            settled = true;
            resolve({ results: message.results, wall: message.wall });
          } else {
            settled = true;
            reject(Object.assign(new Error(message.message), { stack: message.stack }));
          }
        });
        worker.on('error', (error) => {
          settled = true;
          reject(error);
        });
        worker.on('exit', (code) => {
          if (!settled) reject(new Error(`a study worker exited with code ${code} before it finished`));
        });
      }),
  );
  const parts = await Promise.all(runs);
  const results = joinResults(
    parts.map((part) => part.results),
    options.shard,
  );
  const wallPoints = parts.flatMap((part) => part.wall.points).sort((a, b) => a.point - b.point);
  return { results, wall: { startedAt: startedAt.toISOString(), totalSeconds: (performance.now() - t0) / 1000, points: wallPoints } };
}
