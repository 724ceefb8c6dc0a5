/**
 * ZONE_MOVABLE against offline-migrated, side by side
 * (docs/hot-remove-schemes.md): one machine description, one workload, both
 * hot-remove schemes.
 *
 * For each scheme a fresh machine boots with the description (zone-movable
 * as described; offline-migrated with `hotRemoveScheme: offline-migrated`,
 * so no ZONE_MOVABLE) and runs the workload. Then:
 *
 * - kernel-memory headroom per kernel kind (slab, reclaimable slab, page
 *   tables, pins): the most Machine.headroom gives it on any node, with the
 *   free ZONE_MOVABLE memory they cannot use beside it. A node's headroom
 *   already runs down its whole zonelist, the zones of every node with
 *   memory, so summing the nodes would count each zone once per node;
 * - per node asked for, on a machine of its own (so one node's removal does
 *   not change another's answer): every block of the node offlined, highest
 *   first, each tried; then the blocks that went offline are hot-removed
 *   (remove_memory), one call per run of adjacent blocks, a run never mixing
 *   blocks with and without memmap_on_memory (remove_memory refuses that).
 *   The bytes removed are what the scheme can hot-remove. The modelled
 *   seconds are the offline's and the removals' together, the stop_machine
 *   seconds (part of them) and the kernel pages copied beside. A block that
 *   went offline but whose removal failed is counted and its errno kept, not
 *   folded into the offline failures;
 * - afterwards, on the machine with the node removed, the share of kernel
 *   lookups that take the slow path: the slab pages copied out of the
 *   node's blocks over all slab pages left on the machine (kernel lookups
 *   taken as spread evenly over slab), and what that costs at
 *   `lookupsPerSecond` direct-map lookups per second, with the lookup costs
 *   measured on the engine in the same run unless given. Removal does not
 *   change this share: a block goes offline only once its slab has been
 *   copied out, so the removed sections hold no slab, and the copies live
 *   on in the kernel zones of other nodes as slab, still reached through
 *   the removed range's direct-map addresses, so through the remap table.
 *   Both figures are page counts, not translations: the share does not
 *   depend on how the engine keeps a removed section's remap entries. Slab
 *   of blocks that stayed (the memmap block, say) counts in the
 *   denominator, as it should: lookups of it stay fast.
 *
 * Nothing here reads a random source; the lookup timings read the clock and
 * are the only figures that differ between runs (fix them with `lookupNs`).
 */
import type { EngineFactory, ShardEngine } from '../contract/engine-api.js';
import { classBit, PAGE_OFFSET, PAGE_SIZE, PageClass } from '../contract/constants.js';
import { describeValue } from '../util/format.js';
import { bootMachine, type BootedMachine } from '../model/index.js';
import { ZONE_MOVABLE } from '../model/core/mmzone.js';
import { ShardSet } from '../model/core/shards.js';
import { countInZones } from '../model/core/page-state.js';
import type { HotRemoveScheme, MachineSpec, WorkloadSpec } from '../model/core/types.js';
import { HOT_REMOVE_SCHEMES } from '../model/core/types.js';

export interface SchemeComparisonRequest {
  machine: MachineSpec;
  workload: WorkloadSpec;
  /** Nodes whose removal is tried. @default every node with memory */
  nodes?: number[];
  /** Kernel direct-map lookups per second, for the throughput cost. @default 1e8 */
  lookupsPerSecond?: number;
  /** Lookup costs in ns; measured on the engine when absent. */
  lookupNs?: { direct: number; slow: number };
}

/** Kernel kinds whose headroom the comparison reports. */
const KERNEL_KINDS = ['slab', 'slab_reclaimable', 'pgtable', 'pinned'] as const;

