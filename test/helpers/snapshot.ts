/**
 * A comparable picture of an engine's whole observable state, taken through
 * the public contract only (so it works on any {@link EngineApi}, sync or
 * async): class counts, every page's class (as a digest), the section table,
 * every pageblock tag, the pages and sections relocated, and translations
 * of a fixed set of addresses.
 */
import { createHash } from 'node:crypto';
import { PAGES_PER_PAGEBLOCK, PAGES_PER_SECTION } from '../../src/contract/constants.js';
import type { EngineApi } from '../../src/contract/engine-api.js';

export interface StateSnapshot {
  classCounts: number[];
  classesSha256: string;
  sections: number[];
  pageblockTags: number[];
  /** countRemapped of the whole window, then of each section. */
  remapped: number[];
  virtToPhys: string[];
  physToVirt: string[];
  translateCounters: number[];
}

/** Largest window whose every page is read; bigger windows are read section by section. */
const READ_CHUNK_PAGES = 1 << 22;

/**
 * Everything the engine shows about its window. `addresses` are translated
 * both ways (pass the virtual and physical addresses a test cares about).
 */
export async function snapshotState(
  engine: EngineApi,
  addresses: { vas: BigUint64Array; pas: BigUint64Array },
): Promise<StateSnapshot> {
  const { basePfn, nrPages, nrSections } = await engine.info();
  const endPfn = basePfn + nrPages;
  const hash = createHash('sha256');
  for (let pfn = basePfn; pfn < endPfn; pfn += READ_CHUNK_PAGES) {
    hash.update(await engine.readClasses(pfn, Math.min(READ_CHUNK_PAGES, endPfn - pfn)));
  }
  const ranges: [number, number][] = [[basePfn, endPfn]];
  for (let s = 0; s < nrSections; s++) ranges.push([basePfn + s * PAGES_PER_SECTION, basePfn + (s + 1) * PAGES_PER_SECTION]);
  const remapped: number[] = [];
  for (const [startPfn, rangeEndPfn] of ranges) {
    const { pages, sections } = await engine.countRemapped(startPfn, rangeEndPfn);
    remapped.push(pages, sections);
  }
  const virt = await engine.virtToPhys(addresses.vas);
  const phys = await engine.physToVirt(addresses.pas);
  return {
    classCounts: Array.from(await engine.countClasses(basePfn, endPfn)),
    classesSha256: hash.digest('hex'),
    sections: Array.from(await engine.readSections(basePfn / PAGES_PER_SECTION, nrSections)),
    pageblockTags: Array.from(await engine.readPageblockTags(basePfn, nrPages / PAGES_PER_PAGEBLOCK)),
    remapped,
    virtToPhys: Array.from(virt.out, (x) => x.toString(16)),
    physToVirt: Array.from(phys.out, (x) => x.toString(16)),
    translateCounters: [virt.fast, virt.slow, virt.miss, phys.fast, phys.slow, phys.miss],
  };
}
