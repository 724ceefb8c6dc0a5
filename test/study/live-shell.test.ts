/**
 * `pfnlab shell`: unmodified tools in a private mount namespace where the
 * model is bind-mounted over /sys/devices/system/memory (and node, the
 * memory_hotplug parameters and debugfs's notifier error injector).
 *
 * Each test predicts the outcome in process: the same scenario run with the
 * same writes through the model's sysfsWrite, lsmem on its export. The shell
 * must agree: block states from its --summary file, lsmem's output inside it,
 * and the counts the tools print.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { parseScenario, runScenario } from '../../src/index.js';
import type { Machine } from '../../src/model/core/types.js';
import { liveSysfsProblem } from '../helpers/live.js';
import { runLsmem } from '../helpers/lsmem.js';
import { REPO_ROOT, runCli } from './helpers.js';

const MEMORY = '/sys/devices/system/memory';

interface ShellSummary {
  command: string[];
  status: number;
  writes: number;
  refused: number;
  invariants: string;
  blocks: { id: number; state: string; zone: string | null }[];
}

beforeAll(() => {
  expect(liveSysfsProblem() ?? 'ok').toBe('ok');
});

function scenarioPath(name: string): string {
  return join(REPO_ROOT, 'scenarios', name);
}

/** Run `pfnlab shell SCENARIO -- bash -c SCRIPT` in a scratch directory; returns its output and summary. */
function shell(scenario: string, script: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-shell-'));
  const summaryFile = join(dir, 'summary.json');
  const run = runCli(['shell', scenarioPath(scenario), '--summary', summaryFile, '--', 'bash', '-c', script], dir);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ShellSummary;
  return { ...run, summary };
}

/** Boot `scenario` in process, run its steps, then `body` on the machine. */
async function predict<T>(scenario: string, body: (machine: Machine) => Promise<T>): Promise<T> {
  const file = scenarioPath(scenario);
  let result: T | undefined;
  await runScenario(parseScenario(readFileSync(file, 'utf8'), file), {
    whileOpen: async (machine) => {
      result = await body(machine);
    },
  });
  return result as T;
}

async function read(machine: Machine, path: string): Promise<string> {
  const result = await machine.sysfsRead(path);
  if (!result.ok) throw new Error(`${path}: ${result.errno}`);
  return result.value.trimEnd();
}

/** lsmem (default columns and summary) on the model's export. */
async function lsmemOf(machine: Machine): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'pfnlab-shell-lsmem-'));
  await machine.exportSysfs(root);
  return runLsmem(['--sysroot', root]);
}

/**
 * What `chmem -d|-e -b FIRST-LAST` writes (util-linux sys-utils/chmem.c,
 * chmem_range): each existing block in the range, in order, that is not
 * already in the wanted state gets `offline`, or for -e `online_movable`
 * when its valid_zones lists Movable and `online` otherwise.
 */
async function chmemBlocks(machine: Machine, enable: boolean, first: number, last: number): Promise<void> {
  for (let id = first; id <= last; id++) {
    const dir = `${MEMORY}/memory${id}`;
    const state = await machine.sysfsRead(`${dir}/state`);
    if (!state.ok) continue;
    if (state.value.startsWith(enable ? 'online' : 'offline')) continue;
    const value = enable ? ((await read(machine, `${dir}/valid_zones`)).includes('Movable') ? 'online_movable' : 'online') : 'offline';
    await machine.sysfsWrite(`${dir}/state`, value);
  }
}

test('chmem -d and -e inside the shell change the model; chmem on an unmovable block fails as on a real machine; lsmem agrees after each step', async () => {
  const steps: [string, boolean, number, number][] = [
    ['chmem -d -b 40-47', false, 40, 47],
    ['chmem -e -b 40-43', true, 40, 43],
    // memory15 holds the initrd: memblock-reserved pages that cannot be isolated.
    ['chmem -d -b 15', false, 15, 15],
  ];
  const script = ['echo "== boot"; lsmem', ...steps.map(([command]) => `${command}; echo "== ${command}: $?"; lsmem`)].join('\n');
  const run = shell('small-vm.yaml', script);
  expect(run.status, run.stderr).toBe(0);

  const expected = await predict('small-vm.yaml', async (machine) => {
    const sections = [`== boot\n${await lsmemOf(machine)}`];
    for (const [command, enable, first, last] of steps) {
      await chmemBlocks(machine, enable, first, last);
      const status = command.endsWith(' 15') ? 1 : 0;
      sections.push(`== ${command}: ${status}\n${await lsmemOf(machine)}`);
    }
    return { text: sections.join(''), blocks: await machine.blocks() };
  });
  expect(run.stdout).toBe(expected.text);
  expect(run.stderr).toContain('chmem: Memory Block 15 (0x0000000078000000-0x000000007fffffff) disable failed: Device or resource busy\n');

  // The model's states, as the shell's summary reports them.
  const byId = new Map(run.summary.blocks.map((block) => [block.id, block]));
  for (const id of [44, 45, 46, 47]) expect(byId.get(id)?.state).toBe('offline');
  for (const id of [40, 41, 42, 43]) expect(byId.get(id)).toEqual({ id, state: 'online', zone: 'Movable' });
  expect(byId.get(15)?.state).toBe('online');
  expect(run.summary.blocks).toEqual(expected.blocks.map((block) => ({ id: block.id, state: block.state, zone: block.zone })));
  expect(run.summary.invariants).toBe('ok');
});

