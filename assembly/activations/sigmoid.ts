// The sigmoid family: sigmoid, logSigmoid, hardSigmoid, tanh, tanhShrink, softsign. Forward above backward, each SIMD kernel
// next to its scalar twin. Derivatives are computed from e = e^-|x| (or e^-2|x|) in forms without cancellation:
// sigmoid' = e / (1 + e)^2 and tanh' = 4 e / (1 + e)^2 stay accurate where the output rounds to +-1.

import {
  kload, vlogisticd, slogisticd, vsigmoid, ssigmoid, vtanh, stanh, ssoftplus, spmax, spmin,
  V_ONE, V_ZERO, V_SIGN, V_PINF,
} from '../math';
import { at, nanPass, vprodErrRaw, sprodErrRaw, softplusArray } from './common';



const MTWO = memory.data<f32>([-2, -2, -2, -2], 16);
const FOUR = memory.data<f32>([4, 4, 4, 4], 16);

// ---- sigmoid: f = 1 / (1 + e^-x); f' = f (1 - f) = e / (1 + e)^2 with e = e^-|x| -----------------------------------

/** y = sigmoid(x). */
export function sigmoid_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store(at(y, i), vsigmoid(v128.load(at(x, i))));
    v128.store(at(y, i + 4), vsigmoid(v128.load(at(x, i + 4))));
  }
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), vsigmoid(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), ssigmoid(load<f32>(at(x, i))));
}
/** Scalar twin of sigmoid_fwd. */
export function sigmoid_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), ssigmoid(load<f32>(at(x, i))));
}

// @ts-ignore: decorator
@inline function sigmoidBwdV(x: v128, dy: v128, one: v128, sign: v128): v128 {
  return f32x4.mul(dy, vlogisticd(v128.or(x, sign)));
}
// @ts-ignore: decorator
@inline function sigmoidBwdS(x: f32, dy: f32): f32 {
  return dy * slogisticd(-abs<f32>(x));
}

/** dx = dy sigmoid'(x). */
export function sigmoid_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const one = kload(V_ONE), sign = kload(V_SIGN);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), sigmoidBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one, sign));
  for (; i < n; i++) store<f32>(at(dx, i), sigmoidBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of sigmoid_bwd. */
export function sigmoid_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), sigmoidBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}

// ---- logSigmoid: f = -softplus(-x) = min(x, 0) - log1p(e^-|x|); f' = sigmoid(-x) -------------------------------

/** y = log(sigmoid(x)). */
export function logSigmoid_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = softplusArray(x, y, n, Infinity, true);
  for (; i < n; i++) store<f32>(at(y, i), -ssoftplus(-load<f32>(at(x, i))));
}
/** Scalar twin of logSigmoid_fwd. */
export function logSigmoid_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), -ssoftplus(-load<f32>(at(x, i))));
}
/** dx = dy sigmoid(-x). */
export function logSigmoid_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), vsigmoid(f32x4.neg(v128.load(at(x, i))))));
  }
  for (; i < n; i++) store<f32>(at(dx, i), load<f32>(at(dy, i)) * ssigmoid(-load<f32>(at(x, i))));
}
/** Scalar twin of logSigmoid_bwd. */
export function logSigmoid_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), load<f32>(at(dy, i)) * ssigmoid(-load<f32>(at(x, i))));
}

// ---- hardSigmoid {slope, offset}: f = clamp(slope x + offset, 0, 1); f' = slope inside the sloped piece ----------
// p = [slope, offset]. Two forms, picked once per call (a uniform branch):
// - PyTorch's default (slope = f32(1/6), offset = 0.5): f = min(max(x + 3, 0), 6) / 6 (relu6(x + 3) / 6, as PyTorch
//   defines it): x + 3 is exact near the root x = -3, so the result has at most two roundings (<= 1 ulp) and no
//   cancellation; f' = dy slope on -3 < x < 3 (PyTorch's rule), 0 elsewhere.
// - Any other slope and offset: z = slope x + offset with the product carried exactly (Dekker: slope x = ph + pl,
//   12-bit halves), z = (ph + offset) + pl. Near the root ph + offset is exact (Sterbenz), so z rounds once there
//   and at most twice elsewhere (<= 1 ulp); fl(slope x) + offset alone cancelled to thousands of ulps.
//   pl is dropped where it is not finite (x = +-Inf, overflowing products). f' = dy slope where 0 < z < 1 (the same
//   f32 z the forward clamps).

const HS_THREE = memory.data<f32>([3, 3, 3, 3], 16);
const HS_MTHREE = memory.data<f32>([-3, -3, -3, -3], 16);
const HS_SIX = memory.data<f32>([6, 6, 6, 6], 16);
/** f32(1/6): the default slope. */
const HS_SIXTH: f32 = 0.16666666666666666;

/** True when p holds PyTorch's default (slope f32(1/6), offset 0.5): the relu6(x + 3) / 6 form applies. */
// @ts-ignore: decorator
@inline function hsDefault(ss: f32, os: f32): bool { return ss == HS_SIXTH && os == 0.5; }

