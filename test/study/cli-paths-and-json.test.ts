/**
 * The command line at its edges: `-` means standard output wherever a file
 * is taken (and is refused where a directory is), an option given an empty
 * value is an error, `--version` prints the version, and under `--json` every
 * error is JSON on standard output too, with a failed step's fields.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli, SMALL_MACHINE } from './helpers.js';

const cwd = mkdtempSync(join(tmpdir(), 'pfnlab-cli-paths-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function scenario(name: string, steps: string): string {
  writeFileSync(join(cwd, name), `version: 1\n${SMALL_MACHINE}steps:\n${steps}`);
  return name;
}

const READ_STEP = '  - read: /sys/devices/system/memory/block_size_bytes\n';

describe('standard output as a path', () => {
  test('--zoneinfo - prints /proc/zoneinfo and writes no file named -; the summary moves to stderr', () => {
    const file = scenario('plain.yaml', READ_STEP);
    const run = runCli(['run', file, '--engine', 'reference', '--zoneinfo', '-'], cwd);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^Node 0, zone {6}DMA\n  pages free {5}\d+\n/);
    // The read step, then the export the option adds after it.
    expect(run.stderr).toMatch(/2 steps: 2 ok, 0 failed/);
    expect(existsSync(join(cwd, '-'))).toBe(false);
  });

  test('an export step to - prints there too', () => {
    const file = scenario('step.yaml', '  - export: { iomem: "-" }\n');
    const run = runCli(['run', file, '--engine', 'reference'], cwd);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} : System RAM\n/);
    expect(readdirSync(cwd)).not.toContain('-');
  });

  test('a sysfs tree cannot go to standard output', () => {
    const file = scenario('sysfs.yaml', READ_STEP);
    const run = runCli(['run', file, '--sysfs', '-'], cwd);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--sysfs: a sysfs export is a directory tree and cannot go to standard output (-)');
    const step = scenario('sysfs-step.yaml', '  - export: { sysfs: "-" }\n');
    const validated = runCli(['validate', step], cwd);
    expect(validated.status).toBe(2);
    expect(validated.stderr).toContain('steps[0].export.sysfs');
  });

  test('--json and an export to - would share standard output: refused', () => {
    const file = scenario('both.yaml', READ_STEP);
    const run = runCli(['run', file, '--json', '--zoneinfo', '-'], cwd);
    expect(run.status).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toContain('would share it');
  });
});

test('an option with an empty value is an error, not the current directory', () => {
  const file = scenario('empty.yaml', READ_STEP);
  for (const args of [['--sysfs='], ['--zoneinfo='], ['--iomem', '']]) {
    const before = readdirSync(cwd).sort();
    const run = runCli(['run', file, ...args], cwd);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/: expected a value/);
    expect(readdirSync(cwd).sort()).toEqual(before);
  }
});

test('--version prints the package version', () => {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const run = runCli(['--version'], cwd);
  expect(run.status).toBe(0);
  expect(run.stdout).toBe(`pfnlab ${version}\n`);
});

describe('errors under --json', () => {
  const errorOf = (stdout: string): Record<string, unknown> => (JSON.parse(stdout) as { error: Record<string, unknown> }).error;

  test('an unreadable scenario', () => {
    const run = runCli(['run', 'missing.yaml', '--json'], cwd);
    expect(run.status).toBe(2);
    expect(errorOf(run.stdout)).toEqual({
      status: 'failed',
      what: 'load missing.yaml',
      errno: 'ENOENT',
      message: 'missing.yaml: cannot read the scenario (ENOENT)',
      file: 'missing.yaml',
    });
    expect(run.stderr).toBe('missing.yaml: cannot read the scenario (ENOENT)\n');
  });

  test('an invalid scenario', () => {
    const file = scenario('invalid.yaml', '  - write: /etc/hosts\n    value: x\n');
    const run = runCli(['run', file, '--json'], cwd);
    expect(run.status).toBe(2);
    expect(errorOf(run.stdout)).toMatchObject({ status: 'failed', errno: 'EINVAL', file });
    expect(errorOf(run.stdout).message).toContain('steps[0].write');
  });

  test('a machine the model cannot boot', () => {
    writeFileSync(join(cwd, 'noboot.yaml'), 'version: 1\nmachine:\n  e820:\n    - { base: 0, size: 2G, type: reserved }\n');
    const run = runCli(['run', 'noboot.yaml', '--json'], cwd);
    expect(run.status).toBe(2);
    expect(errorOf(run.stdout)).toMatchObject({ status: 'failed', errno: 'EINVAL' });
  });

  test('a bad command line', () => {
    const run = runCli(['run', '--json', '--engine', 'gpu'], cwd);
    expect(run.status).toBe(2);
    expect(errorOf(run.stdout)).toMatchObject({ status: 'failed', what: 'command line', errno: 'EINVAL' });
    expect(errorOf(run.stdout).message).toContain('--engine: expected wasm or reference');
  });

  test('validate --json lists each file', () => {
    const good = scenario('good.yaml', READ_STEP);
    const run = runCli(['validate', '--json', good, 'missing.yaml'], cwd);
    expect(run.status).toBe(2);
    const out = JSON.parse(run.stdout) as { files: Record<string, unknown>[] };
    expect(out.files).toEqual([
      { file: good, status: 'ok', name: 'good', nodes: 1, steps: 1 },
      { file: 'missing.yaml', status: 'failed', errno: 'ENOENT', message: 'missing.yaml: cannot read the scenario (ENOENT)' },
    ]);
  });
});
