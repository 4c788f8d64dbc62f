// Row-wise softmax and logSoftmax over a rows x cols matrix (row-major), forward and vector-Jacobian products.
//
// Forward, per row:
//   m = max of the row (NaN skipped here; a NaN still poisons the row through the sum below),
//   d_i = x_i == m ? 0 : x_i - m   (the select makes +Inf entries and all -Inf rows take their limits),
//   e_i = exp(d_i), c = #{i : x_i == m}, T = sum of e_i over x_i != m, S = c + T,
//   softmax  y_i = e_i * (1 / S),
//   logSoftmax y_i = d_i - log1p((c - 1) + T)  (log1p keeps -log S accurate when S is close to 1).
// Limits: a row with +Inf entries puts 1/c on them and 0 elsewhere; a row of equal values (also all -Inf) is
// uniform; any NaN makes the whole row NaN. Inputs up to +-1e30 stay finite.
// Sums are compensated (Kahan) in 4 f32 lanes (element i of the vector part goes to lane i % 4), the lanes fold as
// ((l0 + l1) + l2) + l3 and the tail (cols % 4 elements) is added in order after that; the scalar twins emulate
// exactly that order, so SIMD and scalar give the same bits. e^(x - m) corrects the rounding of x - m (two-sum).
// Backward (takes the forward output y):
//   softmax    dx = y * (dy - sum(dy * y)),
//   logSoftmax dx = dy - exp(y) * sum(dy).
// dx may alias y or dy (each element is read before it is written, after the row's reduction).

import { kload, vexp, sexp, slog1p, spmax, vmadd, smadd, V_ZERO } from '../math';

const NINF = memory.data<f32>([-Infinity, -Infinity, -Infinity, -Infinity], 16);

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

// Compensated (Kahan) sums in 4 lanes: lane l holds (s_l, c_l); the result is ((s0-c0 + s1-c1) + s2-c2) + s3-c3.
// The scalar twins keep their 4 lanes in a small static block and perform the same operations in the same order.
const KS = memory.data(32, 16);
// @ts-ignore: decorator
@inline function kfold(s: v128, c: v128): f32 { return hsum(f32x4.sub(s, c)); }
// @ts-ignore: decorator
@inline function kinitS(): void { memory.fill(KS, 0, 32); }
// @ts-ignore: decorator
@inline function kaddS(l: i32, v: f32): void {
  const ps = KS + (<usize>l << 2), pc = ps + 16;
  const sm = load<f32>(ps), c = load<f32>(pc);
  const y = v - c;
  const t = sm + y;
  store<f32>(pc, (t - sm) - y);
  store<f32>(ps, t);
}
// @ts-ignore: decorator
@inline function kfoldS(): f32 {
  return (((load<f32>(KS) - load<f32>(KS, 16)) + (load<f32>(KS, 4) - load<f32>(KS, 20)))
    + (load<f32>(KS, 8) - load<f32>(KS, 24))) + (load<f32>(KS, 12) - load<f32>(KS, 28));
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return ((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + f32x4.extract_lane(v, 2)) + f32x4.extract_lane(v, 3);
}
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  return spmax(spmax(spmax(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), f32x4.extract_lane(v, 2)), f32x4.extract_lane(v, 3));
}
// @ts-ignore: decorator
@inline function hsumi(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/** Row maximum with NaN skipped (pmax keeps the accumulator when x is NaN). */
// @ts-ignore: decorator
@inline function rowMax(xr: usize, cols: i32): f32 {
  let acc = kload(NINF);
  let j = 0;
  for (; j + 4 <= cols; j += 4) acc = f32x4.pmax(acc, v128.load(at(xr, j)));
  let m = hmax(acc);
  for (; j < cols; j++) m = spmax(m, load<f32>(at(xr, j)));
  return m;
}
/** Scalar twin of rowMax. */
// @ts-ignore: decorator
@inline function rowMaxS(xr: usize, cols: i32): f32 {
  let a0: f32 = -Infinity, a1: f32 = -Infinity, a2: f32 = -Infinity, a3: f32 = -Infinity;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    a0 = spmax(a0, load<f32>(at(xr, j))); a1 = spmax(a1, load<f32>(at(xr, j + 1)));
    a2 = spmax(a2, load<f32>(at(xr, j + 2))); a3 = spmax(a3, load<f32>(at(xr, j + 3)));
  }
  let m = spmax(spmax(spmax(a0, a1), a2), a3);
  for (; j < cols; j++) m = spmax(m, load<f32>(at(xr, j)));
  return m;
}

