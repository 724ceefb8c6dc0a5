import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { checkScenarioText, STEP_KINDS } from '../../src/study/scenario.js';
import { REPO_ROOT, SMALL_MACHINE } from './helpers.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

function stepsOf(steps: string): unknown[] {
  const result = checkScenarioText(`version: 1\n${SMALL_MACHINE}steps:\n${steps}`, 'lifecycle.yaml');
  if (!result.ok) throw result.error;
  return result.scenario.steps;
}

test('add: node, range, memmap_on_memory and each group form', () => {
  expect(
    stepsOf(`  - add: { node: 1, base: 12G, size: 1G }
  - add: { node: 1, base: 0x300000000, size: 2G, memmapOnMemory: true, group: static }
  - add: { node: 2, base: 16G, size: 4G, group: { dynamic: 1G } }
    expect: EEXIST
  - add: { node: 0, base: 8G, size: 128M, memmapOnMemory: false, group: none }
  - add: { node: 1, base: 24G, size: 1G, driverManaged: "System RAM (kmem)" }
`),
  ).toEqual([
    { kind: 'add', index: 0, node: 1, base: 12 * GiB, sizeBytes: GiB, expect: 'ok' },
    { kind: 'add', index: 1, node: 1, base: 12 * GiB, sizeBytes: 2 * GiB, memmapOnMemory: true, group: { kind: 'static' }, expect: 'ok' },
    { kind: 'add', index: 2, node: 2, base: 16 * GiB, sizeBytes: 4 * GiB, group: { kind: 'dynamic', unitBytes: GiB }, expect: 'EEXIST' },
    { kind: 'add', index: 3, node: 0, base: 8 * GiB, sizeBytes: 128 * MiB, memmapOnMemory: false, group: null, expect: 'ok' },
    { kind: 'add', index: 4, node: 1, base: 24 * GiB, sizeBytes: GiB, driverManaged: 'System RAM (kmem)', expect: 'ok' },
  ]);
});

test('remove and offline_and_remove take a byte range; size 0 is left for the kernel to refuse', () => {
  expect(
    stepsOf(`  - remove: { base: 12G, size: 1G }
    expect: EBUSY
  - offline_and_remove: { base: 20T, size: 4T }
  - remove: { base: 12G, size: 0 }
    expect: EINVAL
`),
  ).toEqual([
    { kind: 'remove', index: 0, base: 12 * GiB, sizeBytes: GiB, expect: 'EBUSY' },
    { kind: 'offline_and_remove', index: 1, base: 20 * 2 ** 40, sizeBytes: 4 * 2 ** 40, expect: 'ok' },
    { kind: 'remove', index: 2, base: 12 * GiB, sizeBytes: 0, expect: 'EINVAL' },
  ]);
});

test('online and offline select blocks by an inclusive id range, a single id, a node, or both', () => {
  expect(
    stepsOf(`  - online: { blocks: 96-103 }
  - online: { blocks: 7, type: online_movable }
  - online: { node: 1, type: online_kernel }
    expect: ENOMEM
  - offline: { blocks: 96 - 99, node: 1 }
  - offline: { node: 5 }
    expect: EBUSY
`),
  ).toEqual([
    { kind: 'online', index: 0, selector: { firstBlockId: 96, lastBlockId: 103 }, type: 'online', expect: 'ok' },
    { kind: 'online', index: 1, selector: { firstBlockId: 7, lastBlockId: 7 }, type: 'online_movable', expect: 'ok' },
    { kind: 'online', index: 2, selector: { node: 1 }, type: 'online_kernel', expect: 'ENOMEM' },
    { kind: 'offline', index: 3, selector: { firstBlockId: 96, lastBlockId: 99, node: 1 }, expect: 'ok' },
    { kind: 'offline', index: 4, selector: { node: 5 }, expect: 'EBUSY' },
  ]);
});

test('alloc and free name a kind, a size in bytes and a node; free may carry a seed', () => {
  expect(
    stepsOf(`  - alloc: { kind: user, size: 3518437208064, node: 5 }
  - alloc: { kind: pinned, size: 4K, node: 0 }
    expect: ENOMEM
  - free: { kind: slab, size: 64M, node: 1 }
  - free: { kind: pgtable, size: 2M, node: 1, seed: 42 }
`),
  ).toEqual([
    { kind: 'alloc', index: 0, allocKind: 'user', sizeBytes: 3518437208064, node: 5, expect: 'ok' },
    { kind: 'alloc', index: 1, allocKind: 'pinned', sizeBytes: 4096, node: 0, expect: 'ENOMEM' },
    { kind: 'free', index: 2, allocKind: 'slab', sizeBytes: 64 * MiB, node: 1, expect: 'ok' },
    { kind: 'free', index: 3, allocKind: 'pgtable', sizeBytes: 2 * MiB, node: 1, seed: 42, expect: 'ok' },
  ]);
});

test('inject sets or clears a notifier errno; retries sets the offline retry budget', () => {
  expect(
    stepsOf(`  - inject: { action: MEM_GOING_ONLINE, errno: ENOMEM }
  - inject: { action: MEM_GOING_OFFLINE, errno: none }
  - retries: 3
  - retries: 0
`),
  ).toEqual([
    { kind: 'inject', index: 0, action: 'MEM_GOING_ONLINE', errno: 'ENOMEM', expect: 'ok' },
    { kind: 'inject', index: 1, action: 'MEM_GOING_OFFLINE', errno: null, expect: 'ok' },
    { kind: 'retries', index: 2, budget: 3, expect: 'ok' },
    { kind: 'retries', index: 3, budget: 0, expect: 'ok' },
  ]);
});

test('an expect step still holds assertions, next to lifecycle steps that carry their own expect', () => {
  const steps = stepsOf(`  - offline: { node: 1 }
    expect: EBUSY
  - expect: { blocks: { node: 1, offline: 0 } }
`);
  expect(steps[0]).toMatchObject({ kind: 'offline', expect: 'EBUSY' });
  expect(steps[1]).toEqual({ kind: 'expect', index: 1, assertions: [{ blocks: { node: 1, offline: 0 } }] });
});

test('the step kinds of version 1, in matching order', () => {
  expect(STEP_KINDS).toEqual([
    'export',
    'read',
    'write',
    'headroom',
    'max_movable_ratio',
    'compare_schemes',
    'add',
    'remove',
    'offline_and_remove',
    'online',
    'offline',
    'alloc',
    'free',
    'workload',
    'churn',
    'inject',
    'retries',
    'expect',
  ]);
});

test('the lifecycle example in README.md is valid on a machine section', () => {
  const doc = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const example = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((text) => text.startsWith('steps:'));
  expect(example).toBeDefined();
  const result = checkScenarioText(`version: 1\n${SMALL_MACHINE}${example ?? ''}`, 'README.md');
  if (!result.ok) throw result.error;
  expect(result.scenario.steps.map((step) => step.kind)).toEqual([
    'add',
    'inject',
    'online',
    'inject',
    'online',
    'alloc',
    'retries',
    'offline_and_remove',
    'expect',
  ]);
});
