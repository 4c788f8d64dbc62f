// Research activations of the Saha / Bora group: sbaf and arelu. Each SIMD kernel sits next to its scalar twin.
//
// sbaf {k, alpha}: y = 1 / (1 + t), t = k u^alpha (1-u)^(1-alpha), real only for u in [0, 1].
//   u^a (1-u)^(1-a) = exp(a log u + (1-a) log1p(-u)); at u = 0 and u = 1 the exponent is -Inf, t = 0 and y = 1
//   exactly (the limits). Domain policies pick u (and the kernel family):
//   - clamp (sbaf_*; also used by 'strict', whose host rejects inputs outside [0, 1]): u = min(max(x, 0), 1),
//     du/dx = 1 on (0, 1) and 0 elsewhere. At u = 0 and u = 1 the one-sided derivatives are -Inf and +Inf; the
//     kernels return 0 there (the endpoints belong to the flat, clamped pieces, as relu'(0) = 0), so a gradient
//     step never sees an infinity. Inside (0, 1): dy/dx = y^2 r (u - a), r = k u^(a-1) (1-u)^(-a), with both powers
//     split exactly as in powAcc below (accurate also where u^(a-1) is huge) and one exponential for their product
//     (powPairV), so tiny u never divides by a subnormal.
//   - sigmoid (sbaf_sigmoid_*): u = sigmoid(x), log u = -softplus(-x), log(1-u) = -softplus(x) (both accurate for
//     every x), and by the chain rule dy/dx = y^2 t (u - a) (the u (1-u) factors cancel). In the derivative,
//     E = a log u + (1-a) log(1-u) = c x - log1p(e^-|x|) with c = a (x < 0) or a - 1 (x > 0), and c x is formed
//     exactly as hi + lo (Dekker), so t = k e^hi e^(lo - L) stays accurate for large |x|. The forward uses
//     k exp(E) directly: its rounding is absorbed by y ~ 1 where E is large.
//   Parameter gradients: dy/dk = -y^2 t / k, dy/dalpha = -y^2 t (log u - log(1-u)); both 0 where t = 0.
//   p = [k, alpha].
//
// arelu {k, n}: y = x > 0 ? k x^n : 0, k x^n by powAcc below with k folded into its power-of-two scale, so k x^n is
//   finite wherever it is below FLT_MAX even when x^n alone is not (n = 1 is computed as k x exactly).
//   dy/dx = x > 0 ? k n x^(n-1) : 0, with f'(0) = 0 returned for every n (it is the true derivative for n > 1,
//   the left derivative for n = 1, and for n < 1 the right derivative is +Inf). dy/dk = x^n, dy/dn = k x^n log x
//   for x > 0, 0 otherwise. p = [k, n].
//
// Parameter gradients sum blocks of 1024 elements in 4 f32 lanes and fold every block into an f64 total in a
// fixed order (lane 0..3); the scalar twins emulate the same order, so the bits match.

import {
  kload, vexpC as vexp, sexpC as sexp, vlogC as vlog, slogC as slog, vlog1pC as vlog1p, slog1pC as slog1p,
  vsoftplusC as vsoftplus, ssoftplusC as ssoftplus, spmax, spmin, V_ZERO, V_ONE,
  vlog1pUnit, slog1pUnit, vexpNeg, sexpNeg,
} from '../math';
import { at, nanPass, hsum64 } from './common';



// ---- x^n for x > 0, accurate for large |n log x| ---------------------------------------------------------------
// exp(n log x) loses about |n log x| / 2 ulps to the rounding of n log x. Instead: x = 2^e m with m in
// [sqrt(1/2), sqrt(2)), n = nh + nl with nh of 12 significant bits, so nh e is exact; k = nearest(nh e),
// f = nh e - k (exact), and x^n = 2^k exp((f + nl e) ln2 + n log m), whose exp argument is small. 2^k is applied in
// two multiplications (subnormal results round once); k is clamped to [-252, 254], which only matters for results
// that underflow or overflow anyway (|n| < 200). x = 0 gives 0 (n > 0) or +Inf (n < 0), +Inf gives +Inf or 0; NaN
// and x < 0 give NaN.

const P_MIN_NORM = memory.data<f32>([1.17549435e-38, 1.17549435e-38, 1.17549435e-38, 1.17549435e-38], 16);
const P_TWO23 = memory.data<f32>([8388608.0, 8388608.0, 8388608.0, 8388608.0], 16);
const P_MANT = memory.data<i32>([0x007fffff, 0x007fffff, 0x007fffff, 0x007fffff], 16);
const P_ONE_BITS = memory.data<i32>([0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000], 16);
const P_SQRT2 = memory.data<f32>([1.41421356, 1.41421356, 1.41421356, 1.41421356], 16);
const P_HALF = memory.data<f32>([0.5, 0.5, 0.5, 0.5], 16);
const P_B127 = memory.data<i32>([127, 127, 127, 127], 16);
const P_B150 = memory.data<i32>([150, 150, 150, 150], 16);
const P_KLO = memory.data<f32>([-252, -252, -252, -252], 16);
const P_KHI = memory.data<f32>([254, 254, 254, 254], 16);
const P_LN2 = memory.data<f32>([0.693147180559945, 0.693147180559945, 0.693147180559945, 0.693147180559945], 16);
const P_PINF = memory.data<f32>([Infinity, Infinity, Infinity, Infinity], 16);
const P_QNAN = memory.data<f32>([NaN, NaN, NaN, NaN], 16);

