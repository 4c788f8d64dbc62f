// f64 references of the sigmoid family (assembly/activations/sigmoid.ts). Derivatives are written without
// cancellation (e / (1 + e)^2 rather than s (1 - s)) so the reference stays accurate where s rounds to 1 in f64.
import type { Reference } from './types.js';

const nanOr = (x: number, v: number): number => (Number.isNaN(x) ? x : v);

export const sigmoid: Reference = {
  f: (x) => 1 / (1 + Math.exp(-x)),
  df: (x) => { const e = Math.exp(-Math.abs(x)); return e / ((1 + e) * (1 + e)); },
};

export const logSigmoid: Reference = {
  f: (x) => (x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))),
  df: (x) => { const e = Math.exp(-Math.abs(x)); return x > 0 ? e / (1 + e) : 1 / (1 + e); },
};

export const hardSigmoid: Reference = {
  f: (x, p) => nanOr(x, Math.min(Math.max(p.slope! * x + p.offset!, 0), 1)),
  df: (x, p) => nanOr(x, p.slope! * x + p.offset! > 0 && p.slope! * x + p.offset! < 1 ? p.slope! : 0),
  // The kernel picks the piece by the f32 value of slope x + offset (the value its forward clamps).
  bwd: (x, dy, p) => {
    const u = Math.fround(Math.fround(p.slope! * x) + p.offset!);
    return nanOr(x, u > 0 && u < 1 ? dy * p.slope! : 0);
  },
  cases: [{ slope: 0.2 }, { slope: -0.5, offset: 0.25 }],
  kinks: (p) => [-p.offset! / p.slope!, (1 - p.offset!) / p.slope!],
};

export const tanh: Reference = {
  f: (x) => Math.tanh(x),
  df: (x) => { const e = Math.exp(-2 * Math.abs(x)); return (4 * e) / ((1 + e) * (1 + e)); },
};

export const softsign: Reference = {
  f: (x) => (Number.isFinite(x) ? x / (1 + Math.abs(x)) : nanOr(x, Math.sign(x))),
  df: (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
};
