/**
 * Engine shards: which engine instance holds the page state of which pfns.
 *
 * One WASM memory holds at most 4 GiB and one window at most 2^32 pages
 * (16 TiB), so the machine's page state is split into shards. Each shard owns
 * one contiguous, section-aligned pfn window `[startPfn, endPfn)`:
 *
 * ```
 *  pfn 0                                                              max_pfn
 *  |--- node 0 window ---|--- node 1 window ---|   |--- node 2: > 16 TiB ---...
 *  [ shard 0            )[ shard 1            )   [ shard 2 (2^32) )[ shard 3 )
 * ```
 *
 * Windows come from the nodes' section-aligned memory spans. A section that
 * holds memory of two nodes belongs to the shard of the node whose memory
 * starts lower (the window that reaches it first); a node whose span lies
 * wholly inside an earlier window (interleaved nodes) shares that shard. So
 * every present section lives in exactly one shard.
 *
 * A window costs its engine about 43 bytes per section it spans, present or
 * not, on top of about 200 KB per engine instance. So a node's span is cut
 * where its memory has a hole of {@link SHARD_SPLIT_HOLE_PAGES} or more
 * ({@link nodeMemorySpans}): a sparse node whose ranges lie terabytes apart
 * costs what its memory costs, not what its span does.
 *
 * Nothing here loops over pages: splitting a pfn range across shards costs
 * one binary search plus one step per shard touched.
 */
import { MAX_WINDOW_PAGES, PAGES_PER_SECTION } from '../../contract/constants.js';
import type { EngineFactory, ShardEngine } from '../../contract/engine-api.js';
import { alignDown, alignUp } from './pfn-ranges.js';

/** A pfn window `[startPfn, endPfn)` and the node whose span produced it. */
export interface ShardWindow {
  /** Node whose memory span produced the window (it may also hold sections of other nodes). */
  nid: number;
  startPfn: number;
  endPfn: number;
}

/** A node's memory span in pfns (any alignment). */
export interface NodeSpan {
  nid: number;
  startPfn: number;
  endPfn: number;
}

export interface Shard extends ShardWindow {
  /** Position in the machine's ascending shard list. */
  readonly index: number;
  readonly engine: ShardEngine;
}


/**
 * A hole of this many pages or more inside one node's memory starts a new
 * span (and so a new window): 4096 sections, 512 GiB. A window carries about
 * 43 bytes per section it spans, so a hole this long costs about 175 KB of
 * section table, close to what a separate engine instance costs at its
 * smallest (about 200 KB: its I/O area and page-owner map); longer holes are
 * cheaper as two windows.
 */
export const SHARD_SPLIT_HOLE_PAGES = 4096 * PAGES_PER_SECTION;

/**
 * Each node's memory as spans for {@link planShardWindows}: the node's
 * ranges (pfns, any alignment, any order) joined across holes shorter than
 * {@link SHARD_SPLIT_HOLE_PAGES}, ascending per node. One pass over the
 * ranges; nothing is proportional to the address space.
 */
export function nodeMemorySpans(ranges: readonly NodeSpan[]): NodeSpan[] {
  const ordered = ranges.filter((r) => r.endPfn > r.startPfn).sort((a, b) => a.nid - b.nid || a.startPfn - b.startPfn);
  const spans: NodeSpan[] = [];
  for (const range of ordered) {
    const last = spans.at(-1);
    if (last !== undefined && last.nid === range.nid && range.startPfn - last.endPfn < SHARD_SPLIT_HOLE_PAGES) {
      last.endPfn = Math.max(last.endPfn, range.endPfn);
    } else spans.push({ nid: range.nid, startPfn: range.startPfn, endPfn: range.endPfn });
  }
  return spans;
}

/**
 * Shard windows for the given node spans: section aligned, disjoint, ascending,
 * at most MAX_WINDOW_PAGES each. Empty spans produce nothing.
 */
export function planShardWindows(spans: readonly NodeSpan[]): ShardWindow[] {
  const ordered = spans
    .filter((span) => span.endPfn > span.startPfn)
    .map((span) => ({
      nid: span.nid,
      startPfn: alignDown(span.startPfn, PAGES_PER_SECTION),
      endPfn: alignUp(span.endPfn, PAGES_PER_SECTION),
    }))
    .sort((a, b) => a.startPfn - b.startPfn || a.nid - b.nid);
  const windows: ShardWindow[] = [];
  let coveredEndPfn = 0;
  for (const span of ordered) {
    // Sections already owned by an earlier window stay there.
    const startPfn = Math.max(span.startPfn, coveredEndPfn);
    if (startPfn >= span.endPfn) continue;
    for (let chunkStartPfn = startPfn; chunkStartPfn < span.endPfn; chunkStartPfn += MAX_WINDOW_PAGES) {
      windows.push({ nid: span.nid, startPfn: chunkStartPfn, endPfn: Math.min(span.endPfn, chunkStartPfn + MAX_WINDOW_PAGES) });
    }
    coveredEndPfn = span.endPfn;
  }
  return windows;
}

/** Release an engine: stops its worker when it has one. */
async function releaseEngine(engine: ShardEngine): Promise<void> {
  const stoppable = engine as Partial<{ terminate: () => Promise<void> | void }>;
  if (typeof stoppable.terminate === 'function') await stoppable.terminate();
}

/** A piece of a pfn range that falls inside one shard. */
export interface ShardPiece {
  shard: Shard;
  startPfn: number;
  endPfn: number;
}

