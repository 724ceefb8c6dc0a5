import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './helpers.js';

const cwd = mkdtempSync(join(tmpdir(), 'pfnlab-exit-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

// 4 GiB VM below 64 GiB of boot RAM: 128 MiB blocks ("8000000").
const MACHINE = `version: 1
machine:
  type: vm
  e820:
    - { base: 0, size: 2G }
    - { base: 4G, size: 2G }
`;

function scenario(name: string, steps: string): string {
  writeFileSync(join(cwd, name), `${MACHINE}steps:\n${steps}`);
  return name;
}

test('exit 0 when every step passes', () => {
  const file = scenario('pass.yaml', '  - read: /sys/devices/system/memory/block_size_bytes\n    expect: 8000000\n');
  const run = runCli(['run', file, '--engine', 'reference'], cwd);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/1 step: 1 ok, 0 failed/);
});

test('exit 1 when a step fails, and the summary says which', () => {
  const file = scenario('fail.yaml', '  - read: /sys/devices/system/memory/block_size_bytes\n    expect: 80000000\n');
  const run = runCli(['run', file, '--engine', 'reference'], cwd);
  expect(run.status).toBe(1);
  expect(run.stdout).toMatch(/\[0\] +FAILED +read \/sys\/devices\/system\/memory\/block_size_bytes/);
});

test('exit 2 for an invalid scenario, a missing file, or bad arguments', () => {
  const bad = scenario('bad.yaml', '  - write: /etc/hosts\n    value: x\n');
  const invalid = runCli(['run', bad], cwd);
  expect(invalid.status).toBe(2);
  expect(invalid.stderr).toContain('bad.yaml: steps[0].write: expected a path under /sys/devices/system/memory');

  const missing = runCli(['run', 'no-such-file.yaml'], cwd);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('no-such-file.yaml: cannot read the scenario (ENOENT)');

  expect(runCli(['run', 'pass.yaml', '--engine', 'quantum'], cwd).status).toBe(2);
  expect(runCli(['frobnicate'], cwd).status).toBe(2);
  expect(runCli(['run', 'pass.yaml', '--sysfs', '/'], cwd).status).toBe(2);
});

test('validate checks files without running them: 0 when valid, 2 when not', () => {
  const good = scenario('good.yaml', '  - read: /sys/devices/system/memory/block_size_bytes\n');
  const ok = runCli(['validate', good], cwd);
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/^good\.yaml: ok/);
  expect(runCli(['validate', good, 'bad.yaml'], cwd).status).toBe(2);
});

test('--help prints the usage and exits 0', () => {
  const run = runCli(['--help'], cwd);
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('pfnlab run [SCENARIO | --default]');
});
