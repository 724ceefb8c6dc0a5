/**
 * A small seeded pseudo-random generator for tests, benchmarks and studies: sfc32 (Chris Doty-Humphrey's
 * "small fast counting" generator) seeded through SplitMix32, so any integer
 * seed gives a well-mixed, reproducible stream. Not for cryptography.
 */
import { mix32 } from '../contract/permute.js';

export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d = 1;

  constructor(readonly seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s);
    };
    this.#a = splitmix();
    this.#b = splitmix();
    this.#c = splitmix();
    // Discard the first outputs: sfc32 mixes its state in over a few rounds.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.u32() >>> 5; // 27 bits
    const low = this.u32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform integer in [lo, hiExclusive); exact for bounds up to 2^53. */
  int(lo: number, hiExclusive: number): number {
    if (!(hiExclusive > lo)) throw new RangeError(`empty range [${lo}, ${hiExclusive})`);
    return lo + Math.floor(this.float() * (hiExclusive - lo));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty array');
    return items[this.int(0, items.length)]!;
  }

  /** An index chosen with probability proportional to its weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /**
   * A length skewed towards small values: half the time below 8, often below
   * a few hundred, occasionally up to `max` (inclusive).
   */
  skewedLength(max: number): number {
    if (max <= 0) return 0;
    const roll = this.float();
    const cap = roll < 0.5 ? 8 : roll < 0.8 ? 600 : roll < 0.95 ? 40_000 : max;
    return this.int(0, Math.min(cap, max) + 1);
  }

  /** An integer in [1, 2^maxLog2], log-uniform: as many tiny values as huge ones. */
  logUniform(maxLog2: number): number {
    return Math.max(1, Math.floor(2 ** (this.float() * maxLog2)));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}
