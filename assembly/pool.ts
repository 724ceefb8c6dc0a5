// Record pools grown with memory.grow, and the reservation step every mutating
// call runs before it changes anything.
//
// A pool hands out fixed-size records from a bump region and recycles freed
// records through a free list threaded through their first u32. Regions are
// whole WASM pages; their owner is recorded in the page owner map, which is
// the pools' chunk directory (validate() uses it to check free lists). The
// three plane pools are the orders of one buddy allocator (buddy.ts), so
// plane memory freed at one depth serves the others.
//
// Reservation is all or nothing: a call plans the records it may take
// (needReset / needAdd), then `reserveNeeds()` adds up the pages every pool
// must grow by, checks them against maxBytes, and grows memory once. A
// refused call therefore grows nothing.

import { buddyAddPages, buddyAlloc, buddyFits, buddyFree, buddyPages, buddyPagesFor } from './buddy';
import {
  NR_POOLS,
  POOL_PLANE,
  POOL_PLANE1,
  POOL_PLANE2,
  POOL_BUMP,
  POOL_BUMP_END,
  POOL_CHUNK_PAGES_AT,
  POOL_FREE_COUNT,
  POOL_FREE_HEAD,
  POOL_LIVE,
  POOL_PAGES_AT,
  POOL_NEED,
  POOL_RECORD_BYTES_AT,
  POOL_RESERVED,
  SIZE_OF_POOL,
  WASM_PAGE_BYTES,
  WASM_PAGE_SHIFT,
  gMaxPages,
  gOwnerMap,
  gPoolTable,
} from './layout';

/** The plane pools are one buddy allocator; their ids name its orders. */
@inline function isPlanePool(pool: u32): bool {
  return pool == POOL_PLANE1 || pool == POOL_PLANE2 || pool == POOL_PLANE;
}
@inline function orderOfPlanePool(pool: u32): u32 {
  return pool == POOL_PLANE1 ? 0 : pool == POOL_PLANE2 ? 1 : 2;
}
@inline function planeNeed(pool: u32, field: u32): u32 {
  return load<u32>(poolAddr(pool) + field);
}

@inline export function poolAddr(pool: u32): usize {
  return gPoolTable + <usize>pool * SIZE_OF_POOL;
}

export function poolSetup(pool: u32, recordBytes: u32, chunkPages: u32): void {
  const p = poolAddr(pool);
  memory.fill(p, 0, SIZE_OF_POOL);
  store<u32>(p, recordBytes, POOL_RECORD_BYTES_AT);
  store<u32>(p, chunkPages, POOL_CHUNK_PAGES_AT);
}

/** Records the pool can hand out without growing memory. */
export function poolAvailable(pool: u32): u32 {
  const p = poolAddr(pool);
  const bumpBytes = load<u32>(p, POOL_BUMP_END) - load<u32>(p, POOL_BUMP);
  return load<u32>(p, POOL_FREE_COUNT) + bumpBytes / load<u32>(p, POOL_RECORD_BYTES_AT);
}

/** WASM pages the pool must grow by to have `needed` records available. */
function poolPagesFor(pool: u32, needed: u32): u32 {
  if (isPlanePool(pool)) return 0; // the buddy allocator's pages are counted apart
  const available = poolAvailable(pool);
  if (available >= needed) return 0;
  const p = poolAddr(pool);
  const recordBytes = <u64>load<u32>(p, POOL_RECORD_BYTES_AT);
  const chunkPages = <u64>load<u32>(p, POOL_CHUNK_PAGES_AT);
  // A new region may continue the bump region when it is adjacent; counting
  // it as separate keeps the estimate an upper bound.
  const bytes = <u64>(needed - available) * recordBytes;
  let pages = (bytes + WASM_PAGE_BYTES - 1) >> WASM_PAGE_SHIFT;
  pages = ((pages + chunkPages - 1) / chunkPages) * chunkPages;
  return <u32>min<u64>(pages, 0x10000);
}

function poolAddRegion(pool: u32, start: usize, pages: u32): void {
  const p = poolAddr(pool);
  const bytes = <usize>pages << WASM_PAGE_SHIFT;
  let bump = <usize>load<u32>(p, POOL_BUMP);
  const bumpEnd = <usize>load<u32>(p, POOL_BUMP_END);
  if (bumpEnd == start && bumpEnd != 0) {
    store<u32>(p, <u32>(bumpEnd + bytes), POOL_BUMP_END);
  } else {
    // The tail of the old region goes to the free list so nothing is lost.
    const recordBytes = <usize>load<u32>(p, POOL_RECORD_BYTES_AT);
    while (bump + recordBytes <= bumpEnd) {
      store<u32>(bump, load<u32>(p, POOL_FREE_HEAD));
      store<u32>(p, <u32>bump, POOL_FREE_HEAD);
      store<u32>(p, load<u32>(p, POOL_FREE_COUNT) + 1, POOL_FREE_COUNT);
      bump += recordBytes;
    }
    store<u32>(p, <u32>start, POOL_BUMP);
    store<u32>(p, <u32>(start + bytes), POOL_BUMP_END);
  }
  store<u32>(p, load<u32>(p, POOL_PAGES_AT) + pages, POOL_PAGES_AT);
  memory.fill(gOwnerMap + (start >> WASM_PAGE_SHIFT), <u8>(pool + 1), pages);
}

/**
 * Grows memory by `pages` WASM pages if maxBytes allows; returns the start
 * address of the new pages, or 0 when refused.
 */
