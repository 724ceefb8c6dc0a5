/**
 * Sections at boot (mm/sparse.c): which 128 MiB sections are present, their
 * node and zone, where their memmap lies (sparse_init), and the page state
 * the engine starts with.
 *
 * A section is present when any memblock.memory page lies in it. At boot it
 * is PRESENT | ONLINE | EARLY, its node is the node of the first memory in it
 * (memory_present marks a section once, for the lowest range), and its zone
 * is the zone of its first present pfn. Every page starts RESERVED; the free
 * ranges (memory minus memblock.reserved) then become FREE, so the kernel
 * image, the boot memmap, other reservations and the holes inside present
 * sections stay RESERVED, as the kernel leaves them PageReserved.
 *
 * Work is per run of sections, never per page: a run is a stretch of
 * consecutive present sections that share what the engine call sets.
 */
import { Migratetype, PAGE_SIZE, PAGES_PER_SECTION, PageClass, SectionFlag } from '../../contract/constants.js';
import { BootError } from '../core/errors.js';
import { MEMMAP_MIN_ADDR, NUMA_NO_NODE, PMD_SIZE_BYTES, SECTION_MEMMAP_BYTES } from '../core/kernel.js';
import type { ShardPiece, ShardSet } from '../core/shards.js';
import type { PfnRange } from '../core/state.js';
import type { BootMemmapPlacement } from './layout.js';
import { Memblock, MEMBLOCK_ALLOC_ACCESSIBLE, MemblockFlag } from './memblock.js';
import type { MemPfnRange } from './mm-init.js';

/** `[startSectionNr, endSectionNr)` of consecutive present sections, all on node `nid`. */
export interface SectionRun {
  startSectionNr: number;
  endSectionNr: number;
  nid: number;
}

/** `[startSectionNr, endSectionNr)` of consecutive present sections in one zone. */
export interface SectionZoneRun {
  startSectionNr: number;
  endSectionNr: number;
  zoneIdx: number;
}

export function pfnToSectionNr(pfn: number): number {
  return Math.floor(pfn / PAGES_PER_SECTION);
}

export function sectionNrToPfn(sectionNr: number): number {
  return sectionNr * PAGES_PER_SECTION;
}

/**
 * Present sections as runs. Each section takes the node of the lowest memory
 * range in it; runs split where the node changes or a section is missing.
 * `ranges` is memblock.memory as pfn ranges, ascending, with a node each.
 */
export function presentSectionRuns(ranges: readonly MemPfnRange[]): SectionRun[] {
  const runs: SectionRun[] = [];
  let nextFreeSectionNr = 0;
  for (const range of ranges) {
    const firstSectionNr = Math.max(pfnToSectionNr(range.startPfn), nextFreeSectionNr);
    const endSectionNr = pfnToSectionNr(range.endPfn - 1) + 1;
    if (firstSectionNr >= endSectionNr) continue;
    const last = runs.at(-1);
    if (last !== undefined && last.endSectionNr === firstSectionNr && last.nid === range.nid) {
      last.endSectionNr = endSectionNr;
    } else {
      runs.push({ startSectionNr: firstSectionNr, endSectionNr, nid: range.nid });
    }
    nextFreeSectionNr = endSectionNr;
  }
  return runs;
}

/**
 * Zone of every present section, as runs: the zone of the section's first
 * present pfn, looked up through `zoneOfPfn(nid, pfn)`. One step per section
 * (524,288 at most on a 64 TiB machine), but only one run per zone change.
 */
export function sectionZoneRuns(
  runs: readonly SectionRun[],
  ranges: readonly MemPfnRange[],
  zoneOfPfn: (nid: number, pfn: number) => number,
): SectionZoneRun[] {
  const zoneRuns: SectionZoneRun[] = [];
  let cursor = 0;
  for (const run of runs) {
    for (let sectionNr = run.startSectionNr; sectionNr < run.endSectionNr; sectionNr++) {
      const sectionStartPfn = sectionNrToPfn(sectionNr);
      while (cursor < ranges.length && ranges[cursor].endPfn <= sectionStartPfn) cursor++;
      const firstPfn = Math.max(sectionStartPfn, ranges[cursor].startPfn);
      const zoneIdx = zoneOfPfn(run.nid, firstPfn);
      const last = zoneRuns.at(-1);
      if (last !== undefined && last.endSectionNr === sectionNr && last.zoneIdx === zoneIdx) last.endSectionNr++;
      else zoneRuns.push({ startSectionNr: sectionNr, endSectionNr: sectionNr + 1, zoneIdx });
    }
  }
  return zoneRuns;
}

