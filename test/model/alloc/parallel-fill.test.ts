/**
 * A spread workload runs the parts of a round of nodes that serve themselves
 * concurrently, one shard each (on as many threads when the shards live in
 * workers), and must end exactly where running the nodes one after another
 * ends: the same outcome, /proc/zoneinfo, node counters, block states, page
 * classes and pageblock tags, and the same undo log (undoing it leaves the
 * same pages behind, which it would not if its entries came in another
 * order: undoing a claim is exact in counts, not always in place).
 *
 * Three machines of one spec: the reference order (`concurrency:
 * 'sequential'`, in this thread), the concurrent rounds in this thread
 * (`'concurrent'`) and with every shard in a worker (`'auto'`, which runs
 * concurrently when the shards answer from other threads). First a fill every node serves itself,
 * then one where node 1, filled beforehand, cannot: its parts run alone and
 * take pages from other nodes' zones, the other nodes' parts still together.
 * Then the same offline of every block of nodes 2 and 3 on all three.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { PAGES_PER_PAGEBLOCK } from '../../../src/contract/constants.js';
import { runWorkload, type WorkloadOptions } from '../../../src/model/alloc/workload.js';
import { UndoLog } from '../../../src/model/core/page-state.js';
import type { MachineSpec, WorkloadOutcome, WorkloadSpec } from '../../../src/model/core/types.js';
import { FILL_WORKLOAD } from '../../../bench/suites/machine-fill.js';
import { bootMachine, type BootedMachine } from '../../helpers/boot.js';
import { machineSpec, sratRange as srat } from '../../helpers/machines.js';

const GiB = 2 ** 30;
/** What node 1 must at least have put on node 2 when it cannot serve itself: 256 MiB. */
const SPILL_PAGES = 65536;

/** Four nodes: node 0 [0, 2G) + [4G, 8G), nodes 1-3 4 GiB each after it; kernelcore=40%: on every node a Normal zone that holds its kernel pages, and Movable. */
const SPEC: MachineSpec = machineSpec(
  [
    { base: 0, size: 2 * GiB, type: 'usable' },
    { base: 2 * GiB, size: 2 * GiB, type: 'reserved' },
    { base: 4 * GiB, size: 16 * GiB, type: 'usable' },
  ],
  [srat(0, 0, 2 * GiB), srat(0, 4 * GiB, 4 * GiB), srat(1, 8 * GiB, 4 * GiB), srat(2, 12 * GiB, 4 * GiB), srat(3, 16 * GiB, 4 * GiB)],
  { cmdline: 'kernelcore=40%' },
);

/** The bench's fill: every kind, unmovable pages spread over movable pageblocks. */
const FILL: WorkloadSpec = { ...FILL_WORKLOAD, seed: 7 };

type Mode = 'sequential' | 'concurrent, this thread' | 'concurrent, workers';
const MODES: Mode[] = ['sequential', 'concurrent, this thread', 'concurrent, workers'];

interface Run {
  mode: Mode;
  machine: BootedMachine;
  log: UndoLog;
  stretches: { round: number; nids: number[]; concurrent: boolean }[];
}

const booted: BootedMachine[] = [];
afterEach(async () => {
  await Promise.all(booted.splice(0).map((machine) => machine.close()));
});

async function bootAll(): Promise<Run[]> {
  return Promise.all(
    MODES.map(async (mode) => {
      const machine = await bootMachine(SPEC, { engine: 'wasm', worker: mode === 'concurrent, workers' });
      booted.push(machine);
      return { mode, machine, log: new UndoLog(machine.shards), stretches: [] };
    }),
  );
}

async function fill(run: Run, spec: WorkloadSpec): Promise<WorkloadOutcome> {
  const options: WorkloadOptions = {
    // With workers, 'auto' is concurrent; in this thread it would be sequential, so the test asks for it.
    concurrency: run.mode === 'sequential' ? 'sequential' : run.mode === 'concurrent, workers' ? 'auto' : 'concurrent',
    trace: (stretch) => run.stretches.push(stretch),
  };
  const outcome = await runWorkload(run.machine, spec, run.log, options);
  if (!('kinds' in outcome)) throw new Error(`the workload was refused: ${outcome.message}`);
  return outcome;
}

interface State {
  text: string;
  shards: { startPfn: number; classes: Uint8Array; tags: Uint8Array }[];
}

