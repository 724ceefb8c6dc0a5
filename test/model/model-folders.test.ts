/**
 * The model's folders form a DAG, so a newcomer can read them bottom up:
 *
 * ```
 *   src/model/ (machine.ts, invariants.ts, index.ts)   may import any folder
 *      views     -> core, hotplug, boot
 *      hotplug   -> core, boot, alloc
 *      alloc     -> core, boot
 *      boot      -> core
 *      core      -> (no other model folder)
 * ```
 *
 * Nothing under a folder imports a file of the model root, and nothing in the
 * model imports an engine: outside the model only `src/contract/` and
 * `src/util/` may be imported (the engines are injected as an EngineFactory).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { expect, test } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const MODEL = join(ROOT, 'src/model');

const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  boot: ['core'],
  alloc: ['core', 'boot'],
  hotplug: ['core', 'boot', 'alloc'],
  views: ['core', 'hotplug', 'boot'],
};
const OUTSIDE_ALLOWED = ['src/contract', 'src/util'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative import specifiers of a file, resolved to repository paths without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => relative(ROOT, resolve(dirname(file), s)).replace(/\.js$/, '').split(sep).join('/'));
}

/** The model folder of a repository path ('' for the model root), or null outside the model. */
function folderOf(path: string): string | null {
  if (!path.startsWith('src/model/')) return null;
  const rest = path.slice('src/model/'.length).split('/');
  return rest.length === 1 ? '' : rest[0];
}

test('every model file sits in a known folder', () => {
  const folders = new Set(tsFiles(MODEL).map((file) => folderOf(relative(ROOT, file).split(sep).join('/'))));
  expect([...folders].sort()).toEqual(['', ...Object.keys(ALLOWED)].sort());
});

test('model folders import only the folders below them, and nothing outside but contract and util', () => {
  const broken: string[] = [];
  for (const file of tsFiles(MODEL)) {
    const from = relative(ROOT, file).split(sep).join('/');
    const fromFolder = folderOf(from) as string;
    for (const target of importsOf(file)) {
      const toFolder = folderOf(target);
      if (toFolder === null) {
        if (!OUTSIDE_ALLOWED.some((dir) => target.startsWith(`${dir}/`))) broken.push(`${from} imports ${target} (outside the model)`);
        continue;
      }
      if (fromFolder === '' || toFolder === fromFolder) continue;
      if (toFolder === '') broken.push(`${from} imports the model root file ${target}`);
      else if (!ALLOWED[fromFolder].includes(toFolder)) broken.push(`${from} imports ${target} (${fromFolder} may not import ${toFolder})`);
    }
  }
  expect(broken).toEqual([]);
});
