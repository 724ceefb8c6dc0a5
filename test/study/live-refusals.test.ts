/**
 * The live sysfs never lands on the real /sys or /proc: outside a private
 * mount namespace, `pfnlab serve` refuses a mount point in those trees (also
 * through a symlink, and in a namespace whose mounts are shared with the
 * host's), and `pfnlab shell` refuses to run when it cannot make the
 * namespace. Each refusal exits with status 2 before anything is mounted:
 * this process's mount table is the same before and after.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { liveSysfsProblem } from '../helpers/live.js';
import { BUILT_CLI, CLI, REPO_ROOT } from './helpers.js';

const SCENARIO = join(REPO_ROOT, 'scenarios/small-vm.yaml');
const MEMORY = '/sys/devices/system/memory';
const EXIT_INVALID = 2;

let mounts: string;
let blocks: string[];

beforeAll(() => {
  expect(liveSysfsProblem() ?? 'ok').toBe('ok');
  mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  blocks = readdirSync(MEMORY).sort();
});

/** Nothing was mounted, and the real memory directory lists what it did. */
function unchanged(): void {
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).toBe(mounts);
  expect(readdirSync(MEMORY).sort()).toEqual(blocks);
}

/**
 * Run the built CLI under `wrapper` (e.g. unshare, setpriv) with `env` added.
 * A timeout, because a serve that was not refused would wait for a signal.
 */
function wrapped(wrapper: readonly string[], args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  expect(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build first`).toBe(true);
  const [program, ...rest] = [...wrapper, process.execPath, CLI, ...args];
  const result = spawnSync(program, rest, { cwd: tmpdir(), encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('serve refuses a mount point in /sys or /proc outside a private mount namespace', () => {
  for (const target of [MEMORY, '/sys', '/proc/sys/vm']) {
    const run = wrapped([], ['serve', SCENARIO, '--mount', target]);
    expect(run.stderr).toContain(`pfnlab serve: refusing to mount over ${target}: this process is in the same mount namespace as`);
    expect(run.stderr).toContain('Run it in a private mount namespace (unshare --mount --propagation private), or use pfnlab shell.');
    expect(run.status).toBe(EXIT_INVALID);
    unchanged();
  }
});

test('serve sees through a symlink to /sys', () => {
  const link = join(mkdtempSync(join(tmpdir(), 'pfnlab-refuse-')), 'memory');
  symlinkSync(MEMORY, link);
  const run = wrapped([], ['serve', SCENARIO, '--mount', link]);
  expect(run.stderr).toContain(`pfnlab serve: refusing to mount over ${link} (${MEMORY}):`);
  expect(run.status).toBe(EXIT_INVALID);
  unchanged();
});

test('serve refuses in a new namespace whose /sys mount is shared: the mount would propagate', () => {
  const run = wrapped(['unshare', '--mount', '--propagation', 'shared'], ['serve', SCENARIO, '--mount', MEMORY]);
  expect(run.stderr).toMatch(/pfnlab serve: refusing to mount over \/sys\/devices\/system\/memory: the mount at \/sys is shared \(shared:\d+\): a mount over \/sys\/devices\/system\/memory would propagate out of this namespace/);
  expect(run.status).toBe(EXIT_INVALID);
  unchanged();
});

test('shell refuses to run when it cannot make a mount namespace (not root), and runs nothing', () => {
  // A directory the unprivileged user could write to, so the marker would appear if the command ran.
  const dir = mkdtempSync(join(tmpdir(), 'pfnlab-refuse-'));
  chmodSync(dir, 0o777);
  const marker = join(dir, 'ran');
  const run = wrapped(['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups'], ['shell', SCENARIO, '--', 'touch', marker]);
  expect(run.stderr).toContain('pfnlab shell: refusing to run: cannot make a private mount namespace (unshare: unshare failed: Operation not permitted).');
  expect(run.status).toBe(EXIT_INVALID);
  expect(existsSync(marker)).toBe(false);
  unchanged();
});

test('the shell\'s inner stage, started outside a namespace, refuses before mounting', () => {
  const run = wrapped([], ['shell', SCENARIO, '--', 'true'], { PFNLAB_SHELL_INSIDE: '1' });
  expect(run.stderr).toContain('pfnlab shell: refusing to run: this process is in the same mount namespace as');
  expect(run.status).toBe(EXIT_INVALID);
  unchanged();
});
