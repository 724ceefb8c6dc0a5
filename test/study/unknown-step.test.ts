import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

const KNOWN = 'export, read, write, headroom, max_movable_ratio, compare_schemes, add, remove, offline_and_remove, online, offline, alloc, free, workload, churn, inject, retries, expect';

test('an unknown step kind is refused with its index and the list of known kinds', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - read: /sys/devices/system/memory/block_size_bytes
  - frobnicate: memory5
`);
  expect(lines).toEqual([`scenarios/x.yaml: steps[1]: unknown step "frobnicate" (known: ${KNOWN})`]);
});

test('a misspelt lifecycle step is unknown, not taken for a neighbour', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - offline-and-remove: { base: 12G, size: 1G }
  - hotadd: { node: 1, base: 10G, size: 2G }
`);
  expect(lines).toEqual([
    `scenarios/x.yaml: steps[0]: unknown step "offline-and-remove" (known: ${KNOWN})`,
    `scenarios/x.yaml: steps[1]: unknown step "hotadd" (known: ${KNOWN})`,
  ]);
});