/** relu6(x + 3) / 6 (SIMD). */
// @ts-ignore: decorator
@inline function hs6V(x: v128): v128 {
  return f32x4.div(f32x4.pmin(f32x4.pmax(f32x4.add(x, kload(HS_THREE)), kload(V_ZERO)), kload(HS_SIX)), kload(HS_SIX));
}
// @ts-ignore: decorator
@inline function hs6S(x: f32): f32 { return spmin(spmax(x + 3, 0), 6) / 6; }
/** slope x + offset with the product exact (SIMD); sh + sl = slope split into 12-bit halves. */
// @ts-ignore: decorator
@inline function hsZV(x: v128, s: v128, sh: v128, sl: v128, o: v128): v128 {
  const ph = f32x4.mul(x, s);
  const pl = vprodErrRaw(x, ph, sh, sl);
  return f32x4.add(f32x4.add(ph, o), v128.and(pl, f32x4.lt(f32x4.abs(pl), kload(V_PINF))));
}
// @ts-ignore: decorator
@inline function hsZS(x: f32, s: f32, sh: f32, sl: f32, o: f32): f32 {
  const ph = x * s;
  const pl = sprodErrRaw(x, ph, sh, sl);
  return (ph + o) + (abs<f32>(pl) < Infinity ? pl : 0);
}
// @ts-ignore: decorator
@inline function hsSplitHi(s: f32): f32 { return reinterpret<f32>(reinterpret<i32>(s) & 0xfffff000); }

/** y = clamp(p[0] x + p[1], 0, 1) (relu6(x + 3) / 6 for the default parameters). */
export function hardSigmoid_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4), shs = hsSplitHi(ss), sls = ss - shs;
  const s = f32x4.splat(ss), o = f32x4.splat(os), sh = f32x4.splat(shs), sl = f32x4.splat(sls);
  const z = kload(V_ZERO), one = kload(V_ONE);
  let i = 0;
  if (hsDefault(ss, os)) {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), hs6V(v128.load(at(x, i))));
    for (; i < n; i++) store<f32>(at(y, i), hs6S(load<f32>(at(x, i))));
    return;
  }
  for (; i + 4 <= n; i += 4) {
    v128.store(at(y, i), f32x4.pmin(f32x4.pmax(hsZV(v128.load(at(x, i)), s, sh, sl, o), z), one));
  }
  for (; i < n; i++) store<f32>(at(y, i), spmin(spmax(hsZS(load<f32>(at(x, i)), ss, shs, sls, os), 0), 1));
}
/** Scalar twin of hardSigmoid_fwd. */
export function hardSigmoid_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4), shs = hsSplitHi(ss), sls = ss - shs;
  const dflt = hsDefault(ss, os);
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i));
    store<f32>(at(y, i), dflt ? hs6S(xs) : spmin(spmax(hsZS(xs, ss, shs, sls, os), 0), 1));
  }
}
/** dx = p[0] dy inside the sloped piece (-3 < x < 3 for the default, 0 < z < 1 otherwise), 0 outside. */
export function hardSigmoid_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4), shs = hsSplitHi(ss), sls = ss - shs;
  const s = f32x4.splat(ss), o = f32x4.splat(os), sh = f32x4.splat(shs), sl = f32x4.splat(sls);
  const z = kload(V_ZERO), one = kload(V_ONE);
  let i = 0;
  if (hsDefault(ss, os)) {
    const lo = kload(HS_MTHREE), hi = kload(HS_THREE);
    for (; i + 4 <= n; i += 4) {
      const xv = v128.load(at(x, i));
      const inside = v128.and(f32x4.gt(xv, lo), f32x4.lt(xv, hi));
      v128.store(at(dx, i), nanPass(xv, v128.and(f32x4.mul(v128.load(at(dy, i)), s), inside)));
    }
    for (; i < n; i++) store<f32>(at(dx, i), hsBwd6S(load<f32>(at(x, i)), load<f32>(at(dy, i)), ss));
    return;
  }
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const u = hsZV(xv, s, sh, sl, o);
    v128.store(at(dx, i), nanPass(xv, v128.and(f32x4.mul(v128.load(at(dy, i)), s), v128.and(f32x4.gt(u, z), f32x4.lt(u, one)))));
  }
  for (; i < n; i++) store<f32>(at(dx, i), hsBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), ss, shs, sls, os));
}
// @ts-ignore: decorator
@inline function hsBwd6S(x: f32, dy: f32, s: f32): f32 { return x != x ? x : (x > -3 && x < 3 ? dy * s : 0); }
// @ts-ignore: decorator
@inline function hsBwdS(x: f32, dy: f32, s: f32, sh: f32, sl: f32, o: f32): f32 {
  const u = hsZS(x, s, sh, sl, o);
  return x != x ? x : (u > 0 && u < 1 ? dy * s : 0);
}
/** Scalar twin of hardSigmoid_bwd. */
export function hardSigmoid_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4), shs = hsSplitHi(ss), sls = ss - shs;
  const dflt = hsDefault(ss, os);
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    store<f32>(at(dx, i), dflt ? hsBwd6S(xs, d, ss) : hsBwdS(xs, d, ss, shs, sls, os));
  }
}

