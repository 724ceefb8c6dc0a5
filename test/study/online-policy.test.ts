import { expect, test } from 'vitest';
import { errorLines, SMALL_MACHINE } from './helpers.js';

test('an unknown online_policy on the command line is a cmdline error naming the parameter and the choices', () => {
  const lines = errorLines(`version: 1
${SMALL_MACHINE}cmdline: movable_node memory_hotplug.online_policy=foo
`);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^scenarios\/x\.yaml: cmdline: memory_hotplug\.online_policy\b.*foo/);
  expect(lines[0]).toContain('contig-zones');
  expect(lines[0]).toContain('auto-movable');
});
