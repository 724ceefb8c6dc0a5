/**
 * Study files: a base scenario, the values swept over it, and the metrics to
 * record at each point (README "Studies").
 *
 *   version: 1
 *   name: movable-share                  # default: the file's base name
 *   question: How much of this machine can be ZONE_MOVABLE?
 *   seed: 1                              # default 1; the scenario's seed unless swept
 *   scenario: ../scenarios/x.yaml        # a path (from the study's directory) or an inline scenario
 *   sweep:                               # the points are every combination, first axis slowest
 *     - path: cmdline:kernelcore         # a kernel parameter of the scenario's cmdline
 *       values: [10%, 50%, 90%]
 *     - path: steps[1].slab.share        # any scenario value by its path
 *       name: slab                       # column name (default: the path)
 *       range: { from: 0.02, to: 0.06, step: 0.02 }
 *       kind: movable-kernel-ratio       # optional: the values are MOVABLE:KERNEL ratios
 *   metrics: [outcome, zones, headroom, removable, step_seconds, max_movable_ratio]
 *   map: { point: 4 }                    # the point whose memory map the report draws (default: the last)
 *   table: [headroom.slab]               # metrics `pfnlab study` prints per point (summed over names that start so)
 *
 * Every point's scenario is built and validated before anything runs: an
 * error names the file, the field and, for a value the scenario rejects, the
 * point and its values.
 */
import { parse as parseYaml, parseDocument } from 'yaml';
import { baseName, checkScenarioDocument, MAX_ALIAS_EXPANSIONS, type Scenario } from './scenario.js';
import type { StudyAxis, StudyMetricName, SweepValue } from './study-results.js';

export const STUDY_VERSION = 1;
export const STUDY_METRICS: readonly StudyMetricName[] = ['outcome', 'zones', 'headroom', 'removable', 'step_seconds', 'max_movable_ratio'];
/** The most points one study may have (each boots a machine). */
export const MAX_STUDY_POINTS = 1_000_000;
/** A range's values are rounded to this many significant digits, so 0.1 + 0.2 is 0.3. */
const RANGE_DIGITS = 12;

export class StudyError extends Error {
  override readonly name = 'StudyError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(problems.map((problem) => `${file}: ${problem}`).join('\n'));
  }
}

export interface StudyPoint {
  point: number;
  params: Record<string, SweepValue>;
  scenario: Scenario;
}

export interface Study {
  file: string;
  name: string;
  question: string;
  seed: number;
  axes: StudyAxis[];
  metrics: StudyMetricName[];
  mapPoint: number;
  /** Metric name prefixes the command line prints per point, each summed over the rows it matches. */
  table: string[];
  points: StudyPoint[];
}

/** Reads the base scenario a study names by path (resolved against the study's directory). */
export type ScenarioReader = (path: string) => Promise<{ text: string; file: string }>;

type Doc = Record<string, unknown>;

