import { expect, test } from 'vitest';
import type { OfflineOutcome } from '../../src/model/core/types.js';
import { judgeOutcome } from '../../src/study/lifecycle.js';
import { formatSeconds, renderSummary, REPORT_FORMAT, type RunReport, type StepReport } from '../../src/study/report.js';

function reportWith(steps: StepReport[]): RunReport {
  const failed = steps.filter((step) => step.status === 'failed').length;
  return {
    format: REPORT_FORMAT,
    scenario: { name: 'lifecycle', file: 'lifecycle.yaml', description: '', seed: 1 },
    machine: { type: 'bare-metal', cmdline: 'movable_node', blockSizeBytes: 2 ** 31, nrNodes: 0 },
    nodes: [],
    blocks: [],
    blockTotals: { online: 0, offline: 0, onlineBytes: 0, offlineBytes: 0 },
    warnings: [],
    unknownParams: [],
    steps,
    result: { steps: steps.length, ok: steps.length - failed, failed },
  };
}

test('seconds are printed in s, ms or us with two decimals', () => {
  expect(formatSeconds(0)).toBe('0 s');
  expect(formatSeconds(312.456)).toBe('312.46 s');
  expect(formatSeconds(0.0425)).toBe('42.50 ms');
  expect(formatSeconds(0.0000031)).toBe('3.10 us');
});

test('an offline step shows its modelled time, pages migrated per target node and retries', () => {
  const outcome: OfflineOutcome = {
    ok: true,
    modelledSeconds: 1066.2,
    migratedPages: 858993459,
    migratedByNode: { '4': 429496730, '6': 429496729 },
    retries: 0,
  };
  const step = judgeOutcome(
    { kind: 'offline_and_remove', index: 2, base: 20 * 2 ** 40, sizeBytes: 4 * 2 ** 40, expect: 'ok' },
    'offline_and_remove [0x140000000000, 0x180000000000)',
    outcome,
  );
  const lines = renderSummary(reportWith([step])).split('\n');
  const at = lines.findIndex((line) => line.includes('offline_and_remove [0x140000000000'));
  expect(lines[at]).toMatch(/^ +\[2\] +ok +offline_and_remove/);
  expect(lines[at + 1].trim()).toBe('modelled 1066.20 s; migrated 858993459 pages (3276.80 GiB); 0 retries');
  expect(lines[at + 2].trim()).toBe('to node4 429496730, node6 429496729');
});

test('a multi-block step that failed lists its failed blocks after its figures', () => {
  const step = judgeOutcome(
    { kind: 'online', index: 0, selector: { firstBlockId: 96, lastBlockId: 99 }, type: 'online', expect: 'ok' },
    'online memory96-99 as online',
    {
      ok: false,
      errno: 'ENOMEM',
      message: 'MEM_GOING_ONLINE notifier refused',
      modelledSeconds: 0.002,
      blocks: [96, 97, 98, 99].map((id) => ({ id, ok: id < 98, ...(id < 98 ? {} : { errno: 'ENOMEM' as const }) })),
    },
  );
  const summary = renderSummary(reportWith([step]));
  expect(summary).toMatch(/^ +\[0\] +FAILED +online memory96-99 as online\n +modelled 2\.00 ms\n +2 blocks ok, 2 failed: memory98 ENOMEM, memory99 ENOMEM\n +ENOMEM: MEM_GOING_ONLINE notifier refused$/m);
  expect(summary).toMatch(/^1 step: 0 ok, 1 failed$/m);
});
