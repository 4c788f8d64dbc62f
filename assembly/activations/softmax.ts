// Row-wise softmax and logSoftmax over a rows x cols matrix (row-major), forward and vector-Jacobian products.
//
// Forward, per row:
//   m = max of the row (NaN skipped here; a NaN still poisons the row through the sum below),
//   e_i = exp(x_i - m) (1 where x_i == m), with the rounding of x_i - m corrected (two-sum); softmax's fast rows
//   (>= 64 entries, |m| <= 88, spread <= 86, see fastRow) instead take e^(x_i - m) without forming x_i - m
//   (vexpShift) and add 1 - e(m) to S, so the maximum's rounding stays out of the normalization,
//   softmax  y_i = e_i * (1 / S), S = sum of the e_i in f64 (eight lanes in a fixed order, see sumRow64),
//   logSoftmax y_i = d_i - log1p((c - 1) + T), d_i = x_i == m ? 0 : x_i - m, c = #{i : x_i == m}, T = sum of e_i
//   over x_i != m (log1p keeps -log S accurate when S is close to 1).
// Limits: a row with +Inf entries puts 1/c on them and 0 elsewhere; a row of equal values (also all -Inf) is
// uniform; any NaN makes the whole row NaN. Inputs up to +-1e30 stay finite.
// logSoftmax's T is a compensated (Kahan) sum in 8 f32 lanes (two independent vector accumulators, so the four
// dependent adds of a Kahan step overlap): element j of the 8-blocks goes to lane j % 8, a remaining 4-block to
// lanes 0-3, the lanes fold as (((l0 + l1) + l2) + l3) + (((l4 + l5) + l6) + l7) and the tail (cols % 4 elements) is
// added in order after that; logSoftmax's backward sum uses 4 such lanes, softmax's backward sums in f64 like its
// forward. The scalar twins emulate exactly these orders, so SIMD and scalar give the same bits.
// Backward (takes the forward output y):
//   softmax    dx = y * (dy - sum(dy * y)),
//   logSoftmax dx = dy - exp(y) * sum(dy).
// dx may alias y or dy (each element is read before it is written, after the row's reduction).

import {
  kload, vexp, sexp, slog1p, spmax, spmin, vexpNegSplit, sexpNegSplit, vexpShift, sexpShift, expShiftSetup, V_ZERO,
} from '../math';
import { at, hsum, vacc64lo, vacc64hi, fold64 } from './common';

const NINF = memory.data<f32>([-Infinity, -Infinity, -Infinity, -Infinity], 16);
const PINF4 = memory.data<f32>([Infinity, Infinity, Infinity, Infinity], 16);
/** softmax rows from this many entries on may take the fast path (see fastRow). */
const SHIFT_COLS = 64;


// Compensated (Kahan) sums in up to 8 lanes: lane l holds (s_l, c_l). The scalar twins keep their lanes in a small
// static block (sums at KS + 4 l, compensations at KS + 32 + 4 l) and perform the same operations in the same order.
const KS = memory.data(64, 16);
// @ts-ignore: decorator
@inline function kfold(s: v128, c: v128): f32 { return hsum(f32x4.sub(s, c)); }
// @ts-ignore: decorator
@inline function kinitS(): void { memory.fill(KS, 0, 64); }
// @ts-ignore: decorator
@inline function kaddS(l: i32, v: f32): void {
  const ps = KS + (<usize>l << 2), pc = ps + 32;
  const sm = load<f32>(ps), c = load<f32>(pc);
  const y = v - c;
  const t = sm + y;
  store<f32>(pc, (t - sm) - y);
  store<f32>(ps, t);
}
/** Fold of lanes 0-3: ((l0 + l1) + l2) + l3 with l = s - c (the scalar side of kfold). */
// @ts-ignore: decorator
@inline function kfoldS4(base: usize): f32 {
  return (((load<f32>(base) - load<f32>(base, 32)) + (load<f32>(base, 4) - load<f32>(base, 36)))
    + (load<f32>(base, 8) - load<f32>(base, 40))) + (load<f32>(base, 12) - load<f32>(base, 44));
}
// @ts-ignore: decorator
@inline function kfoldS(): f32 { return kfoldS4(KS); }
// @ts-ignore: decorator
@inline function kfoldS8(): f32 { return kfoldS4(KS) + kfoldS4(KS + 16); }

// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  return spmax(spmax(spmax(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), f32x4.extract_lane(v, 2)), f32x4.extract_lane(v, 3));
}
// @ts-ignore: decorator
@inline function hmin(v: v128): f32 {
  return spmin(spmin(spmin(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), f32x4.extract_lane(v, 2)), f32x4.extract_lane(v, 3));
}
// @ts-ignore: decorator
@inline function hsumi(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * Row maximum with NaN skipped (pmax keeps the accumulator when x is NaN), and the row minimum (NaN skipped too) in
 * gMin. Not inlined: one copy for both ops.
 */
let gMin: f32 = 0;
function rowMax(xr: usize, cols: i32): f32 {
  let a = kload(NINF), b = kload(PINF4);
  let j = 0;
  for (; j + 4 <= cols; j += 4) { const v = v128.load(at(xr, j)); a = f32x4.pmax(a, v); b = f32x4.pmin(b, v); }
  let m = hmax(a), mn = hmin(b);
  for (; j < cols; j++) { const v = load<f32>(at(xr, j)); m = spmax(m, v); mn = spmin(mn, v); }
  gMin = mn;
  return m;
}
/** Scalar twin of rowMax (the same maximum and minimum; the order does not change them). */
// @ts-ignore: decorator
@inline function rowMaxS(xr: usize, cols: i32): f32 {
  let m: f32 = -Infinity, mn: f32 = Infinity;
  for (let j = 0; j < cols; j++) { const v = load<f32>(at(xr, j)); m = spmax(m, v); mn = spmin(mn, v); }
  gMin = mn;
  return m;
}

// @ts-ignore: decorator
@inline function dV(x: v128, m: v128): v128 { return v128.andnot(f32x4.sub(x, m), f32x4.eq(x, m)); }
// @ts-ignore: decorator
@inline function dS(x: f32, m: f32): f32 { return x == m ? 0 : x - m; }

// ---- exp(d + dl) for d <= 0 (or NaN), with dl the rounding error of d = x - m ----------------------------------------
// The f32 difference x - m is off by up to half an ulp of |x - m|, which would cost |x - m| / 2 ulps in e^(x - m);
// the exact error (two-sum) is carried as the correction of vexpNegSplit (assembly/math.ts), which adds it to the
// reduced argument (and drops it where d is clamped).

/**
 * Rounding error of d = x + nm (two-sum). It is NaN only where d is not finite (an infinite operand, or d = -Inf
 * by overflow) or where x == m == +Inf; vexpNegSplit drops the correction of an argument below its clamp (d = -Inf,
 * NaN) and the callers mask the x == m lanes, so no mask is needed here.
 */
// @ts-ignore: decorator
@inline function twoSumErrV(x: v128, nm: v128, d: v128): v128 {
  const bb = f32x4.sub(d, x);
  return f32x4.add(f32x4.sub(x, f32x4.sub(d, bb)), f32x4.sub(nm, bb));
}
// @ts-ignore: decorator
@inline function twoSumErrS(x: f32, nm: f32, d: f32): f32 {
  const bb = d - x;
  return (x - (d - bb)) + (nm - bb);
}

/** e^(x - m) with the rounding of x - m corrected; 1 where x == m (scalar, shared by tails and twins; not inlined). */
function eS(x: f32, ms: f32): f32 {
  if (x == ms) return 1;
  const nm = -ms, d = x + nm;
  return sexpNegSplit(d, twoSumErrS(x, nm, d));
}

/**
 * Pass 2 of a logSoftmax row: T and c of e_i = exp(d_i), returned through globals of this file (single-threaded
 * module, no reentrancy).
 */
let gT: f32 = 0;
let gC: i32 = 0;

// @ts-ignore: decorator
@inline function rowSum(xr: usize, cols: i32, ms: f32): void {
  const m = f32x4.splat(ms), nms = -ms, nm = f32x4.splat(nms);
  let acc = kload(V_ZERO), comp = kload(V_ZERO), acc2 = kload(V_ZERO), comp2 = kload(V_ZERO);
  let cnt = kload(V_ZERO);
  let j = 0;
  for (; j + 8 <= cols; j += 8) {
    const x0 = v128.load(at(xr, j)), x1 = v128.load(at(xr, j + 4));
    const eq0 = f32x4.eq(x0, m), eq1 = f32x4.eq(x1, m);
    const d0 = f32x4.add(x0, nm), d1 = f32x4.add(x1, nm);
    const e0 = vexpNegSplit(v128.andnot(d0, eq0), v128.andnot(twoSumErrV(x0, nm, d0), eq0));
    const e1 = vexpNegSplit(v128.andnot(d1, eq1), v128.andnot(twoSumErrV(x1, nm, d1), eq1));
    const ky0 = f32x4.sub(v128.andnot(e0, eq0), comp), ky1 = f32x4.sub(v128.andnot(e1, eq1), comp2);
    const kt0 = f32x4.add(acc, ky0), kt1 = f32x4.add(acc2, ky1);
    comp = f32x4.sub(f32x4.sub(kt0, acc), ky0);
    comp2 = f32x4.sub(f32x4.sub(kt1, acc2), ky1);
    acc = kt0; acc2 = kt1;
    cnt = i32x4.sub(i32x4.sub(cnt, eq0), eq1);
  }
  if (j + 4 <= cols) {
    const x = v128.load(at(xr, j));
    const eq = f32x4.eq(x, m);
    const d = f32x4.add(x, nm);
    const e = vexpNegSplit(v128.andnot(d, eq), v128.andnot(twoSumErrV(x, nm, d), eq));
    const ky = f32x4.sub(v128.andnot(e, eq), comp);
    const kt = f32x4.add(acc, ky);
    comp = f32x4.sub(f32x4.sub(kt, acc), ky);
    acc = kt;
    cnt = i32x4.sub(cnt, eq);
    j += 4;
  }
  let t = kfold(acc, comp) + kfold(acc2, comp2);
  let c = hsumi(cnt);
  for (; j < cols; j++) {
    const x = load<f32>(at(xr, j));
    const e = eS(x, ms);
    if (x == ms) c++; else t += e;
  }
  gT = t; gC = c;
}
/** Scalar twin of rowSum. */
// @ts-ignore: decorator
@inline function rowSumS(xr: usize, cols: i32, ms: f32): void {
  kinitS();
  let c = 0;
  let j = 0;
  for (; j + 8 <= cols; j += 8) {
    for (let l = 0; l < 8; l++) c += expAddS(xr, j + l, l, ms);
  }
  if (j + 4 <= cols) {
    for (let l = 0; l < 4; l++) c += expAddS(xr, j + l, l, ms);
    j += 4;
  }
  let t = kfoldS8();
  for (; j < cols; j++) {
    const x = load<f32>(at(xr, j));
    const e = eS(x, ms);
    if (x == ms) c++; else t += e;
  }
  gT = t; gC = c;
}
/** e_j into lane l of the scalar Kahan block (0 where x_j is the maximum); returns 1 for a maximum, else 0. */
// @ts-ignore: decorator
@inline function expAddS(xr: usize, j: i32, l: i32, ms: f32): i32 {
  const x = load<f32>(at(xr, j));
  const e = eS(x, ms);
  kaddS(l, x == ms ? <f32>0 : e);
  return x == ms ? 1 : 0;
}

// ---- softmax ------------------------------------------------------------------------------------------------------

/**
 * softmax_fwd's pass over a row with a finite maximum: e_i = e^(x_i - m) into yr (exactly 1 at the maximum, so no
 * mask is needed), whole vectors only; returns how many elements it did. A pass of its own, not fused with the sum:
 * fused, the loop's dependency chain (two-sum, exponential, sum) is longer than the out-of-order window overlaps.
 * The exponential is never fused (also not in the relaxed build): the backward's sum(dy y) cancels against dy, where
 * one ulp of y from a fused multiply-add became 77 ulps of dx between the builds (tests/runtimes).
 */
// @ts-ignore: decorator
@inline function expRow(xr: usize, yr: usize, cols: i32, nm: v128): i32 {
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const x = v128.load(at(xr, j));
    const d = f32x4.add(x, nm);
    v128.store(at(yr, j), vexpNegSplit(d, twoSumErrV(x, nm, d), true));
  }
  return j;
}