/** High part of n with 12 significant bits (n - nhi(n) is exact). */
// @ts-ignore: decorator
@inline function nhi(n: f32): f32 { return reinterpret<f32>(reinterpret<i32>(n) & 0xfffff000); }

/** Mantissa of a coefficient c in [1, 2) with c's sign (c itself when c is 0, subnormal, Inf or NaN). */
// @ts-ignore: decorator
@inline function coefMant(c: f32): f32 {
  const b = reinterpret<i32>(c), e = (b >>> 23) & 0xff;
  return e == 0 || e == 0xff ? c : reinterpret<f32>((b & 0x807fffff) | 0x3f800000);
}
/** Exponent of a coefficient c (c = coefMant(c) 2^coefExp(c)), as an f32; 0 when c is 0, subnormal, Inf or NaN. */
// @ts-ignore: decorator
@inline function coefExp(c: f32): f32 {
  const e = (reinterpret<i32>(c) >>> 23) & 0xff;
  return e == 0 || e == 0xff ? 0 : <f32>(e - 127);
}

/** Splits the exponent b + c (computed exactly with two-sum) into gNH (12 significant bits) + gNL. */
let gNH: f32 = 0;
let gNL: f32 = 0;
// @ts-ignore: decorator
@inline function splitExp(b: f32, c: f32): void {
  const d = b + c;
  const bb = d - b;
  const err = (b - (d - bb)) + (c - bb);
  const h = nhi(d);
  gNH = h;
  gNL = (d - h) + err;
}

/**
 * x = 2^e m for x >= 0, m in [sqrt(1/2), sqrt 2]: mantV gives m, expV gives e as f32 from x and m (m < 1 where the
 * mantissa was halved). xs is x, or x 2^23 where x is subnormal; bias is 127, or 150 in those lanes.
 */
// @ts-ignore: decorator
@inline function mantV(xs: v128): v128 {
  const m = v128.or(v128.and(xs, kload(P_MANT)), kload(P_ONE_BITS)); // [1, 2)
  return v128.bitselect(f32x4.mul(m, kload(P_HALF)), m, f32x4.gt(m, kload(P_SQRT2)));
}
// @ts-ignore: decorator
@inline function expV(xs: v128, bias: v128, m: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.sub(i32x4.sub(i32x4.shr_u(xs, 23), bias), f32x4.lt(m, kload(V_ONE)))); // -1 lanes
}
/** Scalar twins of mantV and expV. */
// @ts-ignore: decorator
@inline function mantS(xs: f32): f32 {
  const m = reinterpret<f32>((reinterpret<i32>(xs) & 0x007fffff) | 0x3f800000);
  return m > load<f32>(P_SQRT2) ? m * <f32>0.5 : m;
}
// @ts-ignore: decorator
@inline function expS(xs: f32, bias: i32, m: f32): f32 {
  return <f32>(<i32>(<u32>reinterpret<i32>(xs) >> 23) - bias + (m < 1 ? 1 : 0));
}

/**
 * x^n, n = nh + nl split by nhi (pass the splats). With coef, c x^n for c = cm 2^ce (split by coefMant/coefExp):
 * cm multiplies the reduced power and ce joins the integer scale 2^k, so c x^n is finite whenever it is below
 * FLT_MAX even where x^n alone overflows (x = 6.29e25, n = 1.5, c = 0.5); the product rounds once, as c * x^n did.
 */
