import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

test('a size with an unknown suffix is refused, quoting it and saying what a size looks like', () => {
  const lines = errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 12Q }
`);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^scenarios\/x\.yaml: machine\.srat\[0\]\.size: "12Q" is not a size \(expected .*K\/M\/G\/T\/P\/E suffix/);
});

test('kernel size syntax is accepted: suffixes, hex and plain integers mean the same bytes', async () => {
  const { checkScenarioText } = await import('../../src/study/scenario.js');
  const result = checkScenarioText(
    `version: 1
machine:
  e820:
    - { base: 0, size: 2G }
    - { base: 0x100000000, size: 1073741824 }
    - { base: 5g, size: 1t }
`,
    'sizes.yaml',
  );
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.scenario.machine.e820).toEqual([
    { base: 0, size: 2 ** 31, type: 'usable' },
    { base: 2 ** 32, size: 2 ** 30, type: 'usable' },
    { base: 5 * 2 ** 30, size: 2 ** 40, type: 'usable' },
  ]);
});
