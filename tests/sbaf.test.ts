// sbaf's domain policies (clamp is covered by the generic harness too): sigmoid against its own f64 reference,
// strict's DomainError, the ends of [0, 1], specials and +-1e30 without NaN, SIMD == scalar bits for every policy.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, DomainError, InvalidParameterError, type Engine } from '../dist/index.js';
import { sbafT } from './reference/sbaf.js';
import { rng, sweep, ulpError } from './util.js';

let simd: Engine;
let scalar: Engine;
beforeAll(async () => {
  simd = await createEngine();
  scalar = await createEngine({ scalar: true });
});

const sig = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** f64 sbaf(sigmoid(x)), with log u = -log1p(e^-x) and log(1-u) = -log1p(e^x) (no cancellation anywhere). */
const sp = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
function refSig(x: number, k: number, a: number): { y: number; dy: number; dk: number; da: number; scale: number } {
  if (Number.isNaN(x)) return { y: NaN, dy: NaN, dk: NaN, da: NaN, scale: 0 };
  const lu = -sp(-x), l1 = -sp(x);
  const t = k * Math.exp(a * lu + (1 - a) * l1);
  const y = 1 / (1 + t);
  // scale: y^2 t (u + a), the size of the terms of dy/dx; near its root u = a the error is measured against it.
  return { y, dy: y * y * t * (sig(x) - a), dk: -y * y * t / k, da: t === 0 ? 0 : -y * y * t * (lu - l1), scale: y * y * t * (sig(x) + a) };
}

const PARAMS = [{ k: 0.91, alpha: 0.5 }, { k: 2, alpha: 0.25 }, { k: 0.3, alpha: 0.8 }].map((p) => ({ k: Math.fround(p.k), alpha: Math.fround(p.alpha) }));
const worst: Record<string, number> = {};

describe('sbaf, domain sigmoid', () => {
  const x = sweep(-30, 30);
  for (const p of PARAMS) {
    it(`forward and derivative against f64 ${JSON.stringify(p)}`, () => {
      const act = simd.activation({ name: 'sbaf', domain: 'sigmoid', ...p });
      const y = act.forward(x), d = act.derivative(x);
      let wf = 0, wd = 0;
      for (let i = 0; i < x.length; i++) {
        const r = refSig(x[i]!, p.k, p.alpha);
        const ef = ulpError(y[i]!, r.y), ed = ulpError(d[i]!, r.dy, r.scale);
        expect(ef, `y at ${x[i]}: ${y[i]} vs ${r.y}`).toBeLessThanOrEqual(3);
        expect(ed, `dy/dx at ${x[i]}: ${d[i]} vs ${r.dy}`).toBeLessThanOrEqual(6);
        wf = Math.max(wf, ef); wd = Math.max(wd, ed);
      }
      worst[`sigmoid fwd ${p.k}/${p.alpha}`] = wf;
      worst[`sigmoid deriv ${p.k}/${p.alpha}`] = wd;
    });

    it(`parameter gradients against the f64 sum ${JSON.stringify(p)}`, () => {
      const act = simd.activation({ name: 'sbaf', domain: 'sigmoid', ...p });
      const r = rng(5);
      const xs = Float32Array.from({ length: 1001 }, () => Math.fround((r() - 0.5) * 12));
      const dy = Float32Array.from({ length: xs.length }, () => Math.fround(r() - 0.5));
      const g = act.paramGrads(xs, dy);
      for (const name of ['k', 'alpha'] as const) {
        let sum = 0, mag = 0;
        for (let i = 0; i < xs.length; i++) {
          const ref = refSig(xs[i]!, p.k, p.alpha);
          const t = dy[i]! * (name === 'k' ? ref.dk : ref.da);
          sum += t; mag += Math.abs(t);
        }
        expect(Math.abs((g[name] as number) - sum), name).toBeLessThanOrEqual(16 * 2 ** -23 * mag);
      }
    });
  }
});

