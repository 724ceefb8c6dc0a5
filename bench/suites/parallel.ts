/**
 * Parallel throughput: the same machine booted twice, once with every engine
 * shard in this thread and once with one shard per worker thread, then the
 * same two steps on both, timed apart:
 *
 * - fill: the machine-fill workload (FILL_WORKLOAD: `node: spread`, anon,
 *   page cache with its reclaimable slab, slab, pins, `fragmented`), whose
 *   rounds run the nodes' allocations concurrently where each node is
 *   provably served by its own zones (alloc/workload.ts);
 * - offline: one `offlineBlocks` call over every block of the upper half of
 *   the nodes (nodes 8-15 of 16: their kernel blocks, refused at isolation,
 *   and their Movable blocks, whose pages migrate to other nodes), whose
 *   read-only isolation checks run ahead across shards (hotplug/offline.ts).
 *
 * The two machines must then be in the same state: equal outcomes, equal
 * /proc/zoneinfo text, equal block states, and every page's class and every
 * pageblock's tag equal. The speed-up is the in-thread wall time over the
 * worker wall time (above 1: the workers are faster). One run per mode: the
 * full-size machine takes tens of seconds per step. A third machine, with
 * workers, fills with every round's parts node after node, to tell what the
 * concurrency brings from what the workers cost.
 *
 * The offline has little to overlap: the kernel offlines one block at a
 * time under the hotplug lock, each block's migration targets are the free
 * pages the blocks before it left, and every offline recomputes the
 * watermarks of every zone. Only reads that no other block's offline can
 * change run ahead; the migrations stay in order.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { EngineFactory } from '../../src/contract/engine-api.js';
import { engineFactoryFor } from '../../src/engines.js';
import { runWorkload } from '../../src/model/alloc/workload.js';
import { UndoLog } from '../../src/model/core/page-state.js';
import type { MachineSpec } from '../../src/model/core/types.js';
import { bootMachine, type BootedMachine } from '../../src/model/machine.js';
import { parseScenario } from '../../src/study/scenario.js';
import { findPackageRoot } from '../../src/util/package-root.js';
import { FILL_WORKLOAD, shardStateDifference } from './machine-fill.js';

const NODES = 16;
/** The full-size machine: 16 nodes of 4 TiB, kernelcore=25%. */
const FULL_SCENARIO = 'scenarios/64tib-16node-kernelcore.yaml';
/** `--quick`: 16 nodes of this many GiB, to check the harness in seconds. */
const QUICK_NODE_GIB = 32;
/** The offline step takes every block of nodes FIRST_OFFLINE_NODE to NODES - 1. */
const FIRST_OFFLINE_NODE = 8;

export type ParallelMode = 'in-thread' | 'workers';

export interface ParallelStep {
  what: string;
  /** Wall seconds per mode. */
  seconds: Record<ParallelMode, number>;
  /** In-thread seconds over worker seconds: above 1, the workers are faster. */
  speedUp: number;
}

export interface ParallelReport {
  machine: string;
  /** CPUs this process sees: the most the workers can run at once. */
  cpus: number;
  steps: ParallelStep[];
  /**
   * The same fill with workers but every round node after node (runWorkload's
   * `concurrency: 'sequential'`): what the workers cost without concurrency.
   */
  workersNodeAfterNodeFillSec: number;
  /** What the offline step did (the same on both machines). */
  offline: { blocks: number; offlined: number; refused: number; migratedPages: number };
  /** Where the two machines first differ; undefined when they are equal. */
  mismatch?: string;
}

/** FULL_SCENARIO's shape with `nodeGiB` per node (node 0 around the PCI hole). */
function quickMachine(nodeGiB: number): MachineSpec {
  const lines = ['version: 1', 'machine:', '  type: bare-metal', '  blockSize: auto', '  srat:'];
  lines.push('    - { node: 0, base: 0, size: 2G }', `    - { node: 0, base: 4G, size: ${nodeGiB - 4}G }`);
  for (let nid = 1; nid < NODES; nid++) lines.push(`    - { node: ${nid}, base: ${nid * nodeGiB}G, size: ${nodeGiB}G }`);
  lines.push('cmdline: kernelcore=25%');
  return parseScenario(`${lines.join('\n')}\n`, `${NODES}x${nodeGiB}G.yaml`).machine;
}

function fullMachine(): MachineSpec {
  return parseScenario(readFileSync(join(findPackageRoot(import.meta.url), FULL_SCENARIO), 'utf8'), FULL_SCENARIO).machine;
}

function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** The block ids of nodes `firstNid` and up: one contiguous range (the nodes lie in address order). */
async function upperNodesRange(machine: BootedMachine, firstNid: number): Promise<{ firstBlockId: number; lastBlockId: number }> {
  const ids = (await machine.blocks()).filter((b) => b.nids.some((nid) => nid >= firstNid)).map((b) => b.id);
  return { firstBlockId: Math.min(...ids), lastBlockId: Math.max(...ids) };
}