// @ts-ignore: decorator
function powAccV(x: v128, n: v128, nh: v128, nl: v128, coef: bool = false, cm: v128 = v128.splat<i32>(0), ce: v128 = v128.splat<i32>(0)): v128 {
  const sub = f32x4.lt(x, kload(P_MIN_NORM));
  const xs = v128.bitselect(f32x4.mul(x, kload(P_TWO23)), x, sub);
  const m = mantV(xs);
  const fe = expV(xs, v128.bitselect(kload(P_B150), kload(P_B127), sub), m);
  const w = f32x4.mul(nh, fe);
  const kr = f32x4.nearest(w);
  const kf = f32x4.pmin(f32x4.pmax(coef ? f32x4.add(kr, ce) : kr, kload(P_KLO)), kload(P_KHI));
  const z = f32x4.add(f32x4.mul(f32x4.add(f32x4.sub(w, coef ? kr : kf), f32x4.mul(nl, fe)), kload(P_LN2)), f32x4.mul(n, vlog(m)));
  const q = coef ? f32x4.mul(vexp(z), cm) : vexp(z);
  const ki = i32x4.trunc_sat_f32x4_s(kf);
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  let r = f32x4.mul(f32x4.mul(q, i32x4.shl(i32x4.add(k1, kload(P_B127)), 23)), i32x4.shl(i32x4.add(k2, kload(P_B127)), 23));
  // x = 0: 0^n = 0 (n > 0) or Inf (n < 0); x = Inf: the reverse; x < 0 or NaN: NaN.
  const z0 = kload(V_ZERO), inf = kload(P_PINF);
  const npos = f32x4.gt(n, z0);
  r = v128.bitselect(v128.bitselect(z0, inf, npos), r, f32x4.eq(x, z0));
  r = v128.bitselect(v128.bitselect(inf, z0, npos), r, f32x4.eq(x, inf));
  return v128.bitselect(kload(P_QNAN), r, v128.or(f32x4.lt(x, z0), f32x4.ne(x, x)));
}
/** Scalar twin of powAccV. */
// @ts-ignore: decorator
function powAccS(x: f32, n: f32, nh: f32, nl: f32, coef: bool = false, cm: f32 = 0, ce: f32 = 0): f32 {
  const sub = x < load<f32>(P_MIN_NORM);
  const xs = sub ? x * <f32>8388608.0 : x;
  const m = mantS(xs);
  const fe = expS(xs, sub ? 150 : 127, m);
  const w = nh * fe;
  const kr = nearest<f32>(w);
  const kf = spmin(spmax(coef ? kr + ce : kr, -252), 254);
  const z = ((w - (coef ? kr : kf)) + nl * fe) * load<f32>(P_LN2) + n * slog(m);
  const q = coef ? sexp(z) * cm : sexp(z);
  const ki = isNaN(kf) ? 0 : <i32>kf;
  const k1 = ki >> 1;
  const k2 = ki - k1;
  let r = (q * reinterpret<f32>((k1 + 127) << 23)) * reinterpret<f32>((k2 + 127) << 23);
  if (x == 0) r = n > 0 ? <f32>0 : <f32>Infinity;
  if (x == Infinity) r = n > 0 ? <f32>Infinity : <f32>0;
  if (x < 0 || x != x) r = NaN;
  return r;
}

/**
 * k u^n1 v^n2 for u in (0, 1) and v = 1 - u in [2^-24, 1) (sbaf's clamp backward: r = k u^(a-1) (1-u)^(-a)), by the
 * split of powAccV applied to both powers with ONE exponential: u = 2^e1 m1, v = 2^e2 m2, n_i = nh_i + nl_i,
 * K_i = nearest(nh_i e_i), and u^n1 v^n2 = 2^(K1 + K2) exp(z1 + z2), z_i = (nh_i e_i - K_i + nl_i e_i) ln2 + n_i log m_i
 * (|z1 + z2| stays small). v is a normal number, so only u needs the subnormal scaling; K1 + K2 is in [0, 173] and is
 * applied in two multiplications. Lanes outside (0, 1) hold garbage (the caller masks them). Not inlined (size).
 */
function powPairV(u: v128, v: v128, n1: v128, n1h: v128, n1l: v128, n2: v128, n2h: v128, n2l: v128, k: v128): v128 {
  const sub = f32x4.lt(u, kload(P_MIN_NORM));
  const us = v128.bitselect(f32x4.mul(u, kload(P_TWO23)), u, sub);
  const m1 = mantV(us), m2 = mantV(v);
  const fe1 = expV(us, v128.bitselect(kload(P_B150), kload(P_B127), sub), m1), fe2 = expV(v, kload(P_B127), m2);
  const w1 = f32x4.mul(n1h, fe1), w2 = f32x4.mul(n2h, fe2);
  const k1 = f32x4.nearest(w1), k2 = f32x4.nearest(w2);
  const z1 = f32x4.add(f32x4.mul(f32x4.add(f32x4.sub(w1, k1), f32x4.mul(n1l, fe1)), kload(P_LN2)), f32x4.mul(n1, vlog(m1)));
  const z2 = f32x4.add(f32x4.mul(f32x4.add(f32x4.sub(w2, k2), f32x4.mul(n2l, fe2)), kload(P_LN2)), f32x4.mul(n2, vlog(m2)));
  const q = f32x4.mul(vexp(f32x4.add(z1, z2)), k);
  const ki = i32x4.trunc_sat_f32x4_s(f32x4.add(k1, k2));
  const h1 = i32x4.shr_s(ki, 1);
  const h2 = i32x4.sub(ki, h1);
  return f32x4.mul(f32x4.mul(q, i32x4.shl(i32x4.add(h1, kload(P_B127)), 23)), i32x4.shl(i32x4.add(h2, kload(P_B127)), 23));
}
/** Scalar twin of powPairV. */
function powPairS(u: f32, v: f32, n1: f32, n1h: f32, n1l: f32, n2: f32, n2h: f32, n2l: f32, k: f32): f32 {
  const sub = u < load<f32>(P_MIN_NORM);
  const us = sub ? u * <f32>8388608.0 : u;
  const m1 = mantS(us), m2 = mantS(v);
  const fe1 = expS(us, sub ? 150 : 127, m1), fe2 = expS(v, 127, m2);
  const w1 = n1h * fe1, w2 = n2h * fe2;
  const k1 = nearest<f32>(w1), k2 = nearest<f32>(w2);
  const z1 = ((w1 - k1) + n1l * fe1) * load<f32>(P_LN2) + n1 * slog(m1);
  const z2 = ((w2 - k2) + n2l * fe2) * load<f32>(P_LN2) + n2 * slog(m2);
  const q = sexp(z1 + z2) * k;
  const kf = k1 + k2;
  const ki = isNaN(kf) ? 0 : <i32>kf;
  const h1 = ki >> 1;
  const h2 = ki - h1;
  return (q * reinterpret<f32>((h1 + 127) << 23)) * reinterpret<f32>((h2 + 127) << 23);
}

