/**
 * The engine contract: a leaf that imports nothing else of pfnlab's. Every
 * engine (WASM, reference, worker client) implements it; the model, the
 * study layer, the benchmarks and the tests speak only it.
 */
export * from './constants.js';
export type * from './engine-api.js';
export { EngineError, statusName } from './errors.js';
export { mix32, pageblockOrder } from './permute.js';
