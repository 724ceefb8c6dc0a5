/**
 * `pfnlab` with no arguments (the built-in default scenario) writes nothing to disk
 * unless asked; an export says where it wrote and how much, in the summary
 * and in the report.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'pfnlab-default-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

test('the default run leaves the current directory empty', () => {
  const cwd = mkdtempSync(join(scratch, 'run-'));
  const run = runCli([], cwd);
  expect(run.status).toBe(0);
  expect(readdirSync(cwd)).toEqual([]);
});

test('asked to export, it says where and how much', () => {
  const cwd = mkdtempSync(join(scratch, 'export-'));
  const run = runCli(['run', '--default', '--sysfs', 'tree'], cwd);
  expect(run.status).toBe(0);
  expect(existsSync(join(cwd, 'tree', 'sys', 'devices', 'system', 'memory', 'block_size_bytes'))).toBe(true);
  expect(run.stdout).toMatch(/wrote the sysfs tree under tree: \d+ files, \d+ directories, \d+ links, [\d.]+[KMG]/);
  const json = runCli(['run', '--default', '--json', '--zoneinfo', 'zi'], cwd);
  const steps = (JSON.parse(json.stdout) as { steps: { kind: string; written?: unknown[] }[] }).steps;
  const exported = steps.find((step) => step.kind === 'export');
  expect(exported?.written).toEqual([{ kind: 'zoneinfo', path: 'zi', files: 1, bytes: expect.any(Number) as number }]);
});
