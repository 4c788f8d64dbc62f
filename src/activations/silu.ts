/**
 * Kernel-table rows of the smooth gated family, part 1 (assembly/activations/silu.ts): silu (swish), mish,
 * softplus, hardSwish.
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs } from './onnx-types.js';

export const SILU_FAMILY = [
  {
    name: 'silu', init: 'heNormal', diagnostics: ['dead'], aliases: ['swish'], kind: 'elementwise',
    params: [{ name: 'beta', default: 1, min: -Infinity, max: Infinity, trainable: true }],
    // floor: silu' has a root at beta x = -1.278 where s (1 + t (1 - s)) cancels: errors are measured in ulps of
    // max(|f'|, 0.05). Measured on 2M points in [-20, 20]: forward 3.9 ulps (no floor needed), f' 5.0 ulps
    // (beta 1, 2, 0.5) and 5.3 ulps (beta 1.7); backward adds the rounding of dy f'.
    tolerance: { forward: 4, backward: 6, paramGrad: 4, floor: 0.05 }, range: [-12, 12],
  },
  {
    name: 'mish', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    // floor: mish' has a root at x = -1.192; errors are measured in ulps of max(|f'|, 0.05). Measured on 2M points
    // in [-20, 20]: forward 4.46 ulps (x = -13.8, no floor needed), f' 5.44 ulps (x = -0.21).
    tolerance: { forward: 4, backward: 6, floor: 0.05 }, range: [-12, 12],
  },
  {
    name: 'softplus', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [
      { name: 'beta', default: 1, min: 0, max: Infinity, minExclusive: true, trainable: false },
      { name: 'threshold', default: 20, min: -Infinity, max: Infinity, trainable: false },
    ],
    tolerance: { forward: 4, backward: 4 }, range: [-12, 24],
  },
  {
    name: 'hardSwish', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    tolerance: { forward: 2, backward: 1 }, range: [-5, 5],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const SILU_DOCS = {
  silu: {
    formula: 'x sigmoid(beta x)',
    derivative: 's (1 + beta x (1 - s)), s = sigmoid(beta x); d/dbeta = x^2 s (1 - s)',
    source: 'Elfwing, Uchibe and Doya 2017 (SiLU); Ramachandran, Zoph and Le 2017 (Swish, trainable beta). ' +
      'silu(-inf) = 0 (the limit; x sigmoid(x) in f32 would give NaN). Accuracy holds for |beta| >= 1e-5. ' +
      'beta = 1 (the default) is x sigmoid(x) with the one-division sigmoid; other beta carry beta x exactly.',
    params: {
      beta: 'Gate sharpness: x sigmoid(beta x). 1 gives SiLU (Elfwing et al. 2017; PyTorch SiLU); Ramachandran et al. 2017 (Swish) learn it.',
    },
  },
  mish: {
    formula: 'x tanh(softplus(x))',
    derivative: 'T + x sigmoid(x) (1 - T^2), T = tanh(softplus(x))',
    source: 'Misra 2019. Computed as a rational function of e^-|x| (no cancellation in either tail); mish(-inf) = 0.',
  },
  softplus: {
    formula: 'beta x > threshold ? x : log(1 + e^(beta x)) / beta',
    derivative: 'beta x > threshold ? 1 : sigmoid(beta x)',
    source: 'Dugas et al. 2001; PyTorch Softplus (beta, threshold). The threshold makes f discontinuous by ' +
      'log1p(e^-threshold)/beta at x = threshold/beta, and f\' jumps from sigmoid(threshold) to 1; the f64 reference ' +
      'applies the same rule to the same f32 product.',
    params: {
      beta: 'Sharpness: log(1 + e^(beta x)) / beta. 1 as in PyTorch, TensorFlow and ONNX.',
      threshold: 'PyTorch semantics: returns x where beta x (rounded to f32) > threshold. The jump there is ' +
        'log1p(e^-threshold)/beta (2.1e-9 for the defaults, below half an f32 ulp of 20).',
    },
  },
  hardSwish: {
    formula: 'x relu6(x + 3) / 6',
    derivative: "x < -3 ? 0 : (x <= 3 ? x/3 + 1/2 : 1)",
    source: 'Howard et al. 2019 (MobileNetV3). At the kinks f\' follows PyTorch: f\'(-3) = -0.5 and f\'(3) = 1.5 ' +
      '(the middle piece). hardSwish(-inf) = 0 (PyTorch gives NaN from -inf * 0).',
  },
} as const satisfies FamilyDocs<typeof SILU_FAMILY>;

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const SILU_ONNX = {
  silu: {
    // x / (1 + e^(-beta x)): onnxruntime's Exp keeps relative accuracy in the negative tail, its Sigmoid does not.
    write: (w, x) => w.op('Div', [x, w.op('Add', [w.scalar(1), w.op('Exp', [w.op('Neg', [w.op('Mul', [x, w.learned('beta')])])])])]),
    read: [],
  },
  mish: {
    write: (w, x) => (w.opset >= 18 ? w.op('Mish', [x]) : w.op('Mul', [x, w.op('Tanh', [w.op('Softplus', [x])])])),
    read: [{ op: 'Mish', accepts: 'Mish', read: () => ({ name: 'mish' }) }],
  },
  softplus: {
    write: (w, x) => {
      const beta = w.fixed('beta'), threshold = w.fixed('threshold');
      // The defaults are ONNX's Softplus: the jump at the threshold (2.1e-9) is below half an ulp of 20.
      if (beta === 1 && threshold === 20) return w.op('Softplus', [x]);
      const bx = beta === 1 ? x : w.op('Mul', [x, w.scalar(beta)]);
      const sp = w.op('Softplus', [bx]);
      const scaled = beta === 1 ? sp : w.op('Div', [sp, w.scalar(beta)]);
      // PyTorch semantics: x itself where beta x > threshold.
      return w.op('Where', [w.op('Greater', [bx, w.scalar(threshold)]), x, scaled]);
    },
    read: [{ op: 'Softplus', accepts: 'Softplus', read: () => ({ name: 'softplus' }) }],
  },
  hardSwish: {
    write: (w, x) => (w.opset >= 14 ? w.op('HardSwish', [x])
      : w.op('Mul', [x, w.op('HardSigmoid', [x], [{ name: 'alpha', f: 1 / 6 }, { name: 'beta', f: 0.5 }])])),
    read: [{ op: 'HardSwish', accepts: 'HardSwish', read: () => ({ name: 'hardSwish' }) }],
  },
} satisfies FamilyOnnx<typeof SILU_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const SILU_ONNX_DOCS = {
  silu: { out: '`x / (1 + Exp(-beta x))`', ort: { ulps: 4, floor: 0.05 } },
  mish: { out: 'Mish (opset >= 18); below: `x * Tanh(Softplus(x))`', ort: { ulps: 6, floor: 0 } },
  softplus: { out: 'Softplus; with beta or threshold other than 1 and 20: `Where(Greater(bx, threshold), x, Softplus(bx) / beta)`, bx = beta x', ort: { ulps: 3, floor: 0 } },
  hardSwish: { out: 'HardSwish (opset >= 14); opset 13: `x * HardSigmoid(x, 1/6, 0.5)`', ort: { ulps: 3, floor: 0.25 } },
} satisfies FamilyOnnxDocs<typeof SILU_FAMILY>;
