import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

const TWO_NODES = `version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G }
    - { node: 1, base: 4G, size: 4G }
`;

test('a SLIT needs one row per node', () => {
  const lines = errorLines(`${TWO_NODES}  slit: [[10]]
`);
  expect(lines).toEqual(['scenarios/x.yaml: machine.slit: expected 2 rows (one per node), got 1']);
});

test('a SLIT needs 10 on the diagonal and remote distances above 10', () => {
  const lines = errorLines(`${TWO_NODES}  slit: [[10, 10], [21, 12]]
`);
  expect(lines).toEqual([
    'scenarios/x.yaml: machine.slit[0][1]: must be between 11 and 255, got 10',
    'scenarios/x.yaml: machine.slit[1][1]: must be 10 (the local distance), got 12',
  ]);
});
