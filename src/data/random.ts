import { DataArgumentError } from './errors.js';

/**
 * Integer-only seeded pseudo-random numbers for data generation and splitting.
 *
 * Everything here uses 32-bit integer operations (`Math.imul`, shifts, xor) and exact
 * double arithmetic on dyadic rationals, so every JavaScript engine produces the same bits.
 * The generator is Marsaglia's xorshift32 (shifts 13, 17, 5) with its seed scrambled by a
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
 * FNV-1a 32-bit hash of the bytes of a typed array (little-endian view of its memory).
 * Used to pin deterministic outputs in tests and to check embedded data.
 * @param view any typed array or DataView-compatible view
 * @returns unsigned 32-bit hash
 * @throws DataArgumentError when view is not a typed array or DataView
 */
export function fnv1a(view: ArrayBufferView): number {
  if (!ArrayBuffer.isView(view)) throw new DataArgumentError('fnv1a: expected a typed array or DataView');
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