function isRecord(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function isSweepValue(value: unknown): value is SweepValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

/** The values of a `range: { from, to, step, suffix? }`, `to` included. */
function rangeValues(range: unknown, field: string, problems: string[]): SweepValue[] {
  const before = problems.length;
  if (!isRecord(range)) {
    problems.push(`${field}: expected { from, to, step }, got ${describe(range)}`);
    return [];
  }
  const { from, to, step, suffix } = range;
  for (const [key, value] of [['from', from], ['to', to], ['step', step]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      problems.push(`${field}.${key}: expected a number, got ${describe(value)}`);
      return [];
    }
  }
  if (suffix !== undefined && typeof suffix !== 'string') problems.push(`${field}.suffix: expected text such as "%" or "G", got ${describe(suffix)}`);
  const [a, b, s] = [from as number, to as number, step as number];
  if (s <= 0) problems.push(`${field}.step: expected a positive step, got ${s}`);
  else if (b < a) problems.push(`${field}: to (${b}) is below from (${a})`);
  else if ((b - a) / s + 1 > MAX_STUDY_POINTS) problems.push(`${field}: ${Math.floor((b - a) / s) + 1} values, more than the ${MAX_STUDY_POINTS} a study may have`);
  if (problems.length > before) return [];
  const values: SweepValue[] = [];
  // Counted, not accumulated, so no rounding error builds up; `to` is kept when the steps land on it.
  for (let i = 0; ; i++) {
    const value = Number((a + i * s).toPrecision(RANGE_DIGITS));
    if (value > b + Math.abs(s) * 1e-9) break;
    values.push(typeof suffix === 'string' ? `${value}${suffix}` : value);
  }
  return values;
}

function readAxis(input: unknown, index: number, problems: string[]): StudyAxis | null {
  const field = `sweep[${index}]`;
  if (!isRecord(input)) {
    problems.push(`${field}: expected { path, values } or { path, range }, got ${describe(input)}`);
    return null;
  }
  for (const key of Object.keys(input)) {
    if (!['path', 'name', 'values', 'range', 'kind'].includes(key)) problems.push(`${field}.${key}: unknown field (expected path, name, values, range, kind)`);
  }
  const { path, name, values, range, kind } = input;
  if (typeof path !== 'string' || path.length === 0) {
    problems.push(`${field}.path: expected a scenario path such as steps[0].slab.share or cmdline:kernelcore, got ${describe(path)}`);
    return null;
  }
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) problems.push(`${field}.name: expected a column name, got ${describe(name)}`);
  if (kind !== undefined && kind !== 'movable-kernel-ratio') problems.push(`${field}.kind: expected movable-kernel-ratio, got ${describe(kind)}`);
  if ((values === undefined) === (range === undefined)) {
    problems.push(`${field}: give either values or range`);
    return null;
  }
  let list: SweepValue[] = [];
  if (values !== undefined) {
    if (!Array.isArray(values)) problems.push(`${field}.values: expected a list, got ${describe(values)}`);
    else {
      values.forEach((value, i) => {
        if (!isSweepValue(value)) problems.push(`${field}.values[${i}]: expected a number, text or true/false, got ${describe(value)}`);
      });
      list = values.filter(isSweepValue);
    }
  } else {
    list = rangeValues(range, `${field}.range`, problems);
  }
  if (list.length === 0 && !problems.some((p) => p.startsWith(field))) problems.push(`${field}: the sweep is empty (no values)`);
  return { path, name: typeof name === 'string' && name.length > 0 ? name : path, values: list, ...(kind === 'movable-kernel-ratio' ? { kind } : {}) };
}

// ---- setting a value in a scenario document ------------------------------------

/** `a.b[2].c` as keys and indices. */
function splitPath(path: string): (string | number)[] | null {
  const parts: (string | number)[] = [];
  for (const piece of path.split('.')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(piece);
    if (match === null) return null;
    parts.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(index[1]));
  }
  return parts;
}

/** The scenario's cmdline with PARAM set to the value (true: a bare flag; false: removed). */
function setCmdlineParam(cmdline: string, param: string, value: SweepValue): string {
  const words = cmdline.split(/\s+/).filter((word) => word.length > 0 && word !== param && !word.startsWith(`${param}=`));
  if (value === false) return words.join(' ');
  words.push(value === true ? param : `${param}=${value}`);
  return words.join(' ');
}

/**
 * Sets `path` of the scenario document to `value`, as text (the scenario
 * reader sees YAML scalars as text and its schema decides what they mean).
 * Returns the problem when the path leads nowhere.
 */