export function growPages(pages: u32): usize {
  const current = <u32>memory.size();
  if (<u64>current + <u64>pages > <u64>gMaxPages) return 0;
  if (memory.grow(<i32>pages) < 0) return 0;
  return <usize>current << WASM_PAGE_SHIFT;
}

/** Starts a call's plan: no records needed, none reserved. */
export function needReset(): void {
  for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
    const p = poolAddr(pool);
    store<u32>(p, 0, POOL_NEED);
    store<u32>(p, 0, POOL_RESERVED);
  }
}

/** The call may take `n` more records of `pool`. */
export function needAdd(pool: u32, n: u32): void {
  const p = poolAddr(pool);
  store<u32>(p, load<u32>(p, POOL_NEED) + n, POOL_NEED);
}

/**
 * Makes sure every pool can hand out what the plan needs without growing,
 * growing all of them in one memory.grow. Returns false, having grown
 * nothing, when maxBytes (or the WASM limit) does not allow it. The planned
 * records are then reserved: optional allocations (poolSpare) leave them.
 */
export function reserveNeeds(): bool {
  let total: u64 = 0;
  for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
    total += poolPagesFor(pool, load<u32>(poolAddr(pool), POOL_NEED));
  }
  const buddyPages = buddyPagesFor(planeNeed(POOL_PLANE1, POOL_NEED), planeNeed(POOL_PLANE2, POOL_NEED), planeNeed(POOL_PLANE, POOL_NEED));
  total += buddyPages;
  if (total > 0xffff) return false;
  if (total != 0) {
    let at = growPages(<u32>total);
    if (at == 0) return false;
    for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
      const pages = poolPagesFor(pool, load<u32>(poolAddr(pool), POOL_NEED));
      if (pages == 0) continue;
      poolAddRegion(pool, at, pages);
      at += <usize>pages << WASM_PAGE_SHIFT;
    }
    if (buddyPages != 0) buddyAddPages(at, buddyPages);
  }
  for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
    const p = poolAddr(pool);
    store<u32>(p, load<u32>(p, POOL_NEED), POOL_RESERVED);
  }
  return true;
}

/** Would the planned records fit without growing memory? */
export function needsFit(): bool {
  for (let pool: u32 = 0; pool < NR_POOLS; pool++) {
    if (!isPlanePool(pool) && poolAvailable(pool) < load<u32>(poolAddr(pool), POOL_NEED)) return false;
  }
  return buddyFits(planeNeed(POOL_PLANE1, POOL_NEED), planeNeed(POOL_PLANE2, POOL_NEED), planeNeed(POOL_PLANE, POOL_NEED), 0);
}

/** Can an optional allocation (one the plan did not count) take a record without growing? */
export function poolSpare(pool: u32): bool {
  if (isPlanePool(pool)) {
    const order = orderOfPlanePool(pool);
    return buddyFits(
      planeNeed(POOL_PLANE1, POOL_RESERVED) + (order == 0 ? 1 : 0),
      planeNeed(POOL_PLANE2, POOL_RESERVED) + (order == 1 ? 1 : 0),
      planeNeed(POOL_PLANE, POOL_RESERVED) + (order == 2 ? 1 : 0),
      0,
    );
  }
  return poolAvailable(pool) > load<u32>(poolAddr(pool), POOL_RESERVED);
}

/**
 * Takes a record; the caller reserved it (or, for an `optional` allocation,
 * checked poolSpare), so this cannot fail.
 */
export function poolAlloc(pool: u32, optional: bool = false): usize {
  const p = poolAddr(pool);
  let rec: usize;
  if (isPlanePool(pool)) {
    rec = buddyAlloc(orderOfPlanePool(pool));
  } else if ((rec = <usize>load<u32>(p, POOL_FREE_HEAD)) != 0) {
    store<u32>(p, load<u32>(rec), POOL_FREE_HEAD);
    store<u32>(p, load<u32>(p, POOL_FREE_COUNT) - 1, POOL_FREE_COUNT);
  } else {
    rec = <usize>load<u32>(p, POOL_BUMP);
    const recordBytes = load<u32>(p, POOL_RECORD_BYTES_AT);
    if (ASC_NO_ASSERT == false) {
      assert(rec != 0 && rec + recordBytes <= <usize>load<u32>(p, POOL_BUMP_END), 'pool not reserved');
    }
    store<u32>(p, <u32>(rec + recordBytes), POOL_BUMP);
  }
  store<u32>(p, load<u32>(p, POOL_LIVE) + 1, POOL_LIVE);
  const reserved = load<u32>(p, POOL_RESERVED);
  if (!optional && reserved != 0) store<u32>(p, reserved - 1, POOL_RESERVED);
  return rec;
}

export function poolFree(pool: u32, rec: usize): void {
  const p = poolAddr(pool);
  store<u32>(p, load<u32>(p, POOL_LIVE) - 1, POOL_LIVE);
  if (isPlanePool(pool)) {
    buddyFree(rec, orderOfPlanePool(pool));
    return;
  }
  store<u32>(rec, load<u32>(p, POOL_FREE_HEAD));
  store<u32>(p, <u32>rec, POOL_FREE_HEAD);
  store<u32>(p, load<u32>(p, POOL_FREE_COUNT) + 1, POOL_FREE_COUNT);
}

/** Bytes of memory the pools have grown (their high-water mark). */
export function poolBytes(): u64 {
  let total: u64 = <u64>buddyPages() << WASM_PAGE_SHIFT;
  for (let i: u32 = 0; i < NR_POOLS; i++) {
    total += <u64>load<u32>(poolAddr(i), POOL_PAGES_AT) << WASM_PAGE_SHIFT;
  }
  return total;
}
