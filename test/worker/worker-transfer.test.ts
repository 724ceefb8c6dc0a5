/**
 * Bulk data crosses the worker boundary as typed arrays that are moved, not
 * copied: results arrive as plain (non-shared) typed arrays that own exactly
 * their bytes, the worker's copies are detached by the move, and translation
 * inputs are moved out of the caller's hands.
 */
import * as Comlink from 'comlink';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  Migratetype,
  NR_PAGE_CLASSES,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGES_PER_PAGEBLOCK,
  PAGES_PER_SECTION,
  PageClass,
  classBit,
} from '../../src/contract/constants.js';
import { createEngine } from '../../src/engine/index.js';
import { createWorkerEngine, type WorkerEngine } from '../../src/worker/client.js';
import { parentPortEndpoint } from '../../src/worker/node-endpoint.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import { installEngineErrorHandler, serveEngine, type ServedEngineApi } from '../../src/worker/wire.js';

const BASE_PFN = 2 ** 20;
const NR_PAGES = 64 * PAGES_PER_SECTION;
const OPTS = { basePfn: BASE_PFN, nrPages: NR_PAGES };
/** Large enough that a copy would be visible, small enough to stay quick. */
const READ_PAGES = 2 ** 20;

async function populate(engine: EngineApi | WorkerEngine): Promise<void> {
  await engine.addSections(BASE_PFN, BASE_PFN + NR_PAGES, 0, PageClass.FREE, Migratetype.MOVABLE, 0);
  for (let i = 0; i < 64; i++) {
    const startPfn = BASE_PFN + i * 9000 + 17;
    await engine.setClass(startPfn, startPfn + 3000, i % 3 === 0 ? PageClass.USER : PageClass.SLAB);
  }
}

function directMapAddresses(n: number): BigUint64Array {
  const vas = new BigUint64Array(n);
  for (let i = 0; i < n; i++) vas[i] = PAGE_OFFSET + (BigInt(BASE_PFN + ((i * 7919) % NR_PAGES)) << BigInt(PAGE_SHIFT));
  return vas;
}

