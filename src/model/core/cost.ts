/**
 * The cost model: how long a hotplug operation would take on real hardware.
 *
 * Every rate has one home, {@link CostParams}, with its default and the
 * measurement it comes from. The functions below only scale those rates by
 * the amount of work an operation did; they return modelled seconds on one
 * CPU, which studies report next to the simulator's own wall time.
 *
 * Units: "GB/s" in the sources is decimal (10^9 bytes per second); sizes of
 * memory are binary (MiB = 2^20 bytes, GiB = 2^30 bytes). A page is 4 KiB.
 */
import { PAGE_SIZE } from '../../contract/constants.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** A PMD-sized (2 MiB) folio. */
const FOLIO_2M_BYTES = 2 * MiB;
/** The unit the onlining figure was measured in: one 256 MiB section of the measured system. */
const ONLINE_REFERENCE_BYTES = 256 * MiB;
/** The unit the memmap-init figure was measured in. */
const MEMMAP_INIT_REFERENCE_BYTES = 256 * GiB;

export interface CostParams {
  /**
   * Page migration copy rate for 4 KiB folios, bytes per second, one thread.
   * Source: single-thread `move_pages` measurements, LKML 2026-05 (S. Garg).
   * @default 3.3e9
   */
  migrationBytesPerSecond4k: number;
  /**
   * Page migration copy rate for 2 MiB folios, bytes per second, one thread.
   * Source: single-thread `move_pages` measurements, LKML 2026-05 (S. Garg).
   * @default 11e9
   */
  migrationBytesPerSecond2m: number;
  /**
   * Seconds to hand 256 MiB of newly onlined memory to the buddy allocator.
   * Source: LKML 2018-11 (A. KS), "memory_hotplug: Free pages as higher
   * order": onlining one 256 MiB section dropped from 50-60 ms to under 1 ms;
   * we take the 1 ms bound.
   * @default 1e-3
   */
  onlineSecondsPer256MiB: number;
  /**
   * Seconds to initialise the memmap (struct pages) of 256 GiB on one thread.
   * Source: LKML 2015-04 (M. Gorman), deferred struct page initialisation
   * series.
   * @default 1.1
   */
  memmapInitSecondsPer256GiB: number;
  /**
   * offline-migrated (docs/hot-remove-schemes.md): seconds to bring every
   * CPU into stop_machine and out again, once per offlined block that copies
   * kernel pages. Source: no measured figure found; an assumption of 1 ms
   * (an IPI round to every CPU and back on a large machine). Override it.
   * @default 1e-3
   */
  stopMachineSeconds: number;
  /**
   * offline-migrated: copy rate of slab pages under stop_machine, bytes per
   * second, one thread. Source: no measured figure for this copy; taken as
   * the 4 KiB migration copy rate (single-thread `move_pages`, LKML 2026-05,
   * S. Garg), the same memcpy of 4 KiB pages.
   * @default 3.3e9
   */
  kernelCopyBytesPerSecond: number;
  /**
   * offline-migrated: seconds to walk one page-table page of every process
   * while relocating page tables (512 entries read and compared). Source: no
   * measured figure found; an assumption of 0.5 us (about 1 ns per entry).
   * @default 5e-7
   */
  pgtableWalkSecondsPerPage: number;
  /**
   * offline-migrated: seconds for the TLB flush on every CPU after the
   * direct map of a block changes, once per block that copies kernel pages.
   * Source: no measured figure found; an assumption of 100 us.
   * @default 1e-4
   */
  tlbFlushSeconds: number;
}

export const DEFAULT_COST_PARAMS: Readonly<CostParams> = Object.freeze({
  migrationBytesPerSecond4k: 3.3e9,
  migrationBytesPerSecond2m: 11e9,
  onlineSecondsPer256MiB: 1e-3,
  memmapInitSecondsPer256GiB: 1.1,
  stopMachineSeconds: 1e-3,
  kernelCopyBytesPerSecond: 3.3e9,
  pgtableWalkSecondsPerPage: 5e-7,
  tlbFlushSeconds: 1e-4,
});

const PARAM_NAMES = Object.keys(DEFAULT_COST_PARAMS) as (keyof CostParams)[];

/**
 * The defaults with `overrides` applied.
 * @throws {RangeError} naming the field, for an unknown field or a value
 * that is not a positive finite number.
 */
export function resolveCostParams(overrides: Partial<CostParams> = {}): CostParams {
  for (const key of Object.keys(overrides)) {
    if (!(PARAM_NAMES as string[]).includes(key)) {
      throw new RangeError(`cost.${key} is not a cost parameter (known: ${PARAM_NAMES.join(', ')})`);
    }
  }
  const params = { ...DEFAULT_COST_PARAMS };
  for (const key of PARAM_NAMES) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`cost.${key} must be a positive finite number, got ${String(value)}`);
    }
    params[key] = value;
  }
  return params;
}

/** Work counts are page or folio counts: non-negative integers. */
function checkCount(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  }
}

/** Pages moved by migration, split by folio size. */
export interface MigrationWork {
  /** 4 KiB pages migrated as order-0 folios. */
  pages4k: number;
  /** 2 MiB folios migrated whole. */
  folios2m: number;
}

/** Seconds to copy the migrated folios, each size at its own measured rate. */
export function migrationSeconds(params: CostParams, work: MigrationWork): number {
  checkCount('pages4k', work.pages4k);
  checkCount('folios2m', work.folios2m);
  return (
    (work.pages4k * PAGE_SIZE) / params.migrationBytesPerSecond4k +
    (work.folios2m * FOLIO_2M_BYTES) / params.migrationBytesPerSecond2m
  );
}