const X_LO = memory.data<f32>([-1e30, -1e30, -1e30, -1e30], 16);
const X_HI = memory.data<f32>([1e30, 1e30, 1e30, 1e30], 16);
const SPLIT = memory.data<f32>([4097, 4097, 4097, 4097], 16);
const V_SIGNBIT = memory.data<i32>([0x80000000, 0x80000000, 0x80000000, 0x80000000], 16);

// ---- sbaf: shared pieces ------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function clamp01V(x: v128): v128 { return f32x4.pmin(f32x4.pmax(x, kload(V_ZERO)), kload(V_ONE)); }
// @ts-ignore: decorator
@inline function clamp01S(x: f32): f32 { return spmin(spmax(x, 0), 1); }

/** log u for the policy (clamp: u = clamp(x); sigmoid: -softplus(-x)). */
// @ts-ignore: decorator
@inline function luV(x: v128, sig: bool): v128 {
  return sig ? f32x4.neg(vsoftplus(f32x4.neg(x))) : vlog(clamp01V(x));
}
// @ts-ignore: decorator
@inline function luS(x: f32, sig: bool): f32 { return sig ? -ssoftplus(-x) : slog(clamp01S(x)); }
/** log(1 - u) for the policy. */
// @ts-ignore: decorator
@inline function l1V(x: v128, sig: bool): v128 {
  return sig ? f32x4.neg(vsoftplus(x)) : vlog1p(f32x4.neg(clamp01V(x)));
}
// @ts-ignore: decorator
@inline function l1S(x: f32, sig: bool): f32 { return sig ? -ssoftplus(x) : slog1p(-clamp01S(x)); }

// @ts-ignore: decorator
@inline function sbafV(x: v128, k: v128, a: v128, a1: v128, sig: bool): v128 {
  const e = f32x4.add(f32x4.mul(a, luV(x, sig)), f32x4.mul(a1, l1V(x, sig)));
  const t = f32x4.mul(k, vexp(e));
  const one = kload(V_ONE);
  return f32x4.div(one, f32x4.add(one, t));
}
// @ts-ignore: decorator
@inline function sbafS(x: f32, k: f32, a: f32, a1: f32, sig: bool): f32 {
  const e = a * luS(x, sig) + a1 * l1S(x, sig);
  const t = k * sexp(e);
  return <f32>1.0 / (<f32>1.0 + t);
}

