/**
 * Every error rectify throws is a {@link RectifyError}. Subclasses say which kind of mistake it was; the message says
 * what to fix. After any of them the engine (and any network) is still usable and unchanged.
 * @module
 */
// Type only (erased at run time): errors.ts imports nothing at run time, so no module cycle appears.
import type { History } from './network/types.js';

/** Base class of every error rectify throws. */
export class RectifyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument has the wrong type or an impossible value (for example a number where a Float32Array is needed). */
export class InvalidArgumentError extends RectifyError {}

/** Lengths or shapes do not fit together (for example x.length is not rows x cols). */
export class ShapeError extends RectifyError {}

/** An activation name that rectify does not know; the message lists the valid names. */
export class UnknownActivationError extends RectifyError {
  constructor(message: string, readonly validNames: readonly string[]) {
    super(message);
  }
}

/** An activation or optimizer parameter is missing its range (NaN, k <= 0, ...) or is not a known parameter. */
export class InvalidParameterError extends RectifyError {}

/** Input values outside an activation's domain under the strict domain policy (for example sbaf with x > 1). */
export class DomainError extends RectifyError {}

/** A tensor, activation or network was used after `dispose()`, or belongs to another engine. */
export class DisposedError extends RectifyError {}

/** The WebAssembly memory cannot grow to the size asked for. */
export class OutOfMemoryError extends RectifyError {}

/** The WebAssembly module could not be loaded, compiled or instantiated. */
export class WasmLoadError extends RectifyError {}

/** Training data or labels that cannot be used (NaN in x, a label out of range, mismatched row counts). */
export class DataError extends RectifyError {}

/** A saved network that cannot be loaded: corrupt, truncated, of an unknown version, or hostile. */
export class ModelFormatError extends RectifyError {}

/**
 * An ONNX file that `rectify/onnx` cannot read or write: corrupt or truncated protobuf, an operator or attribute
 * outside the supported subset (the message names the op and the node), or a graph that is not a feed-forward dense
 * network; `toOnnx` of a layer without an ONNX form. A kind of {@link ModelFormatError}, so code that catches load
 * failures catches it too. Exported from `rectify` and from `rectify/onnx`.
 */
export class OnnxError extends ModelFormatError {}

/**
 * `fit` stopped because its AbortSignal fired. The weights are those after the last completed batch; `.history` holds
 * the epochs completed before it (the same {@link History} `fit` resolves with).
 */
export class TrainingAbortedError extends RectifyError {
  constructor(message: string, readonly history: History) {
    super(message);
  }
}

/**
 * `fit` stopped because the loss (or a parameter) stopped being finite. The network's weights and optimizer state are
 * put back to their values at the start of the epoch in which it diverged (the last finite state); `.history` holds the
 * completed epochs. Also thrown by `save()` / `toJSON()` of a network whose parameters are not all finite (`.history`
 * is then undefined). Lower the learning rate, set `clipNorm`, or scale the inputs.
 */
export class TrainingDivergedError extends RectifyError {
  constructor(message: string, readonly history: History | undefined) {
    super(message);
  }
}

/**
 * A network was used in a way its running `fit` forbids: `dispose`, `trainBatch`, `lossAndGradients` or a second `fit`
 * while `fit` is in progress (from a callback or another task). Wait for `fit` to settle, or stop it with its
 * `signal` (or by returning `false` from `onEpochEnd`) first.
 */
export class NetworkBusyError extends RectifyError {}

/**
 * A WebAssembly kernel failed although the host validated its arguments (a trap such as "memory access out of
 * bounds"). This is a bug in rectify, not in the caller: please report it with the call that caused it. The engine
 * may hold wrong values afterwards; create a new one with createEngine().
 */
export class KernelError extends RectifyError {}

// Errors of the data loaders (rectify/data) and of the activation lab. They used to live in src/data/errors.ts and
// src/lab/errors.ts; each now extends the general class it is a case of, so `instanceof DataError` /
// `instanceof InvalidArgumentError` catch them too.

/**
 * Input data (IDX, CSV, base64, embedded data) is malformed: wrong magic number, truncated file, non-numeric cell,
 * ragged row, mismatched counts, unsupported dtype. The message says what was found, what was expected and where.
 * A kind of {@link DataError}.
 */
export class DataFormatError extends DataError {}

/**
 * A data helper of rectify/data was called with an invalid argument (for example a negative point count or a test
 * fraction outside (0, 1)). A kind of {@link InvalidArgumentError}.
 */
export class DataArgumentError extends InvalidArgumentError {}

/**
 * A data file cannot be read (missing, a directory, no permission). `code` is the file system's error code (for
 * example `ENOENT`) and `path` the file that failed. A kind of {@link DataError}.
 */
export class DataFileError extends DataError {
  constructor(message: string, readonly path: string, readonly code: string | undefined) {
    super(message);
  }
}

/**
 * Data is larger than a loader's limit (gzip output past `maxBytes`, an IDX header declaring more bytes than allowed,
 * more than 65,536 classes). The message names the limit and the option that raises it. A kind of
 * {@link DataFormatError}.
 */
export class DataLimitError extends DataFormatError {}

/**
 * A lab chart was given structurally invalid input (series x and y of different lengths, a grid of the wrong size, a
 * non-positive size). Non-finite data values are not errors: charts skip them and say so in a caption.
 */
export class ChartError extends RectifyError {}

/**
 * Lab report content is unsafe or invalid: raw HTML or SVG with scripts, event handlers or external references (the
 * report must be self-contained), a table row of the wrong width, a bad file name.
 */
export class ReportError extends RectifyError {}

/**
 * A worker thread of a threaded engine (`createEngine({ threads })`) stopped. The engine cannot run any more: dispose
 * it and create a new one.
 */
export class WorkerThreadError extends RectifyError {}