/** Everything observable of a machine: zoneinfo, node counters, blocks, and every shard's page classes and pageblock tags. */
async function stateOf(machine: BootedMachine): Promise<State> {
  const shards = [];
  for (const { startPfn, endPfn, engine } of machine.shards.shards) {
    shards.push({
      startPfn,
      classes: await engine.readClasses(startPfn, endPfn - startPfn),
      tags: await engine.readPageblockTags(startPfn, (endPfn - startPfn) / PAGES_PER_PAGEBLOCK),
    });
  }
  const text = [await machine.zoneinfo(), JSON.stringify(await machine.nodes(), null, 1), JSON.stringify(await machine.blocks(), null, 1)].join('\n');
  return { text, shards };
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Every run's state equals the sequential run's, page for page. */
async function expectSameStates(runs: Run[], when: string): Promise<void> {
  const [reference, ...others] = await Promise.all(runs.map((run) => stateOf(run.machine)));
  for (let i = 0; i < others.length; i++) {
    const what = `${runs[i + 1].mode}, ${when}`;
    expect(others[i].text, what).toBe(reference.text);
    expect(others[i].shards.length, what).toBe(reference.shards.length);
    for (let s = 0; s < reference.shards.length; s++) {
      const [a, b] = [others[i].shards[s], reference.shards[s]];
      const pfn = firstDifference(a.classes, b.classes);
      expect(pfn < 0 ? 'equal' : `page classes differ first at pfn ${a.startPfn + pfn}`, what).toBe('equal');
      const block = firstDifference(a.tags, b.tags);
      expect(block < 0 ? 'equal' : `pageblock tags differ first at pfn ${a.startPfn + block * PAGES_PER_PAGEBLOCK}`, what).toBe('equal');
    }
  }
  for (const run of runs) await run.machine.checkInvariants();
}

/** Undo every run's log; then the states must still agree. */
async function expectSameUndo(runs: Run[]): Promise<void> {
  for (const run of runs) expect(await run.log.undo(), run.mode).toEqual([]);
  await expectSameStates(runs, 'after undoing the fill');
}

function concurrentStretches(run: Run): number {
  return run.stretches.filter((stretch) => stretch.concurrent).length;
}

describe('a spread workload runs the nodes of a round concurrently and ends as node after node', () => {
  test('every node serves itself: every round runs all four nodes together, with the sequential result', async () => {
    const runs = await bootAll();
    const outcomes = await Promise.all(runs.map((run) => fill(run, FILL)));
    expect(outcomes[0].ok).toBe(true);
    for (const outcome of outcomes.slice(1)) expect(outcome).toEqual(outcomes[0]);

    // The reference ran node after node; the others ran every round as one stretch of all nodes.
    expect(runs[0].stretches.every((stretch) => !stretch.concurrent && stretch.nids.length === 1)).toBe(true);
    for (const run of runs.slice(1)) {
      expect(run.stretches, run.mode).toEqual(Array.from({ length: 8 }, (_, round) => ({ round, nids: [0, 1, 2, 3], concurrent: true })));
    }
    await expectSameStates(runs, 'after the fill');
    await expectSameUndo(runs);
  });

  test('a node that cannot serve itself runs alone, its pages spill to other nodes, and the result is still the sequential one', async () => {
    const runs = await bootAll();
    // Node 1 is nearly full of anonymous memory before the fill: its own zones cannot hold its parts.
    for (const run of runs) {
      const pre = await run.machine.alloc({ kind: 'anon', size: 3 * GiB, node: 1, placement: 'fragmented', seed: 3 });
      expect(pre.ok, run.mode).toBe(true);
    }
    const spec: WorkloadSpec = { ...FILL, anon: { share: 0.3 }, file: { share: 0.1 } };
    const outcomes = await Promise.all(runs.map((run) => fill(run, spec)));
    for (const outcome of outcomes.slice(1)) expect(outcome).toEqual(outcomes[0]);
    await expectSameStates(runs, 'after the fill');
    // Node 1's pages went to the next node's zones: node 2 ends with much less free memory than node 3, its twin.
    const free = (await runs[0].machine.nodes()).map((node) => node.zones.reduce((sum, zone) => sum + zone.freePages, 0));
    expect(free[2]).toBeLessThan(free[3] - SPILL_PAGES);

    for (const run of runs.slice(1)) {
      // Node 1 ran alone in some rounds, after node 0; nodes 2 and 3 still ran together after it.
      const alone = run.stretches.filter((stretch) => !stretch.concurrent && stretch.nids.includes(1));
      expect(alone.length, run.mode).toBeGreaterThan(0);
      for (const { round } of alone) {
        expect(run.stretches.filter((stretch) => stretch.round === round), `${run.mode}, round ${round}`).toEqual([
          { round, nids: [0], concurrent: false },
          { round, nids: [1], concurrent: false },
          { round, nids: [2, 3], concurrent: true },
        ]);
      }
      expect(concurrentStretches(run), run.mode).toBeGreaterThan(0);
    }
    await expectSameUndo(runs);
  });

  test('offlining every block of nodes 2 and 3 after the fill, one call, ends the same on every machine', async () => {
    const runs = await bootAll();
    await Promise.all(runs.map((run) => fill(run, FILL)));
    const ids = (await runs[0].machine.blocks()).filter((block) => block.nids.some((nid) => nid >= 2)).map((block) => block.id);
    const range = { firstBlockId: Math.min(...ids), lastBlockId: Math.max(...ids) };
    const outcomes = [];
    for (const run of runs) outcomes.push(await run.machine.offlineBlocks(range));
    // Some blocks go (their pages migrate to nodes 0 and 1), some are refused at isolation (EBUSY) or, once
    // the targets are full, for want of one (EINTR: every target's free pages read, on workers all at once).
    expect(outcomes[0].migratedPages).toBeGreaterThan(0);
    expect(outcomes[0].blocks!.some((block) => block.ok)).toBe(true);
    expect(outcomes[0].blocks!.some((block) => block.errno === 'EBUSY')).toBe(true);
    expect(outcomes[0].blocks!.some((block) => block.errno === 'EINTR')).toBe(true);
    for (const outcome of outcomes.slice(1)) expect(outcome).toEqual(outcomes[0]);
    await expectSameStates(runs, 'after the offline');
  });
});