// @ts-ignore: decorator
@inline function dV(x: v128, m: v128): v128 { return v128.andnot(f32x4.sub(x, m), f32x4.eq(x, m)); }
// @ts-ignore: decorator
@inline function dS(x: f32, m: f32): f32 { return x == m ? 0 : x - m; }

// ---- exp(d + dl) for d <= 0 (or NaN), with dl the rounding error of d = x - m ----------------------------------------
// The f32 difference x - m is off by up to half an ulp of |x - m|, which would cost |x - m| / 2 ulps in e^(x - m);
// the exact error (two-sum) is added to the reduced argument instead. Otherwise the same steps as vexp in math.ts
// (Cephes expf: Cody-Waite reduction, degree-6 polynomial, scaling by 2^n in two steps for subnormal results); no
// upper clamp is needed since d <= 0.

const E_LO = memory.data<f32>([-104.0, -104.0, -104.0, -104.0], 16);
const E_LOG2E = memory.data<f32>([1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341], 16);
const E_C1 = memory.data<f32>([0.693359375, 0.693359375, 0.693359375, 0.693359375], 16);
const E_C2 = memory.data<f32>([-2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4], 16);
const E_P0 = memory.data<f32>([1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4], 16);
const E_P1 = memory.data<f32>([1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3], 16);
const E_P2 = memory.data<f32>([8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3], 16);
const E_P3 = memory.data<f32>([4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2], 16);
const E_P4 = memory.data<f32>([1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1], 16);
const E_P5 = memory.data<f32>([5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1], 16);
const E_ONE = memory.data<f32>([1, 1, 1, 1], 16);
const E_B127 = memory.data<i32>([127, 127, 127, 127], 16);

// @ts-ignore: decorator
@inline function S(p: usize): f32 { return load<f32>(p); }