/** One sparse_init_nid call: the present-section runs of one node that follow each other (a call may jump a hole). */
interface SparseInitCall {
  nid: number;
  nrSections: number;
  runs: SectionRun[];
}

/** Present sections grouped the way sparse_init walks them: ascending, one call per node change. */
function sparseInitCalls(runs: readonly SectionRun[]): SparseInitCall[] {
  const calls: SparseInitCall[] = [];
  for (const run of runs) {
    const nrSections = run.endSectionNr - run.startSectionNr;
    const last = calls.at(-1);
    if (last !== undefined && last.nid === run.nid) {
      last.nrSections += nrSections;
      last.runs.push(run);
    } else calls.push({ nid: run.nid, nrSections, runs: [run] });
  }
  return calls;
}

/** Node of the memory region holding `addr`. */
function nidOfAddress(memblock: Memblock, addr: number): number {
  for (const r of memblock.memory.regions) if (addr >= r.base && addr < r.base + r.size) return r.nid;
  return NUMA_NO_NODE;
}

/**
 * The boot memmap (sparse_init with SPARSEMEM_VMEMMAP): for each
 * sparse_init_nid call, 2 MiB per section. The kernel first asks for one
 * buffer on exactly that node; when the node cannot provide it (under
 * movable_node a hotpluggable node has no allocatable memory) each 2 MiB
 * piece falls back to any node. The fallback is modelled as one allocation
 * when a single free range can take the whole call (the per-piece top-down
 * allocations would sit there back to back) and piece by piece otherwise.
 *
 * @returns memmap pages charged to each node, by where they landed, and
 *   where each section's memmap lies
 */
export function allocateBootMemmap(
  memblock: Memblock,
  runs: readonly SectionRun[],
): { charged: Map<number, number>; placements: BootMemmapPlacement[] } {
  const charged = new Map<number, number>();
  const placements: BootMemmapPlacement[] = [];
  const charge = (addr: number, sizeBytes: number): void => {
    const nid = nidOfAddress(memblock, addr);
    charged.set(nid, (charged.get(nid) ?? 0) + sizeBytes / PAGE_SIZE);
  };
  for (const call of sparseInitCalls(runs)) {
    const sizeBytes = call.nrSections * SECTION_MEMMAP_BYTES;
    let addr = memblock.allocExactNidRaw(sizeBytes, SECTION_MEMMAP_BYTES, MEMMAP_MIN_ADDR, MEMBLOCK_ALLOC_ACCESSIBLE, call.nid);
    if (!addr) addr = memblock.allocTryNidRaw(sizeBytes, SECTION_MEMMAP_BYTES, MEMMAP_MIN_ADDR, MEMBLOCK_ALLOC_ACCESSIBLE, call.nid);
    if (addr) {
      charge(addr, sizeBytes);
      // The buffer is handed out section by section in ascending order.
      let at = addr;
      for (const run of call.runs) {
        const nrSections = run.endSectionNr - run.startSectionNr;
        placements.push({ startSectionNr: run.startSectionNr, nrSections, base: at });
        at += nrSections * SECTION_MEMMAP_BYTES;
      }
      continue;
    }
    const allocatableBytes = allocatableBootBytes(memblock);
    const sectionNrs = call.runs.flatMap((run) => Array.from({ length: run.endSectionNr - run.startSectionNr }, (_, k) => run.startSectionNr + k));
    for (const sectionNr of sectionNrs) {
      const piece = memblock.allocTryNidRaw(SECTION_MEMMAP_BYTES, PMD_SIZE_BYTES, MEMMAP_MIN_ADDR, MEMBLOCK_ALLOC_ACCESSIBLE, call.nid);
      if (!piece) throw memmapDoesNotFit(memblock, runs, call, allocatableBytes);
      charge(piece, SECTION_MEMMAP_BYTES);
      placements.push({ startSectionNr: sectionNr, nrSections: 1, base: piece });
    }
  }
  placements.sort((a, b) => a.startSectionNr - b.startSectionNr);
  return { charged, placements };
}

/** Bytes memblock could still hand out for the memmap: free memory above MEMMAP_MIN_ADDR that the allocation filter lets through. */
function allocatableBootBytes(memblock: Memblock): number {
  let bytes = 0;
  for (const range of memblock.freeRanges(NUMA_NO_NODE, MemblockFlag.NONE)) bytes += Math.max(0, range.end - Math.max(range.base, MEMMAP_MIN_ADDR));
  return bytes;
}

