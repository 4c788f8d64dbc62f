// The piecewise-linear family: linear, relu, relu6, leakyRelu, prelu, hardTanh, hardShrink, softShrink.
// Each kernel sits next to its scalar twin; forward above backward above the parameter gradient.
// Backward of a piecewise-linear function selects: dx = (x in the sloped piece) ? slope * dy : 0 — at a kink the
// derivative is the one of the piece on the left (relu'(0) = 0), and a NaN in x propagates to dx.

import { kload, V_ZERO, spmax, spmin } from '../math';
import { at, nanPass } from './common';



// ---- linear: f(x) = x, f'(x) = 1 ------------------------------------------------------------------------------

/** y = x (a copy; in place is a no-op). */
export function linear_fwd(x: usize, y: usize, n: i32, p: usize): void {
  if (x != y) memory.copy(y, x, <usize>n << 2);
}
/** dx = dy. */
export function linear_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  if (dx != dy) memory.copy(dx, dy, <usize>n << 2);
}
/** Scalar twin of linear_fwd. */
export function linear_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), load<f32>(at(x, i)));
}
/** Scalar twin of linear_bwd. */
export function linear_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), load<f32>(at(dy, i)));
}

// ---- relu: f(x) = max(0, x), f'(x) = x > 0 ? 1 : 0 (f'(0) = 0) -------------------------------------------------
// relu(-0) = +0: pmax keeps -0, and adding +0 turns it into +0 while NaN passes through.

// @ts-ignore: decorator
@inline function reluV(x: v128, z: v128): v128 { return f32x4.add(f32x4.pmax(x, z), z); }
// @ts-ignore: decorator
@inline function reluS(x: f32): f32 { return spmax(x, 0) + 0; }

/** y = max(0, x). */
export function relu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const z = kload(V_ZERO);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    v128.store(at(y, i), reluV(v128.load(at(x, i)), z));
    v128.store(at(y, i + 4), reluV(v128.load(at(x, i + 4)), z));
  }
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), reluV(v128.load(at(x, i)), z));
  for (; i < n; i++) store<f32>(at(y, i), reluS(load<f32>(at(x, i))));
}
/** Scalar twin of relu_fwd. */
export function relu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), reluS(load<f32>(at(x, i))));
}

// p = [subgradient]: the value used for f'(0) (0 by default, as in PyTorch and TensorFlow).
// @ts-ignore: decorator
@inline function reluBwdV(x: v128, dy: v128, z: v128, g0: v128): v128 {
  const atZero = v128.and(f32x4.mul(dy, g0), f32x4.eq(x, z));
  return nanPass(x, v128.bitselect(dy, atZero, f32x4.gt(x, z)));
}
// @ts-ignore: decorator
@inline function reluBwdS(x: f32, dy: f32, g0: f32): f32 { return x != x ? x : (x > 0 ? dy : (x == 0 ? dy * g0 : 0)); }

/** dx = x > 0 ? dy : (x == 0 ? dy p[0] : 0). */
export function relu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const z = kload(V_ZERO), g0s = load<f32>(p), g0 = f32x4.splat(g0s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), reluBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), z, g0));
  for (; i < n; i++) store<f32>(at(dx, i), reluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), g0s));
}
/** Scalar twin of relu_bwd. */
export function relu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const g0s = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), reluBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), g0s));
}

// ---- relu6: f(x) = min(max(0, x), 6), f'(x) = 0 < x < 6 ? 1 : 0 ---------------------------------------------------

const SIX = memory.data<f32>([6, 6, 6, 6], 16);

// @ts-ignore: decorator
@inline function relu6V(x: v128, z: v128, six: v128): v128 { return f32x4.add(f32x4.pmin(f32x4.pmax(x, z), six), z); }
// @ts-ignore: decorator
@inline function relu6S(x: f32): f32 { return spmin(spmax(x, 0), 6) + 0; }

/** y = min(max(0, x), 6). */
export function relu6_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const z = kload(V_ZERO), six = kload(SIX);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), relu6V(v128.load(at(x, i)), z, six));
  for (; i < n; i++) store<f32>(at(y, i), relu6S(load<f32>(at(x, i))));
}
/** Scalar twin of relu6_fwd. */
export function relu6_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(y, i), relu6S(load<f32>(at(x, i))));
}

// @ts-ignore: decorator
@inline function relu6BwdV(x: v128, dy: v128, z: v128, six: v128): v128 {
  return nanPass(x, v128.and(dy, v128.and(f32x4.gt(x, z), f32x4.lt(x, six))));
}
// @ts-ignore: decorator
@inline function relu6BwdS(x: f32, dy: f32): f32 { return x != x ? x : (x > 0 && x < 6 ? dy : 0); }

