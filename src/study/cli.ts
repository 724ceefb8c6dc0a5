/**
 * The `pfnlab` command line.
 *
 *   pfnlab run [SCENARIO | --default] [--json] [--sysfs DIR] [--zoneinfo FILE]
 *              [--iomem FILE] [--engine wasm|reference] [--worker]
 *   pfnlab validate SCENARIO...
 *   pfnlab demo
 *   pfnlab --help
 *
 * Exit codes: 0 when every step passed, 1 when a step failed, 2 for invalid
 * input (bad arguments, an unreadable or invalid scenario, a machine the model
 * cannot boot). With no arguments it runs the built-in default scenario.
 */

import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { EngineApi, EngineChoice, EngineFactory } from '../contract/engine-api.js';
import { DEFAULT_SCENARIO_FILE, DEFAULT_SCENARIO_YAML } from './default-scenario.js';
import { renderSummary, reportJson } from './report.js';
import { BootFailure, type ExportOverrides, runScenario } from './runner.js';
import { checkScenarioText, MAX_SCENARIO_CHARS, type ScenarioResult } from './scenario.js';

export const EXIT_OK = 0;
export const EXIT_STEP_FAILED = 1;
export const EXIT_INVALID = 2;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export const USAGE = `pfnlab: Linux memory hot(un)plug modelled at multi-terabyte scale

usage:
  pfnlab run [SCENARIO | --default] [options]   boot a scenario's machine and run its steps
  pfnlab validate SCENARIO...                   check scenario files without running them
  pfnlab demo                                   the page-state engine on a 4 TiB window
  pfnlab --help                                 this text

With no arguments, pfnlab runs the built-in default scenario
(${DEFAULT_SCENARIO_FILE}: 4 nodes x 1 TiB, movable_node).

run options:
  --json               print the JSON report instead of the summary
  --sysfs DIR          export the sysfs tree to DIR instead of the scenario's paths
                       (after the last step if no step exports sysfs); lsmem --sysroot DIR
  --zoneinfo FILE      likewise for /proc/zoneinfo
  --iomem FILE         likewise for /proc/iomem
  --engine KIND        wasm (default) or reference (the plain TypeScript engine)
  --worker             run engine shards in worker threads

exit status: 0 all steps passed, 1 a step failed, 2 invalid input
`;

/**
 * The engines the CLI may use, injected by its entry point (`src/cli.ts`):
 * the study layer never picks a concrete engine itself.
 */
export interface CliEngines {
  /** The factory for a run's `--engine` and `--worker` choice. */
  choose(choice: EngineChoice): Promise<EngineFactory>;
  /** The in-thread WASM engine that `pfnlab demo` measures. */
  demo: EngineFactory<EngineApi>;
}

class UsageError extends Error {}

interface RunArgs {
  scenario: string | null;
  json: boolean;
  overrides: ExportOverrides;
  engine: 'wasm' | 'reference';
  worker: boolean;
}

function parseRunArgs(args: readonly string[]): RunArgs {
  const out: RunArgs = { scenario: null, json: false, overrides: {}, engine: 'wasm', worker: false };
  let useDefault = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag}: expected a value`);
      return next;
    };
    switch (flag) {
      case '--json':
        out.json = true;
        break;
      case '--default':
        useDefault = true;
        break;
      case '--worker':
        out.worker = true;
        break;
      case '--sysfs':
      case '--zoneinfo':
      case '--iomem': {
        const path = value();
        if (flag === '--sysfs' && resolve(path) === '/') {
          throw new UsageError('--sysfs: must not be the filesystem root (the export would write into the real /sys)');
        }
        out.overrides[flag.slice(2) as keyof ExportOverrides] = path;
        break;
      }
      case '--engine': {
        const engine = value();
        if (engine !== 'wasm' && engine !== 'reference') {
          throw new UsageError(`--engine: expected wasm or reference, got ${JSON.stringify(engine)}`);
        }
        out.engine = engine;
        break;
      }
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (out.scenario !== null) throw new UsageError(`run takes one scenario, got ${out.scenario} and ${arg}`);
        out.scenario = arg;
    }
  }
  if (useDefault && out.scenario !== null) throw new UsageError('--default and a scenario file are exclusive');
  return out;
}

async function loadScenario(file: string | null): Promise<ScenarioResult | { ok: false; readError: string }> {
  if (file === null) return checkScenarioText(DEFAULT_SCENARIO_YAML, `(built-in) ${DEFAULT_SCENARIO_FILE}`);
  let text: string;
  try {
    // Refuse a huge file before reading it into memory.
    const { size } = await stat(file);
    if (size > MAX_SCENARIO_CHARS * 4) {
      return { ok: false, readError: `${file}: the file has ${size} bytes, more than a scenario may have (${MAX_SCENARIO_CHARS} characters)` };
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'EIO';
    return { ok: false, readError: `${file}: cannot read the scenario (${code})` };
  }
  return checkScenarioText(text, file);
}

async function commandRun(args: readonly string[], io: CliIo, engines: CliEngines): Promise<number> {
  const options = parseRunArgs(args);
  const loaded = await loadScenario(options.scenario);
  if (!loaded.ok) {
    io.stderr(`${'readError' in loaded ? loaded.readError : loaded.error.message}\n`);
    return EXIT_INVALID;
  }
  let report;
  try {
    report = await runScenario(loaded.scenario, {
      engines: await engines.choose({ engine: options.engine, worker: options.worker }),
      exportOverrides: options.overrides,
    });
  } catch (err) {
    if (err instanceof BootFailure) {
      io.stderr(`${err.message}\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
  io.stdout(options.json ? reportJson(report) : renderSummary(report));
  return report.result.failed > 0 ? EXIT_STEP_FAILED : EXIT_OK;
}

async function commandValidate(args: readonly string[], io: CliIo): Promise<number> {
  if (args.length === 0) throw new UsageError('validate: expected one or more scenario files');
  let status = EXIT_OK;
  for (const file of args) {
    if (file.startsWith('-')) throw new UsageError(`validate: unknown option ${file}`);
    const loaded = await loadScenario(file);
    if (!loaded.ok) {
      io.stderr(`${'readError' in loaded ? loaded.readError : loaded.error.message}\n`);
      status = EXIT_INVALID;
      continue;
    }
    const { scenario } = loaded;
    const nodes = new Set((scenario.machine.srat ?? [{ node: 0 }]).map((entry) => entry.node)).size;
    io.stdout(`${file}: ok (${scenario.name}: ${nodes} node${nodes === 1 ? '' : 's'}, ${scenario.steps.length} steps)\n`);
  }
  return status;
}

/** Run the command line `args` (without node and the script); returns the exit code. */
export async function main(args: readonly string[], engines: CliEngines, io: CliIo = processIo): Promise<number> {
  try {
    const [command, ...rest] = args;
    switch (command) {
      case undefined:
        return await commandRun([], io, engines);
      case '--help':
      case '-h':
      case 'help':
        io.stdout(USAGE);
        return EXIT_OK;
      case 'run':
        return await commandRun(rest, io, engines);
      case 'validate':
        return await commandValidate(rest, io);
      case 'demo':
        if (rest.length > 0) throw new UsageError(`demo takes no arguments, got ${rest.join(' ')}`);
        {
          const { runDemo } = await import('./demo.js');
          await runDemo((line) => io.stdout(`${line}\n`), engines.demo);
        }
        return EXIT_OK;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (expected run, validate, demo or --help)`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`pfnlab: ${err.message}\nrun pfnlab --help for usage\n`);
      return EXIT_INVALID;
    }
    throw err;
  }
}
