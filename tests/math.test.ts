// The vector math library itself (assembly/math.ts): exp, expm1, log and log1p against f64 over dense sweeps of
// f32 bit patterns and every special value, SIMD body vs scalar tail, and the worst cases printed for the record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../dist/index.js';
import { SPECIALS, ulpError } from './util.js';

let engine: Engine;
// The math_* probes live in the twins build only (rectify-twins.wasm, used by scalar: true); they are the SIMD
// versions there, the same code as in the shipped build's kernels.
beforeAll(async () => { engine = await createEngine({ scalar: true }); });
const report: string[] = [];
afterAll(() => { console.log(`math worst cases (ulps vs f64):\n${report.join('\n')}`); });

type Probe = 'math_exp' | 'math_expm1' | 'math_log' | 'math_log1p' | 'math_expneg' | 'math_expneg24' | 'math_expnegsplit' | 'math_expnegsplit24' | 'math_log1punit' | 'math_expshift';

/** Runs a probe over xs: the SIMD body for all, and one element at a time (the scalar tail). */
function run(name: Probe, xs: Float32Array): { simd: Float32Array; tail: Float32Array } {
  const ex = (engine as unknown as { exports: Record<string, (...a: number[]) => void> }).exports;
  const n = xs.length;
  const x = engine.tensor(xs), y = engine.tensor(n);
  ex[name]!(x.ptr, y.ptr, n);
  const simd = y.toArray();
  // Scalar twin: run the probe on lengths 1..3 windows so every element goes through the tail loop.
  const tail = new Float32Array(n);
  const one = engine.tensor(3), out = engine.tensor(3);
  for (let i = 0; i < n; i += 3) {
    const m = Math.min(3, n - i);
    one.data.set(xs.subarray(i, i + m));
    ex[name]!(one.ptr, out.ptr, m);
    tail.set(out.data.subarray(0, m), i);
  }
  x.dispose(); y.dispose(); one.dispose(); out.dispose();
  return { simd, tail };
}

/** Every `stride`-th f32 bit pattern of both signs (subnormals, normals, Inf, NaN) plus a grid and the specials. */
function bitSweep(stride: number, lo: number, hi: number, grid = 200001): Float32Array {
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  const out: number[] = [];
  for (let b = 0; b <= 0xffffffff; b += stride) { bits[0] = b; out.push(f[0]!); }
  for (let i = 0; i < grid; i++) out.push(Math.fround(lo + ((hi - lo) * i) / (grid - 1)));
  // every f32 next to 0 and 1 (where expm1/log1p/log are delicate)
  for (const c of [0, 1, -1]) {
    f[0] = c; const cb = bits[0]!;
    for (let k = -20000; k <= 20000; k++) { bits[0] = (cb + k) >>> 0; out.push(f[0]!); }
  }
  out.push(...SPECIALS);
  return Float32Array.from(out);
}

// The exp family's variants (assembly/math.ts) are measured on their domain x <= 0 (nonPositive); the split ones get
// the correction b = x 2^-6 (exact in f32, |b| up to 2) and must carry it: the reference is e^(x + x/64) in f64.
const SHIFT_M = Math.fround(10.3);
const cases: { name: Probe; ref: (x: number) => number; lo: number; hi: number; limit: number; nonPositive?: boolean; unit?: boolean; shift?: boolean }[] = [
  { name: 'math_exp', ref: Math.exp, lo: -104, hi: 89, limit: 1.5 },
  { name: 'math_expneg', ref: Math.exp, lo: -104, hi: 0, limit: 1.5, nonPositive: true },
  { name: 'math_expneg24', ref: (x) => 2 ** 24 * Math.exp(x), lo: -125, hi: 0, limit: 1.5, nonPositive: true },
  { name: 'math_expnegsplit', ref: (x) => Math.exp(x + x / 64), lo: -104, hi: 0, limit: 1.5, nonPositive: true },
  { name: 'math_expnegsplit24', ref: (x) => 2 ** 24 * Math.exp(x + x / 64), lo: -125, hi: 0, limit: 1.5, nonPositive: true },
  { name: 'math_log1punit', ref: Math.log1p, lo: 0, hi: 1, limit: 1.5, unit: true },
  // e^(x - m) for softmax's fast rows, m = f32(10.3), x in [m - 86, m] (the probe's domain).
  { name: 'math_expshift', ref: (x) => Math.exp(x - SHIFT_M), lo: SHIFT_M - 85.99, hi: SHIFT_M, limit: 1.5, shift: true },
  { name: 'math_expm1', ref: Math.expm1, lo: -20, hi: 89, limit: 2.5 },
  { name: 'math_log', ref: Math.log, lo: 0, hi: 10, limit: 1.5 },
  { name: 'math_log1p', ref: Math.log1p, lo: -1, hi: 10, limit: 2 },
];

describe.each(cases)('$name', ({ name, ref, lo, hi, limit, nonPositive, unit, shift }) => {
  it(`is within ${limit} ulp of f64 over a dense sweep and every special value; SIMD == scalar bits`, () => {
    const all = bitSweep(997, lo, hi);
    const inDomain = (v: number) => (nonPositive ? !(v > 0) : unit ? !(v < 0 || v > 1) : shift ? v >= lo && v <= hi : true);
    const xs = all.filter(inDomain);
    const { simd, tail } = run(name, xs);
    let worst = 0, at = 0, mismatch = -1;
    const su = new Uint32Array(simd.buffer), tu = new Uint32Array(tail.buffer);
    for (let i = 0; i < xs.length; i++) {
      const e = ulpError(simd[i]!, ref(xs[i]!));
      if (e > worst) { worst = e; at = i; }
      if (su[i] !== tu[i] && !(Number.isNaN(simd[i]!) && Number.isNaN(tail[i]!)) && mismatch < 0) mismatch = i;
    }
    report.push(`${name.padEnd(11)} worst ${worst.toFixed(3)} ulp at x = ${xs[at]} (got ${simd[at]}, f64 ${ref(xs[at]!)}); ${xs.length} inputs`);
    expect(mismatch, mismatch >= 0 ? `x = ${xs[mismatch]}: SIMD ${simd[mismatch]} vs scalar ${tail[mismatch]}` : '').toBe(-1);
    expect(worst, `x = ${xs[at]}: got ${simd[at]}, want ${ref(xs[at]!)}`).toBeLessThanOrEqual(limit);
    for (const s of SPECIALS.filter(inDomain)) {
      const { simd: v } = run(name, Float32Array.of(s, s, s, s, s));
      expect(ulpError(v[0]!, ref(Math.fround(s))), `special ${s}: got ${v[0]}`).toBeLessThanOrEqual(limit);
      expect(ulpError(v[4]!, ref(Math.fround(s))), `special ${s} (scalar): got ${v[4]}`).toBeLessThanOrEqual(limit);
    }
  });
});
