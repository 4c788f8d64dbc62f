/**
 * `rectify/onnx`: ONNX out and in. A separate entry, so the core download does not grow.
 * - {@link toOnnx} writes a network as a standard ONNX model (opset 13 to 22) that onnxruntime and other runtimes run.
 * - {@link fromOnnx} reads the feed-forward MLPs other tools write (PyTorch, tf2onnx, skl2onnx) into a trainable network.
 * @module
 */
export { toOnnx, OPSET_DEFAULT, OPSET_MIN, OPSET_MAX } from './export.js';
export type { ToOnnxOptions } from './export.js';
export { OnnxError } from '../errors.js';
export { fromOnnx } from './import.js';
export type { FromOnnxOptions } from './import.js';
