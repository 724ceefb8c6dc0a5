import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

test('a zero-size e820 range is refused with its field path', () => {
  const lines = errorLines(`version: 1
machine:
  e820:
    - { base: 0, size: 0 }
`);
  expect(lines).toEqual(['scenarios/x.yaml: machine.e820[0].size: must be greater than 0']);
});

test('a zero-size SRAT or reservation range is refused too', () => {
  const lines = errorLines(`version: 1
machine:
  srat:
    - { node: 0, base: 0, size: 4G }
    - { node: 0, base: 4G, size: 0x0 }
  reservations:
    - { name: initrd, base: 1G, size: 0 }
`);
  expect(lines).toContain('scenarios/x.yaml: machine.srat[1].size: must be greater than 0');
  expect(lines).toContain('scenarios/x.yaml: machine.reservations[0].size: must be greater than 0');
});
