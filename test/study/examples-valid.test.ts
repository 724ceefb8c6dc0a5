import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { REPO_ROOT } from './helpers.js';

const dir = join(REPO_ROOT, 'scenarios');
const files = readdirSync(dir).filter((name) => /\.(ya?ml|json)$/.test(name));

test('the examples include the default, two 64 TiB machines, a small VM and the hotplug lifecycle', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'default-4node-4tib.yaml',
      '64tib-16node-kernelcore.yaml',
      '64tib-16node-movable-node.yaml',
      'small-vm.yaml',
      'hotplug-basics.yaml',
      'hotremove-node-16x4tib.yaml',
    ]),
  );
});

test.each(files)('scenarios/%s is a valid version 1 scenario with steps', (name) => {
  const result = checkScenarioText(readFileSync(join(dir, name), 'utf8'), `scenarios/${name}`);
  if (!result.ok) throw result.error;
  expect(result.scenario.version).toBe(1);
  expect(result.scenario.steps.length).toBeGreaterThan(0);
});
