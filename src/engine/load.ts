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

/**
 * The builds: `release` (scalar kernels), `release-simd` (the same source
 * built with WASM SIMD; the kernels that have a v128 path use it),
 * `release-simd-shared` (that build with shared linear memory, so that a
 * worker's engine memory can be viewed from the page that started it) and
 * `debug` (scalar, assertions on).
 */
export type EngineVariant = 'release' | 'release-simd' | 'release-simd-shared' | 'debug';

/**
 * The smallest module that needs WASM SIMD (a function returning
 * i8x16.popcnt(i8x16.splat(0))): it validates where the runtime has SIMD.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0a, 0x01, 0x08, 0x00,
  0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b,
]);

let simd: boolean | undefined;

/** Whether this runtime runs WASM SIMD (checked once). */
export function simdSupported(): boolean {
  simd ??= WebAssembly.validate(SIMD_PROBE);
  return simd;
}

/** The release build this runtime should load: the SIMD one when it can run it. */
export function defaultEngineVariant(): EngineVariant {
  return simdSupported() ? 'release-simd' : 'release';
}

/**
 * The build a worker's engine loads: the shared-memory one where memory can
 * be shared between threads (Node; browsers only on cross-origin-isolated
 * pages, where SharedArrayBuffer exists), so that zero-copy translation
 * buffers reach the caller as views of the engine's own memory.
 */
export function defaultWorkerEngineVariant(): EngineVariant {
  const canShare = typeof SharedArrayBuffer === 'function' && (isNode || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
  return canShare && simdSupported() ? 'release-simd-shared' : defaultEngineVariant();
}

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
  switch (variant) {
    case 'release':
      return new URL('../../build/release.wasm', import.meta.url);
    case 'release-simd':
      return new URL('../../build/release-simd.wasm', import.meta.url);
    case 'release-simd-shared':
      return new URL('../../build/release-simd-shared.wasm', import.meta.url);
    case 'debug':
      return new URL('../../build/debug.wasm', import.meta.url);
  }
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
