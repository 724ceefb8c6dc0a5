import { expect, test } from 'vitest';
import { errorLines } from './helpers.js';

test('validation reports every problem of a file, not just the first', () => {
  const lines = errorLines(
    `version: 1
machine:
  type: mainframe
  e820:
    - { base: 0, size: 0 }
    - { base: 4G, size: 3X }
steps:
  - write: /etc/passwd
    value: x
  - frobnicate: 1
  - read: /sys/devices/system/memory/block_size_bytes
    expect: 80000000
    extra: 1
`,
    'many.yaml',
  );
  expect(lines).toEqual([
    'many.yaml: machine.type: expected bare-metal or vm, got "mainframe"',
    'many.yaml: machine.e820[0].size: must be greater than 0',
    expect.stringMatching(/^many\.yaml: machine\.e820\[1\]\.size: "3X" is not a size/),
    'many.yaml: steps[0].write: expected a path under /sys/devices/system/memory, /sys/module/memory_hotplug/parameters, /sys/kernel/mm/transparent_hugepage or /proc/sys/vm',
    'many.yaml: steps[1]: unknown step "frobnicate" (known: export, read, write, headroom, max_movable_ratio, compare_schemes, add, remove, offline_and_remove, online, offline, alloc, free, workload, churn, inject, retries, expect)',
    'many.yaml: steps[2].extra: unknown field (expected one of read, expect)',
  ]);
});
