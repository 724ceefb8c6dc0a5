/**
 * A worker thread of `pfnlab study --jobs N` (study/study-pool.ts): reads
 * the study again, runs the points it was given with the engines it was
 * told to use, and sends back a message per point and then its results. A
 * composition root like cli.ts: the study layer never picks an engine.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { engineFactoryFor } from './engines.js';
import { scenarioBeside } from './study/study-cli.js';
import { readStudy } from './study/study-file.js';
import type { StudyWorkerMessage, StudyWorkerTask } from './study/study-pool.js';
import { runStudy } from './study/study.js';

const task = workerData as StudyWorkerTask;
const post = (message: StudyWorkerMessage): void => parentPort!.postMessage(message);

try {
  const study = await readStudy(task.text, task.file, scenarioBeside(task.file));
  const { results, wall } = await runStudy(study, {
    engines: await engineFactoryFor(task.engine),
    ...(task.shard === undefined ? {} : { shard: task.shard }),
    only: new Set(task.points),
    onPoint: () => post({ kind: 'point' }),
  });
  post({ kind: 'done', results, wall });
} catch (error) {
  post({ kind: 'error', message: error instanceof Error ? error.message : String(error), ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}) });
}
