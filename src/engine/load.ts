/**
 * Finding, compiling and instantiating the engine's WASM.
 *
 * The module is `../../build/<variant>.wasm` relative to this file, named
 * with a URL made from `import.meta.url` and written out as one literal per
 * variant, so that bundlers (Vite, Rollup, webpack) see the file and emit it
 * beside the bundle. The same relative path holds from `src/engine/` (sources under
 * vitest or Vite) and from `dist/src/engine/`, because the build copies
 * `build/*.wasm` to `dist/build/`. Node reads the file; a browser fetches
 * it. Each variant is compiled once and the `WebAssembly.Module` cached;
 * every shard gets its own instance (its own linear memory). Embedders who
 * host the file themselves give its bytes or URL with
 * {@link setEngineWasmSource}.
 */

import { isNode, nodeBuiltin } from '../util/node-builtin.js';
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

/** Where the package's own build of a variant is; one literal each, for bundlers. */
function packagedWasm(variant: EngineVariant): URL {
  return variant === 'release'
    ? new URL('../../build/release.wasm', import.meta.url)
    : new URL('../../build/debug.wasm', import.meta.url);
}

async function fetchBytes(url: URL | string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch engine wasm ${String(url)}: ${response.status}`);
  return response.arrayBuffer();
}

/** Node's fetch has no file: scheme, so local files are read. */
function isLocalFile(source: URL | string): boolean {
  return isNode && (source instanceof URL ? source.protocol === 'file:' : !/^[a-z]+:/i.test(source));
}

async function readLocal(source: URL | string, hint: string): Promise<Uint8Array> {
  const fs = nodeBuiltin('fs/promises', 'reading the engine wasm from disk');
  try {
    return await fs.readFile(source);
  } catch (error) {
    throw new Error(`engine wasm ${String(source)} cannot be read (${(error as Error).message})${hint}`);
  }
}

async function wasmBytes(variant: EngineVariant): Promise<ArrayBuffer | Uint8Array> {
  const source = sourceOverrides.get(variant) ?? packagedWasm(variant);
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return source;
  const hint = sourceOverrides.has(variant) ? '' : ': run npm run build';
  return isLocalFile(source) ? readLocal(source, hint) : fetchBytes(source);
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
