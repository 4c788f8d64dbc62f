// Research activations of the Saha / Bora group: sbaf and arelu. Each SIMD kernel sits next to its scalar twin.
//
// sbaf {k, alpha}: y = 1 / (1 + t), t = k u^alpha (1-u)^(1-alpha), real only for u in [0, 1].
//   u^a (1-u)^(1-a) = exp(a log u + (1-a) log1p(-u)); at u = 0 and u = 1 the exponent is -Inf, t = 0 and y = 1
//   exactly (the limits). Domain policies pick u (and the kernel family):
//   - clamp (sbaf_*; also used by 'strict', whose host rejects inputs outside [0, 1]): u = min(max(x, 0), 1),
//     du/dx = 1 on (0, 1) and 0 elsewhere. At u = 0 and u = 1 the one-sided derivatives are -Inf and +Inf; the
//     kernels return 0 there (the endpoints belong to the flat, clamped pieces, as relu'(0) = 0), so a gradient
//     step never sees an infinity. Inside (0, 1): dy/dx = y^2 r (u - a), r = k u^(a-1) (1-u)^(-a), computed as
//     k exp((a-1) log u - a log1p(-u)) so tiny u never divides by a subnormal.
//   - sigmoid (sbaf_sigmoid_*): u = sigmoid(x), log u = -softplus(-x), log(1-u) = -softplus(x) (both accurate for
//     every x), and by the chain rule dy/dx = y^2 t (u - a) (the u (1-u) factors cancel).
//   Parameter gradients: dy/dk = -y^2 t / k, dy/dalpha = -y^2 t (log u - log(1-u)); both 0 where t = 0.
//   p = [k, alpha].
//
// arelu {k, n}: y = x > 0 ? k x^n : 0, x^n = exp(n log x) (n = 1 is computed as k x exactly).
//   dy/dx = x > 0 ? k n x^(n-1) : 0, with f'(0) = 0 returned for every n (it is the true derivative for n > 1,
//   the left derivative for n = 1, and for n < 1 the right derivative is +Inf). dy/dk = x^n, dy/dn = k x^n log x
//   for x > 0, 0 otherwise. p = [k, n].
//
// Parameter gradients sum blocks of 1024 elements in 4 f32 lanes and fold every block into an f64 total in a
// fixed order (lane 0..3); the scalar twins emulate the same order, so the bits match.

