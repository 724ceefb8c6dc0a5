/**
 * Studies: a study file expands into points (every combination of its axes,
 * first axis slowest), each point's scenario is validated before anything
 * runs, and running gives the same tables every time; a study split into
 * shards and merged gives the same tables as the whole study, byte for byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { engineFactoryFor } from '../../src/engines.js';
import { readStudy, StudyError, type ScenarioReader } from '../../src/study/study-file.js';
import { mergeResults, parseShard, resultsCsv, resultsJson, runStudy } from '../../src/study/study.js';
import type { StudyResults } from '../../src/study/study-results.js';
import { studyScenario } from './helpers.js';

const MACHINE = studyScenario('    - offline: { blocks: 62 }');

const STUDY = `version: 1
question: How much kernel headroom is left as ZONE_MOVABLE grows?
${MACHINE}
sweep:
  - path: cmdline:movablecore
    values: [10%, 40%, 70%]
  - path: steps[0].workload.slab
    name: slab
    range: { from: 2, to: 6, step: 4, suffix: '%' }
metrics: [outcome, zones, headroom, step_seconds]
`;

const noFiles: ScenarioReader = async (path) => {
  throw new Error(`no such file ${path}`);
};

async function errorsOf(text: string): Promise<string[]> {
  try {
    await readStudy(text, 'studies/bad.yaml', noFiles);
  } catch (error) {
    if (error instanceof StudyError) return error.problems;
    throw error;
  }
  throw new Error('the study was accepted');
}

describe('reading a study', () => {
  test('points are every combination, first axis slowest, with the values set in each scenario', async () => {
    const study = await readStudy(STUDY, 'studies/movable.yaml', noFiles);
    expect(study.name).toBe('movable');
    expect(study.axes.map((a) => [a.name, a.values])).toEqual([
      ['cmdline:movablecore', ['10%', '40%', '70%']],
      ['slab', ['2%', '6%']],
    ]);
    expect(study.points.map((p) => p.params)).toEqual([
      { 'cmdline:movablecore': '10%', slab: '2%' },
      { 'cmdline:movablecore': '10%', slab: '6%' },
      { 'cmdline:movablecore': '40%', slab: '2%' },
      { 'cmdline:movablecore': '40%', slab: '6%' },
      { 'cmdline:movablecore': '70%', slab: '2%' },
      { 'cmdline:movablecore': '70%', slab: '6%' },
    ]);
    expect(study.points[3]!.scenario.machine.cmdline).toBe('quiet movablecore=40%');
    expect(study.mapPoint).toBe(5);
  });

  test('an unknown path, a value the scenario rejects at one point, an empty sweep: file, field and point named, nothing runs', async () => {
    expect(await errorsOf(STUDY.replace('steps[0].workload.slab', 'steps[0].workload.nosuch'))).toEqual([
      expect.stringMatching(/^point 0 \(cmdline:movablecore=10%, slab=2%\): scenario steps\[0\]\.workload\.nosuch: unknown field .* \(and at 5 more points\)$/),
    ]);
    expect(await errorsOf(STUDY.replace('steps[0].workload.slab', 'steps[7].workload.slab'))).toEqual([
      'sweep[1].path steps[7].workload.slab: steps[7] is not in the scenario',
    ]);
    const wrongType = await errorsOf(STUDY.replace('values: [10%, 40%, 70%]', 'values: [10%, lots, 70%]'));
    expect(wrongType).toHaveLength(1);
    expect(wrongType[0]).toMatch(/^point 2 \(cmdline:movablecore=lots, slab=2%\): scenario cmdline: .*movablecore.* \(and at 1 more point\)$/);
    expect(await errorsOf(STUDY.replace('values: [10%, 40%, 70%]', 'values: []'))).toEqual(['sweep[0]: the sweep is empty (no values)']);
    expect(await errorsOf(STUDY.replace(/sweep:[\s\S]*metrics/, 'sweep: []\nmetrics'))).toEqual(['sweep: expected a list of at least one axis, got []']);
    expect(await errorsOf(STUDY.replace('[outcome, zones, headroom, step_seconds]', '[zones, speed]'))).toEqual([
      'metrics[1]: expected one of outcome, zones, headroom, removable, step_seconds, max_movable_ratio, got "speed"',
    ]);
    const error = await readStudy(STUDY.replace('step: 4', 'step: -1'), 'studies/bad.yaml', noFiles).catch((e: unknown) => e);
    expect(String(error)).toBe('StudyError: studies/bad.yaml: sweep[1].range.step: expected a positive step, got -1');
  });

  test('a scenario by path is read through the reader, relative to the study', async () => {
    const text = STUDY.replace(/^scenario:[\s\S]*?sweep:/m, 'scenario: ../scenarios/small.yaml\nsweep:');
    const asked: string[] = [];
    const reader: ScenarioReader = async (path) => {
      asked.push(path);
      return { text: MACHINE.replace('scenario:\n', '').replace(/^ {2}/gm, ''), file: 'scenarios/small.yaml' };
    };
    const study = await readStudy(text, 'studies/movable.yaml', reader);
    expect(asked).toEqual(['../scenarios/small.yaml']);
    expect(study.points).toHaveLength(6);
  });
});

test('every built-in study under studies/ reads and expands', async () => {
  const dir = resolve(import.meta.dirname, '../../studies');
  const names = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
  expect(names.length).toBeGreaterThanOrEqual(4);
  for (const name of names) {
    const file = join(dir, name);
    const study = await readStudy(readFileSync(file, 'utf8'), file, async (path) => ({ text: await readFile(resolve(dir, path), 'utf8'), file: path }));
    expect(study.points.length, name).toBeGreaterThan(1);
    expect(study.question, name).toMatch(/\?$/);
  }
});

describe('running a study', () => {
  test('the same study gives the same tables; four shards merged give them byte for byte', async () => {
    const engines = await engineFactoryFor({ engine: 'wasm' });
    const study = await readStudy(STUDY, 'studies/movable.yaml', noFiles);
    const whole = await runStudy(study, { engines });
    const again = await runStudy(study, { engines });
    expect(resultsJson(again.results)).toBe(resultsJson(whole.results));
    expect(resultsCsv(again.results)).toBe(resultsCsv(whole.results));
    expect(whole.wall.points).toHaveLength(6);

    const { results } = whole;
    expect(results.outcomes.map((o) => [o.point, o.booted, o.stepsFailed])).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, true, 0]));
    const metric = (point: number, name: string): number | null | undefined => results.rows.find((r) => r.point === point && r.metric === name)?.value;
    // More ZONE_MOVABLE, less kernel headroom for slab; the offline step's modelled time is recorded.
    expect(metric(4, 'headroom.slab.node0')!).toBeLessThan(metric(0, 'headroom.slab.node0')!);
    expect(metric(4, 'zone.0.Movable.present_pages')!).toBeGreaterThan(metric(0, 'zone.0.Movable.present_pages')!);
    expect(metric(0, 'step.2.offline.modelled_seconds')!).toBeGreaterThan(0);
    expect(resultsCsv(results).split('\n')[0]).toBe('point,cmdline:movablecore,slab,metric,value,unit');
    // The memory map of the last point: both zones, blocks by state and zone with class shares.
    expect(results.map?.point).toBe(5);
    expect(results.map!.blocks.some((b) => b.zone === 'Movable')).toBe(true);
    expect(results.map!.blocks.some((b) => b.state === 'offline')).toBe(true);
    for (const block of results.map!.blocks) {
      const total = Object.values(block.classShares).reduce((a, b) => a + b, 0);
      if (block.state === 'online') expect(total).toBeCloseTo(1, 3);
    }

    const shards: { file: string; results: StudyResults }[] = [];
    for (let index = 3; index >= 0; index--) {
      const { results: part } = await runStudy(study, { engines, shard: { index, count: 4 } });
      expect(part.shard).toEqual({ index, count: 4 });
      shards.push({ file: `shard-${index}.json`, results: part });
    }
    const merged = mergeResults(shards);
    expect(resultsJson(merged)).toBe(resultsJson(results));
    expect(resultsCsv(merged)).toBe(resultsCsv(results));

    expect(() => mergeResults(shards.slice(1))).toThrow('merge: missing shard 3/4');
    expect(() => mergeResults([...shards, shards[0]!])).toThrow(/shard 3\/4 given twice/);
    expect(() => mergeResults([{ file: 'whole.json', results }])).toThrow('merge: whole.json holds a whole study, not a shard');
  });

  test('shard specs: i/n, auto/n from the batch system, and the errors', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(parseShard('auto/8', { JOB_COMPLETION_INDEX: '5' })).toEqual({ index: 5, count: 8 });
    expect(parseShard('auto/8', { SLURM_ARRAY_TASK_ID: '7' })).toEqual({ index: 7, count: 8 });
    expect(() => parseShard('4/4')).toThrow('--shard: index 4 is outside 0..3');
    expect(() => parseShard('auto/4', {})).toThrow(/neither JOB_COMPLETION_INDEX .* nor SLURM_ARRAY_TASK_ID/);
    expect(() => parseShard('1-4')).toThrow(/expected i\/n/);
    expect(() => parseShard('0/0')).toThrow('--shard: the shard count must be at least 1, got 0');
  });
});
