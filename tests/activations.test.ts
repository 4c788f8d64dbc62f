// Every activation of the kernel table against its f64 reference: forward, derivative, backward and parameter
// gradients, in ulps per op; special values; every tail length; in-place use; SIMD vs scalar twins bit for bit;
// finite differences; and the relaxed-SIMD build within tolerance where the engine supports it.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, createEngine, type ActivationDef, type Engine } from '../dist/index.js';
import { REFERENCES, type Reference } from './reference/index.js';
import { rng, sweep, ulpError } from './util.js';

let simd: Engine;
let scalar: Engine;
beforeAll(async () => {
  simd = await createEngine();
  scalar = await createEngine({ scalar: true });
});

const defs = ACTIVATIONS as readonly ActivationDef[];
const elementwise = defs.filter((d) => d.kind === 'elementwise');

function paramSets(def: ActivationDef, ref: Reference): Record<string, number>[] {
  // The kernels see f32 parameters: the reference uses the same (rounded) values.
  const f32 = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.fround(v)]));
  const defaults = Object.fromEntries(def.params.map((p) => [p.name, p.default]));
  return [f32(defaults), ...(ref.cases ?? []).map((c) => f32({ ...defaults, ...c }))];
}

/** Finite inputs of the sweep plus the specials; for sbaf only its domain and its policy's edges. */
function inputs(def: ActivationDef): Float32Array { return sweep(def.range[0], def.range[1]); }

/** dy values: deterministic, of both signs and varied magnitude. */
function dys(n: number, seed = 7): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => Math.fround((r() - 0.5) * 4));
}

function worst(got: Float32Array, want: (i: number) => number, floor = 0): { ulps: number; at: number } {
  let ulps = 0, at = -1;
  for (let i = 0; i < got.length; i++) {
    const e = ulpError(got[i]!, want(i), floor);
    if (e > ulps) { ulps = e; at = i; }
  }
  return { ulps, at };
}

it('every table row has an f64 reference', () => {
  for (const d of defs) expect(REFERENCES[d.name], `tests/reference has no entry for ${d.name}`).toBeDefined();
});

