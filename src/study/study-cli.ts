/**
 * The study commands of the `pfnlab` command line (cli.ts dispatches to them):
 *
 *   pfnlab study FILE [--out DIR|-] [--shard i/n|auto/n] [--engine wasm|reference]
 *   pfnlab merge --out DIR|- SHARD...        (SHARD: a shard's directory or its results.json)
 *   pfnlab report RESULTS [--out FILE|-]
 *
 * Arguments are read with `node:util` parseArgs. A study writes its
 * directory and nothing else: results.json and results.csv (the same for the
 * same study), report.html, and wall.json (the clock's figures, kept apart).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { EngineChoice, EngineFactory } from '../contract/engine-api.js';
import { CommandLineError, parseCommand } from './command-line.js';
import { readStudy, StudyError, type ScenarioReader } from './study-file.js';
import { runStudyPool } from './study-pool.js';
import type { ProgressListener } from '../model/core/types.js';
import { mergeResults, parseShard, resultsCsv, resultsJson, runStudy, shardPoints, studyTable, type ShardSpec } from './study.js';
import { bootMachine } from '../model/index.js';
import { renderStudyHtml } from './html-report.js';
import { checkScenarioText } from './scenario.js';
import { importMachine, zoneinfoZones, type SysrootReader } from './import.js';
import { STUDY_RESULTS_FORMAT, type StudyResults, type StudyWallTimes } from './study-results.js';

export interface StudyCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard error is a terminal: show a progress bar there. */
  stderrIsTty?: boolean;
}

export const STUDY_USAGE = `usage: pfnlab study FILE [--out DIR|-] [--shard i/n|auto/n] [--jobs N] [--engine wasm|reference]

Runs every point of the study FILE (or a shard's slice of them) and writes
DIR (default pfnlab-study/NAME, or pfnlab-study/NAME/shard-I-of-N):
  results.json, results.csv   one row per point and metric (the same for the same study)
  report.html                 the question, the table, charts and the memory map
  wall.json                   wall-clock seconds per point (differs between runs)
--out - prints results.json on standard output and writes nothing.
--shard i/n runs the points whose number is i modulo n; auto/n takes i from
JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or SLURM_ARRAY_TASK_ID (Slurm arrays).
--jobs N runs the points on N worker threads (default: one per core); the
results do not depend on N.
`;

export const MERGE_USAGE = `usage: pfnlab merge --out DIR|- SHARD...

Joins the results of every shard of one study (each SHARD a shard's directory
or its results.json) into the whole study's results.json, results.csv and
report.html in DIR, equal byte for byte to an unsharded run. --out - prints
the merged results.json on standard output.
`;

export const REPORT_USAGE = `usage: pfnlab report RESULTS [--out FILE|-]

Renders the HTML report of a study's results.json (default FILE: report.html
beside it; - for standard output).
`;

function engineChoice(command: string, value: string | boolean | undefined): EngineChoice {
  if (value === undefined) return { engine: 'wasm', worker: false };
  if (value !== 'wasm' && value !== 'reference') throw new CommandLineError(`${command}: --engine: expected wasm or reference, got ${JSON.stringify(value)}`);
  return { engine: value, worker: false };
}

async function writeOutputs(dir: string, results: StudyResults, wall: StudyWallTimes | null): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: [string, string][] = [
    ['results.json', resultsJson(results)],
    ['results.csv', resultsCsv(results)],
  ];
  written.push(['report.html', await renderStudyHtml(results)]);
  if (wall !== null) written.push(['wall.json', `${JSON.stringify(wall, null, 2)}\n`]);
  for (const [name, text] of written) await writeFile(join(dir, name), text);
  return written.map(([name]) => join(dir, name));
}

/**
 * A progress line on a terminal: points done, points per second, time left,
 * and how the point in hand gets on (its boot, its step, a workload's round:
 * one point on a 64 TiB machine can take seconds). Silent otherwise.
 */
