// Optimizer steps over one contiguous parameter block (updated in place), and the two helpers of gradient clipping.
//
// Weight decay `wd`: for sgd, momentum, rmsprop and adam (decoupled = 0) it is L2 regularisation added to the
// gradient, g' = g + wd w; for adam with decoupled = 1 (AdamW, Loshchilov & Hutter 2019) the weights shrink by
// w (1 - lr wd) before the Adam step. These kernels apply whatever `wd` they are given: biases and activation
// parameters are decayed only if the caller passes a nonzero wd for their block.
//
// Each element's update is the same IEEE operations in the same order in the SIMD body and the scalar tail (no
// fused multiply-add, also in the relaxed build), so a result never depends on an element's position.
// sum_squares accumulates exact f64 squares in an order fixed by n alone.

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Plain SGD: w -= lr (g + wd w). */
export function sgd_step(w: usize, g: usize, n: i32, lr: f32, wd: f32): void {
  const lrv = f32x4.splat(lr), wdv = f32x4.splat(wd);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wv = v128.load(at(w, i));
    const gv = f32x4.add(v128.load(at(g, i)), f32x4.mul(wdv, wv));
    v128.store(at(w, i), f32x4.sub(wv, f32x4.mul(lrv, gv)));
  }
  for (; i < n; i++) {
    const ws = load<f32>(at(w, i));
    const gs = load<f32>(at(g, i)) + wd * ws;
    store<f32>(at(w, i), ws - lr * gs);
  }
}

/**
 * SGD with momentum (the PyTorch form, no dampening): g' = g + wd w; v = mu v + g';
 * w -= lr v, or with nesterov != 0: w -= lr (g' + mu v).
 */
export function momentum_step(w: usize, g: usize, v: usize, n: i32, lr: f32, mu: f32, nesterov: i32, wd: f32): void {
  const lrv = f32x4.splat(lr), wdv = f32x4.splat(wd), muv = f32x4.splat(mu);
  let i = 0;
  if (nesterov) {
    for (; i + 4 <= n; i += 4) {
      const wv = v128.load(at(w, i));
      const gv = f32x4.add(v128.load(at(g, i)), f32x4.mul(wdv, wv));
      const vv = f32x4.add(f32x4.mul(muv, v128.load(at(v, i))), gv);
      v128.store(at(v, i), vv);
      v128.store(at(w, i), f32x4.sub(wv, f32x4.mul(lrv, f32x4.add(gv, f32x4.mul(muv, vv)))));
    }
    for (; i < n; i++) {
      const ws = load<f32>(at(w, i));
      const gs = load<f32>(at(g, i)) + wd * ws;
      const vs = mu * load<f32>(at(v, i)) + gs;
      store<f32>(at(v, i), vs);
      store<f32>(at(w, i), ws - lr * (gs + mu * vs));
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const wv = v128.load(at(w, i));
      const gv = f32x4.add(v128.load(at(g, i)), f32x4.mul(wdv, wv));
      const vv = f32x4.add(f32x4.mul(muv, v128.load(at(v, i))), gv);
      v128.store(at(v, i), vv);
      v128.store(at(w, i), f32x4.sub(wv, f32x4.mul(lrv, vv)));
    }
    for (; i < n; i++) {
      const ws = load<f32>(at(w, i));
      const gs = load<f32>(at(g, i)) + wd * ws;
      const vs = mu * load<f32>(at(v, i)) + gs;
      store<f32>(at(v, i), vs);
      store<f32>(at(w, i), ws - lr * vs);
    }
  }
}

