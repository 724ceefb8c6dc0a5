import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { reportJson } from '../../src/study/report.js';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { REPO_ROOT } from './helpers.js';

test('two runs of the same scenario give a byte-identical JSON report', async () => {
  const file = 'scenarios/small-vm.yaml';
  // Without its export step, so the test writes nothing.
  const text = readFileSync(join(REPO_ROOT, file), 'utf8').replace(/  - export:[\s\S]*$/, '');
  const scenario = parseScenario(text, file);
  expect(scenario.steps.some((step) => step.kind === 'export')).toBe(false);
  const first = reportJson(await runScenario(scenario, { engine: 'reference' }));
  const second = reportJson(await runScenario(parseScenario(text, file), { engine: 'reference' }));
  expect(second).toBe(first);
  expect(JSON.parse(first).result.failed).toBe(0);
});
