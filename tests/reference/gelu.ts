// f64 references of gelu (erf form) and geluTanh (assembly/activations/gelu.ts).
import type { Reference } from './types.js';

/**
 * e^(z^2) erfc(z) for z >= 0 in f64 (relative error ~1e-15): the series
 * erf(z) = 2/sqrt(pi) e^-z^2 sum 2^n z^(2n+1) / (1 3 ... (2n+1)) (positive terms) below z = 2.5, and
 * the continued fraction 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))) / sqrt(pi) from 2.5 up.
 */
function erfcx(z: number): number {
  if (z < 2.5) {
    let term = z, sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
      if (term < 1e-18 * sum) break;
    }
    const erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
    return Math.exp(z * z) * (1 - erf);
  }
  let f = z;
  for (let k = 300; k >= 1; k--) f = z + k / 2 / f;
  return 1 / (Math.sqrt(Math.PI) * f);
}

/** Phi(x) for f32 x: e^(-x^2/2) is formed from the exact x^2 (x has 24 bits, x^2 fits in f64). */
function Phi(x: number): number {
  const a = Math.abs(x);
  const tail = 0.5 * Math.exp(-(x * x) / 2) * erfcx(a / Math.SQRT2); // Phi(-|x|)
  return x < 0 ? tail : 1 - tail;
}
const phi = (x: number): number => Math.exp(-(x * x) / 2) / Math.sqrt(2 * Math.PI);

export const gelu: Reference = {
  f: (x) => {
    if (Number.isNaN(x)) return x;
    if (x === -Infinity) return 0;
    if (x === Infinity) return x;
    return x * Phi(x);
  },
  df: (x) => {
    if (Number.isNaN(x)) return x;
    if (!Number.isFinite(x)) return x > 0 ? 1 : 0;
    return Phi(x) + x * phi(x);
  },
};

const C = Math.sqrt(2 / Math.PI);
const sig = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

export const geluTanh: Reference = {
  // x (1 + tanh(u)) / 2 = x sigmoid(2u), without the cancellation of 1 + tanh(u) for u << 0.
  f: (x) => {
    if (Number.isNaN(x)) return x;
    if (!Number.isFinite(x)) return x > 0 ? x : 0;
    return x * sig(2 * C * (x + 0.044715 * x * x * x));
  },
  df: (x) => {
    if (Number.isNaN(x)) return x;
    if (!Number.isFinite(x)) return x > 0 ? 1 : 0;
    const v = 2 * C * (x + 0.044715 * x * x * x);
    const vp = 2 * C * (1 + 3 * 0.044715 * x * x);
    return sig(v) * (1 + x * sig(-v) * vp);
  },
};
