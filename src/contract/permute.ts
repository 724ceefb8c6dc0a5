/**
 * The seeded pageblock order used by claim(..., RANDOM_PAGEBLOCK).
 *
 * Both the WASM engine (`assembly/permute.ts`) and the reference implement this
 * exact sequence, so a seeded claim is reproducible and checkable.
 *
 * It is a full-period linear congruential walk over the next power of two
 * m >= n (multiplier a = 1 mod 4, odd increment: Hull-Dobell), keeping only the
 * values below n ("cycle walking"). It visits every index of [0, n) exactly once
 * in O(m) <= O(2n) steps with O(1) state, which is why the engine can use it
 * without a scratch array of pageblock indices.
 */

/** A 32-bit integer finaliser (MurmurHash3 fmix32). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface PermutationParams {
  mask: number;
  a: number;
  c: number;
  x0: number;
}

/** The walk's parameters for n items and a seed (n <= 2^32). */
export function permutationParams(n: number, seed: number): PermutationParams {
  let m = 1;
  while (m < n) m *= 2;
  const mask = (m - 1) >>> 0;
  const s = seed >>> 0;
  return {
    mask,
    a: ((mix32(s) << 2) | 1) >>> 0,
    c: (mix32(s + 1) | 1) >>> 0,
    x0: (mix32(s + 2) & mask) >>> 0,
  };
}

/** Yields each index of [0, n) once, in the seeded order. */
export function* pageblockOrder(n: number, seed: number): Generator<number> {
  if (n <= 0) return;
  const { mask, a, c, x0 } = permutationParams(n, seed);
  let x = x0;
  // m = mask + 1 steps visit every residue once.
  for (let i = 0; i <= mask; i++) {
    if (x < n) yield x;
    x = ((Math.imul(a, x) + c) >>> 0) & mask;
    x >>>= 0;
  }
}
