import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

test('an unknown step kind is refused with its index and the list of known kinds', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - read: /sys/devices/system/memory/block_size_bytes
  - frobnicate: memory5
`);
  expect(lines).toEqual(['scenarios/x.yaml: steps[1]: unknown step "frobnicate" (known: export, read, write, expect)']);
});

test('steps of the next format version are unknown in version 1', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - add: { node: 1, base: 10G, size: 2G }
`);
  expect(lines).toEqual(['scenarios/x.yaml: steps[0]: unknown step "add" (known: export, read, write, expect)']);
});