export function progressLine(io: StudyCliIo, label: string): { tick: (done: number, total: number) => void; step: ProgressListener; end: () => void } {
  if (io.stderrIsTty !== true) return { tick: () => undefined, step: () => undefined, end: () => undefined };
  const t0 = performance.now();
  const width = 24;
  let points = { done: 0, total: 0 };
  let detail = '';
  const draw = (): void => {
    const { done, total } = points;
    const seconds = (performance.now() - t0) / 1000;
    const rate = done / Math.max(seconds, 1e-9);
    const left = rate > 0 ? `${((total - done) / rate).toFixed(0)} s left` : '';
    const filled = Math.round((width * done) / Math.max(total, 1));
    // \x1b[K clears what a longer line before left behind.
    io.stderr(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} points, ${rate.toFixed(2)}/s, ${left}${detail}\x1b[K`);
  };
  return {
    tick(done, total) {
      points = { done, total };
      detail = '';
      draw();
    },
    step(event) {
      detail = `; point ${points.done + 1}: ${event.what} ${event.done}/${event.total}`;
      draw();
    },
    end() {
      io.stderr('\n');
    },
  };
}

/** Reads the scenario a study names by path, relative to the study file's directory. */
export function scenarioBeside(studyFile: string): ScenarioReader {
  return async (path) => ({ text: await readFile(resolve(dirname(studyFile), path), 'utf8'), file: path });
}

export interface StudyCommandContext {
  choose(choice: EngineChoice): Promise<EngineFactory>;
  /** The compiled worker script (study-worker.ts) for --jobs above 1; without it points run in this thread. */
  studyWorker?: URL;
}

/** `pfnlab study`: returns the exit code, 0 once every point ran (failed steps are results). */
export async function commandStudy(args: readonly string[], io: StudyCliIo, context: StudyCommandContext): Promise<number> {
  const { values, positionals } = parseCommand('study', args, { out: { type: 'string', short: 'o' }, shard: { type: 'string' }, engine: { type: 'string' }, jobs: { type: 'string', short: 'j' } });
  if (values.help === true) {
    io.stdout(STUDY_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CommandLineError(`study: expected one study file, got ${positionals.length}`);
  const file = positionals[0]!;
  let shard: ShardSpec | undefined;
  try {
    shard = values.shard === undefined ? undefined : parseShard(String(values.shard));
  } catch (error) {
    throw new CommandLineError(`study: ${(error as Error).message}`);
  }
  const choice = engineChoice('study', values.engine);
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new CommandLineError(`study: --jobs: expected a number of worker threads, at least 1, got ${JSON.stringify(values.jobs)}`);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StudyError(file, [`cannot read the study (${(error as { code?: string }).code ?? 'EIO'})`]);
  }
  const study = await readStudy(text, file, scenarioBeside(file));
  const bar = progressLine(io, study.name);
  bar.tick(0, shardPoints(study.points, shard).length);
  const { results, wall } =
    jobs > 1 && context.studyWorker !== undefined
      ? await runStudyPool(study, { text, file, engine: choice, jobs, workerUrl: context.studyWorker, onPoint: bar.tick, ...(shard === undefined ? {} : { shard }) })
      : await runStudy(study, { engines: await context.choose(choice), onPoint: bar.tick, progress: bar.step, ...(shard === undefined ? {} : { shard }) });
  bar.end();
  const out = typeof values.out === 'string' ? values.out : join('pfnlab-study', study.name, ...(shard === undefined ? [] : [`shard-${shard.index}-of-${shard.count}`]));
  if (out === '-') io.stdout(resultsJson(results));
  else {
    const written = await writeOutputs(out, results, wall);
    io.stdout(`${study.question}\n\n${studyTable(results, study.table)}\nreport: ${join(out, 'report.html')}\n`);
    io.stderr(`${study.name}: ${results.outcomes.length} points${shard === undefined ? '' : ` (shard ${shard.index}/${shard.count} of ${study.points.length})`} in ${wall.totalSeconds.toFixed(1)} s; wrote ${written.join(', ')}\n`);
  }
  // A point whose workload ends in oom, or whose machine does not boot, is an answer, not an error.
  return 0;
}

async function readResults(path: string): Promise<{ file: string; results: StudyResults }> {
  const file = path.endsWith('.json') ? path : join(path, 'results.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CommandLineError(code !== undefined ? `cannot read ${file} (${code})` : `${file} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as StudyResults).format !== STUDY_RESULTS_FORMAT) {
    throw new CommandLineError(`${file} is not ${STUDY_RESULTS_FORMAT} results`);
  }
  return { file, results: parsed as StudyResults };
}

