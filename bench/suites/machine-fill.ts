/**
 * Filling a whole machine through the page allocator: the 64 TiB, 16-node
 * machine of scenarios/64tib-16node-kernelcore.yaml booted on the WASM engine,
 * then one `workload` step fills it the way a long-running server's memory
 * looks (anon, page cache with its reclaimable slab, slab, pinned pages, and
 * the page tables of the mappings), with `placement: fragmented`, the
 * placement that spreads unmovable pages over movable pageblocks and so
 * leaves the most mixed pageblocks behind. Wall seconds, boot and fill
 * apart, medians of a few runs, each on a freshly booted machine.
 *
 * The reference engine keeps a byte per page and walks pages, so it fills
 * the same machine shape only at a smaller size (16 nodes of REF_NODE_GIB):
 * there the same workload runs on both engines, once on the reference (it
 * takes minutes), and the two machines must end in the same state: the same
 * outcome, the same node and zone counters, and every page's class and every
 * pageblock's tag equal. A difference is reported, not timed around.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineFactory, ShardEngine } from '../../src/contract/engine-api.js';
import { PAGES_PER_PAGEBLOCK } from '../../src/contract/constants.js';
import { engineFactoryFor } from '../../src/engines.js';
import type { MachineSpec, WorkloadSpec } from '../../src/model/core/types.js';
import { bootMachine, type BootedMachine } from '../../src/model/machine.js';
import { parseScenario } from '../../src/study/scenario.js';
import { findPackageRoot } from '../../src/util/package-root.js';

const RUNS = 3;
const NODES = 16;
const GiB = 2 ** 30;
/** The full-size machine: 16 nodes of 4 TiB, kernelcore=25%. */
const FULL_SCENARIO = 'scenarios/64tib-16node-kernelcore.yaml';
const FULL_NODE_GIB = 4096;
/**
 * Node size of the machine both engines fill. The reference's fill time grows
 * with memory: 16 x 8 GiB about 1 minute, 16 x 16 GiB about 2, 16 x 32 GiB
 * close to 4 (memory is not what limits it: a byte per page).
 */
const REF_NODE_GIB = 16;
/** `--quick`: smaller machines, to check the harness in seconds. */
const QUICK_FILL_NODE_GIB = 8;
const QUICK_REF_NODES = 2;
const QUICK_REF_NODE_GIB = 8;
/** Largest span one readClasses call returns. */
const READ_CHUNK_PAGES = 2 ** 24;

/** The workload: a server's steady state, unmovable pages spread over movable pageblocks. */
export const FILL_WORKLOAD: WorkloadSpec = {
  node: 'spread',
  anon: { share: 0.5 },
  file: { share: 0.3 },
  slabReclaimablePerFileGiB: 32 * 2 ** 20,
  slab: { share: 0.03 },
  pinned: { share: 0.005 },
  placement: 'fragmented',
  seed: 1,
};

export interface MachineFillRow {
  what: string;
  wasmSec: number;
  refSec?: number;
}

export interface MachineFillReport {
  rows: MachineFillRow[];
  /** Every run's fill of the full-size machine on WASM, in run order. */
  fullFillRunsSec: number[];
  /** WASM engine state of the filled full-size machine, all shards. */
  fullStateBytes: number;
  /** Pages the workload allocated on the full-size machine, page tables included. */
  fullAllocatedPages: number;
  /** Where the two engines' states first differ; undefined when they are equal. */
  mismatch?: string;
}

/**
 * The machine of FULL_SCENARIO at another size: `nodes` nodes of `nodeGiB`,
 * node 0 holding [0, 2G) and [4G, nodeGiB) around the PCI hole, kernelcore=25%.
 */
function scenarioText(nodes: number, nodeGiB: number): string {
  const lines = ['version: 1', 'machine:', '  type: bare-metal', '  blockSize: auto', '  srat:'];
  lines.push('    - { node: 0, base: 0, size: 2G }', `    - { node: 0, base: 4G, size: ${nodeGiB - 4}G }`);
  for (let nid = 1; nid < nodes; nid++) lines.push(`    - { node: ${nid}, base: ${nid * nodeGiB}G, size: ${nodeGiB}G }`);
  lines.push('cmdline: kernelcore=25%');
  return `${lines.join('\n')}\n`;
}

function machineOf(nodes: number, nodeGiB: number): MachineSpec {
  return parseScenario(scenarioText(nodes, nodeGiB), `${nodes}x${nodeGiB}G.yaml`).machine;
}

/** The full-size machine, read from its scenario; the scaled ones must describe the same shape. */
function fullMachine(): MachineSpec {
  const machine = parseScenario(readFileSync(join(findPackageRoot(import.meta.url), FULL_SCENARIO), 'utf8'), FULL_SCENARIO).machine;
  if (JSON.stringify(machineOf(NODES, FULL_NODE_GIB)) !== JSON.stringify(machine)) {
    throw new Error(`the scaled machines no longer describe ${FULL_SCENARIO}`);
  }
  return machine;
}