/** A typed array that is the sole owner of a plain ArrayBuffer of exactly its size. */
function expectOwnedArray(value: unknown, type: new (n: number) => ArrayBufferView, length: number): void {
  expect(value).toBeInstanceOf(type);
  const array = value as ArrayBufferView & { length: number };
  expect(array.length).toBe(length);
  expect(array.buffer).toBeInstanceOf(ArrayBuffer);
  expect(array.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  expect(array.byteOffset).toBe(0);
  expect(array.buffer.byteLength).toBe(array.byteLength);
}

describe('bulk results through a worker', () => {
  let worker: WorkerEngine;
  let local: EngineApi;

  beforeAll(async () => {
    worker = await createWorkerEngine(OPTS);
    local = await createEngine(OPTS);
    await populate(worker);
    await populate(local);
  });
  afterAll(async () => {
    await worker?.terminate();
  });

  test('every bulk result is an owned typed array with the in-thread contents', async () => {
    const counts = await worker.countClasses(BASE_PFN, BASE_PFN + NR_PAGES);
    expectOwnedArray(counts, Float64Array, NR_PAGE_CLASSES);
    expect(Array.from(counts)).toEqual(Array.from(local.countClasses(BASE_PFN, BASE_PFN + NR_PAGES)));

    const classes = await worker.readClasses(BASE_PFN, READ_PAGES);
    expectOwnedArray(classes, Uint8Array, READ_PAGES);
    expect(Buffer.from(classes).equals(Buffer.from(local.readClasses(BASE_PFN, READ_PAGES)))).toBe(true);

    const sections = await worker.readSections(BASE_PFN / PAGES_PER_SECTION, 64);
    expectOwnedArray(sections, Uint32Array, 64);
    expect(Array.from(sections)).toEqual(Array.from(local.readSections(BASE_PFN / PAGES_PER_SECTION, 64)));

    const nrPageblocks = NR_PAGES / PAGES_PER_PAGEBLOCK;
    const tags = await worker.readPageblockTags(BASE_PFN, nrPageblocks);
    expectOwnedArray(tags, Uint8Array, nrPageblocks);

    const scan = await worker.migrateScan(BASE_PFN, BASE_PFN + NR_PAGES, classBit(PageClass.USER), 0, 1000);
    expect(Array.isArray(scan.runs)).toBe(false);
    expectOwnedArray(scan.runs, Float64Array, scan.runs.length);
    expect(scan.runs.length).toBeGreaterThan(0);
    expect(Array.from(scan.runs)).toEqual(
      Array.from(local.migrateScan(BASE_PFN, BASE_PFN + NR_PAGES, classBit(PageClass.USER), 0, 1000).runs),
    );

    const translated = await worker.virtToPhys(directMapAddresses(4096));
    expectOwnedArray(translated.out, BigUint64Array, 4096);
    expect(translated.fast).toBe(4096);
  });

  test('a translation input that owns its buffer is moved to the worker', async () => {
    const vas = directMapAddresses(1 << 16);
    const expected = local.virtToPhys(vas.slice()).out;
    const result = await worker.virtToPhys(vas);
    // Moved, so the caller's array is detached...
    expect(vas.length).toBe(0);
    expect(vas.buffer.byteLength).toBe(0);
    // ...and the answer is still the in-thread one.
    expect(result.out).toEqual(expected);
  });

  test('a translation input that is a view into a larger buffer is copied, not detached', async () => {
    const backing = directMapAddresses(1024);
    const view = backing.subarray(100, 200);
    const result = await worker.physToVirt(view.map((va) => va - PAGE_OFFSET));
    const viaView = await worker.virtToPhys(view);
    expect(view.length).toBe(100);
    expect(backing.length).toBe(1024);
    expect(viaView.out).toEqual(local.virtToPhys(backing.slice(100, 200)).out);
    expect(result.fast).toBe(100);
  });
});

describe('the worker side of the move', () => {
  let client: Comlink.Remote<ServedEngineApi>;
  let ports: MessagePort[];
  /** Every typed array the engine handed to the serving side, to see what the move did to it. */
  const handedOver: ArrayBufferView[] = [];

  beforeAll(async () => {
    installEngineErrorHandler();
    const served = serveEngine(async (opts) => {
      const engine = await createEngine(opts);
      // Record results on their way out of the engine.
      return new Proxy(engine, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (ArrayBuffer.isView(result)) handedOver.push(result);
            const nested = result as { runs?: unknown; out?: unknown } | undefined;
            if (nested !== undefined && ArrayBuffer.isView(nested.runs)) handedOver.push(nested.runs);
            if (nested !== undefined && ArrayBuffer.isView(nested.out)) handedOver.push(nested.out);
            return result;
          };
        },
      });
    });
    const channel = new MessageChannel();
    ports = [channel.port1, channel.port2];
    Comlink.expose(served, parentPortEndpoint(channel.port1));
    client = Comlink.wrap<ServedEngineApi>(parentPortEndpoint(channel.port2));
    await client.init(OPTS);
    await populate(client as unknown as WorkerEngine);
  });
  afterAll(() => {
    for (const port of ports) port.close();
  });

  test('results the engine returns are detached on the serving side once sent', async () => {
    handedOver.length = 0;
    const counts = await client.countClasses(BASE_PFN, BASE_PFN + NR_PAGES);
    const classes = await client.readClasses(BASE_PFN, READ_PAGES);
    const scan = await client.migrateScan(BASE_PFN, BASE_PFN + NR_PAGES, classBit(PageClass.SLAB), 0, 64);
    const translated = await client.virtToPhys(directMapAddresses(256));

    expect(counts).toHaveLength(NR_PAGE_CLASSES);
    expect(classes).toHaveLength(READ_PAGES);
    expect(scan.runs.length).toBeGreaterThan(0);
    expect(translated.out).toHaveLength(256);
    expect(handedOver).toHaveLength(4);
    for (const sent of handedOver) {
      // Either the engine's own array was moved (now detached), or it was a view
      // into engine memory and a copy was moved instead: never a clone of both.
      const movedItself = sent.byteLength === 0;
      const wasAView = sent.buffer.byteLength !== sent.byteLength;
      expect(movedItself || wasAView).toBe(true);
    }
  });

  test('engine errors keep their fields on this channel too', async () => {
    await expect(client.setClass(BASE_PFN - 1, BASE_PFN, PageClass.USER)).rejects.toMatchObject({
      name: 'EngineError',
      code: 'E_RANGE',
      arg: 'startPfn',
      op: 'setClass',
    });
  });
});
