/**
 * Every seeded generator of the project, written once. All use 32-bit integer operations and exact double arithmetic,
 * so every JavaScript engine produces the same bits. bench/lib.js keeps a standalone mulberry32 (the benchmarks run
 * without the TypeScript build).
 * @module
 */

/*
 * createRng: the generator of data generation and splitting (rectify/data). The generator is Marsaglia's xorshift32 (shifts 13, 17, 5) with its seed scrambled by a
 * multiply-xorshift finaliser so that small seeds (0, 1, 2, ...) give unrelated streams.
 */

/** A seeded generator of deterministic pseudo-random numbers. */
export interface Rng {
  /** Next unsigned 32-bit integer. */
  nextU32(): number;
  /** Next float in [0, 1) with 24 random bits (exactly representable in float32). */
  nextFloat(): number;
  /** Next integer in [0, n), for 1 <= n <= 2^32 (multiply-high mapping; bias < n / 2^32). */
  nextInt(n: number): number;
  /**
   * Next approximately standard normal value (mean 0, variance 1), computed as the sum of
   * 12 uniforms minus 6 (Irwin-Hall). Exact arithmetic, no Math.log or Math.cos; tails are
   * cut at +-6, which does not matter for noise on toy data.
   */
  nextGaussian(): number;
}

const TWO_POW_24 = 16777216;
const TWO_POW_32 = 4294967296;

/** Scrambles a seed into a non-zero 32-bit xorshift state. */
function scramble(seed: number): number {
  let h = (seed | 0) ^ 0x9e3779b9;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return h === 0 ? 0x6d2b79f5 : h;
}

/**
 * Creates a deterministic generator from an integer seed (only the low 32 bits are used).
 * @param seed any integer; equal seeds give equal streams on every engine.
 */
export function createRng(seed: number): Rng {
  let s = scramble(seed);
  const nextU32 = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const nextFloat = (): number => (nextU32() >>> 8) / TWO_POW_24;
  return {
    nextU32,
    nextFloat,
    nextInt(n: number): number {
      return Math.floor((nextU32() * n) / TWO_POW_32);
    },
    nextGaussian(): number {
      let sum = 0;
      for (let k = 0; k < 12; k++) sum += nextFloat();
      return sum - 6;
    },
  };
}

/**
 * Plain xorshift32 (13, 17, 5) on the seed as given (0 becomes 1), as floats in [0, 1) with 32 random bits: the
 * lab's claim checks draw their random inputs from it (their published numbers depend on this exact stream).
 */
export function xorshift32Uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** mulberry32: floats in [0, 1) from a 32-bit seed; the tests' generator (failures replay from the printed seed). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
