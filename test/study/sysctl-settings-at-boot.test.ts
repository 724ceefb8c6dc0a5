/**
 * `machine.sysctl`: sysctl.conf settings applied at the end of boot, so the
 * first step already sees them; names and values are checked before
 * anything runs, as the kernel's handlers would check the values.
 */
import { expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { errorLines, SMALL_MACHINE, smallMachineScenario } from './helpers.js';

test('machine.sysctl settings are in effect when the first step runs', async () => {
  const text = smallMachineScenario(
    '  sysctl:\n    vm.watermark_scale_factor: 200\n    vm.lowmem_reserve_ratio: "128 128 16 0 0"\n    vm.min_free_kbytes: 100000\n',
    '  - read: /proc/sys/vm/watermark_scale_factor\n    expect: "200"\n' +
      '  - read: /proc/sys/vm/lowmem_reserve_ratio\n    expect: "128\\t128\\t16\\t0\\t0"\n' +
      '  - read: /proc/sys/vm/min_free_kbytes\n    expect: "100000"\n',
  );
  const report = await runScenario(parseScenario(text, 'sysctl.yaml'), { engine: 'reference' });
  expect(report.steps.map((step) => step.status)).toEqual(['ok', 'ok', 'ok']);
});

test('machine.sysctl: unknown names and values the kernel refuses are validation errors', () => {
  expect(
    errorLines(`version: 1
${SMALL_MACHINE}  sysctl:
    vm.swappiness: 10
    vm.watermark_scale_factor: 0
    vm.min_free_kbytes: lots
steps: []
`),
  ).toEqual([
    'scenarios/x.yaml: machine.sysctl.vm.swappiness: unknown sysctl "vm.swappiness" (known: vm.min_free_kbytes, vm.watermark_scale_factor, vm.lowmem_reserve_ratio)',
    'scenarios/x.yaml: machine.sysctl.vm.watermark_scale_factor: watermark_scale_factor accepts an integer from 1 to 3000, not "0"',
    'scenarios/x.yaml: machine.sysctl.vm.min_free_kbytes: min_free_kbytes accepts an integer from 0 to 2147483647 (kB), not "lots"',
  ]);
});
