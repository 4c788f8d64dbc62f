/**
 * Kernel-table rows of the sigmoid family (assembly/activations/sigmoid.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs } from './onnx-types.js';

export const SIGMOID_FAMILY = [
  {
    name: 'sigmoid', diagnostics: ['saturated'], kind: 'elementwise', params: [],
    // Backward: e, 1 + e, its square, the quotient and the product with dy each round once; worst measured 4.57 ulp
    // (200,001-point sweep of [-12, 12] plus specials), so 5 rather than 4.
    tolerance: { forward: 3, backward: 5 }, range: [-12, 12],
  },
  {
    name: 'logSigmoid', diagnostics: ['saturated'], kind: 'elementwise', params: [],
    tolerance: { forward: 3, backward: 3 }, range: [-20, 20],
  },
  {
    name: 'hardSigmoid', diagnostics: ['saturated'], kind: 'elementwise',
    params: [
      { name: 'slope', default: 1 / 6, min: -Infinity, max: Infinity, trainable: false },
      { name: 'offset', default: 0.5, min: -Infinity, max: Infinity, trainable: false },
    ],
    // Measured against f64 in ulps of the output itself (no floor): the cancellation near the root is gone.
    tolerance: { forward: 1, backward: 0 }, range: [-5, 5],
  },
  {
    name: 'tanh', diagnostics: ['saturated'], kind: 'elementwise', params: [],
    // Backward: the same five roundings as sigmoid's (times 4, exact); worst measured 4.57 ulp, so 5 rather than 4.
    tolerance: { forward: 3, backward: 5 }, range: [-6, 6],
  },
  {
    name: 'tanhShrink', kind: 'elementwise', params: [],
    // floor: x - tanh x cancels near 0 (f ~ x^3 / 3), so errors are measured in ulps of max(|f|, 1). Measured on 2M
    // points in [-20, 20]: forward 1.72 ulps (7.4 without the floor for |x| > 1), f' = t t 2.7 (5.5 without it);
    // backward (dy t t, rounded once more) 4.81 on the test's sweep, so 5.
    tolerance: { forward: 2, backward: 5, floor: 1 }, range: [-6, 6],
  },
  {
    name: 'softsign', diagnostics: ['saturated'], kind: 'elementwise', params: [],
    tolerance: { forward: 1, backward: 3 }, range: [-10, 10],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const SIGMOID_DOCS = {
  sigmoid: {
    formula: '1 / (1 + e^-x)',
    derivative: 'sigmoid(x) (1 - sigmoid(x)), computed as e / (1 + e)^2 with e = e^-|x|',
    source: 'The logistic function. Computed from e^-|x| on both sides, so sigmoid(-x) keeps full relative accuracy ' +
      '(subnormal outputs included) instead of 1 - sigmoid(x).',
  },
  logSigmoid: {
    formula: '-softplus(-x) = min(x, 0) - log(1 + e^-|x|)',
    derivative: 'sigmoid(-x)',
    source: 'PyTorch LogSigmoid, tfjs logSigmoid. Stable for large |x|: no log(0) below -88 and no 1 - 1 above 17.',
  },
  hardSigmoid: {
    formula: 'min(max(slope x + offset, 0), 1); relu6(x + 3) / 6 for the default slope 1/6 and offset 0.5',
    derivative: 'slope inside the sloped piece (-3 < x < 3 for the default, 0 < slope x + offset < 1 otherwise), else 0',
    source: 'Courbariaux, Bengio and David 2015 (slope 0.5); PyTorch (1/6, as in MobileNetV3, Howard et al. 2019); ' +
      'Keras and tfjs (0.2). The default is computed as PyTorch defines it, relu6(x + 3) / 6 (x + 3 is exact near ' +
      '-3: no cancellation); other parameters carry slope x exactly (Dekker) before adding the offset. Not exact: ' +
      'up to 1 ulp (two roundings).',
    params: {
      slope: 'Slope of the linear piece. 1/6 with offset 0.5 as in PyTorch Hardsigmoid (relu6(x + 3) / 6); ' +
        'Keras (before 3.0) and tfjs use slope 0.2 with offset 0.5.',
      offset: 'Value at x = 0; 0.5 in PyTorch, Keras and tfjs.',
    },
  },
  tanh: {
    formula: 'tanh(x) = -m / (m + 2), m = e^(-2|x|) - 1, sign of x',
    derivative: '1 - tanh(x)^2, computed as 4 e / (1 + e)^2 with e = e^-2|x|',
    source: 'Hyperbolic tangent. Odd and exact at 0 and for subnormal x; f\' keeps full relative accuracy where tanh rounds to +-1.',
  },
  tanhShrink: {
    formula: 'x - tanh(x)',
    derivative: 'tanh(x)^2',
    source: 'PyTorch torch.nn.Tanhshrink (from Lua Torch). Computed as defined, from the same tanh as the tanh row: ' +
      'near 0 (f ~ x^3 / 3) the error is absolute (ulps of 1), not relative; f(+-Inf) = +-Inf. ONNX has no op: ' +
      'written as Sub(x, Tanh(x)) and read back from that subgraph.',
  },
  softsign: {
    formula: 'x / (1 + |x|)',
    derivative: '1 / (1 + |x|)^2',
    source: 'Bergstra et al. 2009 (Quadratic polynomials learn better image features); PyTorch, Keras and tfjs. f(+-Inf) = +-1.',
  },
} as const satisfies FamilyDocs<typeof SIGMOID_FAMILY>;

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const SIGMOID_ONNX = {
  sigmoid: {
    write: (w, x) => w.op('Sigmoid', [x]),
    read: [{ op: 'Sigmoid', accepts: 'Sigmoid', read: () => ({ name: 'sigmoid' }) }],
    loss: (units) => (units === 1 ? 'binaryCrossEntropy' : undefined),
  },
  logSigmoid: {
    write: (w, x) => w.op('Neg', [w.op('Softplus', [w.op('Neg', [x])])]),
    read: [],
  },
  hardSigmoid: {
    write: (w, x) => w.op('HardSigmoid', [x], [{ name: 'alpha', f: w.fixed('slope') }, { name: 'beta', f: w.fixed('offset') }]),
    read: [{ op: 'HardSigmoid', accepts: 'HardSigmoid', read: (n) => ({ name: 'hardSigmoid', slope: n.float('alpha', 0.2), offset: n.float('beta', 0.5) }) }],
  },
  tanh: {
    write: (w, x) => w.op('Tanh', [x]),
    read: [{ op: 'Tanh', accepts: 'Tanh', read: () => ({ name: 'tanh' }) }],
  },
  tanhShrink: {
    write: (w, x) => w.op('Sub', [x, w.op('Tanh', [x])]),
    read: [{ patterns: [{ op: 'Sub', inputs: ['x', { op: 'Tanh', inputs: ['x'] }] }], accepts: 'Sub(x, Tanh(x))', spec: { name: 'tanhShrink' } }],
  },
  softsign: {
    write: (w, x) => w.op('Softsign', [x]),
    read: [{ op: 'Softsign', accepts: 'Softsign', read: () => ({ name: 'softsign' }) }],
  },
} satisfies FamilyOnnx<typeof SIGMOID_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const SIGMOID_ONNX_DOCS = {
  sigmoid: { out: 'Sigmoid', ort: { ulps: 6, floor: 0.25 } },
  logSigmoid: { out: '`-Softplus(-x)`', ort: { ulps: 3, floor: 0 } },
  hardSigmoid: { out: 'HardSigmoid(alpha = slope, beta = offset)', ort: { ulps: 1, floor: 1 } },
  tanh: { out: 'Tanh', ort: { ulps: 8, floor: 0 } },
  tanhShrink: { out: '`Sub(x, Tanh(x))`', ort: { ulps: 3, floor: 1 } },
  softsign: { out: 'Softsign', ort: { ulps: 2, floor: 0 } },
} satisfies FamilyOnnxDocs<typeof SIGMOID_FAMILY>;
