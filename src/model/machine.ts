/**
 * The booted machine: the façade that composes the model. The boot layout
 * becomes engine shards, present sections with their page state, nodes and
 * zones with the kernel's counters, and memory block devices; the hotplug
 * lifecycle and the sysfs and /proc views work on them.
 *
 * ```
 * MachineSpec ──boot/setup.ts computeBootLayout──▶ BootLayout (boot/layout.ts)
 *     │  core/shards.ts          one engine per node window (≤ 16 TiB each)
 *     │  boot/sparse.ts          present sections, section zones, FREE vs RESERVED pages
 *     │  here                    NodeState / ZoneState from the layout, the block geometry
 *     │  hotplug/memory-blocks   one block per block id holding a present section
 *     │  alloc/watermarks        the initcalls' watermarks, then the sysctl settings
 *     ▼
 *  BootedMachine ── views/sysfs.ts (SysfsTree, with /proc/sys/vm) ── views/procfs.ts (zoneinfo, iomem)
 *     │  hotplug/lifecycle.ts    add, online, offline, remove (hotplug/*.ts), alloc/free
 *     │                          (alloc/workload.ts), behind the state rules of memory-blocks
 *     │  invariants.ts           recounts against the engines
 * ```
 *
 * sysfs writes to a block's `state` and `online` files and the lifecycle
 * API run the same transitions, one at a time (the device hotplug lock).
 *
 * Every engine call is awaited, so the in-thread WASM engine, the reference
 * engine and the worker client all serve. Engine work is a few coarse calls
 * per section run, free range or zone; nothing here loops over pages.
 */
import { kindHeadroom } from './alloc/headroom.js';
import { groupingDisabled } from './alloc/mobility.js';
import { describeValue } from '../util/format.js';
import { classBit, NO_ZONE, PAGE_SIZE, PageClass } from '../contract/constants.js';
import { sysctlPath, sysctlSettingProblem, Watermarks } from './alloc/watermarks.js';
import { blockGeometry } from './boot/block-size.js';
import type { BootLayout, BootMemmapPlacement } from './boot/layout.js';
import type { MemPfnRange } from './boot/mm-init.js';
import { computeBootLayout } from './boot/setup.js';
import { populateBootSections, sectionZoneRuns, type SectionRun } from './boot/sparse.js';
import { buildNodeOrders, nodeDistance } from './alloc/zonelist.js';
import { resolveCostParams, type CostParams } from './core/cost.js';
import { BootError, ModelError } from './core/errors.js';
import { NUMA_NO_NODE, directMapBase } from './core/kernel.js';
import { MAX_NR_ZONES, ZONE_MOVABLE, zoneName } from './core/mmzone.js';
import { nodeMemorySpans, planShardWindows, ShardSet } from './core/shards.js';
import { countClassesIn, pageblocksOver } from './core/page-state.js';
import type { PagingLevels } from './core/kernel.js';
import {
  isPopulated,
  nodeStats,
  zonePopulation,
  SYSTEM_RAM,
  zeroWatermarks,
  zoneHoldingPfn,
  type BlockGeometry,
  type HotplugParams,
  type IomemResource,
  type NodeState,
  type OnlineType,
  type PfnRange,
  type TunableFile,
  type ZoneState,
} from './core/state.js';
import type {
  AddMemoryRequest,
  AllocOutcome,
  AllocRequest,
  BlockInfo,
  BlockSelector,
  Errno,
  ExportSummary,
  FreeRequest,
  KindHeadroom,
  Machine,
  MachineOptions,
  ProgressListener,
  MachineSpec,
  NodeStats,
  NotifierAction,
  OfflineOutcome,
  OnlineRequestType,
  Outcome,
  Placement,
  SysfsEntry,
  SysfsRefusal,
  SysfsResult,
  BlockPageblocks,
  WorkloadOutcome,
  WorkloadSpec,
  HotRemoveScheme,
} from './core/types.js';
import type { LifecycleHost } from './hotplug/host.js';
import { HotplugLifecycle } from './hotplug/lifecycle.js';
import { addNidEarly, MemoryBlock, validZonesText, type BlockOpResult } from './hotplug/memory-blocks.js';
import { MemoryGroupRegistry } from './hotplug/memory-groups.js';
import type { ZonePolicyContext, ZonePolicyParams, ZoneView } from './hotplug/zone-policy.js';
import { checkInvariants } from './invariants.js';
import { formatIomem, formatZoneinfo } from './views/procfs.js';
import { SysfsTree, type NodeMasks, type SysfsModel } from './views/sysfs.js';