describe('every policy', () => {
  const specials = Float32Array.from([0, -0, 1, Infinity, -Infinity, 1e30, -1e30, 3.4e38, -3.4e38, 1e-45, -1e-45, 0.5, 2, -2, 1 - 2 ** -24, 2 ** -126]);
  for (const domain of ['clamp', 'sigmoid'] as const) {
    it(`${domain}: specials and +-1e30 give no NaN (forward, backward, parameter gradients); NaN stays NaN`, () => {
      const act = simd.activation({ name: 'sbaf', domain });
      const y = act.forward(specials), d = act.derivative(specials);
      for (let i = 0; i < specials.length; i++) {
        expect(Number.isFinite(y[i]!), `y(${specials[i]}) = ${y[i]}`).toBe(true);
        expect(Number.isFinite(d[i]!), `y'(${specials[i]}) = ${d[i]}`).toBe(true);
      }
      const g = act.paramGrads(specials, new Float32Array(specials.length).fill(1));
      expect(Number.isFinite(g.k as number) && Number.isFinite(g.alpha as number)).toBe(true);
      const n = act.forward(Float32Array.of(NaN)), dn = act.derivative(Float32Array.of(NaN));
      expect(Number.isNaN(n[0]!) && Number.isNaN(dn[0]!)).toBe(true);
    });

    it(`${domain}: SIMD and scalar twins give the same bits`, () => {
      const x = Float32Array.from([...sweep(-3, 3, 1025), ...specials]);
      const r = rng(3);
      const dy = Float32Array.from({ length: x.length }, () => Math.fround(r() - 0.5));
      for (const p of PARAMS) {
        const a = simd.activation({ name: 'sbaf', domain, ...p }), b = scalar.activation({ name: 'sbaf', domain, ...p });
        const same = (u: Float32Array, v: Float32Array) => {
          for (let i = 0; i < u.length; i++) {
            if (!Object.is(u[i], v[i]) && !(Number.isNaN(u[i]!) && Number.isNaN(v[i]!))) throw new Error(`x = ${x[i]}: ${u[i]} vs ${v[i]}`);
          }
        };
        same(a.forward(x), b.forward(x));
        same(a.backward(x, dy), b.backward(x, dy));
        const xf = x.map((v) => (Number.isFinite(v) ? v : 0));
        expect(a.paramGrads(xf, dy)).toEqual(b.paramGrads(xf, dy));
      }
    });
  }

  it('clamp: y = 1 exactly at 0 and 1 and outside; the derivative is 0 there', () => {
    const act = simd.activation({ name: 'sbaf' });
    const x = Float32Array.of(0, 1, -1, 2, -1e30, 1e30);
    expect(Array.from(act.forward(x))).toEqual([1, 1, 1, 1, 1, 1]);
    expect(Array.from(act.derivative(x)).map((v) => v + 0)).toEqual([0, 0, 0, 0, 0, 0]);
    // Inside, near the ends, the derivative is large but finite (-Inf and +Inf are the one-sided limits).
    const d = act.derivative(Float32Array.of(1e-45, 1 - 2 ** -24));
    expect(d[0]! < -1e20 && Number.isFinite(d[0]!)).toBe(true);
    expect(d[1]! > 1e2 && Number.isFinite(d[1]!)).toBe(true);
    expect(1 / (1 + sbafT(0.25, { k: 0.91, alpha: 0.5 }))).toBeCloseTo(act.forward(Float32Array.of(0.25))[0]!, 6);
  });

  it("strict: DomainError outside [0, 1] (and for NaN), clamp's results inside", () => {
    const strict = simd.activation({ name: 'sbaf', domain: 'strict' });
    const clamp = simd.activation({ name: 'sbaf' });
    const inside = sweep(0, 1, 257).filter((v) => v >= 0 && v <= 1);
    expect(strict.forward(inside)).toEqual(clamp.forward(inside));
    expect(strict.backward(inside, inside)).toEqual(clamp.backward(inside, inside));
    for (const bad of [-1e-45, 1.0000001, NaN, Infinity, -1e30]) {
      expect(() => strict.forward(Float32Array.of(0.5, bad))).toThrow(DomainError);
      expect(() => strict.backward(Float32Array.of(bad), Float32Array.of(1))).toThrow(DomainError);
    }
    expect(strict.forward(Float32Array.of(0.5)).length).toBe(1); // still usable
  });

  it('parameters are validated: k > 0, 0 < alpha < 1, a known domain', () => {
    expect(() => simd.activation({ name: 'sbaf', k: 0 })).toThrow(InvalidParameterError);
    expect(() => simd.activation({ name: 'sbaf', alpha: 1 })).toThrow(InvalidParameterError);
    expect(() => simd.activation({ name: 'sbaf', alpha: 0 })).toThrow(InvalidParameterError);
    expect(() => simd.activation({ name: 'sbaf', domain: 'wrap' as never })).toThrow(InvalidParameterError);
    expect(() => simd.activation({ name: 'arelu', n: 0 })).toThrow(InvalidParameterError);
    expect(() => simd.activation({ name: 'arelu', k: -1 })).toThrow(InvalidParameterError);
  });
});

