// The smooth gated family, part 1: silu (swish) {beta}, mish, softplus {beta, threshold}, hardSwish.
// Each SIMD kernel sits next to its scalar twin (same IEEE operations in the same order, so the same bits).
//
// Shared techniques (the exp variants are in assembly/math.ts):
// - t = beta x is rounded; in the tails exp(t) would carry |t| 2^-24 of relative error from that rounding alone, so
//   when beta != 1 the rounding error of the product is computed exactly (Dekker) and fed to the exponential as a
//   second argument. With beta = 1 the error is exactly 0 and the kernels skip that work (a uniform branch).
// - The exponential is computed as 2^24 e^-|t| so x s(t) is formed before the result is scaled into the subnormal
//   range (one rounding there instead of |x|/2 ulps of error).
// - sigmoid and its complement come from one division by 1 + e with e = e^-|t|, never as 1 - s.

import {
  kload, V_ONE, V_ZERO, V_SIGN, V_TWO, V_HALF, vlog1p, slog1p, vlog1pUnit, slog1pUnit, spmax, spmin,
  vexpNegSplit24, sexpNegSplit24, vexpNeg24, V_TWOM24, S_TWOM24, vsigmoid, ssigmoid, ssoftplus,
} from '../math';
import { at, vprodErr, sprodErr, shi12b, vacc64lo, vacc64hi, fold64, softplusArray } from './common';


const M_ONE = memory.data<f32>([-1, -1, -1, -1], 16);
const T_LIM = memory.data<f32>([200, 200, 200, 200], 16);
const T_NLIM = memory.data<f32>([-200, -200, -200, -200], 16);

/**
 * Exponential part shared by silu and softplus: returns E = 2^24 e^-|t|, where t = beta x and err is its rounding
 * error (0 when corr is false).
 */
// @ts-ignore: decorator
@inline function expNegAbsV(t: v128, err: v128): v128 {
  const a = v128.or(t, kload(V_SIGN));                              // -|t|
  const be = v128.xor(err, v128.andnot(kload(V_SIGN), t));          // error of -|t|: -err where t >= 0
  return vexpNegSplit24(a, be);
}
// @ts-ignore: decorator
@inline function expNegAbsS(t: f32, err: f32): f32 {
  const a = reinterpret<f32>(reinterpret<i32>(t) | 0x80000000);
  const be = reinterpret<f32>(reinterpret<i32>(err) ^ (~reinterpret<i32>(t) & 0x80000000));
  return sexpNegSplit24(a, be);
}

// ---- silu {beta} (alias swish): f = x s(beta x), f' = s (1 + t (1 - s)), df/dbeta = x^2 s (1 - s) ----------------
// p = [beta]. s = sigmoid(t), t = beta x.