export interface NodeRemoval {
  nid: number;
  /** Bytes of memory blocks of the node. */
  presentBytes: number;
  /** Bytes hot-removed: the blocks that went offline and were then removed. */
  removableBytes: number;
  /** Blocks that went offline. */
  blocksOffline: number;
  /** Blocks that would not go offline. */
  blocksFailed: number;
  /** The first offline failure, highest block first, with the kernel's errno and message. */
  firstFailure?: { blockId: number; errno: string; message: string };
  /** Of the blocks that went offline, those removed. */
  blocksRemoved: number;
  /** Of the blocks that went offline, those whose removal failed (they stay offline). */
  blocksRemoveFailed: number;
  /** The first removal that failed: the run of blocks it covered, the errno and message. */
  firstRemoveFailure?: { firstBlockId: number; nrBlocks: number; errno: string; message: string };
  /** Modelled seconds of the offline (stop_machine included) and the removals. */
  modelledSeconds: number;
  /** Of modelledSeconds, the removals'. */
  removeSeconds: number;
  stopMachineSeconds: number;
  copiedPages: number;
  pgtablePages: number;
  remappedSections: number;
  /** Slab pages reached through a remapped section afterwards, over all slab pages. */
  slowLookupFraction: number;
  /** CPU seconds per second the slow lookups cost at the stated rate. */
  slowLookupCpuSecondsPerSecond: number;
}

export interface SchemeResult {
  scheme: HotRemoveScheme;
  /** Kernel kinds: pages one more allocation could still get, the most over nodes (each node's zonelist reaches the others). */
  kernelHeadroomPages: Record<(typeof KERNEL_KINDS)[number], number>;
  /** Free ZONE_MOVABLE pages, which no kernel kind can use. */
  movableFreePages: number;
  nodes: NodeRemoval[];
}

export interface SchemeComparison {
  lookupsPerSecond: number;
  lookupNs: { direct: number; slow: number; measured: boolean };
  schemes: SchemeResult[];
}

export interface SchemeComparisonOptions {
  engines: EngineFactory;
  /** Check each removal machine's invariants (Machine.checkInvariants) once its node is removed; a broken one throws. @default false */
  checkInvariants?: boolean;
}

const DEFAULT_LOOKUPS_PER_SECOND = 1e8;
const SLAB_CLASSES = classBit(PageClass.SLAB) | classBit(PageClass.SLAB_RECLAIMABLE);
/** Addresses per timed translation batch. */
const LOOKUP_BATCH = 1 << 16;

function checkRequest(request: SchemeComparisonRequest): void {
  if (request === null || typeof request !== 'object') throw new TypeError('compareSchemes: the request must be an object { machine, workload }');
  if (request.machine?.hotRemoveScheme !== undefined && !HOT_REMOVE_SCHEMES.includes(request.machine.hotRemoveScheme)) {
    throw new TypeError(`machine.hotRemoveScheme must be ${HOT_REMOVE_SCHEMES.join(' or ')}, got ${describeValue(request.machine.hotRemoveScheme)}`);
  }
  const rate = request.lookupsPerSecond ?? DEFAULT_LOOKUPS_PER_SECOND;
  if (!(Number.isFinite(rate) && rate >= 0)) throw new RangeError(`lookupsPerSecond must be a non-negative rate, got ${describeValue(request.lookupsPerSecond)}`);
  const ns = request.lookupNs;
  if (ns !== undefined && !(Number.isFinite(ns.direct) && ns.direct > 0 && Number.isFinite(ns.slow) && ns.slow > 0)) {
    throw new RangeError(`lookupNs must be { direct, slow } in positive ns, got ${describeValue(ns)}`);
  }
  for (const nid of request.nodes ?? []) {
    if (!Number.isSafeInteger(nid) || nid < 0) throw new RangeError(`nodes must be node ids, got ${describeValue(nid)}`);
  }
}

function specFor(machine: MachineSpec, scheme: HotRemoveScheme): MachineSpec {
  return { ...machine, hotRemoveScheme: scheme };
}

async function bootWithWorkload(request: SchemeComparisonRequest, scheme: HotRemoveScheme, engines: EngineFactory): Promise<BootedMachine> {
  const machine = await bootMachine(specFor(request.machine, scheme), { engines });
  try {
    const outcome = await machine.workload(request.workload);
    if (!outcome.ok) throw new Error(`compareSchemes: the workload does not fit under ${scheme}: ${outcome.errno ?? ''} ${outcome.message ?? ''}`.trim());
    return machine;
  } catch (error) {
    await machine.close();
    throw error;
  }
}

