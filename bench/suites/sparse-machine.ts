/**
 * A sparse 4 PiB machine, end to end: scenarios/sparse-4pib-1024node.yaml
 * (1024 nodes spread over the 52-bit space of 5-level paging, 31.1 TiB of RAM
 * in 4 PiB of addresses) booted on the WASM engine in this thread, filled by
 * its `workload` step (fragmented), then its 4 TiB node offlined (`offline`:
 * 2048 blocks, their user pages migrated to other nodes) and removed
 * (`remove`). The steps are the scenario's own, so the bench and the file
 * cannot drift apart. Wall seconds per step, and the engine state after
 * each (bytesUsed summed over every shard), from one run on a fresh machine:
 * each step changes the machine, so a step cannot be repeated on it.
 *
 * The figures answer "does the machine cost what its memory costs, not what
 * its address space spans": the shard count and window pages say how the
 * page state is laid out, the bits per present page what it costs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAGE_SIZE } from '../../src/contract/constants.js';
import { engineFactoryFor } from '../../src/engines.js';
import type { Outcome } from '../../src/model/core/types.js';
import { bootMachine, type BootedMachine } from '../../src/model/machine.js';
import { parseScenario, type OfflineStep, type RemoveStep, type Scenario, type WorkloadStep } from '../../src/study/scenario.js';
import { findPackageRoot } from '../../src/util/package-root.js';

/** The machine and its steps. */
export const SPARSE_SCENARIO = 'scenarios/sparse-4pib-1024node.yaml';

export interface SparseMachineStep {
  what: 'boot' | 'fill' | 'offline' | 'remove';
  /** Wall seconds of the step alone. */
  wallSec: number;
  /** Engine state after the step: bytesUsed summed over every shard. */
  stateBytes: number;
}

export interface SparseMachineReport {
  scenario: string;
  nodes: number;
  /** Engine shards (WASM instances) after the boot. */
  shards: number;
  /** Pages the shards' windows cover, all together. */
  windowPages: number;
  /** RAM at boot, in bytes. */
  presentBytes: number;
  /** Where the highest RAM ends: the address space the machine spans. */
  addressSpaceBytes: number;
  steps: SparseMachineStep[];
  /** Engine state after the fill, in bits per page of boot RAM. */
  filledBitsPerPage: number;
  /** Pages the offline migrated off the removed node. */
  migratedPages: number;
  /** Wall seconds of the four steps together. */
  totalSec: number;
}

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

function stateBytes(machine: BootedMachine): number {
  return machine.shards.shards.reduce((sum, shard) => sum + (shard.engine.bytesUsed() as number), 0);
}

interface StepKinds {
  workload: WorkloadStep;
  offline: OfflineStep;
  remove: RemoveStep;
}

function stepOf<K extends keyof StepKinds>(scenario: Scenario, kind: K): StepKinds[K] {
  const step = scenario.steps.find((s) => s.kind === kind);
  if (step === undefined) throw new Error(`${SPARSE_SCENARIO} has no ${kind} step`);
  return step as StepKinds[K];
}

function ensureOk(what: string, outcome: Outcome): void {
  if (!outcome.ok) throw new Error(`sparse machine: the ${what} step failed: ${outcome.errno ?? ''} ${outcome.message ?? JSON.stringify(outcome)}`);
}

/** Boot, fill, offline and remove the sparse 4 PiB machine once, timing each step. */
export async function sparseMachineSuite(): Promise<SparseMachineReport> {
  const file = join(findPackageRoot(import.meta.url), SPARSE_SCENARIO);
  const scenario = parseScenario(readFileSync(file, 'utf8'), SPARSE_SCENARIO);
  const { kind: _w, index: _wi, expect: _we, ...workload } = stepOf(scenario, 'workload');
  const offline = stepOf(scenario, 'offline');
  const remove = stepOf(scenario, 'remove');
  const srat = scenario.machine.srat ?? [];
  const engines = await engineFactoryFor({ engine: 'wasm' });
  (globalThis as { gc?: () => void }).gc?.();

  const steps: SparseMachineStep[] = [];
  let t0 = performance.now();
  const machine = await bootMachine(scenario.machine, { engines });
  try {
    steps.push({ what: 'boot', wallSec: seconds(t0), stateBytes: stateBytes(machine) });
    const windows = machine.shards.shards;

    t0 = performance.now();
    const filled = await machine.workload({ ...workload, seed: workload.seed ?? scenario.seed });
    steps.push({ what: 'fill', wallSec: seconds(t0), stateBytes: stateBytes(machine) });
    ensureOk('workload', filled);

    t0 = performance.now();
    const offlined = await machine.offlineBlocks({ ...offline.selector });
    steps.push({ what: 'offline', wallSec: seconds(t0), stateBytes: stateBytes(machine) });
    ensureOk('offline', offlined);

    t0 = performance.now();
    const removed = await machine.removeMemory(remove.base, remove.sizeBytes);
    steps.push({ what: 'remove', wallSec: seconds(t0), stateBytes: stateBytes(machine) });
    ensureOk('remove', removed);

    const presentBytes = srat.filter((e) => e.enabled && e.populated).reduce((sum, e) => sum + e.size, 0);
    return {
      scenario: SPARSE_SCENARIO,
      nodes: machine.nodeStates.length,
      shards: windows.length,
      windowPages: windows.reduce((sum, w) => sum + w.endPfn - w.startPfn, 0),
      presentBytes,
      addressSpaceBytes: Math.max(...srat.map((e) => e.base + e.size)),
      steps,
      filledBitsPerPage: (steps[1].stateBytes * 8) / (presentBytes / PAGE_SIZE),
      migratedPages: 'migratedPages' in offlined ? offlined.migratedPages : 0,
      totalSec: steps.reduce((sum, s) => sum + s.wallSec, 0),
    };
  } finally {
    await machine.close();
  }
}
