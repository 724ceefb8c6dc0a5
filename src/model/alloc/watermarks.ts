/**
 * Watermarks and lowmem reserves, as Linux 6.18 computes them
 * (mm/page_alloc.c; docs/kernel-facts.md, facts 51 to 61 and 80):
 *
 * ```
 *  managed pages of the online nodes' zones
 *     │ nr_free_buffer_pages      Σ max(0, managed − high) over DMA..Normal
 *     ▼ calculate_min_free_kbytes ⌊√(kB × 16)⌋, clamped to 128..262144,
 *  min_free_kbytes                unless the user's value is at least as large
 *     │ set_recommended_min_free_kbytes (khugepaged, THP on): raise to 22528 kB
 *     │                         per populated kernel zone, at most 5 % of lowmem
 *     ▼ __setup_per_zone_wmarks
 *  per zone min / low / high / promo, boost 0     ── zoneinfo's marks
 *  lowmem_reserve[] from lowmem_reserve_ratio      ── zoneinfo's protection
 *  totalreserve_pages = Σ min(managed, max reserve + high)
 * ```
 *
 * When they are recomputed, and nothing else moves them (a managed count
 * that changes in between leaves the marks as they were):
 * - boot: init_per_zone_wmark_min (a postcore initcall), then hugepage_init
 *   (a subsys initcall) starts khugepaged and runs its raise ({@link Watermarks.initcalls});
 * - every memory online and offline: online_pages and offline_pages call
 *   init_per_zone_wmark_min, whose tail repeats the raise while khugepaged runs;
 * - sysctl writes: min_free_kbytes and watermark_scale_factor recompute the
 *   marks only, lowmem_reserve_ratio the reserves only;
 * - writes to THP `enabled`: the khugepaged step (raise, or with THP off the
 *   base value, which may be lower);
 * - 6.18 also recomputes the reserves whenever a managed count changes
 *   (adjust_managed_page_count), here when hot-remove frees a boot memmap.
 *
 * Everything is arithmetic on a few counters per zone: the pure functions
 * take managed counts and settings, and one {@link Watermarks} per machine
 * holds the settings and writes the results into the zones.
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { MAX_NR_ZONES, ZONE_MOVABLE, ZONE_NORMAL } from '../core/mmzone.js';
import { divFloor } from '../core/pfn-ranges.js';
import { sysfsStreq } from '../core/kstrtox.js';
import {
  THP_MODES,
  type NodeState,
  type StoreResult,
  type ThpMode,
  type TunableFile,
  type VmSettings,
  type ZoneState,
} from '../core/state.js';
import { procDointvecShow, procDointvecWrite, type IntBounds } from '../core/sysctl.js';
import type { ZoneWatermarks } from '../core/types.js';
import {
  hugepagePmdEnabled,
  recommendedMinFreeKbytes,
  THP_MIN_TOTALRAM_PAGES,
  thpEnabledShow,
  thpReserveZoneCount,
} from './khugepaged.js';

/** min_free_kbytes before boot replaces it (its static initialiser). */
export const INITIAL_MIN_FREE_KBYTES = 1024;
/** calculate_min_free_kbytes clamps its own figure to this range; a user value may go outside it. */
export const MIN_FREE_KBYTES_RANGE = { min: 128, max: 262_144 } as const;
/** watermark_scale_factor: the default, and the range its sysctl accepts (extra1, extra2). */
export const DEFAULT_WATERMARK_SCALE_FACTOR = 10;
export const WATERMARK_SCALE_FACTOR_RANGE = { min: 1, max: 3000 } as const;
/**
 * sysctl_lowmem_reserve_ratio: DMA and DMA32 keep 1/256 of what the zones
 * above them manage, Normal 1/32 of Movable; Movable and Device keep nothing.
 */
export const DEFAULT_LOWMEM_RESERVE_RATIO: readonly number[] = [256, 256, 32, 0, 0];
/** SWAP_CLUSTER_MAX (include/linux/swap.h): the least min a ZONE_MOVABLE gets. */
const SWAP_CLUSTER_MAX = 32;
/** The most min a ZONE_MOVABLE gets: its pages serve no __GFP_HIGH or PF_MEMALLOC allocation. */
const MOVABLE_MIN_PAGES_MAX = 128;
const KB_PER_PAGE = PAGE_SIZE / 1024;

// ---------------------------------------------------------------------------
// The computation, from managed counts and settings

