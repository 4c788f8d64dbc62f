// The smooth gated family, part 2: gelu (erf form) and geluTanh (the tanh approximation).
// Each SIMD kernel sits next to its scalar twin (same IEEE operations in the same order, so the same bits).
//
// gelu(x) = x Phi(x), Phi(x) = erfc(-x/sqrt2)/2 (Hendrycks and Gimpel 2016); gelu'(x) = Phi(x) + x phi(x).
//   With a = |x| (clamped at 15, where everything below has underflowed): Phi(-a) = e^(-a^2/2) R(a) and
//   Phi(a) = 1 - Phi(-a), where R(a) = e^(a^2/2) Phi(-a) = erfcx(a/sqrt2)/2 (smooth, 1/2 at 0, ~1/(a sqrt(2 pi)) for
//   large a) is a rational function P(a)/Q(a) of degrees 4 and 5, fitted for rectify in f64 (linearized least
//   squares on the relative error, iterated towards minimax with Lawson's weights, on [0, 15]: 6.3e-9 relative, 0.1
//   ulp) and rounded to f32. All coefficients are positive, so P and Q have no cancellation on a >= 0; they are
//   evaluated in f32 in even and odd parts (Horner in a^2), one division, no table lookup. Below a = 0.75 (where
//   gelu' is measured to its root at x = -0.75) R = 1/2 + W/Q with W = P - Q/2 = a (w1 + w2 a + ...) fitted the same
//   way: the rounding errors of the polynomials then touch only the small W/Q, not the 1/2.
//   e^(-a^2/2) is exact in its argument: a = h + l with h of 12 significant bits, a^2 = h^2 + l (h + a) with h^2 exact,
//   and the exponential takes -h^2/2 and -l (h + a)/2 as two arguments (vexpHalfSq48 in math.ts), so the negative
//   tail (down to x = -14.4, where gelu underflows) keeps its relative accuracy. phi(x) = e^(-a^2/2)/sqrt(2 pi) uses
//   the same exponential: the backward evaluates one exponential and one division, as the forward.
//   The exponential comes scaled by 2^48, so every product stays a normal number down to a = 15; the result is scaled
//   back by the last operation (vscaleM48 where it may be subnormal, x < -13.2: without subnormal operands, which cost
//   a microcode assist each on x86). Below x = 0, 1 - Phi(-a) is formed as (2^48 - H) 2^-48.
// geluTanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3), computed as x sigmoid(v), v = 2u, so the
//   negative tail does not cancel. v is evaluated in f64 and split into vh + vl (f32), and the exponential takes
//   both parts: rounding v to f32 alone would cost |v| 2^-24 relative error in the tail (x = -10: v = -87).
//   geluTanh' = s (1 + x (1 - s) v'), v' = 2 sqrt(2/pi)(1 + 3 0.044715 x^2).
// In geluTanh the exponential comes scaled by 2^24 and the result is scaled back by the last multiplication.

import {
  kload, vmadd, smadd, V_ONE, V_ZERO, V_SIGN, V_HALF, spmax, spmin, vexpNegSplit24, sexpNegSplit24, V_TWOM24,
  S_TWOM24, vexpHalfSq48, sexpHalfSq48, vscaleM48, sscaleM48, vscaleM48Pos, sscaleM48Pos, V_TWOM48, V_TWO48, V_TWOM78, V_ABS,
} from '../math';
import { at } from './common';

// @ts-ignore: decorator
@inline function S(p: usize): f32 { return load<f32>(p); }

// ---- gelu ------------------------------------------------------------------------------------------------------

