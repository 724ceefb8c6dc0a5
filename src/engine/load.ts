/**
 * Finding, compiling and instantiating the engine's WASM.
 *
 * In Node the module is read from `build/<variant>.wasm` of the package root,
 * found by walking up from this file (so it works from `src/engine` under
 * vitest and from `dist/src/engine` after `tsc`). Each variant is compiled
 * once and the `WebAssembly.Module` cached; every shard gets its own instance
 * (its own linear memory). In a browser, or to test other builds, give the
 * bytes or a URL with {@link setEngineWasmSource}.
 */

import type { RawEngineExports } from './abi.js';

export type EngineVariant = 'release' | 'debug';

type WasmSource = URL | string | ArrayBuffer | Uint8Array;

const sourceOverrides = new Map<EngineVariant, WasmSource>();
const compiled = new Map<EngineVariant, Promise<WebAssembly.Module>>();

/** Use these bytes (or this URL) for a variant instead of the package's build. */
export function setEngineWasmSource(variant: EngineVariant, source: WasmSource): void {
  sourceOverrides.set(variant, source);
  compiled.delete(variant);
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

async function fetchBytes(url: URL | string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch engine wasm ${String(url)}: ${response.status}`);
  return response.arrayBuffer();
}

async function wasmBytes(variant: EngineVariant): Promise<ArrayBuffer | Uint8Array> {
  const override = sourceOverrides.get(variant);
  if (override !== undefined) {
    if (override instanceof ArrayBuffer || override instanceof Uint8Array) return override;
    if (isNode && (override instanceof URL ? override.protocol === 'file:' : !/^[a-z]+:/i.test(override))) {
      const fs = await import('node:fs/promises');
      return fs.readFile(override);
    }
    return fetchBytes(override);
  }
  if (isNode) {
    const path = await import('node:path');
    const fs = await import('node:fs/promises');
    // Loaded on demand so that browsers never see node: imports.
    const { findPackageRoot } = await import('../util/package-root.js');
    const file = path.join(findPackageRoot(import.meta.url), 'build', `${variant}.wasm`);
    try {
      return await fs.readFile(file);
    } catch {
      throw new Error(`engine wasm ${file} is missing: run npm run asbuild`);
    }
  }
  return fetchBytes(new URL(`../../build/${variant}.wasm`, import.meta.url));
}

/** The compiled module of a variant, compiled once. */
export function engineModule(variant: EngineVariant): Promise<WebAssembly.Module> {
  let module = compiled.get(variant);
  if (module === undefined) {
    module = wasmBytes(variant).then((bytes) => WebAssembly.compile(bytes as BufferSource));
    compiled.set(variant, module);
    module.catch(() => compiled.delete(variant));
  }
  return module;
}

/** Decodes an AssemblyScript string (UTF-16, byte length at ptr - 4) for abort messages. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return '';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0]!;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, bytes >>> 1));
}

/** A fresh engine instance (one per shard). The debug build reports failed assertions by throwing. */
export async function instantiateEngine(variant: EngineVariant): Promise<RawEngineExports> {
  const module = await engineModule(variant);
  let memoryRef: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(messagePtr: number, filePtr: number, line: number, column: number): never {
        const memory = memoryRef!;
        const message = readAsString(memory, messagePtr >>> 0);
        const file = readAsString(memory, filePtr >>> 0);
        throw new Error(`engine assertion failed: ${message} at ${file}:${line}:${column}`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as RawEngineExports;
  memoryRef = exports.memory;
  exports._start?.();
  return exports;
}
