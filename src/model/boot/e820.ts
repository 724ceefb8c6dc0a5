/**
 * The firmware memory map (e820) and how its usable RAM reaches memblock.
 *
 * Sanitising follows arch/x86/kernel/e820.c e820__update_table: where entries
 * overlap, the higher type wins (reserved beats usable), and touching entries
 * of one type merge. Firmware that needs fixing gets a warning per overlap.
 * Usable RAM is then added to memblock.memory and trimmed to whole pages
 * (memblock_trim_memory), and max_pfn is the page-rounded-down end of the
 * highest usable entry (e820__end_of_ram_pfn).
 */
import { PAGE_SIZE } from '../../contract/constants.js';
import { hex } from '../../util/format.js';
import { BootError } from '../core/errors.js';
import { E820_MAX_ENTRIES, tooManyE820EntriesMessage } from '../core/kernel.js';
import type { E820Entry, E820Type } from '../core/types.js';
import type { Memblock } from './memblock.js';

/** Kernel e820 type numbers: a higher number wins an overlap. */
const TYPE_RANK: Record<E820Type, number> = { usable: 1, reserved: 2 };

export interface SanitizedE820 {
  /** Sorted, non-overlapping, touching same-type entries merged. */
  entries: E820Entry[];
  warnings: string[];
}

/** `[mem 0x%016llx-0x%016llx]`, inclusive end, as e820 logs ranges. */
function hexRange(base: number, end: number): string {
  return `[mem ${hex(base, 16)}-${hex(end - 1, 16)}]`;
}

function checkEntry(e: E820Entry, i: number): void {
  if (!Number.isSafeInteger(e.base) || e.base < 0) throw new BootError(`e820[${i}].base`, `${e.base} is not a byte address (non-negative integer)`);
  if (!Number.isSafeInteger(e.size) || e.size < 0) throw new BootError(`e820[${i}].size`, `${e.size} is not a byte size (non-negative integer)`);
  if (!Number.isSafeInteger(e.base + e.size)) throw new BootError(`e820[${i}].size`, 'entry ends above 2^53 bytes');
  if (!(e.type in TYPE_RANK)) throw new BootError(`e820[${i}].type`, `"${String(e.type)}" is not an e820 type (usable or reserved)`);
}

/**
 * Sanitise a firmware map: resolve overlaps (the higher type wins) and merge
 * touching entries of the same type. Empty entries are dropped. Runs in
 * O(n log n) over change points, like the kernel.
 */
export function sanitizeE820(input: readonly E820Entry[]): SanitizedE820 {
  input.forEach(checkEntry);
  if (input.length > E820_MAX_ENTRIES) throw new BootError('e820', tooManyE820EntriesMessage(input.length));
  const warnings: string[] = [];
  const live = input.map((e, index) => ({ ...e, index })).filter((e) => e.size > 0);

  // Report each overlapping pair once, saying which type keeps the overlap.
  const byBase = [...live].sort((a, b) => a.base - b.base || a.index - b.index);
  for (let i = 0; i < byBase.length; i++) {
    const a = byBase[i];
    for (let j = i + 1; j < byBase.length && byBase[j].base < a.base + a.size; j++) {
      const b = byBase[j];
      const overlapEnd = Math.min(a.base + a.size, b.base + b.size);
      const winner = TYPE_RANK[a.type] >= TYPE_RANK[b.type] ? a.type : b.type;
      warnings.push(
        `e820: entries ${a.index} (${a.type}) and ${b.index} (${b.type}) overlap at ${hexRange(b.base, overlapEnd)}; sanitised as ${winner}`,
      );
    }
  }

  // Sweep change points; the live entry with the highest type owns each stretch.
  const points: { addr: number; rank: number; delta: 1 | -1 }[] = [];
  for (const e of live) {
    points.push({ addr: e.base, rank: TYPE_RANK[e.type], delta: 1 });
    points.push({ addr: e.base + e.size, rank: TYPE_RANK[e.type], delta: -1 });
  }
  points.sort((a, b) => a.addr - b.addr);
  const active = [0, 0, 0];
  const typeOfRank: E820Type[] = ['usable', 'usable', 'reserved'];
  const entries: E820Entry[] = [];
  let k = 0;
  let prevAddr = 0;
  let prevRank = 0;
  while (k < points.length) {
    const addr = points[k].addr;
    if (prevRank > 0 && addr > prevAddr) {
      const type = typeOfRank[prevRank];
      const last = entries[entries.length - 1];
      if (last && last.type === type && last.base + last.size === prevAddr) last.size += addr - prevAddr;
      else entries.push({ base: prevAddr, size: addr - prevAddr, type });
    }
    for (; k < points.length && points[k].addr === addr; k++) active[points[k].rank] += points[k].delta;
    prevAddr = addr;
    prevRank = active[2] > 0 ? 2 : active[1] > 0 ? 1 : 0;
  }
  return { entries, warnings };
}

/** max_pfn: end of the highest usable entry, rounded down to a page. */
export function e820EndOfRamPfn(entries: readonly E820Entry[]): number {
  let maxPfn = 0;
  for (const e of entries) if (e.type === 'usable') maxPfn = Math.max(maxPfn, Math.floor((e.base + e.size) / PAGE_SIZE));
  return maxPfn;
}

/**
 * Usable RAM into memblock.memory (nid unset, no flags), each range trimmed
 * to whole pages; a range smaller than a page after trimming is dropped.
 */
export function addE820ToMemblock(memblock: Memblock, entries: readonly E820Entry[]): void {
  for (const e of entries) {
    if (e.type !== 'usable') continue;
    const base = Math.ceil(e.base / PAGE_SIZE) * PAGE_SIZE;
    const end = Math.floor((e.base + e.size) / PAGE_SIZE) * PAGE_SIZE;
    if (end > base) memblock.add(base, end - base);
  }
}