// R(a) = P(a) / Q(a); W = P - Q/2 without its zero constant term (W = a (w1 + w2 a + ... + w5 a^4)).
const GP0 = memory.data<f32>([0.5, 0.5, 0.5, 0.5], 16);
const GP1 = memory.data<f32>([0.43928804993629456, 0.43928804993629456, 0.43928804993629456, 0.43928804993629456], 16);
const GP2 = memory.data<f32>([0.18397241830825806, 0.18397241830825806, 0.18397241830825806, 0.18397241830825806], 16);
const GP3 = memory.data<f32>([0.04088219255208969, 0.04088219255208969, 0.04088219255208969, 0.04088219255208969], 16);
const GP4 = memory.data<f32>([0.004153373185545206, 0.004153373185545206, 0.004153373185545206, 0.004153373185545206], 16);
const GQ1 = memory.data<f32>([1.676461100578308, 1.676461100578308, 1.676461100578308, 1.676461100578308], 16);
const GQ2 = memory.data<f32>([1.2055622339248657, 1.2055622339248657, 1.2055622339248657, 1.2055622339248657], 16);
const GQ3 = memory.data<f32>([0.47141730785369873, 0.47141730785369873, 0.47141730785369873, 0.47141730785369873], 16);
const GQ4 = memory.data<f32>([0.10248257219791412, 0.10248257219791412, 0.10248257219791412, 0.10248257219791412], 16);
const GQ5 = memory.data<f32>([0.010410850867629051, 0.010410850867629051, 0.010410850867629051, 0.010410850867629051], 16);
const GW1 = memory.data<f32>([-0.3989425003528595, -0.3989425003528595, -0.3989425003528595, -0.3989425003528595], 16);
const GW2 = memory.data<f32>([-0.4188086688518524, -0.4188086688518524, -0.4188086688518524, -0.4188086688518524], 16);
const GW3 = memory.data<f32>([-0.19482646882534027, -0.19482646882534027, -0.19482646882534027, -0.19482646882534027], 16);
const GW4 = memory.data<f32>([-0.04708791524171829, -0.04708791524171829, -0.04708791524171829, -0.04708791524171829], 16);
const GW5 = memory.data<f32>([-0.005205425433814526, -0.005205425433814526, -0.005205425433814526, -0.005205425433814526], 16);
const W_CUT = memory.data<f32>([0.75, 0.75, 0.75, 0.75], 16);
const A_MAX = memory.data<f32>([15, 15, 15, 15], 16);
const INV_SQRT2PI = memory.data<f32>([0.3989422804014327, 0.3989422804014327, 0.3989422804014327, 0.3989422804014327], 16);

/** 2^48 e^(-a^2/2) (math.ts). */
// @ts-ignore: decorator
@inline function geluE(a: v128): v128 { return vexpHalfSq48(a); }
/** Scalar twin of geluE. */
// @ts-ignore: decorator
@inline function geluES(a: f32): f32 { return sexpHalfSq48(a); }
/** R(a) = e^(a^2/2) Phi(-a) (SIMD; see the header). */
// @ts-ignore: decorator
@inline function geluR(a: v128): v128 {
  const a2 = f32x4.mul(a, a);
  const P = f32x4.add(vmadd(vmadd(kload(GP4), a2, kload(GP2)), a2, kload(GP0)), f32x4.mul(a, vmadd(kload(GP3), a2, kload(GP1))));
  const Q = f32x4.add(vmadd(vmadd(kload(GQ4), a2, kload(GQ2)), a2, kload(V_ONE)),
    f32x4.mul(a, vmadd(vmadd(kload(GQ5), a2, kload(GQ3)), a2, kload(GQ1))));
  const W = f32x4.mul(a, f32x4.add(vmadd(vmadd(kload(GW5), a2, kload(GW3)), a2, kload(GW1)), f32x4.mul(a, vmadd(kload(GW4), a2, kload(GW2)))));
  const small = f32x4.lt(a, kload(W_CUT));
  const d = f32x4.div(v128.bitselect(W, P, small), Q);
  return v128.bitselect(f32x4.add(kload(V_HALF), d), d, small);
}
/** Scalar twin of geluR. */
// @ts-ignore: decorator
@inline function geluRS(a: f32): f32 {
  const a2 = a * a;
  const P = smadd(smadd(S(GP4), a2, S(GP2)), a2, S(GP0)) + a * smadd(S(GP3), a2, S(GP1));
  const Q = smadd(smadd(S(GQ4), a2, S(GQ2)), a2, <f32>1.0) + a * smadd(smadd(S(GQ5), a2, S(GQ3)), a2, S(GQ1));
  const W = a * (smadd(smadd(S(GW5), a2, S(GW3)), a2, S(GW1)) + a * smadd(S(GW4), a2, S(GW2)));
  const small = a < S(W_CUT);
  const d = (small ? W : P) / Q;
  return small ? <f32>0.5 + d : d;
}

/** min(|x|, 15) (SIMD). */
// @ts-ignore: decorator
@inline function geluA(x: v128): v128 { return f32x4.pmin(f32x4.abs(x), kload(A_MAX)); }