// Derivative dy/dx (without dy).
// @ts-ignore: decorator
@inline function sbafDV(x: v128, k: v128, a: v128, a1: v128, sig: bool,
  am1: v128, amh: v128, aml: v128, na: v128, nah: v128, nal: v128): v128 {
  const one = kload(V_ONE);
  if (sig) {
    // E = c x - L, c = x < 0 ? a : a - 1, L = log1p(e^-|x|); c x = hi + lo exactly (Dekker), t = k e^hi e^(lo - L).
    const z = kload(V_ZERO);
    const neg = f32x4.lt(x, z);
    const xc = f32x4.pmin(f32x4.pmax(x, kload(X_LO)), kload(X_HI));
    const ch = v128.bitselect(f32x4.neg(nah), amh, neg), cl = v128.bitselect(f32x4.neg(nal), aml, neg);
    const c = v128.bitselect(a, am1, neg);
    const tt = f32x4.mul(xc, kload(SPLIT));
    const xh = f32x4.sub(tt, f32x4.sub(tt, xc)), xl = f32x4.sub(xc, xh);
    const hi = f32x4.mul(c, xc);
    const lo = f32x4.add(f32x4.add(f32x4.add(f32x4.sub(f32x4.mul(ch, xh), hi), f32x4.mul(ch, xl)), f32x4.mul(cl, xh)), f32x4.mul(cl, xl));
    const L = vlog1pUnit(vexpNeg(v128.or(x, kload(V_SIGNBIT))));
    // lo is tiny unless hi < -104 (then e^hi = 0): the clamp keeps e^(lo - L) finite there, so t = 0, not NaN.
    const t = f32x4.mul(f32x4.mul(k, vexp(hi)), vexp(f32x4.pmin(f32x4.sub(lo, L), one)));
    const y = f32x4.div(one, f32x4.add(one, t));
    const u = vexp(luV(x, sig));
    return f32x4.mul(f32x4.mul(y, y), f32x4.mul(t, f32x4.sub(u, a)));
  }
  const u = clamp01V(x);
  const r = powPairV(u, f32x4.sub(one, u), am1, amh, aml, na, nah, nal, k);
  const t = f32x4.mul(f32x4.mul(r, u), f32x4.sub(one, u));
  const y = f32x4.div(one, f32x4.add(one, t));
  const d = f32x4.mul(f32x4.mul(y, y), f32x4.mul(r, f32x4.sub(u, a)));
  return nanPass(x, v128.and(d, v128.and(f32x4.gt(x, kload(V_ZERO)), f32x4.lt(x, one))));
}
// @ts-ignore: decorator
@inline function sbafDS(x: f32, k: f32, a: f32, a1: f32, sig: bool,
  am1: f32, amh: f32, aml: f32, na: f32, nah: f32, nal: f32): f32 {
  if (sig) {
    const neg = x < 0;
    const xc = spmin(spmax(x, -1e30), 1e30);
    const ch = neg ? -nah : amh, cl = neg ? -nal : aml;
    const c = neg ? a : am1;
    const tt = xc * <f32>4097.0;
    const xh = tt - (tt - xc), xl = xc - xh;
    const hi = c * xc;
    const lo = (((ch * xh - hi) + ch * xl) + cl * xh) + cl * xl;
    const L = slog1pUnit(sexpNeg(reinterpret<f32>(reinterpret<i32>(x) | 0x80000000)));
    const t = (k * sexp(hi)) * sexp(spmin(lo - L, 1));
    const y = <f32>1.0 / (<f32>1.0 + t);
    const u = sexp(luS(x, sig));
    return (y * y) * (t * (u - a));
  }
  const u = clamp01S(x);
  const r = powPairS(u, <f32>1.0 - u, am1, amh, aml, na, nah, nal, k);
  const t = (r * u) * (<f32>1.0 - u);
  const y = <f32>1.0 / (<f32>1.0 + t);
  const d = (y * y) * (r * (u - a));
  return x != x ? x : (x > 0 && x < 1 ? d : 0);
}

let gA: f64 = 0;
let gB: f64 = 0;

// @ts-ignore: decorator
@inline function sbafFwd(x: usize, y: usize, n: i32, p: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  const k = f32x4.splat(ks), a = f32x4.splat(as), a1 = f32x4.splat(a1s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), sbafV(v128.load(at(x, i)), k, a, a1, sig));
  for (; i < n; i++) store<f32>(at(y, i), sbafS(load<f32>(at(x, i)), ks, as, a1s, sig));
}
// @ts-ignore: decorator
@inline function sbafFwdS(x: usize, y: usize, n: i32, p: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  for (let i = 0; i < n; i++) store<f32>(at(y, i), sbafS(load<f32>(at(x, i)), ks, as, a1s, sig));
}
// @ts-ignore: decorator
@inline function sbafBwd(x: usize, dy: usize, dx: usize, n: i32, p: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  const k = f32x4.splat(ks), a = f32x4.splat(as), a1 = f32x4.splat(a1s);
  // Exponents a - 1 and -a of the clamp policy's r = k u^(a-1) (1-u)^(-a), split exactly for powAcc.
  splitExp(as, -1);
  const am1s: f32 = as - 1, amhs = gNH, amls = gNL;
  splitExp(0, -as);
  const nas: f32 = -as, nahs = gNH, nals = gNL;
  const am1 = f32x4.splat(am1s), amh = f32x4.splat(amhs), aml = f32x4.splat(amls);
  const na = f32x4.splat(nas), nah = f32x4.splat(nahs), nal = f32x4.splat(nals);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), sbafDV(v128.load(at(x, i)), k, a, a1, sig, am1, amh, aml, na, nah, nal)));
  }
  for (; i < n; i++) {
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * sbafDS(load<f32>(at(x, i)), ks, as, a1s, sig, am1s, amhs, amls, nas, nahs, nals));
  }
}
// @ts-ignore: decorator
@inline function sbafBwdS(x: usize, dy: usize, dx: usize, n: i32, p: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  // Exponents a - 1 and -a of the clamp policy's r = k u^(a-1) (1-u)^(-a), split exactly for powAcc.
  splitExp(as, -1);
  const am1s: f32 = as - 1, amhs = gNH, amls = gNL;
  splitExp(0, -as);
  const nas: f32 = -as, nahs = gNH, nals = gNL;
  for (let i = 0; i < n; i++) {
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * sbafDS(load<f32>(at(x, i)), ks, as, a1s, sig, am1s, amhs, amls, nas, nahs, nals));
  }
}

