/**
 * Kernel-table rows of the row-wise activations softmax and logSoftmax (assembly/activations/softmax.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';

export const SOFTMAX_FAMILY = [
  {
    name: 'softmax', kind: 'rowwise', params: [],
    tolerance: { forward: 3, backward: 4 }, range: [-10, 10],
  },
  {
    name: 'logSoftmax', kind: 'rowwise', params: [],
    tolerance: { forward: 2, backward: 2 }, range: [-10, 10],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const SOFTMAX_DOCS = {
  softmax: {
    formula: 'e^(x_i - m) / sum_j e^(x_j - m), m = max_j x_j (per row)',
    derivative: 'VJP: dx = y (dy - sum(dy y)), from the forward output y; backward error is measured in units of ' +
      'eps y_i (|dy_i| + sum |dy y|), the condition of the VJP (tests/softmax.test.ts)',
    source: 'Bridle 1990. Max-subtracted: finite for inputs up to +-1e30. A NaN makes its row NaN; +Inf entries share ' +
      'the mass (1/c each), a row of equal values (also all -Inf) is uniform. Sums in 4 f32 lanes, fixed order.',
  },
  logSoftmax: {
    formula: '(x_i - m) - log(sum_j e^(x_j - m)), computed as log1p((c - 1) + T) with c the count of maxima',
    derivative: 'VJP: dx = dy - e^y sum(dy), from the forward output y',
    source: 'log of softmax without forming it: accurate also when one entry dominates (log-sum close to 0). ' +
      'Same limits as softmax (-Inf for the entries beside +Inf ones).',
  },
} as const satisfies FamilyDocs<typeof SOFTMAX_FAMILY>;
