/**
 * `pfnlab serve` and `pfnlab shell`: a scenario's machine as a live sysfs.
 *
 *   pfnlab serve SCENARIO --mount DIR      the model's tree at DIR until SIGINT/SIGTERM
 *   pfnlab shell SCENARIO -- COMMAND...    COMMAND with the model over the real paths
 *
 * `shell` starts itself again under `unshare --mount --propagation private`,
 * mounts the live sysfs (live-sysfs.ts) on a private directory and
 * bind-mounts its parts over /sys/devices/system/memory, /sys/devices/system/node,
 * /sys/module/memory_hotplug/parameters, /sys/kernel/debug and the /proc/sys/vm
 * files the model serves, then runs COMMAND. Those mounts exist only in the
 * new namespace and die with it. When the namespace cannot be made, or a
 * mount target is not private (mount-namespace.ts), it refuses instead of
 * falling back to the real paths.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Machine } from '../model/core/types.js';
import { HOTPLUG_PARAMS_DIR, MEMORY_SYSFS_DIR, NODE_SYSFS_DIR } from '../model/views/sysfs.js';
import { findPackageRoot } from '../util/package-root.js';
import { CommandLineError, parseCommand } from './command-line.js';
import { mountLiveSysfs, type LiveWrite } from './live-sysfs.js';
import { HOST_NAMESPACE_ENV, isKernelTree, ownMountNamespace, privateNamespaceProblem } from './mount-namespace.js';
import { BootFailure, runScenario } from './runner.js';
import { loadFailure, loadScenario } from './scenario-load.js';
import type { StudyCliIo, StudyCommandContext } from './study-cli.js';

export const SERVE_USAGE = `usage: pfnlab serve SCENARIO --mount DIR [--engine wasm|reference] [--log FILE]

Boots the scenario's machine, runs its steps, and serves the model's sysfs at
DIR over FUSE (DIR/sys/devices/system/memory, .../node,
DIR/sys/module/memory_hotplug/parameters, the notifier error injector under
DIR/sys/kernel/debug, DIR/proc/sys/vm) until SIGINT or SIGTERM. Writes go
through the model's state machine and a refusal reaches the writer as the
kernel's errno. lsmem --sysroot DIR reads it.

DIR inside /sys or /proc is refused unless this process is in a private
mount namespace (pfnlab shell does that for you).
  --log FILE   every write and its result, one line each
`;

export const SHELL_USAGE = `usage: pfnlab shell SCENARIO [--engine wasm|reference] [--log FILE] [--summary FILE] -- COMMAND [ARG...]

Runs COMMAND in a private mount namespace where the scenario's machine (after
its steps) is mounted over /sys/devices/system/memory, /sys/devices/system/node,
/sys/module/memory_hotplug/parameters, /sys/kernel/debug and the /proc/sys/vm
files the model serves, so unmodified tools (lsmem, chmem, stress-ng) see and
change the model. The host's /sys is never touched: without a private mount
namespace (unshare -m, which needs root) pfnlab shell refuses to run.
  --log FILE       every write and its result, one line each
  --summary FILE   JSON: the command's status, the writes, the blocks' states
                   and whether the model's invariants held afterwards

exit status: the command's (128+N for signal N), 1 when the model's
invariants broke, 2 for invalid input or a refused namespace
`;

const EXIT_INVALID = 2;
const EXIT_INVARIANTS = 1;

/** Environment mark of the process `pfnlab shell` starts inside the namespace. */
const INSIDE_ENV = 'PFNLAB_SHELL_INSIDE';

const LIVE_OPTIONS = {
  engine: { type: 'string' },
  log: { type: 'string' },
  summary: { type: 'string' },
  mount: { type: 'string' },
} as const;

/** What a live session reports: its writes and how many the model refused. */
class WriteLog {
  readonly lines: string[] = [];
  writes = 0;
  refused = 0;

  record(write: LiveWrite): void {
    this.writes++;
    if (write.result !== 'ok') this.refused++;
    const value = JSON.stringify(write.value.replace(/\n$/, ''));
    this.lines.push(`${write.path} <- ${value}: ${write.result === 'ok' ? 'ok' : `${write.result} (${write.message ?? ''})`}`);
  }

  /** `N write(s) reached the model (N refused)`, for the closing line. */
  get tally(): string {
    return `${this.writes} ${this.writes === 1 ? 'write' : 'writes'} reached the model (${this.refused} refused)`;
  }

  save(file: string | undefined): void {
    if (file !== undefined) writeFileSync(file, this.lines.map((line) => `${line}\n`).join(''));
  }
}

/** A child's exit as a shell reports it: its code, or 128 + the signal's number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

/** Run a program without blocking this thread (the live sysfs answers from it), inheriting stdio. */
function runAsync(
  command: string,
  args: readonly string[],
  stdio: 'inherit' | 'pipe' = 'pipe',
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    child.stdout?.on('data', (bytes: Buffer) => (output += bytes.toString()));
    child.stderr?.on('data', (bytes: Buffer) => (output += bytes.toString()));
    child.once('error', (error) => resolve({ status: 127, output: `${command}: ${error.message}` }));
    child.once('exit', (code, signal) => resolve({ status: exitStatus(code, signal), output }));
  });
}

