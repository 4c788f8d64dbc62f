// Calibration kernels for the benchmarks (compiled by bench/calibrate.js, never shipped).
//
// clock_mul: a chain of dependent 32-bit integer multiplies (3 cycles of latency each on current x86 cores, Intel
// and AMD), so its time gives the core's clock. peak_muladd: twelve independent f32x4 chains of a multiply and an add (enough chains to keep two
// multiply and two add pipes busy through their latencies), so its time gives the 128-bit ceiling without FMA.
// peak_fma (relaxed build only): the same with relaxed_madd, twelve chains.

export function peak_muladd(steps: i32, a: f32, b: f32): f32 {
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let c0 = f32x4.splat(0.1), c1 = f32x4.splat(0.2), c2 = f32x4.splat(0.3), c3 = f32x4.splat(0.4);
  let c4 = f32x4.splat(0.5), c5 = f32x4.splat(0.6), c6 = f32x4.splat(0.7), c7 = f32x4.splat(0.8);
  let c8 = f32x4.splat(0.9), c9 = f32x4.splat(1.0), c10 = f32x4.splat(1.1), c11 = f32x4.splat(1.2);
  for (let i = 0; i < steps; i++) {
    c0 = f32x4.add(f32x4.mul(c0, va), vb); c1 = f32x4.add(f32x4.mul(c1, va), vb);
    c2 = f32x4.add(f32x4.mul(c2, va), vb); c3 = f32x4.add(f32x4.mul(c3, va), vb);
    c4 = f32x4.add(f32x4.mul(c4, va), vb); c5 = f32x4.add(f32x4.mul(c5, va), vb);
    c6 = f32x4.add(f32x4.mul(c6, va), vb); c7 = f32x4.add(f32x4.mul(c7, va), vb);
    c8 = f32x4.add(f32x4.mul(c8, va), vb); c9 = f32x4.add(f32x4.mul(c9, va), vb);
    c10 = f32x4.add(f32x4.mul(c10, va), vb); c11 = f32x4.add(f32x4.mul(c11, va), vb);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

export function peak_fma(steps: i32, a: f32, b: f32): f32 {
  if (!ASC_FEATURE_RELAXED_SIMD) return 0;
  const va = f32x4.splat(a), vb = f32x4.splat(b);
  let c0 = f32x4.splat(0.1), c1 = f32x4.splat(0.2), c2 = f32x4.splat(0.3), c3 = f32x4.splat(0.4);
  let c4 = f32x4.splat(0.5), c5 = f32x4.splat(0.6), c6 = f32x4.splat(0.7), c7 = f32x4.splat(0.8);
  let c8 = f32x4.splat(0.9), c9 = f32x4.splat(1.0), c10 = f32x4.splat(1.1), c11 = f32x4.splat(1.2);
  for (let i = 0; i < steps; i++) {
    c0 = f32x4.relaxed_madd(c0, va, vb); c1 = f32x4.relaxed_madd(c1, va, vb);
    c2 = f32x4.relaxed_madd(c2, va, vb); c3 = f32x4.relaxed_madd(c3, va, vb);
    c4 = f32x4.relaxed_madd(c4, va, vb); c5 = f32x4.relaxed_madd(c5, va, vb);
    c6 = f32x4.relaxed_madd(c6, va, vb); c7 = f32x4.relaxed_madd(c7, va, vb);
    c8 = f32x4.relaxed_madd(c8, va, vb); c9 = f32x4.relaxed_madd(c9, va, vb);
    c10 = f32x4.relaxed_madd(c10, va, vb); c11 = f32x4.relaxed_madd(c11, va, vb);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(c0, c1), f32x4.add(c2, c3)), f32x4.add(f32x4.add(c4, c5), f32x4.add(c6, c7)));
  const t = f32x4.add(f32x4.add(c8, c9), f32x4.add(c10, c11));
  return f32x4.extract_lane(f32x4.add(s, t), 0);
}

export function clock_mul(steps: i32, k: i32): i32 {
  let x = k;
  for (let i = 0; i < steps; i += 8) {
    x = x * k; x = x * k; x = x * k; x = x * k;
    x = x * k; x = x * k; x = x * k; x = x * k;
  }
  return x;
}
