/**
 * Every activation's ONNX forms, by row name: the `<FAMILY>_ONNX` records of the family files (src/activations/),
 * which only `rectify/onnx` imports. export.ts and import.ts are driven by it and name no activation.
 * @module
 */
import type { ACTIVATIONS } from '../activation-table.js';
import type { OnnxForm } from '../activations/onnx-types.js';
import { RELU_ONNX } from '../activations/relu.js';
import { SBAF_ONNX } from '../activations/sbaf.js';
import { SOFTMAX_ONNX } from '../activations/softmax.js';
import { ELU_ONNX } from '../activations/elu.js';
import { SIGMOID_ONNX } from '../activations/sigmoid.js';
import { SILU_ONNX } from '../activations/silu.js';
import { GELU_ONNX } from '../activations/gelu.js';

export type { OnnxForm } from '../activations/onnx-types.js';

/** The forms of every row of `ACTIVATIONS`, by name (a family whose record is not spread here does not compile). */
export const ACTIVATION_ONNX: { readonly [N in typeof ACTIVATIONS[number]['name']]: OnnxForm } = {
  ...RELU_ONNX, ...SBAF_ONNX, ...SOFTMAX_ONNX, ...ELU_ONNX, ...SIGMOID_ONNX, ...SILU_ONNX, ...GELU_ONNX,
};

/** The forms of a row, by its name. */
export function onnxForm(name: string): OnnxForm | undefined {
  return Object.prototype.hasOwnProperty.call(ACTIVATION_ONNX, name) ? (ACTIVATION_ONNX as Record<string, OnnxForm>)[name] : undefined;
}
