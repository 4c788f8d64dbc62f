/**
 * Kernel-table rows of the research activations of Saha, Bora and co-workers (assembly/activations/sbaf.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs } from './onnx-types.js';

export const SBAF_FAMILY = [
  {
    name: 'sbaf', diagnostics: ['saturated'], kind: 'elementwise', sigmoidDomain: true,
    params: [
      { name: 'k', default: 0.91, min: 0, max: Infinity, minExclusive: true, trainable: true },
      { name: 'alpha', default: 0.5, min: 0, max: 1, minExclusive: true, maxExclusive: true, trainable: true },
    ],
    tolerance: { forward: 3, backward: 6, paramGrad: 8 }, range: [0, 1],
  },
  {
    name: 'arelu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [
      { name: 'k', default: 1, min: 0, max: Infinity, minExclusive: true, trainable: true },
      { name: 'n', default: 1, min: 0, max: Infinity, minExclusive: true, trainable: true },
    ],
    tolerance: { forward: 2, backward: 3, paramGrad: 8 }, range: [-4, 4],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const SBAF_DOCS = {
  sbaf: {
    formula: '1 / (1 + k u^alpha (1 - u)^(1 - alpha)), u = clamp(x, 0, 1) (domain clamp/strict) or sigmoid(x) (domain sigmoid)',
    derivative: "clamp: 0 < x < 1 ? y^2 k u^(alpha-1) (1-u)^(-alpha) (u - alpha) : 0 (0 at the ends, where the one-sided " +
      "derivatives are -Inf and +Inf); sigmoid: y^2 t (u - alpha), t = k u^alpha (1-u)^(1-alpha); " +
      'd/dk = -y^2 t / k; d/dalpha = -y^2 t (log u - log(1 - u))',
    source: 'Saha-Bora Activation Function: S. Saha, A. Mathur, K. Bora, S. Agrawal, S. Basak, "SBAF: A New Activation ' +
      'Function for Artificial Neural Net based Habitability Classification" (arXiv:1806.01844, 2018); S. Saha, N. Nagaraj, ' +
      'A. Mathur, R. Yedida, S. H R, "Evolution of novel activation functions in neural network training for astronomy ' +
      'data: habitability classification of exoplanets", Eur. Phys. J. Spec. Top. 229 (2020), arXiv:1906.01975. Real only ' +
      "on [0, 1]: the domain option picks clamp (default), sigmoid(x) or strict (DomainError outside [0, 1]). " +
      'x^a (1-x)^(1-a) is exp(a log x + (1-a) log1p(-x)); y = 1 exactly at x = 0 and x = 1. The derivative uses an ' +
      'exactly split power (see arelu) for u^(a-1) (1-u)^(-a), which is huge near u = 0.',
    params: {
      k: 'Scale of the Cobb-Douglas term, k > 0. 0.91 is the value this project was asked to use; it could not be ' +
        'confirmed from the paper text reachable here (the abstracts found do not state k).',
      alpha: 'Elasticity, 0 < alpha < 1. 0.5 (the symmetric case) is the value this project was asked to use; not ' +
        'confirmed from the paper text reachable here.',
    },
  },
  arelu: {
    formula: 'x > 0 ? k x^n : 0',
    derivative: "x > 0 ? k n x^(n-1) : 0; f'(0) = 0 for every n (the derivative for n > 1, the left one for n <= 1); " +
      'd/dk = x > 0 ? x^n : 0; d/dn = x > 0 ? k x^n log x : 0',
    source: 'A-ReLU (approximate ReLU), Saha, Nagaraj, Mathur, Yedida and H R, Eur. Phys. J. Spec. Top. 229 (2020), ' +
      'arXiv:1906.01975. x^n = 2^k exp((f + nl e) ln2 + n log m) with x = 2^e m and n e split exactly into k + f, ' +
      'so huge and tiny x keep their accuracy (exp(n log x) alone loses |n log x| / 2 ulps); k (and k n in f\') joins ' +
      'the power-of-two scale, so k x^n is finite wherever it is below FLT_MAX even where x^n alone overflows.',
    params: {
      k: 'Scale, k > 0; 1 by default.',
      n: 'Exponent, n > 0. Default 1 (our choice: arelu starts as relu and training moves n). f is differentiable ' +
        'at 0 only for n > 1; n = 1 is computed as k x exactly.',
    },
  },
} as const satisfies FamilyDocs<typeof SBAF_FAMILY>;

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const SBAF_ONNX = {
  sbaf: {
    write: (w, x) => {
      const k = w.learned('k'), al = w.learned('alpha');
      const sigmoidDomain = w.spec.domain === 'sigmoid';
      // u in [0, 1] and 1 - u; in the sigmoid domain 1 - sigmoid(x) is sigmoid(-x) (no cancellation).
      const u = sigmoidDomain ? w.op('Sigmoid', [x]) : w.op('Clip', [x, w.scalar(0), w.scalar(1)]);
      const v = sigmoidDomain ? w.op('Sigmoid', [w.op('Neg', [x])]) : w.op('Sub', [w.scalar(1), u]);
      const t = w.op('Mul', [w.op('Mul', [k, w.op('Pow', [u, al])]), w.op('Pow', [v, w.op('Sub', [w.scalar(1), al])])]);
      return w.op('Reciprocal', [w.op('Add', [w.scalar(1), t])]);
    },
    read: [],
  },
  arelu: {
    write: (w, x) => w.op('Mul', [w.learned('k'), w.op('Pow', [w.op('Relu', [x]), w.learned('n')])]),
    read: [],
  },
} satisfies FamilyOnnx<typeof SBAF_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const SBAF_ONNX_DOCS = {
  sbaf: {
    out: '`1 / (1 + k Pow(u, alpha) Pow(1 - u, 1 - alpha))`, u = Clip(x, 0, 1) (domain clamp; `strict` exports as clamp: ' +
      'ONNX cannot throw); domain sigmoid: u = Sigmoid(x), 1 - u = Sigmoid(-x)',
    ort: { ulps: 4, floor: 0 },
  },
  arelu: { out: '`k * Pow(Relu(x), n)`', ort: { ulps: 4, floor: 0 } },
} satisfies FamilyOnnxDocs<typeof SBAF_FAMILY>;