/** scripts/memory-hotplug-flow.sh, restated over the model's sysfs: the lines it should print. */
async function flowPrediction(machine: Machine): Promise<string[]> {
  const names = [...((await machine.sysfsList(MEMORY)) ?? [])].filter((name) => /^memory\d+$/.test(name)).sort();
  const lines: string[] = [];
  const phase = async (name: string, from: string, to: string): Promise<void> => {
    let tried = 0;
    let ok = 0;
    const errors = new Map<string, number>();
    for (const block of names) {
      if ((await read(machine, `${MEMORY}/${block}/removable`)) !== '1') continue;
      if ((await read(machine, `${MEMORY}/${block}/state`)) !== from) continue;
      tried++;
      const result = await machine.sysfsWrite(`${MEMORY}/${block}/state`, `${to}\n`);
      if (result.ok) ok++;
      else errors.set(result.errno, (errors.get(result.errno) ?? 0) + 1);
    }
    lines.push(`${name}: ${tried} tried, ${ok} ok, ${tried - ok} failed${[...errors].map(([errno, n]) => `; ${n} ${errno}`).join('')}`);
  };
  await phase('online', 'offline', 'online');
  await phase('offline', 'online', 'offline');
  machine.injectNotifierError('MEM_GOING_ONLINE', 'ENOMEM');
  await phase('online-veto', 'offline', 'online');
  machine.injectNotifierError('MEM_GOING_ONLINE', null);
  await phase('online', 'offline', 'online');
  machine.injectNotifierError('MEM_GOING_OFFLINE', 'ENOMEM');
  await phase('offline-veto', 'online', 'offline');
  machine.injectNotifierError('MEM_GOING_OFFLINE', null);
  await phase('offline', 'online', 'offline');
  await phase('online', 'offline', 'online');
  return lines;
}

/** The script prints strerror's words; the prediction has errno names. */
const MESSAGES: Record<string, string> = {
  'Device or resource busy': 'EBUSY',
  'Invalid argument': 'EINVAL',
  'Cannot allocate memory': 'ENOMEM',
};

/** A phase line with its failures as a map (bash lists them in no fixed order). */
function parsePhase(line: string): { head: string; errors: Record<string, number> } {
  const [head, ...failures] = line.split('; ');
  const errors: Record<string, number> = {};
  for (const failure of failures) {
    const [, count, message] = /^(\d+) (.+)$/.exec(failure) ?? [];
    errors[MESSAGES[message] ?? message] = Number(count);
  }
  return { head, errors };
}

test('the selftest flow (scripts/memory-hotplug-flow.sh) on a 1 TiB model ends with the counts the model predicts', async () => {
  const run = shell('hotplug-1tib.yaml', join(REPO_ROOT, 'scripts/memory-hotplug-flow.sh'));
  expect(run.status, run.stderr).toBe(0);
  const printed = run.stdout.trimEnd().split('\n');
  const lines = await predict('hotplug-1tib.yaml', flowPrediction);
  expect(printed.map(parsePhase)).toEqual(lines.map(parsePhase));
  // The flow did something on both sides: blocks went offline, some were refused, and the vetoes held.
  expect(lines[0]).toBe('online: 128 tried, 128 ok, 0 failed');
  expect(parsePhase(lines[1]).errors.EBUSY).toBeGreaterThan(0);
  expect(lines[2]).toMatch(/^online-veto: (\d+) tried, 0 ok, \1 failed; \1 ENOMEM$/);
  expect(run.summary.blocks.every((block) => block.state === 'online')).toBe(true);
  expect(run.summary.invariants).toBe('ok');
});

test('stress-ng --memhotplug 1 --memhotplug-ops 200 runs inside the shell, exits 0, and the invariants hold', () => {
  const run = shell('small-vm.yaml', 'stress-ng --memhotplug 1 --memhotplug-ops 200 --metrics-brief');
  expect(run.stderr).toContain('successful run completed');
  expect(run.status, run.stderr).toBe(0);
  expect(run.summary.status).toBe(0);
  // It offlined and onlined blocks of the model, not of this machine.
  expect(run.summary.writes).toBeGreaterThan(200);
  expect(run.summary.invariants).toBe('ok');
  expect(run.stderr).toMatch(/pfnlab shell: bash exited with status 0; \d+ writes reached the model \(\d+ refused\); blocks 64 online; the model's invariants hold/);
});
