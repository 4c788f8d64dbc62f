// f64 references of silu (swish), mish, softplus and hardSwish (assembly/activations/silu.ts).
import type { Reference } from './types.js';

const nanOr = (x: number, v: number): number => (Number.isNaN(x) ? x : v);
/** sigmoid(t) without cancellation in either tail. */
const sig = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));
/** log(1 + e^t) without overflow or cancellation. */
const softplus1 = (t: number): number => (t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t)));

export const silu: Reference = {
  // x sigmoid(beta x); the limit 0 where the gate is exactly 0 (x = -inf).
  f: (x, p) => { const s = sig(p.beta! * x); return s === 0 ? 0 : x * s; },
  df: (x, p) => {
    const t = p.beta! * x;
    if (Number.isNaN(t)) return NaN;
    if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
    return sig(t) * (1 + t * sig(-t));
  },
  dp: (x, p) => { const t = p.beta! * x; return { beta: x * x * sig(t) * sig(-t) }; },
  cases: [{ beta: 2 }, { beta: 0.5 }, { beta: 1.7 }],
};

export const mish: Reference = {
  f: (x) => { const T = Math.tanh(softplus1(x)); return T === 0 ? 0 : x * T; },
  df: (x) => {
    if (Number.isNaN(x)) return NaN;
    if (!Number.isFinite(x)) return x > 0 ? 1 : 0;
    const sp = softplus1(x), T = Math.tanh(sp), ch = Math.cosh(sp);
    return T + (x * sig(x)) / (ch * ch);
  },
};

export const softplus: Reference = {
  // PyTorch's rule on the f32 product beta x (what the kernel and PyTorch's float kernel compare).
  f: (x, p) => (Math.fround(p.beta! * x) > p.threshold! ? x : softplus1(p.beta! * x) / p.beta!),
  df: (x, p) => nanOr(x, Math.fround(p.beta! * x) > p.threshold! ? 1 : sig(p.beta! * x)),
  cases: [{ beta: 2, threshold: 10 }, { beta: 0.5 }, { beta: 1.3, threshold: 5 }],
  kinks: (p) => [p.threshold! / p.beta!],
};

export const hardSwish: Reference = {
  f: (x) => (Number.isNaN(x) ? x : x <= -3 ? 0 : x >= 3 ? x : (x * (x + 3)) / 6),
  df: (x) => nanOr(x, x < -3 ? 0 : x <= 3 ? x / 3 + 0.5 : 1),
  kinks: () => [-3, 3],
};
