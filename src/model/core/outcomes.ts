/**
 * What the lifecycle calls hand back: an {@link Outcome} (ok, or the errno
 * and message user space would see) and the work each transition did, as a
 * value (modelled seconds, and for an offline the pages migrated by node,
 * the retries and why they did not converge). Calls over several blocks add
 * their blocks' work up here.
 */
import type { BlockOutcome, Errno, KernelPagesMoved, OfflineOutcome, Outcome } from './types.js';

/** What one transition did, for the call that ran it to report. */
export interface TransitionWork {
  /** Modelled time on real hardware (cost.ts). */
  modelledSeconds: number;
  migratedPages: number;
  /** Pages migrated, by target node id. */
  migratedByNode: Map<number, number>;
  /** Rescans of the migration loop that found pages still in place. */
  retries: number;
  /** Why the retries did not converge (an offline that ended with EINTR). */
  reason?: string;
  /** offline-migrated: the kernel pages moved under stop_machine (absent under zone-movable). */
  kernel?: KernelPagesMoved;
}

export function noWork(): TransitionWork {
  return { modelledSeconds: 0, migratedPages: 0, migratedByNode: new Map(), retries: 0 };
}

/** Add `work` to `totals`; the first reason given stays. */
export function addWork(totals: TransitionWork, work: TransitionWork): void {
  totals.modelledSeconds += work.modelledSeconds;
  totals.migratedPages += work.migratedPages;
  totals.retries += work.retries;
  for (const [nid, pages] of work.migratedByNode) totals.migratedByNode.set(nid, (totals.migratedByNode.get(nid) ?? 0) + pages);
  if (totals.reason === undefined && work.reason !== undefined) totals.reason = work.reason;
  if (work.kernel !== undefined) {
    const sum = (totals.kernel ??= { copiedPages: 0, pgtablePages: 0, remappedSections: 0, stopMachineSeconds: 0 });
    sum.copiedPages += work.kernel.copiedPages;
    sum.pgtablePages += work.kernel.pgtablePages;
    sum.remappedSections += work.kernel.remappedSections;
    sum.stopMachineSeconds += work.kernel.stopMachineSeconds;
  }
}

type OfflineFigures = Pick<OfflineOutcome, 'migratedPages' | 'migratedByNode' | 'retries' | 'reason' | 'kernelPages'>;

/** The offline figures of an outcome, nodes in ascending id order (the report prints them so). */
export function offlineFigures(work: TransitionWork): OfflineFigures {
  const byNode: Record<string, number> = {};
  for (const nid of [...work.migratedByNode.keys()].sort((a, b) => a - b)) byNode[String(nid)] = work.migratedByNode.get(nid) as number;
  const figures: OfflineFigures = { migratedPages: work.migratedPages, migratedByNode: byNode, retries: work.retries };
  if (work.reason !== undefined) figures.reason = work.reason;
  if (work.kernel !== undefined) figures.kernelPages = { ...work.kernel };
  return figures;
}

/** A refused call: nothing was done. */
export function failed(errno: Errno, message: string, modelledSeconds = 0): Outcome {
  return { ok: false, errno, message, modelledSeconds };
}

/** An offline call's outcome that did no work: a refusal, with zero figures. */
export function withoutOfflineWork(outcome: Outcome): OfflineOutcome {
  return { ...outcome, migratedPages: 0, migratedByNode: {}, retries: 0 };
}

/** ok only if every block succeeded; errno and message of the first failure. */
export function summarize(results: BlockOutcome[], modelledSeconds: number): Outcome {
  const firstFailure = results.find((r) => !r.ok);
  const outcome: Outcome = { ok: firstFailure === undefined, modelledSeconds, blocks: results };
  if (firstFailure !== undefined) {
    if (firstFailure.errno !== undefined) outcome.errno = firstFailure.errno;
    outcome.message = firstFailure.message ?? `memory${firstFailure.id} failed`;
  }
  return outcome;
}

/** A request field that must be a byte address, a count or an id: a non-negative safe integer. */
export function isSafeNonNegative(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The request fields the library once spelled differently, and what they are
 * called now (the scenario format's names). A request that still uses an old
 * name is refused with the new one, rather than read with the field missing.
 */
const RENAMED_FIELDS: Readonly<Record<string, string>> = { nid: 'node', sizeBytes: 'size' };

/** EINVAL for a request using a field under its old name, or null. */
export function renamedFieldFailure(req: object): Outcome | null {
  const old = Object.keys(RENAMED_FIELDS).find((name) => name in req);
  if (old === undefined) return null;
  return failed('EINVAL', `${old} is now called ${RENAMED_FIELDS[old]}: write { ${RENAMED_FIELDS[old]}: ... } instead of { ${old}: ... }`);
}
