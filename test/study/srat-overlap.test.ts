import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

test('SRAT ranges of two different nodes that overlap are refused, naming both entries and nodes', () => {
  const lines = errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G }
    - { node: 1, base: 3G, size: 4G }
`);
  expect(lines).toEqual(['scenarios/x.yaml: machine.srat[1]: overlaps machine.srat[0] (node 0) but belongs to node 1']);
});

test('overlapping SRAT ranges of the same node are accepted (the kernel merges them)', () => {
  expect(() =>
    errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G }
    - { node: 0, base: 3G, size: 4G }
`),
  ).toThrow(/expected .* to be invalid/);
});

test('a disabled SRAT entry cannot conflict, since the kernel ignores it', () => {
  expect(() =>
    errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G }
    - { node: 1, base: 3G, size: 4G, enabled: false }
`),
  ).toThrow(/expected .* to be invalid/);
});