// @ts-ignore: decorator
@inline function siluV(x: v128, b: v128, bh: v128, bl: v128, corr: bool): v128 {
  const t = f32x4.mul(x, b);
  const err = corr ? vprodErr(x, t, bh, bl) : kload(V_ZERO);
  const E = corr ? expNegAbsV(t, err) : vexpNeg24(v128.or(t, kload(V_SIGN)));
  const neg = f32x4.lt(t, kload(V_ZERO));
  const d = f32x4.add(kload(V_ONE), f32x4.mul(E, kload(V_TWOM24)));
  // t < 0: s = e / d, computed scaled by 2^24; t >= 0: s = 1 / d.
  const s = f32x4.div(v128.bitselect(E, kload(V_ONE), neg), d);
  const y = f32x4.mul(f32x4.mul(x, s), v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
  return v128.andnot(y, f32x4.eq(s, kload(V_ZERO)));               // s underflowed: 0 (also for x = -inf)
}
// @ts-ignore: decorator
@inline function siluS(x: f32, b: f32, bh: f32, bl: f32, corr: bool): f32 {
  const t = x * b;
  const err: f32 = corr ? sprodErr(x, t, bh, bl) : 0;
  const E = expNegAbsS(t, err);
  const neg = t < 0;
  const d = <f32>1.0 + E * S_TWOM24;
  const s = (neg ? E : <f32>1.0) / d;
  const y = (x * s) * (neg ? S_TWOM24 : <f32>1.0);
  return s == 0 ? 0 : y;
}

/**
 * x sigmoid(x) (beta = 1): one rounding more than sigmoid's; where sigmoid underflows to 0 (x < -103.3, and
 * x = -Inf) the result is +0, not x 0 = -0 or NaN.
 */
// @ts-ignore: decorator
@inline function silu1V(x: v128): v128 {
  const s = vsigmoid(x);
  return v128.andnot(f32x4.mul(x, s), f32x4.eq(s, kload(V_ZERO)));
}
// @ts-ignore: decorator
@inline function silu1S(x: f32): f32 {
  const s = ssigmoid(x);
  return s == 0 ? 0 : x * s;
}

/** y = x sigmoid(p[0] x). beta = 1 (the default) takes x sigmoid(x) with the one-division sigmoid of math.ts. */
export function silu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  const b = f32x4.splat(bs), bh = f32x4.splat(bhs), bl = f32x4.splat(bls);
  let i = 0;
  if (bs != 1) {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), siluV(v128.load(at(x, i)), b, bh, bl, true));
    for (; i < n; i++) store<f32>(at(y, i), siluS(load<f32>(at(x, i)), bs, bhs, bls, true));
    return;
  }
  for (; i + 8 <= n; i += 8) {
    const x0 = v128.load(at(x, i)), x1 = v128.load(at(x, i + 4));
    v128.store(at(y, i), silu1V(x0));
    v128.store(at(y, i + 4), silu1V(x1));
  }
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), silu1V(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), silu1S(load<f32>(at(x, i))));
}
/** Scalar twin of silu_fwd. */
export function silu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  if (bs == 1) {
    for (let i = 0; i < n; i++) store<f32>(at(y, i), silu1S(load<f32>(at(x, i))));
    return;
  }
  for (let i = 0; i < n; i++) store<f32>(at(y, i), siluS(load<f32>(at(x, i)), bs, bhs, bls, true));
}

// Backward: q = 1 / d; t < 0: S = E q (scaled by 2^24), c = q; t >= 0: S = q, c = e q.
// dx = dy S (1 + t c), scaled back. For t < -1, 1 + t c = (((1 + t) + err) + e) q: 1 + t is exact there, so only the
// root itself (t = -1.278) cancels, not its neighbourhood (1 + t c cancels twofold at t = -2.3). t is clamped to
// +-200 (c = 0 or S = 0 beyond).
// @ts-ignore: decorator
@inline function siluBwdV(x: v128, dy: v128, b: v128, bh: v128, bl: v128, corr: bool): v128 {
  const t = f32x4.mul(x, b);
  const err = corr ? vprodErr(x, t, bh, bl) : kload(V_ZERO);
  const E = corr ? expNegAbsV(t, err) : vexpNeg24(v128.or(t, kload(V_SIGN)));
  const neg = f32x4.lt(t, kload(V_ZERO));
  const e = f32x4.mul(E, kload(V_TWOM24));
  const q = f32x4.div(kload(V_ONE), f32x4.add(kload(V_ONE), e));
  const S = f32x4.mul(v128.bitselect(E, kload(V_ONE), neg), q);
  const c = f32x4.mul(v128.bitselect(kload(V_ONE), e, neg), q);
  const tc = f32x4.pmin(f32x4.pmax(t, kload(T_NLIM)), kload(T_LIM));
  const m = f32x4.add(kload(V_ONE), tc);
  const gn = f32x4.mul(f32x4.add(f32x4.add(m, err), e), q);
  const gp = f32x4.add(kload(V_ONE), f32x4.mul(tc, c));
  const g = f32x4.mul(S, v128.bitselect(gn, gp, f32x4.lt(t, kload(M_ONE))));
  return f32x4.mul(f32x4.mul(dy, g), v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
}
// @ts-ignore: decorator
@inline function siluBwdS(x: f32, dy: f32, b: f32, bh: f32, bl: f32, corr: bool): f32 {
  const t = x * b;
  const err: f32 = corr ? sprodErr(x, t, bh, bl) : 0;
  const E = expNegAbsS(t, err);
  const neg = t < 0;
  const e = E * S_TWOM24;
  const q = <f32>1.0 / (<f32>1.0 + e);
  const S = (neg ? E : <f32>1.0) * q;
  const c = (neg ? <f32>1.0 : e) * q;
  const tc = spmin(spmax(t, -200), 200);
  const m = <f32>1.0 + tc;
  const gn = ((m + err) + e) * q;
  const gp = <f32>1.0 + tc * c;
  const g = S * (t < -1 ? gn : gp);
  return (dy * g) * (neg ? S_TWOM24 : <f32>1.0);
}

/** dx = dy f'(x). */
export function silu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  const b = f32x4.splat(bs), bh = f32x4.splat(bhs), bl = f32x4.splat(bls);
  let i = 0;
  if (bs != 1) {
    for (; i + 4 <= n; i += 4) v128.store(at(dx, i), siluBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), b, bh, bl, true));
  } else {
    for (; i + 4 <= n; i += 4) v128.store(at(dx, i), siluBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), b, bh, bl, false));
  }
  for (; i < n; i++) store<f32>(at(dx, i), siluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls, bs != 1));
}
/** Scalar twin of silu_bwd. */
export function silu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), siluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls, bs != 1));
}