/** e^(d + dl), d <= 0 or NaN, |dl| <= half an ulp of d. */
// @ts-ignore: decorator
@inline function expLoV(d: v128, dl: v128): v128 {
  const lo = kload(E_LO);
  const x = f32x4.pmax(d, lo);
  const fn = f32x4.nearest(f32x4.mul(x, kload(E_LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(fn, kload(E_C1)));
  r = f32x4.sub(r, f32x4.mul(fn, kload(E_C2)));
  r = f32x4.add(r, v128.and(dl, f32x4.ge(d, lo))); // a clamped d drops its correction
  let p = vmadd(kload(E_P0), r, kload(E_P1));
  p = vmadd(p, r, kload(E_P2));
  p = vmadd(p, r, kload(E_P3));
  p = vmadd(p, r, kload(E_P4));
  p = vmadd(p, r, kload(E_P5));
  p = vmadd(p, f32x4.mul(r, r), f32x4.add(r, kload(E_ONE)));
  const n = i32x4.trunc_sat_f32x4_s(fn);
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, kload(E_B127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, kload(E_B127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}
/** Scalar twin of expLoV. */
// @ts-ignore: decorator
@inline function expLoS(d: f32, dl: f32): f32 {
  const x = spmax(d, S(E_LO));
  const fn = nearest<f32>(x * S(E_LOG2E));
  let r = x - fn * S(E_C1);
  r = r - fn * S(E_C2);
  r = r + (d >= S(E_LO) ? dl : 0);
  let p = smadd(S(E_P0), r, S(E_P1));
  p = smadd(p, r, S(E_P2));
  p = smadd(p, r, S(E_P3));
  p = smadd(p, r, S(E_P4));
  p = smadd(p, r, S(E_P5));
  p = smadd(p, r * r, r + 1.0);
  const n = isNaN(fn) ? 0 : <i32>fn;
  const n1 = n >> 1;
  const n2 = n - n1;
  return (p * reinterpret<f32>((n1 + 127) << 23)) * reinterpret<f32>((n2 + 127) << 23);
}

/** Rounding error of d = x + nm (two-sum), 0 where it is not finite (infinite operands). */
// @ts-ignore: decorator
@inline function twoSumErrV(x: v128, nm: v128, d: v128): v128 {
  const bb = f32x4.sub(d, x);
  const err = f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(nm, bb));
  return v128.and(err, f32x4.eq(err, err));
}
// @ts-ignore: decorator
@inline function twoSumErrS(x: f32, nm: f32, d: f32): f32 {
  const bb = d - x;
  const err = (x - (d - bb)) + (nm - bb);
  return err == err ? err : 0;
}

/** e^(x - m) with the rounding of x - m corrected; 1 where x == m (scalar, shared by tails and twins). */
// @ts-ignore: decorator
@inline function eS(x: f32, ms: f32): f32 {
  if (x == ms) return 1;
  const nm = -ms, d = x + nm;
  return expLoS(d, twoSumErrS(x, nm, d));
}

/**
 * Pass 2 of a row: e_i = exp(d_i) (stored to yr when STORE), returns T; writes c to the count slot.
 * T and c are returned through globals of this file (single-threaded module, no reentrancy).
 */
let gT: f32 = 0;
let gC: i32 = 0;

// @ts-ignore: decorator
@inline function rowSum(xr: usize, yr: usize, cols: i32, ms: f32, keep: bool): void {
  const m = f32x4.splat(ms), nms = -ms, nm = f32x4.splat(nms);
  let acc = kload(V_ZERO), comp = kload(V_ZERO);
  let cnt = kload(V_ZERO);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const x = v128.load(at(xr, j));
    const eq = f32x4.eq(x, m);
    const d = f32x4.add(x, nm);
    const e = expLoV(v128.andnot(d, eq), v128.andnot(twoSumErrV(x, nm, d), eq));
    if (keep) v128.store(at(yr, j), e);
    const ky = f32x4.sub(v128.andnot(e, eq), comp);
    const kt = f32x4.add(acc, ky);
    comp = f32x4.sub(f32x4.sub(kt, acc), ky);
    acc = kt;
    cnt = i32x4.sub(cnt, eq);
  }
  let t = kfold(acc, comp);
  let c = hsumi(cnt);
  for (; j < cols; j++) {
    const x = load<f32>(at(xr, j));
    const e = eS(x, ms);
    if (keep) store<f32>(at(yr, j), e);
    if (x == ms) c++; else t += e;
  }
  gT = t; gC = c;
}
/** Scalar twin of rowSum. */
// @ts-ignore: decorator
@inline function rowSumS(xr: usize, yr: usize, cols: i32, ms: f32, keep: bool): void {
  kinitS();
  let c = 0;
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    for (let l = 0; l < 4; l++) {
      const x = load<f32>(at(xr, j + l));
      const e = eS(x, ms);
      if (keep) store<f32>(at(yr, j + l), e);
      const add: f32 = x == ms ? 0 : e;
      if (x == ms) c++;
      kaddS(l, add);
    }
  }
  let t = kfoldS();
  for (; j < cols; j++) {
    const x = load<f32>(at(xr, j));
    const e = eS(x, ms);
    if (keep) store<f32>(at(yr, j), e);
    if (x == ms) c++; else t += e;
  }
  gT = t; gC = c;
}

// ---- softmax ------------------------------------------------------------------------------------------------------

/** y = softmax(x) row by row (rows x cols, row-major). y may alias x. */
export function softmax_fwd(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMax(xr, cols);
    rowSum(xr, yr, cols, ms, true);
    const rs: f32 = <f32>1.0 / (<f32>gC + gT);
    const rv = f32x4.splat(rs);
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), f32x4.mul(v128.load(at(yr, j)), rv));
    for (; j < cols; j++) store<f32>(at(yr, j), load<f32>(at(yr, j)) * rs);
  }
}
/** Scalar twin of softmax_fwd. */
export function softmax_fwd_scalar(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMaxS(xr, cols);
    rowSumS(xr, yr, cols, ms, true);
    const rs: f32 = <f32>1.0 / (<f32>gC + gT);
    for (let j = 0; j < cols; j++) store<f32>(at(yr, j), load<f32>(at(yr, j)) * rs);
  }
}

