/**
 * The README's performance section is the recorded bench run, rendered:
 * nobody edits a figure by hand, and the run it shows is a whole one whose
 * engines agreed.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README_BEGIN, README_END, benchTables, performanceMarkdown, readmeBlock, tableMarkdown, verdictLines, type BenchReport } from '../../bench/report.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const run = JSON.parse(readFileSync(new URL('../../docs/bench-run.json', import.meta.url), 'utf8')) as BenchReport;

describe('README performance section', () => {
  it('is the rendering of docs/bench-run.json', () => {
    const block = readmeBlock(readme);
    expect(block, 'README has the generated block').toBeDefined();
    expect(block).toBe(performanceMarkdown(run));
  });

  it('shows a full run whose engines agreed, with every suite', () => {
    expect(run.quick).toBe(false);
    expect(run.roaring).toBe(true);
    expect(run.sparse, 'the sparse 52-bit machine ran').toBeDefined();
    expect(run.machineFill.mismatch).toBeUndefined();
    expect(run.studyThroughput.mismatch).toBeUndefined();
    expect(run.parallel.mismatch).toBeUndefined();
    expect(run.translationBoundary.note).toBeUndefined();
    for (const row of run.rows) expect(row.note, `${row.suite}: ${row.primitive}`).toBeUndefined();
    const titles = benchTables(run).map((table) => table.title);
    expect(titles.some((t) => t.startsWith('primitives'))).toBe(true);
    expect(titles.some((t) => t.startsWith('sparse 52-bit machine'))).toBe(true);
  });

  it('puts each figure beside its baseline', () => {
    for (const table of benchTables(run)) {
      for (const row of table.rows) expect(row, table.title).toHaveLength(table.header.length);
    }
    const primitives = benchTables(run)[0]!;
    expect(primitives.header).toEqual(expect.arrayContaining(['WASM ops/s', 'ref ops/s', 'roaring ops/s', 'WASM/ref', 'WASM/roaring']));
    expect(verdictLines(run).some((line) => line.includes('roaring'))).toBe(true);
  });
});

describe('tableMarkdown', () => {
  it('right-aligns figures and escapes pipes in cells', () => {
    const md = tableMarkdown({ title: 'a | b', header: ['what', 'n'], rows: [['x|y', '1']], notes: ['n|m'] });
    expect(md.split('\n')).toEqual(['**a \\| b**', '', '| what | n |', '| --- | ---: |', '| x\\|y | 1 |', '', '- n\\|m']);
  });

  it('refuses a --quick run and finds no block without both markers', () => {
    expect(() => performanceMarkdown({ ...run, quick: true })).toThrow(/--quick/);
    expect(readmeBlock(`${README_END}\n${README_BEGIN}`)).toBeUndefined();
  });
});