function setValue(doc: Doc, path: string, value: SweepValue): string | null {
  if (path.startsWith('cmdline:')) {
    const param = path.slice('cmdline:'.length);
    if (!/^[A-Za-z0-9_.-]+$/.test(param)) return `a kernel parameter name, got ${describe(param)}`;
    const cmdline = doc.cmdline ?? '';
    if (typeof cmdline !== 'string') return `the scenario's cmdline is not text`;
    doc.cmdline = setCmdlineParam(cmdline, param, value);
    return null;
  }
  const parts = splitPath(path);
  if (parts === null) return `a path such as steps[0].slab.share or cmdline:kernelcore, got ${describe(path)}`;
  let at: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const next = typeof key === 'number' ? (Array.isArray(at) ? at[key] : undefined) : isRecord(at) ? at[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      return `${parts.slice(0, i + 1).map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[')} is not in the scenario`;
    }
    at = next;
  }
  const last = parts[parts.length - 1]!;
  if (typeof last === 'number') {
    if (!Array.isArray(at) || last >= at.length) return `index ${last} is past the end of its list`;
    at[last] = String(value);
  } else {
    if (!isRecord(at)) return `its parent is not a mapping`;
    at[last] = String(value);
  }
  return null;
}

// ---- reading the study ------------------------------------------------------------

/** Every combination of the axes' values, first axis slowest. */
function combinations(axes: StudyAxis[]): SweepValue[][] {
  let out: SweepValue[][] = [[]];
  for (const axis of axes) out = out.flatMap((prefix) => axis.values.map((value) => [...prefix, value]));
  return out;
}

