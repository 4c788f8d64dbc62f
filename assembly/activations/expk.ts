// Private helper of the smooth gated family (silu.ts, gelu.ts); not re-exported by assembly/index.ts.
//
// vexp24(a, b) = 2^24 exp(a + b) for a <= 0 and a small correction b (|b| <= 2), with scalar twin sexp24.
// - Two arguments: the Cody-Waite reduction subtracts n ln2 from a (exact there) before adding b, so a caller that
//   knows its argument as an unevaluated sum a + b (a product split exactly, or -x^2/2 split exactly) keeps the
//   accuracy of that sum: rounding a + b first would cost |a| 2^-24 of relative error (40 ulps at a = -80).
// - The 2^24 scale keeps results that are later multiplied by x out of the subnormal range until the very last
//   multiplication (x s(x) for s subnormal would otherwise lose up to |x|/2 ulps).
// - a is clamped at -125 (2^24 e^-125 rounds to 0), NaN propagates.
// Coefficients: Cephes expf (S. Moshier), the same as assembly/math.ts.

import { kload, vmadd, smadd } from '../math';

const A_LO = memory.data<f32>([-125.0, -125.0, -125.0, -125.0], 16);
const LOG2E = memory.data<f32>([1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341], 16);
const LN2_HI = memory.data<f32>([0.693359375, 0.693359375, 0.693359375, 0.693359375], 16);
const LN2_LO = memory.data<f32>([-2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4], 16);
const EP0 = memory.data<f32>([1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4], 16);
const EP1 = memory.data<f32>([1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3], 16);
const EP2 = memory.data<f32>([8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3], 16);
const EP3 = memory.data<f32>([4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2], 16);
const EP4 = memory.data<f32>([1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1], 16);
const EP5 = memory.data<f32>([5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1], 16);
const ONE = memory.data<f32>([1, 1, 1, 1], 16);
// 127 + 24: the exponent bias of the first scale factor carries the 2^24.
const BIAS151 = memory.data<i32>([151, 151, 151, 151], 16);
const BIAS127 = memory.data<i32>([127, 127, 127, 127], 16);
const HI12 = memory.data<i32>([0xfffff000, 0xfffff000, 0xfffff000, 0xfffff000], 16);
const T_MAX = memory.data<f32>([128, 128, 128, 128], 16);
const TWOM24 = memory.data<f32>([5.9604644775390625e-8, 5.9604644775390625e-8, 5.9604644775390625e-8, 5.9604644775390625e-8], 16);

/** Pointer to the lane-replicated constant 2^-24 (undoes the scale of vexp24). */
export const V_TWOM24: usize = TWOM24;
/** Scalar 2^-24. */
export const S_TWOM24: f32 = 5.9604644775390625e-8;

// @ts-ignore: decorator
@inline function S(p: usize): f32 { return load<f32>(p); }

