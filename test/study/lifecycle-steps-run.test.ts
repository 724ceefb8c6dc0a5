import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { reportJson } from '../../src/study/report.js';
import { runScenario } from '../../src/index.js';
import { LIFECYCLE_STEP_KINDS, parseScenario } from '../../src/study/scenario.js';
import { REPO_ROOT, runCli } from './helpers.js';

const BASICS = 'scenarios/hotplug-basics.yaml';
const basicsText = readFileSync(join(REPO_ROOT, BASICS), 'utf8');

/** The machine of hotplug-basics.yaml (everything before its steps), for smaller scenarios. */
const basicsMachine = basicsText.slice(0, basicsText.indexOf('\nsteps:\n') + 1);

/** The allocator's own steps have their scenario (allocator-steps-run.test.ts runs it). */
const ALLOCATOR_STEP_KINDS = ['workload', 'churn'];

test('hotplug-basics runs every hotplug lifecycle step kind, each passing; operations report a modelled time', async () => {
  const report = await runScenario(parseScenario(basicsText, BASICS), { engine: 'wasm' });
  const failures = report.steps.filter((s) => s.status === 'failed').map((s) => `[${s.index}] ${s.what}: ${s.message}`);
  expect(failures).toEqual([]);
  const kinds = new Set(report.steps.map((step) => step.kind));
  for (const kind of LIFECYCLE_STEP_KINDS) if (!ALLOCATOR_STEP_KINDS.includes(kind)) expect(kinds).toContain(kind);
  const pressure = parseScenario(readFileSync(join(REPO_ROOT, 'scenarios/kernel-pressure.yaml'), 'utf8'), 'kernel-pressure.yaml');
  for (const kind of ALLOCATOR_STEP_KINDS) expect(pressure.steps.map((step) => step.kind)).toContain(kind);
  for (const step of report.steps) {
    if (!(LIFECYCLE_STEP_KINDS as readonly string[]).includes(step.kind)) continue;
    // inject and retries change a setting: no operation, no modelled time.
    if (step.kind === 'inject' || step.kind === 'retries') {
      expect(step.modelledSeconds, step.what).toBeUndefined();
      continue;
    }
    expect(step.modelledSeconds, step.what).toBeGreaterThanOrEqual(0);
    if (step.kind === 'offline' || step.kind === 'offline_and_remove') {
      expect(step.migratedPages, step.what).toBeGreaterThanOrEqual(0);
      expect(step.retries, step.what).toBeGreaterThanOrEqual(0);
      expect(step.migratedByNode, step.what).toBeDefined();
    }
  }
  // Onlining 1 GiB takes modelled time; the offline of memory64-71 moved the
  // 768 MiB of user pages still there, all to node 0.
  const online = report.steps.find((s) => s.kind === 'online' && s.status === 'ok' && s.errno === undefined);
  expect(online?.modelledSeconds).toBeGreaterThan(0);
  const offline = report.steps.find((s) => s.kind === 'offline' && s.what.startsWith('offline memory64-71'));
  expect(offline).toMatchObject({ status: 'ok', migratedPages: 196608, migratedByNode: { '0': 196608 } });
  expect(offline?.modelledSeconds).toBeGreaterThan(0);
});

test('two runs of hotplug-basics give a byte-identical JSON report, on either engine', async () => {
  const first = reportJson(await runScenario(parseScenario(basicsText, BASICS), { engine: 'wasm' }));
  const second = reportJson(await runScenario(parseScenario(basicsText, BASICS), { engine: 'wasm' }));
  expect(second).toBe(first);
  const reference = reportJson(await runScenario(parseScenario(basicsText, BASICS), { engine: 'reference' }));
  expect(reference).toBe(first);
});

test('expect: ERRNO passes when the operation fails with it, and fails otherwise', async () => {
  const scenario = parseScenario(
    `${basicsMachine}steps:
  - add: { node: 1, base: 12G, size: 1G }
  - add: { node: 1, base: 12G, size: 1G }
    expect: EEXIST
  - add: { node: 1, base: 12G, size: 1G }
  - add: { node: 1, base: 12G, size: 1G }
    expect: EBUSY
  - online: { blocks: 96-103 }
    expect: EINVAL
  - remove: { base: 12G, size: 1G }
    expect: EBUSY
  - inject: { action: MEM_GOING_OFFLINE, errno: EPERM }
  - offline: { blocks: 100 }
    expect: EPERM
  - offline_and_remove: { base: 12G, size: 1G }
    expect: EPERM
  - inject: { action: MEM_GOING_OFFLINE, errno: none }
  - offline_and_remove: { base: 12G, size: 1G }
  - expect: { blocks: { node: 1, total: 32 } }
`,
    'expect-errno.yaml',
  );
  const report = await runScenario(scenario, { engine: 'wasm' });
  const [add, again, againOk, againWrong, online, removeOnline, , vetoed, vetoedRemove, , removed, check] = report.steps;
  expect(add.status).toBe('ok');
  expect(again).toMatchObject({ status: 'ok', errno: 'EEXIST' });
  // The same failure where success was expected: the kernel's errno and a message.
  expect(againOk).toMatchObject({ status: 'failed', errno: 'EEXIST' });
  // Where another errno was expected: both, side by side.
  expect(againWrong).toMatchObject({ status: 'failed', errno: 'EEXIST', expected: 'EBUSY', actual: 'EEXIST' });
  // A success where an errno was expected.
  expect(online).toMatchObject({ status: 'failed', expected: 'EINVAL', actual: 'ok' });
  // remove_memory over online blocks: EBUSY, nothing removed (fact 31).
  expect(removeOnline).toMatchObject({ status: 'ok', errno: 'EBUSY' });
  expect(vetoed).toMatchObject({ status: 'ok', errno: 'EPERM' });
  // offline_and_remove stops at the vetoed block, re-onlines what it offlined and removes nothing.
  expect(vetoedRemove).toMatchObject({ status: 'ok', errno: 'EPERM' });
  expect(removed.status).toBe('ok');
  expect(check.status).toBe('ok');
  expect(report.result).toEqual({ steps: 12, ok: 9, failed: 3 });
});

test('pfnlab run --json of hotplug-basics exits 0 and prints the same bytes in two processes', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'pfnlab-basics-'));
  try {
    const scenario = join(REPO_ROOT, BASICS);
    const first = runCli(['run', scenario, '--json'], cwd);
    const second = runCli(['run', scenario, '--json'], cwd);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const report = JSON.parse(first.stdout) as { steps: { kind: string; migratedByNode?: Record<string, number> }[] };
    expect(report.steps.some((step) => step.kind === 'offline' && step.migratedByNode?.['0'] !== undefined)).toBe(true);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