/** dx = 0 < x < 6 ? dy : 0. */
export function relu6_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const z = kload(V_ZERO), six = kload(SIX);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), relu6BwdV(v128.load(at(x, i)), v128.load(at(dy, i)), z, six));
  for (; i < n; i++) store<f32>(at(dx, i), relu6BwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}
/** Scalar twin of relu6_bwd. */
export function relu6_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), relu6BwdS(load<f32>(at(x, i)), load<f32>(at(dy, i))));
}

// ---- hardTanh {minVal, maxVal}: f(x) = min(max(x, minVal), maxVal), f' = minVal < x < maxVal ? 1 : 0 --------------
// p = [minVal, maxVal]

// @ts-ignore: decorator
@inline function hardTanhV(x: v128, lo: v128, hi: v128): v128 { return f32x4.pmin(f32x4.pmax(x, lo), hi); }
// @ts-ignore: decorator
@inline function hardTanhS(x: f32, lo: f32, hi: f32): f32 { return spmin(spmax(x, lo), hi); }

/** y = clamp(x, p[0], p[1]). */
export function hardTanh_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const los = load<f32>(p), his = load<f32>(p, 4);
  const lo = f32x4.splat(los), hi = f32x4.splat(his);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), hardTanhV(v128.load(at(x, i)), lo, hi));
  for (; i < n; i++) store<f32>(at(y, i), hardTanhS(load<f32>(at(x, i)), los, his));
}
/** Scalar twin of hardTanh_fwd. */
export function hardTanh_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const los = load<f32>(p), his = load<f32>(p, 4);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), hardTanhS(load<f32>(at(x, i)), los, his));
}

// @ts-ignore: decorator
@inline function hardTanhBwdV(x: v128, dy: v128, lo: v128, hi: v128): v128 {
  return nanPass(x, v128.and(dy, v128.and(f32x4.gt(x, lo), f32x4.lt(x, hi))));
}
// @ts-ignore: decorator
@inline function hardTanhBwdS(x: f32, dy: f32, lo: f32, hi: f32): f32 { return x != x ? x : (x > lo && x < hi ? dy : 0); }

/** dx = p[0] < x < p[1] ? dy : 0. */
export function hardTanh_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const los = load<f32>(p), his = load<f32>(p, 4);
  const lo = f32x4.splat(los), hi = f32x4.splat(his);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), hardTanhBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), lo, hi));
  for (; i < n; i++) store<f32>(at(dx, i), hardTanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), los, his));
}
/** Scalar twin of hardTanh_bwd. */
export function hardTanh_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const los = load<f32>(p), his = load<f32>(p, 4);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), hardTanhBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), los, his));
}

// ---- hardShrink {lambda}: f(x) = |x| > lambda ? x : 0, f' = |x| > lambda ? 1 : 0 --------------------------------
// p = [lambda], lambda >= 0. The band [-lambda, lambda] maps to +0 (so does -0); a NaN passes through.

// @ts-ignore: decorator
@inline function hardShrinkV(x: v128, l: v128): v128 { return v128.andnot(x, f32x4.le(f32x4.abs(x), l)); }
// @ts-ignore: decorator
@inline function hardShrinkS(x: f32, l: f32): f32 { return abs<f32>(x) <= l ? 0 : x; }
// @ts-ignore: decorator
@inline function hardShrinkBwdV(x: v128, dy: v128, l: v128): v128 { return nanPass(x, v128.and(dy, f32x4.gt(f32x4.abs(x), l))); }
// @ts-ignore: decorator
@inline function hardShrinkBwdS(x: f32, dy: f32, l: f32): f32 { return x != x ? x : (abs<f32>(x) > l ? dy : 0); }

/** y = |x| > p[0] ? x : 0. */
export function hardShrink_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  const l = f32x4.splat(ls);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), hardShrinkV(v128.load(at(x, i)), l));
  for (; i < n; i++) store<f32>(at(y, i), hardShrinkS(load<f32>(at(x, i)), ls));
}
/** Scalar twin of hardShrink_fwd. */
export function hardShrink_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), hardShrinkS(load<f32>(at(x, i)), ls));
}
/** dx = |x| > p[0] ? dy : 0. */
export function hardShrink_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  const l = f32x4.splat(ls);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), hardShrinkBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), l));
  for (; i < n; i++) store<f32>(at(dx, i), hardShrinkBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), ls));
}
/** Scalar twin of hardShrink_bwd. */
export function hardShrink_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), hardShrinkBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), ls));
}

