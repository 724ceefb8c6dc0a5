/**
 * The hotplug lifecycle (mm/memory_hotplug.c, drivers/base/memory.c) as the machine offers
 * it: hot-add, online, offline with isolation and migration, hot-remove,
 * offline_and_remove, the workload's allocations, and memory-notifier error
 * injection. Each operation lives in the file named after it:
 *
 * ```
 *  hot-add.ts                                     online.ts          offline.ts           hot-remove.ts
 *  addMemory ──▶ sections PRESENT, blocks OFFLINE ──online──▶ ONLINE ──offline──▶ OFFLINE ──removeMemory──▶ gone
 *                memmap: in the block (altmap)                zone, spans,        isolation, migration,
 *                or from kernel zones                         present, managed    spans shrink
 * ```
 *
 * The rules around a block's state change (which writes are refused, the
 * transitional going-offline state, rollback) live in memory-blocks.ts; the
 * online and offline transitions supply the page-level work behind them, so
 * sysfs writes and the API calls run the same code. The workload's alloc and
 * free are in alloc/workload.ts.
 *
 * Every call runs under the hotplug lock (lock.ts) and as one unit against
 * engine failures: its engine writes and model changes go to an undo log,
 * and if an engine call throws, the log is undone and the error goes on, an
 * internal failure rather than an errno. The machine is then as it was
 * before the call, except for pages an offline had already migrated, which
 * stay migrated (as after an interrupted offline in the kernel; no counter
 * depends on them). Each transition returns its result and the work it did
 * (modelled seconds, migrated pages by node, retries, reason) as a value.
 */
import { describeValue } from '../../util/format.js';
import { allocRequest, churn, freeRequest, runWorkload } from '../alloc/workload.js';
import { ModelError } from '../core/errors.js';
import { isSafeNonNegative } from '../core/outcomes.js';
import { UndoLog } from '../core/page-state.js';
import type {
  AddMemoryRequest,
  AllocOutcome,
  AllocRequest,
  BlockSelector,
  Errno,
  FreeRequest,
  NotifierAction,
  OfflineOutcome,
  OnlineRequestType,
  Outcome,
  Placement,
  WorkloadOutcome,
  WorkloadSpec,
} from '../core/types.js';
import { addMemory } from './hot-add.js';
import { offlineAndRemoveMemory, removeMemory } from './hot-remove.js';
import type { HotplugContext, LifecycleHost } from './host.js';
import { HotplugLock } from './lock.js';
import { saveBlockState, storeOnline, storeState, withoutWork, type BlockOpResult, type BlockTransitions, type MemoryBlock, type Transition } from './memory-blocks.js';
import { NotifierErrorInject } from './notifier-error-inject.js';
import { DEFAULT_OFFLINE_RETRY_BUDGET, offlineBlock, offlineBlocks } from './offline.js';
import { onlineBlock, onlineBlocks } from './online.js';

export class HotplugLifecycle implements HotplugContext {
  readonly host: LifecycleHost;
  readonly notifier = new NotifierErrorInject();
  readonly #lock = new HotplugLock();
  #retryBudget = DEFAULT_OFFLINE_RETRY_BUDGET;

  constructor(host: LifecycleHost) {
    this.host = host;
  }

  get offlineRetryBudget(): number {
    return this.#retryBudget;
  }

  transitions(log: UndoLog): BlockTransitions<Transition> {
    return {
      online: (block, onlineType) => onlineBlock(this, block, onlineType, log),
      offline: (block) => offlineBlock(this, block, log),
    };
  }

  /** Run `operation` under the hotplug lock, without changing anything (invariant checks). */
  locked<T>(operation: () => Promise<T>): Promise<T> {
    return this.#lock.locked(operation);
  }

  /**
   * Run one call under the hotplug lock as a unit: when anything in it
   * throws, what it logged is undone and the error goes on.
   */
  #call<T>(operation: (log: UndoLog) => Promise<T>): Promise<T> {
    return this.#lock.locked(async () => {
      const log = new UndoLog(this.host.shards);
      try {
        return await operation(log);
      } catch (error) {
        return log.rollBack(error);
      }
    });
  }

  // ---- settings --------------------------------------------------------------

  injectNotifierError(action: NotifierAction, errno: Errno | null): void {
    this.notifier.inject(action, errno);
  }

  setOfflineRetryBudget(retries: number): void {
    if (!isSafeNonNegative(retries)) {
      throw new ModelError('EINVAL', `retries must be a non-negative integer, got ${describeValue(retries)}`);
    }
    this.#retryBudget = retries;
  }

  // ---- sysfs writes to a block -------------------------------------------------

  /** A write to memory<id>/state. */
  storeState(block: MemoryBlock, written: string): Promise<BlockOpResult> {
    return this.#call(async (log) => {
      log.record(saveBlockState(block));
      return withoutWork(await storeState(block, written, this.transitions(log)));
    });
  }

  /** A write to memory<id>/online. */
  storeOnline(block: MemoryBlock, written: string): Promise<BlockOpResult> {
    return this.#call(async (log) => {
      log.record(saveBlockState(block));
      return withoutWork(await storeOnline(block, written, this.transitions(log)));
    });
  }

  // ---- the API ---------------------------------------------------------------

  addMemory(req: AddMemoryRequest): Promise<Outcome> {
    return this.#call((log) => addMemory(this, req, log));
  }

  removeMemory(base: number, size: number): Promise<Outcome> {
    return this.#call((log) => removeMemory(this, base, size, log));
  }

  offlineAndRemoveMemory(base: number, size: number): Promise<OfflineOutcome> {
    return this.#call((log) => offlineAndRemoveMemory(this, base, size, log));
  }

  onlineBlocks(sel: BlockSelector, type: OnlineRequestType): Promise<Outcome> {
    return this.#call((log) => onlineBlocks(this, sel, type, log));
  }

  offlineBlocks(sel: BlockSelector): Promise<OfflineOutcome> {
    return this.#call((log) => offlineBlocks(this, sel, log));
  }

  alloc(req: AllocRequest): Promise<AllocOutcome | Outcome> {
    return this.#call((log) => allocRequest(this.host, req, log));
  }

  free(req: FreeRequest): Promise<Outcome> {
    return this.#call((log) => freeRequest(this.host, req, log));
  }

  workload(spec: WorkloadSpec): Promise<WorkloadOutcome | Outcome> {
    return this.#call((log) => runWorkload(this.host, spec, log));
  }

  churn(share: number, node: number | 'spread', seed: number, placement: Placement): Promise<Outcome> {
    return this.#call((log) => churn(this.host, share, node, seed, placement, log));
  }
}
