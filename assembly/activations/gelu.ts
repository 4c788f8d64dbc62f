// The smooth gated family, part 2: gelu (erf form) and geluTanh (the tanh approximation).
// Each SIMD kernel sits next to its scalar twin (same IEEE operations in the same order, so the same bits).
//
// gelu(x) = x Phi(x), Phi(x) = erfc(-x/sqrt2)/2 (Hendrycks and Gimpel 2016); gelu'(x) = Phi(x) + x phi(x).
//   With a = |x| (clamped at 15, where everything below has underflowed): Phi(-a) = erfc(a/sqrt2)/2 and
//   Phi(a) = 1 - Phi(-a). erfc(z) = t exp(-z^2 + R(t)), t = 1/(1 + z/2) (Numerical Recipes erfcc, relative error
//   < 1.2e-7; t and R(t) are evaluated in f64, see below). z^2 = a^2/2 is carried exactly as q/2 + err/2 with q = fl(a^2) and err its Dekker rounding error, and
//   the exponential takes -q/2 and R(t) - err/2 as two arguments (vexpNegSplit24 in math.ts), so the negative tail (down to
//   x = -14.2, where gelu underflows) keeps its relative accuracy. phi(x) = exp(-q/2 - err/2)/sqrt(2 pi).
// geluTanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3), computed as x sigmoid(v), v = 2u, so the
//   negative tail does not cancel. v is evaluated in f64 and split into vh + vl (f32), and the exponential takes
//   both parts: rounding v to f32 alone would cost |v| 2^-24 relative error in the tail (x = -10: v = -87).
//   geluTanh' = s (1 + x (1 - s) v'), v' = 2 sqrt(2/pi)(1 + 3 0.044715 x^2).
// In both, exponentials come scaled by 2^24 and results are scaled back by the last multiplication.

import {
  kload, vmadd, smadd, V_ONE, V_ZERO, V_SIGN, V_HALF, spmax, spmin, vexpNegSplit24, sexpNegSplit24, V_TWOM24, S_TWOM24,
} from '../math';
import { at } from './common';

// @ts-ignore: decorator
@inline function S(p: usize): f32 { return load<f32>(p); }

// erfc (Numerical Recipes erfcc) coefficients of R(t), evaluated in f64 (with t itself): in f32 the rounding of t
// and the Horner steps (coefficients up to 1.5 with alternating signs) cost up to 7 ulps of gelu.
const ER0 = memory.data<f64>([-1.26551223, -1.26551223], 16);
const ER1 = memory.data<f64>([1.00002368, 1.00002368], 16);
const ER2 = memory.data<f64>([0.37409196, 0.37409196], 16);
const ER3 = memory.data<f64>([0.09678418, 0.09678418], 16);
const ER4 = memory.data<f64>([-0.18628806, -0.18628806], 16);
const ER5 = memory.data<f64>([0.27886807, 0.27886807], 16);
const ER6 = memory.data<f64>([-1.13520398, -1.13520398], 16);
const ER7 = memory.data<f64>([1.48851587, 1.48851587], 16);
const ER8 = memory.data<f64>([-0.82215223, -0.82215223], 16);
const ER9 = memory.data<f64>([0.17087277, 0.17087277], 16);
const ONE_D = memory.data<f64>([1, 1], 16);
const INV_2SQRT2_D = memory.data<f64>([0.35355339059327373, 0.35355339059327373], 16);
const HI12 = memory.data<i32>([0xfffff000, 0xfffff000, 0xfffff000, 0xfffff000], 16);
const A_MAX = memory.data<f32>([15, 15, 15, 15], 16);
const MHALF = memory.data<f32>([-0.5, -0.5, -0.5, -0.5], 16);
const INV_SQRT2PI = memory.data<f32>([0.3989422804014327, 0.3989422804014327, 0.3989422804014327, 0.3989422804014327], 16);

// @ts-ignore: decorator
@inline function D(p: usize): v128 { return v128.load(p); }
// @ts-ignore: decorator
@inline function SD(p: usize): f64 { return load<f64>(p); }
// @ts-ignore: decorator
@inline function lo2(v: v128): v128 { return f64x2.promote_low_f32x4(v); }
// @ts-ignore: decorator
@inline function hi2(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)); }
// @ts-ignore: decorator
@inline function join(u: v128, v: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(u), f32x4.demote_f64x2_zero(v), 0, 1, 4, 5);
}
/** t = 1 / (1 + a / (2 sqrt 2)) in f64 (two lanes). */
// @ts-ignore: decorator
@inline function tD(a: v128): v128 { return f64x2.div(D(ONE_D), f64x2.add(D(ONE_D), f64x2.mul(a, D(INV_2SQRT2_D)))); }
/**
 * R(t) + m in f64 (two lanes), R by Estrin's scheme: the kernels are latency bound (one iteration's dependency chain
 * is longer than the reorder window can overlap), and this cuts R's depth from 18 dependent operations to 8.
 * R = (c0 + c1 t^2) + t^4 ((c2 + c3 t^2) + t^4 c4), c_k = ER(2k) + ER(2k+1) t.
 */
