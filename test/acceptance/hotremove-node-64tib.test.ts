/**
 * Hot-removing a whole 4 TiB node of a 64 TiB machine, through the scenario
 * scenarios/hotremove-node-16x4tib.yaml on the WASM engine.
 *
 * 16 nodes of 4 TiB, nodes 1-15 hotpluggable under movable_node (all
 * Movable). Node 5 is filled to 80% with user pages; offline_and_remove of
 * its whole range must move every one of them to other nodes (never node 5,
 * fact 35), keep the machine's user page total, and leave node 5 without
 * blocks. Adding the range back and onlining it gives Movable blocks again.
 * The model's invariants are checked after every step.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { classBit, PAGE_SIZE, PageClass } from '../../src/contract/constants.js';
import type { BootedMachine } from '../../src/model/machine.js';
import type { Machine } from '../../src/model/core/types.js';
import { renderSummary, type StepReport } from '../../src/study/report.js';
import { runScenario } from '../../src/index.js';
import { parseScenario, type Step } from '../../src/study/scenario.js';
import { REPO_ROOT } from '../study/helpers.js';

const FILE = 'scenarios/hotremove-node-16x4tib.yaml';
const NODE = 5;
const TIB = 2 ** 40;
const NODE_PAGES = (4 * TIB) / PAGE_SIZE;
/** 80% of the node, rounded down to a page, as the scenario allocates it. */
const USER_PAGES = Math.floor(NODE_PAGES * 0.8);
/** The fastest copy rate of the cost model (2 MiB folios, 11 GB/s): no migration can be modelled faster. */
const FASTEST_COPY_BYTES_PER_SECOND = 11e9;

/** USER pages of the whole machine, counted by the engines over every shard window. */
async function userPages(machine: Machine): Promise<number> {
  const { shards } = machine as unknown as BootedMachine;
  const windows = shards.shards;
  return shards.count(windows[0].startPfn, windows[windows.length - 1].endPfn, classBit(PageClass.USER));
}

async function blocksOfNode(machine: Machine, nid: number): Promise<number> {
  return (await machine.blocks()).filter((block) => block.nids.includes(nid)).length;
}

test('node 5 of the 64 TiB machine is emptied, removed and added back, its user pages kept on other nodes', async () => {
  const started = performance.now();
  const scenario = parseScenario(readFileSync(join(REPO_ROOT, FILE), 'utf8'), FILE);
  const allocIndex = scenario.steps.findIndex((s) => s.kind === 'alloc');
  const removeIndex = scenario.steps.findIndex((s) => s.kind === 'offline_and_remove');
  const addIndex = scenario.steps.findIndex((s) => s.kind === 'add');
  expect([allocIndex, removeIndex, addIndex].every((i) => i >= 0)).toBe(true);
  expect(scenario.steps[allocIndex]).toMatchObject({ allocKind: 'user', node: NODE, sizeBytes: USER_PAGES * PAGE_SIZE });

  const userAfter = new Map<number, number>();
  const nodeBlocksAfter = new Map<number, number>();
  const stepWallMs: [string, number][] = [];
  let stepStarted = performance.now();
  const report = await runScenario(scenario, {
    engine: 'wasm',
    afterStep: async (machine: Machine, step: Step, stepReport: StepReport) => {
      stepWallMs.push([stepReport.what, performance.now() - stepStarted]);
      await machine.checkInvariants();
      if (step.kind !== 'expect') {
        userAfter.set(step.index, await userPages(machine));
        nodeBlocksAfter.set(step.index, await blocksOfNode(machine, NODE));
      }
      stepStarted = performance.now();
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  console.log(`hotremove-node-64tib: wall time ${wallSeconds.toFixed(2)} s`);
  // The first step's time includes booting the machine.
  for (const [what, ms] of stepWallMs) console.log(`  ${ms.toFixed(1).padStart(9)} ms  ${what.slice(0, 100)}`);

  // Every step of the scenario passes, its own expects included.
  const failures = report.steps.filter((s) => s.status === 'failed').map((s) => `[${s.index}] ${s.what}: ${s.message}`);
  expect(failures).toEqual([]);

  // The allocation put all its pages on the machine; the removal kept every one.
  expect(userAfter.get(allocIndex)).toBe(USER_PAGES);
  expect(userAfter.get(removeIndex)).toBe(USER_PAGES);
  expect(userAfter.get(addIndex)).toBe(USER_PAGES);

  // The offline migrated exactly those pages, all to other nodes.
  const removal = report.steps[removeIndex];
  expect(removal.status).toBe('ok');
  expect(removal.migratedPages).toBe(USER_PAGES);
  const byNode = removal.migratedByNode ?? {};
  expect(Object.keys(byNode)).not.toContain(String(NODE));
  expect(Object.values(byNode).reduce((sum, pages) => sum + pages, 0)).toBe(USER_PAGES);
  for (const nid of Object.keys(byNode)) expect(Number(nid)).toBeLessThan(16);

  // Modelled time: at least the copy at the cost model's fastest rate.
  expect(removal.modelledSeconds).toBeGreaterThanOrEqual((USER_PAGES * PAGE_SIZE) / FASTEST_COPY_BYTES_PER_SECOND);

  // Node 5's blocks are gone after the removal and back after the add.
  expect(nodeBlocksAfter.get(removeIndex)).toBe(0);
  expect(nodeBlocksAfter.get(addIndex)).toBe(NODE_PAGES / (report.machine.blockSizeBytes / PAGE_SIZE));

  // The summary shows the modelled time and the pages per target node.
  const summary = renderSummary(report);
  expect(summary).toMatch(new RegExp(`modelled [0-9.]+ (s|ms); migrated ${USER_PAGES} pages`));
  const targets = Object.entries(byNode).map(([nid, pages]) => `node${nid} ${pages}`);
  expect(summary).toContain(`to ${targets.join(', ')}`.slice(0, 80));
  const lines = summary.split('\n');
  const at = lines.findIndex((line) => line.includes(removal.what));
  console.log(lines.slice(at, at + 3).join('\n'));
});
