// The seeded pageblock order of claim(..., RANDOM_PAGEBLOCK): a port of
// src/contract/permute.ts with the same u32 wrap-around arithmetic, so both
// engines visit pageblocks in exactly the same order.
//
// A full-period linear congruential walk over the next power of two m >= n
// (a = 1 mod 4, c odd: Hull-Dobell), keeping values below n. O(1) state, at
// most 2n steps.

/** MurmurHash3 fmix32. */
export function mix32(x: u32): u32 {
  let h = x;
  h = (h ^ (h >>> 16)) * 0x85ebca6b;
  h = (h ^ (h >>> 13)) * 0xc2b2ae35;
  return h ^ (h >>> 16);
}

export let gPermMask: u32 = 0;
export let gPermA: u32 = 0;
export let gPermC: u32 = 0;
export let gPermX0: u32 = 0;

/** Sets the walk parameters for n items (1 <= n <= 2^32) and a seed. */
export function permutationParams(n: u64, seed: u32): void {
  let m: u64 = 1;
  while (m < n) m <<= 1;
  const mask = <u32>(m - 1);
  gPermMask = mask;
  gPermA = (mix32(seed) << 2) | 1;
  gPermC = mix32(seed + 1) | 1;
  gPermX0 = mix32(seed + 2) & mask;
}

/** The next value of the walk after x. */
@inline export function permutationStep(x: u32): u32 {
  return (gPermA * x + gPermC) & gPermMask;
}
