/**
 * Arguments of the wrong JavaScript type are refused with E_ARG naming the
 * argument, before any value or range check, by the WASM engine (which would
 * otherwise convert them: '0' to 0, null to 0, true to 1), by the reference,
 * and through the worker, on its client side and on its served side alike.
 * A BigInt is an E_ARG too, not a TypeError. Nothing changes.
 */
import * as Comlink from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ClaimMode, PageClass } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { EngineError } from '../../src/contract/errors.js';
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import { parentPortEndpoint } from '../../src/worker/node-endpoint.js';
import { installEngineErrorHandler, serveEngine, type ServedEngineApi } from '../../src/worker/wire.js';
import { ENGINE_CASES } from '../helpers/engines.js';
import { BASE_PFN, WINDOW_PAGES, buildFixture, expectRefused, sectionPfn } from './fixture.js';

/** A call with one argument of the wrong type, and the argument the refusal must name. */
interface TypeCase {
  what: string;
  call: (engine: EngineApi) => unknown;
  arg: string;
}

const CASES: readonly TypeCase[] = [
  { what: "setClass('0', '100', 1)", call: (e) => e.setClass('0' as never, '100' as never, PageClass.USER), arg: 'startPfn' },
  { what: 'setClass with cls null', call: (e) => e.setClass(sectionPfn(0), sectionPfn(0) + 8, null as never), arg: 'cls' },
  { what: 'setClass with cls true', call: (e) => e.setClass(sectionPfn(0), sectionPfn(0) + 8, true as never), arg: 'cls' },
  { what: 'count with a BigInt end', call: (e) => e.count(sectionPfn(0), 10n as never, 1), arg: 'endPfn' },
  { what: 'findNext with a missing mask', call: (e) => (e.findNext as (...a: unknown[]) => unknown)(sectionPfn(0), sectionPfn(1)), arg: 'mask' },
  { what: 'setIsolate with isolate 1', call: (e) => e.setIsolate(sectionPfn(0), sectionPfn(1), 1 as never), arg: 'isolate' },
  {
    what: "claim with seed '7'",
    call: (e) => e.claim(sectionPfn(0), sectionPfn(1), 1, PageClass.FREE, PageClass.USER, ClaimMode.LOWEST, '7' as never),
    arg: 'seed',
  },
  { what: 'readSections with a string count', call: (e) => e.readSections(BASE_PFN / 32768, '1' as never), arg: 'count' },
  { what: "remapOut with newStartPfn '68719476736'", call: (e) => e.remapOut(sectionPfn(0), 1, '68719476736' as never), arg: 'newStartPfn' },
  { what: 'remapIn with a BigInt oldStartPfn', call: (e) => e.remapIn(sectionPfn(0), 1, 5n as never), arg: 'oldStartPfn' },
  { what: 'countRemapped with endPfn null', call: (e) => e.countRemapped(sectionPfn(0), null as never), arg: 'endPfn' },
  { what: 'virtToPhys of a plain array', call: (e) => e.virtToPhys([1n, 2n] as never), arg: 'vas' },
  { what: 'physToVirt of a BigInt', call: (e) => e.physToVirt(5n as never), arg: 'pas' },
];

describe.each(ENGINE_CASES)('%s engine: arguments of the wrong type', (_kind, factory) => {
  test.each(CASES)('$what: E_ARG $arg, state unchanged', async ({ call, arg }) => {
    const engine = await buildFixture(factory);
    await expectRefused(engine, () => call(engine), 'E_ARG', arg);
  });

  test('window options of the wrong type: E_ARG naming the option', async () => {
    for (const [opts, arg] of [
      [{ basePfn: '0', nrPages: WINDOW_PAGES }, 'basePfn'],
      [{ basePfn: 0, nrPages: null }, 'nrPages'],
      [{ basePfn: 0, nrPages: WINDOW_PAGES, maxBytes: '1G' }, 'maxBytes'],
    ] as const) {
      await expect(factory.create(opts as never)).rejects.toMatchObject({ name: 'EngineError', code: 'E_ARG', arg });
    }
  });
});

describe('through the worker', () => {
  let worker: WorkerEngine;
  let served: Comlink.Remote<ServedEngineApi>;
  let ports: MessagePort[] = [];

  beforeAll(async () => {
    worker = await createWorkerEngine({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES });
    // The served side alone, reached without the client's own check.
    installEngineErrorHandler();
    const channel = new MessageChannel();
    ports = [channel.port1 as unknown as MessagePort, channel.port2 as unknown as MessagePort];
    Comlink.expose(serveEngine((opts) => createEngine(opts)), parentPortEndpoint(channel.port1));
    served = Comlink.wrap<ServedEngineApi>(parentPortEndpoint(channel.port2));
    await served.init({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES });
  });
  afterAll(async () => {
    await worker.terminate();
    for (const port of ports) port.close();
  });

  test.each(CASES)('client: $what rejects with E_ARG $arg', async ({ call, arg }) => {
    const error: unknown = await Promise.resolve()
      .then(() => call(worker as unknown as EngineApi))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'E_ARG', arg });
  });

  test.each(CASES)(
    'served side: $what rejects with E_ARG $arg',
    async ({ call, arg }) => {
      const error: unknown = await Promise.resolve()
        .then(() => call(served as unknown as EngineApi))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'EngineError', code: 'E_ARG', arg });
    },
  );
});

test('the reference and the WASM engine agree on the refusal (spot check)', async () => {
  const ref = createRefEngine({ basePfn: 0, nrPages: 32768 });
  const wasm = await createEngine({ basePfn: 0, nrPages: 32768 });
  for (const engine of [ref, wasm]) {
    expect(() => engine.count(0, '5' as never, 1)).toThrow(/count: bad argument value \(argument endPfn\): expected a number, got string/);
  }
});