/**
 * Sum of the first k elements of yr (k a multiple of 4), or with DOT of the products gr_j yr_j (rounded to f32), in
 * f64, in eight lanes: element j of each 8-block goes to lane j % 8 (four f64x2 accumulators), a remaining 4-block to
 * lanes 0-3, and the lanes fold as (((l0 + l4) + (l1 + l5)) + (l2 + l6)) + (l3 + l7). Sums of f32 terms in f64 need
 * no compensation, and four accumulators keep the loop off a long dependency chain. Not inlined: softmax's forward
 * and backward share one copy (DOT is then a loop-invariant branch, predicted).
 */
function sumRow64(yr: usize, gr: usize, k: i32, DOT: bool): f64 {
  let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0;
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    let e0 = v128.load(at(yr, j)), e1 = v128.load(at(yr, j + 4));
    if (DOT) { e0 = f32x4.mul(v128.load(at(gr, j)), e0); e1 = f32x4.mul(v128.load(at(gr, j + 4)), e1); }
    a0 = vacc64lo(a0, e0); a1 = vacc64hi(a1, e0);
    a2 = vacc64lo(a2, e1); a3 = vacc64hi(a3, e1);
  }
  if (j < k) {
    let e0 = v128.load(at(yr, j));
    if (DOT) e0 = f32x4.mul(v128.load(at(gr, j)), e0);
    a0 = vacc64lo(a0, e0); a1 = vacc64hi(a1, e0);
  }
  return fold64(f64x2.add(a0, a2), f64x2.add(a1, a3));
}
/** Term j of sumRow64S. */
// @ts-ignore: decorator
@inline function termS(yr: usize, gr: usize, j: i32, DOT: bool): f64 {
  return <f64>(DOT ? load<f32>(at(gr, j)) * load<f32>(at(yr, j)) : load<f32>(at(yr, j)));
}
/** Scalar twin of sumRow64: the same eight f64 lanes, the same fold. */
// @ts-ignore: decorator
@inline function sumRow64S(yr: usize, gr: usize, k: i32, DOT: bool): f64 {
  let l0: f64 = 0, l1: f64 = 0, l2: f64 = 0, l3: f64 = 0, l4: f64 = 0, l5: f64 = 0, l6: f64 = 0, l7: f64 = 0;
  let j = 0;
  for (; j + 8 <= k; j += 8) {
    l0 += termS(yr, gr, j, DOT); l1 += termS(yr, gr, j + 1, DOT);
    l2 += termS(yr, gr, j + 2, DOT); l3 += termS(yr, gr, j + 3, DOT);
    l4 += termS(yr, gr, j + 4, DOT); l5 += termS(yr, gr, j + 5, DOT);
    l6 += termS(yr, gr, j + 6, DOT); l7 += termS(yr, gr, j + 7, DOT);
  }
  if (j < k) {
    l0 += termS(yr, gr, j, DOT); l1 += termS(yr, gr, j + 1, DOT);
    l2 += termS(yr, gr, j + 2, DOT); l3 += termS(yr, gr, j + 3, DOT);
  }
  return (((l0 + l4) + (l1 + l5)) + (l2 + l6)) + (l3 + l7);
}