/** gelu from x and E = 2^48 e^(-a^2/2) (SIMD). */
// @ts-ignore: decorator
@inline function geluFromE(x: v128, E: v128): v128 {
  const a = geluA(x);
  const H = f32x4.mul(E, geluR(a));                                       // 2^48 Phi(-a)
  const yneg = v128.or(vscaleM48Pos(f32x4.mul(a, H)), kload(V_SIGN));      // -a Phi(-a): rounding is symmetric
  const ypos = f32x4.mul(x, f32x4.mul(f32x4.sub(kload(V_TWO48), H), kload(V_TWOM48)));
  return v128.bitselect(yneg, ypos, f32x4.lt(x, kload(V_ZERO)));
}
// @ts-ignore: decorator
@inline function geluS(x: f32): f32 {
  const a = spmin(abs<f32>(x), 15);
  const H = geluES(a) * geluRS(a);
  const yneg = reinterpret<f32>(reinterpret<i32>(sscaleM48Pos(a * H)) | 0x80000000);
  const ypos = x * ((S(V_TWO48) - H) * S(V_TWOM48));
  return x < 0 ? yneg : ypos;
}

/** y = x Phi(x). */
export function gelu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) { const xv = v128.load(at(x, i)); v128.store(at(y, i), geluFromE(xv, geluE(geluA(xv)))); }
  for (; i < n; i++) store<f32>(at(y, i), geluS(load<f32>(at(x, i))));
}
/** Scalar twin of gelu_fwd. */
export function gelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), geluS(load<f32>(at(x, i))));
}

// Backward: E = 2^48 e^(-a^2/2), H = E R(a) = 2^48 Phi(-a), K = 2^48 xc phi(x) (xc = x clamped to +-15);
// x < 0: f' = 2^-48 (K + H); x >= 0: f' = 2^-48 ((K - H) + 2^48).
// @ts-ignore: decorator
@inline function geluBwdFromE(x: v128, dy: v128, E: v128): v128 {
  const a = geluA(x);
  const H = f32x4.mul(E, geluR(a));
  const xc = v128.or(a, v128.and(x, kload(V_SIGN)));
  const K = f32x4.mul(f32x4.mul(xc, kload(INV_SQRT2PI)), E);
  const neg = f32x4.lt(x, kload(V_ZERO));
  const inner = f32x4.add(K, v128.xor(H, v128.andnot(kload(V_SIGN), neg)));  // K + H (x < 0) or K - H
  const f48 = f32x4.add(inner, v128.andnot(kload(V_TWO48), neg));           // 2^48 f'
  // dy f' rounded once: (f48 2^-48) is formed first where it is a normal number (dy f48 itself could overflow for
  // |dy| > 2^79); below (x < -13.2, |f'| < 2^-126, so |dy f48| < 2^50) dy f48 is scaled by vscaleM48, the product
  // being subnormal or zero.
  const tiny = f32x4.lt(v128.and(f48, kload(V_ABS)), kload(V_TWOM78));
  const f48n = v128.bitselect(kload(V_TWO48), f48, tiny);                  // no subnormal product in unused lanes
  return v128.bitselect(vscaleM48(f32x4.mul(dy, f48)), f32x4.mul(dy, f32x4.mul(f48n, kload(V_TWOM48))), tiny);
}
// @ts-ignore: decorator
@inline function geluBwdS(x: f32, dy: f32): f32 {
  const a = spmin(abs<f32>(x), 15);
  const E = geluES(a);
  const H = E * geluRS(a);
  const xc = reinterpret<f32>(reinterpret<i32>(a) | (reinterpret<i32>(x) & 0x80000000));
  const K = (xc * S(INV_SQRT2PI)) * E;
  const neg = x < 0;
  const inner = K + (neg ? H : -H);
  const f48 = inner + (neg ? <f32>0 : S(V_TWO48));
  return abs<f32>(f48) < S(V_TWOM78) ? sscaleM48(dy * f48) : dy * (f48 * S(V_TWOM48));
}

/** dx = dy (Phi(x) + x phi(x)). */
export function gelu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    v128.store(at(dx, i), geluBwdFromE(xv, v128.load(at(dy, i)), geluE(geluA(xv))));
  }
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