// Per-element gradient terms: A = dy y^2 t / k (negated at the end), B = dy y^2 t (log u - log(1-u)) (negated).
// @ts-ignore: decorator
@inline function sbafPgrad(x: usize, dy: usize, n: i32, p: usize, g: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  const k = f32x4.splat(ks), a = f32x4.splat(as), a1 = f32x4.splat(a1s);
  const z = kload(V_ZERO), one = kload(V_ONE);
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let accA = z, accB = z;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      const xv = v128.load(at(x, i)), d = v128.load(at(dy, i));
      const lu = luV(xv, sig), l1 = l1V(xv, sig);
      const q = vexp(f32x4.add(f32x4.mul(a, lu), f32x4.mul(a1, l1)));
      const t = f32x4.mul(k, q);
      const y = f32x4.div(one, f32x4.add(one, t));
      const yy = f32x4.mul(d, f32x4.mul(y, y));
      const live = f32x4.ne(t, z);
      accA = f32x4.add(accA, v128.and(f32x4.mul(yy, q), live));
      accB = f32x4.add(accB, v128.and(f32x4.mul(f32x4.mul(yy, t), f32x4.sub(lu, l1)), live));
    }
    ta += hsum64(accA);
    tb += hsum64(accB);
  }
  gA = ta; gB = tb;
  for (; i < n; i++) sbafPgradTail(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, as, a1s, sig);
  store<f32>(g, <f32>-gA);
  store<f32>(g, <f32>-gB, 4);
}
// @ts-ignore: decorator
@inline function sbafTermA(x: f32, d: f32, ks: f32, as: f32, a1s: f32, sig: bool): f32 {
  const lu = luS(x, sig), l1 = l1S(x, sig);
  const q = sexp(as * lu + a1s * l1);
  const t = ks * q;
  const y = <f32>1.0 / (<f32>1.0 + t);
  const yy = d * (y * y);
  return t != 0 ? yy * q : 0;
}
// @ts-ignore: decorator
@inline function sbafTermB(x: f32, d: f32, ks: f32, as: f32, a1s: f32, sig: bool): f32 {
  const lu = luS(x, sig), l1 = l1S(x, sig);
  const q = sexp(as * lu + a1s * l1);
  const t = ks * q;
  const y = <f32>1.0 / (<f32>1.0 + t);
  const yy = d * (y * y);
  return t != 0 ? (yy * t) * (lu - l1) : 0;
}
// @ts-ignore: decorator
@inline function sbafPgradTail(x: f32, d: f32, ks: f32, as: f32, a1s: f32, sig: bool): void {
  gA += <f64>sbafTermA(x, d, ks, as, a1s, sig);
  gB += <f64>sbafTermB(x, d, ks, as, a1s, sig);
}
// @ts-ignore: decorator
@inline function sbafPgradS(x: usize, dy: usize, n: i32, p: usize, g: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      a0 += sbafTermA(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, as, a1s, sig);
      a1 += sbafTermA(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ks, as, a1s, sig);
      a2 += sbafTermA(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ks, as, a1s, sig);
      a3 += sbafTermA(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ks, as, a1s, sig);
      b0 += sbafTermB(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, as, a1s, sig);
      b1 += sbafTermB(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ks, as, a1s, sig);
      b2 += sbafTermB(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ks, as, a1s, sig);
      b3 += sbafTermB(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ks, as, a1s, sig);
    }
    ta += <f64>a0 + <f64>a1 + <f64>a2 + <f64>a3;
    tb += <f64>b0 + <f64>b1 + <f64>b2 + <f64>b3;
  }
  gA = ta; gB = tb;
  for (; i < n; i++) sbafPgradTail(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, as, a1s, sig);
  store<f32>(g, <f32>-gA);
  store<f32>(g, <f32>-gB, 4);
}

// ---- sbaf, clamp policy (also 'strict') ---------------------------------------------------------------------------

/** y = 1 / (1 + k u^alpha (1-u)^(1-alpha)), u = clamp(x, 0, 1); p = [k, alpha]. */
export function sbaf_fwd(x: usize, y: usize, n: i32, p: usize): void { sbafFwd(x, y, n, p, false); }
/** Scalar twin of sbaf_fwd. */
export function sbaf_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void { sbafFwdS(x, y, n, p, false); }
/** dx = dy * dsbaf/dx (0 outside (0, 1) and at its ends). */
export function sbaf_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { sbafBwd(x, dy, dx, n, p, false); }
/** Scalar twin of sbaf_bwd. */
export function sbaf_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { sbafBwdS(x, dy, dx, n, p, false); }
/** g = [sum dy dy/dk, sum dy dy/dalpha]. */
export function sbaf_pgrad(x: usize, dy: usize, n: i32, p: usize, g: usize): void { sbafPgrad(x, dy, n, p, g, false); }
/** Scalar twin of sbaf_pgrad. */
export function sbaf_pgrad_scalar(x: usize, dy: usize, n: i32, p: usize, g: usize): void { sbafPgradS(x, dy, n, p, g, false); }