/** dx = y * (dy - sum(dy * y)) row by row; y is the forward output. dx may alias y or dy. */
export function softmax_bwd(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    let acc = kload(V_ZERO), comp = kload(V_ZERO);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const ky = f32x4.sub(f32x4.mul(v128.load(at(gr, j)), v128.load(at(yr, j))), comp);
      const kt = f32x4.add(acc, ky);
      comp = f32x4.sub(f32x4.sub(kt, acc), ky);
      acc = kt;
    }
    let s = kfold(acc, comp);
    for (; j < cols; j++) s += load<f32>(at(gr, j)) * load<f32>(at(yr, j));
    const sv = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(dr, j), f32x4.mul(v128.load(at(yr, j)), f32x4.sub(v128.load(at(gr, j)), sv)));
    }
    for (; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(yr, j)) * (load<f32>(at(gr, j)) - s));
  }
}
/** Scalar twin of softmax_bwd. */
export function softmax_bwd_scalar(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    kinitS();
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      for (let l = 0; l < 4; l++) kaddS(l, load<f32>(at(gr, j + l)) * load<f32>(at(yr, j + l)));
    }
    let s = kfoldS();
    for (; j < cols; j++) s += load<f32>(at(gr, j)) * load<f32>(at(yr, j));
    for (j = 0; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(yr, j)) * (load<f32>(at(gr, j)) - s));
  }
}

// ---- logSoftmax ---------------------------------------------------------------------------------------------------

/** y = logSoftmax(x) row by row. y may alias x. */
export function logSoftmax_fwd(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMax(xr, cols);
    rowSum(xr, yr, cols, ms, false);
    const ls = slog1p(<f32>(gC - 1) + gT);
    const m = f32x4.splat(ms), lv = f32x4.splat(ls);
    let j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), f32x4.sub(dV(v128.load(at(xr, j)), m), lv));
    for (; j < cols; j++) store<f32>(at(yr, j), dS(load<f32>(at(xr, j)), ms) - ls);
  }
}
/** Scalar twin of logSoftmax_fwd. */
export function logSoftmax_fwd_scalar(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMaxS(xr, cols);
    rowSumS(xr, yr, cols, ms, false);
    const ls = slog1p(<f32>(gC - 1) + gT);
    for (let j = 0; j < cols; j++) store<f32>(at(yr, j), dS(load<f32>(at(xr, j)), ms) - ls);
  }
}

/** dx = dy - exp(y) * sum(dy) row by row; y is the forward output (log-probabilities). dx may alias y or dy. */
export function logSoftmax_bwd(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    let acc = kload(V_ZERO), comp = kload(V_ZERO);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const ky = f32x4.sub(v128.load(at(gr, j)), comp);
      const kt = f32x4.add(acc, ky);
      comp = f32x4.sub(f32x4.sub(kt, acc), ky);
      acc = kt;
    }
    let s = kfold(acc, comp);
    for (; j < cols; j++) s += load<f32>(at(gr, j));
    const sv = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      v128.store(at(dr, j), f32x4.sub(v128.load(at(gr, j)), f32x4.mul(vexp(v128.load(at(yr, j))), sv)));
    }
    for (; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(gr, j)) - sexp(load<f32>(at(yr, j))) * s);
  }
}
/** Scalar twin of logSoftmax_bwd. */
export function logSoftmax_bwd_scalar(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    kinitS();
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      for (let l = 0; l < 4; l++) kaddS(l, load<f32>(at(gr, j + l)));
    }
    let s = kfoldS();
    for (; j < cols; j++) s += load<f32>(at(gr, j));
    for (j = 0; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(gr, j)) - sexp(load<f32>(at(yr, j))) * s);
  }
}
