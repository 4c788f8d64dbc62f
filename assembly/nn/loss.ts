// Training losses with their gradients, and the accuracy count.
//
// Each loss returns the MEAN loss as f64 and, when `dz`/`dy` is not 0, writes the gradient of that mean with respect
// to the network output: the logits (pre-activation) for the fused ones (bce_logits, softmax_ce*), y for mse.
// The mean runs over rows, and also over columns for mse and bce (the 'mean' reduction of Keras and PyTorch).
//
// Numerics: per-element terms come from the f32 math of ../math (vexp, vlog1p, vsigmoid, slog), the exact parts
// (differences, products with targets) are formed in f64 and every sum accumulates in f64 in an order fixed by the
// sizes alone (two f64x2 accumulators per 4 lanes, then the scalar tail), so results are deterministic.
// Stability: bce uses max(z, 0) - t z + log1p(e^-|z|); softmax uses the row maximum (log-sum-exp), so logits of
// +-1e30 give finite losses and gradients.

import { kload, V_ZERO, V_ONE, V_SIGN, vexp, sexp, vlog1p, slog1p, slog, spmax } from '../math';
import { scale_inplace } from './optim';
import { LOSS_MSE, LOSS_BCE } from '../generated/abi';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }
/** Lanes 2, 3 of an f32x4 widened to f64x2. */
// @ts-ignore: decorator
@inline function promoteHigh(v: v128): v128 { return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)); }
/** Sum of an f64x2 accumulator pair in a fixed order. */
// @ts-ignore: decorator
@inline function hsum2(a: v128, b: v128): f64 {
  return (f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1)) + (f64x2.extract_lane(b, 0) + f64x2.extract_lane(b, 1));
}

// ---- mean squared error -----------------------------------------------------------------------------------------

/** mean((y - t)^2) over rows*cols; dy = 2 (y - t) / (rows cols) (dy may be 0: loss only; dy may alias y or t). */
export function loss_mse(y: usize, t: usize, rows: i32, cols: i32, dy: usize): f64 {
  const n = rows * cols;
  if (n <= 0) return 0;
  const ks: f32 = <f32>(2.0 / <f64>n);
  const k = f32x4.splat(ks);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const yv = v128.load(at(y, i)), tv = v128.load(at(t, i));
    const d0 = f64x2.sub(f64x2.promote_low_f32x4(yv), f64x2.promote_low_f32x4(tv));
    const d1 = f64x2.sub(promoteHigh(yv), promoteHigh(tv));
    a0 = f64x2.add(a0, f64x2.mul(d0, d0));
    a1 = f64x2.add(a1, f64x2.mul(d1, d1));
    if (dy) v128.store(at(dy, i), f32x4.mul(f32x4.sub(yv, tv), k));
  }
  let s = hsum2(a0, a1);
  for (; i < n; i++) {
    const ys = load<f32>(at(y, i)), ts = load<f32>(at(t, i));
    const d = <f64>ys - <f64>ts;
    s += d * d;
    if (dy) store<f32>(at(dy, i), (ys - ts) * ks);
  }
  return s / <f64>n;
}

// ---- binary cross-entropy on logits ------------------------------------------------------------------------------

/**
 * mean(softplus(z) - t z) over rows*cols, computed as max(z, 0) - t z + log1p(e^-|z|) (the linear part in f64);
 * dz = (sigmoid(z) - t) / (rows cols). Targets may be soft (any t in [0, 1]).
 */
export function loss_bce_logits(z: usize, t: usize, rows: i32, cols: i32, dz: usize): f64 {
  const n = rows * cols;
  if (n <= 0) return 0;
  const ks: f32 = <f32>(1.0 / <f64>n);
  const k = f32x4.splat(ks);
  const zero = kload(V_ZERO), sign = kload(V_SIGN), one = kload(V_ONE);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const zv = v128.load(at(z, i)), tv = v128.load(at(t, i));
    const e = vexp(v128.or(zv, sign));                  // e^-|z|
    const lp = vlog1p(e);                               // log1p(e^-|z|), f32
    const mz = f32x4.pmax(zv, zero);                    // max(z, 0), exact
    const z0 = f64x2.promote_low_f32x4(zv), z1 = promoteHigh(zv);
    const t0 = f64x2.promote_low_f32x4(tv), t1 = promoteHigh(tv);
    const l0 = f64x2.add(f64x2.sub(f64x2.promote_low_f32x4(mz), f64x2.mul(t0, z0)), f64x2.promote_low_f32x4(lp));
    const l1 = f64x2.add(f64x2.sub(promoteHigh(mz), f64x2.mul(t1, z1)), promoteHigh(lp));
    a0 = f64x2.add(a0, l0);
    a1 = f64x2.add(a1, l1);
    if (dz) {
      // sigmoid from the same e, the operations of vsigmoid: (z < 0 ? e : 1) / (1 + e)
      const sg = f32x4.div(v128.bitselect(e, one, f32x4.lt(zv, zero)), f32x4.add(one, e));
      v128.store(at(dz, i), f32x4.mul(f32x4.sub(sg, tv), k));
    }
  }
  let s = hsum2(a0, a1);
  for (; i < n; i++) {
    const zs = load<f32>(at(z, i)), ts = load<f32>(at(t, i));
    const e = sexp(-abs<f32>(zs));
    const lp = slog1p(e);
    s += (<f64>spmax(zs, 0) - <f64>ts * <f64>zs) + <f64>lp;
    if (dz) {
      const d: f32 = <f32>1.0 + e;
      const num: f32 = zs < 0 ? e : <f32>1.0;
      store<f32>(at(dz, i), (num / d - ts) * ks);
    }
  }
  return s / <f64>n;
}

