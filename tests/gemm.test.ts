// The dense-layer GEMM kernels (gemm_nn, gemm_nt, gemm_tn), their naive twins and the bias helpers, against f64
// products. Tolerance (per element): |got - want| <= 2 (k + 1) 2^-24 (|c0| + sum_p |a_ip b_pj|), the bound of
// sequential f32 summation with a safety factor of 2. In the baseline build every fast path sums in the same
// order as the naive loops, so there they must agree bit for bit. Scratch and (for acc = 0) C are filled with NaN
// first, so any read of unpacked padding or stale output would show. C must not alias A or B (not tested: not allowed).
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../dist/index.js';
import { rng } from './util.js';

type Variant = 'nn' | 'nt' | 'tn';
type Fn = (m: number, n: number, k: number, a: number, b: number, c: number, acc: number, s: number) => void;

let base: Engine;
let relaxed: Engine | undefined;
beforeAll(async () => {
  // The twins build: the shipped kernels plus the naive references (gemm_*_naive).
  base = await createEngine({ scalar: true });
  const r = await createEngine({ relaxedSimd: true });
  relaxed = r.relaxedSimd ? r : undefined;
});

/** A[i,p] and B[p,j] as stored by each variant. */
function getA(v: Variant, a: Float32Array, m: number, k: number, i: number, p: number): number {
  return v === 'tn' ? a[p * m + i]! : a[i * k + p]!;
}
function getB(v: Variant, b: Float32Array, n: number, k: number, p: number, j: number): number {
  return v === 'nt' ? b[j * k + p]! : b[p * n + j]!;
}

interface Result { got: Float32Array; naive: Float32Array; want: Float64Array; bound: Float64Array }

function run(engine: Engine, v: Variant, m: number, n: number, k: number, acc: number, seed: number, offset = 0): Result {
  const r = rng(seed);
  const av = Float32Array.from({ length: m * k }, () => Math.fround(r() * 2 - 1));
  const bv = Float32Array.from({ length: k * n }, () => Math.fround(r() * 2 - 1));
  const cv = Float32Array.from({ length: m * n }, () => (acc ? Math.fround(r() * 2 - 1) : NaN));
  const ex = engine.exports as unknown as Record<string, Fn> & { gemm_scratch_bytes(m: number, n: number, k: number): number };
  const sb = ex.gemm_scratch_bytes(m, n, k);
  const a = engine.tensor(m * k + 4), b = engine.tensor(k * n + 4);
  const sw = Math.ceil(sb / 4);
  const c = engine.tensor(m * n + 4), c2 = engine.tensor(m * n + 4), s = engine.tensor(sw + 8);
  try {
    // offset (in elements) moves every operand off its 16-byte alignment: the bits must not change.
    a.data.set(av, offset); b.data.set(bv, offset); c.data.set(cv, offset); c2.data.set(cv, offset);
    s.data.fill(NaN);
    s.data.fill(12345, sw);
    const o = offset * 4;
    ex[`gemm_${v}`]!(m, n, k, a.ptr + o, b.ptr + o, c.ptr + o, acc, s.ptr);
    // The naive twins are in the twins build only; the relaxed build is compared with f64 alone.
    ex[`gemm_${v}_naive`]?.(m, n, k, a.ptr + o, b.ptr + o, c2.ptr + o, acc, 0);
    const got = c.data.slice(offset, offset + m * n);
    const naive = c2.data.slice(offset, offset + m * n);
    const want = new Float64Array(m * n), bound = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const c0 = acc ? cv[i * n + j]! : 0;
        let sum = c0, mag = Math.abs(c0);
        for (let p = 0; p < k; p++) {
          const t = getA(v, av, m, k, i, p) * getB(v, bv, n, k, p, j);
          sum += t; mag += Math.abs(t);
        }
        want[i * n + j] = sum;
        bound[i * n + j] = 2 * (k + 1) * 2 ** -24 * mag + 2 ** -149;
      }
    }
    // Words past the end of C and of the scratch gemm_scratch_bytes asked for are untouched.
    expect(c.data[offset + m * n], 'wrote past the end of C').toBe(0);
    expect(Array.from(s.data.subarray(sw)), `${m}x${n}x${k}: wrote past the scratch gemm_scratch_bytes sized`).toEqual(new Array(8).fill(12345));
    return { got, naive, want, bound };
  } finally {
    a.dispose(); b.dispose(); c.dispose(); c2.dispose(); s.dispose();
  }
}

function check(res: Result, label: string, bits: boolean): void {
  let worst = 0, at = -1;
  for (let i = 0; i < res.want.length; i++) {
    const err = Math.abs(res.got[i]! - res.want[i]!) / res.bound[i]!;
    if (!(err <= worst)) { worst = err; at = i; }
  }
  expect(worst, `${label}: element ${at}: got ${res.got[at]}, want ${res.want[at]} (bound ${res.bound[at]})`).toBeLessThanOrEqual(1);
  for (let i = 0; i < res.want.length && bits; i++) {
    const e = Math.abs(res.naive[i]! - res.want[i]!);
    if (!(e <= res.bound[i]!)) expect.fail(`${label}: naive twin, element ${i}: got ${res.naive[i]}, want ${res.want[i]}`);
  }
  if (bits) {
    for (let i = 0; i < res.got.length; i++) {
      if (!Object.is(res.got[i], res.naive[i])) expect.fail(`${label}: element ${i}: fast ${res.got[i]} != naive ${res.naive[i]}`);
    }
  }
}

