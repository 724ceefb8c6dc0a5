/**
 * A read step without `expect` is there to show what it read: the summary
 * prints the value (a one-line file as is, a long one as its first lines);
 * a read with `expect` keeps its one line.
 */
import { expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import { renderSummary } from '../../src/study/report.js';
import { parseScenario } from '../../src/study/scenario.js';
import { SMALL_MACHINE } from './helpers.js';

test('reads without expect show their value in the summary', async () => {
  const scenario = parseScenario(
    `version: 1\n${SMALL_MACHINE}steps:\n` +
      '  - read: /sys/devices/system/memory/block_size_bytes\n' +
      '  - read: /sys/devices/system/memory/block_size_bytes\n    expect: 8000000\n' +
      '  - read: /proc/zoneinfo\n',
    'reads.yaml',
  );
  const summary = renderSummary(await runScenario(scenario, { engine: 'reference' }));
  const lines = summary.split('\n');
  const first = lines.findIndex((line) => line.includes('[0]'));
  expect(lines[first + 1].trim()).toBe('value "8000000"');
  const second = lines.findIndex((line) => line.includes('[1]'));
  expect(lines[second + 1]).toContain('[2]');
  const third = lines.findIndex((line) => line.includes('[2]'));
  expect(lines[third + 1].trim()).toMatch(/^value \(\d+ lines\):$/);
  expect(lines[third + 2].trim()).toBe('Node 0, zone      DMA');
  expect(summary).toMatch(/\.\.\. \d+ more lines \(the JSON report has them all\)/);
});