// @ts-ignore: decorator
@inline function rD(t: v128, m: v128): v128 {
  const t2 = f64x2.mul(t, t), t4 = f64x2.mul(t2, t2);
  const c0 = f64x2.add(f64x2.mul(D(ER1), t), D(ER0)), c1 = f64x2.add(f64x2.mul(D(ER3), t), D(ER2));
  const c2 = f64x2.add(f64x2.mul(D(ER5), t), D(ER4)), c3 = f64x2.add(f64x2.mul(D(ER7), t), D(ER6));
  const c4 = f64x2.add(f64x2.mul(D(ER9), t), D(ER8));
  const hi = f64x2.add(f64x2.add(c2, f64x2.mul(c3, t2)), f64x2.mul(t4, c4));
  const p = f64x2.add(f64x2.add(c0, f64x2.mul(c1, t2)), f64x2.mul(t4, hi));
  return f64x2.add(p, m);
}
/** Scalar twin of tD. */
// @ts-ignore: decorator
@inline function tS(a: f64): f64 { return 1.0 / (1.0 + a * SD(INV_2SQRT2_D)); }
/** Scalar twin of rD. */
// @ts-ignore: decorator
@inline function rS(t: f64, m: f64): f64 {
  const t2 = t * t, t4 = t2 * t2;
  const c0 = SD(ER1) * t + SD(ER0), c1 = SD(ER3) * t + SD(ER2);
  const c2 = SD(ER5) * t + SD(ER4), c3 = SD(ER7) * t + SD(ER6);
  const c4 = SD(ER9) * t + SD(ER8);
  const hi = (c2 + c3 * t2) + t4 * c4;
  const p = (c0 + c1 * t2) + t4 * hi;
  return p + m;
}

// ---- gelu ------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function geluV(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), kload(A_MAX));
  const q = f32x4.mul(a, a);
  const h = v128.and(a, kload(HI12));
  const l = f32x4.sub(a, h);
  const hl = f32x4.mul(h, l);
  const err = f32x4.add(f32x4.add(f32x4.sub(f32x4.mul(h, h), q), f32x4.add(hl, hl)), f32x4.mul(l, l));
  const merr = f32x4.mul(err, kload(MHALF));
  const t0 = tD(lo2(a)), t1 = tD(hi2(a));
  const t = join(t0, t1);
  const b = join(rD(t0, lo2(merr)), rD(t1, hi2(merr)));
  const E = vexpNegSplit24(f32x4.mul(q, kload(MHALF)), b);
  const H = f32x4.mul(f32x4.mul(t, kload(V_HALF)), E);                 // 2^24 Phi(-a)
  const xc = v128.or(a, v128.and(x, kload(V_SIGN)));
  const yneg = f32x4.mul(f32x4.mul(xc, H), kload(V_TWOM24));
  const ypos = f32x4.mul(x, f32x4.sub(kload(V_ONE), f32x4.mul(H, kload(V_TWOM24))));
  return v128.bitselect(yneg, ypos, f32x4.lt(x, kload(V_ZERO)));
}
// @ts-ignore: decorator
@inline function geluS(x: f32): f32 {
  const a = spmin(abs<f32>(x), 15);
  const q = a * a;
  const h = reinterpret<f32>(reinterpret<i32>(a) & 0xfffff000);
  const l = a - h;
  const hl = h * l;
  const err = ((h * h - q) + (hl + hl)) + l * l;
  const merr = err * <f32>-0.5;
  const td = tS(<f64>a);
  const t = <f32>td;
  const b = <f32>rS(td, <f64>merr);
  const E = sexpNegSplit24(q * <f32>-0.5, b);
  const H = (t * <f32>0.5) * E;
  const xc = reinterpret<f32>(reinterpret<i32>(a) | (reinterpret<i32>(x) & 0x80000000));
  const yneg = (xc * H) * S_TWOM24;
  const ypos = x * (<f32>1.0 - H * S_TWOM24);
  return x < 0 ? yneg : ypos;
}

/** y = x Phi(x). */
export function gelu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), geluV(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), geluS(load<f32>(at(x, i))));
}
/** Scalar twin of gelu_fwd. */
export function gelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), geluS(load<f32>(at(x, i))));
}