describe.each(elementwise.map((d) => [d.name, d] as const))('%s', (_name, def) => {
  const ref = REFERENCES[def.name]!;
  const x = inputs(def);
  const dy = dys(x.length);
  const floor = def.tolerance.floor ?? 0;

  for (const [ci, p] of paramSets(def, ref ?? { f: () => 0, df: () => 0 }).entries()) {
    const label = JSON.stringify(p);
    it(`forward within ${def.tolerance.forward} ulp of f64 ${label}`, () => {
      const act = simd.activation({ name: def.name, ...p } as never);
      const y = act.forward(x);
      const w = worst(y, (i) => ref.f(x[i]!, p), floor);
      expect(w.ulps, `x = ${x[w.at]}, got ${y[w.at]}, want ${ref.f(x[w.at]!, p)}`).toBeLessThanOrEqual(def.tolerance.forward + 0.5);
      if (def.piecewiseLinear) for (let i = 0; i < x.length; i++) expect(Object.is(y[i], Math.fround(ref.f(x[i]!, p))) || (Number.isNaN(y[i]!) && Number.isNaN(ref.f(x[i]!, p)))).toBe(true);
    });

    it(`backward within ${def.tolerance.backward} ulp ${label}`, () => {
      const act = simd.activation({ name: def.name, ...p } as never);
      const dx = act.backward(x, dy);
      const want = (i: number) => (ref.bwd ? ref.bwd(x[i]!, dy[i]!, p) : dy[i]! * ref.df(x[i]!, p));
      const w = worst(dx, want, floor);
      expect(w.ulps, `x = ${x[w.at]}, dy = ${dy[w.at]}, got ${dx[w.at]}, want ${want(w.at)}`).toBeLessThanOrEqual(def.tolerance.backward + 0.5);
      const d = act.derivative(x);
      const wd = worst(d, (i) => (ref.bwd ? ref.bwd(x[i]!, 1, p) : ref.df(x[i]!, p)), floor);
      expect(wd.ulps, `derivative at x = ${x[wd.at]}: got ${d[wd.at]}`).toBeLessThanOrEqual(def.tolerance.backward + 0.5);
    });

    it(`SIMD and scalar twins give the same bits ${label}`, () => {
      const a = simd.activation({ name: def.name, ...p } as never);
      const b = scalar.activation({ name: def.name, ...p } as never);
      const same = (u: Float32Array, v: Float32Array) => {
        const bu = new Uint32Array(u.buffer, u.byteOffset, u.length), bv = new Uint32Array(v.buffer, v.byteOffset, v.length);
        for (let i = 0; i < u.length; i++) {
          if (bu[i] !== bv[i] && !(Number.isNaN(u[i]!) && Number.isNaN(v[i]!))) {
            throw new Error(`x = ${x[i]}: SIMD ${u[i]} vs scalar ${v[i]}`);
          }
        }
      };
      same(a.forward(x), b.forward(x));
      same(a.backward(x, dy), b.backward(x, dy));
      const ga = a.paramGrads(x.map((v) => (Number.isFinite(v) ? v : 0)), dy);
      const gb = b.paramGrads(x.map((v) => (Number.isFinite(v) ? v : 0)), dy);
      expect(ga).toEqual(gb);
    });

    if (ci === 0) {
      it('every length 0..9 (tails) and unaligned offsets give the per-element result; in-place works', () => {
        const act = simd.activation(def.name as never);
        const r = rng(11);
        for (let n = 0; n <= 9 + 8; n++) {
          const v = Float32Array.from({ length: n }, () => Math.fround(def.range[0] + (def.range[1] - def.range[0]) * r()));
          const y = act.forward(v);
          const g = act.backward(v, v);
          for (let i = 0; i < n; i++) {
            expect(y[i]).toBe(act.forward(v.subarray(i, i + 1))[0]);
            expect(g[i]).toBe(act.backward(v.subarray(i, i + 1), v.subarray(i, i + 1))[0]);
          }
          const inplace = v.slice();
          act.forward(inplace, { out: inplace });
          expect(inplace).toEqual(y);
          const t = simd.tensor(v);
          act.forward(t, { out: t });
          expect(t.toArray()).toEqual(y);
          t.dispose();
        }
      });

      it('derivative matches central differences of the f64 reference; the reference derivative does too', () => {
        const act = simd.activation(def.name as never);
        const kinks = ref.kinks?.(p) ?? [];
        const r = rng(3);
        const pts = Float32Array.from({ length: 400 }, () => Math.fround(def.range[0] + (def.range[1] - def.range[0]) * r()));
        const d = act.derivative(pts);
        for (let i = 0; i < pts.length; i++) {
          const xv = pts[i]!;
          const h = 1e-6 * Math.max(1, Math.abs(xv));
          if (kinks.some((k) => Math.abs(k - xv) < 4 * h)) continue;
          const fd = (ref.f(xv + h, p) - ref.f(xv - h, p)) / (2 * h);
          const scale = Math.max(1e-3, Math.abs(fd));
          expect(Math.abs(ref.df(xv, p) - fd) / scale, `reference f' at ${xv}`).toBeLessThan(1e-5);
          expect(Math.abs(d[i]! - fd) / scale, `kernel f' at ${xv}`).toBeLessThan(1e-5);
        }
      });
    }

    if (ref.dp) {
      it(`parameter gradients match the f64 sum and finite differences ${label}`, () => {
        const act = simd.activation({ name: def.name, ...p } as never);
        const r = rng(5);
        const xs = Float32Array.from({ length: 1001 }, () => Math.fround(def.range[0] + (def.range[1] - def.range[0]) * r()));
        const d = dys(xs.length, 9);
        const g = act.paramGrads(xs, d);
        for (const pd of def.params.filter((q) => q.trainable)) {
          let sum = 0, mag = 0;
          for (let i = 0; i < xs.length; i++) {
            const t = d[i]! * ref.dp!(xs[i]!, p)[pd.name]!;
            sum += t; mag += Math.abs(t);
          }
          const got = g[pd.name] as number;
          // Summation error bound: a few f32 ulps of the sum of magnitudes.
          expect(Math.abs(got - sum), `${pd.name}: got ${got}, want ${sum}`).toBeLessThanOrEqual((def.tolerance.paramGrad ?? 4) * 2 ** -23 * mag);
          const h = 1e-6 * Math.max(1, Math.abs(p[pd.name]!));
          let fd = 0;
          for (let i = 0; i < xs.length; i++) {
            fd += d[i]! * (ref.f(xs[i]!, { ...p, [pd.name]: p[pd.name]! + h }) - ref.f(xs[i]!, { ...p, [pd.name]: p[pd.name]! - h })) / (2 * h);
          }
          expect(Math.abs(fd - sum), `${pd.name}: reference vs finite differences`).toBeLessThanOrEqual(1e-5 * Math.max(1, mag));
        }
      });
    }
  }
});

