import { describe, expect, it } from 'vitest';
import { spirals, moons, xor, polySin, polyCos } from '../../src/data/synthetic.js';
import { createRng, fnv1a } from '../../src/data/random.js';
import { DataArgumentError } from '../../src/errors.js';
import type { Dataset } from '../../src/data/types.js';

const hash = (d: Dataset): string => `${fnv1a(d.x).toString(16)}:${fnv1a(d.labels).toString(16)}`;
const counts = (d: Dataset): number[] => {
  const c = new Array<number>(d.classes).fill(0);
  for (const l of d.labels) c[l]++;
  return c;
};

describe('seeded generator', () => {
  it('is deterministic and roughly uniform/normal', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(createRng(43).nextU32()).not.toBe(xs[0]);
    const r = createRng(7);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const g = r.nextGaussian();
      s += g;
      s2 += g * g;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    for (let i = 0; i < 1000; i++) {
      const k = r.nextInt(10);
      expect(k >= 0 && k < 10 && Number.isInteger(k)).toBe(true);
    }
  });
});

describe('polynomial sin/cos', () => {
  it('matches Math.sin/cos to 1e-11 over several turns', () => {
    for (let t = -40; t <= 40; t += 0.0137) {
      expect(Math.abs(polySin(t) - Math.sin(t))).toBeLessThan(1e-11);
      expect(Math.abs(polyCos(t) - Math.cos(t))).toBeLessThan(1e-11);
    }
  });
});

describe('synthetic sets', () => {
  it('are deterministic (pinned hashes) and seed-dependent', () => {
    const sets = { spirals: spirals(300, { seed: 3 }), moons: moons(200, { seed: 3 }), xor: xor(200, { seed: 3 }) };
    const hashes = Object.fromEntries(Object.entries(sets).map(([k, d]) => [k, hash(d)]));
    // FNV-1a of x bytes : of label bytes. A change here means the generated data changed.
    expect(hashes).toEqual({ spirals: '70084005:7ff41773', moons: '98e3f651:5e9829', xor: 'f1d71cae:5e9829' });
    expect(hash(spirals(300, { seed: 3 }))).toBe(hashes.spirals);
    expect(hash(spirals(300, { seed: 4 }))).not.toBe(hashes.spirals);
  });

  it('are balanced, finite and 2-D', () => {
    for (const d of [spirals(301), spirals(300, { classes: 3 }), moons(101), xor(203)]) {
      expect(d.cols).toBe(2);
      expect(d.x.length).toBe(2 * d.rows);
      const c = counts(d);
      expect(c.reduce((a, b) => a + b, 0)).toBe(d.rows);
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
      expect(d.x.every(Number.isFinite)).toBe(true);
      expect(d.x.every((v) => Math.abs(v) < 2)).toBe(true);
    }
  });

  it('xor labels follow the quadrants when noise is 0', () => {
    const d = xor(400, { noise: 0 });
    for (let i = 0; i < d.rows; i++) {
      expect(d.labels[i]).toBe(d.x[2 * i] * d.x[2 * i + 1] < 0 ? 1 : 0);
    }
  });

  it('rejects bad arguments', () => {
    expect(() => spirals(1)).toThrow(DataArgumentError);
    expect(() => moons(10, { noise: -1 })).toThrow(/noise must be/);
    expect(() => xor(2.5)).toThrow(/n must be an integer >= 4/);
    expect(() => spirals(10, { classes: 1 })).toThrow(/classes must be/);
  });
});