import { kload, vexp, sexp, vlog, slog, vlog1p, slog1p, vsoftplus, ssoftplus, spmax, spmin, V_ZERO, V_ONE } from '../math';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Where x is NaN return x, otherwise r (SIMD). */
// @ts-ignore: decorator
@inline function nanPass(x: v128, r: v128): v128 { return v128.bitselect(x, r, f32x4.ne(x, x)); }

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
@inline function sbafDV(x: v128, k: v128, a: v128, a1: v128, sig: bool): v128 {
  const one = kload(V_ONE);
  const lu = luV(x, sig), l1 = l1V(x, sig);
  if (sig) {
    const t = f32x4.mul(k, vexp(f32x4.add(f32x4.mul(a, lu), f32x4.mul(a1, l1))));
    const y = f32x4.div(one, f32x4.add(one, t));
    const u = vexp(lu);
    return f32x4.mul(f32x4.mul(y, y), f32x4.mul(t, f32x4.sub(u, a)));
  }
  const u = clamp01V(x);
  const r = f32x4.mul(k, vexp(f32x4.neg(f32x4.add(f32x4.mul(a1, lu), f32x4.mul(a, l1)))));
  const t = f32x4.mul(f32x4.mul(r, u), f32x4.sub(one, u));
  const y = f32x4.div(one, f32x4.add(one, t));
  const d = f32x4.mul(f32x4.mul(y, y), f32x4.mul(r, f32x4.sub(u, a)));
  return nanPass(x, v128.and(d, v128.and(f32x4.gt(x, kload(V_ZERO)), f32x4.lt(x, one))));
}
// @ts-ignore: decorator
@inline function sbafDS(x: f32, k: f32, a: f32, a1: f32, sig: bool): f32 {
  const lu = luS(x, sig), l1 = l1S(x, sig);
  if (sig) {
    const t = k * sexp(a * lu + a1 * l1);
    const y = <f32>1.0 / (<f32>1.0 + t);
    const u = sexp(lu);
    return (y * y) * (t * (u - a));
  }
  const u = clamp01S(x);
  const r = k * sexp(-(a1 * lu + a * l1));
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
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), sbafDV(v128.load(at(x, i)), k, a, a1, sig)));
  }
  for (; i < n; i++) store<f32>(at(dx, i), load<f32>(at(dy, i)) * sbafDS(load<f32>(at(x, i)), ks, as, a1s, sig));
}
// @ts-ignore: decorator
@inline function sbafBwdS(x: usize, dy: usize, dx: usize, n: i32, p: usize, sig: bool): void {
  const ks = load<f32>(p), as = load<f32>(p, 4), a1s: f32 = <f32>1.0 - as;
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), load<f32>(at(dy, i)) * sbafDS(load<f32>(at(x, i)), ks, as, a1s, sig));
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
    ta += <f64>f32x4.extract_lane(accA, 0) + <f64>f32x4.extract_lane(accA, 1)
        + <f64>f32x4.extract_lane(accA, 2) + <f64>f32x4.extract_lane(accA, 3);
    tb += <f64>f32x4.extract_lane(accB, 0) + <f64>f32x4.extract_lane(accB, 1)
        + <f64>f32x4.extract_lane(accB, 2) + <f64>f32x4.extract_lane(accB, 3);
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

/** x^n for x > 0 (exp(n log x); x itself when n = 1). Lanes with x <= 0 hold garbage; callers mask them. */
// @ts-ignore: decorator
@inline function powV(x: v128, nv: v128, lin: bool): v128 { return lin ? x : vexp(f32x4.mul(nv, vlog(x))); }
// @ts-ignore: decorator
@inline function powS(x: f32, ns: f32, lin: bool): f32 { return lin ? x : sexp(ns * slog(x)); }

// @ts-ignore: decorator
@inline function areluFwd(x: usize, y: usize, n: i32, p: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const k = f32x4.splat(ks), nv = f32x4.splat(ns), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    v128.store(at(y, i), nanPass(xv, v128.and(f32x4.mul(k, powV(xv, nv, lin)), f32x4.gt(xv, z))));
  }
  for (; i < n; i++) {
    const xs = load<f32>(at(x, i));
    store<f32>(at(y, i), xs != xs ? xs : (xs > 0 ? ks * powS(xs, ns, lin) : 0));
  }
}
/** y = x > 0 ? k x^n : 0; p = [k, n]. */
export function arelu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  if (load<f32>(p, 4) == 1) areluFwd(x, y, n, p, true); else areluFwd(x, y, n, p, false);
}
/** Scalar twin of arelu_fwd. */
export function arelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const lin = ns == 1;
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i));
    store<f32>(at(y, i), xs != xs ? xs : (xs > 0 ? ks * (lin ? xs : powS(xs, ns, false)) : 0));
  }
}

// dy/dx = k n x^(n-1) = (k n) exp((n - 1) log x) for x > 0; exactly k n when n = 1.
// @ts-ignore: decorator
@inline function areluBwd(x: usize, dy: usize, dx: usize, n: i32, p: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const kns = ks * ns, n1s: f32 = ns - 1;
  const kn = f32x4.splat(kns), n1 = f32x4.splat(n1s), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const s = lin ? kn : f32x4.mul(kn, vexp(f32x4.mul(n1, vlog(xv))));
    v128.store(at(dx, i), nanPass(xv, v128.and(f32x4.mul(v128.load(at(dy, i)), s), f32x4.gt(xv, z))));
  }
  for (; i < n; i++) store<f32>(at(dx, i), areluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), kns, n1s, lin));
}
// @ts-ignore: decorator
@inline function areluBwdS(x: f32, d: f32, kns: f32, n1s: f32, lin: bool): f32 {
  const s = lin ? kns : kns * sexp(n1s * slog(x));
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
  const lin = ns == 1;
  for (let i = 0; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    store<f32>(at(dx, i), lin ? areluBwdS(xs, d, kns, n1s, true) : areluBwdS(xs, d, kns, n1s, false));
  }
}

