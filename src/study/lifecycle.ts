/**
 * Running lifecycle steps (add, remove, offline_and_remove, online, offline,
 * alloc, free, workload, churn, inject, retries): each step becomes one call
 * on the machine, and its Outcome becomes the step's report entry.
 *
 * Report entries are built with a fixed key order and node ids sorted, so the
 * JSON report stays byte-identical from run to run.
 */
import { mix32 } from '../contract/permute.js';
import { hex } from '../util/format.js';
import type { AllocOutcome, Amount, BlockSelector, Errno, Machine, OfflineOutcome, Outcome, WorkloadOutcome } from '../model/core/types.js';
import { type BlockFailureReport, humanBytes, type StepReport } from './report.js';
import type {
  MaxMovableRatioStep,
  AddStep,
  AllocExpect,
  AllocStep,
  ChurnStep,
  InjectStep,
  LifecycleStep,
  OfflineStep,
  OnlineStep,
  RemoveStep,
  RetriesStep,
  WorkloadStep,
} from './scenario.js';

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

function expectText(expect: AllocExpect): string {
  return expect === 'ok' ? '' : ` (expect ${expect})`;
}

/** `30%` for a share. */
function percent(share: number): string {
  return `${+(share * 100).toFixed(2)}%`;
}

function amountText(amount: Amount): string {
  return 'share' in amount ? percent(amount.share) : humanBytes(amount.bytes);
}

function placementText(placement: string | undefined, seed: number | undefined): string {
  const parts = [placement === undefined ? '' : placement, seed === undefined ? '' : `seed ${seed}`].filter((p) => p !== '');
  return parts.length === 0 ? '' : `, ${parts.join(' ')}`;
}

export function describeWorkload(step: Omit<WorkloadStep, 'kind' | 'index' | 'expect'>): string {
  const parts: string[] = [];
  if (step.anon !== undefined) parts.push(`anon ${amountText(step.anon)}${step.thp === undefined ? '' : ` (thp ${percent(step.thp)})`}`);
  if (step.file !== undefined) parts.push(`file ${amountText(step.file)}${step.fileMapped === undefined ? '' : ` (mapped ${percent(step.fileMapped)})`}`);
  if (step.slabReclaimablePerFileGiB !== undefined) parts.push(`slab_reclaimable ${humanBytes(step.slabReclaimablePerFileGiB)} per GiB of file`);
  if (step.slab !== undefined) parts.push(`slab ${amountText(step.slab)}`);
  if (step.pinned !== undefined) parts.push(`pinned ${amountText(step.pinned)}`);
  const scope = step.node === 'spread' ? 'spread over the nodes' : `on node ${step.node}`;
  return `workload ${scope}: ${parts.join(', ')}${placementText(step.placement, step.seed)}`;
}

/** One line saying what a max_movable_ratio step searches. */
export function describeMaxMovableRatio(step: MaxMovableRatioStep): string {
  const options: string[] = [];
  if (step.precision !== undefined) options.push(`precision ${step.precision}`);
  if (step.marginBytes !== undefined) options.push(`margin ${humanBytes(step.marginBytes)}`);
  if (step.hotAddBytes !== undefined) options.push(`hot-add ${humanBytes(step.hotAddBytes)} at a time`);
  if (step.memmapOnMemory !== undefined) options.push(`memmap_on_memory=${step.memmapOnMemory ? 'Y' : 'N'}`);
  if (step.maxRatio !== undefined) options.push(`up to ${step.maxRatio}:1`);
  const bounds: string[] = [];
  if (step.expect?.min !== undefined) bounds.push(`>= ${step.expect.min}:1`);
  if (step.expect?.max !== undefined) bounds.push(`<= ${step.expect.max}:1`);
  return (
    `max_movable_ratio vary ${step.vary}${options.length > 0 ? ` (${options.join(', ')})` : ''} for ${describeWorkload(step.workload)}` +
    (bounds.length > 0 ? ` (expect ${bounds.join(' and ')})` : '')
  );
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
    case 'alloc': {
      const mapping = [step.thp === undefined ? '' : `thp ${percent(step.thp)}`, step.mapped === undefined ? '' : step.mapped ? 'mapped' : 'unmapped']
        .filter((p) => p !== '')
        .map((p) => `, ${p}`)
        .join('');
      return `alloc ${step.allocKind} ${step.sizeBytes} bytes (${humanBytes(step.sizeBytes)}) on node ${step.node}${mapping}${placementText(step.placement, step.seed)}${tail}`;
    }
    case 'free': {
      const seed = step.seed === undefined ? '' : `, seed ${step.seed}`;
      return `free ${step.allocKind} ${step.sizeBytes} bytes (${humanBytes(step.sizeBytes)}) on node ${step.node}${seed}${tail}`;
    }
    case 'workload':
      return `${describeWorkload(step)}${tail}`;
    case 'churn': {
      const scope = step.node === 'spread' ? 'every node' : `node ${step.node}`;
      return `churn ${percent(step.share)} of ${scope}${placementText(step.placement, step.seed)}${tail}`;
    }
    case 'inject':
      return `inject ${step.action} ${step.errno ?? 'none'}${tail}`;
    case 'retries':
      return `retries ${step.budget}${tail}`;
  }
}

