// f64 references of sbaf (clamp policy, the default; the sigmoid policy is checked in tests/sbaf.test.ts) and arelu.
import type { Reference } from './types.js';

const clamp01 = (x: number): number => Math.min(Math.max(x, 0), 1);

/** sbaf on u in [0, 1]: t = k u^a (1-u)^(1-a) and y = 1 / (1 + t); t = 0 at the ends (the limits). */
export function sbafT(u: number, p: Record<string, number>): number {
  if (u === 0 || u === 1) return 0;
  return p.k! * Math.pow(u, p.alpha!) * Math.pow(1 - u, 1 - p.alpha!);
}

export const sbaf: Reference = {
  f: (x, p) => (Number.isNaN(x) ? x : 1 / (1 + sbafT(clamp01(x), p))),
  // 0 outside (0, 1) and at its ends (where the one-sided derivatives are infinite).
  df: (x, p) => {
    if (Number.isNaN(x)) return x;
    if (!(x > 0 && x < 1)) return 0;
    const a = p.alpha!, y = 1 / (1 + sbafT(x, p));
    const r = p.k! * Math.pow(x, a - 1) * Math.pow(1 - x, -a);
    return y * y * r * (x - a);
  },
  dp: (x, p) => {
    const u = clamp01(x);
    const t = sbafT(u, p);
    if (t === 0) return { k: 0, alpha: 0 };
    const y = 1 / (1 + t);
    return { k: -y * y * t / p.k!, alpha: -y * y * t * (Math.log(u) - Math.log1p(-u)) };
  },
  cases: [{ k: 2, alpha: 0.25 }, { k: 0.3, alpha: 0.8 }],
  kinks: () => [0, 1],
};

export const arelu: Reference = {
  f: (x, p) => (Number.isNaN(x) ? x : x > 0 ? p.k! * Math.pow(x, p.n!) : 0),
  df: (x, p) => (Number.isNaN(x) ? x : x > 0 ? p.k! * p.n! * Math.pow(x, p.n! - 1) : 0),
  dp: (x, p) => (x > 0 ? { k: Math.pow(x, p.n!), n: p.k! * Math.pow(x, p.n!) * Math.log(x) } : { k: 0, n: 0 }),
  cases: [{ n: 1.5 }, { k: 2, n: 0.5 }, { k: 0.5, n: 3 }],
  kinks: () => [0],
};