// ---------------------------------------------------------------------------
// Nodes and zones from the boot layout

/** Cut `[startPfn, endPfn)` out of `range`; 0, 1 or 2 pieces. */
function withoutSpan(range: PfnRange, startPfn: number, endPfn: number): PfnRange[] {
  const pieces: PfnRange[] = [];
  if (range.startPfn < Math.min(range.endPfn, startPfn)) pieces.push({ startPfn: range.startPfn, endPfn: Math.min(range.endPfn, startPfn) });
  if (Math.max(range.startPfn, endPfn) < range.endPfn) pieces.push({ startPfn: Math.max(range.startPfn, endPfn), endPfn: range.endPfn });
  return pieces;
}

/**
 * The pfns of each zone of one node: its memory inside the zone's span. With
 * kernelcore=mirror, NORMAL and MOVABLE overlap; mirrored memory then belongs
 * to the kernel zone and the rest of the movable span to ZONE_MOVABLE.
 */
function zoneMemberRanges(nodeRanges: readonly MemPfnRange[], zone: ZoneState, movableSpan: PfnRange | null): PfnRange[] {
  if (zone.spannedPages === 0) return [];
  const zoneStart = zone.zoneStartPfn;
  const zoneEnd = zone.zoneStartPfn + zone.spannedPages;
  const members: PfnRange[] = [];
  for (const r of nodeRanges) {
    const piece = { startPfn: Math.max(r.startPfn, zoneStart), endPfn: Math.min(r.endPfn, zoneEnd) };
    if (piece.startPfn >= piece.endPfn) continue;
    if (movableSpan === null) members.push(piece);
    else if (zone.zoneIdx === ZONE_MOVABLE) {
      if (!r.mirror) members.push(piece);
    } else if (r.mirror) members.push(piece);
    else members.push(...withoutSpan(piece, movableSpan.startPfn, movableSpan.endPfn));
  }
  return members;
}

function buildNodes(layout: BootLayout): NodeState[] {
  const online = new Set(layout.onlineNodes);
  const mirrorMode = layout.cmdline.params.kernelcore.kind === 'mirror';
  return layout.nodes.map((bootNode) => {
    const zones: ZoneState[] = [];
    for (let zoneIdx = 0; zoneIdx < MAX_NR_ZONES; zoneIdx++) {
      const boot = bootNode.zones.find((z) => z.zoneIdx === zoneIdx);
      zones.push({
        nid: bootNode.nid,
        zoneIdx,
        name: zoneName(zoneIdx),
        zoneStartPfn: boot?.zoneStartPfn ?? 0,
        spannedPages: boot?.spannedPages ?? 0,
        presentPages: boot?.presentPages ?? 0,
        presentEarlyPages: boot?.presentPages ?? 0,
        managedPages: boot?.managedPages ?? 0,
        watermarks: zeroWatermarks(),
        lowmemReserve: new Array<number>(MAX_NR_ZONES).fill(0),
        cmaPages: 0,
        filePages: 0,
        memberRanges: [],
      });
    }
    const movable = zones[ZONE_MOVABLE];
    const movableSpan =
      mirrorMode && movable.spannedPages > 0
        ? { startPfn: movable.zoneStartPfn, endPfn: movable.zoneStartPfn + movable.spannedPages }
        : null;
    const nodeRanges = layout.memRanges.filter((r) => r.nid === bootNode.nid);
    for (const zone of zones) zone.memberRanges = zoneMemberRanges(nodeRanges, zone, movableSpan);
    return {
      nid: bootNode.nid,
      possible: true,
      online: online.has(bootNode.nid),
      hasMemory: bootNode.hasMemory,
      hasNormalMemory: bootNode.hasNormalMemory,
      nodeStartPfn: bootNode.nodeStartPfn,
      nodeSpannedPages: bootNode.nodeSpannedPages,
      nodePresentPages: bootNode.nodePresentPages,
      zones,
    };
  });
}

