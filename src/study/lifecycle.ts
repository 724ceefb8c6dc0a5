/**
 * Running lifecycle steps (add, remove, offline_and_remove, online, offline,
 * alloc, free, inject, retries): each step becomes one call on the machine,
 * and its Outcome becomes the step's report entry.
 *
 * Report entries are built with a fixed key order and node ids sorted, so the
 * JSON report stays byte-identical from run to run.
 */
import { mix32 } from '../contract/permute.js';
import { hex } from '../util/format.js';
import type { BlockSelector, Errno, Machine, OfflineOutcome, Outcome } from '../model/core/types.js';
import { type BlockFailureReport, humanBytes, type StepReport } from './report.js';
import type { AddStep, AllocStep, InjectStep, LifecycleStep, OfflineStep, OnlineStep, RemoveStep, RetriesStep } from './scenario.js';

/** At most this many failed blocks are listed in a step's report; the count covers all of them. */
export const MAX_LISTED_BLOCK_FAILURES = 16;

function selectorText(selector: BlockSelector): string {
  const parts: string[] = [];
  if (selector.firstBlockId !== undefined) {
    const { firstBlockId, lastBlockId = firstBlockId } = selector;
    parts.push(firstBlockId === lastBlockId ? `memory${firstBlockId}` : `memory${firstBlockId}-${lastBlockId}`);
  }
  if (selector.node !== undefined) parts.push(`node ${selector.node}`);
  return parts.join(' of ');
}

function expectText(expect: 'ok' | Errno): string {
  return expect === 'ok' ? '' : ` (expect ${expect})`;
}

/** One line saying what a lifecycle step does. */
export function describeLifecycleStep(step: LifecycleStep): string {
  const tail = expectText(step.expect);
  switch (step.kind) {
    case 'add': {
      const extras: string[] = [];
      if (step.memmapOnMemory !== undefined) extras.push(`memmap_on_memory=${step.memmapOnMemory ? 'Y' : 'N'}`);
      if (step.driverManaged !== undefined) extras.push(`driver-managed "${step.driverManaged}"`);
      if (step.group !== undefined) {
        extras.push(
          step.group === null ? 'no group' : step.group.kind === 'static' ? 'static group' : `dynamic group unit ${hex(step.group.unitBytes)}`,
        );
      }
      const extra = extras.length > 0 ? `, ${extras.join(', ')}` : '';
      return `add node ${step.node} [${hex(step.base)}, ${hex(step.base + step.sizeBytes)})${extra}${tail}`;
    }
    case 'remove':
    case 'offline_and_remove':
      return `${step.kind} [${hex(step.base)}, ${hex(step.base + step.sizeBytes)})${tail}`;
    case 'online':
      return `online ${selectorText(step.selector)} as ${step.type}${tail}`;
    case 'offline':
      return `offline ${selectorText(step.selector)}${tail}`;
    case 'alloc':
      return `alloc ${step.allocKind} ${step.sizeBytes} bytes (${humanBytes(step.sizeBytes)}) on node ${step.node}${tail}`;
    case 'free': {
      const seed = step.seed === undefined ? '' : `, seed ${step.seed}`;
      return `free ${step.allocKind} ${step.sizeBytes} bytes (${humanBytes(step.sizeBytes)}) on node ${step.node}${seed}${tail}`;
    }
    case 'inject':
      return `inject ${step.action} ${step.errno ?? 'none'}${tail}`;
    case 'retries':
      return `retries ${step.budget}${tail}`;
  }
}

/**
 * The seed of a free step that names none: the scenario's seed mixed with
 * the step index, so each free releases its own subset and the run stays
 * reproducible.
 */
export function freeSeed(scenarioSeed: number, stepIndex: number): number {
  return mix32(scenarioSeed ^ Math.imul(stepIndex + 1, 0x9e3779b9));
}

type OutcomeDetail = Omit<StepReport, 'index' | 'kind' | 'what' | 'status'>;

/** The outcome's figures in report order: modelled time, then the offline figures, then blocks. */
function outcomeFigures(outcome: Outcome): OutcomeDetail {
  const detail: OutcomeDetail = { modelledSeconds: outcome.modelledSeconds };
  if ('migratedPages' in outcome) {
    const offline = outcome as OfflineOutcome;
    detail.migratedPages = offline.migratedPages;
    detail.migratedByNode = Object.fromEntries(
      Object.entries(offline.migratedByNode).sort(([a], [b]) => Number(a) - Number(b)),
    );
    detail.retries = offline.retries;
    if (offline.reason !== undefined) detail.reason = offline.reason;
  }
  if (outcome.blocks !== undefined && outcome.blocks.length > 0) {
    const failedBlocks = outcome.blocks.filter((block) => !block.ok).sort((a, b) => a.id - b.id);
    detail.blocksOk = outcome.blocks.length - failedBlocks.length;
    detail.blocksFailed = failedBlocks.length;
    if (failedBlocks.length > 0) {
      detail.failedBlocks = failedBlocks.slice(0, MAX_LISTED_BLOCK_FAILURES).map((block): BlockFailureReport => {
        const entry: BlockFailureReport = { id: block.id };
        if (block.errno !== undefined) entry.errno = block.errno;
        if (block.message !== undefined) entry.message = block.message;
        return entry;
      });
    }
  }
  return detail;
}

