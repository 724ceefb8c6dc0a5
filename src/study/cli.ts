/**
 * The `pfnlab` command line.
 *
 *   pfnlab run [SCENARIO | --default] [--json] [--sysfs DIR] [--zoneinfo FILE]
 *              [--iomem FILE] [--engine wasm|reference] [--worker]
 *   pfnlab validate [--json] SCENARIO...
 *   pfnlab demo
 *   pfnlab --help | --version
 *
 * Exit codes: 0 when every step passed, 1 when a step failed, 2 for invalid
 * input (bad arguments, an unreadable or invalid scenario, a machine the model
 * cannot boot). With no arguments it runs the built-in default scenario.
 * Under `--json` every outcome is JSON on standard output, errors included
 * (the error text also goes to standard error, as without it).
 */

import type { EngineApi, EngineChoice, EngineFactory } from '../contract/engine-api.js';
import type { ProgressListener } from '../model/core/types.js';
import { DEFAULT_SCENARIO_FILE } from './default-scenario.js';
import { REPORT_FORMAT, renderSummary, reportJson } from './report.js';
import { BootFailure, type ExportOverrides, runScenario } from './runner.js';
import { CommandLineError, parseCommand } from './command-line.js';
import { commandImport, commandMerge, commandReport, commandStudy, importCheckContext } from './study-cli.js';
import { StudyError } from './study-file.js';
import { commandServe, commandShell } from './live-cli.js';
import { checkExportDir, type Scenario, STDOUT_PATH } from './scenario.js';
import { loadFailure, loadScenario } from './scenario-load.js';

export const EXIT_OK = 0;
export const EXIT_STEP_FAILED = 1;
export const EXIT_INVALID = 2;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard error is a terminal (a study shows its progress there). */
  stderrIsTty?: boolean;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
};

export const USAGE = `pfnlab: Linux memory hot(un)plug modelled at multi-terabyte scale

usage:
  pfnlab run [SCENARIO | --default] [options]   boot a scenario's machine and run its steps
  pfnlab validate [--json] SCENARIO...          check scenario files without running them
  pfnlab study FILE [--out DIR|-] [--shard i/n] run a study's sweep: tables, charts, a memory map
  pfnlab merge --out DIR|- SHARD...             join a sharded study's results
  pfnlab report RESULTS [--out FILE|-]          render a study's HTML report
  pfnlab import [--sysroot DIR] [--out FILE|-]  a scenario of this machine's (or a tree's) layout
  pfnlab serve SCENARIO --mount DIR             the model's sysfs as a live FUSE file system
  pfnlab shell SCENARIO -- COMMAND...           a command with the model over the real /sys paths
  pfnlab demo                                   the page-state engine on a 4 TiB window
  pfnlab --help                                 this text
  pfnlab --version                              the version

With no arguments, pfnlab runs the built-in default scenario
(${DEFAULT_SCENARIO_FILE}: 4 nodes x 1 TiB, movable_node).

run options:
  --json               print the JSON report instead of the summary (errors too)
  --sysfs DIR          export the sysfs tree to DIR instead of the scenario's paths
                       (after the last step if no step exports sysfs); lsmem --sysroot DIR
  --zoneinfo FILE      likewise for /proc/zoneinfo; - for standard output
  --iomem FILE         likewise for /proc/iomem; - for standard output
  --engine KIND        wasm (default) or reference (the plain TypeScript engine)
  --worker             run engine shards in worker threads

When an export goes to standard output (-), the summary goes to standard
error; --json cannot share standard output with such an export.

pfnlab COMMAND --help describes one command (run, validate, study, merge, report, import,
serve, shell).

exit status: 0 all steps passed, 1 a step failed, 2 invalid input
`;

const RUN_USAGE = `usage: pfnlab run [SCENARIO | --default] [--json] [--sysfs DIR] [--zoneinfo FILE|-]
                  [--iomem FILE|-] [--engine wasm|reference] [--worker]

Boots the scenario's machine (the built-in default without SCENARIO), runs its
steps and prints a summary, or with --json the report. See pfnlab --help for
the options; exit status 0 all steps passed, 1 a step failed, 2 invalid input.
`;

const VALIDATE_USAGE = `usage: pfnlab validate [--json] SCENARIO...

Checks scenario files without running them: one line per file, or with
--json one report. Exit status 0 all valid, 2 otherwise.
`;