/** RMSprop (Hinton 2012; eps outside the root as in PyTorch/Keras): g' = g + wd w; s = rho s + (1 - rho) g'^2; w -= lr g' / (sqrt(s) + eps). */
export function rmsprop_step(w: usize, g: usize, s: usize, n: i32, lr: f32, rho: f32, eps: f32, wd: f32): void {
  const omr: f32 = 1.0 - rho;
  const lrv = f32x4.splat(lr), wdv = f32x4.splat(wd), rv = f32x4.splat(rho), ov = f32x4.splat(omr), ev = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wv = v128.load(at(w, i));
    const gv = f32x4.add(v128.load(at(g, i)), f32x4.mul(wdv, wv));
    const sv = f32x4.add(f32x4.mul(rv, v128.load(at(s, i))), f32x4.mul(ov, f32x4.mul(gv, gv)));
    v128.store(at(s, i), sv);
    v128.store(at(w, i), f32x4.sub(wv, f32x4.div(f32x4.mul(lrv, gv), f32x4.add(f32x4.sqrt(sv), ev))));
  }
  for (; i < n; i++) {
    const ws = load<f32>(at(w, i));
    const gs = load<f32>(at(g, i)) + wd * ws;
    const ss = rho * load<f32>(at(s, i)) + omr * (gs * gs);
    store<f32>(at(s, i), ss);
    store<f32>(at(w, i), ws - (lr * gs) / (sqrt<f32>(ss) + eps));
  }
}

/**
 * Adam (Kingma & Ba 2015) / AdamW. b1t = b1^t and b2t = b2^t for step t >= 1 (the caller keeps them).
 * decoupled == 0: g' = g + wd w, w -= lr mhat / (sqrt(vhat) + eps);
 * decoupled != 0: g' = g,        w = w (1 - lr wd) - lr mhat / (sqrt(vhat) + eps);
 * m = b1 m + (1 - b1) g', v = b2 v + (1 - b2) g'^2, mhat = m / (1 - b1t), vhat = v / (1 - b2t).
 */
export function adam_step(w: usize, g: usize, m: usize, v: usize, n: i32, lr: f32, b1: f32, b2: f32, eps: f32, wd: f32,
  decoupled: i32, b1t: f32, b2t: f32): void {
  const omb1: f32 = 1.0 - b1, omb2: f32 = 1.0 - b2;
  const c1: f32 = 1.0 / (1.0 - b1t), c2: f32 = 1.0 / (1.0 - b2t);
  const l2: f32 = decoupled ? 0 : wd;                 // coupled decay, added to the gradient
  const shrink: f32 = decoupled ? 1.0 - lr * wd : 1;  // decoupled decay, applied to the weights
  const b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), o1 = f32x4.splat(omb1), o2 = f32x4.splat(omb2);
  const c1v = f32x4.splat(c1), c2v = f32x4.splat(c2), lrv = f32x4.splat(lr), ev = f32x4.splat(eps);
  const l2v = f32x4.splat(l2), shv = f32x4.splat(shrink);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wv = v128.load(at(w, i));
    const gv = f32x4.add(v128.load(at(g, i)), f32x4.mul(l2v, wv));
    const mv = f32x4.add(f32x4.mul(b1v, v128.load(at(m, i))), f32x4.mul(o1, gv));
    const vv = f32x4.add(f32x4.mul(b2v, v128.load(at(v, i))), f32x4.mul(o2, f32x4.mul(gv, gv)));
    v128.store(at(m, i), mv);
    v128.store(at(v, i), vv);
    const den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, c2v)), ev);
    const upd = f32x4.div(f32x4.mul(lrv, f32x4.mul(mv, c1v)), den);
    v128.store(at(w, i), f32x4.sub(f32x4.mul(wv, shv), upd));
  }
  for (; i < n; i++) {
    const ws = load<f32>(at(w, i));
    const gs = load<f32>(at(g, i)) + l2 * ws;
    const ms = b1 * load<f32>(at(m, i)) + omb1 * gs;
    const vs = b2 * load<f32>(at(v, i)) + omb2 * (gs * gs);
    store<f32>(at(m, i), ms);
    store<f32>(at(v, i), vs);
    const den = sqrt<f32>(vs * c2) + eps;
    store<f32>(at(w, i), ws * shrink - (lr * (ms * c1)) / den);
  }
}

