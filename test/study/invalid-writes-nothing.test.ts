import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runCli } from './helpers.js';

const cwd = mkdtempSync(join(tmpdir(), 'pfnlab-invalid-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

test('an invalid scenario exits 2 with its errors on stderr and writes none of its exports', () => {
  // Valid up to the last step; the export step comes first, so a runner that
  // did not validate everything up front would have written it.
  writeFileSync(
    join(cwd, 'bad.yaml'),
    `version: 1
machine:
  e820:
    - { base: 0, size: 4G }
steps:
  - export: { sysfs: out/tree, zoneinfo: out/zoneinfo, iomem: out/iomem }
  - read: /sys/devices/system/memory/block_size_bytes
  - frobnicate: 1
`,
  );
  const run = runCli(['run', 'bad.yaml'], cwd);
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe('bad.yaml: steps[2]: unknown step "frobnicate" (known: export, read, write, headroom, max_movable_ratio, compare_schemes, add, remove, offline_and_remove, online, offline, alloc, free, workload, churn, inject, retries, expect)\n');
  expect(existsSync(join(cwd, 'out'))).toBe(false);
});