/**
 * What the CLI's entry point (`src/cli.ts`) gives it: the engines it may use
 * (the study layer never picks a concrete engine itself) and the version.
 */
export interface CliContext {
  /** The factory for a run's `--engine` and `--worker` choice. */
  choose(choice: EngineChoice): Promise<EngineFactory>;
  /** The in-thread WASM engine that `pfnlab demo` measures. */
  demo: EngineFactory<EngineApi>;
  /** What `--version` prints. */
  version: string;
  /** The compiled study worker (study-worker.ts), for `pfnlab study --jobs`. */
  studyWorker?: URL;
}


/**
 * What the CLI prints on standard output under `--json` when it cannot give
 * a report: the fields of a failed step (status, errno, message, what) under
 * `error`, plus the file when one is to blame.
 */
export interface CliErrorJson {
  format: typeof REPORT_FORMAT;
  error: { status: 'failed'; what: string; errno: string; message: string; file?: string };
}

function errorJson(what: string, errno: string, message: string, file?: string): string {
  const error: CliErrorJson['error'] = { status: 'failed', what, errno, message };
  if (file !== undefined) error.file = file;
  const out: CliErrorJson = { format: REPORT_FORMAT, error };
  return `${JSON.stringify(out, null, 2)}\n`;
}

interface RunArgs {
  scenario: string | null;
  json: boolean;
  overrides: ExportOverrides;
  engine: 'wasm' | 'reference';
  worker: boolean;
}

const RUN_OPTIONS = {
  json: { type: 'boolean' },
  default: { type: 'boolean' },
  worker: { type: 'boolean' },
  sysfs: { type: 'string' },
  zoneinfo: { type: 'string' },
  iomem: { type: 'string' },
  engine: { type: 'string' },
} as const;

function parseRunArgs(args: readonly string[]): RunArgs | 'help' {
  const { values, positionals } = parseCommand('run', args, RUN_OPTIONS);
  if (values.help === true) return 'help';
  const out: RunArgs = { scenario: null, json: values.json === true, overrides: {}, engine: 'wasm', worker: values.worker === true };
  for (const kind of ['sysfs', 'zoneinfo', 'iomem'] as const) {
    const path = values[kind];
    if (path === undefined) continue;
    if (path === '') throw new CommandLineError(`--${kind}: expected a value`);
    const refused = kind === 'sysfs' ? checkExportDir(path) : null;
    if (refused !== null) throw new CommandLineError(`--sysfs: ${refused}`);
    out.overrides[kind] = path;
  }
  if (values.engine !== undefined) {
    if (values.engine !== 'wasm' && values.engine !== 'reference') throw new CommandLineError(`--engine: expected wasm or reference, got ${JSON.stringify(values.engine)}`);
    out.engine = values.engine;
  }
  if (positionals.length > 1) throw new CommandLineError(`run takes one scenario, got ${positionals.join(' and ')}`);
  out.scenario = positionals[0] ?? null;
  if (values.default === true && out.scenario !== null) throw new CommandLineError('--default and a scenario file are exclusive');
  return out;
}

/** Paths of every export destination a run would use. */
function exportDestinations(scenario: Scenario, overrides: ExportOverrides): string[] {
  const paths: string[] = Object.values(overrides).filter((path): path is string => path !== undefined);
  for (const step of scenario.steps) {
    if (step.kind !== 'export') continue;
    for (const kind of ['zoneinfo', 'iomem'] as const) {
      const path = overrides[kind] ?? step[kind];
      if (path !== undefined) paths.push(path);
    }
  }
  return paths;
}