// Backward: H = 2^24 Phi(-a), K = 2^24 xc phi(x) (xc = x clamped to +-15);
// x < 0: f' = 2^-24 (H + K); x >= 0: f' = 1 + 2^-24 (K - H).
// @ts-ignore: decorator
@inline function geluBwdV(x: v128, dy: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), kload(A_MAX));
  const q = f32x4.mul(a, a);
  const h = v128.and(a, kload(HI12));
  const l = f32x4.sub(a, h);
  const hl = f32x4.mul(h, l);
  const err = f32x4.add(f32x4.add(f32x4.sub(f32x4.mul(h, h), q), f32x4.add(hl, hl)), f32x4.mul(l, l));
  const mq = f32x4.mul(q, kload(MHALF));
  const merr = f32x4.mul(err, kload(MHALF));
  const t0 = tD(lo2(a)), t1 = tD(hi2(a));
  const t = join(t0, t1);
  const E = vexpNegSplit24(mq, join(rD(t0, lo2(merr)), rD(t1, hi2(merr))));
  const G = vexpNegSplit24(mq, merr);                                          // 2^24 exp(-x^2/2)
  const H = f32x4.mul(f32x4.mul(t, kload(V_HALF)), E);
  const xc = v128.or(a, v128.and(x, kload(V_SIGN)));
  const K = f32x4.mul(f32x4.mul(xc, kload(INV_SQRT2PI)), G);
  const neg = f32x4.lt(x, kload(V_ZERO));
  const inner = f32x4.add(K, v128.bitselect(H, f32x4.neg(H), neg));
  const gneg = f32x4.mul(f32x4.mul(dy, inner), kload(V_TWOM24));
  const gpos = f32x4.mul(dy, f32x4.add(kload(V_ONE), f32x4.mul(inner, kload(V_TWOM24))));
  return v128.bitselect(gneg, gpos, neg);
}
// @ts-ignore: decorator
@inline function geluBwdS(x: f32, dy: f32): f32 {
  const a = spmin(abs<f32>(x), 15);
  const q = a * a;
  const h = reinterpret<f32>(reinterpret<i32>(a) & 0xfffff000);
  const l = a - h;
  const hl = h * l;
  const err = ((h * h - q) + (hl + hl)) + l * l;
  const mq = q * <f32>-0.5;
  const merr = err * <f32>-0.5;
  const td = tS(<f64>a);
  const t = <f32>td;
  const E = sexpNegSplit24(mq, <f32>rS(td, <f64>merr));
  const G = sexpNegSplit24(mq, merr);
  const H = (t * <f32>0.5) * E;
  const xc = reinterpret<f32>(reinterpret<i32>(a) | (reinterpret<i32>(x) & 0x80000000));
  const K = (xc * S(INV_SQRT2PI)) * G;
  const neg = x < 0;
  const inner = K + (neg ? H : -H);
  return neg ? (dy * inner) * S_TWOM24 : dy * (<f32>1.0 + inner * S_TWOM24);
}

/** dx = dy (Phi(x) + x phi(x)). */
export function gelu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), geluBwdV(v128.load(at(x, i)), v128.load(at(dy, i))));
  for (; i < n; i++) store<f32>(at(dx, i), geluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of gelu_bwd. */
export function gelu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), geluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}

// ---- geluTanh ----------------------------------------------------------------------------------------------------

// v = x (C1 + C2 x^2) in f64: C1 = 2 sqrt(2/pi), C2 = C1 0.044715.
const C1D = memory.data<f64>([1.5957691216057308, 1.5957691216057308], 16);
const C2D = memory.data<f64>([0.07135481627260025, 0.07135481627260025], 16);
// v' = C1 + C3 x^2 (f32 is enough: it multiplies, it is not exponentiated), C3 = 3 C2.
const C1F = memory.data<f32>([1.5957691216057308, 1.5957691216057308, 1.5957691216057308, 1.5957691216057308], 16);
const C3F = memory.data<f32>([0.21406444881780076, 0.21406444881780076, 0.21406444881780076, 0.21406444881780076], 16);
// Beyond |x| = 11, |v| > 112 and e^-|v| is 0 even scaled by 2^24: clamping keeps every intermediate finite.
const X_MAX = memory.data<f32>([11, 11, 11, 11], 16);
const X_MIN = memory.data<f32>([-11, -11, -11, -11], 16);

/** v = x (C1 + C2 x^2) for two f64 lanes. */
// @ts-ignore: decorator
@inline function vf64(x: v128): v128 {
  const c1 = v128.load(C1D), c2 = v128.load(C2D);
  return f64x2.mul(x, f64x2.add(c1, f64x2.mul(c2, f64x2.mul(x, x))));
}