// Terms: dy x^n (for k) and dy k x^n log x (for n), 0 where x <= 0.
// @ts-ignore: decorator
@inline function areluTermK(x: f32, d: f32, ns: f32, lin: bool): f32 { return x > 0 ? d * powS(x, ns, lin) : 0; }
// @ts-ignore: decorator
@inline function areluTermN(x: f32, d: f32, ks: f32, ns: f32, lin: bool): f32 {
  return x > 0 ? d * ((ks * powS(x, ns, lin)) * slog(x)) : 0;
}
// @ts-ignore: decorator
@inline function areluPgrad(x: usize, dy: usize, n: i32, p: usize, g: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  const k = f32x4.splat(ks), nv = f32x4.splat(ns), z = kload(V_ZERO);
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let accA = z, accB = z;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      const xv = v128.load(at(x, i)), d = v128.load(at(dy, i));
      const pos = f32x4.gt(xv, z);
      const lx = vlog(xv);
      const q = lin ? xv : vexp(f32x4.mul(nv, lx));
      accA = f32x4.add(accA, v128.and(f32x4.mul(d, q), pos));
      accB = f32x4.add(accB, v128.and(f32x4.mul(d, f32x4.mul(f32x4.mul(k, q), lx)), pos));
    }
    ta += <f64>f32x4.extract_lane(accA, 0) + <f64>f32x4.extract_lane(accA, 1)
        + <f64>f32x4.extract_lane(accA, 2) + <f64>f32x4.extract_lane(accA, 3);
    tb += <f64>f32x4.extract_lane(accB, 0) + <f64>f32x4.extract_lane(accB, 1)
        + <f64>f32x4.extract_lane(accB, 2) + <f64>f32x4.extract_lane(accB, 3);
  }
  for (; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    ta += <f64>areluTermK(xs, d, ns, lin);
    tb += <f64>areluTermN(xs, d, ks, ns, lin);
  }
  store<f32>(g, <f32>ta);
  store<f32>(g, <f32>tb, 4);
}
// @ts-ignore: decorator
@inline function areluPgradS(x: usize, dy: usize, n: i32, p: usize, g: usize, lin: bool): void {
  const ks = load<f32>(p), ns = load<f32>(p, 4);
  let ta: f64 = 0, tb: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
    let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      a0 += areluTermK(load<f32>(at(x, i)), load<f32>(at(dy, i)), ns, lin);
      a1 += areluTermK(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ns, lin);
      a2 += areluTermK(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ns, lin);
      a3 += areluTermK(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ns, lin);
      b0 += areluTermN(load<f32>(at(x, i)), load<f32>(at(dy, i)), ks, ns, lin);
      b1 += areluTermN(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)), ks, ns, lin);
      b2 += areluTermN(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)), ks, ns, lin);
      b3 += areluTermN(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)), ks, ns, lin);
    }
    ta += <f64>a0 + <f64>a1 + <f64>a2 + <f64>a3;
    tb += <f64>b0 + <f64>b1 + <f64>b2 + <f64>b3;
  }
  for (; i < n; i++) {
    const xs = load<f32>(at(x, i)), d = load<f32>(at(dy, i));
    ta += <f64>areluTermK(xs, d, ns, lin);
    tb += <f64>areluTermN(xs, d, ks, ns, lin);
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
