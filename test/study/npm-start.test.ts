/**
 * `npm start` (after its build) runs the built-in study: the question, a
 * short table with every point, where the report is, and nothing written
 * but the study's own directory. Run here as package.json's start script
 * says, from the repository root, without npm's rebuild.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { REPO_ROOT } from './helpers.js';

test('npm start prints the built-in study\'s table and where its report is, and writes only that study\'s directory', () => {
  const start = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const [program, ...args] = start.split(' ');
  expect(program).toBe('node');
  const out = join(REPO_ROOT, 'pfnlab-study', 'movable-share');
  rmSync(out, { recursive: true, force: true });
  const before = readdirSync(REPO_ROOT).sort();
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env } });
  try {
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe("How much of a 4 TiB, 4-node server can be ZONE_MOVABLE before its workload's kernel memory runs out?");
    expect(run.stdout).toMatch(/^point +movablecore +outcome +headroom\.slab\.node0 +headroom\.anon\.node0$/m);
    // Every point ends ok but the last, where the kernel zones cannot hold the workload's slab.
    expect(run.stdout).toMatch(/^ +8 +96% +ok /m);
    expect(run.stdout).toMatch(/^ +9 +98% +oom \(slab_reclaimable\) at step 0 \(workload\)/m);
    expect(run.stdout).toContain(`report: ${join('pfnlab-study', 'movable-share', 'report.html')}`);
    expect(readdirSync(out).sort()).toEqual(['report.html', 'results.csv', 'results.json', 'wall.json']);
    expect(readdirSync(REPO_ROOT).sort()).toEqual([...new Set([...before, 'pfnlab-study'])].sort());
  } finally {
    rmSync(out, { recursive: true, force: true });
    if (existsSync(join(REPO_ROOT, 'pfnlab-study')) && readdirSync(join(REPO_ROOT, 'pfnlab-study')).length === 0) rmSync(join(REPO_ROOT, 'pfnlab-study'), { recursive: true });
  }
});
