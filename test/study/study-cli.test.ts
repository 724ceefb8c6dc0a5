/**
 * `pfnlab study`, `merge` and `report` as processes (the built CLI): the
 * same study gives the same results.json, results.csv and report.html, with
 * the wall times apart; four processes with --shard 0/4 .. 3/4 merged by
 * `pfnlab merge` give the unsharded files byte for byte; bad shards and
 * merges are clear errors; a bad study names file, field and point and
 * writes nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { engineFactoryFor } from '../../src/engines.js';
import { createEngine } from '../../src/engine/index.js';
import { main } from '../../src/study/cli.js';
import { CLI, runCli, studyScenario } from './helpers.js';

const STUDY = `version: 1
name: small-sweep
question: How does kernel headroom fall as movablecore grows on a small VM?
${studyScenario()}
sweep:
  - path: cmdline:movablecore
    name: movablecore
    values: [10%, 40%, 70%]
  - path: steps[0].workload.slab
    name: slab
    values: [2%, 6%]
metrics: [outcome, zones, headroom]
table: [headroom.slab.node0]
map: { point: 2 }
`;

const DETERMINISTIC = ['results.json', 'results.csv', 'report.html'];

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-study-'));
  writeFileSync(join(dir, 'small.yaml'), STUDY);
  return dir;
}

function files(dir: string): Record<string, string> {
  return Object.fromEntries(DETERMINISTIC.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

/** The CLI as a child process, concurrently with others. */
function runAsync(args: string[], cwd: string, env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('pfnlab study, merge and report', () => {
  test('the same study twice, on one thread and on two: the same tables and report; wall times apart; the short table on standard output', () => {
    const dir = workdir();
    const first = runCli(['study', 'small.yaml', '--out', 'a', '--jobs', '1'], dir);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('How does kernel headroom fall as movablecore grows on a small VM?');
    expect(first.stdout).toMatch(/^point +movablecore +slab +outcome +headroom\.slab\.node0$/m);
    expect(first.stdout).toContain(`report: ${join('a', 'report.html')}`);
    // On two worker threads: the same files.
    expect(runCli(['study', 'small.yaml', '--out', 'b', '--jobs', '2'], dir).status).toBe(0);
    expect(files(join(dir, 'b'))).toEqual(files(join(dir, 'a')));
    const wall = JSON.parse(readFileSync(join(dir, 'a', 'wall.json'), 'utf8'));
    expect(wall.points).toHaveLength(6);
    for (const name of DETERMINISTIC) expect(readFileSync(join(dir, 'a', name), 'utf8')).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    // `report` renders the same page from the results.
    expect(runCli(['report', join('a', 'results.json'), '--out', 'again.html'], dir).status).toBe(0);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(files(join(dir, 'a'))['report.html']);
    // `-`: the results on standard output, nothing written.
    const out = runCli(['study', 'small.yaml', '--out', '-'], dir);
    expect(out.stdout).toBe(files(join(dir, 'a'))['results.json']);
    expect(readdirSync(dir).sort()).toEqual(['a', 'again.html', 'b', 'small.yaml']);
  });

  test('four processes, one shard each, merged: the unsharded files byte for byte', async () => {
    const dir = workdir();
    expect(runCli(['study', 'small.yaml', '--out', 'whole'], dir).status).toBe(0);
    const runs = await Promise.all([0, 1, 2, 3].map((i) => runAsync(['study', 'small.yaml', '--shard', `${i}/4`, '--out', `shard${i}`], dir)));
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    // auto/n reads the index from the batch system (here a Kubernetes Indexed Job's).
    expect((await runAsync(['study', 'small.yaml', '--shard', 'auto/4', '--out', 'auto3'], dir, { JOB_COMPLETION_INDEX: '3' })).status).toBe(0);
    expect(readFileSync(join(dir, 'auto3', 'results.json'), 'utf8')).toBe(readFileSync(join(dir, 'shard3', 'results.json'), 'utf8'));

    const merge = runCli(['merge', '--out', 'merged', 'shard2', 'shard0', 'shard3', join('shard1', 'results.json')], dir);
    expect(merge.status, merge.stderr).toBe(0);
    expect(files(join(dir, 'merged'))).toEqual(files(join(dir, 'whole')));

    const missing = runCli(['merge', '--out', 'partial', 'shard0', 'shard1', 'shard3'], dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('merge: missing shard 2/4');
    expect(existsSync(join(dir, 'partial'))).toBe(false);
    const outside = runCli(['study', 'small.yaml', '--shard', '4/4', '--out', 'x'], dir);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain('--shard: index 4 is outside 0..3');
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  test('a study with a bad value at one point: file, field and point named, nothing run or written', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'bad.yaml'), STUDY.replace('values: [2%, 6%]', 'values: [2%, lots]'));
    const run = runCli(['study', 'bad.yaml', '--out', 'bad'], dir);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^bad\.yaml: point 1 \(movablecore=10%, slab=lots\): scenario steps\[0\]\.workload\.slab: .* \(and at 2 more points\)$/m);
    expect(existsSync(join(dir, 'bad'))).toBe(false);
    expect(runCli(['study', '--help'], dir).stdout).toMatch(/^usage: pfnlab study FILE/);
    expect(runCli(['merge', '--help'], dir).stdout).toMatch(/^usage: pfnlab merge/);
    expect(runCli(['report', '--help'], dir).stdout).toMatch(/^usage: pfnlab report/);
    expect(runCli(['study', 'small.yaml', '--bogus'], dir).stderr).toContain("study: Unknown option '--bogus'");
    expect(runCli(['study', 'small.yaml', '--jobs', '0'], dir).stderr).toContain('study: --jobs: expected a number of worker threads, at least 1, got "0"');
  });

  test('on a terminal, a progress line: points, rate, time left, and the point in hand down to its workload rounds; silent otherwise', async () => {
    const dir = workdir();
    const context = { choose: engineFactoryFor, demo: createEngine, version: 'test' };
    for (const tty of [true, false]) {
      let stderr = '';
      const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text), stderrIsTty: tty };
      expect(await main(['study', join(dir, 'small.yaml'), '--out', join(dir, `p${tty}`), '--jobs', '1'], context, io)).toBe(0);
      const lines = stderr.split('\r').slice(1);
      if (!tty) {
        expect(lines).toEqual([]);
        continue;
      }
      expect(lines[0]).toMatch(/^small-sweep \[\.{24}\] 0\/6 points/);
      expect(lines.some((line) => line.includes('; point 1: boot 3/3'))).toBe(true);
      expect(lines.some((line) => line.includes('; point 1: step workload 0/2'))).toBe(true);
      for (let round = 1; round <= 8; round++) expect(lines.some((line) => line.includes(`; point 6: workload ${round}/8`))).toBe(true);
      expect(lines.some((line) => /^small-sweep \[#{24}\] 6\/6 points, [\d.]+\/s, 0 s left/.test(line))).toBe(true);
    }
  });

  test('pfnlab run on a terminal says how its boot and steps get on, then clears the line', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'run.yaml'), `name: run-progress\n${studyScenario().replace(/^scenario:\n/, '').replace(/^ {2}/gm, '')}\n`);
    let stderr = '';
    const io = { stdout: () => undefined, stderr: (text: string) => void (stderr += text), stderrIsTty: true };
    expect(await main(['run', join(dir, 'run.yaml')], { choose: engineFactoryFor, demo: createEngine, version: 'test' }, io)).toBe(0);
    const lines = stderr.split('\r').slice(1);
    expect(lines[0]).toBe('run-progress: boot 1/3\x1b[K');
    expect(lines).toContain('run-progress: step workload 0/2\x1b[K');
    expect(lines).toContain('run-progress: workload 8/8\x1b[K');
    expect(lines).toContain('run-progress: step headroom 1/2\x1b[K');
    expect(lines[lines.length - 1]).toBe('\x1b[K');
  });
});
