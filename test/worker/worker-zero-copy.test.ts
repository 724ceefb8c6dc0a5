/**
 * Zero-copy buffers through a worker (translation, classes, scan runs): the default worker build shares its
 * memory, so the buffers the client gets are views of the worker engine's own
 * memory; a worker on a build without shared memory hands out buffers of the
 * client's side instead, and the in-place calls copy each batch across. Both
 * give what the in-thread engine and the reference give, and refuse what
 * they refuse.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { Migratetype, PAGE_OFFSET, PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { EngineError } from '../../src/contract/errors.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import { Prng } from '../helpers/prng.js';

const opts = { basePfn: 2 ** 20, nrPages: 16 * PAGES_PER_SECTION };
const N = 4096;

function batch(seed: number): BigUint64Array {
  const prng = new Prng(seed);
  const vas = new BigUint64Array(N);
  for (let i = 0; i < N; i++) {
    // Mostly on the window's direct map, some past its end.
    const pfn = opts.basePfn + prng.int(0, opts.nrPages + PAGES_PER_SECTION);
    vas[i] = PAGE_OFFSET + BigInt(pfn) * BigInt(PAGE_SIZE) + BigInt(prng.int(0, PAGE_SIZE));
  }
  return vas;
}

const workers: WorkerEngine[] = [];
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.terminate()));
});

describe.each([
  { name: 'shared-memory build (the default)', variant: undefined, shared: true },
  { name: 'build without shared memory', variant: 'release-simd' as const, shared: false },
])('worker on the $name', ({ variant, shared }) => {
  test('in-place translations match the reference, and the buffers are shared only when the memory is', async () => {
    const worker = await createWorkerEngine(opts, { variant });
    workers.push(worker);
    const ref = createRefEngine(opts);
    for (const engine of [worker, ref]) {
      await engine.addSections(opts.basePfn, opts.basePfn + 12 * PAGES_PER_SECTION, 0, PageClass.USER, Migratetype.MOVABLE, 0);
      await engine.remap(opts.basePfn + 3 * PAGES_PER_SECTION, 2048, opts.basePfn + 9 * PAGES_PER_SECTION);
    }
    const buffers = await worker.translateBuffers(N);
    expect(buffers.input.buffer instanceof SharedArrayBuffer).toBe(shared);
    const refBuffers = ref.translateBuffers(N);

    for (const seed of [1, 2]) {
      const vas = batch(seed);
      buffers.input.set(vas);
      refBuffers.input.set(vas);
      const counts = await worker.virtToPhysInPlace(N);
      expect(counts).toEqual(ref.virtToPhysInPlace(N));
      expect(counts.slow).toBeGreaterThan(0);
      expect(counts.miss).toBeGreaterThan(0);
      expect(Array.from(buffers.output)).toEqual(Array.from(refBuffers.output));
    }
    // phys_to_virt back through the same buffers, on a shorter batch.
    buffers.input.set(buffers.output.subarray(0, 100));
    refBuffers.input.set(refBuffers.output.subarray(0, 100));
    expect(await worker.physToVirtInPlace(100)).toEqual(ref.physToVirtInPlace(100));
    expect(Array.from(buffers.output.subarray(0, 100))).toEqual(Array.from(refBuffers.output.subarray(0, 100)));

    // A batch larger than the buffers handed out, or not a count, is refused as the engines refuse it.
    await expect(worker.virtToPhysInPlace(N + 1)).rejects.toMatchObject({ name: 'EngineError', code: 'E_ARG', op: 'virtToPhysInPlace', arg: 'n' });
    expect(() => ref.virtToPhysInPlace(N + 1)).toThrow(EngineError);
    await expect(worker.translateBuffers(2 ** 24 + 1)).rejects.toMatchObject({ code: 'E_ARG', op: 'translateBuffers', arg: 'n' });
    await expect(worker.translateBuffers(-1)).rejects.toMatchObject({ code: 'E_ARG', arg: 'n' });
    await worker.validate();
  });

  test('classes and migration scans go to the buffers too, as the reference writes them', async () => {
    const worker = await createWorkerEngine(opts, { variant });
    workers.push(worker);
    const ref = createRefEngine(opts);
    for (const engine of [worker, ref]) {
      await engine.addSections(opts.basePfn, opts.basePfn + 8 * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
      for (let k = 0; k < 40; k++) await engine.setClass(opts.basePfn + k * 997, opts.basePfn + k * 997 + 300, k % 3 === 0 ? PageClass.SLAB : PageClass.USER);
    }
    const nrPages = 3 * PAGES_PER_SECTION;
    const classes = await worker.classesBuffer(nrPages);
    expect(classes.buffer instanceof SharedArrayBuffer).toBe(shared);
    await worker.readClassesInPlace(opts.basePfn + 5, nrPages);
    expect(Array.from(classes)).toEqual(Array.from(ref.readClasses(opts.basePfn + 5, nrPages)));

    const runs = await worker.runsBuffer(16);
    const movable = (1 << PageClass.USER) | (1 << PageClass.FREE);
    const summary = await worker.migrateScanInPlace(opts.basePfn, opts.basePfn + 8 * PAGES_PER_SECTION, 1 << PageClass.USER, 0, 16);
    const want = ref.migrateScan(opts.basePfn, opts.basePfn + 8 * PAGES_PER_SECTION, 1 << PageClass.USER, 0, 16);
    expect(summary).toEqual({ status: want.status, nextPfn: want.nextPfn, unmovablePfn: want.unmovablePfn, movablePages: want.movablePages, nrRuns: want.runs.length / 2 });
    expect(summary.nrRuns).toBe(16);
    expect(Array.from(runs.subarray(0, 2 * summary.nrRuns))).toEqual(Array.from(want.runs));
    // An unmovable page stops the scan as it does the copying one.
    const stopped = await worker.migrateScanInPlace(opts.basePfn, opts.basePfn + PAGES_PER_SECTION, movable, 1 << PageClass.SLAB, 16);
    expect(stopped.unmovablePfn).toBe(ref.migrateScan(opts.basePfn, opts.basePfn + PAGES_PER_SECTION, movable, 1 << PageClass.SLAB, 16).unmovablePfn);

    // Past the buffers' capacity: E_ARG, after the call's other checks.
    await expect(worker.readClassesInPlace(opts.basePfn, nrPages + 1)).rejects.toMatchObject({ code: 'E_ARG', arg: 'nrPages' });
    await expect(worker.migrateScanInPlace(opts.basePfn, opts.basePfn + 1, 1, 0, 17)).rejects.toMatchObject({ code: 'E_ARG', arg: 'maxRuns' });
    await expect(worker.migrateScanInPlace(opts.basePfn - 1, opts.basePfn + 1, 1, 0, 17)).rejects.toMatchObject({ code: 'E_RANGE', arg: 'startPfn' });
  });
});