// ---------------------------------------------------------------------------
// Memory blocks at boot

/**
 * memory_dev_init + register_memory_blocks_under_nodes: one online block per
 * block id that holds a present section; then every memory range, in address
 * order, links its blocks to its node and settles their node and zone.
 */
function buildBootBlocks(
  runs: readonly SectionRun[],
  memRanges: readonly MemPfnRange[],
  nodes: ReadonlyMap<number, NodeState>,
  geometry: BlockGeometry,
): Map<number, MemoryBlock> {
  const { sectionsPerBlock, pagesPerBlock } = geometry;
  const blocks = new Map<number, MemoryBlock>();
  for (const run of runs) {
    const lastBlockId = Math.floor((run.endSectionNr - 1) / sectionsPerBlock);
    for (let id = Math.floor(run.startSectionNr / sectionsPerBlock); id <= lastBlockId; id++) {
      if (!blocks.has(id)) blocks.set(id, new MemoryBlock(id, geometry, 'online', true));
    }
  }
  for (const range of memRanges) {
    const node = nodes.get(range.nid);
    if (node === undefined || !node.online) continue;
    const lastBlockId = Math.floor((range.endPfn - 1) / pagesPerBlock);
    for (let id = Math.floor(range.startPfn / pagesPerBlock); id <= lastBlockId; id++) {
      const block = blocks.get(id);
      if (block === undefined) continue;
      addNidEarly(block, node);
      block.linkNode(node.nid);
    }
  }
  return new Map([...blocks.entries()].sort((a, b) => a[0] - b[0]));
}

// ---------------------------------------------------------------------------
// The machine

export class BootedMachine implements Machine, SysfsModel, LifecycleHost {
  readonly spec: MachineSpec;
  readonly layout: BootLayout;
  /** The block size in bytes, sections and pages, computed once from the boot layout. */
  readonly geometry: BlockGeometry;
  /** Page-table levels in use (4, or 5 with LA57): they decide where hot-pluggable memory ends. */
  readonly pagingLevels: PagingLevels;
  /** MachineOptions.progress: told how each workload step gets on. */
  progress: ProgressListener | undefined;
  readonly warnings: readonly string[];
  readonly unknownParams: readonly string[];
  readonly shards: ShardSet;
  /** Every possible node, ascending nid. */
  readonly nodeStates: readonly NodeState[];
  readonly params: HotplugParams;
  /** The page allocator's settings (min_free_kbytes, THP, ...) and the watermarks computed from them. */
  readonly watermarks: Watermarks;
  autoOnlineBlocks: OnlineType;
  /** Memory groups of hot-added devices (none at boot). */
  readonly groups: MemoryGroupRegistry;
  /** The cost model's rates (cost.ts defaults). */
  readonly cost: CostParams = resolveCostParams();
  readonly slit: number[][] | null;
  /** /proc/iomem System RAM resources: boot RAM, then hot-added ranges. */
  readonly iomemResources: IomemResource[];
  readonly firmwareReserved: readonly { base: number; size: number }[];
  bootMemmap: BootMemmapPlacement[];
  /** How memory is made removable (MachineSpec.hotRemoveScheme). */
  readonly scheme: HotRemoveScheme;
  /**
   * offline-migrated: the nodes long-term pins are confined to, the boot
   * nodes without the SRAT hotplug flag (memory that is never removed);
   * null when pins may go anywhere (zone-movable, or no such node).
   */
  readonly #pinnedNodes: ReadonlySet<number> | null;
  readonly #nodeByNid: Map<number, NodeState>;
  #blocks: Map<number, MemoryBlock>;
  /** Nodes with boot memory; the model gives them CPUs, so they never go offline. */
  readonly #nodesWithCpus: ReadonlySet<number>;
  readonly #sysfs: SysfsTree;
  readonly #lifecycle: HotplugLifecycle;
  #closed = false;
  /** Swap space (machine.swap) and how much of it reclaim has filled, in pages. */
  readonly #swapTotalPages: number;
  #swapUsedPages = 0;
  /** build_all_zonelists' result, which of nodeStates had memory when it was built, and when it was last found current. */
  #zonelists: { withMemory: boolean[]; population: number; orders: Map<number, number[]> } | undefined;

