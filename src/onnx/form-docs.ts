/**
 * The documentation of every activation's ONNX form (how it is written, how close onnxruntime comes), by row name:
 * the `<FAMILY>_ONNX_DOCS` records of the family files. Not part of any entry: scripts/activation-table.mjs (the ONNX
 * column of docs/activations.md) and tests/onnx read it, so `rectify/onnx` does not carry the texts.
 * @module
 */
import type { ACTIVATIONS } from '../activation-table.js';
import type { OnnxFormDoc } from '../activations/onnx-types.js';
import { RELU_ONNX_DOCS } from '../activations/relu.js';
import { SBAF_ONNX_DOCS } from '../activations/sbaf.js';
import { SOFTMAX_ONNX_DOCS } from '../activations/softmax.js';
import { ELU_ONNX_DOCS } from '../activations/elu.js';
import { SIGMOID_ONNX_DOCS } from '../activations/sigmoid.js';
import { SILU_ONNX_DOCS } from '../activations/silu.js';
import { GELU_ONNX_DOCS } from '../activations/gelu.js';

export type { OnnxFormDoc } from '../activations/onnx-types.js';

/** The ONNX documentation of every row of `ACTIVATIONS`, by name (a family not spread here does not compile). */
export const ACTIVATION_ONNX_DOCS: { readonly [N in typeof ACTIVATIONS[number]['name']]: OnnxFormDoc } = {
  ...RELU_ONNX_DOCS, ...SBAF_ONNX_DOCS, ...SOFTMAX_ONNX_DOCS, ...ELU_ONNX_DOCS, ...SIGMOID_ONNX_DOCS, ...SILU_ONNX_DOCS,
  ...GELU_ONNX_DOCS,
};
