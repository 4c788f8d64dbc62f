// f64 references of the row-wise softmax and logSoftmax, with the kernels' conventions for limits:
// d_i = x_i == m ? 0 : x_i - m (so +Inf entries share the mass and equal rows are uniform); a NaN poisons its row.
import type { Reference } from './types.js';

function parts(x: Float64Array): { d: Float64Array; c: number; t: number } {
  let m = -Infinity, nan = false;
  for (const v of x) { if (Number.isNaN(v)) nan = true; else if (v > m) m = v; }
  const d = new Float64Array(x.length);
  let c = 0, t = 0;
  for (let i = 0; i < x.length; i++) {
    if (nan) { d[i] = NaN; continue; }
    if (x[i] === m) { d[i] = 0; c++; } else { d[i] = x[i]! - m; t += Math.exp(d[i]!); }
  }
  return { d, c, t: nan ? NaN : t };
}

const rowOnly = (): number => { throw new Error('row-wise op: use row()'); };

/** softmax of one row in f64. */
export function softmaxRow(x: Float64Array): Float64Array {
  const { d, c, t } = parts(x);
  return d.map((v) => Math.exp(v) / (c + t));
}

/** logSoftmax of one row in f64. */
export function logSoftmaxRow(x: Float64Array): Float64Array {
  const { d, c, t } = parts(x);
  const l = Math.log1p(c - 1 + t);
  return d.map((v) => v - l);
}

export const softmax: Reference = {
  f: rowOnly, df: rowOnly,
  row: (x) => softmaxRow(x),
  rowVjp: (x, dy) => {
    const y = softmaxRow(x);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += dy[i]! * y[i]!;
    return y.map((v, i) => v * (dy[i]! - s));
  },
};

export const logSoftmax: Reference = {
  f: rowOnly, df: rowOnly,
  row: (x) => logSoftmaxRow(x),
  rowVjp: (x, dy) => {
    const y = softmaxRow(x);
    let s = 0;
    for (let i = 0; i < dy.length; i++) s += dy[i]!;
    return dy.map((v, i) => v - y[i]! * s);
  },
};