// ---- sbaf, sigmoid policy: u = sigmoid(x) -------------------------------------------------------------------------

/** y = sbaf(sigmoid(x)). */
export function sbaf_sigmoid_fwd(x: usize, y: usize, n: i32, p: usize): void { sbafFwd(x, y, n, p, true); }
/** Scalar twin of sbaf_sigmoid_fwd. */
export function sbaf_sigmoid_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void { sbafFwdS(x, y, n, p, true); }
/** dx = dy * d sbaf(sigmoid(x)) / dx. */
export function sbaf_sigmoid_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { sbafBwd(x, dy, dx, n, p, true); }
/** Scalar twin of sbaf_sigmoid_bwd. */
export function sbaf_sigmoid_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { sbafBwdS(x, dy, dx, n, p, true); }
/** Parameter gradients of sbaf(sigmoid(x)). */
export function sbaf_sigmoid_pgrad(x: usize, dy: usize, n: i32, p: usize, g: usize): void { sbafPgrad(x, dy, n, p, g, true); }
/** Scalar twin of sbaf_sigmoid_pgrad. */
export function sbaf_sigmoid_pgrad_scalar(x: usize, dy: usize, n: i32, p: usize, g: usize): void { sbafPgradS(x, dy, n, p, g, true); }

// ---- arelu {k, n}: y = x > 0 ? k x^n : 0 --------------------------------------------------------------------------

/** x^n for x > 0 (powAcc; x itself when n = 1). Lanes with x <= 0 hold garbage; callers mask them. */
// @ts-ignore: decorator
@inline function powV(x: v128, nv: v128, nh: v128, nl: v128, lin: bool): v128 { return lin ? x : powAccV(x, nv, nh, nl); }
// @ts-ignore: decorator
@inline function powS(x: f32, ns: f32, nh: f32, nl: f32, lin: bool): f32 { return lin ? x : powAccS(x, ns, nh, nl); }

// @ts-ignore: decorator
@inline function areluFwd(x: usize, y: usize, n: i32, p: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4), nhs = nhi(ns), nls: f32 = ns - nhs;
  const kms = coefMant(ks), kes = coefExp(ks);
  const k = f32x4.splat(ks), nv = f32x4.splat(ns), nh = f32x4.splat(nhs), nl = f32x4.splat(nls), z = kload(V_ZERO);
  const km = f32x4.splat(kms), ke = f32x4.splat(kes);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const kp = lin ? f32x4.mul(k, xv) : powAccV(xv, nv, nh, nl, true, km, ke);
    v128.store(at(y, i), nanPass(xv, v128.and(kp, f32x4.gt(xv, z))));
  }
  for (; i < n; i++) store<f32>(at(y, i), areluS(load<f32>(at(x, i)), ks, ns, nhs, nls, kms, kes, lin));
}
/** k x^n for x > 0 (k folded into the power's scale), 0 for x <= 0, NaN passes (scalar). */
// @ts-ignore: decorator
@inline function areluS(xs: f32, ks: f32, ns: f32, nhs: f32, nls: f32, kms: f32, kes: f32, lin: bool): f32 {
  return xs != xs ? xs : (xs > 0 ? (lin ? ks * xs : powAccS(xs, ns, nhs, nls, true, kms, kes)) : 0);
}
/** y = x > 0 ? k x^n : 0; p = [k, n]. */
export function arelu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  if (load<f32>(p, 4) == 1) areluFwd(x, y, n, p, true); else areluFwd(x, y, n, p, false);
}
/** Scalar twin of arelu_fwd. */
export function arelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4), nhs = nhi(ns), nls: f32 = ns - nhs;
  const kms = coefMant(ks), kes = coefExp(ks);
  const lin = ns == 1;
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i));
    store<f32>(at(y, i), lin ? areluS(xs, ks, ns, nhs, nls, kms, kes, true) : areluS(xs, ks, ns, nhs, nls, kms, kes, false));
  }
}