/** Judge an outcome against the step's `expect`, keeping the figures either way. */
export function judgeOutcome(step: LifecycleStep, what: string, outcome: Outcome): StepReport {
  const base = { index: step.index, kind: step.kind, what };
  const figures = outcomeFigures(outcome);
  if (outcome.ok) {
    if (step.expect === 'ok') return { ...base, status: 'ok', ...figures };
    return {
      ...base,
      status: 'failed',
      message: `the operation succeeded, expected ${step.expect}`,
      expected: step.expect,
      actual: 'ok',
      ...figures,
    };
  }
  const errno = outcome.errno;
  const message = outcome.message ?? (errno === undefined ? 'the operation failed without an errno' : errno);
  if (errno !== undefined && errno === step.expect) return { ...base, status: 'ok', errno, message, ...figures };
  if (step.expect === 'ok') {
    return errno === undefined
      ? { ...base, status: 'failed', message, ...figures }
      : { ...base, status: 'failed', errno, message, ...figures };
  }
  return {
    ...base,
    status: 'failed',
    ...(errno === undefined ? {} : { errno }),
    message: `failed with ${errno ?? 'no errno'} (${message}), expected ${step.expect}`,
    expected: step.expect,
    actual: errno ?? 'failed',
    ...figures,
  };
}

/** The lifecycle steps that call an operation with an outcome (inject and retries only change a setting). */
type OperationStep = Exclude<LifecycleStep, InjectStep | RetriesStep>;

async function callStep(machine: Machine, step: OperationStep, scenarioSeed: number): Promise<Outcome> {
  switch (step.kind) {
    case 'add':
      return addStep(machine, step);
    case 'remove':
    case 'offline_and_remove':
      return removeStep(machine, step);
    case 'online':
      return onlineStep(machine, step);
    case 'offline':
      return offlineStep(machine, step);
    case 'alloc':
    case 'free':
      return allocStep(machine, step, scenarioSeed);
  }
}

function addStep(machine: Machine, step: AddStep): Promise<Outcome> {
  return machine.addMemory({
    node: step.node,
    base: step.base,
    size: step.sizeBytes,
    ...(step.memmapOnMemory === undefined ? {} : { memmapOnMemory: step.memmapOnMemory }),
    ...(step.group === undefined ? {} : { group: step.group }),
    ...(step.driverManaged === undefined ? {} : { driverManaged: step.driverManaged }),
  });
}

function removeStep(machine: Machine, step: RemoveStep): Promise<Outcome> {
  return step.kind === 'remove'
    ? machine.removeMemory(step.base, step.sizeBytes)
    : machine.offlineAndRemoveMemory(step.base, step.sizeBytes);
}

function onlineStep(machine: Machine, step: OnlineStep): Promise<Outcome> {
  return machine.onlineBlocks({ ...step.selector }, step.type);
}

function offlineStep(machine: Machine, step: OfflineStep): Promise<OfflineOutcome> {
  return machine.offlineBlocks({ ...step.selector });
}

function allocStep(machine: Machine, step: AllocStep, scenarioSeed: number): Promise<Outcome> {
  const request = { kind: step.allocKind, size: step.sizeBytes, node: step.node };
  if (step.kind === 'alloc') return machine.alloc(request);
  return machine.free({ ...request, seed: step.seed ?? freeSeed(scenarioSeed, step.index) });
}

/** Apply a setting step; it has no outcome of its own, so it cannot meet an errno `expect`. */
function applySetting(machine: Machine, step: InjectStep | RetriesStep, what: string): StepReport {
  if (step.kind === 'inject') machine.injectNotifierError(step.action, step.errno);
  else machine.setOfflineRetryBudget(step.budget);
  const report: StepReport = { index: step.index, kind: step.kind, what, status: 'ok' };
  if (step.expect === 'ok') return report;
  return { ...report, status: 'failed', message: `the setting took effect, expected ${step.expect}`, expected: step.expect, actual: 'ok' };
}

/**
 * Run one lifecycle step. A model that throws instead of returning an outcome
 * (or refuses a setting) fails the step with the thrown message, or is judged
 * by its errno when the error carries one.
 */
export async function runLifecycleStep(machine: Machine, step: LifecycleStep, scenarioSeed: number): Promise<StepReport> {
  const what = describeLifecycleStep(step);
  let outcome: Outcome;
  try {
    if (step.kind === 'inject' || step.kind === 'retries') return applySetting(machine, step, what);
    outcome = await callStep(machine, step, scenarioSeed);
  } catch (err) {
    const errno = (err as { errno?: unknown }).errno;
    const message = err instanceof Error ? err.message : String(err);
    if (typeof errno === 'string' && /^E[A-Z0-9]+$/.test(errno)) {
      // A refusal thrown with an errno is judged like a returned one.
      return judgeOutcome(step, what, { ok: false, errno: errno as Errno, message, modelledSeconds: 0 });
    }
    return { index: step.index, kind: step.kind, what, status: 'failed', message };
  }
  return judgeOutcome(step, what, outcome);
}
