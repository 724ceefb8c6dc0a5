/**
 * Engine errors cross the worker boundary intact: an EngineError with the
 * same code, op, argument and message as in this thread, and the shard is
 * unchanged and still serving afterwards.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClaimMode, Migratetype, PAGES_PER_SECTION, PageClass, classBit } from '../../src/contract/constants.js';
import { EngineError } from '../../src/contract/errors.js';
import { createEngine } from '../../src/engine/index.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import type { EngineApi } from '../../src/contract/engine-api.js';

const BASE_PFN = 8 * PAGES_PER_SECTION;
const NR_PAGES = 4 * PAGES_PER_SECTION;
const END_PFN = BASE_PFN + NR_PAGES;
const OPTS = { basePfn: BASE_PFN, nrPages: NR_PAGES };

/** Calls that must be refused, each with the refusal the contract names. */
const BAD_CALLS: { what: string; call: (e: EngineApi | WorkerEngine) => unknown; code: string; arg: string }[] = [
  { what: 'start below the window', call: (e) => e.setClass(BASE_PFN - 1, BASE_PFN + 5, PageClass.USER), code: 'E_RANGE', arg: 'startPfn' },
  { what: 'end past the window', call: (e) => e.count(BASE_PFN, END_PFN + 1, 1), code: 'E_RANGE', arg: 'endPfn' },
  { what: 'reversed range', call: (e) => e.findNext(BASE_PFN + 9, BASE_PFN + 3, 1), code: 'E_ORDER', arg: 'endPfn' },
  { what: 'non-integer pfn', call: (e) => e.countClasses(BASE_PFN + 0.5, END_PFN), code: 'E_ARG', arg: 'startPfn' },
  { what: 'unknown class', call: (e) => e.setClass(BASE_PFN, BASE_PFN + 1, 9), code: 'E_CLASS', arg: 'cls' },
  { what: 'mask outside the classes', call: (e) => e.count(BASE_PFN, END_PFN, 0x100), code: 'E_ARG', arg: 'mask' },
  {
    what: 'unaligned sections',
    call: (e) => e.addSections(BASE_PFN + 1, END_PFN, 0, PageClass.FREE, Migratetype.MOVABLE, 0),
    code: 'E_ALIGN',
    arg: 'startPfn',
  },
  {
    what: 'section already present',
    call: (e) => e.addSections(BASE_PFN, BASE_PFN + PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0),
    code: 'E_EXISTS',
    arg: 'startPfn',
  },
  {
    what: 'claim more than there is',
    call: (e) => e.claim(BASE_PFN, END_PFN, 100, PageClass.PINNED, PageClass.USER, ClaimMode.LOWEST, 1),
    code: 'E_NOSPC',
    arg: 'nrPages',
  },
  {
    what: 'intersecting scan masks',
    call: (e) => e.migrateScan(BASE_PFN, END_PFN, classBit(PageClass.USER), classBit(PageClass.USER), 4),
    code: 'E_ARG',
    arg: 'unmovableMask',
  },
];

/** The same state on both engines: two present sections of four, some USER pages. */
async function populate(engine: EngineApi | WorkerEngine): Promise<void> {
  await engine.addSections(BASE_PFN, BASE_PFN + 2 * PAGES_PER_SECTION, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  await engine.setClass(BASE_PFN + 100, BASE_PFN + 5000, PageClass.USER);
  await engine.setClass(BASE_PFN + 7, BASE_PFN + 9, PageClass.PINNED);
}

/** What an in-thread call threw. */
function thrownBy(call: () => unknown): EngineError {
  try {
    call();
  } catch (error) {
    if (error instanceof EngineError) return error;
    throw error;
  }
  throw new Error('expected the in-thread engine to refuse the call');
}

describe('engine errors through the worker', () => {
  let local: EngineApi;
  let worker: WorkerEngine;

  beforeAll(async () => {
    local = await createEngine(OPTS);
    worker = await createWorkerEngine(OPTS);
    await populate(local);
    await populate(worker);
  });
  afterAll(async () => {
    await worker?.terminate();
  });

  test.each(BAD_CALLS)('$what: $code naming $arg', async ({ call, code, arg }) => {
    const expected = thrownBy(() => call(local));
    expect(expected).toMatchObject({ code, arg });
    const before = await worker.countClasses(BASE_PFN, END_PFN);

    const rejection = (async () => call(worker))();
    await expect(rejection).rejects.toBeInstanceOf(EngineError);
    await expect(rejection).rejects.toMatchObject({
      name: 'EngineError',
      code,
      arg,
      op: expected.op,
      message: expected.message,
    });
    // Refused calls leave the shard as it was, and it keeps serving.
    expect(await worker.countClasses(BASE_PFN, END_PFN)).toEqual(before);
  });

  test('bad options refuse the worker engine itself, with the in-thread error', async () => {
    const badOpts = { basePfn: BASE_PFN + 1, nrPages: NR_PAGES };
    let expected: unknown;
    try {
      await createEngine(badOpts);
    } catch (error) {
      expected = error;
    }
    expect(expected).toBeInstanceOf(EngineError);
    const { code, arg, op, message } = expected as EngineError;
    await expect(createWorkerEngine(badOpts)).rejects.toMatchObject({ name: 'EngineError', code, arg, op, message });
  });
});