async function commandRun(args: readonly string[], io: CliIo, context: CliContext): Promise<number> {
  const options = parseRunArgs(args);
  if (options === 'help') {
    io.stdout(RUN_USAGE);
    return EXIT_OK;
  }
  const fail = (what: string, errno: string, message: string, file?: string): number => {
    io.stderr(`${message}\n`);
    if (options.json) io.stdout(errorJson(what, errno, message, file));
    return EXIT_INVALID;
  };
  const loaded = await loadScenario(options.scenario);
  const name = options.scenario ?? `(built-in) ${DEFAULT_SCENARIO_FILE}`;
  if (!loaded.ok) {
    const failure = loadFailure(loaded, name);
    return fail(`load ${name}`, failure.errno, failure.message, failure.file);
  }
  const toStdout = exportDestinations(loaded.scenario, options.overrides).includes(STDOUT_PATH);
  if (toStdout && options.json) {
    throw new CommandLineError('--json and an export to standard output (-) would share it: give the export a file');
  }
  let report;
  try {
    // On a terminal, a line that says how the boot and each step get on (a 64 TiB fill takes seconds).
    const progress: ProgressListener | undefined =
      io.stderrIsTty === true ? (event) => io.stderr(`\r${loaded.scenario.name}: ${event.what} ${event.done}/${event.total}\x1b[K`) : undefined;
    report = await runScenario(loaded.scenario, {
      engines: await context.choose({ engine: options.engine, worker: options.worker }),
      exportOverrides: options.overrides,
      stdout: io.stdout,
      ...(progress === undefined ? {} : { progress }),
    });
    if (progress !== undefined) io.stderr('\r\x1b[K');
  } catch (err) {
    if (err instanceof BootFailure) return fail('boot', 'EINVAL', err.message, err.file);
    throw err;
  }
  if (options.json) io.stdout(reportJson(report));
  // The summary gives standard output up to an export that was sent there.
  else (toStdout ? io.stderr : io.stdout)(renderSummary(report));
  return report.result.failed > 0 ? EXIT_STEP_FAILED : EXIT_OK;
}

/** One file's line of `validate --json`. */
interface ValidatedJson {
  file: string;
  status: 'ok' | 'failed';
  name?: string;
  nodes?: number;
  steps?: number;
  errno?: string;
  message?: string;
}

async function commandValidate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals: files } = parseCommand('validate', args, { json: { type: 'boolean' } });
  if (values.help === true) {
    io.stdout(VALIDATE_USAGE);
    return EXIT_OK;
  }
  const json = values.json === true;
  if (files.length === 0) throw new CommandLineError('validate: expected one or more scenario files');
  let status = EXIT_OK;
  const results: ValidatedJson[] = [];
  for (const file of files) {
    const loaded = await loadScenario(file);
    if (!loaded.ok) {
      const failure = loadFailure(loaded, file);
      io.stderr(`${failure.message}\n`);
      results.push({ file, status: 'failed', errno: failure.errno, message: failure.message });
      status = EXIT_INVALID;
      continue;
    }
    const { scenario } = loaded;
    const nodes = new Set((scenario.machine.srat ?? [{ node: 0 }]).map((entry) => entry.node)).size;
    results.push({ file, status: 'ok', name: scenario.name, nodes, steps: scenario.steps.length });
    if (!json) io.stdout(`${file}: ok (${scenario.name}: ${nodes} node${nodes === 1 ? '' : 's'}, ${scenario.steps.length} steps)\n`);
  }
  if (json) io.stdout(`${JSON.stringify({ format: REPORT_FORMAT, files: results }, null, 2)}\n`);
  return status;
}

/** Run the command line `args` (without node and the script); returns the exit code. */
export async function main(args: readonly string[], context: CliContext, io: CliIo = processIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    switch (command) {
      case undefined:
        return await commandRun([], io, context);
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case '--version':
      case '-V':
        io.stdout(`pfnlab ${context.version}\n`);
        return EXIT_OK;
      case 'run':
        return await commandRun(rest, io, context);
      case 'validate':
        return await commandValidate(rest, io);
      case 'study':
        return await commandStudy(rest, io, context);
      case 'merge':
        return await commandMerge(rest, io);
      case 'report':
        return await commandReport(rest, io);
      case 'serve':
        return await commandServe(rest, io, context);
      case 'shell':
        return await commandShell(rest, io, context);
      case 'import':
        return await commandImport(rest, io, importCheckContext(context.choose));
      case 'demo':
        if (rest.length > 0) throw new CommandLineError(`demo takes no arguments, got ${rest.join(' ')}`);
        {
          const { runDemo } = await import('./demo.js');
          await runDemo((line) => io.stdout(`${line}\n`), context.demo);
        }
        return EXIT_OK;
      default:
        throw new CommandLineError(`unknown command ${JSON.stringify(command)} (expected run, validate, study, merge, report, import, serve, shell, demo, --help or --version)`);
    }
  } catch (err) {
    if (err instanceof StudyError) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    if (err instanceof CommandLineError) {
      io.stderr(`pfnlab: ${err.message}\nrun pfnlab --help for usage\n`);
      if (args.includes('--json')) io.stdout(errorJson('command line', 'EINVAL', `pfnlab: ${err.message}`));
      return EXIT_INVALID;
    }
    throw err;
  }
}
