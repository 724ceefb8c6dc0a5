/**
 * Finding pfnlab's own package root from a module inside it (Node only).
 *
 * Modules run either from their TypeScript sources (`src/`, under vitest) or
 * compiled (`dist/src/`), so paths to the package's other files (the WASM,
 * the worker entry, package.json) are found by walking up to the nearest
 * directory whose package.json names pfnlab.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'pfnlab';

function readManifest(dir: string): { name?: unknown; version?: unknown } | undefined {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}

/** The package root above the module at `moduleUrl` (pass `import.meta.url`). */
export function findPackageRoot(moduleUrl: string | URL): string {
  const here = fileURLToPath(moduleUrl);
  let dir = dirname(here);
  while (readManifest(dir)?.name !== PACKAGE_NAME) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${here}`);
    dir = parent;
  }
  return dir;
}

/** The version in the package's package.json. */
export function packageVersion(moduleUrl: string | URL): string {
  return String(readManifest(findPackageRoot(moduleUrl))?.version);
}
