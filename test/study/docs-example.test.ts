import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { REPO_ROOT } from './helpers.js';

test('the annotated example in README.md is a valid scenario', () => {
  const doc = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(example).toBeDefined();
  const result = checkScenarioText(example ?? '', 'README.md');
  if (!result.ok) throw result.error;
  expect(result.scenario.steps.map((step) => step.kind)).toEqual(['export', 'read', 'write', 'expect']);
  expect(result.scenario.machine.srat?.filter((entry) => !entry.populated)).toHaveLength(1);
});