// ---- softmax cross-entropy -----------------------------------------------------------------------------------------

/** Maximum of a row (pmax: a NaN in the first lanes may pass; a NaN anywhere makes the loss NaN through exp). */
function rowMax(p: usize, cols: i32): f32 {
  let j = 0;
  let m: f32 = -Infinity;
  if (cols >= 4) {
    let mv = v128.load(p);
    for (j = 4; j + 4 <= cols; j += 4) mv = f32x4.pmax(mv, v128.load(at(p, j)));
    m = spmax(spmax(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)),
              spmax(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  }
  for (; j < cols; j++) m = spmax(m, load<f32>(at(p, j)));
  return m;
}

/**
 * sum_j e^(z_j - m) of a row in f64 (fixed order); when `e` is not 0 the f32 terms e^(z_j - m) are stored there.
 */
function rowExpSum(p: usize, cols: i32, m: f32, e: usize): f64 {
  const mv = f32x4.splat(m);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let j = 0;
  for (; j + 4 <= cols; j += 4) {
    const ev = vexp(f32x4.sub(v128.load(at(p, j)), mv));
    if (e) v128.store(at(e, j), ev);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(ev));
    a1 = f64x2.add(a1, promoteHigh(ev));
  }
  let s = hsum2(a0, a1);
  for (; j < cols; j++) {
    const es = sexp(load<f32>(at(p, j)) - m);
    if (e) store<f32>(at(e, j), es);
    s += <f64>es;
  }
  return s;
}

/** log of the f64 row sum s in [1, cols] (the f32 log of ../math: the one transcendental of the row). */
// @ts-ignore: decorator
@inline function logSum(s: f64): f64 { return <f64>slog(<f32>s); }

/**
 * Softmax cross-entropy with one-hot or soft targets: mean over rows of -sum_j t_j log softmax(z)_j
 * = sum_j t_j (m - z_j) + (sum_j t_j) log(sum_j e^(z_j - m)), m the row max (m - z_j exact-ish in f64, so huge
 * logits stay finite and accurate). dz = (softmax(z) sum_j t_j - t) / rows, which is (softmax(z) - t) / rows for
 * targets that sum to 1 (the exact gradient also for unnormalised targets). dz may be 0 (loss only) or alias z.
 * One exp per element: the terms e^(z_j - m) are stored in dz and scaled there.
 */
export function loss_softmax_ce(z: usize, t: usize, rows: i32, cols: i32, dz: usize): f64 {
  if (rows <= 0 || cols <= 0) return 0;
  const invr: f32 = <f32>(1.0 / <f64>rows);
  const kr = f32x4.splat(invr);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const zr = at(z, r * cols), tr = at(t, r * cols), dr = dz ? at(dz, r * cols) : 0;
    const m = rowMax(zr, cols);
    // sum_j t_j (m - z_j) and T = sum_j t_j, in f64, before dz (which may alias z) is written.
    const mv = f64x2.splat(<f64>m), zd = f64x2.splat(0);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), b0 = f64x2.splat(0), b1 = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const zv = v128.load(at(zr, j)), tv = v128.load(at(tr, j));
      const t0 = f64x2.promote_low_f32x4(tv), t1 = promoteHigh(tv);
      // t_j = 0 contributes 0 even where z_j = -Inf (masked logits), not 0 * Inf = NaN.
      const q0 = f64x2.mul(t0, f64x2.sub(mv, f64x2.promote_low_f32x4(zv)));
      const q1 = f64x2.mul(t1, f64x2.sub(mv, promoteHigh(zv)));
      a0 = f64x2.add(a0, v128.andnot(q0, f64x2.eq(t0, zd)));
      a1 = f64x2.add(a1, v128.andnot(q1, f64x2.eq(t1, zd)));
      b0 = f64x2.add(b0, t0);
      b1 = f64x2.add(b1, t1);
    }
    let lin = hsum2(a0, a1), tsum = hsum2(b0, b1);
    for (; j < cols; j++) {
      const ts = <f64>load<f32>(at(tr, j));
      if (ts != 0) lin += ts * (<f64>m - <f64>load<f32>(at(zr, j)));
      tsum += ts;
    }
    const s = rowExpSum(zr, cols, m, dr);
    total += lin + tsum * logSum(s);
    if (dr) {
      // p_j = e_j / s; dz_j = (p_j T - t_j) / rows, with the scale T / s formed once per row.
      const cs: f32 = <f32>(tsum / s);
      const c = f32x4.splat(cs);
      j = 0;
      for (; j + 4 <= cols; j += 4) {
        v128.store(at(dr, j), f32x4.mul(f32x4.sub(f32x4.mul(v128.load(at(dr, j)), c), v128.load(at(tr, j))), kr));
      }
      for (; j < cols; j++) store<f32>(at(dr, j), (load<f32>(at(dr, j)) * cs - load<f32>(at(tr, j))) * invr);
    }
  }
  return total / <f64>rows;
}

