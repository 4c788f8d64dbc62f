// Calibration kernels for the benchmarks (compiled by bench/calibrate.js, never shipped).
//
// clock_mul: a chain of dependent 32-bit integer multiplies (3 cycles of latency each on current x86 cores, Intel
// and AMD), so its time gives the core's clock. peak_muladd and peak_fma: the 128-bit ceilings without and with FMA
// (described below).

// Eight f32x4 values the ceiling kernels cycle through, so the multiplicand changes every step (nothing to hoist).
const XS = memory.data<f32>([
  1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3, 1e-3, 2e-3, 3e-3, 4e-3, 5e-3, 6e-3, 7e-3, 8e-3,
  2e-3, 1e-3, 4e-3, 3e-3, 6e-3, 5e-3, 8e-3, 7e-3, 2e-3, 1e-3, 4e-3, 3e-3, 6e-3, 5e-3, 8e-3, 7e-3,
], 16);

// As in a GEMM register tile, the multiply is off the critical path: acc += x * b, x loaded each step, two b
// vectors, ten accumulators (10 + 2 + x + the product's temporary = 14 of the 16 xmm registers). Ten chains cover
// the add latency (2-4 cycles) at two adds per cycle, so the loop is bound by the multiply and add pipes:
// 10 multiplies + 10 adds = 80 flop per step.
export function peak_muladd(steps: i32, a: f32, b: f32): f32 {
  const b0 = f32x4.splat(a), b1 = f32x4.splat(b);
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
  for (let i = 0; i < steps; i++) {
    const x = v128.load(XS + (<usize>(i & 7) << 4));
    c0 = f32x4.add(c0, f32x4.mul(x, b0)); c1 = f32x4.add(c1, f32x4.mul(x, b1));
    c2 = f32x4.add(c2, f32x4.mul(x, b0)); c3 = f32x4.add(c3, f32x4.mul(x, b1));
    c4 = f32x4.add(c4, f32x4.mul(x, b0)); c5 = f32x4.add(c5, f32x4.mul(x, b1));
    c6 = f32x4.add(c6, f32x4.mul(x, b0)); c7 = f32x4.add(c7, f32x4.mul(x, b1));
    c8 = f32x4.add(c8, f32x4.mul(x, b0)); c9 = f32x4.add(c9, f32x4.mul(x, b1));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(c8, c9)), 0);
}

// The same with relaxed_madd (FMA, 4 cycles of latency): ten chains keep two FMA pipes busy; 80 flop per step.
export function peak_fma(steps: i32, a: f32, b: f32): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  const b0 = f32x4.splat(a), b1 = f32x4.splat(b);
  let c0 = f32x4.splat(0), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0;
  for (let i = 0; i < steps; i++) {
    const x = v128.load(XS + (<usize>(i & 7) << 4));
    c0 = f32x4.relaxed_madd(x, b0, c0); c1 = f32x4.relaxed_madd(x, b1, c1);
    c2 = f32x4.relaxed_madd(x, b0, c2); c3 = f32x4.relaxed_madd(x, b1, c3);
    c4 = f32x4.relaxed_madd(x, b0, c4); c5 = f32x4.relaxed_madd(x, b1, c5);
    c6 = f32x4.relaxed_madd(x, b0, c6); c7 = f32x4.relaxed_madd(x, b1, c7);
    c8 = f32x4.relaxed_madd(x, b0, c8); c9 = f32x4.relaxed_madd(x, b1, c9);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(c8, c9)), 0);
}

/** Flop per step of peak_muladd and peak_fma. */
export const PEAK_FLOP_PER_STEP: i32 = 80;

export function clock_mul(steps: i32, k: i32): i32 {
  let x = k;
  for (let i = 0; i < steps; i += 8) {
    x = x * k; x = x * k; x = x * k; x = x * k;
    x = x * k; x = x * k; x = x * k; x = x * k;
  }
  return x;
}
