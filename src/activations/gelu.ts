/**
 * Kernel-table rows of the smooth gated family, part 2 (assembly/activations/gelu.ts): gelu (erf form) and geluTanh.
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';

export const GELU_FAMILY = [
  {
    name: 'gelu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    // floor: gelu' has a root at x = -0.7518 (cancellation of Phi(x) + x phi(x)); errors are measured in ulps of
    // max(|f|, 0.25). Measured on 2M points in [-20, 20]: forward 5.7 ulps WITHOUT the floor (x = -6.5: the erfcc
    // fit alone is up to 2 ulps), 2.3 with it; f' 3.2 ulps with the floor (12 with a floor of 0.1, 23 with 0.05:
    // H + K cancels over -1.5 < x < -0.5). forward is set to 6 so it also holds unfloored.
    tolerance: { forward: 6, backward: 4, floor: 0.25 }, range: [-15, 6],
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
    source: 'Hendrycks and Gimpel 2016, exact (erf) form as PyTorch GELU(approximate="none"). erfc from the ' +
      'Numerical Recipes erfcc fit (relative error < 1.2e-7) with -x^2/2 carried exactly, so the negative tail ' +
      'is accurate in relative terms down to x = -14.2 where gelu underflows. gelu(-inf) = 0.',
  },
  geluTanh: {
    formula: 'x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2',
    derivative: "s (1 + x (1 - s) v'), s = sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3)",
    source: 'Hendrycks and Gimpel 2016 (tanh approximation), PyTorch GELU(approximate="tanh"). Computed as ' +
      'x sigmoid(v), with v in f64, so the negative tail does not cancel. geluTanh(-inf) = 0.',
  },
} as const satisfies FamilyDocs<typeof GELU_FAMILY>;
