/**
 * Kernel-table rows of the smooth gated family, part 2 (assembly/activations/gelu.ts): gelu (erf form) and geluTanh.
 * @module
 */
import type { ActivationDef } from './types.js';

export const GELU_FAMILY = [
  {
    name: 'gelu', kind: 'elementwise', params: [],
    formula: 'x Phi(x) = x erfc(-x / sqrt 2) / 2', derivative: 'Phi(x) + x phi(x)',
    source: 'Hendrycks and Gimpel 2016, exact (erf) form as PyTorch GELU(approximate="none"). erfc from the ' +
      'Numerical Recipes erfcc fit (relative error < 1.2e-7) with -x^2/2 carried exactly, so the negative tail ' +
      'is accurate in relative terms down to x = -14.2 where gelu underflows. gelu(-inf) = 0.',
    // floor: gelu' has a root at x = -0.7518 (cancellation of Phi(x) + x phi(x)).
    tolerance: { forward: 4, backward: 4, floor: 0.25 }, range: [-15, 6],
  },
  {
    name: 'geluTanh', kind: 'elementwise', params: [],
    formula: 'x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2',
    derivative: "s (1 + x (1 - s) v'), s = sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3)",
    source: 'Hendrycks and Gimpel 2016 (tanh approximation), PyTorch GELU(approximate="tanh"). Computed as ' +
      'x sigmoid(v), with v in f64, so the negative tail does not cancel. geluTanh(-inf) = 0.',
    // floor: geluTanh' has a root near x = -0.75.
    tolerance: { forward: 4, backward: 4, floor: 0.25 }, range: [-12, 6],
  },
] as const satisfies readonly ActivationDef[];
