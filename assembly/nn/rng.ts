// Seeded random numbers for training: xoshiro128** (Blackman & Vigna 2018) with its 16-byte state (four u32, s0..s3
// in that order) in linear memory at `state`, so every network/engine owns its stream and nothing is global.
// The core is integer-only; floats are built from the top 24 bits (exact in f32), the transcendental step of the
// normal draw uses ../math's slog and the IEEE f32.sqrt instruction: the same seed gives the same bits everywhere.
//
import { slog } from '../math';
import {
  INIT_HE_NORMAL, INIT_HE_UNIFORM, INIT_GLOROT_NORMAL, INIT_GLOROT_UNIFORM, INIT_LECUN_NORMAL, INIT_LECUN_UNIFORM,
} from '../generated/abi'; // kind codes, from the ABI description (scripts/gen-abi.mjs)

// Each drawing loop keeps the state in four locals (s0..s3) and steps it with the STEP block below, written out in
// each loop: wasm globals would be memory round trips on every draw, and AS inline functions cannot update locals.
//   r = rotl(s1 * 5, 7) * 9; t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl(s3, 11)

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }
/** [0, 1) with 24 random bits: (x >>> 8) 2^-24, exact in f32. */
// @ts-ignore: decorator
@inline function u01(x: u32): f32 { return <f32><i32>(x >>> 8) * 5.9604644775390625e-8; }
/** [-1, 1) with 24 random bits: (x >>> 8) 2^-23 - 1, exact in f32. */
// @ts-ignore: decorator
@inline function s11(x: u32): f32 { return <f32><i32>(x >>> 8) * 1.1920928955078125e-7 - 1.0; }
/** SIMD u01 of four raw draws (signed convert: the values are below 2^24). */
// @ts-ignore: decorator
@inline function u01v(x: v128, k: v128): v128 { return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(x, 8)), k); }

/** One splitmix64 output from the running counter (Steele, Lea & Flood 2014 constants). */
// @ts-ignore: decorator
@inline function splitmix(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** Seeds the 16-byte state from a 32-bit seed: two splitmix64 outputs of the counter seed + k * golden gamma. */
export function rng_seed(state: usize, seed: u32): void {
  const g: u64 = 0x9E3779B97F4A7C15;
  const a = splitmix(<u64>seed + g), b = splitmix(<u64>seed + g + g);
  store<u32>(state, <u32>a); store<u32>(state, <u32>(a >> 32), 4);
  store<u32>(state, <u32>b, 8); store<u32>(state, <u32>(b >> 32), 12);
  // xoshiro must not start from the all-zero state (splitmix64 is a bijection, so this is only a guard).
  if ((<u32>a | <u32>(a >> 32) | <u32>b | <u32>(b >> 32)) == 0) store<u32>(state, 1);
}

/** Fills out (u32[n]) with the next n raw outputs of the stream (hashing in tests; host-side use). */
export function rng_fill_u32(state: usize, out: usize, n: i32): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    const r = rotl<u32>(s1 * 5, 7) * 9; const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
    store<u32>(at(out, i), r);
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/** The next raw u32 of the stream. */
export function rng_next_u32(state: usize): u32 {
  const s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  const r = rotl<u32>(s1 * 5, 7) * 9; const t = s1 << 9;
  const n2 = s2 ^ s0, n3 = s3 ^ s1, n1 = s1 ^ n2, n0 = s0 ^ n3;
  store<u32>(state, n0); store<u32>(state, n1, 4); store<u32>(state, n2 ^ t, 8); store<u32>(state, rotl<u32>(n3, 11), 12);
  return r;
}

/** out[i] = lo + (hi - lo) u, u uniform on [0, 1) in steps of 2^-24 (hi itself is reachable only by f32 rounding). */
export function rng_uniform(state: usize, out: usize, n: i32, lo: f32, hi: f32): void {
  rng_fill_u32(state, out, n);
  const w = hi - lo;
  const k = f32x4.splat(5.9604644775390625e-8), wv = f32x4.splat(w), lv = f32x4.splat(lo);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.add(lv, f32x4.mul(wv, u01v(v128.load(at(out, i)), k))));
  for (; i < n; i++) store<f32>(at(out, i), lo + w * u01(load<u32>(at(out, i))));
}

/**
 * Normal(mean, std) by the Marsaglia polar method: u, v uniform on [-1, 1), rejected unless 0 < s = u^2 + v^2 < 1,
 * then u f and v f with f = sqrt(-2 log(s) / s) are two independent standard normals (the second is dropped when
 * n is odd: no spare is kept between calls). 
 */
