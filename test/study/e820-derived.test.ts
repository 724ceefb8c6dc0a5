import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';

test('without an e820 list, the map is one usable entry per populated SRAT range, in address order', () => {
  const result = checkScenarioText(
    `version: 1
machine:
  srat:
    - { node: 1, base: 8G, size: 4G }
    - { node: 0, base: 0, size: 2G }
    - { node: 0, base: 4G, size: 4G }
    - { node: 2, base: 12G, size: 4G, populated: false, hotpluggable: true }
`,
    'derived.yaml',
  );
  if (!result.ok) throw result.error;
  const GiB = 2 ** 30;
  expect(result.scenario.machine.e820).toEqual([
    { base: 0, size: 2 * GiB, type: 'usable' },
    { base: 4 * GiB, size: 4 * GiB, type: 'usable' },
    { base: 8 * GiB, size: 4 * GiB, type: 'usable' },
  ]);
  expect(result.scenario.machine.srat?.[3]).toEqual({
    node: 2,
    base: 12 * GiB,
    size: 4 * GiB,
    enabled: true,
    hotpluggable: true,
    nonVolatile: false,
    populated: false,
  });
});

test('an explicit e820 list is taken as written, and no SRAT means one node', () => {
  const result = checkScenarioText(
    `version: 1
machine:
  type: vm
  e820:
    - { base: 0, size: 0x9fc00 }
    - { base: 0x9fc00, size: 0x400, type: reserved }
    - { base: 1M, size: 1023M }
`,
    'explicit.yaml',
  );
  if (!result.ok) throw result.error;
  expect(result.scenario.machine).toEqual({
    e820: [
      { base: 0, size: 0x9fc00, type: 'usable' },
      { base: 0x9fc00, size: 0x400, type: 'reserved' },
      { base: 2 ** 20, size: 1023 * 2 ** 20, type: 'usable' },
    ],
    srat: null,
    reservations: [],
    blockSize: 'auto',
    hypervisor: true,
    paging: 4,
    slit: null,
    cmdline: '',
  });
});