interface Run {
  machine: BootedMachine;
  fill: unknown;
  offline: unknown;
  fillSec: number;
  offlineSec: number;
}

async function runOn(spec: MachineSpec, engines: EngineFactory): Promise<Run> {
  const machine = await bootMachine(spec, { engines });
  try {
    const fill = await timed(() => machine.workload(FILL_WORKLOAD));
    if (!fill.value.ok) throw new Error(`the fill workload failed: ${fill.value.message ?? JSON.stringify(fill.value)}`);
    const range = await upperNodesRange(machine, FIRST_OFFLINE_NODE);
    const offline = await timed(() => machine.offlineBlocks(range));
    return { machine, fill: fill.value, offline: offline.value, fillSec: fill.seconds, offlineSec: offline.seconds };
  } catch (error) {
    await machine.close();
    throw error;
  }
}

/** Where two machines booted from one spec differ; undefined when they do not. */
async function differenceOf(a: Run, b: Run): Promise<string | undefined> {
  if (JSON.stringify(a.fill) !== JSON.stringify(b.fill)) return 'the fill outcomes differ';
  if (JSON.stringify(a.offline) !== JSON.stringify(b.offline)) return 'the offline outcomes differ';
  if ((await a.machine.zoneinfo()) !== (await b.machine.zoneinfo())) return '/proc/zoneinfo differs';
  const [aNodes, bNodes] = [await a.machine.nodes(), await b.machine.nodes()];
  if (JSON.stringify(aNodes) !== JSON.stringify(bNodes)) return 'node counters differ';
  const [aBlocks, bBlocks] = [await a.machine.blocks(), await b.machine.blocks()];
  if (JSON.stringify(aBlocks) !== JSON.stringify(bBlocks)) return 'block states differ';
  return shardStateDifference(a.machine, b.machine);
}

function offlineFigures(outcome: unknown): ParallelReport['offline'] {
  const o = outcome as { blocks?: { ok: boolean; message?: string }[]; migratedPages?: number };
  const blocks = o.blocks ?? [];
  const offlined = blocks.filter((b) => b.ok && b.message === undefined).length;
  return { blocks: blocks.length, offlined, refused: blocks.filter((b) => !b.ok).length, migratedPages: o.migratedPages ?? 0 };
}

/** The fill on a fresh worker machine with the rounds' parts node after node; its outcome must be the concurrent one's. */
async function nodeAfterNodeFill(spec: MachineSpec, engines: EngineFactory, expected: unknown): Promise<number> {
  const machine = await bootMachine(spec, { engines });
  try {
    const fill = await timed(() => runWorkload(machine, FILL_WORKLOAD, new UndoLog(machine.shards), { concurrency: 'sequential' }));
    if (JSON.stringify(fill.value) !== JSON.stringify(expected)) throw new Error('the node-after-node fill ended differently from the concurrent one');
    return fill.seconds;
  } finally {
    await machine.close();
  }
}

export async function parallelSuite(quick: boolean): Promise<ParallelReport> {
  const spec = quick ? quickMachine(QUICK_NODE_GIB) : fullMachine();
  const inThread = await engineFactoryFor({ engine: 'wasm' });
  const workers = await engineFactoryFor({ engine: 'wasm', worker: true });
  const a = await runOn(spec, inThread);
  let b: Run | undefined;
  let mismatch: string | undefined;
  try {
    collectGarbage();
    b = await runOn(spec, workers);
    mismatch = await differenceOf(a, b);
  } finally {
    await a.machine.close();
    await b?.machine.close();
    collectGarbage();
  }
  const workersNodeAfterNodeFillSec = await nodeAfterNodeFill(spec, workers, a.fill);
  collectGarbage();
  const step = (what: string, inThreadSec: number, workerSec: number): ParallelStep => ({
    what,
    seconds: { 'in-thread': inThreadSec, workers: workerSec },
    speedUp: inThreadSec / workerSec,
  });
  const size = quick ? `${NODES} x ${QUICK_NODE_GIB} GiB` : '64 TiB, 16 x 4 TiB';
  return {
    machine: `${size}, kernelcore=25%`,
    cpus: cpus().length,
    steps: [
      step('fill: FILL_WORKLOAD, spread over every node', a.fillSec, b.fillSec),
      step(`offline: every block of nodes ${FIRST_OFFLINE_NODE}-${NODES - 1}, one call`, a.offlineSec, b.offlineSec),
    ],
    workersNodeAfterNodeFillSec,
    offline: offlineFigures(a.offline),
    mismatch,
  };
}