// ---- softShrink {lambda}: f(x) = x > lambda ? x - lambda : (x < -lambda ? x + lambda : 0) ------------------------
// p = [lambda], lambda >= 0. f' = |x| > lambda ? 1 : 0 (0 at x = +-lambda), the backward of hardShrink. The band
// maps to +0 (so does -0); x -+ lambda is one f32 subtraction, exact as the f32 rounding of the real difference.

// @ts-ignore: decorator
@inline function softShrinkV(x: v128, l: v128, z: v128): v128 {
  const t = v128.bitselect(f32x4.sub(x, l), f32x4.add(x, l), f32x4.gt(x, z)); // a NaN takes x + lambda: NaN
  return v128.andnot(t, f32x4.le(f32x4.abs(x), l));
}
// @ts-ignore: decorator
@inline function softShrinkS(x: f32, l: f32): f32 { return abs<f32>(x) <= l ? 0 : (x > 0 ? x - l : x + l); }

/** y = x > p[0] ? x - p[0] : x < -p[0] ? x + p[0] : 0. */
export function softShrink_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  const l = f32x4.splat(ls), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), softShrinkV(v128.load(at(x, i)), l, z));
  for (; i < n; i++) store<f32>(at(y, i), softShrinkS(load<f32>(at(x, i)), ls));
}
/** Scalar twin of softShrink_fwd. */
export function softShrink_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const ls = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), softShrinkS(load<f32>(at(x, i)), ls));
}
/** dx = |x| > p[0] ? dy : 0. */
export function softShrink_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  hardShrink_bwd(x, dy, dx, n, p);
}
/** Scalar twin of softShrink_bwd. */
export function softShrink_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  hardShrink_bwd_scalar(x, dy, dx, n, p);
}

// ---- leakyRelu {slope} and prelu {alpha}: f(x) = x > 0 ? x : a x, f'(x) = x > 0 ? 1 : a ---------------------------
// leakyRelu and shared prelu: p = [a]. Per-unit prelu (prelu_pu_*): rows x cols, p = a[cols].
// df/da = x > 0 ? 0 : x.

// @ts-ignore: decorator
@inline function leakyV(x: v128, a: v128, z: v128): v128 { return v128.bitselect(x, f32x4.mul(x, a), f32x4.gt(x, z)); }
// @ts-ignore: decorator
@inline function leakyS(x: f32, a: f32): f32 { return x > 0 ? x : x * a; }
// @ts-ignore: decorator
@inline function leakyBwdV(x: v128, dy: v128, a: v128, z: v128): v128 {
  return nanPass(x, v128.bitselect(dy, f32x4.mul(dy, a), f32x4.gt(x, z)));
}
// @ts-ignore: decorator
@inline function leakyBwdS(x: f32, dy: f32, a: f32): f32 { return x != x ? x : (x > 0 ? dy : dy * a); }

/** y = x > 0 ? x : p[0] x. */
export function leakyRelu_fwd(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p), a = f32x4.splat(as), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), leakyV(v128.load(at(x, i)), a, z));
  for (; i < n; i++) store<f32>(at(y, i), leakyS(load<f32>(at(x, i)), as));
}
/** Scalar twin of leakyRelu_fwd. */
export function leakyRelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void {
  const as = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(y, i), leakyS(load<f32>(at(x, i)), as));
}
/** dx = x > 0 ? dy : p[0] dy. */
export function leakyRelu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p), a = f32x4.splat(as), z = kload(V_ZERO);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dx, i), leakyBwdV(v128.load(at(x, i)), v128.load(at(dy, i)), a, z));
  for (; i < n; i++) store<f32>(at(dx, i), leakyBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as));
}
/** Scalar twin of leakyRelu_bwd. */
export function leakyRelu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void {
  const as = load<f32>(p);
  for (let i = 0; i < n; i++) store<f32>(at(dx, i), leakyBwdS(load<f32>(at(x, i)), load<f32>(at(dy, i)), as));
}