/** Seconds to initialise the struct pages of `nrPages` pages on one thread. */
export function memmapInitSeconds(params: CostParams, nrPages: number): number {
  checkCount('nrPages', nrPages);
  return ((nrPages * PAGE_SIZE) / MEMMAP_INIT_REFERENCE_BYTES) * params.memmapInitSecondsPer256GiB;
}

export interface OnlineOptions {
  /**
   * Pages at the start of the block that hold its own memmap
   * (memmap_on_memory). They get struct pages but never reach the buddy.
   * @default 0
   */
  selfHostedVmemmapPages?: number;
}

/**
 * Seconds to online `nrPages` pages (one or more memory blocks).
 *
 * Onlining initialises the range's memmap (move_pfn_range_to_zone: hot-added
 * memory gets its struct pages initialised at online, not at add, and a
 * re-online initialises them again), then frees the pages to the buddy
 * allocator. We charge both: memmap init for every page of the range at the
 * Gorman rate, and the buddy hand-over for the pages that reach the buddy at
 * the A. KS rate. The A. KS changelog measured "hot add latency" without
 * saying whether its 1 ms includes the memmap init of that kernel's online
 * path; counting them separately can only overstate onlining, by at most the
 * memmap-init term (about 1.1 ms per 256 MiB), so the result is an upper bound.
 */
export function onlineSeconds(params: CostParams, nrPages: number, options: OnlineOptions = {}): number {
  checkCount('nrPages', nrPages);
  const vmemmapPages = options.selfHostedVmemmapPages ?? 0;
  checkCount('selfHostedVmemmapPages', vmemmapPages);
  if (vmemmapPages > nrPages) {
    throw new RangeError(`selfHostedVmemmapPages (${vmemmapPages}) exceeds nrPages (${nrPages})`);
  }
  const buddyPages = nrPages - vmemmapPages;
  const handOverSeconds = ((buddyPages * PAGE_SIZE) / ONLINE_REFERENCE_BYTES) * params.onlineSecondsPer256MiB;
  return memmapInitSeconds(params, nrPages) + handOverSeconds;
}

/** What an offline did. */
export interface OfflineWork {
  /** 4 KiB pages migrated as order-0 folios. */
  migratedPages: number;
  /**
   * 2 MiB folios migrated whole.
   * @default 0
   */
  migratedFolios2m?: number;
  /** Pages the movable-page scan walked, over all passes. */
  scannedPages: number;
  /** Extra passes after the first (the kernel retries without limit). */
  retries: number;
}

/**
 * Seconds to offline: the migration copy only.
 *
 * We found no published per-page cost for the offline scan
 * (scan_movable_pages, isolation checks) or for a retry pass, so
 * `scannedPages` and `retries` are validated and carried for reports but
 * add no time, so an offline of free memory is modelled as free. Add a
 * sourced scan rate to
 * {@link CostParams} before charging for the scan.
 */
export function offlineSeconds(params: CostParams, work: OfflineWork): number {
  checkCount('scannedPages', work.scannedPages);
  checkCount('retries', work.retries);
  return migrationSeconds(params, { pages4k: work.migratedPages, folios2m: work.migratedFolios2m ?? 0 });
}

/**
 * Seconds to hot-add `nrPages` pages: 0.
 *
 * Adding allocates the memmap and builds direct-map page tables but
 * initialises no struct pages (that happens at online, see
 * {@link onlineSeconds}). We have no sourced figure for the allocation and
 * page-table work, so it is modelled as free rather than guessed.
 */
export function addSeconds(_params: CostParams, nrPages: number): number {
  checkCount('nrPages', nrPages);
  return 0;
}

/**
 * Seconds to hot-remove `nrPages` pages: 0.
 *
 * Removal frees the memmap and tears down direct-map page tables of memory
 * that is already offline; like {@link addSeconds} there is no sourced
 * figure, so it is modelled as free. The expensive part of taking memory
 * away is the offline before it ({@link offlineSeconds}).
 */
export function removeSeconds(_params: CostParams, nrPages: number): number {
  checkCount('nrPages', nrPages);
  return 0;
}

/** What offline-migrated did to one block's kernel pages. */
export interface KernelRelocationWork {
  /** Slab pages (reclaimable or not) copied under stop_machine and remapped. */
  copiedPages: number;
  /** Page-table pages relocated. */
  pgtablePages: number;
  /** Page-table pages of every process: the walk that finds the parents of the relocated ones reads them all. */
  pgtablePagesInMachine: number;
}

/**
 * Seconds the machine stands still for one block's kernel pages under
 * offline-migrated: nothing when the block holds none; otherwise
 * stop_machine's entry and exit, the copy, one walk of every page table
 * when page tables move, and the TLB flush.
 */
export function stopMachineSeconds(params: CostParams, work: KernelRelocationWork): number {
  checkCount('copiedPages', work.copiedPages);
  checkCount('pgtablePages', work.pgtablePages);
  checkCount('pgtablePagesInMachine', work.pgtablePagesInMachine);
  if (work.copiedPages === 0 && work.pgtablePages === 0) return 0;
  const walk = work.pgtablePages === 0 ? 0 : work.pgtablePagesInMachine * params.pgtableWalkSecondsPerPage;
  return (
    params.stopMachineSeconds +
    ((work.copiedPages + work.pgtablePages) * PAGE_SIZE) / params.kernelCopyBytesPerSecond +
    walk +
    params.tlbFlushSeconds
  );
}
