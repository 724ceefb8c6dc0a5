/**
 * A sparse 4 PiB machine, scenarios/sparse-4pib-1024node.yaml, on the WASM
 * engine: 1024 nodes spread over the 52-bit space of 5-level paging (31.1 TiB
 * of RAM in 4 PiB of addresses), filled with a fragmented workload, then the
 * 4 TiB node 700 offlined and removed.
 *
 * Checked besides the scenario's own expects:
 * - the file's SRAT is the rule its header states (so the machine is what it
 *   says: 1024 nodes, gaps of 1 to 7 TiB, one node of exactly 4 TiB, a hole
 *   inside node 512, RAM up to exactly 2^52);
 * - the engine shards cover the nodes' memory, not the address space: their
 *   windows add up to the RAM plus the PCI hole inside node 0, and the engine
 *   state stays within a per-shard constant and a per-present-section cost
 *   at boot, and within the design's 1.25 bits per present page once
 *   fragmented;
 * - the offline migrates every user page of node 700 to other nodes and
 *   keeps the machine's user page total; the node's blocks go offline, then
 *   away; the node's zone span and present pages drop to 0 and the machine's
 *   present pages by 4 TiB;
 * - the model's invariants after the workload, the offline and the removal;
 * - util-linux lsmem, run on the sysfs export after the offline and after
 *   the removal, prints the model's blocks (ids past 2^21, addresses up to
 *   2^52), and /proc/zoneinfo prints the top node's start_pfn past 2^40.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { classBit, PAGE_SIZE, PAGES_PER_SECTION, PageClass } from '../../src/contract/constants.js';
import { runScenario } from '../../src/index.js';
import type { BootedMachine } from '../../src/model/machine.js';
import type { BlockInfo, Machine, SratMemoryAffinity } from '../../src/model/core/types.js';
import type { StepReport } from '../../src/study/report.js';
import { parseScenario, type Step } from '../../src/study/scenario.js';
import { expectedLsmemRanges, hex16, lsmemJson, lsmemSummaryValue, runLsmem } from '../helpers/lsmem.js';
import { REPO_ROOT } from '../study/helpers.js';

const FILE = 'scenarios/sparse-4pib-1024node.yaml';
const GiB = 2 ** 30;
const TiB = 2 ** 40;
const PiB = 2 ** 50;
const NODES = 1024;
const REMOVED = 700;
const REMOVED_BASE = 2800 * TiB;
const REMOVED_SIZE = 4 * TiB;
const BLOCK = 2 * GiB;
/** The design's bound for fleet-fragmented machines (docs/design.md). */
const MAX_BITS_PER_PAGE_FRAGMENTED = 1.25;

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** The SRAT the scenario's header describes, entry by entry. */
function ruleSrat(): SratMemoryAffinity[] {
  const sizes = [8, 16, 32, 12, 64, 24, 4, 48].map((g) => g * GiB);
  const entry = (node: number, base: number, size: number): SratMemoryAffinity => ({
    node,
    base,
    size,
    enabled: true,
    hotpluggable: node === REMOVED || node % 16 === 15,
    nonVolatile: false,
    populated: true,
  });
  const srat = [entry(0, 0, 2 * GiB), entry(0, 4 * GiB, 252 * GiB)];
  for (let node = 1; node < NODES; node++) {
    const base = (4 * node + ((3 * node) % 4)) * TiB;
    if (node === REMOVED) srat.push(entry(node, REMOVED_BASE, REMOVED_SIZE));
    else if (node === NODES - 1) srat.push(entry(node, 4095 * TiB, TiB));
    else if (node === 512) srat.push(entry(node, base, 4 * GiB), entry(node, base + 2 * TiB, 4 * GiB));
    else srat.push(entry(node, base, sizes[node % 8]));
  }
  return srat;
}

/** Engine state of every shard, in bytes. */
function stateBytes(machine: Machine): number {
  return (machine as BootedMachine).shards.shards.reduce((sum, shard) => sum + (shard.engine.bytesUsed() as number), 0);
}

async function userPagesIn(machine: Machine, startPfn: number, endPfn: number): Promise<number> {
  return (machine as BootedMachine).shards.count(startPfn, endPfn, classBit(PageClass.USER));
}

