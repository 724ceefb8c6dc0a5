import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

test('a scenario without a machine is refused, naming the field', () => {
  const lines = errorLines(`version: 1
cmdline: movable_node
`);
  expect(lines).toEqual(['scenarios/x.yaml: machine: required field is missing (expected a mapping)']);
});

test('a machine with neither e820 nor populated SRAT ranges has no memory and is refused', () => {
  const lines = errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G, populated: false }
`);
  expect(lines).toEqual([
    'scenarios/x.yaml: machine: expected e820 entries, or srat entries with populated: true to derive the e820 map from',
  ]);
});
