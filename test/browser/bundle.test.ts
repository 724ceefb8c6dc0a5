/**
 * A bundler's view of the package: a one-file app that imports
 * `pfnlab/browser` (and `pfnlab` under the browser condition) is built with
 * Vite against the package's exports, as an installed copy would be. The
 * output must carry the engine's `.wasm` and the worker chunk, and no
 * `node:` specifier at all, so nothing Node-only is reachable from the
 * browser entry.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Build `source` as an app's only module, with pfnlab installed as a package; returns the emitted files. */
async function bundle(source: string): Promise<Map<string, Buffer>> {
  const app = mkdtempSync(join(tmpdir(), 'pfnlab-bundle-'));
  dirs.push(app);
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(ROOT, join(app, 'node_modules', 'pfnlab'), 'dir');
  writeFileSync(join(app, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
  writeFileSync(join(app, 'main.js'), source);
  const outDir = join(app, 'out');
  await build({ root: app, configFile: false, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(join(outDir, 'assets'))) files.set(name, readFileSync(join(outDir, 'assets', name)));
  return files;
}

const NODE_SPECIFIER = /["'`]node:[a-z_/]+["'`]/;

describe('bundling the browser entry', () => {
  it.each([
    ['pfnlab/browser', "import { createEngine } from 'pfnlab/browser';\nconst engine = await createEngine({ basePfn: 0, nrPages: 1 << 18 });\ndocument.title = String(engine.info().nrPages);\n"],
    ['pfnlab (browser condition)', "import { createMachine, parseScenario } from 'pfnlab';\nconst m = await createMachine(parseScenario('machine:\\n  nodes:\\n    - memory: 4G\\n', 'x.yaml'), { worker: true });\ndocument.body.textContent = await m.zoneinfo();\n"],
  ])('%s: the .wasm and the worker are emitted, and no node: import', async (_name, source) => {
    const files = await bundle(source);
    const names = [...files.keys()];
    expect(names.some((name) => /^release-.*\.wasm$/.test(name)), names.join(' ')).toBe(true);
    const wasm = [...files].find(([name]) => name.endsWith('.wasm'))![1];
    expect([...wasm.subarray(0, 4)]).toEqual([0x00, 0x61, 0x73, 0x6d]);
    for (const [name, body] of files) {
      if (name.endsWith('.js')) expect(body.toString('utf8'), name).not.toMatch(NODE_SPECIFIER);
    }
    if (source.includes('worker: true')) expect(names.some((name) => /^browser-worker-.*\.js$/.test(name)), names.join(' ')).toBe(true);
  }, 60_000);
});
