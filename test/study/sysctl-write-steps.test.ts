/**
 * `read` and `write` steps reach /proc/sys/vm and the THP `enabled` file:
 * accepted values take effect, refused ones fail with the kernel's errno
 * and change nothing (lowmem_reserve_ratio never refuses; what parsed
 * before a bad value is stored), and a file procfs does not have is ENOENT.
 */
import { expect, test } from 'vitest';
import { runScenario } from '../../src/index.js';
import { parseScenario } from '../../src/study/scenario.js';
import { smallMachineScenario } from './helpers.js';

test('write steps: accepted values take effect, refused ones fail with EINVAL and change nothing', async () => {
  const text = smallMachineScenario(
    '',
    '  - write: /proc/sys/vm/min_free_kbytes\n    value: "-1"\n    expect: EINVAL\n' +
      '  - write: /proc/sys/vm/min_free_kbytes\n    value: 12abc\n    expect: EINVAL\n' +
      '  - read: /proc/sys/vm/min_free_kbytes\n    expect: "67584"\n' +
      '  - write: /proc/sys/vm/watermark_scale_factor\n    value: "3001"\n    expect: EINVAL\n' +
      '  - write: /proc/sys/vm/watermark_scale_factor\n    value: "3000"\n' +
      '  - read: /proc/sys/vm/watermark_scale_factor\n    expect: "3000"\n' +
      '  - write: /sys/kernel/mm/transparent_hugepage/enabled\n    value: sometimes\n    expect: EINVAL\n' +
      '  - write: /sys/kernel/mm/transparent_hugepage/enabled\n    value: always\n' +
      '  - read: /sys/kernel/mm/transparent_hugepage/enabled\n    expect: "[always] madvise never"\n' +
      // lowmem_reserve_ratio's handler never refuses: what parses before a bad value is stored.
      '  - write: /proc/sys/vm/lowmem_reserve_ratio\n    value: "64 x"\n' +
      '  - read: /proc/sys/vm/lowmem_reserve_ratio\n    expect: "64\\t256\\t32\\t0\\t0"\n' +
      '  - write: /proc/sys/vm/nr_hugepages\n    value: "1"\n    expect: ENOENT\n',
  );
  const report = await runScenario(parseScenario(text, 'writes.yaml'), { engine: 'reference' });
  expect(report.steps.filter((step) => step.status !== 'ok')).toEqual([]);
  expect(report.steps.map((step) => step.errno ?? 'ok')).toEqual([
    'EINVAL',
    'EINVAL',
    'ok',
    'EINVAL',
    'ok',
    'ok',
    'EINVAL',
    'ok',
    'ok',
    'ok',
    'ok',
    'ENOENT',
  ]);
});
