// f64 references of the piecewise-linear family (assembly/activations/relu.ts).
import type { Reference } from './types.js';

const nanOr = (x: number, v: number): number => (Number.isNaN(x) ? x : v);

export const linear: Reference = {
  f: (x) => x,
  df: () => 1,
  bwd: (_x, dy) => dy,
};

export const relu: Reference = {
  f: (x) => (Number.isNaN(x) ? x : x > 0 ? x : 0),
  df: (x, p) => nanOr(x, x > 0 ? 1 : x === 0 ? p.subgradient! : 0),
  bwd: (x, dy, p) => nanOr(x, x > 0 ? dy : x === 0 ? dy * p.subgradient! : 0),
  cases: [{ subgradient: 1 }, { subgradient: 0.5 }],
  kinks: () => [0],
};

export const relu6: Reference = {
  f: (x) => (Number.isNaN(x) ? x : Math.min(Math.max(x, 0), 6)),
  df: (x) => nanOr(x, x > 0 && x < 6 ? 1 : 0),
  bwd: (x, dy) => nanOr(x, x > 0 && x < 6 ? dy : 0),
  kinks: () => [0, 6],
};

export const leakyRelu: Reference = {
  f: (x, p) => (x > 0 ? x : p.slope! * x),
  df: (x, p) => nanOr(x, x > 0 ? 1 : p.slope!),
  bwd: (x, dy, p) => nanOr(x, x > 0 ? dy : p.slope! * dy),
  cases: [{ slope: 0.2 }, { slope: -0.5 }],
  kinks: () => [0],
};

export const prelu: Reference = {
  f: (x, p) => (x > 0 ? x : p.alpha! * x),
  df: (x, p) => nanOr(x, x > 0 ? 1 : p.alpha!),
  bwd: (x, dy, p) => nanOr(x, x > 0 ? dy : p.alpha! * dy),
  dp: (x) => ({ alpha: x > 0 ? 0 : x }),
  cases: [{ alpha: 0.1 }, { alpha: 1.5 }],
  kinks: () => [0],
};

export const hardTanh: Reference = {
  f: (x, p) => (Number.isNaN(x) ? x : Math.min(Math.max(x, p.minVal!), p.maxVal!)),
  df: (x, p) => nanOr(x, x > p.minVal! && x < p.maxVal! ? 1 : 0),
  bwd: (x, dy, p) => nanOr(x, x > p.minVal! && x < p.maxVal! ? dy : 0),
  cases: [{ minVal: -2, maxVal: 0.5 }],
  kinks: (p) => [p.minVal!, p.maxVal!],
};

export const hardShrink: Reference = {
  f: (x, p) => (Number.isNaN(x) ? x : Math.abs(x) > p.lambda! ? x : 0),
  df: (x, p) => nanOr(x, Math.abs(x) > p.lambda! ? 1 : 0),
  bwd: (x, dy, p) => nanOr(x, Math.abs(x) > p.lambda! ? dy : 0),
  cases: [{ lambda: 0 }, { lambda: 0.25 }, { lambda: 2 }],
  kinks: (p) => [-p.lambda!, p.lambda!],
};

export const softShrink: Reference = {
  f: (x, p) => (Number.isNaN(x) ? x : x > p.lambda! ? x - p.lambda! : x < -p.lambda! ? x + p.lambda! : 0),
  df: (x, p) => nanOr(x, Math.abs(x) > p.lambda! ? 1 : 0),
  bwd: (x, dy, p) => nanOr(x, Math.abs(x) > p.lambda! ? dy : 0),
  cases: [{ lambda: 0 }, { lambda: 0.25 }, { lambda: 2 }],
  kinks: (p) => [-p.lambda!, p.lambda!],
};