  constructor(layout: BootLayout, geometry: BlockGeometry, shards: ShardSet, nodes: NodeState[], blocks: Map<number, MemoryBlock>) {
    this.spec = layout.spec;
    this.layout = layout;
    this.geometry = geometry;
    this.pagingLevels = layout.pagingLevels;
    this.#swapTotalPages = Math.floor((layout.spec.swap ?? 0) / PAGE_SIZE);
    this.scheme = layout.spec.hotRemoveScheme ?? 'zone-movable';
    const reserve = layout.nodes.filter((n) => n.hasMemory && !n.hotpluggable).map((n) => n.nid);
    this.#pinnedNodes = this.scheme === 'offline-migrated' && reserve.length > 0 ? new Set(reserve) : null;
    this.warnings = [...layout.warnings];
    this.unknownParams = [...layout.cmdline.unknown];
    this.shards = shards;
    this.nodeStates = nodes;
    this.#nodeByNid = new Map(nodes.map((node) => [node.nid, node]));
    this.#blocks = blocks;
    const cmdline = layout.cmdline.params;
    this.params = {
      memmapOnMemory: cmdline.memmapOnMemory,
      onlinePolicy: cmdline.onlinePolicy,
      autoMovableRatio: cmdline.autoMovableRatio,
      autoMovableNumaAware: cmdline.autoMovableNumaAware,
    };
    this.watermarks = new Watermarks(nodes, cmdline.thp);
    // memhp_default_state= wins; otherwise the Kconfig default, offline.
    this.autoOnlineBlocks = cmdline.memhpDefaultState ?? 'offline';
    this.slit = layout.spec.slit;
    this.#nodesWithCpus = new Set(layout.onlineNodes);
    const e820 = layout.e820;
    this.bootMemmap = layout.bootMemmap.map((p) => ({ ...p }));
    this.firmwareReserved = e820.filter((e) => e.type !== 'usable').map((e) => ({ base: e.base, size: e.size }));
    this.iomemResources = e820
      .filter((e) => e.type === 'usable')
      .map((e) => ({ base: e.base, size: e.size, name: SYSTEM_RAM }));
    this.groups = new MemoryGroupRegistry({
      pagesPerBlock: geometry.pagesPerBlock,
      isNodePossible: (nid) => this.#nodeByNid.has(nid),
    });
    this.#sysfs = new SysfsTree(this);
    this.#lifecycle = new HotplugLifecycle(this);
  }

  // ---- ZonePolicyContext ---------------------------------------------------

  /** The zone policy's inputs, read live so parameter writes take effect at once. */
  get policyParams(): ZonePolicyParams {
    return {
      // offline-migrated has no ZONE_MOVABLE: movable_node does not steer onlining there either.
      movableNode: this.layout.cmdline.params.movableNode && this.scheme !== 'offline-migrated',
      onlinePolicy: this.params.onlinePolicy,
      autoMovableRatio: this.params.autoMovableRatio,
      autoMovableNumaAware: this.params.autoMovableNumaAware,
    };
  }

  /**
   * What the zone policy (zone-policy.ts) reads: live parameters, the zones
   * of every node with a pgdat, the memory groups, and section zones.
   */
  get policy(): ZonePolicyContext {
    return {
      params: this.policyParams,
      zone: (nid, zoneIdx) => this.#zone(nid, zoneIdx),
      populatedZones: (nid) =>
        this.nodeStates.filter((node) => nid === null || node.nid === nid).flatMap((node) => node.zones.filter(isPopulated)),
      groups: () => this.groups.all(),
      onlineSectionZone: (sectionNr) => this.#onlineSectionZone(sectionNr),
      pagesPerBlock: this.geometry.pagesPerBlock,
    };
  }