/**
 * The seed of a step that names none (free, workload, churn): the
 * scenario's seed mixed with the step index, so each step makes its own
 * choices and the run stays reproducible.
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
    if (offline.kernelPages !== undefined) detail.kernelPages = offline.kernelPages;
  }
  if ('allocatedPages' in outcome) {
    const alloc = outcome as AllocOutcome;
    detail.allocation = {
      allocatedPages: alloc.allocatedPages,
      pageTablePages: alloc.pageTablePages,
      reclaimedPages: alloc.reclaimedPages,
      byZone: { ...alloc.byZone },
    };
  }
  if ('kinds' in outcome) detail.kinds = structuredClone((outcome as WorkloadOutcome).kinds);
  const failure = (outcome as AllocOutcome).failure;
  if (failure !== undefined) detail.failure = structuredClone(failure);
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
  // An unsatisfiable allocation the kernel answers with an OOM kill or a
  // loop has no errno: how it ended is what a step expects instead.
  const ended: string | undefined = errno ?? (outcome as AllocOutcome).failure?.outcome;
  const message = outcome.message ?? (ended === undefined ? 'the operation failed without an errno' : ended);
  const errnoField = errno === undefined ? {} : { errno };
  if (ended !== undefined && ended === step.expect) return { ...base, status: 'ok', ...errnoField, message, ...figures };
  if (step.expect === 'ok') return { ...base, status: 'failed', ...errnoField, message, ...figures };
  return {
    ...base,
    status: 'failed',
    ...errnoField,
    message: `failed with ${ended ?? 'no errno'} (${message}), expected ${step.expect}`,
    expected: step.expect,
    actual: ended ?? 'failed',
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
    case 'workload':
      return workloadStep(machine, step, scenarioSeed);
    case 'churn':
      return churnStep(machine, step, scenarioSeed);
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
  const seed = step.seed ?? freeSeed(scenarioSeed, step.index);
  if (step.kind === 'free') return machine.free({ ...request, seed });
  return machine.alloc({
    ...request,
    seed,
    ...(step.placement === undefined ? {} : { placement: step.placement }),
    ...(step.thp === undefined ? {} : { thp: step.thp }),
    ...(step.mapped === undefined ? {} : { mapped: step.mapped }),
  });
}

function workloadStep(machine: Machine, step: WorkloadStep, scenarioSeed: number): Promise<Outcome> {
  const { kind: _kind, index: _index, expect: _expect, ...spec } = step;
  return machine.workload({ ...spec, seed: step.seed ?? freeSeed(scenarioSeed, step.index) });
}

function churnStep(machine: Machine, step: ChurnStep, scenarioSeed: number): Promise<Outcome> {
  return machine.churn({
    share: step.share,
    node: step.node,
    seed: step.seed ?? freeSeed(scenarioSeed, step.index),
    ...(step.placement === undefined ? {} : { placement: step.placement }),
  });
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
