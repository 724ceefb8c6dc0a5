/** Page-table pages of user mappings (docs/kernel-facts.md, facts 77 and 78). */
import { expect, test } from 'vitest';
import { mappingTablePages } from '../../../src/model/alloc/pgtable.js';

const GiB = 2 ** 30;

test('fact 77: 64 GiB of anonymous memory in one process: 32768 PTE + 64 PMD + 1 PUD = 32833 pages', () => {
  const cost = mappingTablePages({ bytes: 64 * GiB, backing: 'anon', hugeShare: 0, processes: 1, levels: 4 });
  expect(cost).toEqual({ pte: 32768, pmd: 64, pud: 1, p4d: 0, total: 32833 });
});

test('fact 77: anonymous THP mapped by PMDs costs the same (a PTE page deposited per huge PMD)', () => {
  expect(mappingTablePages({ bytes: 64 * GiB, backing: 'anon', hugeShare: 1, processes: 1, levels: 4 }).total).toBe(32833);
});

test('fact 77: shmem/file THP mapped by PMDs drops the PTE level: 65 pages', () => {
  expect(mappingTablePages({ bytes: 64 * GiB, backing: 'file', hugeShare: 1, processes: 1, levels: 4 }).total).toBe(65);
});

test('fact 78: 100 processes mapping the same 10 GiB file with 4 KiB PTEs: 513,100 pages', () => {
  expect(mappingTablePages({ bytes: 10 * GiB, backing: 'file', hugeShare: 0, processes: 100, levels: 4 }).total).toBe(513_100);
});

test('5-level paging adds a P4D page per 256 TiB', () => {
  const cost = mappingTablePages({ bytes: 64 * GiB, backing: 'anon', hugeShare: 0, processes: 1, levels: 5 });
  expect(cost.p4d).toBe(1);
  expect(cost.total).toBe(32834);
});

test('half huge file memory halves the PTE pages', () => {
  expect(mappingTablePages({ bytes: 64 * GiB, backing: 'file', hugeShare: 0.5, processes: 1, levels: 4 }).pte).toBe(16384);
});
