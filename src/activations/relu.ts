/**
 * Kernel-table rows of the piecewise-linear family (assembly/activations/relu.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs, OnnxReadNode } from './onnx-types.js';

export const RELU_FAMILY = [
  {
    name: 'linear', diagnostics: ['dead'], kind: 'elementwise', params: [],
    tolerance: { forward: 0, backward: 0 }, range: [-6, 6], piecewiseLinear: true,
  },
  {
    name: 'relu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'subgradient', default: 0, min: 0, max: 1, trainable: false }],
    tolerance: { forward: 0, backward: 0 }, range: [-6, 6], piecewiseLinear: true,
  },
  {
    name: 'relu6', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', params: [],
    tolerance: { forward: 0, backward: 0 }, range: [-8, 8], piecewiseLinear: true,
  },
  {
    name: 'leakyRelu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'slope', default: 0.01, min: -Infinity, max: Infinity, trainable: false }],
    tolerance: { forward: 0, backward: 0 }, range: [-6, 6], piecewiseLinear: true,
  },
  {
    name: 'prelu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise', perUnit: true,
    params: [{ name: 'alpha', default: 0.25, min: -Infinity, max: Infinity, trainable: true }],
    tolerance: { forward: 0, backward: 0, paramGrad: 2 }, range: [-6, 6], piecewiseLinear: true,
  },
  {
    name: 'hardTanh', diagnostics: ['dead', 'saturated'], kind: 'elementwise',
    params: [
      { name: 'minVal', default: -1, min: -Infinity, max: Infinity, trainable: false },
      { name: 'maxVal', default: 1, min: -Infinity, max: Infinity, trainable: false },
    ],
    check: (p: Readonly<Record<string, number>>) => (p.minVal! < p.maxVal! ? undefined : `minVal (${p.minVal}) must be less than maxVal (${p.maxVal})`),
    tolerance: { forward: 0, backward: 0 }, range: [-3, 3], piecewiseLinear: true,
  },
  {
    name: 'hardShrink', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'lambda', default: 0.5, min: 0, max: Infinity, trainable: false }],
    tolerance: { forward: 0, backward: 0 }, range: [-3, 3], piecewiseLinear: true,
  },
  {
    name: 'softShrink', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'lambda', default: 0.5, min: 0, max: Infinity, trainable: false }],
    tolerance: { forward: 0, backward: 0 }, range: [-3, 3], piecewiseLinear: true,
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const RELU_DOCS = {
  linear: {
    formula: 'x',
    derivative: '1',
    source: 'Identity. Two linear layers collapse into one (W = W2 W1, b = W2 b1 + b2).',
  },
  relu: {
    formula: 'max(0, x)',
    derivative: 'x > 0 ? 1 : (x = 0 ? subgradient : 0)',
    source: 'Nair and Hinton 2010. relu(-0) = +0.',
    params: {
      subgradient: "Value used for f'(0), where relu is not differentiable. 0 as in PyTorch, TensorFlow and JAX.",
    },
  },
  relu6: {
    formula: 'min(max(0, x), 6)',
    derivative: '0 < x < 6 ? 1 : 0',
    source: 'Krizhevsky 2010; MobileNet (Howard et al. 2017).',
  },
  leakyRelu: {
    formula: 'x > 0 ? x : slope x',
    derivative: 'x > 0 ? 1 : slope',
    source: 'Maas, Hannun and Ng 2013.',
    params: {
      slope: 'Slope for x < 0. 0.01 as in Maas et al. 2013, PyTorch and ONNX; tfjs uses 0.2 and Keras 0.3.',
    },
  },
  prelu: {
    formula: 'x > 0 ? x : alpha x',
    derivative: "x > 0 ? 1 : alpha; d/dalpha = x > 0 ? 0 : x",
    source: 'He, Zhang, Ren and Sun 2015 (Delving deep into rectifiers).',
    params: {
      alpha: 'Learned slope for x < 0; initial value 0.25 as in He et al. 2015 and PyTorch. One shared value, or one per unit with `units`.',
    },
  },
  hardTanh: {
    formula: 'min(max(x, minVal), maxVal)',
    derivative: 'minVal < x < maxVal ? 1 : 0',
    source: 'Collobert 2004; PyTorch Hardtanh.',
    params: {
      minVal: 'Lower clamp; -1 as in PyTorch.',
      maxVal: 'Upper clamp; 1 as in PyTorch. Must exceed minVal.',
    },
  },
  hardShrink: {
    formula: '|x| > lambda ? x : 0',
    derivative: '|x| > lambda ? 1 : 0 (0 at x = +-lambda)',
    source: 'Hard thresholding (Donoho and Johnstone 1994, Ideal spatial adaptation by wavelet shrinkage, Biometrika ' +
      '81(3)); PyTorch torch.nn.Hardshrink: x if x > lambd or x < -lambd, else 0. The band maps -0 to +0.',
    params: {
      lambda: 'Half-width of the band mapped to 0, lambda >= 0; 0.5 as in PyTorch Hardshrink (lambd=0.5).',
    },
  },
  softShrink: {
    formula: 'x > lambda ? x - lambda : (x < -lambda ? x + lambda : 0)',
    derivative: '|x| > lambda ? 1 : 0 (0 at x = +-lambda)',
    source: 'Soft thresholding (Donoho 1995, De-noising by soft-thresholding, IEEE Trans. Inf. Theory 41(3)); PyTorch ' +
      'torch.nn.Softshrink (lambd=0.5); ONNX Shrink with bias = lambd. The band maps -0 to +0.',
    params: {
      lambda: 'Half-width of the band mapped to 0, lambda >= 0; 0.5 as in PyTorch Softshrink (lambd=0.5).',
    },
  },
} as const satisfies FamilyDocs<typeof RELU_FAMILY>;

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const RELU_ONNX = {
  linear: { write: (_w, x) => x, read: [], identity: true },
  relu: {
    write: (w, x) => w.op('Relu', [x]),
    read: [
      { op: 'Relu', accepts: 'Relu', read: () => ({ name: 'relu' }) },
      { op: 'Clip', accepts: 'Clip(0, none)', read: (n) => (clipBounds(n)[0] === 0 && clipBounds(n)[1] === undefined ? { name: 'relu' } : undefined) },
    ],
  },
  relu6: {
    write: (w, x) => w.op('Clip', [x, w.scalar(0), w.scalar(6)]),
    read: [{ op: 'Clip', accepts: 'Clip(0, 6)', read: (n) => (clipBounds(n)[0] === 0 && clipBounds(n)[1] === 6 ? { name: 'relu6' } : undefined) }],
  },
  leakyRelu: {
    write: (w, x) => w.op('LeakyRelu', [x], [{ name: 'alpha', f: w.fixed('slope') }]),
    read: [{ op: 'LeakyRelu', accepts: 'LeakyRelu', read: (n) => ({ name: 'leakyRelu', slope: n.float('alpha', 0.01) }) }],
  },
  prelu: {
    write: (w, x) => w.op('PRelu', [x, w.learnedVector('alpha')]),
    read: [{
      op: 'PRelu', accepts: 'PRelu (slope [1] or [features])',
      read: (n) => {
        const units = n.width(), slope = n.tensorInput(1, 'slope');
        if (slope.values.length === 1) return { name: 'prelu', alpha: slope.values[0]! };
        if (slope.values.length === units && slope.dims[slope.dims.length - 1] === units) return { name: 'prelu', units, alpha: Array.from(slope.values) };
        return n.fail(`has a slope of dims [${slope.dims.join(', ')}]; rectify reads one slope or one per unit (${units})`);
      },
    }],
  },
  hardTanh: {
    write: (w, x) => w.op('Clip', [x, w.scalar(w.fixed('minVal')), w.scalar(w.fixed('maxVal'))]),
    read: [{
      op: 'Clip', accepts: 'Clip(lo, hi) with lo < hi',
      read: (n) => {
        const [lo, hi] = clipBounds(n);
        return lo !== undefined && hi !== undefined && lo < hi ? { name: 'hardTanh', minVal: lo, maxVal: hi } : undefined;
      },
    }],
  },
  hardShrink: {
    write: (w, x) => w.op('Shrink', [x], [{ name: 'lambd', f: w.fixed('lambda') }, { name: 'bias', f: 0 }]),
    read: [{ op: 'Shrink', accepts: 'Shrink with bias 0', read: (n) => (n.float('bias', 0) === 0 ? { name: 'hardShrink', lambda: n.float('lambd', 0.5) } : undefined) }],
  },
  softShrink: {
    write: (w, x) => {
      const lambda = w.fixed('lambda');
      return w.op('Shrink', [x], [{ name: 'lambd', f: lambda }, { name: 'bias', f: lambda }]);
    },
    read: [{
      op: 'Shrink', accepts: 'Shrink with bias = lambd',
      read: (n) => { const lambda = n.float('lambd', 0.5); return n.float('bias', 0) === lambda ? { name: 'softShrink', lambda } : undefined; },
    }],
  },
} satisfies FamilyOnnx<typeof RELU_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const RELU_ONNX_DOCS = {
  linear: { out: '(nothing)', ort: { ulps: 0, floor: 0 } },
  relu: { out: 'Relu', ort: { ulps: 0, floor: 0 } },
  relu6: { out: 'Clip(0, 6)', ort: { ulps: 0, floor: 0 } },
  leakyRelu: { out: 'LeakyRelu(alpha = slope)', ort: { ulps: 0, floor: 0 } },
  prelu: { out: 'PRelu (slope [1] shared or [units])', ort: { ulps: 0, floor: 0 } },
  hardTanh: { out: 'Clip(minVal, maxVal)', ort: { ulps: 0, floor: 0 } },
  hardShrink: { out: 'Shrink(lambd = lambda, bias = 0)', ort: { ulps: 0, floor: 0 } },
  softShrink: { out: 'Shrink(lambd = lambda, bias = lambda)', ort: { ulps: 0, floor: 0 } },
} satisfies FamilyOnnxDocs<typeof RELU_FAMILY>;

/** Clip's bounds: inputs 1 and 2 (opset 11+) or the min/max attributes of older opsets; undefined where absent. */
function clipBounds(n: OnnxReadNode): [number | undefined, number | undefined] {
  return [n.scalarInput(1, 'min') ?? n.float('min', undefined), n.scalarInput(2, 'max') ?? n.float('max', undefined)];
}
