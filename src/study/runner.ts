/**
 * Runs a validated scenario: boots its machine, performs the steps in order,
 * records each step's outcome, and returns the report.
 *
 * A failing step does not stop the run: later steps still run, so one report
 * shows every mismatch. Nothing here reads a clock or a random source, so the
 * same scenario and seed give the same report.
 */

import { bootMachine } from '../model/index.js';
import type { EngineFactory } from '../contract/engine-api.js';
import type { BlockInfo, Machine, NodeStats, ProgressListener } from '../model/core/types.js';
import { describeMaxMovableRatio, describeWorkload, freeSeed, runLifecycleStep } from './lifecycle.js';
import { compareSchemes } from './schemes.js';
import { maxMovableRatio, type MovableRatioResult } from './movable-ratio.js';
import {
  blockTotals,
  groupBlocks,
  movableRatioReport,
  nodeReport,
  ratioText,
  REPORT_FORMAT,
  type RunReport,
  type ExportReport,
  type StepReport,
} from './report.js';
import { nodeBuiltin } from '../util/node-builtin.js';
import {
  type Assertion,
  type BlockAssertion,
  type BlocksAssertion,
  type ExportStep,
  type ExpectStep,
  type CompareSchemesStep,
  type HeadroomStep,
  type MaxMovableRatioStep,
  NODE_CHECKS,
  type NodeAssertion,
  type ReadStep,
  resolveOutputPath,
  type Scenario,
  STDOUT_PATH,
  type Step,
  type WriteStep,
  type ZoneAssertion,
} from './scenario.js';

/** Where exports go instead of the scenario's own paths (see {@link RunOptions.exportOverrides}). */
export interface ExportOverrides {
  sysfs?: string;
  zoneinfo?: string;
  iomem?: string;
}

export interface RunOptions {
  /** Builds each engine shard; the composition roots choose it (see `src/engines.ts`). */
  engines: EngineFactory;
  /** Where exports to `-` go (default: the process's standard output). */
  stdout?: (text: string) => void;
  /**
   * Each given kind replaces the destination of that kind in every export
   * step; when no step exports that kind, it is exported once after the last step.
   */
  exportOverrides?: ExportOverrides;
  /**
   * Called after each step with the machine and the step's report, before the
   * next step runs (e.g. to check the model's invariants). An exception stops
   * the run and is thrown from runScenario.
   */
  afterStep?: (machine: Machine, step: Step, report: StepReport) => void | Promise<void>;
  /** Told how the run gets on: the boot, each step as it starts (`step`), each workload round. */
  progress?: ProgressListener;
  /**
   * Called after the last step with the machine, before the report is built
   * and the machine closed (e.g. to serve it live while a command runs).
   */
  whileOpen?: (machine: Machine) => Promise<void>;
}

