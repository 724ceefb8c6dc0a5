// Copies build/*.wasm to dist/build/ after a TypeScript build. The engine
// names its module as '../../build/<variant>.wasm' relative to itself, and
// that literal must hold from src/engine/ and from dist/src/engine/ alike, so
// that bundlers following new URL(..., import.meta.url) find the file in both.
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const from = new URL('../build/', import.meta.url);
const to = new URL('../dist/build/', import.meta.url);
mkdirSync(to, { recursive: true });
for (const variant of ['release', 'release-simd', 'release-simd-shared', 'debug']) {
  const source = new URL(`${variant}.wasm`, from);
  if (!existsSync(source)) {
    console.error(`build/${variant}.wasm is missing: run npm run asbuild first`);
    process.exit(1);
  }
  copyFileSync(source, new URL(`${variant}.wasm`, to));
}