// The fast rows of softmax_fwd: at least SHIFT_COLS entries (the row constants cost about as much as 100 entries
// save), a finite maximum m with |m| <= 88, not every entry equal to it, and every entry within 86 of it (x - m >= -86:
// no e_i is subnormal). There e_i = e^(x_i - m) comes from vexpShift (x_i reduced on its own,
// e^-m folded into the scaling), which needs no two-sum and no clamp: 24 vector operations per 4 entries instead of
// 32. Other rows (wider, infinite, NaN, constant) take the general path (two-sum + vexpNegSplit, 1 at the maximum).
const SHIFT = memory.data(16, 16);
// @ts-ignore: decorator
@inline function fastRow(ms: f32, mn: f32, cols: i32): bool {
  return cols >= SHIFT_COLS && abs<f32>(ms) <= 88 && mn - ms >= -86 && mn != ms;
}

/**
 * e_i = e^(x_i - m) of a fast row into yr (vexpShift; the tail by its scalar twin) and their f64 sum: the whole
 * vectors' by sumRow64, a pass of its own as in expRow (fused into this loop, softmax ran 1.25x slower: 0.69 vs 0.86
 * G elem/s), then the tail's in order. Not inlined: inlined, its code made softmax_fwd 15% slower on short rows
 * (cols 7-32, which never come here).
 */