/** `pfnlab merge`. */
export async function commandMerge(args: readonly string[], io: StudyCliIo): Promise<number> {
  const { values, positionals } = parseCommand('merge', args, { out: { type: 'string', short: 'o' } });
  if (values.help === true) {
    io.stdout(MERGE_USAGE);
    return 0;
  }
  if (typeof values.out !== 'string') throw new CommandLineError('merge: --out DIR (or -) is required');
  if (positionals.length === 0) throw new CommandLineError('merge: expected the shards to merge');
  const parts = await Promise.all(positionals.map(readResults));
  let merged: StudyResults;
  try {
    merged = mergeResults(parts);
  } catch (error) {
    throw new CommandLineError((error as Error).message);
  }
  if (values.out === '-') io.stdout(resultsJson(merged));
  else io.stderr(`${merged.study.name}: ${parts.length} shards, ${merged.outcomes.length} points; wrote ${(await writeOutputs(values.out, merged, null)).join(', ')}\n`);
  return 0;
}

/** `pfnlab report`. */
export async function commandReport(args: readonly string[], io: StudyCliIo): Promise<number> {
  const { values, positionals } = parseCommand('report', args, { out: { type: 'string', short: 'o' } });
  if (values.help === true) {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new CommandLineError(`report: expected one results.json (or its directory), got ${positionals.length}`);
  const { file, results } = await readResults(positionals[0]!);
  const html = await renderStudyHtml(results);
  const out = typeof values.out === 'string' ? values.out : join(dirname(file), 'report.html');
  if (out === '-') io.stdout(html);
  else {
    await writeFile(out, html);
    io.stderr(`wrote ${out}\n`);
  }
  return 0;
}

export const IMPORT_USAGE = `usage: pfnlab import [--sysroot DIR] [--out FILE|-] [--check]

Writes a scenario that boots to this machine's memory layout (or to that of
a copied tree under DIR: sys/ and proc/ as on the machine), read from
/sys/firmware/memmap (or /proc/iomem), /sys/devices/system/{memory,node},
/sys/firmware/acpi/tables/SRAT when readable, /proc/cmdline, /proc/sys/vm,
/proc/cpuinfo and /proc/zoneinfo, with an expect step that checks the
imported zones and blocks. Default FILE: standard output. What it could not
read or infer is said in comments and on standard error.
--check boots the scenario instead and prints the model beside the machine:
each zone's start, span and present pages, the managed pages of both with
the difference, and lsmem on both (exit 0 when spans and lsmem agree).
`;

/** A tree on disk: `root` joined with the absolute paths the kernel uses. */
function sysrootReader(root: string): SysrootReader {
  const at = (path: string): string => join(root, path);
  const absent = (error: unknown): undefined => {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES' || code === 'EPERM' || code === 'EINVAL') return undefined;
    throw error;
  };
  return {
    read: (path) => readFile(at(path), 'utf8').catch(absent),
    readBytes: (path) => readFile(at(path)).catch(absent),
    list: (path) => readdir(at(path)).catch(absent),
  };
}

/** `pfnlab import`. */
export async function commandImport(args: readonly string[], io: StudyCliIo, context: ImportCheckContext): Promise<number> {
  const { values, positionals } = parseCommand('import', args, { sysroot: { type: 'string' }, out: { type: 'string', short: 'o' }, check: { type: 'boolean' } });
  if (values.help === true) {
    io.stdout(IMPORT_USAGE);
    return 0;
  }
  if (positionals.length > 0) throw new CommandLineError(`import: takes no file, got ${positionals.join(' ')} (the tree is --sysroot DIR)`);
  const root = values.sysroot ?? '/';
  const { yaml, notes } = await importMachine(sysrootReader(root), root === '/' ? 'this machine' : root);
  for (const note of notes) io.stderr(`pfnlab import: ${note}\n`);
  if (values.check === true) return checkImport(root, yaml, io, context);
  if (values.out === undefined || values.out === '-') io.stdout(yaml);
  else {
    await writeFile(values.out, yaml);
    io.stderr(`wrote ${values.out}\n`);
  }
  return 0;
}

export interface ImportCheckContext {
  choose(choice: EngineChoice): Promise<EngineFactory>;
  /** Boots the imported scenario and exports its sysfs tree and /proc/zoneinfo under `dir`. */
  bootAndExport(yaml: string, dir: string, engines: EngineFactory): Promise<{ zoneinfo: string }>;
  /** Runs util-linux lsmem on a sysfs root (`/` for this machine's). */
  lsmem(sysroot: string): { status: number | null; stdout: string; stderr: string };
}

/**
 * `pfnlab import --check`: boots the imported scenario and sets the model
 * beside the machine: every zone's start, span and present pages (equal or
 * not), the managed pages of each (the difference is what the model does not
 * explain yet: boot reservations, balloons, hugetlb, memory not yet
 * initialised), and lsmem on both. Exit 0 when spans and lsmem agree.
 */
export async function checkImport(root: string, yaml: string, io: StudyCliIo, context: ImportCheckContext): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'pfnlab-import-check-'));
  try {
    const { zoneinfo } = await context.bootAndExport(yaml, dir, await context.choose({ engine: 'wasm', worker: false }));
    const realText = await readFile(join(root, 'proc', 'zoneinfo'), 'utf8').catch(() => '');
    const model = new Map(zoneinfoZones(zoneinfo).map((z) => [`${z.node}:${z.zone}`, z]));
    const lines = [['zone', 'start_pfn', 'spanned', 'present', 'managed real', 'managed model', 'managed difference']];
    let spansEqual = true;
    for (const r of zoneinfoZones(realText)) {
      const key = `${r.node}:${r.zone}`;
      const m = model.get(key) ?? { startPfn: 0, spanned: 0, present: 0, managed: 0 };
      if (r.spanned === 0 && m.spanned === 0) continue;
      const same = (a: number, b: number): string => (a === b ? String(a) : `${a} (model ${b})`);
      if (r.startPfn !== m.startPfn || r.spanned !== m.spanned || r.present !== m.present) spansEqual = false;
      lines.push([key, same(r.startPfn, m.startPfn), same(r.spanned, m.spanned), same(r.present, m.present), String(r.managed), String(m.managed), String(r.managed - m.managed)]);
    }
    const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
    io.stdout(`${lines.map((l) => l.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n')}\n`);
    io.stdout(`zone spans: ${spansEqual ? 'equal' : 'DIFFER'}\n`);
    const [realLsmem, modelLsmem] = [context.lsmem(root), context.lsmem(dir)];
    if (realLsmem.status !== 0 || modelLsmem.status !== 0) {
      io.stdout(`lsmem: could not run (${(realLsmem.stderr || modelLsmem.stderr).trim()})\n`);
      return 1;
    }
    const lsmemEqual = realLsmem.stdout === modelLsmem.stdout;
    io.stdout(`lsmem: ${lsmemEqual ? 'equal' : 'DIFFER'}\n`);
    if (!lsmemEqual) {
      const [a, b] = [realLsmem.stdout.split('\n'), modelLsmem.stdout.split('\n')];
      for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) io.stdout(`  machine: ${a[i] ?? ''}\n  model:   ${b[i] ?? ''}\n`);
    }
    return spansEqual && lsmemEqual ? 0 : 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The check's machine: the scenario booted on the chosen engines, and util-linux lsmem. */
export function importCheckContext(choose: StudyCommandContext['choose']): ImportCheckContext {
  return {
    choose,
    async bootAndExport(yaml, dir, engines) {
      const checked = checkScenarioText(yaml, 'imported.yaml');
      if (!checked.ok) throw checked.error;
      const machine = await bootMachine(checked.scenario.machine, { engines });
      try {
        await machine.exportSysfs(dir);
        return { zoneinfo: await machine.zoneinfo() };
      } finally {
        await machine.close();
      }
    },
    lsmem(sysroot) {
      const run = spawnSync('lsmem', sysroot === '/' ? [] : ['--sysroot', sysroot], { encoding: 'utf8' });
      return { status: run.status, stdout: run.stdout ?? '', stderr: run.stderr || (run.error?.message ?? '') };
    },
  };
}
