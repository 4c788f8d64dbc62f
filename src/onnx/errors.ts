/**
 * The error class of `rectify/onnx`.
 * @module
 */
import { ModelFormatError } from '../errors.js';

/**
 * An ONNX file that rectify cannot read or write: corrupt or truncated protobuf, an operator or attribute outside the
 * supported subset (the message names the op and the node), or a graph that is not a feed-forward dense network. It
 * is a {@link ModelFormatError}, so code that catches load failures catches it too.
 */
export class OnnxError extends ModelFormatError {}
