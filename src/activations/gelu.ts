/**
 * Kernel-table rows of the smooth gated family, part 2 (assembly/activations/gelu.ts): gelu (erf form) and geluTanh.
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs, OnnxPattern } from './onnx-types.js';

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

/** sqrt(2) and 2 sqrt(2/pi), the constants of the subgraphs. */
const SQRT2 = 1.4142135623730951;
const GELU_TANH_C = 1.5957691216057308;

/** x / sqrt 2 as exporters write it: Div(x, sqrt 2) or Mul(x, 1/sqrt 2) (within 1e-6 relative; literals, so the core bundle drops them). */
const ERF_SCALE: OnnxPattern = { oneOf: [
  { op: 'Div', inputs: ['x', { const: SQRT2, rel: 1e-6 }] },
  { op: 'Mul', inputs: ['x', { const: 0.7071067811865476, rel: 1e-6 }], commutative: true },
] };
/** 1 + erf(x / sqrt 2). */
const ERF_G: OnnxPattern = { op: 'Add', inputs: [{ op: 'Erf', inputs: [ERF_SCALE] }, { const: 1 }], commutative: true };
/** x * 0.5 * (1 + erf(x / sqrt 2)) in the arrangements PyTorch and others write: (x g) 0.5, (x 0.5) g, x (g 0.5). */
const ERF_GELU: readonly OnnxPattern[] = [
  { op: 'Mul', inputs: [{ op: 'Mul', inputs: ['x', ERF_G], commutative: true }, { const: 0.5 }], commutative: true },
  { op: 'Mul', inputs: [{ op: 'Mul', inputs: ['x', { const: 0.5 }], commutative: true }, ERF_G], commutative: true },
  { op: 'Mul', inputs: ['x', { op: 'Mul', inputs: [ERF_G, { const: 0.5 }], commutative: true }], commutative: true },
];

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const GELU_ONNX = {
  gelu: {
    write: (w, x) => (w.opset >= 20 ? w.op('Gelu', [x])
      // The erf form PyTorch writes below opset 20: x * 0.5 * (1 + erf(x / sqrt 2)).
      : w.op('Mul', [w.op('Mul', [x, w.scalar(0.5)]), w.op('Add', [w.scalar(1), w.op('Erf', [w.op('Div', [x, w.scalar(SQRT2)])])])])),
    read: [
      { op: 'Gelu', accepts: 'Gelu(approximate = "none")', read: (n) => ((n.string('approximate') ?? 'none') === 'none' ? { name: 'gelu' } : undefined) },
      { patterns: ERF_GELU, accepts: 'the Erf form `x * 0.5 * (1 + Erf(x / sqrt 2))` (Div by sqrt 2 or Mul by 1/sqrt 2, the Muls in the orders exporters write)', spec: { name: 'gelu' } },
    ],
  },
  geluTanh: {
    write: (w, x) => {
      if (w.opset >= 20) return w.op('Gelu', [x], [{ name: 'approximate', s: 'tanh' }]);
      // x / (1 + e^-v), v = 2 sqrt(2/pi) (x + 0.044715 x^3): equals x (1 + tanh(v / 2)) / 2 without its cancellation.
      const x3 = w.op('Mul', [x, w.op('Mul', [x, x])]);
      const v = w.op('Mul', [w.op('Add', [x, w.op('Mul', [x3, w.scalar(0.044715)])]), w.scalar(GELU_TANH_C)]);
      return w.op('Div', [x, w.op('Add', [w.scalar(1), w.op('Exp', [w.op('Neg', [v])])])]);
    },
    read: [{ op: 'Gelu', accepts: 'Gelu(approximate = "tanh")', read: (n) => (n.string('approximate') === 'tanh' ? { name: 'geluTanh' } : undefined) }],
  },
} satisfies FamilyOnnx<typeof GELU_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const GELU_ONNX_DOCS = {
  gelu: { out: 'Gelu (opset >= 20); below: `x * 0.5 * (1 + Erf(x / sqrt 2))` (PyTorch\'s form)', ort: { ulps: 4, floor: 0.25 } },
  geluTanh: { out: 'Gelu(approximate = "tanh") (opset >= 20); below: `x / (1 + Exp(-v))`, v = 2 sqrt(2/pi) (x + 0.044715 x^3)', ort: { ulps: 24, floor: 0.25 } },
} satisfies FamilyOnnxDocs<typeof GELU_FAMILY>;