/** Adjacent offline blocks, ascending, cut where memmap_on_memory changes: one remove_memory call each. */
function removalRuns(machine: BootedMachine, ids: readonly number[]): { firstBlockId: number; nrBlocks: number }[] {
  const runs: { firstBlockId: number; nrBlocks: number; altmap: boolean }[] = [];
  for (const id of [...ids].sort((a, b) => a - b)) {
    const altmap = (machine.block(id)?.vmemmapPages ?? 0) > 0;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.firstBlockId + last.nrBlocks === id && last.altmap === altmap) last.nrBlocks++;
    else runs.push({ firstBlockId: id, nrBlocks: 1, altmap });
  }
  return runs.map(({ firstBlockId, nrBlocks }) => ({ firstBlockId, nrBlocks }));
}

async function removeNode(request: SchemeComparisonRequest & SchemeComparisonOptions, scheme: HotRemoveScheme, nid: number, lookups: { rate: number; ns: () => Promise<{ direct: number; slow: number }> }): Promise<NodeRemoval> {
  const machine = await bootWithWorkload(request, scheme, request.engines);
  try {
    const blocks = (await machine.blocks()).filter((b) => b.nids.includes(nid) && b.state !== 'offline');
    const presentBytes = blocks.reduce((sum, b) => sum + b.nrPages * PAGE_SIZE, 0);
    const outcome = await machine.offlineBlocks({ node: nid });
    const results = outcome.blocks ?? [];
    const offlined = results.filter((r) => r.ok).map((r) => r.id);
    const failure = results.find((r) => !r.ok);
    const kernel = outcome.kernelPages;

    // remove_memory of what went offline, highest run first (as the offline went).
    const blockSizeBytes = machine.blockSizeBytes;
    const presentOf = new Map(blocks.map((b) => [b.id, b.nrPages * PAGE_SIZE]));
    let removableBytes = 0;
    let blocksRemoved = 0;
    let blocksRemoveFailed = 0;
    let removeSeconds = 0;
    let firstRemoveFailure: NodeRemoval['firstRemoveFailure'];
    for (const run of removalRuns(machine, offlined).reverse()) {
      const removed = await machine.removeMemory(run.firstBlockId * blockSizeBytes, run.nrBlocks * blockSizeBytes);
      removeSeconds += removed.modelledSeconds;
      if (removed.ok) {
        for (let id = run.firstBlockId; id < run.firstBlockId + run.nrBlocks; id++) removableBytes += presentOf.get(id) ?? 0;
        blocksRemoved += run.nrBlocks;
      } else {
        blocksRemoveFailed += run.nrBlocks;
        firstRemoveFailure ??= { ...run, errno: removed.errno ?? 'EIO', message: removed.message ?? '' };
      }
    }
    if (request.checkInvariants === true) await machine.checkInvariants();

    const copied = kernel?.copiedPages ?? 0;
    const slab = await countInZones(machine.shards, machine.nodeStates, SLAB_CLASSES);
    const slowLookupFraction = slab === 0 ? 0 : copied / slab;
    let cost = 0;
    if (slowLookupFraction > 0 && lookups.rate > 0) {
      const ns = await lookups.ns();
      cost = (slowLookupFraction * lookups.rate * Math.max(0, ns.slow - ns.direct)) / 1e9;
    }
    return {
      nid,
      presentBytes,
      removableBytes,
      blocksOffline: offlined.length,
      blocksFailed: results.filter((r) => !r.ok).length,
      ...(failure === undefined ? {} : { firstFailure: { blockId: failure.id, errno: failure.errno ?? 'EIO', message: failure.message ?? '' } }),
      blocksRemoved,
      blocksRemoveFailed,
      ...(firstRemoveFailure === undefined ? {} : { firstRemoveFailure }),
      modelledSeconds: outcome.modelledSeconds + removeSeconds,
      removeSeconds,
      stopMachineSeconds: kernel?.stopMachineSeconds ?? 0,
      copiedPages: copied,
      pgtablePages: kernel?.pgtablePages ?? 0,
      remappedSections: kernel?.remappedSections ?? 0,
      slowLookupFraction,
      slowLookupCpuSecondsPerSecond: cost,
    };
  } finally {
    await machine.close();
  }
}