/** int_sqrt (lib/math/int_sqrt.c): ⌊√x⌋, exact for every integer below 2^53. */
export function intSqrt(x: number): number {
  let root = Math.floor(Math.sqrt(x));
  while (root * root > x) root--;
  while ((root + 1) * (root + 1) <= x) root++;
  return root;
}

/** high_wmark_pages: the high mark as allocations read it, boost included. */
export function highWmarkPages(zone: ZoneState): number {
  return zone.watermarks.high + zone.watermarks.boost;
}

/**
 * nr_free_buffer_pages: what GFP_KERNEL allocations could still take above
 * the high marks, over every zone up to Normal of `zones` (the local node's
 * zonelist holds every node with memory). Before the first recompute the
 * marks are 0, so at boot this is Σ managed of DMA, DMA32 and Normal.
 */
export function nrFreeBufferPages(zones: readonly ZoneState[]): number {
  let pages = 0;
  for (const zone of zones) {
    if (zone.zoneIdx > ZONE_NORMAL) continue;
    const high = highWmarkPages(zone);
    if (zone.managedPages > high) pages += zone.managedPages - high;
  }
  return pages;
}

/** calculate_min_free_kbytes's own figure, before the user's value and the clamp: ⌊√(lowmem kB × 16)⌋. */
export function baseMinFreeKbytes(nrFreeBufferPages: number): number {
  return intSqrt(nrFreeBufferPages * KB_PER_PAGE * 16);
}

/** lowmem_pages of __setup_per_zone_wmarks: managed pages of every zone but Movable (x86_64 has no HIGHMEM). */
export function lowmemPages(zones: readonly ZoneState[]): number {
  return zones.reduce((sum, zone) => (zone.zoneIdx === ZONE_MOVABLE ? sum : sum + zone.managedPages), 0);
}

/** mult_frac(x, numer, denom): x · numer / denom without the intermediate product overflowing. */
function multFrac(x: number, numer: number, denom: number): number {
  return divFloor(x, denom) * numer + divFloor((x % denom) * numer, denom);
}

/**
 * __setup_per_zone_wmarks for one zone. `share` is the zone's part of
 * pages_min in proportion to its managed pages; it is min for a kernel zone.
 * ZONE_MOVABLE gets a small fixed min instead, managed/1024 kept within
 * 32..128 (6.12 and later; 6.1 gave it its share), but its gaps still grow
 * with the share, so kswapd keeps a large Movable zone as far above min as
 * a kernel zone of its size. Each gap is a quarter of the share, or
 * watermark_scale_factor/10000 of the zone when that is more.
 */
export function zoneWatermarks(
  zone: Pick<ZoneState, 'zoneIdx' | 'managedPages'>,
  pagesMin: number,
  lowmem: number,
  watermarkScaleFactor: number,
): ZoneWatermarks {
  const managed = zone.managedPages;
  // A u64 product in the kernel, so it is computed (and would wrap) as one.
  // With no lowmem at all the kernel would divide by zero; no zone then has a share.
  const share = lowmem === 0 ? 0 : proportion(pagesMin, managed, lowmem);
  const min =
    zone.zoneIdx === ZONE_MOVABLE
      ? Math.min(Math.max(divFloor(managed, 1024), SWAP_CLUSTER_MAX), MOVABLE_MIN_PAGES_MAX)
      : share;
  const delta = Math.max(divFloor(share, 4), multFrac(managed, watermarkScaleFactor, 10_000));
  const low = min + delta;
  const high = low + delta;
  return { min, low, high, promo: high + delta, boost: 0 };
}

/**
 * ⌊a · b / d⌋ as the kernel's u64 arithmetic gives it. Exact in doubles while
 * the product stays below 2^52 (then the quotient is corrected by at most one
 * step either way); BigInt, wrapping the product as a u64 would, above that.
 * Every zone of every online node takes this at each online and offline.
 */
function proportion(a: number, b: number, d: number): number {
  const product = a * b;
  if (product >= 2 ** 52) return Number(BigInt.asUintN(64, BigInt(a) * BigInt(b)) / BigInt(d));
  let q = Math.floor(product / d);
  if (q * d > product) q--;
  else if ((q + 1) * d <= product) q++;
  return q;
}

/** Marks computed by zoneWatermarks and what they were computed from. */
interface MarksInputs {
  marks: ZoneWatermarks;
  managed: number;
  pagesMin: number;
  lowmem: number;
  scale: number;
}

