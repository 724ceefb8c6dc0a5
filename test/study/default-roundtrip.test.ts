import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './helpers.js';

const dirs = [mkdtempSync(join(tmpdir(), 'pfnlab-default-a-')), mkdtempSync(join(tmpdir(), 'pfnlab-default-b-'))];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('the default scenario runs with every step ok, and --json is byte-identical across two runs', () => {
  // Each run in its own directory; the default writes nothing unless asked, so ask.
  const asked = ['--sysfs', 'out/default', '--zoneinfo', 'out/default/zoneinfo'];
  const [first, second] = dirs.map((cwd) => runCli(['run', '--default', '--json', ...asked], cwd));
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(second.status).toBe(0);
  expect(second.stdout).toBe(first.stdout);

  const report = JSON.parse(first.stdout);
  expect(report.scenario.name).toBe('default-4node-4tib');
  expect(report.steps.every((step: { status: string }) => step.status === 'ok')).toBe(true);
  expect(report.blockTotals.online).toBe(2048);

  // The export wrote a tree lsmem can read, relative to the current directory.
  const memory = join(dirs[0], 'out/default/sys/devices/system/memory');
  expect(readFileSync(join(memory, 'block_size_bytes'), 'utf8')).toBe('80000000\n');
  expect(existsSync(join(memory, 'memory2048/state'))).toBe(true);
  expect(existsSync(join(memory, 'memory1'))).toBe(false);
  expect(readFileSync(join(dirs[0], 'out/default/zoneinfo'), 'utf8')).toMatch(/^Node 3, zone +Movable$/m);
});

test('no arguments runs the default scenario and prints the summary', () => {
  const run = runCli([], dirs[1]);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/^ +memory513-1024 +online +Movable +node1 +1T$/m);
  expect(run.stdout).toMatch(/7 steps: 7 ok, 0 failed/);
});
