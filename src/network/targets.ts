/**
 * Inputs and targets of the network API, checked and brought to the form the kernels take (f32 rows, or i32 labels).
 * @module
 */
import { describe } from '../kernels.js';
import { DataError, InvalidArgumentError, ShapeError } from '../errors.js';
import type { LossName, Targets } from './types.js';

/** Targets as the kernels take them, plus the class of each row for accuracy where the targets are classes. */
export interface PreparedTargets {
  readonly targets?: Float32Array;
  readonly labels?: Int32Array;
  /** Class of each row for accuracy, when the targets are one-hot (or 0/1 with one output). */
  readonly classes?: Int32Array;
}

/** Rows of x (a Float32Array of rows x inputs finite values). */
export function rowsOf(x: unknown, inputs: number, what: string): number {
  if (!(x instanceof Float32Array)) {
    throw new InvalidArgumentError(`${what} must be a Float32Array of rows x ${inputs} values, got ${describe(x)}` +
      (Array.isArray(x) ? '; convert it with Float32Array.from(...)' : ''));
  }
  if (x.length % inputs !== 0) {
    throw new ShapeError(`${what} has ${x.length} values, which is not a multiple of the ${inputs} inputs; ` +
      `x must be rows x ${inputs} values, row after row`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!)) {
      throw new DataError(`${what}[${i}] (row ${Math.floor(i / inputs)}, column ${i % inputs}) is ${x[i]}; clean or impute the data first`);
    }
  }
  return x.length / inputs;
}

/** Targets as f32 rows x outputs or i32 labels, validated; `classes`: labels for accuracy, when meaningful. */
export function prepareTargets(y: Targets, rows: number, outputs: number, loss: LossName, needClasses = true): PreparedTargets {
  const isIntArray = y instanceof Int32Array || y instanceof Uint8Array || y instanceof Uint16Array;
  if (!(y instanceof Float32Array) && !isIntArray && !Array.isArray(y)) {
    throw new InvalidArgumentError(`targets must be a Float32Array (rows x ${outputs}) or class ids (Int32Array, Uint8Array or number[]), got ${describe(y)}`);
  }
  const asLabels = isIntArray || Array.isArray(y);
  if (asLabels) {
    if (y.length !== rows) throw new ShapeError(`there are ${rows} rows of x but ${y.length} labels; give one class id per row`);
    // One output means 0/1 targets (mse, binaryCrossEntropy); crossEntropy class ids index the softmax row.
    const classes = outputs === 1 && loss !== 'crossEntropy' ? 2 : outputs;
    const labels = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      const v = y[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= classes) {
        throw new DataError(`label ${i} is ${v}, outside 0..${classes - 1} (the network has ${outputs} output${outputs === 1 ? '' : 's'})`);
      }
      labels[i] = v;
    }
    if (loss === 'crossEntropy') return { labels, classes: labels };
    // mse and binary cross-entropy train on float targets: one-hot (or 0/1 for a single output).
    const targets = new Float32Array(rows * outputs);
    for (let i = 0; i < rows; i++) {
      if (outputs === 1) targets[i] = labels[i]!;
      else targets[i * outputs + labels[i]!] = 1;
    }
    return { targets, classes: labels };
  }
  const t = y as Float32Array;
  if (t.length !== rows * outputs) {
    throw new ShapeError(`targets have ${t.length} values but x has ${rows} rows of ${outputs} outputs (${rows * outputs} values)`);
  }
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]!)) throw new DataError(`targets[${i}] is ${t[i]}; targets must be finite`);
  }
  if (loss !== 'mse') checkProbabilities(t, rows, outputs, loss);
  return needClasses ? { targets: t, classes: classesOf(t, rows, outputs) } : { targets: t };
}

/**
 * Soft targets of the cross-entropy losses are probabilities: each value in [0, 1] and, for crossEntropy, each row
 * summing to 1 (within 1e-3, room for label smoothing written in f32). Anything else makes the loss meaningless
 * (it can go negative and training diverges), so it is a DataError.
 */
function checkProbabilities(t: Float32Array, rows: number, outputs: number, loss: LossName): void {
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < outputs; j++) {
      const v = t[r * outputs + j]!;
      if (!(v >= 0 && v <= 1)) {
        throw new DataError(`targets[${r * outputs + j}] (row ${r}, output ${j}) is ${v}; ${loss} targets are probabilities ` +
          'in [0, 1] (or pass class ids)');
      }
      sum += v;
    }
    if (loss === 'crossEntropy' && Math.abs(sum - 1) > 1e-3) {
      throw new DataError(`the targets of row ${r} sum to ${sum}; crossEntropy targets are one probability distribution ` +
        'per row (summing to 1), or pass class ids');
    }
  }
}

/** Rows [from, to) of prepared targets (views, no copies). */
export function sliceTargets(t: PreparedTargets, from: number, to: number, outputs: number): PreparedTargets {
  return {
    ...(t.targets ? { targets: t.targets.subarray(from * outputs, to * outputs) } : {}),
    ...(t.labels ? { labels: t.labels.subarray(from, to) } : {}),
    ...(t.classes ? { classes: t.classes.subarray(from, to) } : {}),
  };
}

/** The class of each row when the targets are one-hot (or 0/1 with one output); undefined otherwise. */
function classesOf(t: Float32Array, rows: number, outputs: number): Int32Array | undefined {
  const c = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    if (outputs === 1) {
      const v = t[r]!;
      if (v !== 0 && v !== 1) return undefined;
      c[r] = v;
      continue;
    }
    let ones = 0, at = -1;
    for (let j = 0; j < outputs; j++) {
      const v = t[r * outputs + j]!;
      if (v === 1) { ones++; at = j; } else if (v !== 0) return undefined;
    }
    if (ones !== 1) return undefined;
    c[r] = at;
  }
  return c;
}