async function presentPages(machine: Machine): Promise<number> {
  return (await machine.nodes()).reduce((sum, node) => sum + node.nodePresentPages, 0);
}

/** Export the sysfs tree and check that lsmem prints exactly the model's blocks. */
async function checkLsmem(machine: Machine): Promise<{ rows: number; blocks: BlockInfo[] }> {
  const root = mkdtempSync(join(tmpdir(), 'pfnlab-sparse-4pib-'));
  roots.push(root);
  await machine.exportSysfs(root);
  const blocks = await machine.blocks();
  const expected = expectedLsmemRanges(blocks);
  const rows = lsmemJson(root);
  expect(rows.map((row) => row.block)).toEqual(expected.map((want) => (want.firstId === want.lastId ? `${want.firstId}` : `${want.firstId}-${want.lastId}`)));
  rows.forEach((row, i) => {
    const want = expected[i];
    expect(row.range).toBe(`${hex16(want.firstId * BLOCK)}-${hex16((want.lastId + 1) * BLOCK - 1)}`);
    expect(row.size).toBe((want.lastId - want.firstId + 1) * BLOCK);
    expect(row.state).toBe(want.state);
    expect(row.node).toBe(want.node);
    expect(row.zones).toBe(want.zones);
  });
  // The top of the 52-bit space: node 1023's last block ends at 4 PiB - 1.
  expect(rows.at(-1)).toMatchObject({ range: '0x000fff0000000000-0x000fffffffffffff', block: '2096640-2097151', node: 1023, zones: 'Movable' });
  const online = blocks.filter((b) => b.state === 'online').length;
  expect(lsmemSummaryValue(root, 'Total online memory:')).toBe(online * BLOCK);
  expect(lsmemSummaryValue(root, 'Total offline memory:')).toBe((blocks.length - online) * BLOCK);
  return { rows: rows.length, blocks };
}