// d/dbeta: dy x^2 s (1 - s) = dy x (x (S c)), scaled back (f32 per element, summed in f64).
// @ts-ignore: decorator
@inline function siluGradV(x: v128, dy: v128, b: v128, bh: v128, bl: v128): v128 {
  const t = f32x4.mul(x, b);
  const E = expNegAbsV(t, vprodErr(x, t, bh, bl));
  const neg = f32x4.lt(t, kload(V_ZERO));
  const e = f32x4.mul(E, kload(V_TWOM24));
  const q = f32x4.div(kload(V_ONE), f32x4.add(kload(V_ONE), e));
  const S = f32x4.mul(v128.bitselect(E, kload(V_ONE), neg), q);
  const c = f32x4.mul(v128.bitselect(kload(V_ONE), e, neg), q);
  const g = f32x4.mul(f32x4.mul(dy, x), f32x4.mul(x, f32x4.mul(S, c)));
  return f32x4.mul(g, v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
}
// @ts-ignore: decorator
@inline function siluGradS(x: f32, dy: f32, b: f32, bh: f32, bl: f32): f32 {
  const t = x * b;
  const E = expNegAbsS(t, sprodErr(x, t, bh, bl));
  const neg = t < 0;
  const e = E * S_TWOM24;
  const q = <f32>1.0 / (<f32>1.0 + e);
  const S = (neg ? E : <f32>1.0) * q;
  const c = (neg ? <f32>1.0 : e) * q;
  const g = (dy * x) * (x * (S * c));
  return g * (neg ? S_TWOM24 : <f32>1.0);
}

/** g[0] = sum_i dy[i] x[i]^2 s (1 - s): the gradient of beta. Lanes summed in f64, folded in lane order. */
export function silu_pgrad(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  const b = f32x4.splat(bs), bh = f32x4.splat(bhs), bl = f32x4.splat(bls);
  let lo = f64x2.splat(0), hi = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = siluGradV(v128.load(at(x, i)), v128.load(at(dy, i)), b, bh, bl);
    lo = vacc64lo(lo, v);
    hi = vacc64hi(hi, v);
  }
  let total = fold64(lo, hi);
  for (; i < n; i++) total += <f64>siluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls);
  store<f32>(g, <f32>total);
}
/** Scalar twin of silu_pgrad (same summation order). */
export function silu_pgrad_scalar(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  const bs = load<f32>(p), bhs = shi12b(bs), bls = bs - bhs;
  let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += <f64>siluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls);
    a1 += <f64>siluGradS(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), bs, bhs, bls);
    a2 += <f64>siluGradS(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), bs, bhs, bls);
    a3 += <f64>siluGradS(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), bs, bhs, bls);
  }
  let total = a0 + a1 + a2 + a3;
  for (; i < n; i++) total += <f64>siluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls);
  store<f32>(g, <f32>total);
}

