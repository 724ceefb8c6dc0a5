/**
 * Bad input to the allocator's steps is refused at validation, each problem
 * naming its step and field, before any machine boots (issue acceptance 8:
 * an unknown kind, shares over 100%, a negative size).
 */
import { expect, test } from 'vitest';
import { checkScenarioText } from '../../src/study/scenario.js';
import { errorLines, SMALL_MACHINE } from './helpers.js';

function errorsOf(steps: string, machineExtra = ''): string[] {
  return errorLines(`version: 1\n${SMALL_MACHINE}${machineExtra}steps:${steps === '' ? ' []' : ''}\n${steps}`);
}

test('alloc: unknown kind, placement and expect; a negative size; a THP share over 100%', () => {
  expect(
    errorsOf(`  - alloc: { kind: dentries, size: 1G, node: 0 }
  - alloc: { kind: anon, size: -1G, node: 0 }
  - alloc: { kind: anon, size: 1G, node: 0, thp: 150%, placement: scattered }
  - alloc: { kind: anon, size: 1G, node: 0, mapped: sometimes }
    expect: oops
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].alloc.kind: expected one of anon, file, slab, slab_reclaimable, pgtable, pinned, user, got "dentries"',
    'scenarios/x.yaml: steps[1].alloc.size: "-1G" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000)',
    'scenarios/x.yaml: steps[2].alloc.placement: expected one of grouped, fragmented, compact, got "scattered"',
    'scenarios/x.yaml: steps[2].alloc.thp: 150% is more than 100%',
    'scenarios/x.yaml: steps[3].alloc.mapped: expected true or false, got "sometimes"',
    expect.stringMatching(/^scenarios\/x\.yaml: steps\[3\]\.expect: expected one of ok, oom, stall, EINVAL, .*got "oops"$/),
  ]);
});

test('workload: shares over 100%, nothing to allocate, a share that is neither a size nor a percentage, a bad node', () => {
  expect(
    errorsOf(`  - workload: { anon: 70%, file: 25%, slab: 6% }
  - workload: { node: 0, thp: 50% }
  - workload: { anon: 2.5, file: lots }
  - workload: { node: everywhere, anon: 10% }
  - workload: { anon: 40%, slabReclaimablePerFileGiB: -5M }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].workload: the shares of anon, file, slab add up to 101%, more than all of memory',
    'scenarios/x.yaml: steps[1].workload: expected at least one of anon, file, slab, pinned to allocate',
    'scenarios/x.yaml: steps[2].workload.anon: 2.5 is more than 1 (write a percentage as 2.5%)',
    'scenarios/x.yaml: steps[2].workload.file: "lots" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000)',
    'scenarios/x.yaml: steps[3].workload.node: expected a node id or spread, got "everywhere"',
    'scenarios/x.yaml: steps[4].workload.slabReclaimablePerFileGiB: "-5M" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000)',
  ]);
});

test('shares as percentages or fractions; three of 33.33% are all of memory, not more', () => {
  const result = checkScenarioText(`version: 1\n${SMALL_MACHINE}steps:\n  - workload: { anon: 33.33%, file: 0.3333, slab: 33.34%, pinned: 64M }\n`, 'x.yaml');
  expect(result.ok ? result.scenario.steps[0] : result.error.message).toMatchObject({
    kind: 'workload',
    node: 'spread',
    anon: { share: 0.3333 },
    file: { share: 0.3333 },
    slab: { share: 0.3334 },
    pinned: { bytes: 64 * 2 ** 20 },
  });
});

test('churn and headroom: a share over 1, a missing share, an unknown field', () => {
  expect(
    errorsOf(`  - churn: { share: 1.5 }
  - churn: { node: 0 }
  - headroom: { node: 0, kind: anon }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].churn.share: 1.5 is more than 1 (write a percentage as 1.5%)',
    'scenarios/x.yaml: steps[1].churn.share: required field is missing (expected a share: a percentage such as 30% or a number from 0 to 1)',
    'scenarios/x.yaml: steps[2].headroom.kind: unknown field (expected one of node)',
  ]);
});

test('machine.swap is a size', () => {
  expect(errorsOf('', '  swap: plenty\n')).toEqual([
    'scenarios/x.yaml: machine.swap: "plenty" is not a size (expected an integer in C notation with an optional K/M/G/T/P/E suffix, e.g. 4G, 1T or 0x100000000)',
  ]);
});

test('max_movable_ratio: an unknown route, a zero precision, shares over 100% in its workload, a bad bound, an unknown field', () => {
  expect(
    errorsOf(`  - max_movable_ratio: { vary: zone_movable, workload: { anon: 50% } }
  - max_movable_ratio: { vary: movable_node, precision: 0, workload: { anon: 70%, file: 40% } }
  - max_movable_ratio: { vary: hotplug, workload: { anon: 10% }, hotAddSize: 0 }
    expect: { min: four }
  - max_movable_ratio: { vary: kernelcore, workload: { anon: 10% }, kernel: 1G }
  - max_movable_ratio: { vary: kernelcore }
`),
  ).toEqual([
    'scenarios/x.yaml: steps[0].max_movable_ratio.vary: expected one of movable_node, movablecore, kernelcore, hotplug, got "zone_movable"',
    'scenarios/x.yaml: steps[1].max_movable_ratio.workload: the shares of anon, file add up to 110%, more than all of memory',
    'scenarios/x.yaml: steps[1].max_movable_ratio.precision: expected a ratio such as 4, 0.25 or 4:1, greater than 0, got "0"',
    'scenarios/x.yaml: steps[2].max_movable_ratio.hotAddSize: must be greater than 0',
    'scenarios/x.yaml: steps[2].expect.min: expected a ratio such as 4, 0.25 or 4:1, got "four"',
    'scenarios/x.yaml: steps[3].max_movable_ratio.kernel: unknown field (expected one of vary, workload, precision, margin, hotAddSize, memmapOnMemory, maxRatio)',
    'scenarios/x.yaml: steps[4].max_movable_ratio.workload: required field is missing (expected a mapping)',
  ]);
});
