/**
 * The shard every bad-input test starts from, and the check they all make:
 * the call is refused with the expected code and argument, the message names
 * the argument, and the whole observable state is exactly as before.
 *
 * Window: 6 sections at pfn 2^34 (64 TiB), so pfns are past 2^32.
 *
 *   section   0        1        2        3        4        5
 *           present  present  present  absent   present  absent
 *           node 0   node 0   node 0            node 1
 *
 * with runs of several classes (one crossing the section 0/1 edge), mixed
 * pageblock tags, an isolated pageblock, zones, 8 pages of section 0
 * relocated into section 2, 6 pages of section 1 relocated to frames of
 * another shard, and 5 frames of section 4 holding another shard's pages,
 * so translation has state to protect too.
 */
import { expect } from 'vitest';
import {
  Migratetype,
  PAGE_OFFSET,
  PAGE_SHIFT,
  PAGES_PER_SECTION,
  PageClass,
  SectionFlag,
  type EngineStatusName,
} from '../../src/contract/constants.js';
import { EngineError } from '../../src/contract/errors.js';
import type { EngineApi } from '../../src/contract/engine-api.js';
import type { EngineCase } from '../helpers/engines.js';
import { snapshotState } from '../helpers/snapshot.js';

export const BASE_PFN = 2 ** 34;
export const NR_SECTIONS = 6;
export const WINDOW_PAGES = NR_SECTIONS * PAGES_PER_SECTION;
export const WINDOW_END_PFN = BASE_PFN + WINDOW_PAGES;
export const BASE_SECTION_NR = BASE_PFN / PAGES_PER_SECTION;
export const ABSENT_SECTIONS = [3, 5] as const;

/** First pfn of window section `index`. */
export function sectionPfn(index: number): number {
  return BASE_PFN + index * PAGES_PER_SECTION;
}

/** Old pages and their new frames in the fixture's remap. */
export const REMAP_OLD_PFN = sectionPfn(0) + 100;
export const REMAP_NEW_PFN = sectionPfn(2) + 4096;
export const REMAP_PAGES = 8;
/** Pages of section 1 sent to frames of another shard (remapOut). */
export const FAR_OUT_OLD_PFN = sectionPfn(1) + 2000;
export const FAR_OUT_NEW_PFN = 2 ** 36 + 12345;
export const FAR_OUT_PAGES = 6;
/** Frames of section 4 holding pages of another shard (remapIn). */
export const FAR_IN_NEW_PFN = sectionPfn(4) + 300;
export const FAR_IN_OLD_PFN = 2 ** 20 + 77;
export const FAR_IN_PAGES = 5;

function va(pfn: number, offsetInPage = 0): bigint {
  return PAGE_OFFSET + (BigInt(pfn) << BigInt(PAGE_SHIFT)) + BigInt(offsetInPage);
}
function pa(pfn: number, offsetInPage = 0): bigint {
  return (BigInt(pfn) << BigInt(PAGE_SHIFT)) + BigInt(offsetInPage);
}

/** Addresses whose translation the snapshot records. */
export const PROBE_ADDRESSES = {
  vas: BigUint64Array.of(
    va(REMAP_OLD_PFN, 0x123),
    va(REMAP_OLD_PFN + REMAP_PAGES - 1),
    va(REMAP_OLD_PFN + REMAP_PAGES),
    va(REMAP_NEW_PFN, 8),
    va(FAR_OUT_OLD_PFN, 0x321),
    va(FAR_OUT_OLD_PFN + FAR_OUT_PAGES),
    va(sectionPfn(3)),
    va(sectionPfn(4) + 5, 0xfff),
    va(BASE_PFN - 1),
    va(WINDOW_END_PFN),
    PAGE_OFFSET - 1n,
  ),
  pas: BigUint64Array.of(
    pa(REMAP_NEW_PFN, 0x10),
    pa(REMAP_NEW_PFN + REMAP_PAGES),
    pa(REMAP_OLD_PFN),
    pa(REMAP_OLD_PFN + REMAP_PAGES),
    pa(FAR_OUT_OLD_PFN),
    pa(FAR_IN_NEW_PFN, 0x44),
    pa(FAR_IN_NEW_PFN + FAR_IN_PAGES),
    pa(sectionPfn(1) + 77, 1),
    pa(sectionPfn(3) + 1),
    pa(sectionPfn(4)),
    pa(WINDOW_END_PFN),
  ),
};

/** A fresh engine of `factory`'s kind in the fixture state. */
export async function buildFixture(factory: EngineCase): Promise<EngineApi> {
  const engine = await factory.create({ basePfn: BASE_PFN, nrPages: WINDOW_PAGES });
  await engine.addSections(sectionPfn(0), sectionPfn(3), 0, PageClass.FREE, Migratetype.MOVABLE, SectionFlag.ONLINE);
  await engine.addSections(sectionPfn(4), sectionPfn(5), 1, PageClass.USER, Migratetype.UNMOVABLE, 0);
  await engine.setClass(sectionPfn(0) + 100, sectionPfn(0) + 1000, PageClass.SLAB);
  await engine.setClass(sectionPfn(1) - 5, sectionPfn(1) + 700, PageClass.USER);
  await engine.setClass(sectionPfn(2) + 512, sectionPfn(2) + 1024, PageClass.PINNED);
  await engine.setClass(sectionPfn(4) + 7, sectionPfn(4) + 8, PageClass.RESERVED);
  await engine.setMigratetype(sectionPfn(1), sectionPfn(1) + 3000, Migratetype.UNMOVABLE);
  await engine.setIsolate(sectionPfn(2), sectionPfn(2) + 1, true);
  await engine.setSectionZone(sectionPfn(0), sectionPfn(3), 1);
  await engine.setSectionZone(sectionPfn(4), sectionPfn(5), 3);
  await engine.remap(REMAP_OLD_PFN, REMAP_PAGES, REMAP_NEW_PFN);
  await engine.remapOut(FAR_OUT_OLD_PFN, FAR_OUT_PAGES, FAR_OUT_NEW_PFN);
  await engine.remapIn(FAR_IN_NEW_PFN, FAR_IN_PAGES, FAR_IN_OLD_PFN);
  return engine;
}

/**
 * Expects `call` to be refused with `code` naming `arg` (in `error.arg` and in
 * the message), and the engine's state, including the translations of
 * `addresses`, to be exactly what it was.
 */
export async function expectRefused(
  engine: EngineApi,
  call: () => unknown,
  code: EngineStatusName,
  arg: string | undefined,
  addresses: { vas: BigUint64Array; pas: BigUint64Array } = PROBE_ADDRESSES,
): Promise<EngineError> {
  const before = await snapshotState(engine, addresses);
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the call was accepted').toBeInstanceOf(EngineError);
  const error = thrown as EngineError;
  expect({ code: error.code, arg: error.arg }).toEqual({ code, arg });
  if (arg !== undefined) expect(error.message).toContain(arg);
  expect(await snapshotState(engine, addresses)).toEqual(before);
  await engine.validate();
  return error;
}