// ---- softplus {beta, threshold}: f = beta x > threshold ? x : log(1 + e^(beta x)) / beta -------------------------
// p = [beta, threshold]. The threshold test uses the rounded f32 product beta x, as PyTorch does.
// log(1 + e^t) = max(t, 0) + log1p(e^-|t|), with the rounding error of t added back (see the header).
// f' = beta x > threshold ? 1 : sigmoid(beta x).

// @ts-ignore: decorator
@inline function softplusV(x: v128, b: v128, bh: v128, bl: v128, thr: v128, corr: bool): v128 {
  const t = f32x4.mul(x, b);
  const err = corr ? vprodErr(x, t, bh, bl) : kload(V_ZERO);
  const e = f32x4.mul(corr ? expNegAbsV(t, err) : vexpNeg24(v128.or(t, kload(V_SIGN))), kload(V_TWOM24));
  const pos = f32x4.gt(t, kload(V_ZERO));
  const sp = f32x4.add(f32x4.add(f32x4.pmax(t, kload(V_ZERO)), v128.and(err, pos)), vlog1pUnit(e));
  const r = corr ? f32x4.div(sp, b) : sp;
  return v128.bitselect(x, r, f32x4.gt(t, thr));
}
// @ts-ignore: decorator
@inline function softplusS(x: f32, b: f32, bh: f32, bl: f32, thr: f32, corr: bool): f32 {
  const t = x * b;
  const err: f32 = corr ? sprodErr(x, t, bh, bl) : 0;
  const e = expNegAbsS(t, err) * S_TWOM24;
  const sp = (spmax(t, 0) + (t > 0 ? err : <f32>0.0)) + slog1pUnit(e);
  const r = corr ? sp / b : sp;
  return t > thr ? x : r;
}

/** y = softplus(x; p[0] = beta, p[1] = threshold); beta = 1 (the default) is softplusArray (common.ts). */
export function softplus_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), ths = load<f32>(p, 4), bhs = shi12b(bs), bls = bs - bhs;
  const b = f32x4.splat(bs), bh = f32x4.splat(bhs), bl = f32x4.splat(bls), thr = f32x4.splat(ths);
  let i = 0;
  if (bs != 1) {
    for (; i + 4 <= n; i += 4) v128.store(at(y, i), softplusV(v128.load(at(x, i)), b, bh, bl, thr, true));
    for (; i < n; i++) store<f32>(at(y, i), softplusS(load<f32>(at(x, i)), bs, bhs, bls, ths, true));
    return;
  }
  i = softplusArray(x, y, n, ths, false);
  for (; i < n; i++) { const xs = load<f32>(at(x, i)); store<f32>(at(y, i), xs > ths ? xs : ssoftplus(xs)); }
}
/** Scalar twin of softplus_fwd. */
export function softplus_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), ths = load<f32>(p, 4), bhs = shi12b(bs), bls = bs - bhs;
  if (bs == 1) {
    for (let i = 0; i < n; i++) { const xs = load<f32>(at(x, i)); store<f32>(at(y, i), xs > ths ? xs : ssoftplus(xs)); }
    return;
  }
  for (let i = 0; i < n; i++) store<f32>(at(y, i), softplusS(load<f32>(at(x, i)), bs, bhs, bls, ths, bs != 1));
}

