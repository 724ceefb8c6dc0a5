// The plane records' allocator: a small buddy system over 64-byte units, so
// memory freed by one depth of plane record serves every other depth.
//
// A plane record of depth d takes one block of order d - 1: 64, 128 or 256
// bytes (depth 3 wastes 64 bytes, but pageblocks holding PINNED, RESERVED or
// VMEMMAP pages among others are rare). Blocks live in 64 KiB WASM pages:
//
//   +0     128 B   bitmap, bit u set when unit u starts a free block
//   +128   128 B   one order-1 block (its buddy is the bitmap: never merges)
//   +256   ...     255 order-2 blocks, block j at j x 256 B (j = 1 .. 255)
//
// so a page gives 1022 units to blocks. A free block holds its free-list
// links and its order:
//
//   +0 u32 next   +4 u32 prev   +8 u32 order
//
// Freeing merges a block with its buddy while the buddy is free and of the
// same order, so scattered frees of small records still yield large ones.
// The allocator's own counters sit in the static part (layout.ts, BUDDY_*).

import {
  BUDDY_FREE_COUNTS,
  BUDDY_HEADS,
  BUDDY_LIVE_COUNTS,
  BUDDY_PAGES,
  SIZE_OF_BUDDY_STATE,
  WASM_PAGE_BYTES,
  WASM_PAGE_SHIFT,
  gBuddy,
  gOwnerMap,
  OWNER_BUDDY,
} from './layout';

export const BUDDY_ORDERS: u32 = 3;
const UNIT_SHIFT: u32 = 6;
const UNIT_BYTES: u32 = 1 << UNIT_SHIFT;
const BITMAP_BYTES: u32 = 128;
/** Units below this one hold the bitmap: they start no block. */
const FIRST_UNIT: u32 = BITMAP_BYTES >> UNIT_SHIFT;
/** Units a page gives to blocks: all but the bitmap's (1022). */
const UNITS_PER_PAGE: u32 = (WASM_PAGE_BYTES - BITMAP_BYTES) >> UNIT_SHIFT;
/** The page's one order-1 block follows the bitmap. */
const ORDER1_BLOCK_AT: u32 = BITMAP_BYTES;
const ORDER2_PER_PAGE: u32 = 255;
/** Byte offset within its WASM page of an address. */
const PAGE_OFFSET_MASK: usize = <usize>WASM_PAGE_BYTES - 1;

// Fields of a free block.
const FREE_NEXT: u32 = 0;
const FREE_PREV: u32 = 4;
const FREE_ORDER: u32 = 8;

@inline function headAddr(order: u32): usize {
  return gBuddy + BUDDY_HEADS + (<usize>order << 2);
}
@inline function freeCountAddr(order: u32): usize {
  return gBuddy + BUDDY_FREE_COUNTS + (<usize>order << 2);
}
@inline function liveAddr(order: u32): usize {
  return gBuddy + BUDDY_LIVE_COUNTS + (<usize>order << 2);
}
/** Bytes of a block of `order`: 64, 128 or 256. */
@inline function blockBytes(order: u32): usize {
  return <usize>UNIT_BYTES << order;
}

@inline function pageOf(addr: usize): usize {
  return addr & ~PAGE_OFFSET_MASK;
}
@inline function unitOf(addr: usize): u32 {
  return <u32>((addr & PAGE_OFFSET_MASK) >> UNIT_SHIFT);
}
@inline function startBitTest(page: usize, unit: u32): bool {
  return ((load<u8>(page + (unit >> 3)) >> <u8>(unit & 7)) & 1) != 0;
}
@inline function startBitPut(page: usize, unit: u32, on: bool): void {
  const p = page + (unit >> 3);
  const bit = <u8>(<u32>1 << (unit & 7));
  store<u8>(p, on ? load<u8>(p) | bit : load<u8>(p) & ~bit);
}

function pushFree(addr: usize, order: u32): void {
  const head = <usize>load<u32>(headAddr(order));
  store<u32>(addr, <u32>head, FREE_NEXT);
  store<u32>(addr, 0, FREE_PREV);
  store<u32>(addr, order, FREE_ORDER);
  if (head != 0) store<u32>(head, <u32>addr, FREE_PREV);
  store<u32>(headAddr(order), <u32>addr);
  store<u32>(freeCountAddr(order), load<u32>(freeCountAddr(order)) + 1);
  startBitPut(pageOf(addr), unitOf(addr), true);
}

function unlinkFree(addr: usize, order: u32): void {
  const next = load<u32>(addr, FREE_NEXT);
  const prev = load<u32>(addr, FREE_PREV);
  if (prev != 0) store<u32>(<usize>prev, next, FREE_NEXT);
  else store<u32>(headAddr(order), next);
  if (next != 0) store<u32>(<usize>next, prev, FREE_PREV);
  store<u32>(freeCountAddr(order), load<u32>(freeCountAddr(order)) - 1);
  startBitPut(pageOf(addr), unitOf(addr), false);
}

export function buddyReset(): void {
  memory.fill(gBuddy, 0, SIZE_OF_BUDDY_STATE);
}

