/**
 * The CLI's JSON report for every scenario under `scenarios/`, pinned.
 *
 * A change that alters what any shipped scenario reports shows up here as a
 * diff against `pinned-reports/<name>.json`. When the change is on purpose,
 * regenerate the files with `PFNLAB_UPDATE_PINNED=1 npx vitest run
 * test/study/pinned-reports.test.ts` and commit them with the change that
 * explains why.
 *
 * The CLI runs in a scratch directory (export steps write there), and the
 * checkout's path in the report is replaced by `<repo>` so the pins hold on
 * any clone.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runCli } from './helpers.js';

const PINNED_DIR = join(REPO_ROOT, 'test', 'study', 'pinned-reports');
const UPDATE = process.env.PFNLAB_UPDATE_PINNED === '1';
const scenarios = readdirSync(join(REPO_ROOT, 'scenarios'))
  .filter((name) => name.endsWith('.yaml'))
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'pfnlab-pinned-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('pinned CLI reports', () => {
  test('every scenario has a pinned report and every pinned report a scenario', () => {
    const pinned = readdirSync(PINNED_DIR).filter((name) => name.endsWith('.json')).map((name) => basename(name, '.json'));
    expect(pinned.sort()).toEqual(scenarios.map((name) => basename(name, '.yaml')));
  });

  test.each(scenarios)('%s', (name) => {
    const cwd = mkdtempSync(join(scratch, 'run-'));
    const run = runCli(['run', join(REPO_ROOT, 'scenarios', name), '--json'], cwd);
    rmSync(cwd, { recursive: true, force: true });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = run.stdout.split(REPO_ROOT.replace(/\/$/, '')).join('<repo>');
    const file = join(PINNED_DIR, `${basename(name, '.yaml')}.json`);
    if (UPDATE) writeFileSync(file, report);
    expect(report).toBe(readFileSync(file, 'utf8'));
  });
});
