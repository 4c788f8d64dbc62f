/**
 * Inputs and targets of the network API, checked and brought to the form the kernels take (f32 rows, or i32 labels).
 * @module
 */
import { describe } from '../util/describe.js';
import { DataError, InvalidArgumentError, ShapeError } from '../errors.js';
import type { LossName, Targets } from './types.js';
import { createRng } from '../util/random.js';

/** Targets as the kernels take them, plus the class of each row for accuracy where the targets are classes. */
export interface PreparedTargets {
  readonly targets?: Float32Array;
  readonly labels?: Int32Array;
  /** Class of each row for accuracy, when the targets are one-hot (or 0/1 with one output). */
  readonly classes?: Int32Array;
}

/**
 * Rows of x (a Float32Array of rows x inputs finite values). `values` false leaves the finiteness check to the caller
 * (predict and trainBatch check the copy in the wasm input buffer, NetworkState.checkCopied, or a few values in the
 * loop that copies them, NetworkState.load, before any kernel runs).
 */
export function rowsOf(x: unknown, inputs: number, what: string, values = true): number {
  if (!(x instanceof Float32Array)) {
    throw new InvalidArgumentError(`${what} must be a Float32Array of rows x ${inputs} values, got ${describe(x)}` +
      (Array.isArray(x) ? '; convert it with Float32Array.from(...)' : ''));
  }
  if (x.length % inputs !== 0) {
    throw new ShapeError(`${what} has ${x.length} values, not a multiple of the ${inputs} inputs`);
  }
  for (let i = 0; values && i < x.length; i++) if (!Number.isFinite(x[i]!)) throw nonFinite(x, i, inputs, what);
  return x.length / inputs;
}

/** The DataError for x[i], which is NaN or infinite. */
export function nonFinite(x: Float32Array, i: number, inputs: number, what: string): DataError {
  return new DataError(`${what}[${i}] (row ${Math.floor(i / inputs)}, column ${i % inputs}) is ${x[i]}; clean or impute the data first`);
}

/** Targets as f32 rows x outputs or i32 labels, validated; `classes`: labels for accuracy, when meaningful. */
export function prepareTargets(y: Targets, rows: number, outputs: number, loss: LossName, needClasses = true): PreparedTargets {
  const floats = floatRows(y, rows, outputs, loss);
  if (floats) y = floats;
  const isIntArray = y instanceof Int32Array || y instanceof Uint8Array || y instanceof Uint16Array;
  if (!(y instanceof Float32Array) && !isIntArray && !Array.isArray(y)) {
    throw new InvalidArgumentError(`targets must be a Float32Array (rows x ${outputs}) or class ids (Int32Array, Uint8Array or number[]), got ${describe(y)}`);
  }
  const asLabels = isIntArray || Array.isArray(y);
  if (asLabels) {
    if (y.length !== rows) {
      throw new ShapeError(`there are ${rows} rows of x but ${y.length} labels; give one class id per row` +
        (loss === 'mse' && Array.isArray(y) ? ` (or, for float targets, ${rows * outputs} numbers: rows x ${outputs} outputs)` : ''));
    }
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
    throw new ShapeError(`targets have ${t.length} values, x needs ${rows} x ${outputs}`);
  }
  for (let i = 0; i < t.length; i++) {
    if (!Number.isFinite(t[i]!)) throw new DataError(`targets[${i}] is ${t[i]}; targets must be finite`);
  }
  if (loss !== 'mse') checkProbabilities(t, rows, outputs, loss);
  return needClasses ? { targets: t, classes: classesOf(t, rows, outputs) } : { targets: t };
}

/**
 * Plain arrays that hold float targets, as a Float32Array (checked: numbers, finite, one row of `outputs` per row of
 * x); undefined where the array is class ids. The rule: number[][] (one array of `outputs` values per row) is always
 * float targets; with loss 'mse' a number[] is float targets when the network has one output, or when it holds
 * rows x outputs values (row after row); otherwise a number[] is one class id per row. Typed integer arrays are
 * always class ids, a Float32Array always float targets.
 */
function floatRows(y: Targets, rows: number, outputs: number, loss: LossName): Float32Array | undefined {
  if (!Array.isArray(y)) return undefined;
  const nested = y.some((r) => Array.isArray(r));
  if (nested) {
    if (y.length !== rows) throw new ShapeError(`x has ${rows} rows but there are ${y.length} target rows`);
    const t = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) {
      const row = y[r] as unknown;
      if (!Array.isArray(row) || row.length !== outputs) {
        throw new ShapeError(`target row ${r} is ${Array.isArray(row) ? `an array of ${row.length} values` : describe(row)}; rows must be arrays of ${outputs} numbers`);
      }
      for (let j = 0; j < outputs; j++) t[r * outputs + j] = numberAt(row[j], `targets[${r}][${j}]`);
    }
    return t;
  }
  if (loss !== 'mse') return undefined;
  if (outputs === 1 && y.length === rows) return Float32Array.from(y, (v, i) => numberAt(v, `targets[${i}]`));
  if (outputs > 1 && y.length === rows * outputs) return Float32Array.from(y, (v, i) => numberAt(v, `targets[${i}]`));
  return undefined;
}