/** Whether a node's zones still hold the reserves `last` computed, from the managed pages and ratios it computed them from. */
function reservesCurrent(zones: readonly ZoneState[], ratios: readonly number[], last: { managed: number[]; ratios: number[]; reserves: number[][] }): boolean {
  for (let i = 0; i < zones.length; i++) if (zones[i].lowmemReserve !== last.reserves[i] || zones[i].managedPages !== last.managed[i]) return false;
  for (let i = 0; i < ratios.length; i++) if (ratios[i] !== last.ratios[i]) return false;
  return true;
}

function sameInputs(m: MarksInputs | null, managed: number, pagesMin: number, lowmem: number, scale: number): m is MarksInputs {
  return m !== null && m.managed === managed && m.pagesMin === pagesMin && m.lowmem === lowmem && m.scale === scale;
}

/**
 * setup_per_zone_lowmem_reserve for one node, `managed` indexed by zone:
 * entry j of zone i < j is the managed pages of zones i+1..j divided by
 * zone i's ratio, or 0 when the ratio is 0 or zone i manages nothing.
 * Entries j ≤ i, and the last zone's, are never written and stay 0.
 */
export function lowmemReserve(managed: readonly number[], ratios: readonly number[]): number[][] {
  return managed.map((ownManaged, i) => {
    const reserve = new Array<number>(MAX_NR_ZONES).fill(0);
    if (i >= MAX_NR_ZONES - 1) return reserve;
    const clear = ratios[i] === 0 || ownManaged === 0;
    let above = 0;
    for (let j = i + 1; j < MAX_NR_ZONES; j++) {
      above += managed[j];
      reserve[j] = clear ? 0 : divFloor(above, ratios[i]);
    }
    return reserve;
  });
}

/**
 * calculate_totalreserve_pages: per zone, its largest reserve plus its high
 * mark, never more than it manages, summed. (MemAvailable and the dirty
 * limits subtract this.)
 */
export function totalreservePages(zones: readonly ZoneState[]): number {
  let pages = 0;
  for (const zone of zones) {
    let reserve = 0;
    for (let j = zone.zoneIdx; j < zone.lowmemReserve.length; j++) reserve = Math.max(reserve, zone.lowmemReserve[j]);
    pages += Math.min(reserve + highWmarkPages(zone), zone.managedPages);
  }
  return pages;
}

// ---------------------------------------------------------------------------
// The sysctls (mm/page_alloc.c page_alloc_sysctl_table and its handlers)

interface VmSysctl {
  /** Ints the table holds (maxlen / sizeof(int)). */
  readonly nrValues: number;
  readonly bounds: IntBounds;
  /**
   * lowmem_reserve_ratio_sysctl_handler ignores what proc_dointvec_minmax
   * returns: a bad value is never refused, the values before it stay
   * stored, and the reserves are recomputed either way.
   */
  readonly refusesBadValues: boolean;
  /** What the refusal says the file accepts. */
  readonly accepts: string;
}

const VM_SYSCTLS = {
  min_free_kbytes: { nrValues: 1, bounds: { min: 0 }, refusesBadValues: true, accepts: 'an integer from 0 to 2147483647 (kB)' },
  watermark_scale_factor: {
    nrValues: 1,
    bounds: WATERMARK_SCALE_FACTOR_RANGE,
    refusesBadValues: true,
    accepts: `an integer from ${WATERMARK_SCALE_FACTOR_RANGE.min} to ${WATERMARK_SCALE_FACTOR_RANGE.max}`,
  },
  lowmem_reserve_ratio: { nrValues: MAX_NR_ZONES, bounds: {}, refusesBadValues: false, accepts: `up to ${MAX_NR_ZONES} integers` },
} as const satisfies Record<string, VmSysctl>;

export type VmSysctlName = keyof typeof VM_SYSCTLS;
const VM_SYSCTL_NAMES = Object.keys(VM_SYSCTLS) as VmSysctlName[];

/** The sysctl names a machine's `sysctl` settings may use, as sysctl.conf spells them. */
export const SYSCTL_NAMES: readonly string[] = VM_SYSCTL_NAMES.map((name) => `vm.${name}`);

/** /proc/sys path of a sysctl name (`vm.min_free_kbytes` → /proc/sys/vm/min_free_kbytes; `/` works as the separator too). */
export function sysctlPath(name: string): string {
  return `/proc/sys/${name.replace(/\./g, '/')}`;
}