/** ns per lookup of one timed batch (after a warm-up batch). */
async function timeBatch(engine: ShardEngine, vas: BigUint64Array): Promise<number> {
  await engine.virtToPhys(vas);
  const t0 = performance.now();
  await engine.virtToPhys(vas);
  return ((performance.now() - t0) * 1e6) / vas.length;
}

/**
 * The engine's own lookup costs: on a one-shard machine of 1 GiB whose
 * first half is remapped onto its second, a batch of addresses in the first
 * half (slow path) and one in the second (direct map).
 */
async function measureLookupNs(engines: EngineFactory): Promise<{ direct: number; slow: number }> {
  const pages = (2 ** 30) / PAGE_SIZE;
  const shards = await ShardSet.create([{ nid: 0, startPfn: 0, endPfn: pages }], engines);
  const engine = shards.shardOfPfn(0)!.engine;
  try {
    await engine.addSections(0, pages, 0, PageClass.FREE, 1, 0);
    await engine.remap(0, pages / 4, pages / 2);
    const batch = (firstPfn: number, nrPages: number): BigUint64Array => {
      const vas = new BigUint64Array(LOOKUP_BATCH);
      let x = 0x9e3779b9;
      for (let i = 0; i < LOOKUP_BATCH; i++) {
        x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
        vas[i] = PAGE_OFFSET + BigInt(firstPfn + (x % nrPages)) * BigInt(PAGE_SIZE);
      }
      return vas;
    };
    const slow = await timeBatch(engine, batch(0, pages / 4));
    const direct = await timeBatch(engine, batch(pages / 2 + pages / 4, pages / 4));
    return { direct, slow };
  } finally {
    await shards.close();
  }
}

/** Both schemes on one description and workload (see the file comment). */
export async function compareSchemes(request: SchemeComparisonRequest & SchemeComparisonOptions): Promise<SchemeComparison> {
  checkRequest(request);
  const rate = request.lookupsPerSecond ?? DEFAULT_LOOKUPS_PER_SECOND;
  let measured: { direct: number; slow: number } | undefined = request.lookupNs;
  const ns = async (): Promise<{ direct: number; slow: number }> => (measured ??= await measureLookupNs(request.engines));
  const schemes: SchemeResult[] = [];
  for (const scheme of HOT_REMOVE_SCHEMES) {
    const machine = await bootWithWorkload(request, scheme, request.engines);
    let headroom: SchemeResult['kernelHeadroomPages'];
    let movableFreePages = 0;
    let nids: number[];
    try {
      const entries = await machine.headroom();
      headroom = Object.fromEntries(KERNEL_KINDS.map((kind) => [kind, entries.filter((e) => e.kind === kind).reduce((most, e) => Math.max(most, e.pages), 0)])) as SchemeResult['kernelHeadroomPages'];
      for (const node of await machine.nodes()) movableFreePages += node.zones[ZONE_MOVABLE]!.freePages;
      nids = request.nodes ?? machine.nodeStates.filter((n) => n.hasMemory).map((n) => n.nid);
    } finally {
      await machine.close();
    }
    const nodes: NodeRemoval[] = [];
    for (const nid of nids) nodes.push(await removeNode(request, scheme, nid, { rate, ns }));
    schemes.push({ scheme, kernelHeadroomPages: headroom, movableFreePages, nodes });
  }
  const lookupNs = measured ?? { direct: 0, slow: 0 };
  return { lookupsPerSecond: rate, lookupNs: { ...lookupNs, measured: request.lookupNs === undefined && measured !== undefined }, schemes };
}