/**
 * Softmax cross-entropy with integer class ids (i32[rows]; the host validates 0 <= label < cols):
 * mean over rows of (m - z_label) + log(sum_j e^(z_j - m)); dz = (softmax(z) - onehot(label)) / rows. dz may be 0 or alias z.
 */
export function loss_softmax_ce_labels(z: usize, labels: usize, rows: i32, cols: i32, dz: usize): f64 {
  if (rows <= 0 || cols <= 0) return 0;
  const invr: f32 = <f32>(1.0 / <f64>rows);
  const kr = f32x4.splat(invr);
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const zr = at(z, r * cols), dr = dz ? at(dz, r * cols) : 0;
    const lab = load<i32>(at(labels, r));
    const m = rowMax(zr, cols);
    const zl = load<f32>(at(zr, lab));
    const s = rowExpSum(zr, cols, m, dr);
    total += (<f64>m - <f64>zl) + logSum(s);
    if (dr) {
      const cs: f32 = <f32>(1.0 / s);
      const c = f32x4.splat(cs);
      const dl = at(dr, lab);
      const el = load<f32>(dl);
      let j = 0;
      for (; j + 4 <= cols; j += 4) v128.store(at(dr, j), f32x4.mul(f32x4.mul(v128.load(at(dr, j)), c), kr));
      for (; j < cols; j++) store<f32>(at(dr, j), (load<f32>(at(dr, j)) * cs) * invr);
      store<f32>(dl, (el * cs - 1.0) * invr);
    }
  }
  return total / <f64>rows;
}

// ---- weighted losses ----------------------------------------------------------------------------------------------

/**
 * Weighted mean loss (class and sample weights, the Keras reduction): (1 / rows) sum_r w_r l_r, where l_r is row r's
 * loss as the unweighted kernel gives it for one row (the mean over its columns for mse and bce) and w (f32[rows]) the
 * row weights. The gradient (when d != 0) is the row's one-row gradient times w_r / rows. kind: a LOSS_* code; p is
 * the output y for mse and the logits z otherwise; cross-entropy reads integer `labels` when t == 0.
 */
export function loss_weighted(kind: i32, p: usize, t: usize, labels: usize, w: usize, rows: i32, cols: i32, d: usize): f64 {
  if (rows <= 0 || cols <= 0) return 0;
  const inv: f64 = 1.0 / <f64>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const o = <usize>(r * cols) << 2;
    const dr = d ? d + o : 0;
    let l: f64;
    if (kind == LOSS_MSE) l = loss_mse(p + o, t + o, 1, cols, dr);
    else if (kind == LOSS_BCE) l = loss_bce_logits(p + o, t + o, 1, cols, dr);
    else if (t == 0) l = loss_softmax_ce_labels(p + o, at(labels, r), 1, cols, dr);
    else l = loss_softmax_ce(p + o, t + o, 1, cols, dr);
    const wr = <f64>load<f32>(at(w, r));
    total += wr * l;
    if (d) scale_inplace(dr, cols, <f32>(wr * inv));
  }
  return total * inv;
}

// ---- accuracy ------------------------------------------------------------------------------------------------------

/**
 * Rows whose prediction equals the label (labels: i32[rows]). cols > 1: argmax of the row (the first maximum wins;
 * NaN never wins); cols == 1: (y > 0.5 ? 1 : 0) == label.
 */
export function count_correct(y: usize, labels: usize, rows: i32, cols: i32): i32 {
  let c = 0;
  if (cols == 1) {
    for (let r = 0; r < rows; r++) {
      const pred: i32 = load<f32>(at(y, r)) > 0.5 ? 1 : 0;
      if (pred == load<i32>(at(labels, r))) c++;
    }
    return c;
  }
  if (cols <= 0) return 0;
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols);
    let best = 0;
    let bv = load<f32>(yr);
    for (let j = 1; j < cols; j++) {
      const v = load<f32>(at(yr, j));
      if (v > bv || (bv != bv && v == v)) { bv = v; best = j; }
    }
    if (best == load<i32>(at(labels, r))) c++;
  }
  return c;
}
