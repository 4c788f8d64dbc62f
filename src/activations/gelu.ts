/**
 * Kernel-table rows of the smooth gated family, part 2 (assembly/activations/gelu.ts): gelu (erf form) and geluTanh.
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';

export const GELU_FAMILY = [
  {
    name: 'gelu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    // floor: gelu' has a root at x = -0.7518 (cancellation of Phi(x) + x phi(x)); errors are measured in ulps of
    // max(|f|, 0.25). Measured against an f64 oracle (scipy erfcx) on every 7th f32 of [2^-20, 15] and [-15, -2^-20]
    // (below 2^-20 gelu = x/2 to 0.1 ulp): forward 2.4 ulps with the floor, f' 2.4 with it. Without the floor,
    // in the negative tail (x < -3, |gelu| < 0.004, down to x = -14.4 where it underflows) gelu keeps its relative
    // accuracy: forward 6.2 ulps, f' 3.6 (tests/gelu.test.ts checks 7 and 4, subnormal results included).
    tolerance: { forward: 3, backward: 3, floor: 0.25 }, range: [-15, 6],
  },
  {
    name: 'geluTanh', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    // floor: geluTanh' has a root at x = -0.7522; errors are measured in ulps of max(|f|, 0.25). Measured on 2M
    // points in [-20, 20]: forward 3.5 ulps without the floor; f' 3.1 ulps with it (8.4 with 0.1, 14 with 0.05).
    tolerance: { forward: 4, backward: 4, floor: 0.25 }, range: [-12, 6],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const GELU_DOCS = {
  gelu: {
    formula: 'x Phi(x) = x erfc(-x / sqrt 2) / 2',
    derivative: 'Phi(x) + x phi(x)',
    source: 'Hendrycks and Gimpel 2016, exact (erf) form as PyTorch GELU(approximate="none"). Phi(-|x|) = ' +
      'e^(-x^2/2) R(|x|) with R = erfcx(|x|/sqrt 2)/2 a rational fit of degrees 4/5 (rectify\'s own, 6e-9 relative ' +
      'on [0, 15]) evaluated in f32, and -x^2/2 carried exactly into the exponential, so the negative tail is ' +
      'accurate in relative terms down to x = -14.4 where gelu underflows. gelu(-inf) = 0.',
  },
  geluTanh: {
    formula: 'x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2',
    derivative: "s (1 + x (1 - s) v'), s = sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3)",
    source: 'Hendrycks and Gimpel 2016 (tanh approximation), PyTorch GELU(approximate="tanh"). Computed as ' +
      'x sigmoid(v), with v in f64, so the negative tail does not cancel. geluTanh(-inf) = 0.',
  },
} as const satisfies FamilyDocs<typeof GELU_FAMILY>;
