/**
 * What mapping user memory costs in page-table pages (arch/x86 page tables:
 * arch/x86/include/asm/pgtable_64_types.h; mm/memory.c, mm/huge_memory.c).
 *
 * Every table is one 4 KiB page of 512 entries: a PTE table maps 2 MiB, a
 * PMD table 1 GiB, a PUD table 512 GiB and, with 5-level paging, a P4D table
 * 256 TiB. Tables are per process (mm): N processes mapping the same memory
 * each pay in full. A dense, aligned mapping of S bytes therefore costs
 * S/2 MiB + S/1 GiB + S/512 GiB (+ S/256 TiB) pages, about 2 MiB per GiB.
 *
 * Transparent huge pages change the PTE level only where nothing is
 * deposited: an anonymous THP mapped by a PMD keeps one PTE page deposited
 * per huge PMD (`__do_huge_pmd_anonymous_page`), so anonymous memory costs
 * the same with or without THP; file and shmem THPs mapped by a PMD deposit
 * nothing on x86 and drop the PTE level. Facts 77 and 78 of
 * docs/kernel-facts.md pin these numbers. The per-process top level (the
 * PGD, one page or two with PTI) is a per-process constant and not counted
 * here.
 *
 * All of these pages come from kernel zones (GFP_PGTABLE_USER: never
 * ZONE_MOVABLE, fact 65).
 */
import type { PagingLevels } from '../core/kernel.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const TiB = 2 ** 40;

/** Bytes one table of each level maps. */
export const PTE_TABLE_SPAN_BYTES = 2 * MiB;
export const PMD_TABLE_SPAN_BYTES = GiB;
export const PUD_TABLE_SPAN_BYTES = 512 * GiB;
export const P4D_TABLE_SPAN_BYTES = 256 * TiB;

/** How user memory is mapped, for its page-table cost. */
export interface MappingShape {
  /** Bytes mapped, in one process. */
  bytes: number;
  /** Whether the memory is anonymous (THP deposits a PTE page) or file/shmem backed (THP maps without one). */
  backing: 'anon' | 'file';
  /** The share of the bytes mapped by PMD-sized transparent huge pages, 0 to 1. */
  hugeShare: number;
  /** Processes mapping it, each with its own tables (1 for private memory). */
  processes: number;
  /** Page-table levels of the machine (4, or 5 with LA57). */
  levels: PagingLevels;
}

export interface TableCost {
  pte: number;
  pmd: number;
  pud: number;
  p4d: number;
  /** All levels. */
  total: number;
}

/** The table pages of a dense, aligned mapping (ceil at each level). */
export function mappingTablePages(shape: MappingShape): TableCost {
  const { bytes, backing, hugeShare, processes, levels } = shape;
  if (!(bytes >= 0) || !(hugeShare >= 0 && hugeShare <= 1) || !(processes >= 1) || !Number.isInteger(processes)) {
    throw new RangeError(`mappingTablePages: bad shape ${JSON.stringify(shape)}`);
  }
  const smallBytes = backing === 'anon' ? bytes : bytes - Math.floor((bytes * hugeShare) / PTE_TABLE_SPAN_BYTES) * PTE_TABLE_SPAN_BYTES;
  const pte = Math.ceil(smallBytes / PTE_TABLE_SPAN_BYTES);
  const pmd = Math.ceil(bytes / PMD_TABLE_SPAN_BYTES);
  const pud = Math.ceil(bytes / PUD_TABLE_SPAN_BYTES);
  const p4d = levels === 5 ? Math.ceil(bytes / P4D_TABLE_SPAN_BYTES) : 0;
  const perProcess = { pte, pmd, pud, p4d };
  return {
    pte: perProcess.pte * processes,
    pmd: perProcess.pmd * processes,
    pud: perProcess.pud * processes,
    p4d: perProcess.p4d * processes,
    total: (pte + pmd + pud + p4d) * processes,
  };
}
