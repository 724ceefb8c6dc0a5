/**
 * Running programs against a live sysfs. The mount's answers come from the
 * test's own event loop, so a program that touches it must run
 * asynchronously: a spawnSync would wait on a mount that cannot answer.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `program` with `args` and collect what it prints. */
export function runAsync(program: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `bash -c script`: bash, not dash, because dash reports every failed write as an I/O error. */
export function bash(script: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return runAsync('bash', ['-c', script], options);
}

/**
 * The live sysfs needs FUSE mounts and, for pfnlab shell, a mount namespace:
 * both need root here. Without them the tests fail with this reason rather
 * than skip.
 */
export function liveSysfsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'the live sysfs tests mount FUSE file systems and make mount namespaces: run them as root';
  if (!existsSync('/dev/fuse')) return 'the live sysfs tests need /dev/fuse (the fuse kernel module)';
  return null;
}
