// The sigmoid family: sigmoid, logSigmoid, hardSigmoid, tanh, softsign. Forward above backward, each SIMD kernel
// next to its scalar twin. Derivatives are computed from e = e^-|x| (or e^-2|x|) in forms without cancellation:
// sigmoid' = e / (1 + e)^2 and tanh' = 4 e / (1 + e)^2 stay accurate where the output rounds to +-1.

import {
  kload, vlogisticd, slogisticd, vsigmoid, ssigmoid, vtanh, stanh, vsoftplus, ssoftplus, spmax, spmin,
  V_ONE, V_ZERO, V_SIGN,
} from '../math';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Where x is NaN return x, otherwise r (SIMD). */
// @ts-ignore: decorator
@inline function nanPass(x: v128, r: v128): v128 { return v128.bitselect(x, r, f32x4.ne(x, x)); }

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
  for (; i + 8 <= n; i += 8) {
    v128.store(at(dx, i), sigmoidBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one, sign));
    v128.store(at(dx, i + 4), sigmoidBwdV(v128.load(at(x, i + 4)), v128.load(at(dy, i + 4)), one, sign));
  }
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
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), f32x4.neg(vsoftplus(f32x4.neg(v128.load(at(x, i))))));
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

// ---- hardSigmoid {slope, offset}: f = clamp(slope x + offset, 0, 1); f' = 0 < slope x + offset < 1 ? slope : 0 -----
// p = [slope, offset]. The piece is chosen by the f32 value of z = slope x + offset (the same z the forward clamps).

// @ts-ignore: decorator
@inline function hsV(x: v128, s: v128, o: v128, z: v128, one: v128): v128 {
  return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(s, x), o), z), one);
}
// @ts-ignore: decorator
@inline function hsS(x: f32, s: f32, o: f32): f32 { return spmin(spmax(s * x + o, 0), 1); }
// @ts-ignore: decorator
@inline function hsBwdV(x: v128, dy: v128, s: v128, o: v128, z: v128, one: v128): v128 {
  const u = f32x4.add(f32x4.mul(s, x), o);
  return nanPass(x, v128.and(f32x4.mul(dy, s), v128.and(f32x4.gt(u, z), f32x4.lt(u, one))));
}
// @ts-ignore: decorator
@inline function hsBwdS(x: f32, dy: f32, s: f32, o: f32): f32 {
  const u = s * x + o;
  return x != x ? x : (u > 0 && u < 1 ? dy * s : 0);
}

/** y = clamp(p[0] x + p[1], 0, 1). */
export function hardSigmoid_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4);
  const s = f32x4.splat(ss), o = f32x4.splat(os), z = kload(V_ZERO), one = kload(V_ONE);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), hsV(v128.load(at(x, i)), s, o, z, one));
  for (; i < n; i++) store<f32>(at(y, i), hsS(load<f32>(at(x, i)), ss, os));
}
/** Scalar twin of hardSigmoid_fwd. */
export function hardSigmoid_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), hsS(load<f32>(at(x, i)), ss, os));
}
/** dx = 0 < p[0] x + p[1] < 1 ? p[0] dy : 0. */
export function hardSigmoid_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4);
  const s = f32x4.splat(ss), o = f32x4.splat(os), z = kload(V_ZERO), one = kload(V_ONE);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), hsBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), s, o, z, one));
  for (; i < n; i++) store<f32>(at(dx, i), hsBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), ss, os));
}
/** Scalar twin of hardSigmoid_bwd. */
export function hardSigmoid_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ss = load<f32>(p), os = load<f32>(p, 4);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), hsBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), ss, os));
}

// ---- tanh: f = tanh(x); f' = 1 - tanh^2 = 4 e / (1 + e)^2 with e = e^-2|x| ----------------------------------------

/** y = tanh(x). */
export function tanh_fwd(x: usize, y: usize, n: i32, p: usize): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store(at(y, i), vtanh(v128.load(at(x, i))));
    v128.store(at(y, i + 4), vtanh(v128.load(at(x, i + 4))));
  }
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
  for (; i + 8 <= n; i += 8) {
    v128.store(at(dx, i), tanhBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one, m2, four));
    v128.store(at(dx, i + 4), tanhBwdV(v128.load(at(x, i + 4)), v128.load(at(dy, i + 4)), one, m2, four));
  }
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), tanhBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), one, m2, four));
  for (; i < n; i++) store<f32>(at(dx, i), tanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of tanh_bwd. */
export function tanh_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), tanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
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