export function rng_normal(state: usize, out: usize, n: i32, mean: f32, std: f32): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  let i = 0;
  while (i < n) {
    const ru = rotl<u32>(s1 * 5, 7) * 9; let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
    const rv = rotl<u32>(s1 * 5, 7) * 9; t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
    const u = s11(ru), v = s11(rv);
    const s = u * u + v * v;
    if (s >= 1.0 || s == 0) continue;
    const f = sqrt<f32>((-2.0 * slog(s)) / s);
    store<f32>(at(out, i), mean + std * (u * f));
    if (i + 1 < n) store<f32>(at(out, i + 1), mean + std * (v * f));
    i += 2;
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/**
 * out (i32[n]) = a uniformly random permutation of 0..n-1: Fisher-Yates, i from n-1 down to 1, j uniform in [0, i]
 * by Lemire's multiply-shift (j = (x range) >> 32) with rejection of the low products below 2^32 mod range, so
 * every j is exactly equally likely (no modulo bias).
 */
export function rng_permutation(state: usize, out: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(at(out, i), i);
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = n - 1; i > 0; i--) {
    const range = <u32>(i + 1);
    let m: u64 = 0;
    let l: u32 = 0;
    let thr: u32 = 0;
    do {
      const r = rotl<u32>(s1 * 5, 7) * 9; const t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
      m = <u64>r * <u64>range;
      l = <u32>m;
      // The threshold (2^32 mod range) costs a division: compute it only when l lands in the short interval.
      if (l < range && thr == 0) thr = (<u32>0 - range) % range;
    } while (l < thr);
    const j = <i32>(m >> 32);
    const a = load<i32>(at(out, i));
    store<i32>(at(out, i), load<i32>(at(out, j)));
    store<i32>(at(out, j), a);
  }
  store<u32>(state, s0); store<u32>(state, s1, 4); store<u32>(state, s2, 8); store<u32>(state, s3, 12);
}

/** Inverted dropout mask: out[i] = u < keep ? 1 / keep : 0 (u uniform on [0, 1) in steps of 2^-24). */
export function rng_bernoulli_mask(state: usize, out: usize, n: i32, keep: f32): void {
  rng_fill_u32(state, out, n);
  const inv: f32 = keep > 0 ? <f32>1.0 / keep : 0;
  const k = f32x4.splat(5.9604644775390625e-8), kv = f32x4.splat(keep), iv = f32x4.splat(inv);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(out, i), v128.and(iv, f32x4.lt(u01v(v128.load(at(out, i)), k), kv)));
  for (; i < n; i++) store<f32>(at(out, i), select<f32>(inv, 0, u01(load<u32>(at(out, i))) < keep));
}

/**
 * Fills w (fanIn * fanOut f32) with the chosen initializer. Normals are untruncated; uniforms are on [-a, a).
 *   0 zeros (draws nothing)
 *   1 he_normal      std = sqrt(2 / fanIn)             2 he_uniform      a = sqrt(6 / fanIn)         (He et al. 2015)
 *   3 glorot_normal  std = sqrt(2 / (fanIn + fanOut))  4 glorot_uniform  a = sqrt(6 / (fanIn + fanOut)) (Glorot & Bengio 2010)
 *   5 lecun_normal   std = sqrt(1 / fanIn)             6 lecun_uniform   a = sqrt(3 / fanIn)         (LeCun et al. 1998)
 * (a uniform on [-a, a) has std a / sqrt(3), so each uniform matches the std of its normal.) Unknown kinds: zeros.
 */
export function init_weights(state: usize, w: usize, fanIn: i32, fanOut: i32, kind: i32): void {
  const n = fanIn * fanOut;
  if (n <= 0) return;
  const fi = <f64>fanIn, fs = <f64>fanIn + <f64>fanOut;
  switch (kind) {
    case INIT_HE_NORMAL: rng_normal(state, w, n, 0, <f32>sqrt<f64>(2.0 / fi)); break;
    case INIT_HE_UNIFORM: { const a = <f32>sqrt<f64>(6.0 / fi); rng_uniform(state, w, n, -a, a); break; }
    case INIT_GLOROT_NORMAL: rng_normal(state, w, n, 0, <f32>sqrt<f64>(2.0 / fs)); break;
    case INIT_GLOROT_UNIFORM: { const a = <f32>sqrt<f64>(6.0 / fs); rng_uniform(state, w, n, -a, a); break; }
    case INIT_LECUN_NORMAL: rng_normal(state, w, n, 0, <f32>sqrt<f64>(1.0 / fi)); break;
    case INIT_LECUN_UNIFORM: { const a = <f32>sqrt<f64>(3.0 / fi); rng_uniform(state, w, n, -a, a); break; }
    default: memory.fill(w, 0, <usize>n << 2);
  }
}