test('1024 nodes over 4 PiB boot, fill, and lose their 4 TiB node; lsmem agrees', async () => {
  runLsmem(['--version']);
  const scenario = parseScenario(readFileSync(join(REPO_ROOT, FILE), 'utf8'), FILE);
  expect(scenario.machine.paging).toBe(5);
  expect(scenario.machine.srat).toEqual(ruleSrat());
  const srat = scenario.machine.srat!;
  expect(new Set(srat.map((e) => e.node)).size).toBe(NODES);
  expect(Math.max(...srat.map((e) => e.base + e.size))).toBe(4 * PiB);
  const ramBytes = srat.reduce((sum, e) => sum + e.size, 0);
  expect(ramBytes / TiB).toBeCloseTo(31.13, 2);

  const index = (kind: Step['kind']): number => scenario.steps.findIndex((s) => s.kind === kind);
  const [workloadAt, offlineAt, removeAt] = [index('workload'), index('offline'), index('remove')];
  const removedPfns = { start: REMOVED_BASE / PAGE_SIZE, end: (REMOVED_BASE + REMOVED_SIZE) / PAGE_SIZE };
  const wall: [string, number][] = [];
  const seen: Record<string, number> = {};
  let lsmemRows = 0;
  let started = performance.now();

  const report = await runScenario(scenario, {
    engine: 'wasm',
    afterStep: async (machine: Machine, step: Step, stepReport: StepReport) => {
      wall.push([step.index === 0 ? 'boot + first expect' : step.kind, (performance.now() - started) / 1000]);
      const booted = machine as BootedMachine;
      if (step.index === 0) {
        // Shards follow the nodes' memory: one window per node, node 512 in
        // two (its ranges lie 2 TiB apart), the windows adding up to the RAM
        // plus the PCI hole inside node 0, nothing for the 4 PiB between.
        const windows = booted.shards.shards;
        expect(windows.length).toBe(NODES + 1);
        const windowPages = windows.reduce((sum, w) => sum + w.endPfn - w.startPfn, 0);
        expect(windowPages).toBe((ramBytes + 2 * GiB) / PAGE_SIZE);
        seen.shards = windows.length;
        seen.presentAtBoot = await presentPages(machine);
        expect(seen.presentAtBoot).toBe(ramBytes / PAGE_SIZE);
        // Engine state at boot: a fixed cost per shard and a few dozen bytes
        // per present section; a table over the whole span (2^25 sections)
        // alone would be over a gigabyte.
        seen.bootBytes = stateBytes(machine);
        expect(seen.bootBytes).toBeLessThan(windows.length * 256 * 1024 + 64 * (ramBytes / (PAGES_PER_SECTION * PAGE_SIZE)));
        const zoneinfo = await machine.zoneinfo();
        expect(zoneinfo).toContain('Node 1023, zone  Movable\n');
        expect(zoneinfo).toContain(`\n  start_pfn:           ${(4095 * TiB) / PAGE_SIZE}\n`);
        expect(zoneinfo).toContain(`\n        present  ${TiB / PAGE_SIZE}\n`);
      }
      if (step.index === workloadAt) {
        expect(stepReport.status).toBe('ok');
        await machine.checkInvariants();
        seen.userOnRemoved = await userPagesIn(machine, removedPfns.start, removedPfns.end);
        seen.userTotal = await userPagesIn(machine, 0, 4 * PiB / PAGE_SIZE);
        // Anon and page cache only: the Movable node takes no kernel memory.
        expect(seen.userOnRemoved).toBeGreaterThan(0.55 * (REMOVED_SIZE / PAGE_SIZE));
        seen.filledBytes = stateBytes(machine);
        expect((seen.filledBytes * 8) / seen.presentAtBoot).toBeLessThanOrEqual(MAX_BITS_PER_PAGE_FRAGMENTED);
      }
      if (step.index === offlineAt) {
        expect(stepReport.status).toBe('ok');
        await machine.checkInvariants();
        expect(stepReport.migratedPages).toBe(seen.userOnRemoved);
        const byNode = stepReport.migratedByNode ?? {};
        expect(Object.keys(byNode)).not.toContain(String(REMOVED));
        expect(Object.values(byNode).reduce((sum, pages) => sum + pages, 0)).toBe(seen.userOnRemoved);
        expect(await userPagesIn(machine, removedPfns.start, removedPfns.end)).toBe(0);
        expect(await userPagesIn(machine, 0, 4 * PiB / PAGE_SIZE)).toBe(seen.userTotal);
        expect(await presentPages(machine)).toBe(seen.presentAtBoot - REMOVED_SIZE / PAGE_SIZE);
        const { blocks } = await checkLsmem(machine);
        const removed = blocks.filter((b) => b.nids.includes(REMOVED));
        expect(removed.map((b) => b.id)).toEqual(Array.from({ length: 2048 }, (_, i) => REMOVED_BASE / BLOCK + i));
        expect(removed.every((b) => b.state === 'offline' && b.zone === null)).toBe(true);
      }
      if (step.index === removeAt) {
        expect(stepReport.status).toBe('ok');
        await machine.checkInvariants();
        const { rows, blocks } = await checkLsmem(machine);
        lsmemRows = rows;
        expect(blocks.some((b) => b.id >= REMOVED_BASE / BLOCK && b.id < (REMOVED_BASE + REMOVED_SIZE) / BLOCK)).toBe(false);
        const read = await machine.sysfsRead(`/sys/devices/system/memory/memory${REMOVED_BASE / BLOCK}/state`);
        expect(read).toMatchObject({ ok: false, errno: 'ENOENT' });
        expect(await presentPages(machine)).toBe(seen.presentAtBoot - REMOVED_SIZE / PAGE_SIZE);
      }
      started = performance.now();
    },
  });

  const failures = report.steps.filter((s) => s.status === 'failed').map((s) => `[${s.index}] ${s.what}: ${s.message}`);
  expect(failures).toEqual([]);
  // Every node still has its memory but node 700.
  const withMemory = report.nodes.filter((node) => node.zones.some((zone) => zone.presentPages > 0)).map((node) => node.nid);
  expect(withMemory.length).toBe(NODES - 1);
  expect(withMemory).not.toContain(REMOVED);

  console.log(
    `sparse-4pib: ${seen.shards} shards; engine state ${(seen.bootBytes / 2 ** 20).toFixed(1)} MiB at boot, ${(seen.filledBytes / 2 ** 20).toFixed(1)} MiB filled ` +
      `(${((seen.filledBytes * 8) / seen.presentAtBoot).toFixed(3)} bits per present page); lsmem ranges after the removal: ${lsmemRows}`,
  );
  for (const [what, seconds] of wall) console.log(`  ${seconds.toFixed(2).padStart(7)} s  ${what}`);
});
