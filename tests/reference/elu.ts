// f64 references of the exponential-linear family (assembly/activations/elu.ts).
import type { Reference } from './types.js';

// Klambauer et al. 2017, as published.
const LAMBDA = 1.0507009873554804934193349852946;
const ALPHA = 1.6732632423543772848170429916717;

export const elu: Reference = {
  f: (x, p) => (x > 0 ? x : p.alpha! * Math.expm1(x)),
  df: (x, p) => (x > 0 ? 1 : p.alpha! * Math.exp(x)),
  cases: [{ alpha: 0.5 }, { alpha: 2 }, { alpha: -0.75 }],
  kinks: () => [0],
};

export const celu: Reference = {
  f: (x, p) => Math.max(0, x) + Math.min(0, p.alpha! * Math.expm1(x / p.alpha!)) + (Number.isNaN(x) ? x : 0),
  df: (x, p) => (x > 0 ? 1 : Math.exp(x / p.alpha!)),
  cases: [{ alpha: 0.5 }, { alpha: 3 }],
  kinks: () => [0],
};

export const selu: Reference = {
  f: (x) => LAMBDA * (x > 0 ? x : ALPHA * Math.expm1(x)),
  df: (x) => LAMBDA * (x > 0 ? 1 : ALPHA * Math.exp(x)),
  kinks: () => [0],
};