interface LiveArgs {
  scenario: string;
  engine: 'wasm' | 'reference';
  log?: string;
  summary?: string;
  mount?: string;
  command: string[];
}

function parseLiveArgs(name: 'serve' | 'shell', args: readonly string[]): LiveArgs | 'help' {
  const dashes = args.indexOf('--');
  const own = dashes < 0 ? args : args.slice(0, dashes);
  const command = dashes < 0 ? [] : args.slice(dashes + 1);
  const { values, positionals } = parseCommand(name, own, LIVE_OPTIONS);
  if (values.help === true) return 'help';
  if (positionals.length !== 1) throw new CommandLineError(`${name} takes one scenario file, got ${positionals.length === 0 ? 'none' : positionals.join(' and ')}`);
  const engine = values.engine ?? 'wasm';
  if (engine !== 'wasm' && engine !== 'reference') throw new CommandLineError(`--engine: expected wasm or reference, got ${JSON.stringify(engine)}`);
  if (name === 'serve') {
    if (values.mount === undefined || values.mount === '') throw new CommandLineError('serve: --mount DIR is required');
    if (values.summary !== undefined) throw new CommandLineError('serve: --summary is an option of pfnlab shell');
    if (command.length > 0) throw new CommandLineError('serve takes no command (pfnlab shell runs one)');
  } else {
    if (values.mount !== undefined) throw new CommandLineError('shell: --mount is an option of pfnlab serve (the shell mounts over the real paths)');
    if (command.length === 0) throw new CommandLineError('shell: expected -- COMMAND [ARG...] after the scenario');
  }
  return {
    scenario: positionals[0]!,
    engine,
    ...(values.log === undefined ? {} : { log: values.log }),
    ...(values.summary === undefined ? {} : { summary: values.summary }),
    ...(values.mount === undefined ? {} : { mount: values.mount }),
    command,
  };
}

/**
 * Boot the scenario, run its steps, and call `live` with the machine; the
 * exit status is what `live` returns. Reports a scenario or boot failure.
 */
async function withScenarioMachine(
  name: string,
  options: LiveArgs,
  io: StudyCliIo,
  context: StudyCommandContext,
  live: (machine: Machine) => Promise<number>,
): Promise<number> {
  const loaded = await loadScenario(options.scenario);
  if (!loaded.ok) {
    io.stderr(`${loadFailure(loaded, options.scenario).message}\n`);
    return EXIT_INVALID;
  }
  let status = 0;
  try {
    const report = await runScenario(loaded.scenario, {
      engines: await context.choose({ engine: options.engine, worker: false }),
      stdout: io.stderr,
      whileOpen: async (machine) => {
        status = await live(machine);
      },
    });
    const failed = report.steps.filter((step) => step.status === 'failed');
    if (failed.length > 0) io.stderr(`pfnlab ${name}: note: ${failed.length} of the scenario's steps failed before the model was served\n`);
  } catch (error) {
    if (error instanceof BootFailure) {
      io.stderr(`${error.message}\n`);
      return EXIT_INVALID;
    }
    throw error;
  }
  return status;
}