/**
 * The boot memmap of a node could not be backed. sparse_init_nid then logs
 * "memory map backing failed", marks the node's remaining sections not
 * present and goes on; but a 2 MiB piece fails only once the memory boot
 * allocations may use is gone, so the allocations after it (per-CPU areas,
 * and every kernel allocation once the buddy allocator starts) cannot be
 * met and the boot does not complete. The model stops here and says why.
 * Under movable_node the usual cause is the hotpluggable share: the memmap
 * of hotpluggable nodes must come from the other nodes (should_skip_region),
 * 64 bytes of struct page per 4 KiB page of the whole machine.
 */
function memmapDoesNotFit(memblock: Memblock, runs: readonly SectionRun[], call: SparseInitCall, allocatableBytes: number): BootError {
  const MiB = 2 ** 20;
  const machineSections = runs.reduce((sum, run) => sum + run.endSectionNr - run.startSectionNr, 0);
  const where = memblock.movableNode
    ? 'kernel memory (movable_node keeps boot allocations off hotpluggable memory, so the memmap of every node must fit in the non-hotpluggable nodes)'
    : 'kernel memory (the boot memory left after the reservations)';
  return new BootError(
    memblock.movableNode ? 'srat' : 'e820',
    `the memmap does not fit in ${where}: node ${call.nid}'s ${call.nrSections} sections need ${(call.nrSections * SECTION_MEMMAP_BYTES) / MiB} MiB ` +
      `of memmap and only ${Math.floor(allocatableBytes / MiB)} MiB was left for it; the memmap of all ${machineSections} present sections is ` +
      `${(machineSections * SECTION_MEMMAP_BYTES) / MiB} MiB. sparse_init would report "memory map backing failed" and the boot cannot complete`,
  );
}

/** Engine calls grouped per shard, run shard by shard in parallel and in order within a shard. */
class ShardBatches {
  readonly #batches = new Map<number, (() => unknown)[]>();

  constructor(private readonly shards: ShardSet) {}

  /** Queue `call` for every shard piece of `[startPfn, endPfn)`. */
  add(startPfn: number, endPfn: number, call: (piece: ShardPiece) => unknown): void {
    for (const piece of this.shards.split(startPfn, endPfn)) {
      const batch = this.#batches.get(piece.shard.index) ?? [];
      batch.push(() => call(piece));
      this.#batches.set(piece.shard.index, batch);
    }
  }

  async run(): Promise<void> {
    await Promise.all(
      [...this.#batches.values()].map(async (batch) => {
        for (const call of batch) await call();
      }),
    );
  }
}

export interface SectionPopulation {
  runs: readonly SectionRun[];
  zoneRuns: readonly SectionZoneRun[];
  /** Pages that start FREE: memory minus reserved. */
  freeRanges: readonly PfnRange[];
}

/**
 * Load the boot sections into the engines: add each run as RESERVED pages
 * with MOVABLE pageblocks and ONLINE | EARLY, set section zones, then free the
 * free ranges. A few calls per run and per free range.
 */
export async function populateBootSections(shards: ShardSet, population: SectionPopulation): Promise<void> {
  const adds = new ShardBatches(shards);
  for (const run of population.runs) {
    adds.add(sectionNrToPfn(run.startSectionNr), sectionNrToPfn(run.endSectionNr), (piece) =>
      piece.shard.engine.addSections(
        piece.startPfn,
        piece.endPfn,
        run.nid,
        PageClass.RESERVED,
        Migratetype.MOVABLE,
        SectionFlag.ONLINE | SectionFlag.EARLY,
      ),
    );
  }
  await adds.run();

  const updates = new ShardBatches(shards);
  for (const zoneRun of population.zoneRuns) {
    updates.add(sectionNrToPfn(zoneRun.startSectionNr), sectionNrToPfn(zoneRun.endSectionNr), (piece) =>
      piece.shard.engine.setSectionZone(piece.startPfn, piece.endPfn, zoneRun.zoneIdx),
    );
  }
  for (const free of population.freeRanges) {
    updates.add(free.startPfn, free.endPfn, (piece) =>
      piece.shard.engine.setClass(piece.startPfn, piece.endPfn, PageClass.FREE),
    );
  }
  await updates.run();
}

/** Section number of the highest present section plus one (0 when none). */
export function endOfPresentSections(runs: readonly SectionRun[]): number {
  return runs.length === 0 ? 0 : runs[runs.length - 1].endSectionNr;
}
