// The exponential-linear family: elu, celu, selu. Forward above backward, each SIMD kernel next to its scalar twin.
// f(x) = x (times lambda for selu) for x > 0 and a scaled expm1 below; the negative piece takes min(x, 0), so exp
// and expm1 never see a positive argument (no overflow path) and NaN passes through the x > 0 select.
// f'(0): the derivative of the x <= 0 piece (alpha for elu and selu's lambda alpha, 1 for celu), as PyTorch does.

import { kload, vexpNeg, sexpNeg, vexpm1core, sexpm1core, vhi12, shi12, vmadd, smadd, V_ZERO, V_ONE, spmin, spmax } from '../math';
import { at } from './common';


// ---- elu {alpha}: f = x > 0 ? x : alpha expm1(x); f' = x > 0 ? 1 : alpha e^x ------------------------------------
// p = [alpha]

// The forward adds the pieces instead of selecting: max(x, 0) + alpha expm1(min(x, 0)), one of them zero (pmax and
// pmin pass NaN; expm1(+-0) = +0): two vector operations instead of a compare and a bitselect (4 on x64), +8%. The
// bits are those of the select except the sign of a zero result for alpha < 0 at x = +0 (+0, was -0). An alpha that
// is infinite in f32 (a finite parameter beyond 3.4e38) would give Inf * 0 = NaN for x > 0: such calls take eluInfS.
// @ts-ignore: decorator
@inline function eluV(x: v128, a: v128, z: v128): v128 {
  return f32x4.add(f32x4.pmax(x, z), f32x4.mul(a, vexpm1core(f32x4.pmin(x, z))));
}
// @ts-ignore: decorator
@inline function eluS(x: f32, a: f32): f32 { return spmax(x, 0) + a * sexpm1core(spmin(x, 0)); }
/** elu for an infinite alpha: x for x > 0, -alpha (alpha e^x - alpha) for x < 0, alpha * 0 = NaN at 0 and for NaN. */
// @ts-ignore: decorator
@inline function eluInfS(x: f32, a: f32): f32 { return x > 0 ? x : (x < 0 ? -a : a * 0 * x); }
// @ts-ignore: decorator
@inline function eluBwdV(x: v128, dy: v128, a: v128, z: v128): v128 {
  return v128.bitselect(dy, f32x4.mul(dy, f32x4.mul(a, vexpNeg(f32x4.pmin(x, z)))), f32x4.gt(x, z));
}
// @ts-ignore: decorator
@inline function eluBwdS(x: f32, dy: f32, a: f32): f32 { return x > 0 ? dy : dy * (a * sexpNeg(spmin(x, 0))); }

/** y = x > 0 ? x : p[0] expm1(x). */
export function elu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p), a = f32x4.splat(as), z = kload(V_ZERO);
  let i = 0;
  if (abs<f32>(as) == Infinity) {
    for (; i < n; i++) store<f32>(at(y, i), eluInfS(load<f32>(at(x, i)), as));
    return;
  }
  for (; i + 8 <= n; i += 8) {
    v128.store(at(y, i), eluV(v128.load(at(x, i)), a, z));
    v128.store(at(y, i + 4), eluV(v128.load(at(x, i + 4)), a, z));
  }
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), eluV(v128.load(at(x, i)), a, z));
  for (; i < n; i++) store<f32>(at(y, i), eluS(load<f32>(at(x, i)), as));
}
/** Scalar twin of elu_fwd. */
export function elu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p), inf = abs<f32>(as) == Infinity;
  for (let i = 0; i < n; i++) store<f32>(at(y, i), inf ? eluInfS(load<f32>(at(x, i)), as) : eluS(load<f32>(at(x, i)), as));
}
/** dx = x > 0 ? dy : dy p[0] e^x. */
export function elu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p), a = f32x4.splat(as), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), eluBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), a, z));
  for (; i < n; i++) store<f32>(at(dx, i), eluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as));
}
/** Scalar twin of elu_bwd. */
export function elu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), eluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as));
}

// ---- celu {alpha > 0}: f = max(0, x) + min(0, alpha expm1(x / alpha)); f' = x > 0 ? 1 : e^(x / alpha) ------------
// For x > 0 the second term is 0 and for x <= 0 the first is, so f = x > 0 ? x : alpha expm1(x / alpha).
// p = [alpha]. x / alpha is a true division (not x times 1/alpha: one rounding fewer).

