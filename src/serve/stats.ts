import { InvalidArgumentError, ShapeError } from '../errors.js';

/**
 * What a network saw in training, per input feature, for checking what it is asked to predict on: the range
 * (`min`, `max`) and the mean and standard deviation, plus optional input names and class labels. Plain numbers, so
 * it survives `JSON.stringify` and can ship next to the model (for example as a JSON module in a Worker bundle).
 */
export interface FeatureStats {
  /** Smallest training value of each feature (length = the network's inputs). */
  min: number[];
  /** Largest training value of each feature. */
  max: number[];
  /** Mean of each feature over the training rows (optional when only a range is known). */
  mean?: number[];
  /** Population standard deviation of each feature (optional when only a range is known). */
  std?: number[];
  /** A name per feature, used in warnings and errors (default `x[i]`). */
  names?: string[];
  /** A label per output class, used by top-k answers (default the class index). */
  labels?: string[];
  /** How many training rows the statistics were computed from. */
  rows?: number;
}

/** Options of {@link featureStats}. */
export interface FeatureStatsOptions {
  /** A name per feature (length = inputs). */
  names?: readonly string[];
  /** A label per output class. */
  labels?: readonly string[];
}

/**
 * Per-feature statistics of training data, to record at training time and give to `createPredictHandler` as
 * `featureStats`: min, max, mean and (population) standard deviation of each of the `inputs` columns of `x`
 * (rows x inputs values, row by row), in f64, summed in row order. Throws `ShapeError` when x.length is not a
 * multiple of inputs or x is empty, and `InvalidArgumentError` for a non-finite value (which row and column) or
 * names/labels of the wrong kind.
 */
export function featureStats(x: Float32Array | readonly number[], inputs: number, options: FeatureStatsOptions = {}): FeatureStats {
  if (!Number.isInteger(inputs) || inputs < 1) {
    throw new InvalidArgumentError(`featureStats: inputs must be a positive integer (the network's input width), got ${String(inputs)}`);
  }
  if (!(x instanceof Float32Array) && !Array.isArray(x)) {
    throw new InvalidArgumentError('featureStats: x must be a Float32Array or an array of numbers (rows x inputs, row by row)');
  }
  const n = x.length;
  if (n === 0 || n % inputs !== 0) {
    throw new ShapeError(`featureStats: x.length (${n}) must be a positive multiple of inputs (${inputs}): rows x inputs values, row by row`);
  }
  const rows = n / inputs;
  const min = new Array<number>(inputs).fill(Infinity);
  const max = new Array<number>(inputs).fill(-Infinity);
  const sum = new Array<number>(inputs).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inputs; j++) {
      const v = x[r * inputs + j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new InvalidArgumentError(`featureStats: x[${r * inputs + j}] (row ${r}, feature ${j}) must be a finite number, got ${String(v)}`);
      }
      if (v < min[j]!) min[j] = v;
      if (v > max[j]!) max[j] = v;
      sum[j]! += v;
    }
  }
  const mean = sum.map((s) => s / rows);
  const sq = new Array<number>(inputs).fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < inputs; j++) { const d = (x[r * inputs + j] as number) - mean[j]!; sq[j]! += d * d; }
  }
  // Math.sqrt is correctly rounded (IEEE 754), so these bits are the same in every engine.
  const std = sq.map((s) => Math.sqrt(s / rows));
  const out: FeatureStats = { min, max, mean, std, rows };
  if (options.names !== undefined) out.names = checkStrings(options.names, 'names', inputs);
  if (options.labels !== undefined) out.labels = checkStrings(options.labels, 'labels', undefined);
  return out;
}

/** A copy of a string list, or an InvalidArgumentError naming the option. */
export function checkStrings(list: unknown, what: string, length: number | undefined): string[] {
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) {
    throw new InvalidArgumentError(`${what} must be an array of strings`);
  }
  if (length !== undefined && list.length !== length) {
    throw new InvalidArgumentError(`${what} must hold ${length} strings (one per input), got ${list.length}`);
  }
  return [...list] as string[];
}