/** sum g_i^2 in f64 (squares exact), two f64x2 accumulators then the tail: the order depends on n only. */
export function sum_squares(g: usize, n: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const gv = v128.load(at(g, i));
    const lo = f64x2.promote_low_f32x4(gv);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(gv, gv, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.mul(lo, lo));
    a1 = f64x2.add(a1, f64x2.mul(hi, hi));
  }
  let s = (f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1)) + (f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1));
  for (; i < n; i++) {
    const x = <f64>load<f32>(at(g, i));
    s += x * x;
  }
  return s;
}

/** g *= s (clipping by global norm: s = min(1, maxNorm / sqrt(sum of sum_squares over all blocks))). */
export function scale_inplace(g: usize, n: i32, s: f32): void {
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(g, i), f32x4.mul(v128.load(at(g, i)), sv));
  for (; i < n; i++) store<f32>(at(g, i), load<f32>(at(g, i)) * s);
}

/**
 * L1/L2 penalty of one weight block (Keras kernel_regularizer): returns l1 sum |w| + l2 sum w^2 in f64 (an order
 * fixed by n); when g != 0 it also adds the penalty's gradient to g: g += l1 sign(w) + 2 l2 w, sign(0) = 0.
 */
export function weight_penalty(w: usize, g: usize, n: i32, l1: f32, l2: f32): f64 {
  const k2: f32 = l2 + l2;
  const a = f32x4.splat(l1), k = f32x4.splat(k2), zero = f32x4.splat(0), sign = i32x4.splat(0x80000000);
  const d1 = f64x2.splat(<f64>l1), d2 = f64x2.splat(<f64>l2);
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const wv = v128.load(at(w, i));
    const lo = f64x2.promote_low_f32x4(wv), hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(wv, wv, 2, 3, 0, 1));
    a0 = f64x2.add(a0, f64x2.add(f64x2.mul(d1, f64x2.abs(lo)), f64x2.mul(d2, f64x2.mul(lo, lo))));
    a1 = f64x2.add(a1, f64x2.add(f64x2.mul(d1, f64x2.abs(hi)), f64x2.mul(d2, f64x2.mul(hi, hi))));
    if (g) {
      // l1 with the sign of w, 0 where w is +-0
      const s = v128.and(v128.or(v128.and(wv, sign), a), f32x4.ne(wv, zero));
      v128.store(at(g, i), f32x4.add(v128.load(at(g, i)), f32x4.add(s, f32x4.mul(k, wv))));
    }
  }
  let s = (f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1)) + (f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1));
  for (; i < n; i++) {
    const ws = load<f32>(at(w, i)), x = <f64>ws;
    s += <f64>l1 * abs<f64>(x) + <f64>l2 * (x * x);
    if (g) store<f32>(at(g, i), load<f32>(at(g, i)) + ((ws != 0 ? (ws < 0 ? -l1 : l1) : <f32>0) + k2 * ws));
  }
  return s;
}

/** weight_penalty with the scalar body only (same operations per element, same accumulation order). */
export function weight_penalty_scalar(w: usize, g: usize, n: i32, l1: f32, l2: f32): f64 {
  const k2: f32 = l2 + l2;
  // Elements i = 4q + r go to accumulator lane (r & 1) of pair (r >> 1), as the SIMD body sums them.
  let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    for (let r = 0; r < 4; r++) {
      const ws = load<f32>(at(w, i + r)), x = <f64>ws;
      const p = <f64>l1 * abs<f64>(x) + <f64>l2 * (x * x);
      if (r == 0) s0 += p; else if (r == 1) s1 += p; else if (r == 2) s2 += p; else s3 += p;
      if (g) store<f32>(at(g, i + r), load<f32>(at(g, i + r)) + ((ws != 0 ? (ws < 0 ? -l1 : l1) : <f32>0) + k2 * ws));
    }
  }
  let s = (s0 + s1) + (s2 + s3);
  for (; i < n; i++) {
    const ws = load<f32>(at(w, i)), x = <f64>ws;
    s += <f64>l1 * abs<f64>(x) + <f64>l2 * (x * x);
    if (g) store<f32>(at(g, i), load<f32>(at(g, i)) + ((ws != 0 ? (ws < 0 ? -l1 : l1) : <f32>0) + k2 * ws));
  }
  return s;
}
