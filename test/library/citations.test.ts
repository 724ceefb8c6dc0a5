/**
 * What the project cites, it ships: every `*.md` document named in the
 * sources, tests, benchmarks, scenarios and docs exists in the repository
 * (the kernel is cited by its own file and function names instead).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCANNED = ['src', 'test', 'bench', 'docs', 'scenarios', 'scripts', 'assembly', 'README.md'];

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => (name === 'pinned-reports' ? [] : files(join(path, name))));
}

test('every cited .md file is in the repository', () => {
  const missing: string[] = [];
  for (const file of SCANNED.flatMap((entry) => files(join(ROOT, entry)))) {
    if (!/\.(ts|mjs|md|yaml|json)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?<![\w/.-])((?:[\w-]+\/)*[\w-]+\.md)\b/g)) {
      const cited = match[1];
      const candidates = [join(ROOT, cited), join(ROOT, 'docs', cited)];
      if (!candidates.some((path) => existsSync(path))) missing.push(`${relative(ROOT, file)} cites ${cited}`);
    }
  }
  expect(missing).toEqual([]);
});
