// One row through a dense layer: y[n] = x[k] W[k,n] + b[n] (W row-major [in, out], as the network stores it).
//
// A network forward pass at one row (predict of one sample, training at batch 1) used gemm_nn with m = 1, whose
// small path keeps a 1x16 tile: four accumulators, each a chain of k dependent adds, so the core waits on add latency
// most of the time. Here a strip of 24 columns keeps six accumulators in flight (enough to cover the add latency on both
// add pipes); the bias is added in the register tile instead of in a second pass (add_bias_rows). Strips of 28 and 24
// columns measured alike, 16 (the GEMM's) 10-20% slower; 32 columns (eight accumulators) ran at half speed: V8 loads
// every W vector of a step before the arithmetic, runs out of xmm registers and keeps one accumulator on the stack.
//
// Bits: every column is (((0 + x[0] W[0,j]) + x[1] W[1,j]) + ...) + b[j], in k order, exactly what gemm_nn(1, n, k)
// followed by add_bias_rows computes, so in the baseline build (separate multiply and add) the result is bit for bit
// that of the GEMM path, and of the scalar twin. The relaxed build fuses each step (vmadd) for every column, the tail
// ones included (lane 0 of the same vector operation), as gemm_nn's small path does: the same bits as that path too.
// tests/gemv.test.ts checks both.

import { vmadd } from '../math';

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** y[j] = sum_kk x[kk] W[kk, j] (k order) + b[j] for j < n. x [k], W [k, n] row-major, b [n], y [n]; y must not alias. */
export function gemv_bias(n: i32, k: i32, x: usize, w: usize, b: usize, y: usize): void {
  const ldw = <usize>n << 2;
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 24 <= n; j += 24) {
    let c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero;
    let px = x, pw = at(w, j);
    for (let p = 0; p < k; p++) {
      const a = v128.load32_splat(px);
      c0 = vmadd(a, v128.load(pw), c0); c1 = vmadd(a, v128.load(pw, 16), c1);
      c2 = vmadd(a, v128.load(pw, 32), c2); c3 = vmadd(a, v128.load(pw, 48), c3);
      c4 = vmadd(a, v128.load(pw, 64), c4); c5 = vmadd(a, v128.load(pw, 80), c5);
      px += 4; pw += ldw;
    }
    const py = at(y, j), pb = at(b, j);
    v128.store(py, f32x4.add(c0, v128.load(pb))); v128.store(py, f32x4.add(c1, v128.load(pb, 16)), 16);
    v128.store(py, f32x4.add(c2, v128.load(pb, 32)), 32); v128.store(py, f32x4.add(c3, v128.load(pb, 48)), 48);
    v128.store(py, f32x4.add(c4, v128.load(pb, 64)), 64); v128.store(py, f32x4.add(c5, v128.load(pb, 80)), 80);
  }
  for (; j + 8 <= n; j += 8) {
    let c0 = zero, c1 = zero;
    let px = x, pw = at(w, j);
    for (let p = 0; p < k; p++) {
      const a = v128.load32_splat(px);
      c0 = vmadd(a, v128.load(pw), c0); c1 = vmadd(a, v128.load(pw, 16), c1);
      px += 4; pw += ldw;
    }
    const py = at(y, j), pb = at(b, j);
    v128.store(py, f32x4.add(c0, v128.load(pb))); v128.store(py, f32x4.add(c1, v128.load(pb, 16)), 16);
  }
  // The last n % 8 columns one by one, each with lane 0 of the vector operations: scalar mul and add give the same
  // bits as a lane in the baseline build, and the relaxed build must use the same fused operation as the lanes.
  for (; j < n; j++) {
    let c0 = zero;
    let px = x, pw = at(w, j);
    for (let p = 0; p < k; p++) { c0 = vmadd(v128.load32_zero(px), v128.load32_zero(pw), c0); px += 4; pw += ldw; }
    store<f32>(at(y, j), f32x4.extract_lane(c0, 0) + load<f32>(at(b, j)));
  }
}

/** Scalar twin of gemv_bias (plain loops, the same order; the bit-exact reference of the baseline build). */
export function gemv_bias_scalar(n: i32, k: i32, x: usize, w: usize, b: usize, y: usize): void {
  for (let j = 0; j < n; j++) {
    let s: f32 = 0;
    for (let p = 0; p < k; p++) s += load<f32>(at(x, p)) * load<f32>(at(w, p * n + j));
    store<f32>(at(y, j), s + load<f32>(at(b, j)));
  }
}