describe('arelu', () => {
  it("f'(0) = 0 for every n; n = 1 is k x exactly; differentiable at 0 for n > 1", () => {
    for (const n of [0.5, 1, 1.5, 3]) {
      const act = simd.activation({ name: 'arelu', n, k: 2 });
      expect(act.derivative(Float32Array.of(0, -0, -1))).toEqual(Float32Array.of(0, 0, 0));
      const near = act.derivative(Float32Array.of(1e-20))[0]!;
      if (n > 1) expect(near).toBeLessThan(1e-6);
      if (n < 1) expect(near).toBeGreaterThan(1e6);
    }
    const lin = simd.activation({ name: 'arelu', k: 3 });
    const x = sweep(-4, 4);
    const y = lin.forward(x);
    for (let i = 0; i < x.length; i++) if (x[i]! > 0) expect(y[i]).toBe(Math.fround(3 * x[i]!));
  });

  it('k x^n stays finite where x^n alone overflows but k x^n < FLT_MAX (forward, derivative; SIMD and scalar)', () => {
    // x = 6.29e25, k = 0.5, n = 1.5: x^n = 4.99e38 > FLT_MAX, k x^n = 2.4962e38 < FLT_MAX (used to give Infinity).
    const cases = [
      { k: 0.5, n: 1.5, xs: [6.29e25, 6.5e25, 3e25] },
      { k: 1e-10, n: 3, xs: [1e15, 1.4e16] },   // x^3 = 2.7e48: far beyond FLT_MAX; k x^3 = 2.7e38
      { k: 1e10, n: 0.5, xs: [1e-30, 1e-40] },  // small x: k x^n in range, x^n tiny
      { k: 0.25, n: 2.5, xs: [5.5e25, 6e25] },  // f' = k n x^1.5 < FLT_MAX while x^1.5 alone overflows
    ];
    for (const { k, n, xs } of cases) {
      const kf = Math.fround(k), nf = Math.fround(n);
      const x = Float32Array.from([...xs, ...xs, ...xs].slice(0, 5)); // a SIMD body and a tail
      for (const eng of [simd, scalar]) {
        const act = eng.activation({ name: 'arelu', k, n });
        const y = act.forward(x), d = act.derivative(x);
        for (let i = 0; i < x.length; i++) {
          const want = kf * Math.pow(x[i]!, nf), wantD = kf * nf * Math.pow(x[i]!, nf - 1);
          expect(ulpError(y[i]!, want), `k ${k} n ${n} x ${x[i]}: y ${y[i]} vs ${want}`).toBeLessThanOrEqual(2.5);
          expect(ulpError(d[i]!, wantD), `k ${k} n ${n} x ${x[i]}: f' ${d[i]} vs ${wantD}`).toBeLessThanOrEqual(3.5);
        }
      }
    }
    const y = simd.activation({ name: 'arelu', k: 0.5, n: 1.5 }).forward(Float32Array.of(6.29e25))[0]!;
    // f32(6.29e25) = 6.2899998e25, k x^n = 2.49428e38 (the 2.4962e38 is for the unrounded x).
    expect(Number.isFinite(y) && Math.abs(y / 2.494284e38 - 1) < 1e-6, `got ${y}`).toBe(true);
    // Beyond FLT_MAX it still overflows to +Inf.
    expect(simd.activation({ name: 'arelu', k: 0.5, n: 1.5 }).forward(Float32Array.of(1e26))[0]).toBe(Infinity);
  });
});

it('report worst errors', () => { console.log('sbaf worst ulps:', JSON.stringify(worst)); });