// @ts-ignore: decorator
@inline function celuV(x: v128, a: v128, z: v128): v128 {
  return v128.bitselect(x, f32x4.mul(a, vexpm1core(f32x4.div(f32x4.pmin(x, z), a))), f32x4.gt(x, z));
}
// @ts-ignore: decorator
@inline function celuS(x: f32, a: f32): f32 { return x > 0 ? x : a * sexpm1core(spmin(x, 0) / a); }
// Backward: e^(x/alpha) is ill-conditioned in its argument (condition number |x/alpha|), so rounding the quotient
// q = x/alpha costs |q|/2 ulps. So q = x (1/alpha) (no division; its error is recovered next), r = x - q alpha
// exactly enough (Dekker splitting into 12-bit halves, so every product is exact), d = r (1/alpha), and
// e^(x/alpha) = e^q (1 + d) = e^q d + e^q.
// |d| < 1 always holds for finite q; otherwise (x = -Inf, q overflowed) d is set to 0.
// @ts-ignore: decorator
@inline function celuBwdV(x: v128, dy: v128, a: v128, ra: v128, ah: v128, al: v128, z: v128, one: v128): v128 {
  const xn = f32x4.pmin(x, z);
  const q = f32x4.mul(xn, ra);
  const qh = vhi12(q), ql = f32x4.sub(q, qh);
  let r = f32x4.sub(xn, f32x4.mul(qh, ah));
  r = f32x4.sub(r, f32x4.mul(qh, al));
  r = f32x4.sub(r, f32x4.mul(ql, ah));
  r = f32x4.sub(r, f32x4.mul(ql, al));
  let d = f32x4.mul(r, ra);
  d = v128.and(d, f32x4.lt(f32x4.abs(d), one));
  const e = vexpNeg(q);
  return v128.bitselect(dy, f32x4.mul(dy, vmadd(e, d, e)), f32x4.gt(x, z));
}
// @ts-ignore: decorator
@inline function celuBwdS(x: f32, dy: f32, a: f32, ra: f32, ah: f32, al: f32): f32 {
  const xn = spmin(x, 0);
  const q = xn * ra;
  const qh = shi12(q), ql = q - qh;
  let r = xn - qh * ah;
  r = r - qh * al;
  r = r - ql * ah;
  r = r - ql * al;
  let d = r * ra;
  if (!(abs<f32>(d) < 1)) d = 0;
  const e = sexpNeg(q);
  return x > 0 ? dy : dy * smadd(e, d, e);
}

/** y = x > 0 ? x : p[0] expm1(x / p[0]). */
export function celu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p), a = f32x4.splat(as), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), celuV(v128.load(at(x, i)), a, z));
  for (; i < n; i++) store<f32>(at(y, i), celuS(load<f32>(at(x, i)), as));
}
/** Scalar twin of celu_fwd. */
export function celu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), celuS(load<f32>(at(x, i)), as));
}
/** dx = x > 0 ? dy : dy e^(x / p[0]). */
export function celu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p), ras = <f32>1.0 / as, ahs = shi12(as), als = as - ahs;
  const a = f32x4.splat(as), ra = f32x4.splat(ras), ah = f32x4.splat(ahs), al = f32x4.splat(als);
  const z = kload(V_ZERO), one = kload(V_ONE);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(at(dx, i), celuBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), a, ra, ah, al, z, one));
  }
  for (; i < n; i++) store<f32>(at(dx, i), celuBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as, ras, ahs, als));
}
/** Scalar twin of celu_bwd. */
export function celu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p), ras = <f32>1.0 / as, ahs = shi12(as), als = as - ahs;
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), celuBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as, ras, ahs, als));
}

// ---- selu: f = lambda (x > 0 ? x : alpha expm1(x)); f' = lambda (x > 0 ? 1 : alpha e^x) -------------------------
// Klambauer, Unterthiner, Mayr and Hochreiter 2017: lambda = 1.0507009873554804934..., alpha = 1.6732632423543772848...
// Both products lambda and lambda alpha are rounded to f32 once (0.5 ulp each).

const SELU_L = memory.data<f32>([1.0507009873554805, 1.0507009873554805, 1.0507009873554805, 1.0507009873554805], 16);
// lambda * alpha = 1.7580993408473768599...
const SELU_LA = memory.data<f32>([1.7580993408473769, 1.7580993408473769, 1.7580993408473769, 1.7580993408473769], 16);

// @ts-ignore: decorator
@inline function seluV(x: v128, l: v128, la: v128, z: v128): v128 {
  return v128.bitselect(f32x4.mul(l, x), f32x4.mul(la, vexpm1core(f32x4.pmin(x, z))), f32x4.gt(x, z));
}
// @ts-ignore: decorator
@inline function seluS(x: f32): f32 { return x > 0 ? load<f32>(SELU_L) * x : load<f32>(SELU_LA) * sexpm1core(spmin(x, 0)); }
// @ts-ignore: decorator
@inline function seluBwdV(x: v128, dy: v128, l: v128, la: v128, z: v128): v128 {
  return v128.bitselect(f32x4.mul(dy, l), f32x4.mul(dy, f32x4.mul(la, vexpNeg(f32x4.pmin(x, z)))), f32x4.gt(x, z));
}
// @ts-ignore: decorator
@inline function seluBwdS(x: f32, dy: f32): f32 {
  return x > 0 ? dy * load<f32>(SELU_L) : dy * (load<f32>(SELU_LA) * sexpNeg(spmin(x, 0)));
}

/** y = selu(x). */
export function selu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const l = kload(SELU_L), la = kload(SELU_LA), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), seluV(v128.load(at(x, i)), l, la, z));
  for (; i < n; i++) store<f32>(at(y, i), seluS(load<f32>(at(x, i))));
}
/** Scalar twin of selu_fwd. */
export function selu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), seluS(load<f32>(at(x, i))));
}
/** dx = dy selu'(x). */
export function selu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const l = kload(SELU_L), la = kload(SELU_LA), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), seluBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), l, la, z));
  for (; i < n; i++) store<f32>(at(dx, i), seluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of selu_bwd. */
export function selu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), seluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
