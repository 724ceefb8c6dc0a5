import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

const EXPECTED = 'expected a path under /sys/devices/system/memory, /sys/module/memory_hotplug/parameters, /sys/kernel/mm/transparent_hugepage or /proc/sys/vm';

test('a sysfs write outside the files the model serves is refused with the step index', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - read: /sys/devices/system/memory/block_size_bytes
  - read: /sys/devices/system/memory/memory0/state
  - write: /sys/kernel/mm/ksm/run
    value: "1"
`);
  expect(lines).toEqual([`scenarios/x.yaml: steps[2].write: ${EXPECTED}`]);
});

test('paths that climb out of the memory tree with .. are refused', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - write: /sys/devices/system/memory/../cpu/cpu1/online
    value: "0"
`);
  expect(lines).toEqual([`scenarios/x.yaml: steps[0].write: ${EXPECTED}`]);
});

test('a write step needs a value', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}steps:
  - write: /sys/devices/system/memory/memory3/state
`);
  expect(lines).toEqual(['scenarios/x.yaml: steps[0].value: required field is missing (expected a text)']);
});
