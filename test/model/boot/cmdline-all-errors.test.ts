/**
 * A command line with several bad values reports every one of them, in
 * order, as the scenario validation promises (each becomes its own issue);
 * the first is still the error's `param`.
 */
import { expect, test } from 'vitest';
import { CmdlineError, parseCmdline } from '../../../src/model/boot/cmdline.js';
import { checkScenarioText } from '../../../src/study/scenario.js';

const LINE = 'kernelcore=lots movable_node memory_hotplug.online_policy=fastest movablecore= quiet';

test('every rejected parameter is in the error', () => {
  let caught: unknown;
  try {
    parseCmdline(LINE);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(CmdlineError);
  const error = caught as CmdlineError;
  expect(error.param).toBe('kernelcore');
  expect(error.problems.map((p) => p.param)).toEqual(['kernelcore', 'memory_hotplug.online_policy', 'movablecore']);
  expect(error.message.split('; ')).toHaveLength(3);
});

test('the scenario lists each as an issue of cmdline', () => {
  const result = checkScenarioText(`version: 1\nmachine:\n  e820:\n    - { base: 0, size: 4G }\ncmdline: ${LINE}\n`, 'x.yaml');
  expect(result.ok).toBe(false);
  if (result.ok) return;
  const lines = result.error.message.split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^x\.yaml: cmdline: kernelcore: "lots" is not valid/);
  expect(lines[1]).toMatch(/^x\.yaml: cmdline: memory_hotplug\.online_policy: "fastest" is not valid/);
  expect(lines[2]).toMatch(/^x\.yaml: cmdline: movablecore: missing value/);
});
