/**
 * Engine work over pfn ranges that may cross shard windows: each range is
 * split at window edges and every piece becomes one coarse engine call.
 * Nothing here loops over pages; the loops run over ranges and shards.
 *
 * Reads are plain functions. Writes go through an {@link UndoLog}, which
 * records, piece by piece as each engine call succeeds, the call that puts
 * the piece back. An engine that refuses a call leaves its shard as it was
 * (the contract), so after a failure the log holds exactly the writes that
 * happened, and undoing it restores the page state from before them.
 */
import { ClaimMode, NO_TAG, NR_PAGE_CLASSES, PAGES_PER_PAGEBLOCK, type PageClass } from '../../contract/constants.js';
import type { ShardEngine } from '../../contract/engine-api.js';
import { EngineError } from '../../contract/errors.js';
import type { ShardPiece, ShardSet } from './shards.js';
import type { PfnRange } from './state.js';

/** The shard pieces of every range, in range order. */
export function piecesOf(shards: ShardSet, ranges: readonly PfnRange[]): ShardPiece[] {
  return ranges.flatMap((r) => shards.split(r.startPfn, r.endPfn));
}

/** Pages whose class is in `mask`, over all ranges. */
export async function countIn(shards: ShardSet, ranges: readonly PfnRange[], mask: number): Promise<number> {
  const counts = await Promise.all(piecesOf(shards, ranges).map((p) => p.shard.engine.count(p.startPfn, p.endPfn, mask)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Pages of the ranges whose direct-map addresses lead to other frames (the remap tables), all shards. */
export async function countRemappedIn(shards: ShardSet, ranges: readonly PfnRange[]): Promise<number> {
  const counts = await Promise.all(piecesOf(shards, ranges).map((p) => p.shard.engine.countRemapped(p.startPfn, p.endPfn)));
  return counts.reduce((sum, c) => sum + c.pages, 0);
}

/** Pages whose class is in `mask`, in pageblocks whose `tag & tagMask === tagValue`, over all ranges. */
export async function countTaggedIn(shards: ShardSet, ranges: readonly PfnRange[], mask: number, tagMask: number, tagValue: number): Promise<number> {
  const counts = await Promise.all(
    piecesOf(shards, ranges).map((p) => p.shard.engine.countTagged(p.startPfn, p.endPfn, mask, tagMask, tagValue)),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Pages per class over all ranges, indexed by class id. */
export async function countClassesIn(shards: ShardSet, ranges: readonly PfnRange[]): Promise<number[]> {
  const totals = new Array<number>(NR_PAGE_CLASSES).fill(0);
  const all = await Promise.all(piecesOf(shards, ranges).map((p) => p.shard.engine.countClasses(p.startPfn, p.endPfn)));
  for (const counts of all) for (let cls = 0; cls < NR_PAGE_CLASSES; cls++) totals[cls] += counts[cls];
  return totals;
}

/** Lowest pfn of the ranges whose class is in `mask`, or -1. */
export async function findNextIn(shards: ShardSet, ranges: readonly PfnRange[], mask: number): Promise<number> {
  for (const p of piecesOf(shards, ranges)) {
    const pfn = await p.shard.engine.findNext(p.startPfn, p.endPfn, mask);
    if (pfn >= 0) return pfn;
  }
  return -1;
}

/**
 * The class mask and tag of every pageblock of [startPfn, endPfn), pageblock
 * aligned: two coarse engine reads per shard the range crosses. Pageblocks
 * no shard holds read as absent (mask 0, NO_TAG).
 */
export async function pageblocksOver(shards: ShardSet, startPfn: number, endPfn: number): Promise<{ classes: Uint8Array; tags: Uint8Array }> {
  const nrPageblocks = (endPfn - startPfn) / PAGES_PER_PAGEBLOCK;
  const classes = new Uint8Array(nrPageblocks);
  const tags = new Uint8Array(nrPageblocks).fill(NO_TAG);
  await Promise.all(
    shards.split(startPfn, endPfn).map(async (p) => {
      const at = (p.startPfn - startPfn) / PAGES_PER_PAGEBLOCK;
      const n = (p.endPfn - p.startPfn) / PAGES_PER_PAGEBLOCK;
      const [pieceClasses, pieceTags] = await Promise.all([p.shard.engine.readPageblockClasses(p.startPfn, n), p.shard.engine.readPageblockTags(p.startPfn, n)]);
      classes.set(pieceClasses, at);
      tags.set(pieceTags, at);
    }),
  );
  return { classes, tags };
}

/** Pageblocks of the range whose `tag & mask === value`. */
export async function countPageblocksOver(shards: ShardSet, startPfn: number, endPfn: number, mask: number, value: number): Promise<number> {
  let n = 0;
  for (const p of shards.split(startPfn, endPfn)) n += await p.shard.engine.countPageblocks(p.startPfn, p.endPfn, mask, value);
  return n;
}

function lowestShares(available: readonly number[], nrPages: number): number[] {
  let left = nrPages;
  return available.map((n) => {
    const take = Math.min(n, left);
    left -= take;
    return take;
  });
}

function proportionalShares(available: readonly number[], nrPages: number): number[] {
  const total = available.reduce((sum, n) => sum + n, 0);
  const exact = available.map((n) => (n * nrPages) / total);
  const shares = exact.map((x, i) => Math.min(available[i], Math.floor(x)));
  let left = nrPages - shares.reduce((sum, n) => sum + n, 0);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  while (left > 0) {
    let progressed = false;
    for (const { i } of order) {
      if (left === 0) break;
      if (shares[i] < available[i]) {
        shares[i]++;
        left--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return shares;
}

/** Pages whose class is in `mask` in every zone of `nodes` (one count per shard piece of each zone). */
export async function countInZones(shards: ShardSet, nodes: readonly { zones: readonly { memberRanges: readonly PfnRange[] }[] }[], mask: number): Promise<number> {
  let pages = 0;
  for (const node of nodes) for (const zone of node.zones) pages += await countIn(shards, zone.memberRanges, mask);
  return pages;
}

/** A step that puts something back: an engine call, or a change to the model's own state. */
type UndoStep = () => unknown;

/**
 * Writes to the engines that can be taken back, and the model changes made
 * along with them.
 *
 * Each write method runs its engine call on every shard piece of its range
 * and, after each piece succeeds, records the call that restores that
 * piece. The caller states what the pages, pageblocks or sections held
 * before (`was`): the lifecycle always knows it, because it only writes
 * ranges whose state its own rules fix (an offline block's pages are
 * RESERVED, its pageblocks MOVABLE, and so on). {@link UndoLog.undo} runs
 * the recorded steps newest first.
 *
 * Logs nest: an operation writes into its own log, then either undoes it (it
 * failed) or moves it into its caller's log with {@link UndoLog.commitTo},
 * so that the caller can still take the whole call back.
 */
export class UndoLog {
  readonly #steps: UndoStep[] = [];

  constructor(readonly shards: ShardSet) {}

  /** Remember how to put back a change the model made to its own state. */
  record(undo: UndoStep): void {
    this.#steps.push(undo);
  }

  /** Hand every recorded step to `parent` (after its own) and forget them here. */
  commitTo(parent: UndoLog): void {
    parent.#steps.push(...this.#steps.splice(0));
  }

  /**
   * Run the recorded steps, newest first, and forget them. Every step is
   * tried even when one fails; the failures come back (empty: all undone).
   */
  async undo(): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  /**
   * Take back everything logged here, as an operation does when it gives up
   * with an errno (an offline vetoed after isolating its range). An engine
   * that refuses an undo step throws.
   */
  async revert(): Promise<void> {
    const failures = await this.undo();
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'undoing the writes of a refused operation failed');
  }

  /**
   * Undo after `error` and throw it again: the caller's failure, as it
   * happened. If an undo step failed too, the machine is no longer
   * consistent, and an AggregateError says so and carries every error.
   */
  async rollBack(error: unknown): Promise<never> {
    const failures = await this.undo();
    if (failures.length === 0) throw error;
    throw new AggregateError([error, ...failures], 'an engine call failed and undoing the writes before it failed too: the machine is inconsistent');
  }

  /** Run `write` on every shard piece of `[startPfn, endPfn)`, recording `undo` for each piece that succeeded. */
  async #overRange(startPfn: number, endPfn: number, write: (p: ShardPiece) => unknown, undo: (p: ShardPiece) => unknown): Promise<void> {
    for (const piece of this.shards.split(startPfn, endPfn)) {
      await write(piece);
      this.#steps.push(() => undo(piece));
    }
  }

  /** Write `value` with `write` on every piece of the range; each piece is undone by writing `was`. */
  #replace<T>(
    startPfn: number,
    endPfn: number,
    write: (engine: ShardEngine, startPfn: number, endPfn: number, value: T) => unknown,
    value: T,
    was: T,
  ): Promise<void> {
    return this.#overRange(
      startPfn,
      endPfn,
      (p) => write(p.shard.engine, p.startPfn, p.endPfn, value),
      (p) => write(p.shard.engine, p.startPfn, p.endPfn, was),
    );
  }

  /** Every page of the range takes class `cls`; the pages were all `was`. */
  setClass(startPfn: number, endPfn: number, cls: PageClass, was: PageClass): Promise<void> {
    return this.#replace(startPfn, endPfn, (engine, from, to, c) => engine.setClass(from, to, c), cls, was);
  }

  /** Every pageblock of the range takes migratetype `mt`; they were all `was`. */
  setMigratetype(startPfn: number, endPfn: number, mt: number, was: number): Promise<void> {
    return this.#replace(startPfn, endPfn, (engine, from, to, m) => engine.setMigratetype(from, to, m), mt, was);
  }

  /** Set or clear MIGRATE_ISOLATE on every pageblock of the range; it was the opposite everywhere. */
  setIsolate(startPfn: number, endPfn: number, isolate: boolean): Promise<void> {
    return this.#replace(startPfn, endPfn, (engine, from, to, on) => engine.setIsolate(from, to, on), isolate, !isolate);
  }

  /** Set then clear section flags over the range; the set flags were clear and the cleared ones set. */
  setSectionFlags(startPfn: number, endPfn: number, setMask: number, clearMask: number): Promise<void> {
    const write = (engine: ShardEngine, from: number, to: number, [set, clear]: number[]) => engine.setSectionFlags(from, to, set, clear);
    return this.#replace(startPfn, endPfn, write, [setMask, clearMask], [clearMask, setMask]);
  }

  /** Every section of the range takes zone id `zoneId`; they all had `was`. */
  setSectionZone(startPfn: number, endPfn: number, zoneId: number, was: number): Promise<void> {
    return this.#replace(startPfn, endPfn, (engine, from, to, zone) => engine.setSectionZone(from, to, zone), zoneId, was);
  }

  /** Make the sections of the range present (see EngineApi.addSections); undone by removing them. */
  addSections(startPfn: number, endPfn: number, nid: number, cls: PageClass, mt: number, flags: number): Promise<void> {
    return this.#overRange(
      startPfn,
      endPfn,
      (p) => p.shard.engine.addSections(p.startPfn, p.endPfn, nid, cls, mt, flags),
      (p) => p.shard.engine.removeSections(p.startPfn, p.endPfn),
    );
  }

  /**
   * Drop the sections of the range. Their state is gone with them, so the
   * caller says how to build it again: `restore` is called with each piece
   * to put back.
   */
  removeSections(startPfn: number, endPfn: number, restore: (startPfn: number, endPfn: number) => Promise<void>): Promise<void> {
    return this.#overRange(
      startPfn,
      endPfn,
      (p) => p.shard.engine.removeSections(p.startPfn, p.endPfn),
      (p) => restore(p.startPfn, p.endPfn),
    );
  }

  /**
   * Move `nrPages` pages of class `from` in the ranges to class `to`, taking
   * them piece by piece in range order (LOWEST: the lowest pfns overall).
   * With RANDOM_PAGEBLOCK each piece gets a share proportional to its `from`
   * pages (largest remainders first), so a random subset spreads over every
   * piece. The caller makes sure enough pages exist; a shortfall throws
   * before any page changes.
   *
   * Undoing a claim is exact in counts, not always in place: see {@link unclaim}.
   */
  async claim(
    ranges: readonly PfnRange[],
    nrPages: number,
    from: PageClass,
    to: PageClass,
    mode: ClaimMode = ClaimMode.LOWEST,
    seed = 0,
  ): Promise<void> {
    if (nrPages === 0) return;
    const pieces = piecesOf(this.shards, ranges);
    const available = await Promise.all(pieces.map((p) => p.shard.engine.count(p.startPfn, p.endPfn, 1 << from)));
    const total = available.reduce((sum, n) => sum + n, 0);
    if (total < nrPages) throw new Error(`claim: ${nrPages} pages of class ${from} wanted, ${total} in the ranges`);
    const shares = mode === ClaimMode.LOWEST ? lowestShares(available, nrPages) : proportionalShares(available, nrPages);
    for (let i = 0; i < pieces.length; i++) {
      const share = shares[i];
      if (share === 0) continue;
      const { shard, startPfn } = pieces[i];
      // Each piece gets its own seed so equal-sized pieces do not repeat one pattern.
      const reachedPfn = await shard.engine.claim(startPfn, pieces[i].endPfn, share, from, to, mode, (seed + i * 0x9e3779b9) >>> 0);
      this.#steps.push(unclaim(pieces[i], reachedPfn, share, from, to));
    }
  }

  /**
   * {@link claim} limited to pageblocks whose `tag & tagMask === tagValue`,
   * taking at most `maxPerPageblock` pages from any one (0: no limit). As a
   * unit: when a piece cannot give its share (E_NOSPC under the limit), the
   * pieces already taken are put back and the engine's error goes on, with
   * nothing changed. Pieces share the pages by their eligible pages (LOWEST:
   * in range order). Undo is exact in counts, as for {@link claim}.
   */
  async claimTagged(
    ranges: readonly PfnRange[],
    nrPages: number,
    from: PageClass,
    to: PageClass,
    mode: ClaimMode,
    seed: number,
    tagMask: number,
    tagValue: number,
    maxPerPageblock: number,
  ): Promise<void> {
    if (nrPages === 0) return;
    const pieces = piecesOf(this.shards, ranges);
    const availableIn = async (p: ShardPiece): Promise<number> => p.shard.engine.countTagged(p.startPfn, p.endPfn, 1 << from, tagMask, tagValue);
    const shortfall = (total: number): Error => new Error(`claimTagged: ${nrPages} pages of class ${from} wanted, ${total} in the pageblocks`);
    if (pieces.length === 1) {
      // One piece takes every page, and the engine checks that they are there
      // before it changes anything: counting them first would scan the piece
      // twice. Only a refusal is counted, to tell a shortfall from the limit.
      const piece = pieces[0];
      let reachedPfn: number;
      try {
        reachedPfn = await piece.shard.engine.claimTagged(piece.startPfn, piece.endPfn, nrPages, from, to, mode, seed >>> 0, tagMask, tagValue, maxPerPageblock);
      } catch (error) {
        if (error instanceof EngineError && error.code === 'E_NOSPC') {
          const total = await availableIn(piece);
          if (total < nrPages) throw shortfall(total);
        }
        throw error;
      }
      this.#steps.push(unclaim(piece, reachedPfn, nrPages, from, to));
      return;
    }
    const available = await Promise.all(pieces.map(availableIn));
    const total = available.reduce((sum, n) => sum + n, 0);
    if (total < nrPages) throw shortfall(total);
    const shares = mode === ClaimMode.LOWEST ? lowestShares(available, nrPages) : proportionalShares(available, nrPages);
    const unit = new UndoLog(this.shards);
    try {
      for (let i = 0; i < pieces.length; i++) {
        const share = shares[i];
        if (share === 0) continue;
        const { shard, startPfn, endPfn } = pieces[i];
        const pieceSeed = (seed + i * 0x9e3779b9) >>> 0;
        const reachedPfn = await shard.engine.claimTagged(startPfn, endPfn, share, from, to, mode, pieceSeed, tagMask, tagValue, maxPerPageblock);
        unit.#steps.push(unclaim(pieces[i], reachedPfn, share, from, to));
      }
    } catch (error) {
      await unit.rollBack(error);
    }
    unit.commitTo(this);
  }

  /**
   * Retag up to `maxBlocks` pageblocks of the ranges (lowest first, whole
   * pageblocks only) whose `tag & tagMask === tagValue` and that hold at least
   * `minGood` pages of classes in `goodMask`, to migratetype `newMt`. Undone
   * by retagging as many `newMt` pageblocks back, lowest first: exact in
   * counts, and in place where those were the lowest of their type.
   */
  async retagPageblocks(
    ranges: readonly PfnRange[],
    maxBlocks: number,
    tagMask: number,
    tagValue: number,
    newMt: number,
    goodMask: number,
    minGood: number,
  ): Promise<{ blocks: number; goodPages: number }> {
    let blocks = 0;
    let goodPages = 0;
    for (const piece of piecesOf(this.shards, ranges)) {
      if (blocks >= maxBlocks) break;
      const { shard, startPfn, endPfn } = piece;
      const result = await shard.engine.retagPageblocks(startPfn, endPfn, maxBlocks - blocks, tagMask, tagValue, newMt, goodMask, minGood);
      if (result.blocks === 0) continue;
      blocks += result.blocks;
      goodPages += result.goodPages;
      const back = result.blocks;
      this.#steps.push(() => shard.engine.retagPageblocks(startPfn, endPfn, back, tagMask, newMt, tagValue, 0, 0));
    }
    return { blocks, goodPages };
  }
}

/**
 * The undo of one piece of a claim. The engines cannot say which pages a
 * claim took. When the claim took every page from the piece's start up to
 * the highest pfn it changed (memory nobody used yet) and those pages are
 * all still `to`, exactly they go back. Otherwise as many `to` pages as it
 * took go back to `from`, lowest first, anywhere in the piece: the counts of
 * every class in the piece, so in every zone, are restored, but the pages
 * may be other `to` pages than the ones taken. The whole piece, not just
 * the part the claim reached, because undoing a later claim over the same
 * piece may already have put back some of this claim's pages in place of
 * its own.
 */
function unclaim(piece: ShardPiece, reachedPfn: number, share: number, from: PageClass, to: PageClass): () => Promise<unknown> {
  const { shard, startPfn, endPfn } = piece;
  return async () => {
    const inPlace = reachedPfn - startPfn === share && (await shard.engine.count(startPfn, reachedPfn, 1 << to)) === share;
    return inPlace
      ? shard.engine.setClass(startPfn, reachedPfn, from)
      : shard.engine.claim(startPfn, endPfn, share, to, from, ClaimMode.LOWEST, 0);
  };
}
