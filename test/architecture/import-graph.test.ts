/**
 * The layers' import rules, read from the sources:
 * - no cycle between folders under `src/` (each folder, subfolders included,
 *   is a node; the files directly in `src/` are one node, the composition root);
 * - `src/contract/` imports nothing else of ours: it is the leaf every engine
 *   and every caller of an engine share;
 * - the model and the study layer import no concrete engine (`src/engine/`,
 *   `src/worker/`, `src/reference/`): engines are chosen in the composition
 *   roots (`src/index.ts`, `src/cli.ts`, through `src/engines.ts`) and injected;
 * - nothing imports the composition root.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));
const ROOT = '(src root)';
const CONCRETE_ENGINES = ['engine', 'worker', 'reference'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder of a source file, relative to src (subfolders are their own folders). */
function folderOf(file: string): string {
  const dir = relative(SRC, dirname(file));
  return dir === '' ? ROOT : dir;
}

/** Relative module specifiers of a file: static imports and re-exports, and dynamic import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)) found.push(match[2]);
  return found;
}

interface Edge {
  from: string;
  to: string;
  file: string;
  specifier: string;
}

const files = sourceFiles(SRC);
const edges: Edge[] = files.flatMap((file) =>
  importsOf(file).map((specifier) => ({
    from: folderOf(file),
    to: folderOf(resolve(dirname(file), specifier)),
    file: relative(SRC, file),
    specifier,
  })),
);

/** Strongly connected components with more than one folder (Tarjan). */
function folderCycles(graphEdges: readonly Edge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of graphEdges) {
    if (e.from === e.to) continue;
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
    if (!next.has(e.to)) next.set(e.to, new Set());
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

function describeEdges(found: readonly Edge[]): string[] {
  return found.map((e) => `${e.file} imports ${e.specifier} (${e.from} -> ${e.to})`);
}

describe('import graph of src/', () => {
  test('the sources were read', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(edges.length).toBeGreaterThan(100);
  });

  test('no cycle between folders', () => {
    const cycles = folderCycles(edges);
    const detail = cycles.map((component) =>
      describeEdges(edges.filter((e) => e.from !== e.to && component.includes(e.from) && component.includes(e.to))).join('\n  '),
    );
    expect(detail, `folder cycles:\n  ${detail.join('\n\n  ')}`).toEqual([]);
  });

  test('the cycle check finds a cycle when there is one', () => {
    const planted: Edge[] = [
      { from: 'a', to: 'b', file: 'a/x.ts', specifier: '../b/y.js' },
      { from: 'b', to: 'c', file: 'b/y.ts', specifier: '../c/z.js' },
      { from: 'c', to: 'a', file: 'c/z.ts', specifier: '../a/x.js' },
      { from: 'c', to: 'd', file: 'c/z.ts', specifier: '../d/w.js' },
    ];
    expect(folderCycles(planted)).toEqual([['a', 'b', 'c']]);
  });

  test('the contract imports nothing else of ours', () => {
    const outward = edges.filter((e) => e.from === 'contract' && e.to !== 'contract');
    expect(describeEdges(outward)).toEqual([]);
  });

  test('the model and the study layer import no concrete engine', () => {
    const concrete = edges.filter(
      (e) =>
        (e.from === 'model' || e.from.startsWith('model/') || e.from === 'study') &&
        CONCRETE_ENGINES.some((folder) => e.to === folder || e.to.startsWith(`${folder}/`)),
    );
    expect(describeEdges(concrete)).toEqual([]);
  });

  test('nothing imports the composition root', () => {
    const intoRoot = edges.filter((e) => e.to === ROOT && e.from !== ROOT);
    expect(describeEdges(intoRoot)).toEqual([]);
  });
});
