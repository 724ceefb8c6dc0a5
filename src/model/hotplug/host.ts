/**
 * What the hotplug lifecycle works on and with. The booted machine
 * (machine.ts) is the {@link LifecycleHost}: the engines, nodes and zones,
 * memory blocks, memory groups, the iomem resources and the parameters. The
 * lifecycle (lifecycle.ts) is the {@link HotplugContext} every operation
 * receives: the host, the notifier error injection, the offline retry
 * budget, and the block transitions bound to a call's undo log.
 */
import type { Watermarks } from '../alloc/watermarks.js';
import type { AllocHost } from '../alloc/workload.js';
import type { BootMemmapPlacement } from '../boot/layout.js';
import type { CostParams } from '../core/cost.js';
import type { PagingLevels } from '../core/kernel.js';
import type { UndoLog } from '../core/page-state.js';
import type { BlockGeometry, HotplugParams, IomemResource, OnlineType } from '../core/state.js';
import type { HotRemoveScheme } from '../core/types.js';
import type { BlockTransitions, MemoryBlock, Transition } from './memory-blocks.js';
import type { MemoryGroupRegistry } from './memory-groups.js';
import type { NotifierErrorInject } from './notifier-error-inject.js';
import type { ZonePolicyContext } from './zone-policy.js';

/** The machine state the lifecycle reads and changes (implemented by the booted machine). */
export interface LifecycleHost extends AllocHost {
  /** Every block, ascending id. */
  blockList(): readonly MemoryBlock[];
  block(id: number): MemoryBlock | undefined;
  /** Insert hot-added blocks (ids not in use). */
  insertBlocks(blocks: readonly MemoryBlock[]): void;
  /** Drop removed blocks. */
  deleteBlocks(ids: readonly number[]): void;
  /** /proc/iomem System RAM resources; the lifecycle adds and releases them. */
  readonly iomemResources: IomemResource[];
  /** Firmware-reserved e820 ranges: they sit in the iomem tree too, so a hot-add over them conflicts. */
  readonly firmwareReserved: readonly { base: number; size: number }[];
  readonly groups: MemoryGroupRegistry;
  readonly policy: ZonePolicyContext;
  readonly params: HotplugParams;
  readonly autoOnlineBlocks: OnlineType;
  readonly geometry: BlockGeometry;
  /** Page-table levels in use: they decide MAX_PHYSMEM_BITS, the end of hot-pluggable memory. */
  readonly pagingLevels: PagingLevels;
  readonly cost: CostParams;
  /** How memory is made removable: offline-migrated moves kernel pages out of offlined blocks. */
  readonly scheme: HotRemoveScheme;
  /** The node has CPUs, so try_offline_node keeps it online. */
  hasCpus(nid: number): boolean;
  /** Where boot sections' memmaps still lie (ascending); the lifecycle frees them at hot-remove. */
  bootMemmap: BootMemmapPlacement[];
  /** The watermarks, which online and offline recompute (init_per_zone_wmark_min). */
  readonly watermarks: Watermarks;
}

/** What every lifecycle operation works with. */
export interface HotplugContext {
  readonly host: LifecycleHost;
  /** memory-notifier-error-inject: the errno a notification fails with, if any. */
  readonly notifier: NotifierErrorInject;
  /** Migration rescans an offline makes before it gives up with EINTR. */
  readonly offlineRetryBudget: number;
  /** The online and offline transitions (online.ts, offline.ts), their writes joining `log`. */
  transitions(log: UndoLog): BlockTransitions<Transition>;
}
