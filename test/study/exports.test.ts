import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { SMALL_MACHINE } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-export-'));
  dirs.push(dir);
  return dir;
}

test('an export step writes the sysfs tree, zoneinfo and iomem where it says', async () => {
  const out = tempDir();
  const scenario = parseScenario(
    `version: 1
${SMALL_MACHINE}steps:
  - export: { sysfs: ${out}/tree, zoneinfo: ${out}/proc/zoneinfo, iomem: ${out}/proc/iomem }
`,
    'export.yaml',
  );
  const report = await runScenario(scenario, { engine: 'reference' });
  expect(report.steps[0].status).toBe('ok');
  const memory = join(out, 'tree/sys/devices/system/memory');
  expect(readFileSync(join(memory, 'block_size_bytes'), 'utf8')).toBe('8000000\n');
  // [0, 2G) and [4G, 6G) in 128 MiB blocks: 16 + 16 block directories.
  expect(readdirSync(memory).filter((name) => /^memory\d+$/.test(name))).toHaveLength(32);
  expect(readFileSync(join(out, 'proc/zoneinfo'), 'utf8')).toMatch(/^Node 0, zone +DMA\b/m);
  expect(readFileSync(join(out, 'proc/iomem'), 'utf8')).toMatch(/^100000000-17fffffff : System RAM$/m);
});

test('export overrides redirect the export step, or add one after the last step', async () => {
  const out = tempDir();
  const scenario = parseScenario(
    `version: 1
${SMALL_MACHINE}steps:
  - export: { sysfs: ${out}/from-scenario }
`,
    'override.yaml',
  );
  const report = await runScenario(scenario, {
    engine: 'reference',
    exportOverrides: { sysfs: join(out, 'redirected'), zoneinfo: join(out, 'zoneinfo') },
  });
  expect(existsSync(join(out, 'from-scenario'))).toBe(false);
  expect(existsSync(join(out, 'redirected/sys/devices/system/memory/block_size_bytes'))).toBe(true);
  expect(existsSync(join(out, 'zoneinfo'))).toBe(true);
  expect(report.steps.map((step) => [step.index, step.kind, step.status])).toEqual([
    [0, 'export', 'ok'],
    [1, 'export', 'ok'],
  ]);
});
