/**
 * Shared pieces of the study tests: validating a scenario text, and running
 * the built CLI (`node bin/pfnlab.mjs`, which needs `npm run build:ts`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkScenarioText } from '../../src/study/scenario.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = fileURLToPath(new URL('../../bin/pfnlab.mjs', import.meta.url));
export const BUILT_CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

/** The error lines of an invalid scenario text (throws if it is valid). */
export function errorLines(text: string, file = 'scenarios/x.yaml'): string[] {
  const result = checkScenarioText(text, file);
  if (result.ok) throw new Error(`expected ${file} to be invalid`);
  return result.error.message.split('\n');
}

/** A valid machine section to build test scenarios on: one node, 4 GiB. */
export const SMALL_MACHINE = `machine:
  type: vm
  e820:
    - { base: 0, size: 2G }
    - { base: 4G, size: 2G }
`;

/**
 * A scenario on SMALL_MACHINE (DMA, DMA32 and Normal) with THP on madvise:
 * `machineExtra` goes on under `machine:` (e.g. a `sysctl:` mapping), then
 * the `steps` lines.
 */
export function smallMachineScenario(machineExtra: string, steps: string): string {
  return `version: 1\n${SMALL_MACHINE}${machineExtra}cmdline: transparent_hugepage=madvise\nsteps:\n${steps}`;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the built CLI with `args` in `cwd`. */
export function runCli(args: readonly string[], cwd: string): CliRun {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build:ts first`);
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * An inline study scenario (as a study file's `scenario:` field): a 6 GiB VM
 * whose one node gets a workload and a headroom step; `extraSteps` are
 * appended, each a line such as `    - offline: { blocks: 62 }`.
 */
export function studyScenario(extraSteps = ''): string {
  return `scenario:
  version: 1
  machine:
    type: vm
    e820:
      - { base: 0, size: 2G }
      - { base: 2G, size: 2G, type: reserved }
      - { base: 4G, size: 4G }
    srat:
      - { node: 0, base: 0, size: 2G }
      - { node: 0, base: 4G, size: 4G }
  cmdline: quiet
  steps:
    - workload: { node: 0, anon: 40%, slab: 2%, placement: grouped, seed: 1 }
    - headroom:${extraSteps === '' ? '' : `\n${extraSteps}`}`;
}
