/**
 * What the published package holds, as `npm pack --dry-run` lists it: the
 * compiled library and CLI, the WASM, the scenarios, README and LICENSE; no
 * benchmarks, no source maps (they would point at sources the package does
 * not ship), and every relative import of a shipped module resolves to a
 * shipped file. And the committed lock file agrees with package.json, so
 * `npm install` on a fresh clone leaves it as it is.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface PackEntry {
  path: string;
}

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const [pack] = JSON.parse(out) as { files: PackEntry[] }[];
  return pack.files.map((file) => file.path).sort();
}

describe('npm pack', () => {
  const files = packedFiles();
  const shipped = new Set(files);

  test('ships the library, the CLI, the engine and the documents', () => {
    for (const required of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/pfnlab.mjs',
      'dist/build/release.wasm',
      'dist/build/release-simd.wasm',
      'dist/build/release-simd-shared.wasm',
      'dist/src/browser.js',
      'dist/src/worker/browser-worker.js',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli.js',
      'dist/src/worker/engine.worker.js',
      'scenarios/default-4node-4tib.yaml',
      'native/pfnlab-fuse.c',
    ]) {
      expect(shipped.has(required), `${required} is not in the package`).toBe(true);
    }
  });

  test('ships no benchmarks, no tests and no source maps', () => {
    expect(files.filter((path) => path.startsWith('dist/bench/') || path.startsWith('dist/test/'))).toEqual([]);
    expect(files.filter((path) => path.endsWith('.map'))).toEqual([]);
    const mapped = files.filter(
      (path) => path.endsWith('.js') && readFileSync(join(ROOT, path), 'utf8').includes('sourceMappingURL='),
    );
    expect(mapped).toEqual([]);
  });

  test('every relative import, and every file named by new URL(..., import.meta.url), of a shipped module is shipped', () => {
    const missing: string[] = [];
    for (const path of files.filter((p) => p.endsWith('.js') || p.endsWith('.mjs'))) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bnew URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g)) {
        const target = normalize(join(dirname(path), match[2]));
        if (!shipped.has(target)) missing.push(`${path} -> ${match[2]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

test('the lock file records exactly the dependencies package.json declares', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Record<string, Record<string, string> | undefined>>;
  };
  const root = lock.packages[''];
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
    expect(root[field] ?? {}, field).toEqual(manifest[field] ?? {});
  }
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
    expect(lock.packages[`node_modules/${name}`], `${name} has no entry in the lock`).toBeDefined();
  }
});