function numberAt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`${what} is ${describe(v)}; targets must be finite numbers`);
  return v;
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
      throw new DataError(`the targets of row ${r} sum to ${sum}; crossEntropy targets must sum to 1 per row (or pass class ids)`);
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

/**
 * The row order of a seeded stratified validation split: within each class the rows are shuffled (Fisher-Yates with
 * the integer generator of rectify/data, seeded by `seed`) and round(count * split) of them are held out, so each class
 * keeps its share in both parts. Returns the training rows (in their original order) followed by the validation rows
 * (in their original order), and the number of validation rows. Integer operations only: the same on every engine.
 */
export function stratifiedOrder(classes: Int32Array, split: number, seed: number): { order: Uint32Array; valRows: number } {
  const rows = classes.length;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < rows; i++) {
    const c = classes[i]!;
    let list = byClass.get(c);
    if (!list) { list = []; byClass.set(c, list); }
    list.push(i);
  }
  const rng = createRng(seed);
  const held = new Uint8Array(rows);
  let valRows = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = byClass.get(c)!;
    for (let k = idx.length - 1; k > 0; k--) {
      const r = rng.nextInt(k + 1);
      const t = idx[k]!; idx[k] = idx[r]!; idx[r] = t;
    }
    const m = Math.round(idx.length * split);
    for (let k = 0; k < m; k++) held[idx[k]!] = 1;
    valRows += m;
  }
  const order = new Uint32Array(rows);
  let a = 0, b = rows - valRows;
  for (let i = 0; i < rows; i++) order[held[i] ? b++ : a++] = i;
  return { order, valRows };
}

/** Rows of x (of `cols` values each) in the given order (a copy). */
export function permuteRows(x: Float32Array, order: Uint32Array, cols: number): Float32Array {
  const out = new Float32Array(order.length * cols);
  for (let k = 0; k < order.length; k++) out.set(x.subarray(order[k]! * cols, (order[k]! + 1) * cols), k * cols);
  return out;
}

/** Prepared targets in the given row order (copies). */
export function permuteTargets(t: PreparedTargets, order: Uint32Array, outputs: number): PreparedTargets {
  const pick = (v: Int32Array) => { const o = new Int32Array(order.length); for (let k = 0; k < order.length; k++) o[k] = v[order[k]!]!; return o; };
  return {
    ...(t.targets ? { targets: permuteRows(t.targets, order, outputs) } : {}),
    ...(t.labels ? { labels: pick(t.labels) } : {}),
    ...(t.classes ? { classes: pick(t.classes) } : {}),
  };
}

/**
 * The loss weight of each row (f32): sampleWeight[r] (one per row) times classWeight[class of r] (one per class;
 * needs class targets), or undefined when neither is given. Weights are finite numbers >= 0.
 */
export function rowWeights(sampleWeight: unknown, classWeight: unknown, rows: number, t: PreparedTargets, outputs: number): Float32Array | undefined {
  if (sampleWeight === undefined && classWeight === undefined) return undefined;
  const w = new Float32Array(rows).fill(1);
  const list = (a: unknown, what: string, n: number, of: (r: number) => number) => {
    if (a === undefined) return;
    if (!Array.isArray(a) && !(a instanceof Float32Array)) throw new InvalidArgumentError(`${what} must be an array of weights, got ${describe(a)}`);
    if (a.length !== n) throw new ShapeError(`${what} has ${a.length} weights, need ${n}`);
    if (!t.classes && what[0] === 'c') throw new InvalidArgumentError(`${what} needs class targets`);
    for (let i = 0; i < n; i++) {
      const v: unknown = a[i];
      if (typeof v !== 'number' || !(v >= 0 && v < Infinity)) throw new InvalidArgumentError(`${what}[${i}] is ${describe(v)}; weights must be finite and >= 0`);
    }
    for (let r = 0; r < rows; r++) {
      w[r] = w[r]! * a[of(r)]!;
      if (w[r] === Infinity) throw new InvalidArgumentError(`the weight of row ${r} overflows f32`);
    }
  };
  list(sampleWeight, 'sampleWeight', rows, (r) => r);
  list(classWeight, 'classWeight', outputs === 1 ? 2 : outputs, (r) => t.classes![r]!);
  return w;
}