/** The model refused to boot the scenario's machine. */
export class BootFailure extends Error {
  override readonly name = 'BootFailure';
  constructor(
    readonly file: string,
    override readonly cause: unknown,
  ) {
    super(`${file}: machine: the model could not boot this machine: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const KIND_OF_EXPORT = ['sysfs', 'zoneinfo', 'iomem'] as const;

/** Boot the scenario's machine, run its steps, and return the report. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<RunReport> {
  const overrides = options.exportOverrides ?? {};
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  let machine: Machine;
  try {
    machine = await bootMachine(scenario.machine, { engines: options.engines, ...(options.progress === undefined ? {} : { progress: options.progress }) });
  } catch (err) {
    throw new BootFailure(scenario.file, err);
  }
  try {
    const steps: StepReport[] = [];
    const run = async (step: Step): Promise<void> => {
      const report = await runStep(machine, step, { scenario, engines: options.engines, stdout });
      steps.push(report);
      await options.afterStep?.(machine, step, report);
    };
    for (const [i, step] of scenario.steps.entries()) {
      options.progress?.({ what: `step ${step.kind}`, done: i, total: scenario.steps.length });
      await run(applyOverrides(step, overrides));
    }
    const trailing = trailingExport(scenario.steps, overrides, scenario.steps.length);
    if (trailing) await run(trailing);
    await options.whileOpen?.(machine);
    return await buildReport(scenario, machine, steps);
  } finally {
    await machine.close();
  }
}

function applyOverrides(step: Step, overrides: ExportOverrides): Step {
  if (step.kind !== 'export') return step;
  const out: ExportStep = { ...step };
  for (const kind of KIND_OF_EXPORT) {
    if (out[kind] !== undefined && overrides[kind] !== undefined) out[kind] = overrides[kind];
  }
  return out;
}

/** An export after the last step for each overridden kind that no step exports. */
function trailingExport(steps: readonly Step[], overrides: ExportOverrides, index: number): ExportStep | null {
  const step: ExportStep = { kind: 'export', index };
  let any = false;
  for (const kind of KIND_OF_EXPORT) {
    const path = overrides[kind];
    if (path === undefined) continue;
    if (steps.some((s) => s.kind === 'export' && s[kind] !== undefined)) continue;
    step[kind] = path;
    any = true;
  }
  return any ? step : null;
}

async function buildReport(scenario: Scenario, machine: Machine, steps: StepReport[]): Promise<RunReport> {
  const nodes = (await machine.nodes()).map(nodeReport).sort((a, b) => a.nid - b.nid);
  const blocks = await machine.blocks();
  const failed = steps.filter((step) => step.status === 'failed').length;
  return {
    format: REPORT_FORMAT,
    scenario: { name: scenario.name, file: scenario.file, description: scenario.description, seed: scenario.seed },
    machine: {
      type: scenario.machine.hypervisor ? 'vm' : 'bare-metal',
      cmdline: scenario.machine.cmdline,
      blockSizeBytes: machine.blockSizeBytes,
      nrNodes: nodes.length,
    },
    nodes,
    blocks: groupBlocks(blocks, machine.blockSizeBytes),
    blockTotals: blockTotals(blocks, machine.blockSizeBytes),
    warnings: [...machine.warnings],
    unknownParams: [...machine.unknownParams],
    steps,
    result: { steps: steps.length, ok: steps.length - failed, failed },
  };
}

// ---- steps ----------------------------------------------------------------------

/** What steps need besides the machine: the scenario (its seed and machine description) and the run's engines and output. */
/** What a step needs besides the machine: its scenario, engines for steps that boot more machines, and standard output. */
export interface StepContext {
  scenario: Scenario;
  engines: EngineFactory;
  stdout: (text: string) => void;
}

/** Run one scenario step on a booted machine (the runner's loop, and pages that step through a scenario). */
export async function runStep(machine: Machine, step: Step, context: StepContext): Promise<StepReport> {
  switch (step.kind) {
    case 'export':
      return runExport(machine, step, context.stdout);
    case 'read':
      return runRead(machine, step);
    case 'write':
      return runWrite(machine, step);
    case 'expect':
      return runExpect(machine, step);
    case 'headroom':
      return runHeadroom(machine, step);
    case 'max_movable_ratio':
      return runMaxMovableRatio(step, context);
    case 'compare_schemes':
      return runCompareSchemes(step, context);
    default:
      return runLifecycleStep(machine, step, context.scenario.seed);
  }
}

function ok(step: Step, what: string): StepReport {
  return { index: step.index, kind: step.kind, what, status: 'ok' };
}

function failed(step: Step, what: string, detail: Omit<StepReport, 'index' | 'kind' | 'what' | 'status'>): StepReport {
  return { index: step.index, kind: step.kind, what, status: 'failed', ...detail };
}

/** The errno name of a failed file operation (Node puts it in `code`). */
function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : 'EIO';
}

async function runExport(machine: Machine, step: ExportStep, stdout: (text: string) => void): Promise<StepReport> {
  const written: ExportReport[] = [];
  const writeText = async (kind: 'zoneinfo' | 'iomem', path: string, text: string): Promise<void> => {
    if (path === STDOUT_PATH) stdout(text);
    else await nodeBuiltin('fs/promises', 'writing an export file').writeFile(await outputFile(path), text);
    written.push({ kind, path, files: path === STDOUT_PATH ? 0 : 1, bytes: Buffer.byteLength(text) });
  };
  const what = `export ${KIND_OF_EXPORT.filter((kind) => step[kind] !== undefined)
    .map((kind) => `${kind}=${step[kind]}`)
    .join('; ')}`;
  try {
    if (step.sysfs !== undefined) {
      const dir = resolveOutputPath(step.sysfs);
      await nodeBuiltin('fs/promises', 'a sysfs export').mkdir(dir, { recursive: true });
      const tree = await machine.exportSysfs(dir);
      written.push({ kind: 'sysfs', path: step.sysfs, files: tree.files, dirs: tree.dirs, links: tree.links, bytes: tree.bytes });
    }
    if (step.zoneinfo !== undefined) await writeText('zoneinfo', step.zoneinfo, await machine.zoneinfo());
    if (step.iomem !== undefined) await writeText('iomem', step.iomem, await machine.iomem());
  } catch (err) {
    return failed(step, what, { errno: errnoOf(err), message: err instanceof Error ? err.message : String(err), written });
  }
  return { ...ok(step, what), written };
}

/** The absolute path of an export file, its directory created. */
async function outputFile(path: string): Promise<string> {
  const file = resolveOutputPath(path);
  const { dirname } = nodeBuiltin('path', 'writing an export file');
  await nodeBuiltin('fs/promises', 'writing an export file').mkdir(dirname(file), { recursive: true });
  return file;
}

/** The text of a file minus one trailing newline, as a read step compares it. */
function chompOne(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

async function runHeadroom(machine: Machine, step: HeadroomStep): Promise<StepReport> {
  const what = step.node === undefined ? 'headroom of every node' : `headroom of node ${step.node}`;
  try {
    return { ...ok(step, what), headroom: await machine.headroom(step.node) };
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    return failed(step, what, { ...(typeof errno === 'string' ? { errno } : {}), message: err instanceof Error ? err.message : String(err) });
  }
}

async function runMaxMovableRatio(step: MaxMovableRatioStep, context: StepContext): Promise<StepReport> {
  const what = describeMaxMovableRatio(step);
  let result: MovableRatioResult;
  try {
    result = await maxMovableRatio({
      machine: context.scenario.machine,
      workload: { ...step.workload, seed: step.workload.seed ?? freeSeed(context.scenario.seed, step.index) },
      vary: step.vary,
      engines: context.engines,
      ...(step.precision === undefined ? {} : { precision: step.precision }),
      ...(step.marginBytes === undefined ? {} : { marginBytes: step.marginBytes }),
      ...(step.hotAddBytes === undefined ? {} : { hotAddBytes: step.hotAddBytes }),
      ...(step.memmapOnMemory === undefined ? {} : { memmapOnMemory: step.memmapOnMemory }),
      ...(step.maxRatio === undefined ? {} : { maxRatio: step.maxRatio }),
    });
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    return failed(step, what, { errno: typeof errno === 'string' ? errno : 'EINVAL', message: err instanceof Error ? err.message : String(err) });
  }
  const movableRatio = movableRatioReport(result);
  if (result.ratio === null) return failed(step, what, { movableRatio, message: `the workload does not fit even with no movable memory: ${result.limitedBy}` });
  const { min, max } = step.expect ?? {};
  if ((min !== undefined && result.ratio < min) || (max !== undefined && result.ratio > max)) {
    const bounds = [min === undefined ? null : `at least ${min}:1`, max === undefined ? null : `at most ${max}:1`].filter((b) => b !== null).join(' and ');
    return failed(step, what, { movableRatio, message: `expected ${bounds}, got ${ratioText(result.ratio)}` });
  }
  return { ...ok(step, what), movableRatio };
}

async function runCompareSchemes(step: CompareSchemesStep, context: StepContext): Promise<StepReport> {
  const nodes = step.nodes === undefined ? 'every node' : `node${step.nodes.length > 1 ? 's' : ''} ${step.nodes.join(', ')}`;
  const what = `compare_schemes zone-movable and offline-migrated, removing ${nodes}, for ${describeWorkload(step.workload)}`;
  try {
    const comparison = await compareSchemes({
      machine: context.scenario.machine,
      workload: { ...step.workload, seed: step.workload.seed ?? freeSeed(context.scenario.seed, step.index) },
      engines: context.engines,
      ...(step.nodes === undefined ? {} : { nodes: step.nodes }),
      ...(step.lookupsPerSecond === undefined ? {} : { lookupsPerSecond: step.lookupsPerSecond }),
      ...(step.lookupNs === undefined ? {} : { lookupNs: step.lookupNs }),
    });
    return { ...ok(step, what), schemes: comparison };
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    return failed(step, what, { errno: typeof errno === 'string' ? errno : 'EINVAL', message: err instanceof Error ? err.message : String(err) });
  }
}

async function runRead(machine: Machine, step: ReadStep): Promise<StepReport> {
  const what = step.expect === undefined ? `read ${step.path}` : `read ${step.path} == ${JSON.stringify(step.expect)}`;
  let text: string;
  if (step.path === '/proc/zoneinfo') text = await machine.zoneinfo();
  else if (step.path === '/proc/iomem') text = await machine.iomem();
  else {
    const result = await machine.sysfsRead(step.path);
    if (!result.ok) return failed(step, what, { errno: result.errno, message: result.message });
    text = result.value;
  }
  const value = chompOne(text);
  if (step.expect !== undefined && value !== step.expect) {
    return failed(step, what, {
      message: `read ${JSON.stringify(value)}, expected ${JSON.stringify(step.expect)}`,
      expected: step.expect,
      actual: value,
      value,
    });
  }
  return { ...ok(step, what), value };
}

async function runWrite(machine: Machine, step: WriteStep): Promise<StepReport> {
  const what = `write ${JSON.stringify(step.value)} > ${step.path}${step.expect === 'ok' ? '' : ` (expect ${step.expect})`}`;
  const result = await machine.sysfsWrite(step.path, step.value);
  if (result.ok) {
    if (step.expect === 'ok') return ok(step, what);
    return failed(step, what, { message: `the write succeeded, expected ${step.expect}`, expected: step.expect, actual: 'ok' });
  }
  if (result.errno === step.expect) return { ...ok(step, what), errno: result.errno, message: result.message };
  if (step.expect === 'ok') return failed(step, what, { errno: result.errno, message: result.message });
  return failed(step, what, {
    errno: result.errno,
    message: `failed with ${result.errno} (${result.message}), expected ${step.expect}`,
    expected: step.expect,
    actual: result.errno,
  });
}

// ---- assertions -----------------------------------------------------------------

/** One checked field: its name, the expected value and what the machine has. */
type Check = [field: string, expected: unknown, actual: unknown];

interface MachineView {
  nodes: NodeStats[];
  blocks: BlockInfo[];
  blockSizeBytes: number;
}

interface Evaluation {
  /** What the assertion is about, e.g. `node 1 zone Movable`. */
  subject: string;
  /** Set when the subject itself does not exist. */
  missing?: string;
  checks: Check[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Keep the fields the assertion sets, paired with the machine's values. */
function checksOf<T extends object>(assertion: T, fields: readonly (keyof T & string)[], actual: Partial<Record<keyof T, unknown>>): Check[] {
  return fields.filter((field) => assertion[field] !== undefined).map((field) => [field, assertion[field], actual[field]]);
}

function evaluateZone(view: MachineView, assertion: ZoneAssertion): Evaluation {
  const subject = `node ${assertion.node} zone ${assertion.zone}`;
  const node = view.nodes.find((n) => n.nid === assertion.node);
  const fields = ['zoneStartPfn', 'spannedPages', 'presentPages', 'managedPages', 'freePages'] as const;
  if (!node) return { subject, missing: `node ${assertion.node} does not exist`, checks: checksOf(assertion, fields, {}) };
  const zone = node.zones.find((z) => z.name === assertion.zone);
  if (!zone) return { subject, missing: `node ${assertion.node} has no zone ${assertion.zone}`, checks: checksOf(assertion, fields, {}) };
  return { subject, checks: checksOf(assertion, fields, zone) };
}


function evaluateNode(view: MachineView, assertion: NodeAssertion): Evaluation {
  const subject = `node ${assertion.node}`;
  const node = view.nodes.find((n) => n.nid === assertion.node);
  if (!node) return { subject, missing: `node ${assertion.node} does not exist`, checks: checksOf(assertion, NODE_CHECKS, {}) };
  // The same names the JSON report prints, plus the node's totals over its zones.
  const { zones, ...reported } = nodeReport(node);
  const actual = {
    ...reported,
    managedPages: sum(zones.map((zone) => zone.managedPages)),
    freePages: sum(zones.map((zone) => zone.freePages)),
  };
  return { subject, checks: checksOf(assertion, NODE_CHECKS, actual) };
}

function evaluateBlocks(view: MachineView, assertion: BlocksAssertion): Evaluation {
  const filter = assertion.blocks;
  const parts = ['blocks'];
  if (filter.node !== undefined) parts.push(`of node ${filter.node}`);
  if (filter.zone !== undefined) parts.push(`in zone ${filter.zone}`);
  const matching = view.blocks.filter(
    (block) =>
      (filter.node === undefined || block.nids.includes(filter.node)) &&
      (filter.zone === undefined || block.zone === filter.zone),
  );
  const online = matching.filter((block) => block.state === 'online').length;
  // lsmem counts every block that is not exactly online (going-offline too) as offline.
  const actual = { online, offline: matching.length - online, total: matching.length };
  return { subject: parts.join(' '), checks: checksOf(filter, ['online', 'offline', 'total'], actual) };
}

function evaluateBlock(view: MachineView, assertion: BlockAssertion): Evaluation {
  const subject = `memory${assertion.block}`;
  const fields = ['state', 'zone', 'nodes', 'validZones'] as const;
  const block = view.blocks.find((b) => b.id === assertion.block);
  if (!block) return { subject, missing: `memory${assertion.block} does not exist`, checks: checksOf(assertion, fields, {}) };
  const actual = { state: block.state, zone: block.zone, nodes: block.nids, validZones: block.validZones };
  return { subject, checks: checksOf(assertion, fields, actual) };
}

function evaluate(view: MachineView, assertion: Assertion): Evaluation {
  if ('blockSizeBytes' in assertion) {
    return { subject: 'memory block size', checks: [['blockSizeBytes', assertion.blockSizeBytes, view.blockSizeBytes]] };
  }
  if ('blocks' in assertion) return evaluateBlocks(view, assertion);
  if ('block' in assertion) return evaluateBlock(view, assertion);
  if ('zone' in assertion) return evaluateZone(view, assertion);
  return evaluateNode(view, assertion);
}

function describeEvaluation(evaluation: Evaluation): string {
  const fields = evaluation.checks.map(([field, expected]) => `${field}=${JSON.stringify(expected)}`).join(' ');
  return fields === '' ? evaluation.subject : `${evaluation.subject} ${fields}`;
}

async function runExpect(machine: Machine, step: ExpectStep): Promise<StepReport> {
  const needsNodes = step.assertions.some((a) => 'node' in a);
  const needsBlocks = step.assertions.some((a) => 'blocks' in a || 'block' in a);
  const view: MachineView = {
    nodes: needsNodes ? await machine.nodes() : [],
    blocks: needsBlocks ? await machine.blocks() : [],
    blockSizeBytes: machine.blockSizeBytes,
  };
  const evaluations = step.assertions.map((assertion) => evaluate(view, assertion));
  const what = `expect ${evaluations.map(describeEvaluation).join('; ')}`;
  const problems: string[] = [];
  const expected: Record<string, unknown> = {};
  const actual: Record<string, unknown> = {};
  for (const evaluation of evaluations) {
    if (evaluation.missing) {
      problems.push(evaluation.missing);
      continue;
    }
    for (const [field, want, got] of evaluation.checks) {
      if (sameValue(want, got)) continue;
      const key = `${evaluation.subject} ${field}`;
      expected[key] = want;
      actual[key] = got ?? null;
      problems.push(`${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got ?? null)}`);
    }
  }
  if (problems.length === 0) return ok(step, what);
  const detail: Omit<StepReport, 'index' | 'kind' | 'what' | 'status'> = { message: problems.join('; ') };
  if (Object.keys(expected).length > 0) {
    detail.expected = expected;
    detail.actual = actual;
  }
  return failed(step, what, detail);
}