/** 2^24 exp(a + b), a clamped at -125 (SIMD). */
// @ts-ignore: decorator
@inline export function vexp24(a: v128, b: v128): v128 {
  a = f32x4.pmax(a, kload(A_LO));
  const fn = f32x4.nearest(f32x4.mul(f32x4.add(a, b), kload(LOG2E)));
  let r = f32x4.add(f32x4.sub(a, f32x4.mul(fn, kload(LN2_HI))), b);
  r = f32x4.sub(r, f32x4.mul(fn, kload(LN2_LO)));
  let p = vmadd(kload(EP0), r, kload(EP1));
  p = vmadd(p, r, kload(EP2));
  p = vmadd(p, r, kload(EP3));
  p = vmadd(p, r, kload(EP4));
  p = vmadd(p, r, kload(EP5));
  p = vmadd(p, f32x4.mul(r, r), f32x4.add(r, kload(ONE)));
  const n = i32x4.trunc_sat_f32x4_s(fn);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, kload(BIAS151)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, kload(BIAS127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** vexp24(a, 0) without the correction additions (the same bits: a + 0 = a). */
// @ts-ignore: decorator
@inline export function vexp24a(a: v128): v128 {
  a = f32x4.pmax(a, kload(A_LO));
  const fn = f32x4.nearest(f32x4.mul(a, kload(LOG2E)));
  let r = f32x4.sub(a, f32x4.mul(fn, kload(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(fn, kload(LN2_LO)));
  let p = vmadd(kload(EP0), r, kload(EP1));
  p = vmadd(p, r, kload(EP2));
  p = vmadd(p, r, kload(EP3));
  p = vmadd(p, r, kload(EP4));
  p = vmadd(p, r, kload(EP5));
  p = vmadd(p, f32x4.mul(r, r), f32x4.add(r, kload(ONE)));
  const n = i32x4.trunc_sat_f32x4_s(fn);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, kload(BIAS151)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, kload(BIAS127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Scalar twin of vexp24. */
// @ts-ignore: decorator
@inline export function sexp24(a: f32, b: f32): f32 {
  a = a < S(A_LO) ? S(A_LO) : a;
  const fn = nearest<f32>((a + b) * S(LOG2E));
  let r = (a - fn * S(LN2_HI)) + b;
  r = r - fn * S(LN2_LO);
  let p = smadd(S(EP0), r, S(EP1));
  p = smadd(p, r, S(EP2));
  p = smadd(p, r, S(EP3));
  p = smadd(p, r, S(EP4));
  p = smadd(p, r, S(EP5));
  p = smadd(p, r * r, r + 1.0);
  const n = isNaN(fn) ? 0 : <i32>fn;
  const n1 = n >> 1;
  const n2 = n - n1;
  const s1 = reinterpret<f32>((n1 + 151) << 23);
  const s2 = reinterpret<f32>((n2 + 127) << 23);
  return (p * s1) * s2;
}

/**
 * Rounding error of t = fl(x b), so that x b = t + err (Dekker's product with 12-bit halves; b = bh + bl split
 * the same way by the caller). Zero where |t| >= 128 (there e^-|t| is 0 anyway, and the error, up to half an ulp
 * of t, must not reach the exponential), where the product overflowed and where x is not finite (SIMD).
 */
// @ts-ignore: decorator
@inline export function vprodErr(x: v128, t: v128, bh: v128, bl: v128): v128 {
  const xh = v128.and(x, kload(HI12));
  const xl = f32x4.sub(x, xh);
  let e = f32x4.sub(f32x4.mul(xh, bh), t);
  e = f32x4.add(e, f32x4.mul(xh, bl));
  e = f32x4.add(e, f32x4.mul(xl, bh));
  e = f32x4.add(e, f32x4.mul(xl, bl));
  return v128.and(e, f32x4.lt(f32x4.abs(t), kload(T_MAX)));
}

/** Scalar twin of vprodErr. */
// @ts-ignore: decorator
@inline export function sprodErr(x: f32, t: f32, bh: f32, bl: f32): f32 {
  const xh = reinterpret<f32>(reinterpret<i32>(x) & 0xfffff000);
  const xl = x - xh;
  let e = xh * bh - t;
  e = e + xh * bl;
  e = e + xl * bh;
  e = e + xl * bl;
  return abs<f32>(t) < S(T_MAX) ? e : 0;
}

/** The high 12 bits of a scalar (for splitting a parameter before the loop). */
// @ts-ignore: decorator
@inline export function shi12b(x: f32): f32 { return reinterpret<f32>(reinterpret<i32>(x) & 0xfffff000); }

/**
 * Parameter-gradient accumulation: lanes 0-1 (vacc64lo) and 2-3 (vacc64hi) of an f32x4 promoted to f64x2 (exact)
 * and added to two f64x2 accumulators; the scalar twin keeps four f64 sums and folds them in lane order.
 */
// @ts-ignore: decorator
@inline export function vacc64lo(acc: v128, v: v128): v128 { return f64x2.add(acc, f64x2.promote_low_f32x4(v)); }
// @ts-ignore: decorator
@inline export function vacc64hi(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
}
