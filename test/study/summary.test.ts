import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { renderSummary } from '../../src/study/report.js';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { REPO_ROOT } from './helpers.js';

test('the terminal summary shows zones, lsmem-style block ranges and steps within 100 columns', async () => {
  const file = 'scenarios/small-vm.yaml';
  const text = readFileSync(join(REPO_ROOT, file), 'utf8').replace(/  - export:[\s\S]*$/, '');
  // One failing assertion with a long subject, to exercise wrapping of failures.
  const failing = `  - expect:
      - { node: 0, zone: DMA32, zoneStartPfn: 1, spannedPages: 2, presentPages: 3, managedPages: 4, freePages: 5 }
`;
  const report = await runScenario(parseScenario(text + failing, file), { engine: 'reference' });
  const summary = renderSummary(report);
  const lines = summary.trimEnd().split('\n');
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);

  // [4G, 10G) in 128 MiB blocks is memory32-79, 6 GiB in Normal on node 0; [0, 128M) spans DMA and DMA32.
  expect(summary).toMatch(/^ +memory0 +online +none +node0 +128M$/m);
  expect(summary).toMatch(/^ +memory32-79 +online +Normal +node0 +6G$/m);
  // Zone rows: name, start pfn, spanned, present, managed, then GiB.
  expect(summary).toMatch(/^ +Normal +1048576 +1572864 +1572864 +\d+ +6\.00 +\d+\.\d\d$/m);
  expect(summary).toMatch(/FAILED +expect node 0 zone DMA32/);
  expect(summary).toMatch(/node 0 zone DMA32 zoneStartPfn: expected 1, got 4096/);
  expect(lines.at(-1)).toMatch(/^13 steps: 12 ok, 1 failed$/);
});