/** Reads, validates and expands a study: every point's scenario is checked before it returns. */
export async function readStudy(text: string, file: string, readScenario: ScenarioReader): Promise<Study> {
  const problems: string[] = [];
  let input: unknown;
  try {
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    input = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    throw new StudyError(file, [`not a YAML study: ${error instanceof Error ? error.message : String(error)}`]);
  }
  if (!isRecord(input)) throw new StudyError(file, [`expected a mapping with version, question, scenario, sweep and metrics, got ${describe(input)}`]);
  for (const key of Object.keys(input)) {
    if (!['version', 'name', 'question', 'seed', 'scenario', 'sweep', 'metrics', 'map', 'table'].includes(key)) problems.push(`${key}: unknown field`);
  }
  if (input.version !== STUDY_VERSION) problems.push(`version: expected ${STUDY_VERSION} (the only study format this pfnlab reads), got ${describe(input.version)}`);
  const name = input.name === undefined ? baseName(file) : input.name;
  if (typeof name !== 'string' || name.length === 0) problems.push(`name: expected text, got ${describe(input.name)}`);
  if (typeof input.question !== 'string' || input.question.trim().length === 0) problems.push(`question: expected the question the study answers, got ${describe(input.question)}`);
  const seed = input.seed === undefined ? 1 : input.seed;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) problems.push(`seed: expected an integer 0..4294967295, got ${describe(input.seed)}`);

  const axes: StudyAxis[] = [];
  if (!Array.isArray(input.sweep) || input.sweep.length === 0) problems.push(`sweep: expected a list of at least one axis, got ${describe(input.sweep)}`);
  else input.sweep.forEach((raw, i) => {
    const axis = readAxis(raw, i, problems);
    if (axis !== null) axes.push(axis);
  });
  const names = axes.map((axis) => axis.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) problems.push(`sweep[${i}].name: ${describe(n)} names two axes`);
  });

  const metrics: StudyMetricName[] = [];
  if (!Array.isArray(input.metrics) || input.metrics.length === 0) problems.push(`metrics: expected a list of ${STUDY_METRICS.join(', ')}, got ${describe(input.metrics)}`);
  else input.metrics.forEach((metric, i) => {
    if (!STUDY_METRICS.includes(metric as StudyMetricName)) problems.push(`metrics[${i}]: expected one of ${STUDY_METRICS.join(', ')}, got ${describe(metric)}`);
    else if (!metrics.includes(metric as StudyMetricName)) metrics.push(metric as StudyMetricName);
  });

  // The base scenario, as a document (YAML scalars as text, as the scenario reader takes them).
  let base: Doc | null = null;
  let scenarioFile = `${file} (scenario)`;
  if (typeof input.scenario === 'string') {
    try {
      const read = await readScenario(input.scenario);
      scenarioFile = read.file;
      const parsed = parseYaml(read.text, { schema: 'failsafe', maxAliasCount: MAX_ALIAS_EXPANSIONS }) as unknown;
      if (isRecord(parsed)) base = parsed;
      else problems.push(`scenario: ${read.file} is not a scenario mapping`);
    } catch (error) {
      problems.push(`scenario: cannot read ${describe(input.scenario)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  } else if (isRecord(input.scenario)) {
    // Inline: re-read as text so its scalars are text, as in a scenario file.
    base = parseYaml(JSON.stringify(input.scenario), { schema: 'failsafe' }) as Doc;
  } else {
    problems.push(`scenario: expected a scenario file's path or an inline scenario, got ${describe(input.scenario)}`);
  }
  if (base !== null && Array.isArray(base.steps) && base.steps.some((step) => isRecord(step) && 'export' in step)) {
    problems.push('scenario: export steps write files; a study records metrics instead (remove them)');
  }

  const total = axes.reduce((n, axis) => n * axis.values.length, 1);
  if (total > MAX_STUDY_POINTS) problems.push(`sweep: ${total} points, more than the ${MAX_STUDY_POINTS} a study may have`);
  let mapPoint = total - 1;
  if (input.map !== undefined) {
    const point = isRecord(input.map) ? input.map.point : undefined;
    if (typeof point !== 'number' || !Number.isSafeInteger(point) || point < 0 || point >= total) problems.push(`map.point: expected a point 0..${total - 1}, got ${describe(point)}`);
    else mapPoint = point;
  }
  const table: string[] = [];
  if (input.table !== undefined) {
    if (!Array.isArray(input.table)) problems.push(`table: expected a list of metric names, got ${describe(input.table)}`);
    else input.table.forEach((name, i) => {
      if (typeof name !== 'string' || name.length === 0) problems.push(`table[${i}]: expected a metric name such as headroom.slab, got ${describe(name)}`);
      else table.push(name);
    });
  }
  if (problems.length > 0 || base === null) throw new StudyError(file, problems);

  const points: StudyPoint[] = [];
  const rejected = new Map<string, { where: string; points: number }>();
  combinations(axes).forEach((values, point) => {
    const params: Record<string, SweepValue> = {};
    axes.forEach((axis, i) => (params[axis.name] = values[i]!));
    const where = `point ${point} (${axes.map((axis, i) => `${axis.name}=${String(values[i])}`).join(', ')})`;
    const doc = structuredClone(base) as Doc;
    if (doc.seed === undefined) doc.seed = String(seed);
    let pathsOk = true;
    for (let i = 0; i < axes.length; i++) {
      const problem = setValue(doc, axes[i]!.path, values[i]!);
      if (problem === null) continue;
      // The same at every point: named once (the set below drops repeats).
      problems.push(`sweep[${i}].path ${axes[i]!.path}: ${problem}`);
      pathsOk = false;
    }
    if (!pathsOk) return;
    const checked = checkScenarioDocument(doc, scenarioFile);
    if (!checked.ok) {
      for (const issue of checked.error.issues) {
        const what = `scenario ${issue.path || '(document)'}: ${issue.message}`;
        const seen = rejected.get(what);
        if (seen === undefined) rejected.set(what, { where, points: 1 });
        else seen.points++;
      }
      return;
    }
    points.push({ point, params, scenario: checked.scenario });
  });
  // A problem at many points is named once, at its first point.
  for (const [what, { where, points: n }] of rejected) problems.push(`${where}: ${what}${n > 1 ? ` (and at ${n - 1} more point${n > 2 ? 's' : ''})` : ''}`);
  if (problems.length > 0) throw new StudyError(file, [...new Set(problems)]);
  return { file, name: name as string, question: (input.question as string).trim(), seed: seed as number, axes, metrics, mapPoint, table, points };
}