// @ts-ignore: decorator
@inline function softplusBwdV(x: v128, dy: v128, b: v128, bh: v128, bl: v128, thr: v128, corr: bool): v128 {
  const t = f32x4.mul(x, b);
  const err = corr ? vprodErr(x, t, bh, bl) : kload(V_ZERO);
  const E = corr ? expNegAbsV(t, err) : vexpNeg24(v128.or(t, kload(V_SIGN)));
  const neg = f32x4.lt(t, kload(V_ZERO));
  const d = f32x4.add(kload(V_ONE), f32x4.mul(E, kload(V_TWOM24)));
  const s = f32x4.div(v128.bitselect(E, kload(V_ONE), neg), d);
  const g = f32x4.mul(f32x4.mul(dy, s), v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
  return v128.bitselect(dy, g, f32x4.gt(t, thr));
}
// @ts-ignore: decorator
@inline function softplusBwdS(x: f32, dy: f32, b: f32, bh: f32, bl: f32, thr: f32, corr: bool): f32 {
  const t = x * b;
  const err: f32 = corr ? sprodErr(x, t, bh, bl) : 0;
  const E = expNegAbsS(t, err);
  const neg = t < 0;
  const d = <f32>1.0 + E * S_TWOM24;
  const s = (neg ? E : <f32>1.0) / d;
  const g = (dy * s) * (neg ? S_TWOM24 : <f32>1.0);
  return t > thr ? dy : g;
}

/** dx = beta x > threshold ? dy : dy sigmoid(beta x). */
export function softplus_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), ths = load<f32>(p, 4), bhs = shi12b(bs), bls = bs - bhs;
  const b = f32x4.splat(bs), bh = f32x4.splat(bhs), bl = f32x4.splat(bls), thr = f32x4.splat(ths);
  let i = 0;
  if (bs != 1) {
    for (; i + 4 <= n; i += 4) {
      v128.store(at(dx, i), softplusBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), b, bh, bl, thr, true));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      v128.store(at(dx, i), softplusBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), b, bh, bl, thr, false));
    }
  }
  for (; i < n; i++) store<f32>(at(dx, i), softplusBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls, ths, bs != 1));
}
/** Scalar twin of softplus_bwd. */
export function softplus_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const bs = load<f32>(p), ths = load<f32>(p, 4), bhs = shi12b(bs), bls = bs - bhs;
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), softplusBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), bs, bhs, bls, ths, bs != 1));
}

// ---- mish: f = x tanh(softplus(x)), f' = T + x sigmoid(x) (1 - T^2), T = tanh(softplus(x)) -------------------------
// With e = e^-|x|, T = P / Q exactly as rational functions of e:
//   x < 0:  P = 2e + e^2, Q = P + 2        (T ~ e: no cancellation in the negative tail)
//   x >= 0: P = 1 + 2e,  Q = P + 2e^2
// and 1 - T^2 = (Q - P)(Q + P) / Q^2 with Q - P = 2 or 2e^2 exactly, so f' never forms 1 - T^2 by subtraction.
// For x < 0 the numerators are carried scaled by 2^24 (tails down to the subnormal range keep their accuracy).

const X_LIM = memory.data<f32>([200, 200, 200, 200], 16);
const X_NLIM = memory.data<f32>([-200, -200, -200, -200], 16);