// ---- tanh: f = tanh(x); f' = 1 - tanh^2 = 4 e / (1 + e)^2 with e = e^-2|x| ----------------------------------------

/** y = tanh(x). */
export function tanh_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), vtanh(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), stanh(load<f32>(at(x, i))));
}
/** Scalar twin of tanh_fwd. */
export function tanh_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), stanh(load<f32>(at(x, i))));
}

// @ts-ignore: decorator
@inline function tanhBwdV(x: v128, dy: v128, one: v128, m2: v128, four: v128): v128 {
  return f32x4.mul(dy, f32x4.mul(four, vlogisticd(f32x4.mul(f32x4.abs(x), m2))));
}
// @ts-ignore: decorator
@inline function tanhBwdS(x: f32, dy: f32): f32 {
  return dy * (<f32>4.0 * slogisticd(abs<f32>(x) * -2.0));
}

/** dx = dy (1 - tanh(x)^2). */
export function tanh_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const one = kload(V_ONE), m2 = kload(MTWO), four = kload(FOUR);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), tanhBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one, m2, four));
  for (; i < n; i++) store<f32>(at(dx, i), tanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of tanh_bwd. */
export function tanh_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), tanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}

// ---- tanhShrink: f = x - tanh(x); f' = tanh(x)^2 -------------------------------------------------------------------
// PyTorch's Tanhshrink, computed as it defines it from the shared vtanh / stanh: accurate to a few ulps of
// max(|f|, 1) (x - tanh x cancels near 0, where f ~ x^3 / 3). f' = t t keeps full relative accuracy.

/** y = x - tanh(x). */
export function tanhShrink_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(at(x, i));
    v128.store(at(y, i), f32x4.sub(v, vtanh(v)));
  }
  for (; i < n; i++) { const v = load<f32>(at(x, i)); store<f32>(at(y, i), v - stanh(v)); }
}
/** Scalar twin of tanhShrink_fwd. */
export function tanhShrink_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) { const v = load<f32>(at(x, i)); store<f32>(at(y, i), v - stanh(v)); }
}

/** dx = dy tanh(x)^2. */
export function tanhShrink_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const t = vtanh(v128.load(at(x, i)));
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), f32x4.mul(t, t)));
  }
  for (; i < n; i++) { const t = stanh(load<f32>(at(x, i))); store<f32>(at(dx, i), load<f32>(at(dy, i)) * (t * t)); }
}
/** Scalar twin of tanhShrink_bwd. */
export function tanhShrink_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) { const t = stanh(load<f32>(at(x, i))); store<f32>(at(dx, i), load<f32>(at(dy, i)) * (t * t)); }
}

// ---- softsign: f = x / (1 + |x|); f' = 1 / (1 + |x|)^2 ----------------------------------------------------------
// x is clamped to +-2^30 first (f is +-1 in f32 there) so that +-Inf gives +-1 instead of Inf / Inf.
// The derivative is (dy / d) / d with d = 1 + |x|: no overflow of d^2, and a subnormal result is rounded once.

const SS_BIG = memory.data<f32>([1073741824.0, 1073741824.0, 1073741824.0, 1073741824.0], 16);
const SS_NBIG = memory.data<f32>([-1073741824.0, -1073741824.0, -1073741824.0, -1073741824.0], 16);

// @ts-ignore: decorator
@inline function softsignV(x: v128, one: v128, lo: v128, hi: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, lo), hi);
  return f32x4.div(c, f32x4.add(one, f32x4.abs(c)));
}
// @ts-ignore: decorator
@inline function softsignS(x: f32): f32 {
  const c = spmin(spmax(x, load<f32>(SS_NBIG)), load<f32>(SS_BIG));
  return c / (<f32>1.0 + abs<f32>(c));
}
// @ts-ignore: decorator
@inline function softsignBwdV(x: v128, dy: v128, one: v128): v128 {
  const d = f32x4.add(one, f32x4.abs(x));
  return f32x4.div(f32x4.div(dy, d), d);
}
// @ts-ignore: decorator
@inline function softsignBwdS(x: f32, dy: f32): f32 {
  const d = <f32>1.0 + abs<f32>(x);
  return (dy / d) / d;
}

/** y = x / (1 + |x|). */
export function softsign_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const one = kload(V_ONE), lo = kload(SS_NBIG), hi = kload(SS_BIG);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), softsignV(v128.load(at(x, i)), one, lo, hi));
  for (; i < n; i++) store<f32>(at(y, i), softsignS(load<f32>(at(x, i))));
}
/** Scalar twin of softsign_fwd. */
export function softsign_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), softsignS(load<f32>(at(x, i))));
}
/** dx = dy / (1 + |x|)^2. */
export function softsign_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const one = kload(V_ONE);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), softsignBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one));
  for (; i < n; i++) store<f32>(at(dx, i), softsignBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of softsign_bwd. */
export function softsign_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), softsignBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
