/**
 * `pfnlab import` of the machine the tests run on (its real /sys and /proc,
 * read only): the scenario it writes boots with every zone's start, span and
 * present pages equal to the real /proc/zoneinfo, and lsmem on the model
 * prints what lsmem prints on the machine. `--check` lists the managed-page
 * difference of every zone: the pages the model does not explain yet; for
 * DMA (the first 1 MiB reserved, page 0 trimmed from RAM) there is none.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { runCli } from './helpers.js';

test('import --check of this machine: zone spans and lsmem equal, DMA managed pages equal, each difference listed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-import-real-'));
  const check = runCli(['import', '--check'], dir);
  expect(check.stdout).toMatch(/^zone +start_pfn +spanned +present +managed real +managed model +managed difference$/m);
  expect(check.stdout).toMatch(/^0:DMA +\d+ +\d+ +\d+ +\d+ +\d+ +0$/m);
  expect(check.stdout).toMatch(/^0:Normal +\d+ +\d+ +\d+ +\d+ +\d+ +-?\d+$/m);
  expect(check.stdout).toContain('zone spans: equal');
  expect(check.stdout).toContain('lsmem: equal');
  expect(check.status, check.stdout + check.stderr).toBe(0);

  // The scenario itself carries the check: its expect step holds when it runs.
  const imported = runCli(['import', '--out', join(dir, 'this.yaml')], dir);
  expect(imported.status, imported.stderr).toBe(0);
  // One zone check per zone the machine spans.
  const spanned = readFileSync('/proc/zoneinfo', 'utf8')
    .split(/^(?=Node \d+, zone)/m)
    .filter((zone) => /^\s+spanned\s+[1-9]/m.test(zone)).length;
  expect(readFileSync(join(dir, 'this.yaml'), 'utf8').match(/^ {6}- \{ node: \d+, zone: /gm)?.length).toBe(spanned);
  const run = runCli(['run', join(dir, 'this.yaml')], dir);
  expect(run.stdout).toMatch(/1 step: 1 ok, 0 failed/);
  expect(run.status).toBe(0);
});
