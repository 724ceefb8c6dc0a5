/** The WASM pfn-range engine: `createEngine(opts, variant?)` and the `Engine` class. */
export { createEngine, Engine, DEFAULT_MAX_BYTES, type RepresentationStats } from './engine.js';
export type { TranslateBuffers, TranslateCounts } from '../contract/engine-api.js';
export { defaultEngineVariant, defaultWorkerEngineVariant, engineModule, instantiateEngine, setEngineWasmSource, simdSupported, type EngineVariant } from './load.js';
export { EngineError, statusName } from '../contract/errors.js';
