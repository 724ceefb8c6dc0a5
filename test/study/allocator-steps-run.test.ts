/**
 * The allocator's steps run: kernel-pressure.yaml fills a mostly-Movable
 * machine with a workload, churns it, runs the kernel zones out with a slab
 * leak (oom) and then reproduces Mel Gorman's example: mapping anonymous
 * memory fails on its page tables while ZONE_MOVABLE still has more free
 * than the mapping needs, and the report says so.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import type { StepReport } from '../../src/study/report.js';
import { parseScenario } from '../../src/study/scenario.js';
import { REPO_ROOT, SMALL_MACHINE } from './helpers.js';

const FILE = 'scenarios/kernel-pressure.yaml';
const GiB = 2 ** 30;

function run(text: string) {
  return runScenario(parseScenario(text, 'x.yaml'), { engine: 'wasm' });
}

test('kernel-pressure: workload, churn, a slab leak to oom, then page tables oom with ZONE_MOVABLE free', async () => {
  const report = await runScenario(parseScenario(readFileSync(join(REPO_ROOT, FILE), 'utf8'), FILE), { engine: 'wasm' });
  expect(report.steps.filter((s) => s.status !== 'ok').map((s) => `[${s.index}] ${s.what}: ${s.message}`)).toEqual([]);
  const [workload, everyNode, churn, leak, node0, mapping] = report.steps;

  expect(workload.kind).toBe('workload');
  for (const [kind, entry] of Object.entries(workload.kinds ?? {})) expect(entry.allocatedPages, kind).toBe(entry.requestedPages);
  expect(workload.kinds?.pgtable.allocatedPages).toBeGreaterThan(0);
  expect(everyNode.headroom?.map((h) => h.node)).toContain(1);
  expect(churn.status).toBe('ok');

  // The leak took the kernel zones to their min marks (reclaiming the page
  // cache there first) and stopped at the OOM decision; the pages taken stay.
  expect(leak.failure?.outcome).toBe('oom');
  expect(leak.errno).toBeUndefined();
  expect(leak.allocation?.allocatedPages).toBeGreaterThan(0);
  expect(leak.allocation?.reclaimedPages).toBeGreaterThan(0);
  for (const zone of leak.failure?.zones ?? []) expect(zone.freePages, `${zone.nid}:${zone.zone}`).toBeLessThanOrEqual(zone.min + zone.reserve);
  expect(node0.headroom?.find((h) => h.kind === 'slab')?.pages).toBe(0);

  // Mel's example: the page tables fail, not the user memory.
  expect(mapping.failure).toMatchObject({ outcome: 'oom', kind: 'pgtable' });
  expect(mapping.allocation?.allocatedPages).toBe(0);
  expect((mapping.failure?.movableFreePages ?? 0) * 4096).toBeGreaterThan(4 * GiB);
  expect(mapping.message).toMatch(/pgtable allocation of \d+ more pages failed after reclaim: the kernel would invoke the OOM killer/);
  expect(mapping.message).toMatch(/ZONE_MOVABLE still has \d+ free pages/);
});

/** SMALL_MACHINE (one node, DMA, DMA32 and Normal; no ZONE_MOVABLE) with `swap`, anon filling most of it, then slab. */
function anonThenSlab(swap: string): string {
  return `version: 1\n${SMALL_MACHINE}${swap}steps:
  - workload: { node: 0, anon: 85% }
  - alloc: { kind: slab, size: 1G, node: 0 }
`;
}

test('anonymous memory is reclaimable only into swap: the same slab request is oom without it and fits with it', async () => {
  const without = await run(anonThenSlab(''));
  expect(without.steps[0].status).toBe('ok');
  expect(without.steps[1]).toMatchObject({ status: 'failed', failure: { outcome: 'oom', kind: 'slab' } });

  const withSwap = await run(anonThenSlab('  swap: 2G\n'));
  expect(withSwap.steps[1].status).toBe('ok');
  expect(withSwap.steps[1].allocation?.reclaimedPages).toBeGreaterThan(0);
  expect(withSwap.steps[1].allocation?.reclaimedPages).toBeLessThanOrEqual((2 * GiB) / 4096);
});

test('expect: oom fails when the request fits, and expect: ok fails with the oom report', async () => {
  const report = await run(`version: 1\n${SMALL_MACHINE}steps:
  - alloc: { kind: slab, size: 64M, node: 0 }
    expect: oom
  - alloc: { kind: slab, size: 8G, node: 0 }
`);
  const [fits, oom] = report.steps as StepReport[];
  expect(fits).toMatchObject({ status: 'failed', expected: 'oom', actual: 'ok' });
  expect(oom.status).toBe('failed');
  expect(oom.failure?.outcome).toBe('oom');
  expect(oom.message).toMatch(/^slab allocation of \d+ more pages failed after reclaim/);
});

test('alloc options reach the allocator: a mapped file costs page tables, an unmapped one none; THP anon still costs its deposited PTE pages', async () => {
  const report = await run(`version: 1\n${SMALL_MACHINE}steps:
  - alloc: { kind: file, size: 1G, node: 0 }
  - alloc: { kind: file, size: 1G, node: 0, mapped: true }
  - alloc: { kind: anon, size: 1G, node: 0, thp: 100% }
  - alloc: { kind: anon, size: 64M, node: 0, placement: fragmented, seed: 9 }
`);
  expect(report.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  const tables = report.steps.map((s) => s.allocation?.pageTablePages);
  expect(tables[0]).toBe(0);
  // 1 GiB with 4 KiB PTEs: 512 PTE pages and a PMD page, plus the upper levels of the first mapping (pgtable.ts).
  expect(tables[1]).toBeGreaterThanOrEqual(513);
  expect(tables[2]).toBeGreaterThanOrEqual(513);
  expect(report.steps[3].what).toContain('fragmented seed 9');
});

test('max_movable_ratio searches the description, not the machine the steps changed, and fails outside its bounds', async () => {
  const scenario = (bounds: string) => `version: 1
machine:
  type: bare-metal
  srat:
    - { node: 0, base: 0, size: 2G }
    - { node: 0, base: 4G, size: 4G }
    - { node: 1, base: 8G, size: 32G }
steps:
  - alloc: { kind: slab, size: 2G, node: 0 }
  - max_movable_ratio:
      vary: movable_node
      workload: { anon: 50%, file: 20%, slab: 1% }
    expect: ${bounds}
`;
  const fits = await run(scenario('{ min: 1 }'));
  const [slab, search] = fits.steps;
  expect(slab.status).toBe('ok');
  expect(search.status, search.message).toBe('ok');
  const answer = search.movableRatio!;
  expect(answer.vary).toBe('movable_node');
  expect(answer.ratio).toBeGreaterThan(1);
  expect(answer.probes.some((p) => !p.fits)).toBe(true);
  expect(answer.limitedBy).toMatch(/does not fit/);
  // The slab the first step took is on the running machine only: the answer is the same without it.
  const without = await run(scenario('{ min: 1 }').replace('  - alloc: { kind: slab, size: 2G, node: 0 }\n', ''));
  expect(without.steps[0].movableRatio).toEqual(answer);

  const bounded = await run(scenario('{ max: 1 }'));
  expect(bounded.steps[1].status).toBe('failed');
  expect(bounded.steps[1].message).toBe(`expected at most 1:1, got ${+answer.ratio!.toFixed(2)}:1`);
  expect(bounded.steps[1].movableRatio).toEqual(answer);
});
