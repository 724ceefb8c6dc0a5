/**
 * A worker that stops answering without exiting must not hang its caller:
 * with `callTimeoutMs`, the call rejects with an EngineTimeoutError, the
 * shard is marked broken (calls in flight and later calls reject with the
 * same error) and its thread is stopped. Without the option, calls wait.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { createWorkerEngine, EngineTimeoutError, type WorkerEngine } from '../../src/worker/client.js';

const STUCK_WORKER = fileURLToPath(new URL('./fixtures/stuck.worker.mjs', import.meta.url));
const OPTS = { basePfn: 0, nrPages: 32768 };

describe('per-call timeout', () => {
  const started: WorkerEngine[] = [];
  afterAll(async () => {
    await Promise.all(started.map((engine) => engine.terminate()));
  });

  test('a call that never answers rejects after the timeout and breaks the shard', async () => {
    const engine = await createWorkerEngine(OPTS, { workerPath: STUCK_WORKER, callTimeoutMs: 200 });
    started.push(engine);
    const alsoInFlight = engine.count(0, 1, 1);
    const stuck = engine.count(0, 10, 1);
    await expect(stuck).rejects.toBeInstanceOf(EngineTimeoutError);
    await expect(stuck).rejects.toThrow(/count did not answer within 200 ms; the shard is marked broken/);
    await expect(alsoInFlight).rejects.toBeInstanceOf(EngineTimeoutError);
    // info() would answer at once, but the shard is broken.
    await expect(engine.info()).rejects.toMatchObject({ name: 'EngineTimeoutError', code: 'ETIMEDOUT', op: 'count' });
  });

  test('calls that answer in time are unaffected', async () => {
    const engine = await createWorkerEngine(OPTS, { workerPath: STUCK_WORKER, callTimeoutMs: 5_000 });
    started.push(engine);
    await expect(engine.info()).resolves.toEqual({ basePfn: 0, nrPages: 32768, nrSections: 1 });
  });

  test('without a timeout a stuck call is still pending well after', async () => {
    const engine = await createWorkerEngine(OPTS, { workerPath: STUCK_WORKER });
    started.push(engine);
    const outcome = await Promise.race([
      engine.count(0, 1, 1).then(() => 'answered', () => 'rejected'),
      new Promise((resolve) => setTimeout(() => resolve('pending'), 300)),
    ]);
    expect(outcome).toBe('pending');
  });

  test('a bad timeout is refused and starts nothing', async () => {
    await expect(createWorkerEngine(OPTS, { workerPath: STUCK_WORKER, callTimeoutMs: -1 })).rejects.toThrow(/callTimeoutMs must be a non-negative integer/);
  });
});
