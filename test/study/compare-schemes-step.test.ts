/**
 * The `compare_schemes` scenario step: its fields, `lookupNs` among them
 * (fixed lookup costs make the report the same on every run), and what a
 * bad value says.
 */
import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { errorLines, SMALL_MACHINE } from './helpers.js';

const scenario = (step: string): string => `version: 1\n${SMALL_MACHINE}steps:\n  - compare_schemes:\n${step}`;

test('compare_schemes takes the workload, nodes, a lookup rate and fixed lookup costs', () => {
  const result = checkScenarioText(
    scenario(`      workload: { anon: 30%, slab: 4%, placement: fragmented, seed: 1 }
      nodes: [0]
      lookupsPerSecond: 100000000
      lookupNs: { direct: 1, slow: 6.5 }
`),
    'compare.yaml',
  );
  if (!result.ok) throw result.error;
  expect(result.scenario.steps[0]).toMatchObject({
    kind: 'compare_schemes',
    index: 0,
    nodes: [0],
    lookupsPerSecond: 1e8,
    lookupNs: { direct: 1, slow: 6.5 },
    workload: { node: 'spread', anon: { share: 0.3 }, slab: { share: 0.04 }, placement: 'fragmented', seed: 1 },
  });
});

test('lookupNs wants both costs, each a number greater than 0', () => {
  expect(errorLines(scenario(`      workload: { anon: 30% }\n      lookupNs: { direct: 0, slow: fast }\n`))).toEqual([
    'scenarios/x.yaml: steps[0].compare_schemes.lookupNs.direct: expected a number greater than 0, such as 1 or 6.5, got "0"',
    'scenarios/x.yaml: steps[0].compare_schemes.lookupNs.slow: expected a number greater than 0, such as 1 or 6.5, got "fast"',
  ]);
  expect(errorLines(scenario(`      workload: { anon: 30% }\n      lookupNs: { direct: 1 }\n`))).toEqual([
    expect.stringContaining('steps[0].compare_schemes.lookupNs.slow'),
  ]);
});
