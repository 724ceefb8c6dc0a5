/**
 * An engine is only created over a window it can hold: basePfn and nrPages
 * finite non-negative integers (E_ARG), section aligned (E_ALIGN, basePfn
 * first), and 0 < nrPages <= 2^32 (E_RANGE nrPages); maxBytes, when given,
 * a positive integer (E_ARG maxBytes); pageOffset, when given, a page-aligned
 * u64 in the kernel half (E_ARG pageOffset).
 */
import { describe, expect, test } from 'vitest';
import { ALL_CLASSES, MAX_WINDOW_PAGES, PAGE_OFFSET, PAGE_OFFSET_L5, PAGES_PER_SECTION } from '../../src/contract/constants.js';
import { EngineError } from '../../src/contract/errors.js';
import type { EngineOptions } from '../../src/contract/engine-api.js';
import { ENGINE_CASES } from '../helpers/engines.js';

const BAD_WINDOWS: [string, EngineOptions, string, string][] = [
  ['basePfn NaN', { basePfn: Number.NaN, nrPages: PAGES_PER_SECTION }, 'E_ARG', 'basePfn'],
  ['basePfn negative', { basePfn: -PAGES_PER_SECTION, nrPages: PAGES_PER_SECTION }, 'E_ARG', 'basePfn'],
  ['nrPages fractional', { basePfn: 0, nrPages: 1.5 }, 'E_ARG', 'nrPages'],
  ['basePfn unaligned', { basePfn: PAGES_PER_SECTION + 512, nrPages: PAGES_PER_SECTION }, 'E_ALIGN', 'basePfn'],
  ['both unaligned', { basePfn: 1, nrPages: PAGES_PER_SECTION + 1 }, 'E_ALIGN', 'basePfn'],
  ['nrPages unaligned', { basePfn: 2 ** 34, nrPages: PAGES_PER_SECTION + 1 }, 'E_ALIGN', 'nrPages'],
  ['nrPages zero', { basePfn: 0, nrPages: 0 }, 'E_RANGE', 'nrPages'],
  ['nrPages above 2^32', { basePfn: 0, nrPages: MAX_WINDOW_PAGES + PAGES_PER_SECTION }, 'E_RANGE', 'nrPages'],
  ['maxBytes zero', { basePfn: 0, nrPages: PAGES_PER_SECTION, maxBytes: 0 }, 'E_ARG', 'maxBytes'],
  ['maxBytes negative', { basePfn: 0, nrPages: PAGES_PER_SECTION, maxBytes: -(2 ** 20) }, 'E_ARG', 'maxBytes'],
  ['maxBytes fractional', { basePfn: 0, nrPages: PAGES_PER_SECTION, maxBytes: 2 ** 20 + 0.5 }, 'E_ARG', 'maxBytes'],
  ['maxBytes NaN', { basePfn: 0, nrPages: PAGES_PER_SECTION, maxBytes: Number.NaN }, 'E_ARG', 'maxBytes'],
  ['pageOffset not page aligned', { basePfn: 0, nrPages: PAGES_PER_SECTION, pageOffset: PAGE_OFFSET + 8n }, 'E_ARG', 'pageOffset'],
  ['pageOffset in the user half', { basePfn: 0, nrPages: PAGES_PER_SECTION, pageOffset: 0x0000_7000_0000_0000n }, 'E_ARG', 'pageOffset'],
  ['pageOffset past 2^64', { basePfn: 0, nrPages: PAGES_PER_SECTION, pageOffset: 2n ** 64n }, 'E_ARG', 'pageOffset'],
  ['pageOffset negative', { basePfn: 0, nrPages: PAGES_PER_SECTION, pageOffset: -4096n }, 'E_ARG', 'pageOffset'],
  ['pageOffset a number', { basePfn: 0, nrPages: PAGES_PER_SECTION, pageOffset: 2 ** 63 as unknown as bigint }, 'E_ARG', 'pageOffset'],
];

describe.each(ENGINE_CASES)('%s engine: window options', (_kind, factory) => {
  test.each(BAD_WINDOWS)('%s is refused', async (_name, opts, code, arg) => {
    let thrown: unknown;
    try {
      await factory.create(opts);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EngineError);
    const error = thrown as EngineError;
    expect({ code: error.code, arg: error.arg }).toEqual({ code, arg });
    expect(error.message).toContain(arg);
  });

  test('the largest window, 2^32 pages, is accepted and starts empty', async () => {
    const engine = await factory.create({ basePfn: 2 ** 34, nrPages: MAX_WINDOW_PAGES });
    expect(await engine.info()).toEqual({ basePfn: 2 ** 34, nrPages: MAX_WINDOW_PAGES, nrSections: MAX_WINDOW_PAGES / PAGES_PER_SECTION, pageOffset: PAGE_OFFSET });
    expect(await engine.count(2 ** 34, 2 ** 34 + MAX_WINDOW_PAGES, ALL_CLASSES)).toBe(0);
    await engine.validate();
  });

  test('a 5-level direct-map base is taken and reported', async () => {
    const engine = await factory.create({ basePfn: 2 ** 39, nrPages: PAGES_PER_SECTION, pageOffset: PAGE_OFFSET_L5 });
    expect((await engine.info()).pageOffset).toBe(PAGE_OFFSET_L5);
  });
});