// @ts-ignore: decorator
@inline function mishV(x: v128): v128 {
  const E = vexpNeg24(v128.or(x, kload(V_SIGN)));
  const e = f32x4.mul(E, kload(V_TWOM24));
  const neg = f32x4.lt(x, kload(V_ZERO));
  const ee = f32x4.mul(e, e);
  const e2 = f32x4.add(e, e);
  const Pn = f32x4.add(e2, ee);
  const Pns = f32x4.add(f32x4.add(E, E), f32x4.mul(E, e));
  const Pp = f32x4.add(kload(V_ONE), e2);
  const Q = v128.bitselect(f32x4.add(Pn, kload(V_TWO)), f32x4.add(Pp, f32x4.add(ee, ee)), neg);
  const T = f32x4.div(v128.bitselect(Pns, Pp, neg), Q);
  const y = f32x4.mul(f32x4.mul(x, T), v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
  return v128.andnot(y, f32x4.eq(T, kload(V_ZERO)));
}
// @ts-ignore: decorator
@inline function mishS(x: f32): f32 {
  const E = sexpNegSplit24(reinterpret<f32>(reinterpret<i32>(x) | 0x80000000), 0);
  const e = E * S_TWOM24;
  const neg = x < 0;
  const ee = e * e;
  const e2 = e + e;
  const Pn = e2 + ee;
  const Pns = (E + E) + E * e;
  const Pp = <f32>1.0 + e2;
  const Q = neg ? Pn + <f32>2.0 : Pp + (ee + ee);
  const T = (neg ? Pns : Pp) / Q;
  const y = (x * T) * (neg ? S_TWOM24 : <f32>1.0);
  return T == 0 ? 0 : y;
}

/** y = x tanh(softplus(x)). */
export function mish_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), mishV(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), mishS(load<f32>(at(x, i))));
}
/** Scalar twin of mish_fwd. */
export function mish_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), mishS(load<f32>(at(x, i))));
}

// Backward, with the same P, Q and s = sigmoid(x), f' = T + x s (1 - T^2) simplifies to N / Q^2:
//   x < 0:  P + Q = 2 (1 + e)^2, f' = e N / Q^2, N = 4 (1 + x) + e ((6 + 4x) + e (4 + e))
//           (4 (1 + x) is exact for x in [-2, -1/2]: only the root x = -1.192 cancels; e N is carried scaled)
//   x >= 0: f' = (P Q + 4 x e^2 (1 + e)) / Q^2 (all terms positive).
// xc = x clamped to +-200 keeps 4 x e^2 finite (e = 0 there).
const FOUR = memory.data<f32>([4, 4, 4, 4], 16);
const SIXF = memory.data<f32>([6, 6, 6, 6], 16);

// @ts-ignore: decorator
@inline function mishBwdV(x: v128, dy: v128): v128 {
  const E = vexpNeg24(v128.or(x, kload(V_SIGN)));
  const e = f32x4.mul(E, kload(V_TWOM24));
  const neg = f32x4.lt(x, kload(V_ZERO));
  const ee = f32x4.mul(e, e);
  const e2 = f32x4.add(e, e);
  const P = v128.bitselect(f32x4.add(e2, ee), f32x4.add(kload(V_ONE), e2), neg);
  const Q = f32x4.add(P, v128.bitselect(kload(V_TWO), f32x4.add(ee, ee), neg));
  const xc = f32x4.pmin(f32x4.pmax(x, kload(X_NLIM)), kload(X_LIM));
  const x4 = f32x4.mul(xc, kload(FOUR));
  const inner = f32x4.add(f32x4.add(kload(SIXF), x4), f32x4.mul(e, f32x4.add(kload(FOUR), e)));
  const N = f32x4.add(f32x4.add(kload(FOUR), x4), f32x4.mul(e, inner));
  const numN = f32x4.mul(E, N);
  const numP = f32x4.add(f32x4.mul(P, Q), f32x4.mul(f32x4.mul(x4, ee), f32x4.add(kload(V_ONE), e)));
  const g = f32x4.div(v128.bitselect(numN, numP, neg), f32x4.mul(Q, Q));
  return f32x4.mul(f32x4.mul(dy, g), v128.bitselect(kload(V_TWOM24), kload(V_ONE), neg));
}
// @ts-ignore: decorator
@inline function mishBwdS(x: f32, dy: f32): f32 {
  const E = sexpNegSplit24(reinterpret<f32>(reinterpret<i32>(x) | 0x80000000), 0);
  const e = E * S_TWOM24;
  const neg = x < 0;
  const ee = e * e;
  const e2 = e + e;
  const P = neg ? e2 + ee : <f32>1.0 + e2;
  const Q = P + (neg ? <f32>2.0 : ee + ee);
  const xc = spmin(spmax(x, -200), 200);
  const x4 = xc * <f32>4.0;
  const inner = (<f32>6.0 + x4) + e * (<f32>4.0 + e);
  const N = (<f32>4.0 + x4) + e * inner;
  const numN = E * N;
  const numP = P * Q + (x4 * ee) * (<f32>1.0 + e);
  const g = (neg ? numN : numP) / (Q * Q);
  return (dy * g) * (neg ? S_TWOM24 : <f32>1.0);
}