/** Adds `pages` fresh WASM pages at `start` to the free lists. */
export function buddyAddPages(start: usize, pages: u32): void {
  for (let i: u32 = 0; i < pages; i++) {
    const page = start + (<usize>i << WASM_PAGE_SHIFT);
    memory.fill(page, 0, BITMAP_BYTES);
    pushFree(page + ORDER1_BLOCK_AT, 1);
    for (let j: u32 = 1; j <= ORDER2_PER_PAGE; j++) pushFree(page + <usize>j * blockBytes(2), 2);
    store<u8>(gOwnerMap + (page >> WASM_PAGE_SHIFT), OWNER_BUDDY);
  }
  store<u32>(gBuddy + BUDDY_PAGES, load<u32>(gBuddy + BUDDY_PAGES) + pages);
}

/** A block of `order`; the caller made sure one is available (buddyFits). */
export function buddyAlloc(order: u32): usize {
  let o = order;
  while (o < BUDDY_ORDERS && load<u32>(headAddr(o)) == 0) o++;
  if (ASC_NO_ASSERT == false) assert(o < BUDDY_ORDERS, 'plane records not reserved');
  const addr = <usize>load<u32>(headAddr(o));
  unlinkFree(addr, o);
  while (o > order) {
    o--;
    pushFree(addr + blockBytes(o), o);
  }
  store<u32>(liveAddr(order), load<u32>(liveAddr(order)) + 1);
  return addr;
}

export function buddyFree(addr: usize, order: u32): void {
  store<u32>(liveAddr(order), load<u32>(liveAddr(order)) - 1);
  const page = pageOf(addr);
  let at = addr;
  let o = order;
  while (o + 1 < BUDDY_ORDERS) {
    const unit = unitOf(at);
    const buddyUnit = unit ^ (<u32>1 << o);
    if (buddyUnit < FIRST_UNIT || !startBitTest(page, buddyUnit)) break;
    const buddy = page + (<usize>buddyUnit << UNIT_SHIFT);
    if (load<u32>(buddy, FREE_ORDER) != o) break;
    unlinkFree(buddy, o);
    at = min<usize>(at, buddy);
    o++;
  }
  pushFree(at, o);
}

/**
 * Would n0, n1, n2 more blocks of orders 0, 1, 2 fit, with `extraPages`
 * fresh pages added? Serves the largest orders first from the largest free
 * blocks; the allocator splits the smallest block that fits, which never
 * does worse.
 */
export function buddyFits(n0: u32, n1: u32, n2: u32, extraPages: u32): bool {
  let left2 = <i64>load<u32>(freeCountAddr(2)) + <i64>extraPages * ORDER2_PER_PAGE - <i64>n2;
  if (left2 < 0) return false;
  let left1 = <i64>load<u32>(freeCountAddr(1)) + <i64>extraPages + 2 * left2 - <i64>n1;
  if (left1 < 0) return false;
  return <i64>load<u32>(freeCountAddr(0)) + 2 * left1 - <i64>n0 >= 0;
}

/** Fresh pages needed for n0, n1, n2 more blocks. */
export function buddyPagesFor(n0: u32, n1: u32, n2: u32): u32 {
  if (buddyFits(n0, n1, n2, 0)) return 0;
  // Start from the estimate in units (1, 2 and 4 per block) and step up.
  let pages = <u32>(((<u64>n0 + 2 * <u64>n1 + 4 * <u64>n2) / UNITS_PER_PAGE));
  while (!buddyFits(n0, n1, n2, pages)) pages++;
  return pages;
}

export function buddyLive(order: u32): u32 {
  return load<u32>(liveAddr(order));
}
export function buddyPages(): u32 {
  return load<u32>(gBuddy + BUDDY_PAGES);
}

/** Is `addr` a block of `order` handed out by the allocator (not free)? */
export function buddyLiveBlock(addr: usize, order: u32): bool {
  if (addr == 0 || load<u8>(gOwnerMap + (addr >> WASM_PAGE_SHIFT)) != OWNER_BUDDY) return false;
  const unit = unitOf(addr);
  if (unit < FIRST_UNIT || (unit & ((<u32>1 << order) - 1)) != 0) return false;
  return !startBitTest(pageOf(addr), unit);
}

/**
 * Checks the free lists (links, orders, start bits, counts) and that live and
 * free blocks add up to the pages exactly. Returns false if broken.
 */
export function buddyValidate(): bool {
  let units: u64 = 0;
  for (let o: u32 = 0; o < BUDDY_ORDERS; o++) {
    let n: u32 = 0;
    let prev: u32 = 0;
    let at = <usize>load<u32>(headAddr(o));
    while (at != 0) {
      if (load<u8>(gOwnerMap + (at >> WASM_PAGE_SHIFT)) != OWNER_BUDDY) return false;
      if (load<u32>(at, FREE_ORDER) != o || load<u32>(at, FREE_PREV) != prev || !startBitTest(pageOf(at), unitOf(at))) return false;
      if ((unitOf(at) & ((<u32>1 << o) - 1)) != 0 || unitOf(at) < FIRST_UNIT) return false;
      n++;
      if (n > load<u32>(freeCountAddr(o))) return false;
      prev = <u32>at;
      at = <usize>load<u32>(at, FREE_NEXT);
    }
    if (n != load<u32>(freeCountAddr(o))) return false;
    units += (<u64>n + <u64>load<u32>(liveAddr(o))) << o;
  }
  return units == <u64>buddyPages() * UNITS_PER_PAGE;
}
