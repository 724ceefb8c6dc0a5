import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { NR_PAGE_CLASSES, PAGE_CLASS_NAMES } from '../../src/contract/constants.js';
import { runCli } from './helpers.js';

const cwd = mkdtempSync(join(tmpdir(), 'pfnlab-demo-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

test('the engine demo runs on a 4 TiB window, accounts for every page, and reports bits per page', () => {
  const run = runCli(['demo'], cwd);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('= 1073741824 pages (4096.00 GiB)');
  // The per-class counts cover the whole window.
  const perClass = new RegExp(`\\b(${PAGE_CLASS_NAMES.join('|')}) ([\\d.]+) GiB`, 'g');
  const gibs = [...run.stdout.matchAll(perClass)].map((m) => Number(m[2]));
  expect(gibs).toHaveLength(NR_PAGE_CLASSES);
  expect(gibs.reduce((a, b) => a + b, 0)).toBeCloseTo(4096, 1);
  expect(run.stdout).toMatch(/^validate: all invariants hold/m);
  expect(run.stdout).toMatch(/^bytesUsed: \d+ bytes = [\d.]+ bits per page/m);
  for (const line of run.stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(100);
});