/** Where the global THP mode is read and written. */
export const THP_ENABLED_PATH = '/sys/kernel/mm/transparent_hugepage/enabled';

function showText(written: string): string {
  return JSON.stringify(written.replace(/\n$/, ''));
}

type Refusal = Extract<StoreResult, { ok: false }>;

function refuse(message: string): Refusal {
  return { ok: false, errno: 'EINVAL', message };
}

/** The refusal a write of `written` to vm.`name` gets before its handler acts, if any. */
function sysctlRefusal(name: VmSysctlName, written: string): Refusal | null {
  const table: VmSysctl = VM_SYSCTLS[name];
  if (!table.refusesBadValues || procDointvecWrite(written, table.nrValues, table.bounds).errno === null) return null;
  return refuse(`${name} accepts ${table.accepts}, not ${showText(written)}`);
}

/**
 * What is wrong with a `sysctl` setting, or null: an unknown name, or a
 * value the handler refuses. (A machine's settings are checked before boot
 * with this, so a bad one is an input error rather than a boot log line.)
 */
export function sysctlSettingProblem(name: string, value: string): string | null {
  const short = VM_SYSCTL_NAMES.find((known) => sysctlPath(`vm.${known}`) === sysctlPath(name));
  if (short === undefined) return `unknown sysctl ${JSON.stringify(name)} (known: ${SYSCTL_NAMES.join(', ')})`;
  return sysctlRefusal(short, `${value}\n`)?.message ?? null;
}

// ---------------------------------------------------------------------------
// The machine's state

/**
 * The page allocator's settings and the numbers computed from them, for one
 * machine. Methods are named after the kernel functions they restate and run
 * in the kernel's order; each writes fresh watermark and reserve objects into
 * the zones of online nodes (offline nodes keep what they had, as their
 * pgdat does).
 */
export class Watermarks {
  readonly settings: VmSettings;
  /** totalreserve_pages: what the allocator treats as untouchable, machine-wide. */
  totalreservePages = 0;
  /** Kernel log lines the recomputes printed (pr_warn, pr_info), oldest first. */
  readonly log: string[] = [];
  readonly #nodes: readonly NodeState[];

  constructor(nodes: readonly NodeState[], thp: ThpMode) {
    this.#nodes = nodes;
    this.settings = {
      minFreeKbytes: INITIAL_MIN_FREE_KBYTES,
      userMinFreeKbytes: -1,
      watermarkScaleFactor: DEFAULT_WATERMARK_SCALE_FACTOR,
      lowmemReserveRatio: [...DEFAULT_LOWMEM_RESERVE_RATIO],
      thp,
      khugepagedRunning: false,
    };
  }