/** The machine's shards, ascending and disjoint, with pfn lookup. */
export class ShardSet {
  #shards: Shard[];
  readonly #factory: EngineFactory;
  /** The direct-map base every shard translates with (undefined: the engines' default, 4-level). */
  readonly #pageOffset: bigint | undefined;
  #closed = false;

  private constructor(shards: Shard[], factory: EngineFactory, pageOffset: bigint | undefined) {
    this.#shards = shards;
    this.#factory = factory;
    this.#pageOffset = pageOffset;
  }

  /**
   * Create one engine per window (concurrently: worker start-up dominates),
   * each translating with the direct-map base `pageOffset` (see
   * directMapBase; absent, the engines' 4-level default).
   */
  static async create(windows: readonly ShardWindow[], factory: EngineFactory, pageOffset?: bigint): Promise<ShardSet> {
    const settled = await Promise.allSettled(
      windows.map((window) => factory({ basePfn: window.startPfn, nrPages: window.endPfn - window.startPfn, ...(pageOffset === undefined ? {} : { pageOffset }) })),
    );
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(
        settled.map((result) => (result.status === 'fulfilled' ? releaseEngine(result.value) : undefined)),
      );
      throw failed.reason;
    }
    const shards = windows.map((window, index) => ({
      ...window,
      index,
      engine: (settled[index] as PromiseFulfilledResult<ShardEngine>).value,
    }));
    return new ShardSet(shards, factory, pageOffset);
  }

  get shards(): readonly Shard[] {
    return this.#shards;
  }

  /** The shard whose window holds `pfn`, or undefined. Binary search over window starts. */
  shardOfPfn(pfn: number): Shard | undefined {
    let low = 0;
    let high = this.#shards.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const shard = this.#shards[mid];
      if (pfn < shard.startPfn) high = mid - 1;
      else if (pfn >= shard.endPfn) low = mid + 1;
      else return shard;
    }
    return undefined;
  }

  /** Index of the first shard whose window ends above `pfn`. */
  #firstShardEndingAbove(pfn: number): number {
    let low = 0;
    let high = this.#shards.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#shards[mid].endPfn <= pfn) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The parts of `[startPfn, endPfn)` that lie in shard windows, ascending; gaps between windows are left out. */
  split(startPfn: number, endPfn: number): ShardPiece[] {
    const pieces: ShardPiece[] = [];
    for (let i = this.#firstShardEndingAbove(startPfn); i < this.#shards.length; i++) {
      const shard = this.#shards[i];
      if (shard.startPfn >= endPfn) break;
      const pieceStart = Math.max(startPfn, shard.startPfn);
      const pieceEnd = Math.min(endPfn, shard.endPfn);
      if (pieceStart < pieceEnd) pieces.push({ shard, startPfn: pieceStart, endPfn: pieceEnd });
    }
    return pieces;
  }

  /** Pages of `[startPfn, endPfn)` whose class is in `mask`, summed over the shards it touches. */
  async count(startPfn: number, endPfn: number, mask: number): Promise<number> {
    const counts = await Promise.all(
      this.split(startPfn, endPfn).map((piece) => piece.shard.engine.count(piece.startPfn, piece.endPfn, mask)),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /**
   * The section-aligned parts of `[startPfn, endPfn)` that no window covers,
   * cut into windows of at most MAX_WINDOW_PAGES (hot-add beyond the boot
   * windows).
   */
  uncoveredWindows(startPfn: number, endPfn: number, nid: number): ShardWindow[] {
    const alignedStart = alignDown(startPfn, PAGES_PER_SECTION);
    const alignedEnd = alignUp(endPfn, PAGES_PER_SECTION);
    const gaps: ShardWindow[] = [];
    let cursor = alignedStart;
    for (const piece of this.split(alignedStart, alignedEnd)) {
      if (piece.startPfn > cursor) gaps.push({ nid, startPfn: cursor, endPfn: piece.startPfn });
      cursor = piece.endPfn;
    }
    if (cursor < alignedEnd) gaps.push({ nid, startPfn: cursor, endPfn: alignedEnd });
    const windows: ShardWindow[] = [];
    for (const gap of gaps) {
      for (let chunkStartPfn = gap.startPfn; chunkStartPfn < gap.endPfn; chunkStartPfn += MAX_WINDOW_PAGES) {
        windows.push({ nid, startPfn: chunkStartPfn, endPfn: Math.min(gap.endPfn, chunkStartPfn + MAX_WINDOW_PAGES) });
      }
    }
    return windows;
  }

  /**
   * Make sure every section of `[startPfn, endPfn)` has a shard: start an
   * engine for each uncovered part, with the same factory as the boot
   * shards. Shards are never dropped (a hot-remove leaves an empty window
   * that a later hot-add reuses). Returns the windows created.
   */
  async cover(startPfn: number, endPfn: number, nid: number): Promise<ShardWindow[]> {
    if (this.#closed) throw new Error('ShardSet.cover: the shard set is closed');
    const windows = this.uncoveredWindows(startPfn, endPfn, nid);
    if (windows.length === 0) return [];
    const created = await ShardSet.create(windows, this.#factory, this.#pageOffset);
    const merged = [...this.#shards, ...created.#shards].sort((a, b) => a.startPfn - b.startPfn);
    this.#shards = merged.map((shard, index) => ({ nid: shard.nid, startPfn: shard.startPfn, endPfn: shard.endPfn, index, engine: shard.engine }));
    return windows;
  }

  /** Stop every engine (workers exit). Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#shards.map((shard) => releaseEngine(shard.engine)));
  }
}