export async function commandServe(args: readonly string[], io: StudyCliIo, context: StudyCommandContext): Promise<number> {
  const options = parseLiveArgs('serve', args);
  if (options === 'help') {
    io.stdout(SERVE_USAGE);
    return 0;
  }
  const dir = options.mount as string;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CommandLineError(`--mount: ${dir} is not a directory`);
  if (isKernelTree(dir)) {
    const problem = privateNamespaceProblem(dir);
    if (problem !== null) {
      const real = realpathSync(dir);
      const shown = real === dir ? dir : `${dir} (${real})`;
      io.stderr(`pfnlab serve: refusing to mount over ${shown}: ${problem}. Run it in a private mount namespace (unshare --mount --propagation private), or use pfnlab shell.\n`);
      return EXIT_INVALID;
    }
  }
  const log = new WriteLog();
  return withScenarioMachine('serve', options, io, context, async (machine) => {
    const live = await mountLiveSysfs(machine, dir, { onWrite: (write) => log.record(write) });
    io.stderr(`pfnlab serve: ${options.scenario} is mounted at ${dir}; lsmem --sysroot ${dir} reads it. Stop with Ctrl-C or SIGTERM.\n`);
    let stop: () => void = () => undefined;
    const stopped = new Promise<'stopped'>((resolve) => {
      stop = () => resolve('stopped');
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    // The helper can also go on its own (killed, or fusermount -u from outside).
    const ended = await Promise.race([stopped, live.exited]);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await live.unmount();
    log.save(options.log);
    if (ended !== 'stopped') {
      io.stderr(`pfnlab serve: the FUSE helper exited on its own (${ended}); ${dir} is no longer served\n`);
      return 1;
    }
    io.stderr(`pfnlab serve: unmounted ${dir}; ${log.tally}, ${live.requests()} requests\n`);
    return 0;
  });
}

/** The real paths the shell covers with the model: whole directories, then the tunable files one by one. */
const SHELL_DIRS = [MEMORY_SYSFS_DIR, NODE_SYSFS_DIR, HOTPLUG_PARAMS_DIR, '/sys/kernel/debug'];
const TUNABLE_DIRS = ['/proc/sys/vm', '/sys/kernel/mm/transparent_hugepage'];

async function shellTargets(machine: Machine): Promise<string[]> {
  const files: string[] = [];
  for (const dir of TUNABLE_DIRS) for (const name of (await machine.sysfsList(dir)) ?? []) files.push(`${dir}/${name}`);
  return [...SHELL_DIRS, ...files];
}

export async function commandShell(args: readonly string[], io: StudyCliIo, context: StudyCommandContext): Promise<number> {
  const options = parseLiveArgs('shell', args);
  if (options === 'help') {
    io.stdout(SHELL_USAGE);
    return 0;
  }
  if (process.env[INSIDE_ENV] !== '1') return enterNamespace(args, io);
  const problem = privateNamespaceProblem(MEMORY_SYSFS_DIR);
  if (problem !== null) {
    io.stderr(`pfnlab shell: refusing to run: ${problem}\n`);
    return EXIT_INVALID;
  }
  const log = new WriteLog();
  return withScenarioMachine('shell', options, io, context, async (machine) => {
    const dir = mkdtempSync(join(tmpdir(), 'pfnlab-live-'));
    const live = await mountLiveSysfs(machine, dir, { onWrite: (write) => log.record(write) });
    const bound: string[] = [];
    let status: number;
    try {
      for (const target of await shellTargets(machine)) {
        if (!existsSync(target)) {
          if (target === MEMORY_SYSFS_DIR) throw new Error(`${target} does not exist on this host, so there is nothing to mount the model over`);
          io.stderr(`pfnlab shell: note: ${target} does not exist on this host; the model's copy is not mounted there\n`);
          continue;
        }
        // Checked again for each target: none may be in a shared mount.
        const unsafe = privateNamespaceProblem(target);
        if (unsafe !== null) throw new Error(`refusing to mount over ${target}: ${unsafe}`);
        const bind = await runAsync('mount', ['--bind', join(dir, target), target]);
        if (bind.status !== 0) throw new Error(`mount --bind over ${target} failed: ${bind.output.trim()}`);
        bound.push(target);
      }
      const [program, ...programArgs] = options.command;
      status = (await runAsync(program!, programArgs, 'inherit')).status;
    } finally {
      for (const target of bound.reverse()) await runAsync('umount', ['-l', target]);
      await live.unmount();
      rmSync(dir, { recursive: true, force: true });
    }
    log.save(options.log);
    let invariants = 'ok';
    try {
      await machine.checkInvariants();
    } catch (error) {
      invariants = error instanceof Error ? error.message : String(error);
    }
    const blocks = await machine.blocks();
    const states: Record<string, number> = {};
    for (const block of blocks) states[block.state] = (states[block.state] ?? 0) + 1;
    if (options.summary !== undefined) {
      const summary = {
        command: options.command,
        status,
        writes: log.writes,
        refused: log.refused,
        requests: live.requests(),
        invariants,
        states,
        blocks: blocks.map((block) => ({ id: block.id, state: block.state, zone: block.zone })),
      };
      writeFileSync(options.summary, `${JSON.stringify(summary, null, 2)}\n`);
    }
    io.stderr(
      `pfnlab shell: ${options.command[0]} exited with status ${status}; ${log.tally}; ` +
        `blocks ${Object.entries(states).map(([state, n]) => `${n} ${state}`).join(', ')}; ` +
        (invariants === 'ok' ? 'the model\'s invariants hold\n' : `the model's invariants broke: ${invariants}\n`),
    );
    return invariants === 'ok' ? status : EXIT_INVARIANTS;
  });
}

/**
 * Start this command again inside `unshare --mount --propagation private`.
 * Refuses when the namespace cannot be made (not root, no unshare): the
 * model is never mounted over the real paths instead.
 */
async function enterNamespace(args: readonly string[], io: StudyCliIo): Promise<number> {
  const probe = spawnSync('unshare', ['--mount', '--propagation', 'private', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = (probe.stderr || probe.error?.message || `exit status ${probe.status}`).trim();
    io.stderr(`pfnlab shell: refusing to run: cannot make a private mount namespace (${why}). It needs root (CAP_SYS_ADMIN) and util-linux's unshare; without it the model would have to be mounted over the real /sys.\n`);
    return EXIT_INVALID;
  }
  const bin = join(findPackageRoot(import.meta.url), 'bin', 'pfnlab.mjs');
  const host = ownMountNamespace() ?? '';
  const inside = await runAsync('unshare', ['--mount', '--propagation', 'private', '--', process.execPath, bin, 'shell', ...args], 'inherit', {
    ...process.env,
    [INSIDE_ENV]: '1',
    [HOST_NAMESPACE_ENV]: host,
  });
  // With stdio inherited, output holds only a failure to start unshare.
  if (inside.output !== '') {
    io.stderr(`pfnlab shell: ${inside.output}\n`);
    return EXIT_INVALID;
  }
  return inside.status;
}