const VARIANTS: Variant[] = ['nn', 'nt', 'tn'];
// Named shapes: tiny, odd, exact tiles, tails of both tile dimensions, the MC/KC block edges, an MNIST-like layer.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 8, 16], [4, 8, 17], [17, 33, 65], [8, 16, 16], [16, 16, 16], [5, 9, 17], [1, 784, 256],
  [256, 1, 64], [64, 10, 784], [7, 8, 300], [260, 20, 300], [300, 17, 513], [33, 41, 256], [12, 24, 257],
  // k = 1 with n a multiple of 16 (outer16: dW at batch 1) and tn with one column (tnColumn), odd m
  [7, 32, 1], [41, 48, 1], [23, 1, 1], [45, 1, 9],
];

describe.each(VARIANTS)('gemm_%s', (v) => {
  it.each([0, 1])('named shapes against f64, acc = %i (baseline: bits equal the naive twin)', (acc) => {
    for (const [m, n, k] of SHAPES) check(run(base, v, m, n, k, acc, m * 1000 + n * 10 + k), `${m}x${n}x${k}`, true);
  });

  it('64x784x256 against f64, acc 0 and 1', () => {
    for (const acc of [0, 1]) check(run(base, v, 64, 784, 256, acc, 99), `64x784x256 acc ${acc}`, true);
  });

  it('every tail: m 1..9, n 1..17, k in {1, 2, 5, 17}', () => {
    for (let m = 1; m <= 9; m++) {
      for (let n = 1; n <= 17; n++) {
        for (const k of [1, 2, 5, 17]) check(run(base, v, m, n, k, (m + n) & 1, m * 7 + n * 3 + k), `${m}x${n}x${k}`, true);
      }
    }
  });

  it('row blocks and register tiles of both builds: m around MC = 240 and multiples of 5 and 6', () => {
    for (const m of [29, 30, 31, 239, 240, 241, 245, 246, 481]) check(run(base, v, m, 16, 24, m & 1, m), `${m}x16x24`, true);
    if (relaxed) for (const m of [29, 30, 31, 241, 246]) check(run(relaxed, v, m, 16, 24, m & 1, m), `relaxed ${m}x16x24`, false);
  });

  it('packed-path tails: m 4..12, n 8..24, k 20', () => {
    for (let m = 4; m <= 12; m++) {
      for (let n = 8; n <= 24; n++) check(run(base, v, m, n, 20, m & 1, m * 31 + n), `${m}x${n}x20`, true);
    }
  });

  it('k = 0 gives C = 0 (acc 0) or leaves C (acc 1); empty shapes do nothing', () => {
    const r0 = run(base, v, 3, 9, 0, 0, 1);
    expect(Array.from(r0.got)).toEqual(new Array(27).fill(0));
    const r1 = run(base, v, 5, 9, 0, 1, 2);
    expect(Array.from(r1.got)).toEqual(Array.from(r1.want, (x) => Math.fround(x)));
    run(base, v, 0, 5, 3, 0, 3);
    run(base, v, 5, 0, 3, 0, 3);
  });

  it('the bits do not depend on the alignment of the operands', () => {
    for (const [m, n, k] of [[17, 33, 65], [3, 5, 7], [40, 40, 300]] as const) {
      const aligned = run(base, v, m, n, k, 1, 5).got;
      for (const off of [1, 2, 3]) expect(run(base, v, m, n, k, 1, 5, off).got).toEqual(aligned);
    }
  });

  it('relaxed build: within the bound', () => {
    if (!relaxed) { console.warn('relaxed SIMD unavailable here: relaxed GEMM test skipped'); return; }
    for (const acc of [0, 1]) {
      for (const [m, n, k] of [...SHAPES, [64, 784, 256] as [number, number, number]]) {
        check(run(relaxed, v, m, n, k, acc, m + n + k), `relaxed ${m}x${n}x${k}`, false);
      }
    }
  });
});

describe('bias helpers', () => {
  function setup(engine: Engine, m: number, n: number, seed: number) {
    const r = rng(seed);
    const x = engine.tensor(Array.from({ length: m * n }, () => Math.fround(r() * 2 - 1)));
    const bias = engine.tensor(Array.from({ length: n }, () => Math.fround(r() * 2 - 1)));
    return { x, bias };
  }
  const ex = () => base.exports as unknown as {
    add_bias_rows(c: number, b: number, m: number, n: number): void;
    sum_rows(x: number, o: number, m: number, n: number, acc: number): void;
  };

  it('add_bias_rows adds the bias to every row (exact f32 additions)', () => {
    for (const [m, n] of [[1, 1], [3, 5], [4, 16], [7, 37], [64, 784]]) {
      const { x, bias } = setup(base, m, n, m * n);
      const before = x.toArray(), b = bias.toArray();
      ex().add_bias_rows(x.ptr, bias.ptr, m, n);
      const got = x.toArray();
      for (let i = 0; i < m * n; i++) expect(got[i]).toBe(Math.fround(before[i]! + b[i % n]!));
      x.dispose(); bias.dispose();
    }
  });

  it('sum_rows sums the rows in row order (bits equal a sequential f32 sum), acc 0 and 1', () => {
    for (const [m, n] of [[1, 1], [3, 5], [4, 16], [7, 37], [64, 784], [1000, 3]]) {
      for (const acc of [0, 1]) {
        const { x, bias: out } = setup(base, m, n, m + n);
        const xv = x.toArray(), o0 = out.toArray();
        ex().sum_rows(x.ptr, out.ptr, m, n, acc);
        const got = out.toArray();
        for (let j = 0; j < n; j++) {
          let s = acc ? o0[j]! : 0;
          for (let i = 0; i < m; i++) s = Math.fround(s + xv[i * n + j]!);
          expect(got[j], `${m}x${n} column ${j}`).toBe(s);
        }
        x.dispose(); out.dispose();
      }
    }
  });
});