// @ts-ignore: decorator
@inline function geluTanhV(x: v128, dy: v128, bwd: bool): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, kload(X_MIN)), kload(X_MAX));
  const v0 = vf64(f64x2.promote_low_f32x4(xc));
  const v1 = vf64(f64x2.promote_low_f32x4(v128.shuffle<f32>(xc, xc, 2, 3, 2, 3)));
  const vh = v128.shuffle<f32>(f32x4.demote_f64x2_zero(v0), f32x4.demote_f64x2_zero(v1), 0, 1, 4, 5);
  const r0 = f64x2.sub(v0, f64x2.promote_low_f32x4(vh));
  const r1 = f64x2.sub(v1, f64x2.promote_low_f32x4(v128.shuffle<f32>(vh, vh, 2, 3, 2, 3)));
  const vl = v128.shuffle<f32>(f32x4.demote_f64x2_zero(r0), f32x4.demote_f64x2_zero(r1), 0, 1, 4, 5);
  // E = 2^24 e^-|v|, with the error of -|vh| (vl, negated where v >= 0).
  const E = vexpNegSplit24(v128.or(vh, kload(V_SIGN)), v128.xor(vl, v128.andnot(kload(V_SIGN), vh)));
  const neg = f32x4.lt(vh, kload(V_ZERO));
  const scale = v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg);
  const e = f32x4.mul(E, kload(V_TWOM24));
  if (!bwd) {
    const s = f32x4.div(v128.bitselect(E, kload(V_ONE), neg), f32x4.add(kload(V_ONE), e));
    return f32x4.mul(f32x4.mul(v128.bitselect(xc, x, neg), s), scale);
  }
  const qi = f32x4.div(kload(V_ONE), f32x4.add(kload(V_ONE), e));
  const Sg = f32x4.mul(v128.bitselect(E, kload(V_ONE), neg), qi);
  const c = f32x4.mul(v128.bitselect(kload(V_ONE), e, neg), qi);
  const vp = vmadd(kload(C3F), f32x4.mul(xc, xc), kload(C1F));
  const g = f32x4.mul(Sg, f32x4.add(kload(V_ONE), f32x4.mul(f32x4.mul(xc, c), vp)));
  return f32x4.mul(f32x4.mul(dy, g), scale);
}
// @ts-ignore: decorator
@inline function geluTanhS(x: f32, dy: f32, bwd: bool): f32 {
  const xc = spmin(spmax(x, -11), 11);
  const xd = <f64>xc;
  const v = xd * (load<f64>(C1D) + load<f64>(C2D) * (xd * xd));
  const vh = <f32>v;
  const vl = <f32>(v - <f64>vh);
  const a = reinterpret<f32>(reinterpret<i32>(vh) | 0x80000000);
  const be = reinterpret<f32>(reinterpret<i32>(vl) ^ (~reinterpret<i32>(vh) & 0x80000000));
  const E = sexpNegSplit24(a, be);
  const neg = vh < 0;
  const scale = neg ? S_TWOM24 : <f32>1.0;
  const e = E * S_TWOM24;
  if (!bwd) {
    const s = (neg ? E : <f32>1.0) / (<f32>1.0 + e);
    return ((neg ? xc : x) * s) * scale;
  }
  const qi = <f32>1.0 / (<f32>1.0 + e);
  const Sg = (neg ? E : <f32>1.0) * qi;
  const c = (neg ? <f32>1.0 : e) * qi;
  const vp = smadd(S(C3F), xc * xc, S(C1F));
  const g = Sg * (<f32>1.0 + (xc * c) * vp);
  return (dy * g) * scale;
}

/** y = x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)). */
export function geluTanh_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), geluTanhV(v128.load(at(x, i)), z, false));
  for (; i < n; i++) store<f32>(at(y, i), geluTanhS(load<f32>(at(x, i)), 0, false));
}
/** Scalar twin of geluTanh_fwd. */
export function geluTanh_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), geluTanhS(load<f32>(at(x, i)), 0, false));
}
/** dx = dy geluTanh'(x). */
export function geluTanh_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), geluTanhV(v128.load(at(x, i)), v128.load(at(dy, i)), true));
  for (; i < n; i++) store<f32>(at(dx, i), geluTanhS(load<f32>(at(x, i)), load<f32>(at(dy, i)), true));
}
/** Scalar twin of geluTanh_bwd. */
export function geluTanh_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), geluTanhS(load<f32>(at(x, i)), load<f32>(at(dy, i)), true));
}
