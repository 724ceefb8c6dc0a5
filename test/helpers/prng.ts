// The one seeded generator lives in src/ so tests, benchmarks and studies share it.
export { Prng } from '../../src/util/prng.js';