/** dx = dy mish'(x). */
export function mish_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), mishBwdV(v128.load(at(x, i)), v128.load(at(dy, i))));
  for (; i < n; i++) store<f32>(at(dx, i), mishBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of mish_bwd. */
export function mish_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), mishBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}

// ---- hardSwish: f = x relu6(x + 3) / 6 = x <= -3 ? 0 : (x >= 3 ? x : x (x + 3) / 6) -----------------------------
// Computed as x (relu6(x + 3) / 6): for x >= 3 that is x 1 = x exactly (x 6 / 6 would overflow above 5.7e37), and
// x <= -3 gives +0 (also for x = -inf, where x 0 would be NaN).
// f' follows PyTorch at the kinks: x < -3 ? 0 : (x <= 3 ? x/3 + 1/2 : 1), so f'(-3) = -0.5 and f'(3) = 1.5 (the
// one-sided derivatives from the middle piece). x/3 + 1/2 is computed as (x + 1.5) / 3, exact around its root -1.5.

const THREE = memory.data<f32>([3, 3, 3, 3], 16);
const MTHREE = memory.data<f32>([-3, -3, -3, -3], 16);
const SIX = memory.data<f32>([6, 6, 6, 6], 16);
const THREE_HALVES = memory.data<f32>([1.5, 1.5, 1.5, 1.5], 16);

// @ts-ignore: decorator
@inline function hardSwishV(x: v128): v128 {
  const r = f32x4.pmin(f32x4.pmax(f32x4.add(x, kload(THREE)), kload(V_ZERO)), kload(SIX));
  const y = f32x4.mul(x, f32x4.div(r, kload(SIX)));
  return v128.andnot(y, f32x4.le(x, kload(MTHREE)));
}
// @ts-ignore: decorator
@inline function hardSwishS(x: f32): f32 {
  const r = spmin(spmax(x + <f32>3.0, 0), 6);
  const y = x * (r / <f32>6.0);
  return x <= -3 ? 0 : y;
}

/** y = x relu6(x + 3) / 6. */
export function hardSwish_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), hardSwishV(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(y, i), hardSwishS(load<f32>(at(x, i))));
}
/** Scalar twin of hardSwish_fwd. */
export function hardSwish_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), hardSwishS(load<f32>(at(x, i))));
}

// @ts-ignore: decorator
@inline function hardSwishBwdV(x: v128, dy: v128): v128 {
  const mid = f32x4.div(f32x4.add(x, kload(THREE_HALVES)), kload(THREE));
  const g = v128.andnot(v128.bitselect(kload(V_ONE), mid, f32x4.gt(x, kload(THREE))), f32x4.lt(x, kload(MTHREE)));
  return f32x4.mul(dy, g);
}
// @ts-ignore: decorator
@inline function hardSwishBwdS(x: f32, dy: f32): f32 {
  const mid = (x + <f32>1.5) / <f32>3.0;
  const g: f32 = x < -3 ? 0 : (x > 3 ? 1 : mid);
  return dy * g;
}

/** dx = dy hardSwish'(x) (PyTorch's values at the kinks). */
export function hardSwish_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), hardSwishBwdV(v128.load(at(x, i)), v128.load(at(dy, i))));
  for (; i < n; i++) store<f32>(at(dx, i), hardSwishBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of hardSwish_bwd. */
export function hardSwish_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), hardSwishBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
