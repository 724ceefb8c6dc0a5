import { expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { SMALL_MACHINE } from './helpers.js';

// A VM with [0, 2G) + [4G, 6G): 6 GiB of boot RAM, so 128 MiB blocks; memory0 spans DMA and DMA32.
const scenario = parseScenario(
  `version: 1
${SMALL_MACHINE}steps:
  - read: /sys/devices/system/memory/memory0/valid_zones
    expect: none
  - read: /sys/devices/system/memory/block_size_bytes
    expect: 80000000
  - write: /sys/devices/system/memory/memory0/state
    value: bogus
    expect: EINVAL
  - write: /sys/devices/system/memory/memory0/state
    value: bogus
  - write: /sys/module/memory_hotplug/parameters/online_policy
    value: auto-movable
    expect: EINVAL
  - expect:
      - { blockSizeBytes: 128M }
      - { node: 0, zone: Normal, zoneStartPfn: 4G, presentPages: 3G }
  - read: /sys/devices/system/memory/memory999/state
`,
  'outcomes.yaml',
);

test('each step records ok, or its errno and message, or the expected and actual values of a mismatch', async () => {
  const report = await runScenario(scenario, { engine: 'reference' });
  const steps = report.steps;
  expect(steps.map((step) => step.status)).toEqual(['ok', 'failed', 'ok', 'failed', 'failed', 'failed', 'failed']);

  // A read whose text differs: both values, and no errno.
  expect(steps[1]).toMatchObject({ kind: 'read', expected: '80000000', actual: '8000000' });
  expect(steps[1].errno).toBeUndefined();

  // A write expected to fail with EINVAL that does: ok, and the errno is kept.
  expect(steps[2]).toMatchObject({ status: 'ok', errno: 'EINVAL' });

  // A write expected to succeed that fails: the kernel's errno and a message.
  expect(steps[3]).toMatchObject({ status: 'failed', errno: 'EINVAL' });
  expect(steps[3].message).toEqual(expect.any(String));

  // A write expected to fail that succeeds.
  expect(steps[4]).toMatchObject({ status: 'failed', expected: 'EINVAL', actual: 'ok' });

  // An expect step: only the mismatching field is reported (Normal holds [4G, 6G): 2 GiB, not 3).
  expect(steps[5].expected).toEqual({ 'node 0 zone Normal presentPages': 786432 });
  expect(steps[5].actual).toEqual({ 'node 0 zone Normal presentPages': 524288 });

  // Reading a block that does not exist.
  expect(steps[6]).toMatchObject({ status: 'failed', errno: 'ENOENT' });

  expect(report.result).toEqual({ steps: 7, ok: 2, failed: 5 });
});
