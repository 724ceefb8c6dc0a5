import { expect, test } from 'vitest';
import type { OfflineOutcome, Outcome } from '../../src/model/core/types.js';
import { describeLifecycleStep, freeSeed, judgeOutcome, MAX_LISTED_BLOCK_FAILURES } from '../../src/study/lifecycle.js';
import type { LifecycleStep, OfflineStep, OnlineStep } from '../../src/study/scenario.js';

const offlineStep = (expect: OfflineStep['expect']): OfflineStep => ({
  kind: 'offline',
  index: 3,
  selector: { firstBlockId: 96, lastBlockId: 103 },
  expect,
});

const onlineStep = (expect: OnlineStep['expect']): OnlineStep => ({
  kind: 'online',
  index: 1,
  selector: { node: 1 },
  type: 'online_movable',
  expect,
});

const migrated: OfflineOutcome = {
  ok: true,
  modelledSeconds: 12.5,
  migratedPages: 300,
  migratedByNode: { '2': 100, '0': 200 },
  retries: 1,
  blocks: [
    { id: 97, ok: true },
    { id: 96, ok: true },
  ],
};

test('a successful offline keeps its modelled time, migration by node, retries and block count', () => {
  const report = judgeOutcome(offlineStep('ok'), 'offline memory96-103', migrated);
  expect(report).toEqual({
    index: 3,
    kind: 'offline',
    what: 'offline memory96-103',
    status: 'ok',
    modelledSeconds: 12.5,
    migratedPages: 300,
    migratedByNode: { '0': 200, '2': 100 },
    retries: 1,
    blocksOk: 2,
    blocksFailed: 0,
  });
});

test('the report entry has one key order whatever order the outcome was built in', () => {
  const reordered: OfflineOutcome = {
    blocks: [...(migrated.blocks ?? [])].reverse(),
    retries: 1,
    migratedByNode: { '0': 200, '2': 100 },
    migratedPages: 300,
    modelledSeconds: 12.5,
    ok: true,
  };
  const a = JSON.stringify(judgeOutcome(offlineStep('ok'), 'x', migrated));
  const b = JSON.stringify(judgeOutcome(offlineStep('ok'), 'x', reordered));
  expect(b).toBe(a);
  expect(Object.keys(JSON.parse(a))).toEqual([
    'index',
    'kind',
    'what',
    'status',
    'modelledSeconds',
    'migratedPages',
    'migratedByNode',
    'retries',
    'blocksOk',
    'blocksFailed',
  ]);
});

test('an expected errno that happens is ok and keeps the errno, message and figures', () => {
  const vetoed: OfflineOutcome = {
    ok: false,
    errno: 'ENOMEM',
    message: 'MEM_GOING_OFFLINE notifier refused',
    modelledSeconds: 0.001,
    migratedPages: 0,
    migratedByNode: {},
    retries: 0,
    reason: 'notifier',
  };
  expect(judgeOutcome(offlineStep('ENOMEM'), 'x', vetoed)).toMatchObject({
    status: 'ok',
    errno: 'ENOMEM',
    message: 'MEM_GOING_OFFLINE notifier refused',
    reason: 'notifier',
  });
  // The same outcome where success was expected fails with the kernel's errno.
  expect(judgeOutcome(offlineStep('ok'), 'x', vetoed)).toMatchObject({ status: 'failed', errno: 'ENOMEM' });
  // And where another errno was expected, it records both.
  expect(judgeOutcome(offlineStep('EBUSY'), 'x', vetoed)).toMatchObject({
    status: 'failed',
    errno: 'ENOMEM',
    expected: 'EBUSY',
    actual: 'ENOMEM',
  });
});

test('a success where an errno was expected fails with expected and actual', () => {
  const report = judgeOutcome(onlineStep('ENOMEM'), 'x', { ok: true, modelledSeconds: 0.5 });
  expect(report).toMatchObject({ status: 'failed', expected: 'ENOMEM', actual: 'ok', modelledSeconds: 0.5 });
  expect(report.message).toBe('the operation succeeded, expected ENOMEM');
});

test('failed blocks are counted, and the first few listed in id order', () => {
  const nrBlocks = MAX_LISTED_BLOCK_FAILURES + 10;
  const outcome: Outcome = {
    ok: false,
    errno: 'EBUSY',
    modelledSeconds: 1,
    blocks: Array.from({ length: nrBlocks }, (_, i) => {
      const id = nrBlocks - 1 - i;
      return id % 2 === 0 ? { id, ok: true } : { id, ok: false, errno: 'EBUSY' as const, message: 'unmovable page' };
    }),
  };
  const report = judgeOutcome(onlineStep('EBUSY'), 'x', outcome);
  const failedIds = Array.from({ length: nrBlocks }, (_, id) => id).filter((id) => id % 2 === 1);
  expect(report.blocksFailed).toBe(failedIds.length);
  expect(report.blocksOk).toBe(nrBlocks - failedIds.length);
  expect(report.failedBlocks?.map((block) => block.id)).toEqual(failedIds.slice(0, MAX_LISTED_BLOCK_FAILURES));
  expect(report.failedBlocks?.[0]).toEqual({ id: 1, errno: 'EBUSY', message: 'unmovable page' });
});

test('each lifecycle step describes itself in one line', () => {
  const steps: LifecycleStep[] = [
    { kind: 'add', index: 0, node: 1, base: 12 * 2 ** 30, sizeBytes: 2 ** 30, group: { kind: 'dynamic', unitBytes: 2 ** 30 }, expect: 'ok' },
    { kind: 'offline_and_remove', index: 1, base: 0, sizeBytes: 2 ** 31, expect: 'EBUSY' },
    onlineStep('ok'),
    offlineStep('ok'),
    { kind: 'free', index: 4, allocKind: 'user', sizeBytes: 4096, node: 2, seed: 9, expect: 'ok' },
    { kind: 'inject', index: 5, action: 'MEM_GOING_ONLINE', errno: null, expect: 'ok' },
    { kind: 'retries', index: 6, budget: 4, expect: 'ok' },
  ];
  expect(steps.map(describeLifecycleStep)).toEqual([
    'add node 1 [0x300000000, 0x340000000), dynamic group unit 0x40000000',
    'offline_and_remove [0x0, 0x80000000) (expect EBUSY)',
    'online node 1 as online_movable',
    'offline memory96-103',
    'free user 4096 bytes (4K) on node 2, seed 9',
    'inject MEM_GOING_ONLINE none',
    'retries 4',
  ]);
});

test('a free without a seed gets one from the scenario seed and its step index', () => {
  const seeds = new Set([0, 1, 2, 3].map((index) => freeSeed(1, index)));
  expect(seeds.size).toBe(4);
  expect(freeSeed(1, 2)).toBe(freeSeed(1, 2));
  expect(freeSeed(2, 2)).not.toBe(freeSeed(1, 2));
  for (const seed of seeds) expect(seed).toBe(seed >>> 0);
});
