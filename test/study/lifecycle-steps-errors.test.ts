import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

function errorsOf(steps: string): string[] {
  return errorLines(`version: 1\n${SMALL_MACHINE}steps:\n${steps}`);
}

test('add: a missing node, a bad size and a bad group each name their field', () => {
  expect(
    errorsOf(`  - add: { base: 12G, size: 1Q }
  - add: { node: 1, base: 12G, size: 1G, group: dynamic }
  - add: { node: 1, base: 12G, size: 1G, group: { dynamic: 0 } }
  - add: { node: 1024, base: 12G, size: 1G, memmapOnMemory: yes }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].add.node: required field is missing (expected an integer)',
    'scenarios/x.yaml: steps[0].add.size: "1Q" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000)',
    'scenarios/x.yaml: steps[1].add.group: expected static, none, or { dynamic: UNIT_SIZE } (a virtio-mem style group with that unit), got "dynamic"',
    'scenarios/x.yaml: steps[2].add.group.dynamic: must be greater than 0',
    'scenarios/x.yaml: steps[3].add.node: must be at most 1023, got 1024',
    'scenarios/x.yaml: steps[3].add.memmapOnMemory: expected true or false, got "yes"',
  ]);
});

test('remove and offline_and_remove: unknown and missing fields', () => {
  expect(
    errorsOf(`  - remove: { base: 12G, length: 1G }
  - offline_and_remove: { size: 4T }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].remove.length: unknown field (expected one of base, size)',
    'scenarios/x.yaml: steps[0].remove.size: required field is missing (expected a size)',
    'scenarios/x.yaml: steps[1].offline_and_remove.base: required field is missing (expected a size)',
  ]);
});

test('online and offline: block ranges, online types and an empty selector', () => {
  expect(
    errorsOf(`  - online: { blocks: 9-3 }
  - online: { blocks: memory5 }
  - online: { blocks: 5, type: online_keep }
  - offline: {}
  - offline: { type: online }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].online.blocks: the range "9-3" ends before it starts (expected A-B with A <= B)',
    'scenarios/x.yaml: steps[1].online.blocks: expected a block id N or an inclusive range A-B (decimal, as lsmem prints it), got "memory5"',
    'scenarios/x.yaml: steps[2].online.type: expected one of online, online_kernel, online_movable, got "online_keep"',
    'scenarios/x.yaml: steps[3].offline: expected at least one of blocks, node to select blocks',
    'scenarios/x.yaml: steps[4].offline.type: unknown field (expected one of blocks, node)',
  ]);
});

test('alloc and free: kinds, page-multiple sizes, zero sizes and seeds', () => {
  expect(
    errorsOf(`  - alloc: { kind: movable, size: 1G, node: 0 }
  - alloc: { kind: user, size: 6000, node: 0 }
  - free: { kind: user, size: 0, node: 0 }
  - free: { kind: user, size: 4K, node: 0, seed: -1 }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].alloc.kind: expected one of anon, file, slab, slab_reclaimable, pgtable, pinned, user, got "movable"',
    'scenarios/x.yaml: steps[1].alloc.size: "6000" is not a whole number of 4096-byte pages',
    'scenarios/x.yaml: steps[2].free.size: must be greater than 0',
    'scenarios/x.yaml: steps[3].free.seed: must be at least 0, got -1',
  ]);
});

test('inject, retries and a step expect: actions, errno names and counts', () => {
  expect(
    errorsOf(`  - inject: { action: MEM_ONLINE, errno: ENOMEM }
  - inject: { action: MEM_GOING_OFFLINE, errno: -12 }
  - retries: many
  - retries: -1
  - online: { node: 1 }
    expect: ENOTANERRNO
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].inject.action: expected MEM_GOING_ONLINE or MEM_GOING_OFFLINE, got "MEM_ONLINE"',
    expect.stringMatching(/^scenarios\/x\.yaml: steps\[1\]\.inject\.errno: expected one of EINVAL, .*, none, got "-12"$/),
    'scenarios/x.yaml: steps[2].retries: expected an integer, got "many"',
    'scenarios/x.yaml: steps[3].retries: must be at least 0, got -1',
    expect.stringMatching(/^scenarios\/x\.yaml: steps\[4\]\.expect: expected one of ok, EINVAL, .*, got "ENOTANERRNO"$/),
  ]);
});