describe('hardSigmoid accuracy where slope x + offset cancels', () => {
  /** Every f32 within `k` steps of v (both sides). */
  const around = (v: number, k: number): Float32Array => {
    const f = new Float32Array(1), b = new Int32Array(f.buffer);
    f[0] = v; const c = b[0]!;
    const out: number[] = [];
    for (let d = -k; d <= k; d++) { b[0] = c + d; out.push(f[0]!); }
    return Float32Array.from(out);
  };
  it('default (PyTorch relu6(x + 3) / 6) is within 1 ulp of f64 near x = -3, without an error floor', () => {
    const x = Float32Array.from([...around(-3, 4000), ...around(3, 200), ...around(0, 50)]);
    for (const eng of [simd, scalar]) {
      const y = eng.activation('hardSigmoid').forward(x);
      let w = 0, at = 0;
      for (let i = 0; i < x.length; i++) {
        const e = ulpError(y[i]!, Math.min(Math.max(x[i]! + 3, 0), 6) / 6);
        if (e > w) { w = e; at = i; }
      }
      // The old slope x + offset form was 5,461 ulp off here.
      expect(w, `x = ${x[at]}: got ${y[at]}, want ${(x[at]! + 3) / 6}`).toBeLessThanOrEqual(1);
    }
  });
  it('other slopes and offsets are within 1 ulp of the f64 value near their root (product carried exactly)', () => {
    for (const [slope, offset] of [[0.2, 0.5], [0.3, 0.7], [-0.5, 0.25], [1 / 7, 0.5]] as const) {
      const s = Math.fround(slope), o = Math.fround(offset);
      const x = Float32Array.from([...around(-o / s, 3000), ...around((1 - o) / s, 100)]);
      for (const eng of [simd, scalar]) {
        const y = eng.activation({ name: 'hardSigmoid', slope, offset }).forward(x);
        for (let i = 0; i < x.length; i++) {
          const want = Math.min(Math.max(s * x[i]! + o, 0), 1);
          expect(ulpError(y[i]!, want), `slope ${slope} offset ${offset} x = ${x[i]}: got ${y[i]}, want ${want}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe('kernels that work in blocks (softplus and logSigmoid: an exponential pass, then a log1p pass per 256 elements)', () => {
  it('give the same bits out of place, in place, per element and by the scalar twins, across block edges', () => {
    const r = rng(21);
    for (const name of ['softplus', 'logSigmoid'] as const) {
      for (const n of [255, 256, 257, 1027]) {
        // Tails as far as x = -+30, where e^-|x| < 2^-24 takes the path that returns log1p(e) = e.
        const x = Float32Array.from({ length: n }, () => Math.fround(-30 + 60 * r()));
        const a = simd.activation(name), b = scalar.activation(name);
        const y = a.forward(x);
        const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
        expect(bits(y), `${name} n = ${n}: SIMD vs scalar`).toEqual(bits(b.forward(x)));
        const inplace = x.slice();
        a.forward(inplace, { out: inplace });
        expect(bits(inplace), `${name} n = ${n}: in place`).toEqual(bits(y));
        const t = simd.tensor(x);
        a.forward(t, { out: t });
        expect(bits(t.toArray()), `${name} n = ${n}: tensor in place`).toEqual(bits(y));
        t.dispose();
        for (const i of [0, 254, 255, 256, n - 1]) {
          if (i < n) expect(y[i], `${name} n = ${n}, x[${i}] = ${x[i]}`).toBe(a.forward(x.subarray(i, i + 1))[0]);
        }
      }
    }
  });
});

describe('elu forward adds max(x, 0) and alpha expm1(min(x, 0)) instead of selecting', () => {
  it('keeps x for x > 0 and -alpha below when alpha is beyond the f32 range (Inf * 0 must not reach x > 0)', () => {
    const x = Float32Array.of(3, 0.5, 1e-30, 0, -0, -1e-30, -2, -Infinity, Infinity, NaN, 7, -7, 2.5, -0.25);
    for (const alpha of [1e39, -1e39]) {
      const a = simd.activation({ name: 'elu', alpha }), b = scalar.activation({ name: 'elu', alpha });
      const y = a.forward(x), ys = b.forward(x);
      const inf = Math.fround(alpha);
      x.forEach((v, i) => {
        const want = v > 0 ? v : v < 0 ? -inf : NaN;
        expect(Object.is(y[i], want) || (Number.isNaN(want) && Number.isNaN(y[i]!)), `alpha ${alpha}, x = ${v}: got ${y[i]}`).toBe(true);
        expect(Object.is(ys[i], y[i]) || (Number.isNaN(ys[i]!) && Number.isNaN(y[i]!)), `scalar, x = ${v}`).toBe(true);
      });
    }
  });
});
