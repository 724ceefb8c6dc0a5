/**
 * Both engine kinds from the same options, so one test body runs against the
 * WASM engine and the reference alike (`describe.each(ENGINE_CASES)`).
 */
import { createEngine } from '../../src/engine/index.js';
import { createRefEngine } from '../../src/reference/ref-engine.js';
import type { EngineApi, EngineFactory, EngineOptions } from '../../src/contract/engine-api.js';

export type EngineKind = 'wasm' | 'reference';

/** One engine a test body runs against: its kind and its (synchronous) factory. */
export interface EngineCase {
  kind: EngineKind;
  create: EngineFactory<EngineApi>;
}

/** The WASM engine, the release build this runtime loads by default (SIMD here), used directly in this thread. */
export const WASM_ENGINE: EngineCase = {
  kind: 'wasm',
  create: (opts) => createEngine(opts),
};

/** The scalar release build: the kernels the SIMD build is checked against, for differential seeds of their own. */
export const WASM_SCALAR_ENGINE: EngineCase = {
  kind: 'wasm',
  create: (opts) => createEngine(opts, 'release'),
};

/** The WASM engine's debug build (engine assertions on), for a few differential seeds. */
export const WASM_DEBUG_ENGINE: EngineCase = {
  kind: 'wasm',
  create: (opts) => createEngine(opts, 'debug'),
};

/** The plain-TypeScript reference engine. */
export const REFERENCE_ENGINE: EngineCase = {
  kind: 'reference',
  create: async (opts) => createRefEngine(opts),
};

/** Both kinds. */
export const ENGINE_FACTORIES: readonly EngineCase[] = [WASM_ENGINE, REFERENCE_ENGINE];

/** Both kinds as `[kind, factory]`, for `describe.each(ENGINE_CASES)('%s engine', (_kind, factory) => ...)`. */
export const ENGINE_CASES: readonly (readonly [EngineKind, EngineCase])[] = ENGINE_FACTORIES.map(
  (factory) => [factory.kind, factory] as const,
);

/** An engine of `kind` over the window `opts` describes. */
export function createEngineOfKind(kind: EngineKind, opts: EngineOptions): Promise<EngineApi> {
  return (kind === 'wasm' ? WASM_ENGINE : REFERENCE_ENGINE).create(opts);
}
