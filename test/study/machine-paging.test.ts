/** `machine.paging` is 4 (the default) or 5; anything else names the field. */
import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';

const machine = (paging: string): string => `version: 1\nmachine:\n${paging}  e820:\n    - { base: 0, size: 4G }\n`;

test('default 4, 5 accepted, others refused', () => {
  const byDefault = checkScenarioText(machine(''), 'a.yaml');
  expect(byDefault.ok && byDefault.scenario.machine.paging).toBe(4);
  const five = checkScenarioText(machine('  paging: 5\n'), 'a.yaml');
  expect(five.ok && five.scenario.machine.paging).toBe(5);
  for (const bad of ['3', '6', 'la57']) {
    const result = checkScenarioText(machine(`  paging: ${bad}\n`), 'a.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/^a\.yaml: machine\.paging: /);
  }
});