  /** for_each_online_pgdat: the nodes whose zones the recomputes walk. */
  #onlineNodes(): NodeState[] {
    return this.#nodes.filter((node) => node.online);
  }

  /** for_each_zone: every zone of every online node. */
  #onlineZones(): ZoneState[] {
    const zones: ZoneState[] = [];
    for (const node of this.#nodes) if (node.online) for (const zone of node.zones) zones.push(zone);
    return zones;
  }

  // ---- mm/page_alloc.c -------------------------------------------------------

  /**
   * calculate_min_free_kbytes: the square-root rule on what kernel
   * allocations could take now, unless the user wrote a value at least as
   * large, which is kept with a warning.
   */
  calculateMinFreeKbytes(): void {
    const next = baseMinFreeKbytes(nrFreeBufferPages(this.#onlineZones()));
    const s = this.settings;
    if (next > s.userMinFreeKbytes) {
      s.minFreeKbytes = Math.min(Math.max(next, MIN_FREE_KBYTES_RANGE.min), MIN_FREE_KBYTES_RANGE.max);
    } else {
      this.log.push(`min_free_kbytes is not updated to ${next} because user defined value ${s.userMinFreeKbytes} is preferred`);
    }
  }

  /** setup_per_zone_wmarks (__setup_per_zone_wmarks, then calculate_totalreserve_pages). */
  setupPerZoneWmarks(): void {
    const zones = this.#onlineZones();
    const pagesMin = Math.floor(this.settings.minFreeKbytes / KB_PER_PAGE);
    const lowmem = lowmemPages(zones);
    const scale = this.settings.watermarkScaleFactor;
    // Every online and offline recomputes every zone of the machine, twice
    // with khugepaged (at the base min_free_kbytes, then at its raise). The
    // marks of each zone's last two computations are kept with their inputs
    // and given again for the same inputs (the same numbers), so a
    // 1024-node machine does not compute 5120 zones afresh per block.
    const memo = this.#marksMemo;
    for (let i = 0; i < zones.length; i++) {
      const zone = zones[i];
      const managed = zone.managedPages;
      let slot = memo[i];
      if (slot === undefined || slot.zone !== zone) {
        slot = { zone, newest: null, older: null };
        memo[i] = slot;
      }
      if (sameInputs(slot.newest, managed, pagesMin, lowmem, scale)) zone.watermarks = slot.newest.marks;
      else if (sameInputs(slot.older, managed, pagesMin, lowmem, scale)) zone.watermarks = slot.older.marks;
      else {
        zone.watermarks = zoneWatermarks(zone, pagesMin, lowmem, scale);
        slot.older = slot.newest;
        slot.newest = { marks: zone.watermarks, managed, pagesMin, lowmem, scale };
      }
    }
    this.totalreservePages = totalreservePages(zones);
  }

  /** setup_per_zone_lowmem_reserve, then calculate_totalreserve_pages. */
  setupPerZoneLowmemReserve(): void {
    const ratios = this.settings.lowmemReserveRatio;
    for (const node of this.#onlineNodes()) {
      // As for the marks: a node whose zones manage what they managed when
      // their reserves were computed, under the same ratios, keeps them.
      const last = this.#lastReserves.get(node);
      if (last !== undefined && reservesCurrent(node.zones, ratios, last)) continue;
      const managed = node.zones.map((zone) => zone.managedPages);
      const reserves = lowmemReserve(managed, ratios);
      node.zones.forEach((zone, i) => {
        zone.lowmemReserve = reserves[i];
      });
      this.#lastReserves.set(node, { managed, ratios: [...ratios], reserves });
    }
    this.totalreservePages = totalreservePages(this.#onlineZones());
  }

  /** Per position in the online zones: the zone's last two marks with their inputs (setupPerZoneWmarks). */
  readonly #marksMemo: { zone: ZoneState; newest: MarksInputs | null; older: MarksInputs | null }[] = [];
  /** The inputs each node's current reserves were computed from (setupPerZoneLowmemReserve). */
  readonly #lastReserves = new WeakMap<NodeState, { managed: number[]; ratios: number[]; reserves: number[][] }>();

  /**
   * init_per_zone_wmark_min: at boot and after every memory online and
   * offline. The base value first (a later call subtracts the current high
   * marks, so it comes out a little lower than at boot), the marks, the
   * reserves, then khugepaged's raise if it runs.
   */
  initPerZoneWmarkMin(): void {
    this.calculateMinFreeKbytes();
    this.setupPerZoneWmarks();
    this.setupPerZoneLowmemReserve();
    this.khugepagedMinFreeKbytesUpdate();
  }

  // ---- mm/khugepaged.c, mm/huge_memory.c -----------------------------------------

  /**
   * set_recommended_min_free_kbytes: with PMD THP on, raise min_free_kbytes
   * to khugepaged's figure (never lower it; a user value is overridden, with
   * a log line); with THP off, go back to the base value. Marks follow.
   */
  setRecommendedMinFreeKbytes(): void {
    const s = this.settings;
    if (!hugepagePmdEnabled(s.thp)) {
      this.calculateMinFreeKbytes();
    } else {
      const zones = this.#onlineZones();
      const recommended = recommendedMinFreeKbytes(thpReserveZoneCount(zones), nrFreeBufferPages(zones));
      if (recommended > s.minFreeKbytes) {
        if (s.userMinFreeKbytes >= 0) {
          this.log.push(`raising min_free_kbytes from ${s.minFreeKbytes} to ${recommended} to help transparent hugepage allocations`);
        }
        s.minFreeKbytes = recommended;
      }
    }
    this.setupPerZoneWmarks();
  }

  /** khugepaged_min_free_kbytes_update: the tail of init_per_zone_wmark_min, only while khugepaged runs. */
  khugepagedMinFreeKbytesUpdate(): void {
    if (hugepagePmdEnabled(this.settings.thp) && this.settings.khugepagedRunning) this.setRecommendedMinFreeKbytes();
  }

  /** start_stop_khugepaged: the thread runs exactly while PMD THP is on; the recommendation runs either way. */
  startStopKhugepaged(): void {
    this.settings.khugepagedRunning = hugepagePmdEnabled(this.settings.thp);
    this.setRecommendedMinFreeKbytes();
  }

  /**
   * hugepage_init: on a machine with less than 512 MiB of RAM THP is
   * switched off (whatever the command line said) and khugepaged is not
   * started; otherwise khugepaged starts (or not) with the mode.
   */
  hugepageInit(): void {
    const totalramPages = this.#onlineZones().reduce((sum, zone) => sum + zone.managedPages, 0);
    if (totalramPages < THP_MIN_TOTALRAM_PAGES) {
      this.settings.thp = 'never';
      return;
    }
    this.startStopKhugepaged();
  }

  /** Boot: init_per_zone_wmark_min (postcore initcall), then hugepage_init (subsys initcall). */
  initcalls(): void {
    this.initPerZoneWmarkMin();
    this.hugepageInit();
  }

  // ---- user space ------------------------------------------------------------------

  /** A write to /proc/sys/vm/`name`, as its handler takes it. A refused write changes nothing. */
  storeSysctl(name: VmSysctlName, written: string): StoreResult {
    const refusal = sysctlRefusal(name, written);
    if (refusal !== null) return refusal;
    const table: VmSysctl = VM_SYSCTLS[name];
    const { stored } = procDointvecWrite(written, table.nrValues, table.bounds);
    const s = this.settings;
    switch (name) {
      case 'min_free_kbytes':
        // min_free_kbytes_sysctl_handler: the value is the user's from now on; only the marks follow.
        s.minFreeKbytes = stored[0];
        s.userMinFreeKbytes = stored[0];
        this.setupPerZoneWmarks();
        break;
      case 'watermark_scale_factor':
        s.watermarkScaleFactor = stored[0];
        this.setupPerZoneWmarks();
        break;
      case 'lowmem_reserve_ratio':
        // A ratio below 1 means no protection and is stored as 0.
        stored.forEach((ratio, i) => {
          s.lowmemReserveRatio[i] = ratio;
        });
        s.lowmemReserveRatio.forEach((ratio, i) => {
          if (ratio < 1) s.lowmemReserveRatio[i] = 0;
        });
        this.setupPerZoneLowmemReserve();
        break;
    }
    return { ok: true };
  }

  /** What /proc/sys/vm/`name` shows. */
  showSysctl(name: VmSysctlName): string {
    const s = this.settings;
    if (name === 'min_free_kbytes') return procDointvecShow([s.minFreeKbytes]);
    if (name === 'watermark_scale_factor') return procDointvecShow([s.watermarkScaleFactor]);
    return procDointvecShow(s.lowmemReserveRatio);
  }

  /** enabled_store: one of the three modes, then start_stop_khugepaged (which recomputes even when the mode is unchanged). */
  storeThpEnabled(written: string): StoreResult {
    const mode = THP_MODES.find((m) => sysfsStreq(written, m));
    if (mode === undefined) return refuse(`enabled accepts ${THP_MODES.join(', ')}, not ${showText(written)}`);
    this.settings.thp = mode;
    this.startStopKhugepaged();
    return { ok: true };
  }

  /** The files user space reaches these settings through (served by views/sysfs.ts). */
  files(): TunableFile[] {
    return [
      ...VM_SYSCTL_NAMES.map((name) => ({
        path: sysctlPath(`vm.${name}`),
        show: () => this.showSysctl(name),
        store: (written: string) => this.storeSysctl(name, written),
      })),
      { path: THP_ENABLED_PATH, show: () => thpEnabledShow(this.settings.thp), store: (written: string) => this.storeThpEnabled(written) },
    ];
  }

  /**
   * Save the settings, the totals and every zone's marks and reserves; the
   * returned function puts them back (a call that fails takes its
   * recomputes back with it). Log lines stay: they were printed.
   */
  save(): () => void {
    const settings = { ...this.settings, lowmemReserveRatio: [...this.settings.lowmemReserveRatio] };
    const total = this.totalreservePages;
    // Every online and offline saves: flat arrays, not an object per zone.
    const zones: ZoneState[] = [];
    const marks: ZoneWatermarks[] = [];
    const reserves: number[][] = [];
    for (const node of this.#nodes) {
      for (const zone of node.zones) {
        zones.push(zone);
        marks.push(zone.watermarks);
        reserves.push(zone.lowmemReserve);
      }
    }
    return () => {
      Object.assign(this.settings, settings);
      this.totalreservePages = total;
      zones.forEach((zone, i) => {
        zone.watermarks = marks[i];
        zone.lowmemReserve = reserves[i];
      });
    };
  }
}
