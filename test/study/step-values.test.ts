import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { SMALL_MACHINE } from './helpers.js';

test('step texts keep their written form: zero-padded and numeric-looking values are not turned into numbers', () => {
  const result = checkScenarioText(
    `version: 1
${SMALL_MACHINE}steps:
  - read: /sys/devices/system/memory/memory2/phys_index
    expect: 00000002
  - read: /sys/devices/system/memory/block_size_bytes
    expect: 80000000
  - write: /sys/devices/system/memory/memory3/online
    value: 0
  - write: /sys/devices/system/memory/memory3/state
    value: offline
    expect: EBUSY
`,
    'texts.yaml',
  );
  if (!result.ok) throw result.error;
  expect(result.scenario.steps).toEqual([
    { kind: 'read', index: 0, path: '/sys/devices/system/memory/memory2/phys_index', expect: '00000002' },
    { kind: 'read', index: 1, path: '/sys/devices/system/memory/block_size_bytes', expect: '80000000' },
    { kind: 'write', index: 2, path: '/sys/devices/system/memory/memory3/online', value: '0', expect: 'ok' },
    { kind: 'write', index: 3, path: '/sys/devices/system/memory/memory3/state', value: 'offline', expect: 'EBUSY' },
  ]);
});

test('page counts in expect assertions: plain numbers are pages, suffixed values are bytes', () => {
  const result = checkScenarioText(
    `version: 1
${SMALL_MACHINE}steps:
  - expect: { node: 0, zone: Normal, zoneStartPfn: 4G, presentPages: 1048576, spannedPages: 0x100000 }
`,
    'pages.yaml',
  );
  if (!result.ok) throw result.error;
  expect(result.scenario.steps[0]).toEqual({
    kind: 'expect',
    index: 0,
    assertions: [{ node: 0, zone: 'Normal', zoneStartPfn: 1048576, presentPages: 1048576, spannedPages: 1048576 }],
  });
});

test('an expect step with an unknown assertion lists the assertion kinds', () => {
  const result = checkScenarioText(
    `version: 1
${SMALL_MACHINE}steps:
  - expect: { zones: 3 }
`,
    'assert.yaml',
  );
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.message).toBe(
    'assert.yaml: steps[0].expect: unknown assertion "zones" (known: blockSizeBytes, blocks, block, zone, node)',
  );
});

test('a sysfs export into the filesystem root is refused (it would write the real /sys)', () => {
  const result = checkScenarioText(
    `version: 1
${SMALL_MACHINE}steps:
  - export: { sysfs: / }
`,
    'root.yaml',
  );
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.message).toBe(
    'root.yaml: steps[0].export.sysfs: must not be the filesystem root (the export would write into the real /sys)',
  );
});

test('a hex page count ending in e is a number of pages, not a size with an E suffix', () => {
  const result = checkScenarioText(
    `version: 1
${SMALL_MACHINE}steps:
  - expect: { node: 0, zone: DMA, spannedPages: 0xffe, zoneStartPfn: 0x10M }
`,
    'hex.yaml',
  );
  if (!result.ok) throw result.error;
  expect(result.scenario.steps[0]).toMatchObject({ assertions: [{ spannedPages: 0xffe, zoneStartPfn: 4096 }] });
});