/** Closed machines' WASM memories go back before the next boot. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

interface Filled {
  machine: BootedMachine;
  outcome: unknown;
  bootSec: number;
  fillSec: number;
}

async function bootAndFill(spec: MachineSpec, engines: EngineFactory): Promise<Filled> {
  let t0 = performance.now();
  const machine = await bootMachine(spec, { engines });
  const bootSec = seconds(t0);
  t0 = performance.now();
  const outcome = await machine.workload(FILL_WORKLOAD);
  const fillSec = seconds(t0);
  if (!outcome.ok) {
    await machine.close();
    throw new Error(`the fill workload failed: ${outcome.message ?? JSON.stringify(outcome)}`);
  }
  return { machine, outcome, bootSec, fillSec };
}

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Where two machines booted from one spec differ, page by page; undefined when they do not. */
async function differenceOf(wasm: Filled, ref: Filled): Promise<string | undefined> {
  if (JSON.stringify(wasm.outcome) !== JSON.stringify(ref.outcome)) {
    return `workload outcomes differ: WASM ${JSON.stringify(wasm.outcome)}, reference ${JSON.stringify(ref.outcome)}`;
  }
  const [wasmNodes, refNodes] = [await wasm.machine.nodes(), await ref.machine.nodes()];
  for (let i = 0; i < wasmNodes.length; i++) {
    if (JSON.stringify(wasmNodes[i]) !== JSON.stringify(refNodes[i])) return `node ${wasmNodes[i]!.nid}: counters differ`;
  }
  return shardStateDifference(wasm.machine, ref.machine);
}

/**
 * Where two machines' shards first differ in page classes or pageblock
 * tags, read in chunks of READ_CHUNK_PAGES; undefined when they are equal.
 * The shards must lie the same way (the machines booted from one spec).
 */
export async function shardStateDifference(a: BootedMachine, b: BootedMachine): Promise<string | undefined> {
  const aShards = a.shards.shards;
  const bShards = b.shards.shards;
  if (aShards.length !== bShards.length) return 'the shard layouts differ';
  for (let i = 0; i < aShards.length; i++) {
    const { startPfn, endPfn } = aShards[i]!;
    const [x, y]: ShardEngine[] = [aShards[i]!.engine, bShards[i]!.engine];
    for (let pfn = startPfn; pfn < endPfn; pfn += READ_CHUNK_PAGES) {
      const n = Math.min(READ_CHUNK_PAGES, endPfn - pfn);
      const at = firstDifference(await x.readClasses(pfn, n), await y.readClasses(pfn, n));
      if (at >= 0) return `page classes differ first at pfn ${pfn + at}`;
      const blocks = n / PAGES_PER_PAGEBLOCK;
      const tagAt = firstDifference(await x.readPageblockTags(pfn, blocks), await y.readPageblockTags(pfn, blocks));
      if (tagAt >= 0) return `pageblock tags differ first at pfn ${pfn + tagAt * PAGES_PER_PAGEBLOCK}`;
    }
  }
  return undefined;
}

async function stateBytes(machine: BootedMachine): Promise<number> {
  let bytes = 0;
  for (const shard of machine.shards.shards) bytes += await shard.engine.bytesUsed();
  return bytes;
}

function allocatedPages(outcome: unknown): number {
  const kinds = (outcome as { kinds: Record<string, { allocatedPages: number }> }).kinds;
  return Object.values(kinds).reduce((sum, kind) => sum + kind.allocatedPages, 0);
}

function sizeName(nodes: number, nodeGiB: number): string {
  const total = nodes * nodeGiB;
  return total >= 1024 ? `${total / 1024} TiB` : `${total} GiB`;
}

export async function machineFillSuite(quick: boolean): Promise<MachineFillReport> {
  const wasm = await engineFactoryFor({ engine: 'wasm' });
  const ref = await engineFactoryFor({ engine: 'reference' });
  const fillNodeGiB = quick ? QUICK_FILL_NODE_GIB : FULL_NODE_GIB;
  const full = quick ? machineOf(NODES, fillNodeGiB) : fullMachine();
  const fullName = `${sizeName(NODES, fillNodeGiB)}, ${NODES} nodes`;

  const boots: number[] = [];
  const fills: number[] = [];
  let fullStateBytes = 0;
  let fullAllocatedPages = 0;
  for (let run = 0; run < RUNS; run++) {
    const filled = await bootAndFill(full, wasm);
    boots.push(filled.bootSec);
    fills.push(filled.fillSec);
    fullStateBytes = await stateBytes(filled.machine);
    fullAllocatedPages = allocatedPages(filled.outcome);
    await filled.machine.close();
    collectGarbage();
  }

  const refNodes = quick ? QUICK_REF_NODES : NODES;
  const refNodeGiB = quick ? QUICK_REF_NODE_GIB : REF_NODE_GIB;
  const small = machineOf(refNodes, refNodeGiB);
  const smallFills: number[] = [];
  for (let run = 0; run < RUNS - 1; run++) {
    const filled = await bootAndFill(small, wasm);
    smallFills.push(filled.fillSec);
    await filled.machine.close();
    collectGarbage();
  }
  const onWasm = await bootAndFill(small, wasm);
  smallFills.push(onWasm.fillSec);
  const onRef = await bootAndFill(small, ref);
  let mismatch: string | undefined;
  try {
    mismatch = await differenceOf(onWasm, onRef);
  } finally {
    await onWasm.machine.close();
    await onRef.machine.close();
  }

  return {
    rows: [
      { what: `boot: ${fullName}, kernelcore=25%`, wasmSec: median(boots) },
      { what: `fill: ${fullName}, fragmented workload`, wasmSec: median(fills) },
      {
        what: `fill: ${sizeName(refNodes, refNodeGiB)}, ${refNodes} nodes, same workload, states ${mismatch === undefined ? 'equal' : 'DIFFER'}`,
        wasmSec: median(smallFills),
        refSec: onRef.fillSec,
      },
    ],
    fullFillRunsSec: fills,
    fullStateBytes,
    fullAllocatedPages,
    mismatch,
  };
}
