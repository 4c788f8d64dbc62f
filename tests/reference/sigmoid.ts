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

/** PyTorch's default parameters (f32 slope 1/6, offset 0.5): the kernel computes relu6(x + 3) / 6 there. */
const hsDefault = (p: Record<string, number>): boolean => p.slope === Math.fround(1 / 6) && p.offset === 0.5;

export const hardSigmoid: Reference = {
  // Default: relu6(x + 3) / 6 exactly as PyTorch defines it (not f32(1/6) x + 0.5, which differs near x = -3).
  // Otherwise slope x + offset with the f32 parameters, in f64 (the product is exact, the sum nearly so).
  f: (x, p) => nanOr(x, hsDefault(p) ? Math.min(Math.max(x + 3, 0), 6) / 6 : Math.min(Math.max(p.slope! * x + p.offset!, 0), 1)),
  df: (x, p) => nanOr(x, hsDefault(p) ? (x > -3 && x < 3 ? 1 / 6 : 0)
    : (p.slope! * x + p.offset! > 0 && p.slope! * x + p.offset! < 1 ? p.slope! : 0)),
  // The kernel multiplies dy by the f32 slope; it picks the piece by -3 < x < 3 for the default (PyTorch's rule),
  // otherwise by the f32 value of slope x + offset (the value its forward clamps).
  bwd: (x, dy, p) => {
    if (hsDefault(p)) return nanOr(x, x > -3 && x < 3 ? dy * p.slope! : 0);
    const u = Math.fround(p.slope! * x + p.offset!);
    return nanOr(x, u > 0 && u < 1 ? dy * p.slope! : 0);
  },
  cases: [{ slope: 0.2 }, { slope: -0.5, offset: 0.25 }, { slope: 0.3, offset: 0.7 }],
  kinks: (p) => [-p.offset! / p.slope!, (1 - p.offset!) / p.slope!],
};

export const tanh: Reference = {
  f: (x) => Math.tanh(x),
  df: (x) => { const e = Math.exp(-2 * Math.abs(x)); return (4 * e) / ((1 + e) * (1 + e)); },
};

export const tanhShrink: Reference = {
  f: (x) => (Number.isFinite(x) ? x - Math.tanh(x) : x),
  df: (x) => Math.tanh(x) * Math.tanh(x),
};

export const softsign: Reference = {
  f: (x) => (Number.isFinite(x) ? x / (1 + Math.abs(x)) : nanOr(x, Math.sign(x))),
  df: (x) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x))),
};
