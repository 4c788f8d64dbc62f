/**
 * Metrics of fit and evaluate, computed in JS over predictions (they never affect training), and the confusion
 * matrix helper. Class predictions are the argmax of the outputs (the first of equal maxima), or output >= 0.5 for a
 * network with one output (two classes).
 * @module
 */
import { describe } from '../util/describe.js';
import { InvalidArgumentError, ShapeError, DataError } from '../errors.js';
import type { PreparedTargets } from './targets.js';
import type { MetricName } from './types.js';
export type { MetricName } from './types.js';


const CLASS_METRICS = ['accuracy', 'precision', 'recall', 'f1'];
const VALUE_METRICS = ['mae', 'mse', 'rmse'];

/** Checks a metrics list against the output width (changes nothing); returns it deduplicated. */
export function checkMetrics(list: unknown, outputs: number): MetricName[] {
  if (!Array.isArray(list)) throw new InvalidArgumentError(`metrics must be an array of names such as ['accuracy', 'topK:3', 'f1'], got ${describe(list)}`);
  const out: MetricName[] = [];
  for (const m of list) {
    if (typeof m !== 'string') throw new InvalidArgumentError(`metrics: each metric is a name, got ${describe(m)}`);
    const k = /^topK:(\d+)$/.exec(m);
    if (k) {
      const n = Number(k[1]);
      if (outputs < 2 || n < 1 || n > outputs) throw new InvalidArgumentError(`metric ${m}: k must be in 1..${outputs} (the outputs), and the network needs 2 or more outputs`);
    } else if (!CLASS_METRICS.includes(m) && !VALUE_METRICS.includes(m)) {
      throw new InvalidArgumentError(`unknown metric ${describe(m)}; valid: accuracy, topK:<k>, mae, mse, rmse, precision, recall, f1`);
    }
    if (!out.includes(m as MetricName)) out.push(m as MetricName);
  }
  return out;
}

/** Whether a metric needs the targets to be classes. */
function needsClasses(m: MetricName): boolean { return !VALUE_METRICS.includes(m); }

/** Throws when a metric needs class targets that these targets are not (before fit or evaluate changes anything). */
export function checkMetricTargets(metrics: readonly MetricName[], t: PreparedTargets, what: string): void {
  const bad = metrics.find((m) => needsClasses(m) && !t.classes);
  if (bad) throw new InvalidArgumentError(`metric ${bad} needs class targets (ids, one-hot or 0/1), the ${what} targets are not`);
}

/** The predicted class of row r. */
function predicted(pred: Float32Array, r: number, outputs: number): number {
  if (outputs === 1) return pred[r]! >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < outputs; j++) if (pred[r * outputs + j]! > pred[r * outputs + best]!) best = j;
  return best;
}

/** Target value of row r, output j (one-hot from class ids where the targets are ids). */
function target(t: PreparedTargets, r: number, j: number, outputs: number): number {
  return t.targets ? t.targets[r * outputs + j]! : t.labels![r] === j ? 1 : 0;
}

/** The metrics over `rows` predictions (rows x outputs) and their targets. */
export function computeMetrics(metrics: readonly MetricName[], pred: Float32Array, t: PreparedTargets, rows: number, outputs: number): Record<string, number> {
  const res: Record<string, number> = {};
  if (metrics.length === 0 || rows === 0) return res;
  let abs = 0, sq = 0;
  if (metrics.some((m) => VALUE_METRICS.includes(m))) {
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < outputs; j++) {
        const d = pred[r * outputs + j]! - target(t, r, j, outputs);
        abs += d < 0 ? -d : d; sq += d * d;
      }
    }
    abs /= rows * outputs; sq /= rows * outputs;
  }
  const k = outputs === 1 ? 2 : outputs;
  let cm: number[][] | undefined;
  for (const m of metrics) {
    if (m === 'mae') res[m] = abs;
    else if (m === 'mse') res[m] = sq;
    else if (m === 'rmse') res[m] = Math.sqrt(sq);
    else if (m.startsWith('topK:')) {
      const n = Number(m.slice(5));
      let hit = 0;
      for (let r = 0; r < rows; r++) {
        const c = t.classes![r]!, v = pred[r * outputs + c]!;
        let above = 0;
        for (let j = 0; j < outputs; j++) if (pred[r * outputs + j]! > v) above++;
        if (above < n) hit++;
      }
      res[m] = hit / rows;
    } else {
      if (!cm) {
        cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
        for (let r = 0; r < rows; r++) cm[t.classes![r]!]![predicted(pred, r, outputs)]!++;
      }
      res[m] = m === 'accuracy' ? trace(cm) / rows : macro(cm, m as 'precision' | 'recall' | 'f1');
    }
  }
  return res;
}

function trace(cm: number[][]): number { let s = 0; for (let i = 0; i < cm.length; i++) s += cm[i]![i]!; return s; }

/** Macro average over classes (a class with no predicted or no true rows scores 0 there, as scikit-learn does). */
function macro(cm: number[][], m: 'precision' | 'recall' | 'f1'): number {
  const k = cm.length;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    let predC = 0, trueC = 0;
    for (let i = 0; i < k; i++) { predC += cm[i]![c]!; trueC += cm[c]![i]!; }
    const tp = cm[c]![c]!;
    const p = predC ? tp / predC : 0, r = trueC ? tp / trueC : 0;
    sum += m === 'precision' ? p : m === 'recall' ? r : p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  return sum / k;
}

/**
 * The confusion matrix: `m[t][p]` counts the rows of true class t predicted as class p. `yPred` is one class id per
 * row, or a Float32Array of rows x classes scores (for example `net.predict(x)`), whose argmax is the prediction.
 * @throws InvalidArgumentError when classes is not a whole number >= 1; ShapeError on mismatched lengths; DataError
 *   on a class id outside 0..classes-1
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number): number[][] {
  if (!Number.isInteger(classes) || classes < 1 || classes > 65536) throw new InvalidArgumentError(`classes must be a whole number in [1, 65536], got ${describe(classes)}`);
  const okArray = (a: unknown) => Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView));
  if (!okArray(yTrue) || !okArray(yPred)) throw new InvalidArgumentError('confusionMatrix takes class ids, and predictions as class ids or rows x classes scores');
  const rows = yTrue.length;
  const scores = yPred instanceof Float32Array && classes > 1 && yPred.length === rows * classes;
  if (!scores && yPred.length !== rows) {
    throw new ShapeError(`yTrue has ${rows} rows but yPred has ${yPred.length} values; give one class id per row or rows x ${classes} scores`);
  }
  const id = (v: unknown, what: string) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= classes) throw new DataError(`${what} is ${describe(v)}, not a class id in 0..${classes - 1}`);
    return v;
  };
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let r = 0; r < rows; r++) {
    const p = scores ? predicted(yPred as Float32Array, r, classes) : id(yPred[r], `yPred[${r}]`);
    m[id(yTrue[r], `yTrue[${r}]`)]![p]!++;
  }
  return m;
}