// dy/dx = k n x^(n-1) for x > 0, with k n folded into the power's scale (no overflow of x^(n-1) alone); exactly
// k n when n = 1.
// @ts-ignore: decorator
@inline function areluBwd(x: usize, dy: usize, dx: usize, n: i32, p: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const kns = ks * ns, n1s: f32 = ns - 1;
  splitExp(ns, -1);
  const n1hs = gNH, n1ls = gNL;
  const kn = f32x4.splat(kns), n1 = f32x4.splat(n1s), n1h = f32x4.splat(n1hs), n1l = f32x4.splat(n1ls), z = kload(V_ZERO);
  const knm = f32x4.splat(coefMant(kns)), kne = f32x4.splat(coefExp(kns));
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const s = lin ? kn : powAccV(xv, n1, n1h, n1l, true, knm, kne);
    v128.store(at(dx, i), nanPass(xv, v128.and(f32x4.mul(v128.load(at(dy, i)), s), f32x4.gt(xv, z))));
  }
  for (; i < n; i++) store<f32>(at(dx, i), areluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), kns, n1s, n1hs, n1ls, lin));
}
// @ts-ignore: decorator
@inline function areluBwdS(x: f32, d: f32, kns: f32, n1s: f32, n1hs: f32, n1ls: f32, lin: bool): f32 {
  const s = lin ? kns : powAccS(x, n1s, n1hs, n1ls, true, coefMant(kns), coefExp(kns));
  return x != x ? x : (x > 0 ? d * s : 0);
}
/** dx = x > 0 ? dy k n x^(n-1) : 0 (f'(0) = 0). */
export function arelu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  if (load<f32>(p, 4) == 1) areluBwd(x, dy, dx, n, p, true); else areluBwd(x, dy, dx, n, p, false);
}
/** Scalar twin of arelu_bwd. */
export function arelu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const kns = ks * ns, n1s: f32 = ns - 1;
  splitExp(ns, -1);
  const n1hs = gNH, n1ls = gNL;
  const lin = ns == 1;
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    store<f32>(at(dx, i), lin ? areluBwdS(xs, d, kns, n1s, n1hs, n1ls, true) : areluBwdS(xs, d, kns, n1s, n1hs, n1ls, false));
  }
}

// Terms: dy x^n (for k) and dy k x^n log x (for n), 0 where x <= 0.
// @ts-ignore: decorator
@inline function areluTermK(x: f32, d: f32, ns: f32, nhs: f32, nls: f32, lin: bool): f32 {
  return x > 0 ? d * powS(x, ns, nhs, nls, lin) : 0;
}
// @ts-ignore: decorator
@inline function areluTermN(x: f32, d: f32, ks: f32, ns: f32, nhs: f32, nls: f32, lin: bool): f32 {
  return x > 0 ? d * ((ks * powS(x, ns, nhs, nls, lin)) * slog(x)) : 0;
}
// @ts-ignore: decorator
@inline function areluPgrad(x: usize, dy: usize, n: i32, p: usize, g: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4), nhs = nhi(ns), nls: f32 = ns - nhs;
  const k = f32x4.splat(ks), nv = f32x4.splat(ns), nh = f32x4.splat(nhs), nl = f32x4.splat(nls), z = kload(V_ZERO);
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let accA = z, accB = z;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      const xv = v128.load(at(x, i)), d = v128.load(at(dy, i));
      const pos = f32x4.gt(xv, z);
      const lx = vlog(xv);
      const q = powV(xv, nv, nh, nl, lin);
      accA = f32x4.add(accA, v128.and(f32x4.mul(d, q), pos));
      accB = f32x4.add(accB, v128.and(f32x4.mul(d, f32x4.mul(f32x4.mul(k, q), lx)), pos));
    }
    ta += hsum64(accA);
    tb += hsum64(accB);
  }
  for (; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    ta += <f64>areluTermK(xs, d, ns, nhs, nls, lin);
    tb += <f64>areluTermN(xs, d, ks, ns, nhs, nls, lin);
  }
  store<f32>(g, <f32>ta);
  store<f32>(g, <f32>tb, 4);
}
// @ts-ignore: decorator
@inline function areluPgradS(x: usize, dy: usize, n: i32, p: usize, g: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4), nhs = nhi(ns), nls: f32 = ns - nhs;
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      a0 += areluTermK(load<f32>(at(x, i)), load<f32>(at(dy, i)), ns, nhs, nls, lin);
      a1 += areluTermK(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ns, nhs, nls, lin);
      a2 += areluTermK(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ns, nhs, nls, lin);
      a3 += areluTermK(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ns, nhs, nls, lin);
      b0 += areluTermN(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, ns, nhs, nls, lin);
      b1 += areluTermN(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ks, ns, nhs, nls, lin);
      b2 += areluTermN(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ks, ns, nhs, nls, lin);
      b3 += areluTermN(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ks, ns, nhs, nls, lin);
    }
    ta += <f64>a0 + <f64>a1 + <f64>a2 + <f64>a3;
    tb += <f64>b0 + <f64>b1 + <f64>b2 + <f64>b3;
  }
  for (; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    ta += <f64>areluTermK(xs, d, ns, nhs, nls, lin);
    tb += <f64>areluTermN(xs, d, ks, ns, nhs, nls, lin);
  }
  store<f32>(g, <f32>ta);
  store<f32>(g, <f32>tb, 4);
}
/** g = [sum dy x^n, sum dy k x^n log x] over x > 0. */
export function arelu_pgrad(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  if (load<f32>(p, 4) == 1) areluPgrad(x, dy, n, p, g, true); else areluPgrad(x, dy, n, p, g, false);
}
/** Scalar twin of arelu_pgrad. */
export function arelu_pgrad_scalar(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  if (load<f32>(p, 4) == 1) areluPgradS(x, dy, n, p, g, true); else areluPgradS(x, dy, n, p, g, false);
}
