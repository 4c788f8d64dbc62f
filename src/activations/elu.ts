/**
 * Kernel-table rows of the exponential-linear family (assembly/activations/elu.ts).
 * @module
 */
import type { ActivationDef, FamilyDocs } from './types.js';
import type { FamilyOnnx, FamilyOnnxDocs } from './onnx-types.js';

export const ELU_FAMILY = [
  {
    name: 'elu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'alpha', default: 1, min: -Infinity, max: Infinity, trainable: false }],
    tolerance: { forward: 2, backward: 3 }, range: [-8, 4],
  },
  {
    name: 'celu', init: 'heNormal', diagnostics: ['dead'], kind: 'elementwise',
    params: [{ name: 'alpha', default: 1, min: 0, max: Infinity, minExclusive: true, trainable: false }],
    // One more rounding than elu: x / alpha (relative error amplified by at most |x e^x / expm1(x)| <= 1 for x < 0).
    tolerance: { forward: 3, backward: 3 }, range: [-8, 4],
  },
  {
    name: 'selu', init: 'lecunNormal', kind: 'elementwise', params: [],
    tolerance: { forward: 3, backward: 3 }, range: [-8, 4],
  },
] as const satisfies readonly ActivationDef[];

/** The rows' documentation (rectify/docs and docs/activations.md read it; the engine does not). */
export const ELU_DOCS = {
  elu: {
    formula: 'x > 0 ? x : alpha (e^x - 1)',
    derivative: "x > 0 ? 1 : alpha e^x (f'(0) = alpha, the left piece, as in PyTorch)",
    source: 'Clevert, Unterthiner and Hochreiter 2015 (ELU). Only alpha = 1 makes f\' continuous at 0.',
    params: {
      alpha: 'Scale of the negative piece; 1 as in Clevert et al. 2015, PyTorch, Keras and tfjs. Any finite value is ' +
        'accepted here (PyTorch and Keras too); tfjs rejects alpha != 1.',
    },
  },
  celu: {
    formula: 'max(0, x) + min(0, alpha (e^(x/alpha) - 1))',
    derivative: "x > 0 ? 1 : e^(x/alpha) (f'(0) = 1)",
    source: 'Barron 2017 (Continuously differentiable exponential linear units); PyTorch CELU. Equals elu for alpha = 1.',
    params: {
      alpha: 'Scale of the negative piece and its saturation value -alpha; 1 as in Barron 2017 and PyTorch. Must be > 0.',
    },
  },
  selu: {
    formula: 'lambda (x > 0 ? x : alpha (e^x - 1)), lambda = 1.0507009873554804934, alpha = 1.6732632423543772848',
    derivative: "lambda (x > 0 ? 1 : alpha e^x) (f'(0) = lambda alpha)",
    source: 'Klambauer, Unterthiner, Mayr and Hochreiter 2017 (Self-normalizing neural networks); constants as ' +
      'published, the same in PyTorch, Keras and tfjs. lambda and lambda alpha are rounded to f32.',
  },
} as const satisfies FamilyDocs<typeof ELU_FAMILY>;

/** The rows' ONNX forms: how toOnnx writes each row and how fromOnnx reads it back (only src/onnx/ imports them). */
export const ELU_ONNX = {
  elu: {
    write: (w, x) => w.op('Elu', [x], [{ name: 'alpha', f: w.fixed('alpha') }]),
    read: [{ op: 'Elu', accepts: 'Elu', read: (n) => ({ name: 'elu', alpha: n.float('alpha', 1) }) }],
  },
  celu: {
    write: (w, x) => w.op('Celu', [x], [{ name: 'alpha', f: w.fixed('alpha') }]),
    read: [{ op: 'Celu', accepts: 'Celu', read: (n) => ({ name: 'celu', alpha: n.float('alpha', 1) }) }],
  },
  selu: {
    write: (w, x) => w.op('Selu', [x], [{ name: 'alpha', f: SELU_ALPHA }, { name: 'gamma', f: SELU_GAMMA }]),
    read: [{
      op: 'Selu', accepts: 'Selu with the published constants',
      read: (n) => {
        const a = n.float('alpha', SELU_ALPHA), g = n.float('gamma', SELU_GAMMA);
        if (Math.fround(a) !== Math.fround(SELU_ALPHA) || Math.fround(g) !== Math.fround(SELU_GAMMA)) {
          n.fail(`has alpha ${a} and gamma ${g}; rectify's selu has the published constants only`);
        }
        return { name: 'selu' };
      },
    }],
  },
} satisfies FamilyOnnx<typeof ELU_FAMILY>;

/** How the rows are written in ONNX and how close onnxruntime comes (docs/activations.md and tests/onnx read it). */
export const ELU_ONNX_DOCS = {
  elu: { out: 'Elu', ort: { ulps: 2, floor: 0.25 } },
  celu: { out: 'Celu', ort: { ulps: 2, floor: 0.25 } },
  selu: { out: 'Selu', ort: { ulps: 3, floor: 0.25 } },
} satisfies FamilyOnnxDocs<typeof ELU_FAMILY>;

/** Selu's constants as published (Klambauer et al. 2017), as ONNX writes them. */
const SELU_ALPHA = 1.6732632423543772848;
const SELU_GAMMA = 1.0507009873554804934;