/** prelu with one shared alpha: the same function as leakyRelu, with a trainable slope. */
export function prelu_fwd(x: usize, y: usize, n: i32, p: usize): void { leakyRelu_fwd(x, y, n, p); }
/** Scalar twin of prelu_fwd. */
export function prelu_fwd_scalar(x: usize, y: usize, n: i32, p: usize): void { leakyRelu_fwd_scalar(x, y, n, p); }
/** Backward of prelu (shared alpha). */
export function prelu_bwd(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { leakyRelu_bwd(x, dy, dx, n, p); }
/** Scalar twin of prelu_bwd. */
export function prelu_bwd_scalar(x: usize, dy: usize, dx: usize, n: i32, p: usize): void { leakyRelu_bwd_scalar(x, dy, dx, n, p); }

// @ts-ignore: decorator
@inline function preluGradV(x: v128, dy: v128, z: v128): v128 { return v128.andnot(f32x4.mul(dy, x), f32x4.gt(x, z)); }
// @ts-ignore: decorator
@inline function preluGradS(x: f32, dy: f32): f32 { return x > 0 ? 0 : dy * x; }

/** g[0] = sum over x <= 0 of dy x (the gradient of the shared alpha); 4 lane sums, folded in a fixed order. */
export function prelu_pgrad(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  const z = kload(V_ZERO);
  let total: f64 = 0;
  let i = 0;
  // Blocks of 1024 accumulate in f32x4 lanes, then fold into an f64 total: accurate and deterministic.
  while (i + 4 <= n) {
    let acc = z;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) acc = f32x4.add(acc, preluGradV(v128.load(at(x, i)), v128.load(at(dy, i)), z));
    total += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1)
           + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) total += <f64>preluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)));
  store<f32>(g, <f32>total);
}
/** Scalar twin of prelu_pgrad (same summation order). */
export function prelu_pgrad_scalar(x: usize, dy: usize, n: i32, p: usize, g: usize): void {
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
    const end = min(n & ~3, i + 1024);
    for (; i < end; i += 4) {
      a0 += preluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)));
      a1 += preluGradS(load<f32>(at(x, i + 1)), load<f32>(at(dy, i + 1)));
      a2 += preluGradS(load<f32>(at(x, i + 2)), load<f32>(at(dy, i + 2)));
      a3 += preluGradS(load<f32>(at(x, i + 3)), load<f32>(at(dy, i + 3)));
    }
    total += <f64>a0 + <f64>a1 + <f64>a2 + <f64>a3;
  }
  for (; i < n; i++) total += <f64>preluGradS(load<f32>(at(x, i)), load<f32>(at(dy, i)));
  store<f32>(g, <f32>total);
}

/** Per-unit prelu: x is rows x cols (row-major), alpha = p[cols]. */
export function prelu_pu_fwd(x: usize, y: usize, rows: i32, cols: i32, p: usize): void {
  const z = kload(V_ZERO);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), leakyV(v128.load(at(xr, j)), v128.load(at(p, j)), z));
    for (; j < cols; j++) store<f32>(at(yr, j), leakyS(load<f32>(at(xr, j)), load<f32>(at(p, j))));
  }
}
/** Scalar twin of prelu_pu_fwd. */
export function prelu_pu_fwd_scalar(x: usize, y: usize, rows: i32, cols: i32, p: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(at(y, r * cols + j), leakyS(load<f32>(at(x, r * cols + j)), load<f32>(at(p, j))));
    }
  }
}
/** Per-unit prelu backward. */
export function prelu_pu_bwd(x: usize, dy: usize, dx: usize, rows: i32, cols: i32, p: usize): void {
  const z = kload(V_ZERO);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), dyr = at(dy, r * cols), dxr = at(dx, r * cols);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(dxr, j), leakyBwdV(v128.load(at(xr, j)), v128.load(at(dyr, j)), v128.load(at(p, j)), z));
    }
    for (; j < cols; j++) store<f32>(at(dxr, j), leakyBwdS(load<f32>(at(xr, j)), load<f32>(at(dyr, j)), load<f32>(at(p, j))));
  }
}
/** Scalar twin of prelu_pu_bwd. */
export function prelu_pu_bwd_scalar(x: usize, dy: usize, dx: usize, rows: i32, cols: i32, p: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const k = r * cols + j;
      store<f32>(at(dx, k), leakyBwdS(load<f32>(at(x, k)), load<f32>(at(dy, k)), load<f32>(at(p, j))));
    }
  }
}
/** Per-unit prelu alpha gradient: g[j] = sum over rows of (x <= 0 ? dy x : 0), summed in row order in f32. */
export function prelu_pu_pgrad(x: usize, dy: usize, rows: i32, cols: i32, p: usize, g: usize): void {
  const z = kload(V_ZERO);
  memory.fill(g, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), dyr = at(dy, r * cols);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(g, j), f32x4.add(v128.load(at(g, j)), preluGradV(v128.load(at(xr, j)), v128.load(at(dyr, j)), z)));
    }
    for (; j < cols; j++) store<f32>(at(g, j), load<f32>(at(g, j)) + preluGradS(load<f32>(at(xr, j)), load<f32>(at(dyr, j))));
  }
}
/** Scalar twin of prelu_pu_pgrad. */
export function prelu_pu_pgrad_scalar(x: usize, dy: usize, rows: i32, cols: i32, p: usize, g: usize): void {
  memory.fill(g, 0, <usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      const k = r * cols + j;
      store<f32>(at(g, j), load<f32>(at(g, j)) + preluGradS(load<f32>(at(x, k)), load<f32>(at(dy, k))));
    }
  }
}
