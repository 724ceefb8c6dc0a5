/** The WASM pfn-range engine: `createEngine(opts, variant?)` and the `Engine` class. */
export { createEngine, Engine, DEFAULT_MAX_BYTES, type RepresentationStats, type TranslateBuffers, type TranslateCounts } from './engine.js';
export { defaultEngineVariant, engineModule, instantiateEngine, setEngineWasmSource, simdSupported, type EngineVariant } from './load.js';
export { EngineError, statusName } from '../contract/errors.js';