  #zone(nid: number, zoneIdx: number): ZoneView {
    const node = this.#nodeByNid.get(nid);
    if (node === undefined) throw new ModelError('EINVAL', `node ${nid} is not possible (no pgdat)`);
    const zone = node.zones[zoneIdx];
    if (zone === undefined) throw new ModelError('EINVAL', `zone index ${zoneIdx} does not exist (0..${MAX_NR_ZONES - 1})`);
    return zone;
  }

  /**
   * Zone of an online section. The policy asks only about sections of
   * dynamic memory groups, which are hot-added and so wholly in their
   * block's zone; the block answers without an engine round trip.
   */
  #onlineSectionZone(sectionNr: number): number | null {
    const block = this.#blocks.get(Math.floor(sectionNr / this.geometry.sectionsPerBlock));
    if (block === undefined || block.state === 'offline' || block.zone === null) return null;
    return block.zone.zoneIdx;
  }

  // ---- SysfsModel ----------------------------------------------------------

  blockList(): readonly MemoryBlock[] {
    return [...this.#blocks.values()];
  }

  block(id: number): MemoryBlock | undefined {
    return this.#blocks.get(id);
  }

  node(nid: number): NodeState | undefined {
    return this.#nodeByNid.get(nid);
  }

  validZones(block: MemoryBlock): string {
    return validZonesText(this.policy, block);
  }

  storeState(block: MemoryBlock, written: string): Promise<BlockOpResult> {
    return this.#lifecycle.storeState(block, written);
  }

  storeOnline(block: MemoryBlock, written: string): Promise<BlockOpResult> {
    return this.#lifecycle.storeOnline(block, written);
  }

  get tunables(): readonly TunableFile[] {
    return this.watermarks.files();
  }

  nodeDistance(from: number, to: number): number {
    return nodeDistance(this.slit, from, to);
  }

  nodeMasks(): NodeMasks {
    const pick = (keep: (node: NodeState) => boolean): number[] => this.nodeStates.filter(keep).map((node) => node.nid);
    return {
      possible: pick((node) => node.possible),
      online: pick((node) => node.online),
      hasMemory: pick((node) => node.hasMemory),
      hasNormalMemory: pick((node) => node.hasNormalMemory),
    };
  }

  // ---- Machine -------------------------------------------------------------

  get blockSizeBytes(): number {
    return this.geometry.blockSizeBytes;
  }

  /** FREE pages of one zone: engine counts over the zone's member ranges. */
  async zoneFreePages(zone: ZoneState): Promise<number> {
    const counts = await Promise.all(
      zone.memberRanges.map((range) => this.shards.count(range.startPfn, range.endPfn, classBit(PageClass.FREE))),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  async nodes(): Promise<NodeStats[]> {
    this.#assertOpen('nodes');
    return Promise.all(
      this.nodeStates.map(async (node) => nodeStats(node, await Promise.all(node.zones.map((zone) => this.zoneFreePages(zone))))),
    );
  }

  async blocks(): Promise<BlockInfo[]> {
    this.#assertOpen('blocks');
    return this.blockList().map((block) => ({
      id: block.id,
      state: block.state,
      nids: [...block.nids],
      // A block going offline still has its zone until the offline completes.
      zone: block.state === 'offline' ? null : (block.zone?.name ?? 'none'),
      validZones: this.validZones(block),
      startPfn: block.startPfn,
      nrPages: block.nrPages,
    }));
  }

  /** Pages of each class in each block, in the order of {@link blocks}: one engine count per block. */
  async blockClassCounts(): Promise<number[][]> {
    this.#assertOpen('blockClassCounts');
    return Promise.all(this.blockList().map((block) => countClassesIn(this.shards, [{ startPfn: block.startPfn, endPfn: block.endPfn }])));
  }

  async blockPageblocks(blockId: number): Promise<BlockPageblocks | Outcome> {
    this.#assertOpen('blockPageblocks');
    const block = Number.isSafeInteger(blockId) ? this.#blocks.get(blockId) : undefined;
    if (block === undefined) {
      return { ok: false, errno: 'EINVAL', message: `blockId: no memory block ${describeValue(blockId)} (memory${String(blockId)} is not in /sys/devices/system/memory)`, modelledSeconds: 0 };
    }
    const { classes, tags } = await pageblocksOver(this.shards, block.startPfn, block.endPfn);
    return { ok: true, blockId, startPfn: block.startPfn, classes: Array.from(classes), tags: Array.from(tags) };
  }

  async sysfsRead(path: string): Promise<SysfsResult> {
    this.#assertOpen('sysfsRead');
    if (typeof path !== 'string') return { ok: false, errno: 'EINVAL', message: `path must be a string, got ${describeValue(path)}` };
    return this.#sysfs.read(path);
  }

  async sysfsWrite(path: string, value: string): Promise<SysfsResult> {
    this.#assertOpen('sysfsWrite');
    if (typeof path !== 'string') return { ok: false, errno: 'EINVAL', message: `path must be a string, got ${describeValue(path)}` };
    if (typeof value !== 'string') return { ok: false, errno: 'EINVAL', message: `value must be a string (the text written), got ${describeValue(value)}` };
    return this.#sysfs.write(path, value);
  }

  async sysfsList(path: string): Promise<string[] | undefined> {
    this.#assertOpen('sysfsList');
    return this.#sysfs.list(path);
  }

  async sysfsEntry(path: string): Promise<SysfsEntry> {
    this.#assertOpen('sysfsEntry');
    return this.#sysfs.entry(path);
  }

  async sysfsOpen(path: string, how: { write: boolean; create: boolean }): Promise<SysfsRefusal | null> {
    this.#assertOpen('sysfsOpen');
    return this.#sysfs.openError(path, how);
  }

  async exportSysfs(rootDir: string): Promise<ExportSummary> {
    this.#assertOpen('exportSysfs');
    return this.#sysfs.export(rootDir);
  }

  async zoneinfo(): Promise<string> {
    return formatZoneinfo(await this.nodes());
  }

  async iomem(): Promise<string> {
    this.#assertOpen('iomem');
    return formatIomem(this.iomemResources);
  }

  /** Release engines and workers. Safe to call twice; every other call afterwards throws {@link MachineClosedError}. */
  close(): Promise<void> {
    this.#closed = true;
    return this.shards.close();
  }

  #assertOpen(call: string): void {
    if (this.#closed) throw new MachineClosedError(call);
  }

  // ---- LifecycleHost ---------------------------------------------------------

  insertBlocks(blocks: readonly MemoryBlock[]): void {
    for (const block of blocks) {
      if (this.#blocks.has(block.id)) throw new Error(`internal: memory${block.id} already exists`);
    }
    const all = [...this.#blocks.values(), ...blocks].sort((a, b) => a.id - b.id);
    this.#blocks = new Map(all.map((block) => [block.id, block]));
  }

  deleteBlocks(ids: readonly number[]): void {
    for (const id of ids) this.#blocks.delete(id);
  }

  hasCpus(nid: number): boolean {
    return this.#nodesWithCpus.has(nid);
  }

  /**
   * The fallback node order of `nid`'s zonelists. The kernel rebuilds every
   * zonelist when a node gains or loses memory; the cache remembers which
   * nodes had memory, so it rebuilds exactly then. Every allocation asks:
   * while no zone's population has changed (core/state.ts `zonePopulation`)
   * the cache is current without a look at the nodes, and after a change one
   * pass over their flags tells.
   */
  nodeOrder(nid: number): readonly number[] {
    const cached = this.#zonelists;
    const population = zonePopulation();
    let current = cached !== undefined;
    if (current && cached!.population !== population) {
      for (let i = 0; current && i < this.nodeStates.length; i++) current = this.nodeStates[i].hasMemory === cached!.withMemory[i];
      if (current) cached!.population = population;
    }
    if (!current) {
      const nodes = this.nodeStates.map((node) => ({ nid: node.nid, hasMemory: node.hasMemory, hasCpus: this.hasCpus(node.nid) }));
      this.#zonelists = { withMemory: this.nodeStates.map((node) => node.hasMemory), population, orders: buildNodeOrders(this.slit, nodes) };
    }
    return this.#zonelists!.orders.get(nid) ?? [];
  }

  // ---- Hotplug lifecycle -----------------------------------------------------

  async addMemory(req: AddMemoryRequest): Promise<Outcome> {
    this.#assertOpen('addMemory');
    return this.#lifecycle.addMemory(req);
  }

  async removeMemory(base: number, size: number): Promise<Outcome> {
    this.#assertOpen('removeMemory');
    return this.#lifecycle.removeMemory(base, size);
  }

  async offlineAndRemoveMemory(base: number, size: number): Promise<OfflineOutcome> {
    this.#assertOpen('offlineAndRemoveMemory');
    return this.#lifecycle.offlineAndRemoveMemory(base, size);
  }

  async onlineBlocks(sel: BlockSelector, type: OnlineRequestType): Promise<Outcome> {
    this.#assertOpen('onlineBlocks');
    return this.#lifecycle.onlineBlocks(sel, type);
  }

  async offlineBlocks(sel: BlockSelector): Promise<OfflineOutcome> {
    this.#assertOpen('offlineBlocks');
    return this.#lifecycle.offlineBlocks(sel);
  }

  async alloc(req: AllocRequest): Promise<AllocOutcome | Outcome> {
    this.#assertOpen('alloc');
    return this.#lifecycle.alloc(req);
  }

  async workload(spec: WorkloadSpec): Promise<WorkloadOutcome | Outcome> {
    this.#assertOpen('workload');
    return this.#lifecycle.workload(spec);
  }

  async churn(req: { share: number; node: number | 'spread'; seed?: number; placement?: Placement }): Promise<Outcome> {
    this.#assertOpen('churn');
    if (req === null || typeof req !== 'object') return { ok: false, errno: 'EINVAL', message: 'the request must be an object { share, node }', modelledSeconds: 0 };
    return this.#lifecycle.churn(req.share, req.node, req.seed ?? 0, req.placement ?? 'grouped');
  }

  async headroom(node?: number): Promise<KindHeadroom[]> {
    this.#assertOpen('headroom');
    const nodes = node === undefined ? this.nodeStates.filter((n) => n.hasMemory) : [this.node(node)].filter((n): n is NodeState => n !== undefined);
    if (nodes.length === 0) throw new ModelError('EINVAL', `node ${describeValue(node)} is not a node with memory`);
    return this.#lifecycle.locked(async () => {
      const out: KindHeadroom[] = [];
      for (const target of nodes) for (const kind of HEADROOM_KINDS) out.push(await kindHeadroom(this, target, kind));
      return out;
    });
  }

  // ---- the allocator's host ----------------------------------------------------

  /** Swap pages not in use: anonymous memory is reclaimable into them. */
  swapFreePages(): number {
    return this.#swapTotalPages - this.#swapUsedPages;
  }

  pinnedNodes(): ReadonlySet<number> | null {
    return this.#pinnedNodes;
  }

  adjustSwapUsed(deltaPages: number): void {
    this.#swapUsedPages += deltaPages;
  }

  /**
   * `build_all_zonelists`: mobility grouping is off when all zones together
   * have fewer than 512 pages per migratetype above their high marks.
   */
  groupingDisabled(): boolean {
    // Asked at every zone an allocation takes from: the sum stops as soon as
    // it is large enough, so a big machine's first zone answers.
    let above = 0;
    for (const node of this.nodeStates) {
      for (const zone of node.zones) {
        above += Math.max(0, zone.managedPages - zone.watermarks.high);
        if (!groupingDisabled(above)) return false;
      }
    }
    return groupingDisabled(above);
  }

  async free(req: FreeRequest): Promise<Outcome> {
    this.#assertOpen('free');
    return this.#lifecycle.free(req);
  }

  injectNotifierError(action: NotifierAction, errno: Errno | null): void {
    this.#assertOpen('injectNotifierError');
    this.#lifecycle.injectNotifierError(action, errno);
  }

  notifierError(action: NotifierAction): Errno | undefined {
    this.#assertOpen('notifierError');
    return this.#lifecycle.notifier.veto(action);
  }

  setOfflineRetryBudget(retries: number): void {
    this.#assertOpen('setOfflineRetryBudget');
    this.#lifecycle.setOfflineRetryBudget(retries);
  }

  /** Waits for a running lifecycle operation, then checks (see invariants.ts). */
  async checkInvariants(): Promise<void> {
    this.#assertOpen('checkInvariants');
    return this.#lifecycle.locked(() => checkInvariants(this));
  }
}

/** The kinds a headroom report covers, one row each per node. */
const HEADROOM_KINDS = ['anon', 'file', 'slab', 'slab_reclaimable', 'pgtable', 'pinned'] as const;

/** A call on a machine after its close(): its engines are gone. */
export class MachineClosedError extends Error {
  override readonly name = 'MachineClosedError';
  constructor(readonly call: string) {
    super(`machine is closed: ${call}() was called after close()`);
  }
}

/**
 * The machine's `sysctl` settings, checked before anything is started: a
 * mapping of known names to texts the handlers accept.
 */
function checkSysctlSettings(spec: MachineSpec): [string, string][] {
  const settings = spec.sysctl ?? {};
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new BootError('sysctl', `expected a mapping of sysctl names to values, got ${describeValue(settings)}`);
  }
  return Object.entries(settings).map(([name, value]) => {
    if (typeof value !== 'string') throw new BootError(`sysctl.${name}`, `expected the value as a string, got ${describeValue(value)}`);
    const problem = sysctlSettingProblem(name, value.trim());
    if (problem !== null) throw new BootError(`sysctl.${name}`, problem);
    return [name, value.trim()];
  });
}

/**
 * Apply sysctl settings at the end of boot as systemd-sysctl applies
 * sysctl.conf: in order, each value written to its /proc/sys file with a
 * newline, except that a value the file already shows (trailing newlines
 * aside) is not written at all (WRITE_STRING_FILE_SUPPRESS_REDUNDANT_VIRTUAL).
 * That matters here: an unwritten min_free_kbytes does not become the
 * user's value, so later recomputes may still change it.
 */
function applySysctlSettings(files: readonly TunableFile[], settings: readonly [string, string][]): void {
  for (const [name, value] of settings) {
    const file = files.find((f) => f.path === sysctlPath(name));
    if (file === undefined) throw new Error(`internal: no file for sysctl ${name}`);
    if (file.show().replace(/\n+$/, '') === value.replace(/\n+$/, '')) continue;
    const result = file.store(`${value}\n`);
    if (!result.ok) throw new Error(`internal: sysctl ${name} = ${value} refused after it was checked: ${result.message}`);
  }
}

/**
 * Boot a machine: compute the boot layout, start one engine per shard
 * window, load the present sections and their page state, create the
 * memory block devices, compute the watermarks as the initcalls do, and
 * apply the sysctl settings. Throws the layout's BootError for an
 * impossible machine (or a sysctl setting the kernel refuses); engines
 * started before a failure are released.
 */
export async function bootMachine(spec: MachineSpec, options: MachineOptions): Promise<BootedMachine> {
  const BOOT_PARTS = 3;
  const report = (done: number): void => options.progress?.({ what: 'boot', done, total: BOOT_PARTS });
  const layout = computeBootLayout(spec);
  report(1);
  const sysctl = checkSysctlSettings(spec);
  const factory = options.engines;
  const geometry = blockGeometry(layout.blockSizeBytes);
  const nodes = buildNodes(layout);
  const nodeByNid = new Map(nodes.map((node) => [node.nid, node]));

  const runs = layout.presentSections;
  const memRanges = layout.memRanges.filter((r) => r.nid !== NUMA_NO_NODE);
  const zoneRuns = sectionZoneRuns(runs, memRanges, (nid, pfn) => {
    const node = nodeByNid.get(nid);
    const zone = node === undefined ? undefined : zoneHoldingPfn(node, pfn);
    return zone === undefined ? NO_ZONE : zone.zoneIdx;
  });
  const freeRanges = layout.freeRanges.filter((r) => r.nid !== NUMA_NO_NODE);

  // Windows follow each node's memory, cut at long holes (shards.ts).
  const shards = await ShardSet.create(planShardWindows(nodeMemorySpans(memRanges)), factory, directMapBase(layout.pagingLevels));
  try {
    await populateBootSections(shards, { runs, zoneRuns, freeRanges });
  } catch (error) {
    await shards.close();
    throw error;
  }
  report(2);
  const blocks = buildBootBlocks(runs, layout.memRanges, nodeByNid, geometry);
  const machine = new BootedMachine(layout, geometry, shards, nodes, blocks);
  machine.progress = options.progress;
  report(BOOT_PARTS);
  machine.watermarks.initcalls();
  applySysctlSettings(machine.tunables, sysctl);
  return machine;
}
