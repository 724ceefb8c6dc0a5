import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from '../../src/study/default-scenario.js';
import { REPO_ROOT } from './helpers.js';

test('scenarios/default-4node-4tib.yaml is a byte-identical copy of the built-in default', () => {
  expect(readFileSync(join(REPO_ROOT, DEFAULT_SCENARIO_FILE), 'utf8')).toBe(DEFAULT_SCENARIO_YAML);
});
