/**
 * The lab's experiment: train the same network once per activation on one data set and measure each run.
 * @module
 */
import type { Engine } from '../engine.js';
import type { ActivationSpec } from '../activation-table.js';
import type { EpochLog, NetworkBuilder, OptimizerSpec } from '../network.js';

/** A classification data set split into train and test rows. */
export interface LabData {
  readonly name: string;
  readonly inputs: number;
  readonly classes: number;
  readonly trainX: Float32Array;
  readonly trainY: Int32Array;
  readonly testX: Float32Array;
  readonly testY: Int32Array;
}

/** Settings shared by every run of one comparison. */
export interface ExperimentOptions {
  readonly layers: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  readonly seed: number;
  /** Test accuracy that counts as "reached" for `epochsToTarget`. */
  readonly targetAccuracy: number;
  /** Called after every epoch of every run (progress bars). */
  readonly onEpoch?: (activation: string, epoch: number, log: EpochLog) => void;
}

/** What one run measured. */
export interface RunResult {
  readonly activation: string;
  readonly spec: ActivationSpec;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly finalLoss: number;
  /** First epoch (1-based) whose test accuracy reached the target, or null. */
  readonly epochsToTarget: number | null;
  readonly timeMs: number;
  /** Mean gradient norm of the first layer in the first and the last epoch. */
  readonly firstLayerGradNorm: readonly [number, number];
  readonly deadFraction: number | null;
  readonly saturatedFraction: number | null;
  readonly learnedParams: Record<string, number | number[]>[];
  /** Per-epoch curves. */
  readonly lossCurve: number[];
  readonly testAccuracyCurve: number[];
  readonly deadCurve: (number | null)[];
  readonly gradNormsLastEpoch: readonly number[];
  /** For 2-D data: predicted class on a grid over the data's range (row-major, `size` x `size`, row 0 at the bottom). */
  readonly boundary?: { readonly size: number; readonly xRange: readonly [number, number]; readonly yRange: readonly [number, number]; readonly classes: Int32Array };
}

/** Predicted classes of `net` on a size x size grid covering the 2-D points of x. */
function boundaryOf(net: { predict(x: Float32Array): Float32Array }, x: Float32Array, classes: number, size = 80): NonNullable<RunResult['boundary']> {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < x.length; i += 2) { x0 = Math.min(x0, x[i]!); x1 = Math.max(x1, x[i]!); y0 = Math.min(y0, x[i + 1]!); y1 = Math.max(y1, x[i + 1]!); }
  const px = (x1 - x0) * 0.08, py = (y1 - y0) * 0.08;
  x0 -= px; x1 += px; y0 -= py; y1 += py;
  const grid = new Float32Array(size * size * 2);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
    grid[(r * size + c) * 2] = x0 + ((x1 - x0) * (c + 0.5)) / size;
    grid[(r * size + c) * 2 + 1] = y0 + ((y1 - y0) * (r + 0.5)) / size;
  }
  const p = net.predict(grid);
  const out = new Int32Array(size * size);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[i * classes + k]! > p[i * classes + best]!) best = k;
    out[i] = best;
  }
  return { size, xRange: [x0, x1], yRange: [y0, y1], classes: out };
}

/** Trains one network per activation spec and returns one result per run, in order. */
export async function runComparison(engine: Engine, data: LabData, specs: readonly ActivationSpec[], o: ExperimentOptions): Promise<RunResult[]> {
  const results: RunResult[] = [];
  for (const spec of specs) results.push(await runOne(engine, data, spec, o));
  return results;
}

/** Mean over layers of a per-layer diagnostic, ignoring nulls. */
function meanOf(v: readonly (number | null)[]): number | null {
  const xs = v.filter((x): x is number => x !== null);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

async function runOne(engine: Engine, data: LabData, spec: ActivationSpec, o: ExperimentOptions): Promise<RunResult> {
  let b: NetworkBuilder<number, number> = engine.network({ inputs: data.inputs, seed: o.seed });
  for (const units of o.layers) b = b.dense(units, spec);
  const net = b.dense(data.classes, 'softmax').build({ loss: 'crossEntropy', optimizer: o.optimizer, capacity: Math.max(o.batchSize, 256) });
  const name = (spec as { name: string }).name;
  const testCurve: number[] = [];
  let reached: number | null = null;
  const t0 = performance.now();
  try {
    const history = await net.fit(data.trainX, data.trainY, {
      epochs: o.epochs, batchSize: o.batchSize, shuffle: true,
      validationData: [data.testX, data.testY],
      onEpochEnd: (log) => {
        const acc = log.valAccuracy ?? 0;
        testCurve.push(acc);
        if (reached === null && acc >= o.targetAccuracy) reached = log.epoch + 1;
        o.onEpoch?.(name, log.epoch, log);
      },
    });
    const timeMs = performance.now() - t0;
    const first = history.epochs[0]!, last = history.epochs[history.epochs.length - 1]!;
    const train = net.evaluate(data.trainX, data.trainY), test = net.evaluate(data.testX, data.testY);
    return {
      activation: name, spec,
      trainAccuracy: train.accuracy ?? NaN, testAccuracy: test.accuracy ?? NaN, finalLoss: train.loss,
      epochsToTarget: reached, timeMs,
      firstLayerGradNorm: [first.gradNorms[0]!, last.gradNorms[0]!],
      deadFraction: meanOf(last.deadFraction.slice(0, o.layers.length)),
      saturatedFraction: meanOf(last.saturatedFraction.slice(0, o.layers.length)),
      learnedParams: last.activationParams.slice(0, o.layers.length) as Record<string, number | number[]>[],
      lossCurve: history.epochs.map((e) => e.loss),
      testAccuracyCurve: testCurve,
      deadCurve: history.epochs.map((e) => meanOf(e.deadFraction.slice(0, o.layers.length))),
      gradNormsLastEpoch: last.gradNorms,
      ...(data.inputs === 2 ? { boundary: boundaryOf(net, data.trainX, data.classes) } : {}),
    };
  } finally {
    net.dispose();
  }
}
