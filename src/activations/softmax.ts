/**
 * Kernel-table rows of the row-wise activations softmax and logSoftmax (assembly/activations/softmax.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs, OnnxReadNode, ReadSpec } from './onnx-types.js';

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

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const SOFTMAX_ONNX = {
  softmax: {
    write: (w, x) => w.op('Softmax', [x], [{ name: 'axis', i: -1 }]),
    read: [{ op: 'Softmax', accepts: 'Softmax on the last axis', read: (n) => lastAxis(n, 'softmax') }],
    loss: () => 'crossEntropy',
  },
  logSoftmax: {
    write: (w, x) => w.op('LogSoftmax', [x], [{ name: 'axis', i: -1 }]),
    read: [{ op: 'LogSoftmax', accepts: 'LogSoftmax on the last axis', read: (n) => lastAxis(n, 'logSoftmax') }],
  },
} satisfies FamilyOnnx<typeof SOFTMAX_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const SOFTMAX_ONNX_DOCS = {
  softmax: { out: 'Softmax(axis = -1)', ort: { ulps: 6, floor: 0 } },
  logSoftmax: { out: 'LogSoftmax(axis = -1)', ort: { ulps: 4, floor: 1 } },
} satisfies FamilyOnnxDocs<typeof SOFTMAX_FAMILY>;

/** Softmax and LogSoftmax on the last axis of [N, features] (axis -1, or 1; before opset 13 the default axis is 1). */
function lastAxis<N extends string>(n: OnnxReadNode, name: N): ReadSpec<N> {
  const axis = n.int('axis', n.opset >= 13 ? -1 : 1);
  if (axis !== -1 && axis !== 1) n.fail(`works on axis ${axis}; rectify reads ${n.op} on the last axis of [N, features]`);
  return { name };
}