function expRowShift(xr: usize, yr: usize, cols: i32, ms: f32): f64 {
  expShiftSetup(ms, SHIFT);
  const mk = v128.load32_splat(SHIFT), chi = v128.load32_splat(SHIFT, 4), dl = v128.load32_splat(SHIFT, 8);
  let j = 0;
  for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), vexpShift(v128.load(at(xr, j)), mk, chi, dl));
  let s = sumRow64(yr, 0, j, false);
  for (; j < cols; j++) {
    const e = eShiftS(load<f32>(at(xr, j)));
    store<f32>(at(yr, j), e);
    s += <f64>e;
  }
  return s + (1.0 - <f64>eShiftS(ms));
}
/** e^(x - m) of one element of a fast row (scalar twin of a lane of expRowShift). Not inlined: one copy. */
function eShiftS(x: f32): f32 { return sexpShift(x, load<f32>(SHIFT), load<f32>(SHIFT, 4), load<f32>(SHIFT, 8)); }

/**
 * y = softmax(x) row by row (rows x cols, row-major). y may alias x. Per row: the maximum (and minimum); for a fast
 * row (fastRow) the e_i of the whole vectors by vexpShift, for another row with a finite maximum by two-sum and
 * vexpNegSplit (expRow), and their f64 sum (sumRow64), then the remaining elements one by one (added to the sum in
 * order); for an infinite or NaN maximum (a row with +Inf, all -Inf, all NaN) every element takes the scalar path
 * (eS handles x == m). Then y_i = e_i * f32(1 / S).
 */
export function softmax_fwd(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMax(xr, cols);
    const fast = fastRow(ms, gMin, cols);
    let j = 0;
    let s: f64 = 0;
    if (fast) {
      s = expRowShift(xr, yr, cols, ms);
      j = cols;
    } else if (ms - ms == 0) {
      j = expRow(xr, yr, cols, f32x4.splat(-ms));
      s = sumRow64(yr, 0, j, false);
    }
    for (; j < cols; j++) {
      const e = eS(load<f32>(at(xr, j)), ms);
      store<f32>(at(yr, j), e);
      s += <f64>e;
    }
    const rs = <f32>(1.0 / s);
    const rv = f32x4.splat(rs);
    j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(yr, j), f32x4.mul(v128.load(at(yr, j)), rv));
    for (; j < cols; j++) store<f32>(at(yr, j), load<f32>(at(yr, j)) * rs);
  }
}
/** Scalar twin of softmax_fwd. */
export function softmax_fwd_scalar(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMaxS(xr, cols);
    const fast = fastRow(ms, gMin, cols);
    const k = ms - ms == 0 ? cols & ~3 : 0;
    if (fast) expShiftSetup(ms, SHIFT);
    for (let j = 0; j < cols; j++) {
      const xs = load<f32>(at(xr, j));
      store<f32>(at(yr, j), fast ? eShiftS(xs) : eS(xs, ms));
    }
    let s = sumRow64S(yr, 0, k, false);
    for (let j = k; j < cols; j++) s += <f64>load<f32>(at(yr, j));
    if (fast) s += 1.0 - <f64>eShiftS(ms);
    const rs = <f32>(1.0 / s);
    for (let j = 0; j < cols; j++) store<f32>(at(yr, j), load<f32>(at(yr, j)) * rs);
  }
}

/**
 * dx = y * (dy - sum(dy * y)) row by row; y is the forward output. dx may alias y or dy. The sum: f32 products,
 * summed in f64 (sumRow64), the tail elements added in order.
 */
export function softmax_bwd(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols), gr = at(dy, r * cols), dr = at(dx, r * cols);
    const k = cols & ~3;
    let s64 = sumRow64(yr, gr, k, true);
    for (let j = k; j < cols; j++) s64 += <f64>(load<f32>(at(gr, j)) * load<f32>(at(yr, j)));
    const s = <f32>s64;
    const sv = f32x4.splat(s);
    let j = 0;
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
    const k = cols & ~3;
    let s64 = sumRow64S(yr, gr, k, true);
    for (let j = k; j < cols; j++) s64 += <f64>(load<f32>(at(gr, j)) * load<f32>(at(yr, j)));
    const s = <f32>s64;
    for (let j = 0; j < cols; j++) store<f32>(at(dr, j), load<f32>(at(yr, j)) * (load<f32>(at(gr, j)) - s));
  }
}

// ---- logSoftmax ---------------------------------------------------------------------------------------------------

/** y = logSoftmax(x) row by row. y may alias x. */
export function logSoftmax_fwd(x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * cols), yr = at(y, r * cols);
    const ms = rowMax(xr, cols);
    rowSum(xr, cols, ms);
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
    rowSumS(xr, cols, ms);
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
