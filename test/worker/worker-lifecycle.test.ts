/**
 * A worker engine's lifecycle: it finds its built entry, stops on
 * terminate(), and no call is left hanging when the thread is gone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { Migratetype, PAGE_OFFSET, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { createWorkerEngine, workerEntryPath, type WorkerEngine } from '../../src/worker/client.js';

const OPTS = { basePfn: 0, nrPages: 2 * PAGES_PER_SECTION };

describe('worker engine lifecycle', () => {
  const started: WorkerEngine[] = [];
  afterAll(async () => {
    await Promise.all(started.map((engine) => engine.terminate()));
  });

  test('the worker entry is the built file under dist/', () => {
    const entry = workerEntryPath();
    expect(entry.endsWith(join('dist', 'src', 'worker', 'engine.worker.js'))).toBe(true);
    expect(existsSync(entry)).toBe(true);
  });

  test('info() reports the window the worker was started with', async () => {
    const engine = await createWorkerEngine(OPTS);
    started.push(engine);
    expect(await engine.info()).toEqual({ basePfn: 0, nrPages: OPTS.nrPages, nrSections: 2, pageOffset: PAGE_OFFSET });
  });

  test('terminate() fails the calls in flight and every later call', async () => {
    const engine = await createWorkerEngine(OPTS);
    started.push(engine);
    await engine.addSections(0, OPTS.nrPages, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
    const inFlight = engine.setClass(0, OPTS.nrPages, PageClass.USER).then(() => engine.count(0, OPTS.nrPages, 2));
    const stopping = engine.terminate();
    await expect(inFlight).rejects.toThrow(/terminated/);
    await stopping;
    await expect(engine.count(0, 1, 1)).rejects.toThrow(/terminated/);
    // A second terminate() is harmless.
    await expect(engine.terminate()).resolves.toBeUndefined();
  });

  test('a worker that cannot start rejects instead of hanging', async () => {
    const missing = join(tmpdir(), `no-such-engine-worker-${process.pid}.js`);
    await expect(createWorkerEngine(OPTS, { workerPath: missing })).rejects.toThrow();
  });
});
