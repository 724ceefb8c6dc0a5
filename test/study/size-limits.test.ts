/**
 * Documented limits on what a scenario may be: at most MAX_SCENARIO_CHARS
 * characters of text and MAX_SCENARIO_STEPS steps. Past either, a clear
 * ScenarioError (and exit 2 from the CLI) instead of running the heap out.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { checkScenarioText, MAX_SCENARIO_CHARS, MAX_SCENARIO_STEPS } from '../../src/study/scenario.js';
import { runCli, SMALL_MACHINE } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'pfnlab-limits-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function withSteps(n: number): string {
  return `version: 1\n${SMALL_MACHINE}steps:\n${'  - read: /sys/devices/system/memory/block_size_bytes\n'.repeat(n)}`;
}

test('one step over the limit is refused, naming the limit and the line of the list', () => {
  const result = checkScenarioText(withSteps(MAX_SCENARIO_STEPS + 1), 'big.yaml');
  expect(result.ok).toBe(false);
  if (!result.ok) {
    expect(result.error.message).toBe(`big.yaml: steps: line 8, column 3: ${MAX_SCENARIO_STEPS + 1} steps, more than the ${MAX_SCENARIO_STEPS} a scenario may have`);
  }
});

test('exactly the limit is accepted', () => {
  const result = checkScenarioText(withSteps(MAX_SCENARIO_STEPS), 'big.yaml');
  expect(result.ok && result.scenario.steps.length).toBe(MAX_SCENARIO_STEPS);
});

test('a text over the size limit is refused before it is parsed', () => {
  const text = `version: 1\n# ${'x'.repeat(MAX_SCENARIO_CHARS)}\n`;
  const result = checkScenarioText(text, 'huge.yaml');
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.message).toMatch(/^huge\.yaml: the file has \d+ characters, more than the 8388608 \(8 MiB\) a scenario may have$/);
});

test('the CLI refuses an oversized file with exit 2 and one line', () => {
  const file = join(scratch, 'huge.yaml');
  writeFileSync(file, `version: 1\n# ${'x'.repeat(4 * MAX_SCENARIO_CHARS + 1)}\n`);
  const run = runCli(['validate', file], scratch);
  expect(run.status).toBe(2);
  expect(run.stderr).toBe(`${file}: the file has ${statSync(file).size} bytes, more than a scenario may have (${MAX_SCENARIO_CHARS} characters)\n`);
});
