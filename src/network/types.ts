/**
 * The types of the network API (options, views, logs). Every other file of src/network/ imports these; this file
 * imports only activation names, so no circle can start here.
 * @module
 */
import type { ActivationName, ActivationSpec } from '../activation-table.js';

/** A metric name: `accuracy`, `topK:<k>`, `mae`, `mse`, `rmse`, and macro averages `precision`, `recall`, `f1`. */
export type MetricName = 'accuracy' | `topK:${number}` | 'mae' | 'mse' | 'rmse' | 'precision' | 'recall' | 'f1';

/** Loss functions. crossEntropy needs a softmax output; binaryCrossEntropy a sigmoid output (both fused, stable). */
export type LossName = 'mse' | 'crossEntropy' | 'binaryCrossEntropy';

/** Optimizer settings: a discriminated union on `name`. */
export type OptimizerSpec =
  | { readonly name: 'sgd'; readonly learningRate?: number; readonly weightDecay?: number }
  | { readonly name: 'momentum'; readonly learningRate?: number; readonly momentum?: number; readonly nesterov?: boolean; readonly weightDecay?: number }
  | { readonly name: 'rmsprop'; readonly learningRate?: number; readonly rho?: number; readonly epsilon?: number; readonly weightDecay?: number }
  | { readonly name: 'adam' | 'adamW'; readonly learningRate?: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number };

/** Names of the optimizers. */
export type OptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'adamW';

/** An optimizer with every default filled in (what `net.optimizer` holds). */
export type NormalizedOptimizer = Required<{ name: OptimizerName; learningRate: number; weightDecay: number }> & Record<string, number | boolean | string>;

/** Weight initializers. Default: the activation's row says (He for the relu family, LeCun for selu), else Glorot. */
export type { InitName } from '../activations/types.js';
import type { InitName } from '../activations/types.js';

/** Options of one dense layer. */
export interface DenseOptions {
  /** Weight initializer (default chosen from the activation). */
  readonly init?: InitName;
  /**
   * `false` freezes the layer: training leaves its weights, bias and activation parameters unchanged while gradients
   * still flow through it to the layers before it. Default true; change later with `net.setTrainable`.
   */
  readonly trainable?: boolean;
  /**
   * L1 penalty factor of the layer's weights (not its bias): `l1 * sum |w|` is added to the loss, `l1 * sign(w)` to
   * the weights' gradient. Default 0. The loss that fit's history, evaluate, trainBatch and lossAndGradients report
   * includes every layer's penalty (as Keras does).
   */
  readonly l1?: number;
  /** L2 penalty factor of the layer's weights: `l2 * sum w^2` is added to the loss, `2 * l2 * w` to the gradient. Default 0. */
  readonly l2?: number;
}

/**
 * Options of `.batchNorm()`. PyTorch's convention: running = (1 - momentum) running + momentum batch, with the
 * unbiased batch variance; Keras' `momentum` is 1 minus this one (Keras 0.99 is 0.01 here).
 */
export interface BatchNormOptions {
  /** Weight of the new batch in the running statistics, in [0, 1]. Default 0.1 (PyTorch's). */
  readonly momentum?: number;
  /** Added to the variance, > 0. Default 1e-5 (PyTorch's; Keras uses 1e-3). */
  readonly epsilon?: number;
  /** `false` freezes gamma and beta (the running statistics still follow the batches, as in PyTorch). Default true. */
  readonly trainable?: boolean;
}

/** Options of `.layerNorm()`. */
export interface LayerNormOptions {
  /** Added to the variance, > 0. Default 1e-5 (PyTorch's; Keras uses 1e-3). */
  readonly epsilon?: number;
  /** `false` freezes gamma and beta. Default true. */
  readonly trainable?: boolean;
}

/** Kinds of layers other than dense. */
export type LayerKind = 'dropout' | 'batchNorm' | 'layerNorm';

/** Options of {@link NetworkBuilder.build}. */
export interface BuildOptions {
  readonly loss: LossName;
  /** Default `{ name: 'adam', learningRate: 1e-3 }`. */
  readonly optimizer?: OptimizerName | OptimizerSpec;
  /** Clip gradients to this global L2 norm (0 or undefined: no clipping). */
  readonly clipNorm?: number;
  /** Rows the network's buffers hold at once (predict and evaluate work in chunks of this size). Default 256. */
  readonly capacity?: number;
}

/** A parameter of the network: a zero-copy view of its values in WebAssembly memory. */
export interface ParameterView {
  /** `dense0.weight`, `dense0.bias`, `dense0.alpha`, ... */
  readonly name: string;
  /** [in, out] for weights (row-major, W[i, j] connects input i to unit j), [out] for biases, [1] or [units] for trainable activation parameters. */
  readonly shape: readonly number[];
  /** Whether training changes it. */
  readonly trainable: boolean;
  /** The values (a view, re-derived if the memory grew; writes change the network). */
  readonly data: Float32Array;
}

/**
 * Targets: rows x outputs floats (a Float32Array, or number[][] with one array per row), or one integer class id per
 * row (Int32Array, Uint8Array, Uint16Array, number[]). With loss 'mse' a number[] is float targets when the network has
 * one output or when it holds rows x outputs values; otherwise a number[] is class ids.
 */
export type Targets = Float32Array | Int32Array | Uint8Array | Uint16Array | readonly number[] | readonly (readonly number[])[];

/**
 * A learning-rate schedule of `fit` (a name, or `{ name, ...settings }`). `lr0` is the rate in effect when fit starts
 * (`net.learningRate`) the first time; `epoch` counts the schedule's epochs over every fit call that continues it (see
 * FitOptions.schedule); the schedule writes the rate at the start of every epoch.
 * - `constant`: lr0.
 * - `step`: lr0 * gamma^floor(epoch / every) (gamma default 0.1).
 * - `exponential`: lr0 * gamma^epoch.
 * - `cosine`: linear warmup lr0 * (epoch + 1) / warmup for the first `warmup` epochs (default 0), then
 *   minLr + (lr0 - minLr) * (1 + cos(pi * (epoch - warmup) / (epochs - warmup))) / 2; `epochs` defaults to the fit's.
 * - `reduceOnPlateau`: multiplies the rate by `factor` (default 0.1, not below `minLr`) after `patience` epochs
 *   (default 10) in which the monitored loss (`valLoss`, or `loss` when fit has no validation set) did not fall by more
 *   than `minDelta` (default 0) below its best.
 */
export type LearningRateSchedule =
  | 'constant' | 'cosine' | 'reduceOnPlateau'
  | { readonly name: 'constant' }
  | { readonly name: 'step'; readonly every: number; readonly gamma?: number }
  | { readonly name: 'exponential'; readonly gamma: number }
  | { readonly name: 'cosine'; readonly epochs?: number; readonly warmup?: number; readonly minLr?: number }
  | { readonly name: 'reduceOnPlateau'; readonly factor?: number; readonly patience?: number; readonly minLr?: number;
      readonly minDelta?: number; readonly monitor?: 'loss' | 'valLoss' };

/** Options of {@link Network.fit}. */
export interface FitOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Shuffle the training rows every epoch with the network's seeded generator. Default true. */
  readonly shuffle?: boolean;
  /** Hold out this fraction of the rows for validation (see `validationSplitMode`). */
  readonly validationSplit?: number;
  /**
   * How `validationSplit` picks its rows. `'stratified'` (the default): where the targets are classes (class ids,
   * one-hot rows, or 0/1 with one output), round(count * validationSplit) rows of each class, chosen by a generator
   * seeded with the network's seed (the same rows every run, the network's own generator untouched); other targets
   * take the last rows. `'last'`: the last floor(rows * validationSplit) rows, in every case.
   */
  readonly validationSplitMode?: 'stratified' | 'last';
  readonly validationData?: readonly [Float32Array, Targets];
  readonly onBatchEnd?: (info: { epoch: number; batch: number; loss: number }) => void | Promise<void>;
  /** Called after each epoch; return `false` to stop training. */
  readonly onEpochEnd?: (log: EpochLog) => void | boolean | Promise<void | boolean>;
  readonly earlyStopping?: {
    readonly monitor?: 'loss' | 'valLoss';
    readonly patience?: number;
    readonly minDelta?: number;
    /** Put back the weights of the best epoch at the end. Default true. */
    readonly restoreBest?: boolean;
  };
  readonly signal?: AbortSignal;
  /**
   * Metrics reported per epoch in `metrics` and `valMetrics`: 'accuracy', 'topK:<k>', 'mae', 'mse', 'rmse', and the
   * macro averages 'precision', 'recall', 'f1' (all but mae/mse/rmse need class targets).
   */
  readonly metrics?: readonly MetricName[];
  /**
   * Loss weight per row (one finite number >= 0 per row of x, Keras `sample_weight`): the training loss is
   * (1 / rows) * sum of weight * row loss (a row's loss is the mean over its outputs for mse and binaryCrossEntropy),
   * and so are its gradients and the reported `loss`. `valLoss` is not weighted.
   */
  readonly sampleWeight?: Float32Array | readonly number[];
  /**
   * Loss weight per class (Keras `class_weight` as an array): one finite number >= 0 per class, indexed by class id
   * (2 for a single sigmoid or 0/1 output). Needs class targets; a row's weight is its class weight times its
   * sampleWeight.
   */
  readonly classWeight?: readonly number[];
  /**
   * Learning-rate schedule (default: none, the rate stays as it is). See {@link LearningRateSchedule}. The network
   * keeps the schedule's position (epochs run, starting rate, plateau state; saved with it): a later fit with the same
   * schedule settings continues it, other settings start over, and `setLearningRate` outside fit resets it.
   */
  readonly schedule?: LearningRateSchedule;
  /** How often (ms of work) fit yields to the event loop. Default 16. */
  readonly yieldEveryMs?: number;
}

/** What one epoch measured. */
export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** The `metrics` of fit over the epoch's training rows (the outputs of each step, before its update). */
  readonly metrics?: Readonly<Record<string, number>>;
  /** The `metrics` of fit over the validation rows after the epoch. */
  readonly valMetrics?: Readonly<Record<string, number>>;
  /** The learning rate the epoch started with (the f32 the training step used, unless a callback changed it). */
  readonly learningRate: number;
  readonly timeMs: number;
  /** Mean over the epoch's steps of each layer's gradient L2 norm (weights, bias and activation parameters). */
  readonly gradNorms: readonly number[];
  /** Per layer: fraction of units whose derivative is 0 on every probe row (dead relu units); null where it cannot happen. */
  readonly deadFraction: readonly (number | null)[];
  /** Per layer: fraction of (row, unit) pairs where f'(z) < 5% of f'(0) (saturated sigmoid/tanh); null for non-saturating activations. */
  readonly saturatedFraction: readonly (number | null)[];
  /** Per layer: the trainable activation parameters (prelu alpha, sbaf k and alpha, ...) after the epoch. */
  readonly activationParams: readonly Record<string, number | number[]>[];
}

/** What `fit` returns. */
export interface History {
  readonly epochs: EpochLog[];
  stoppedEarly: boolean;
  bestEpoch?: number;
}

/** @internal One layer as the builder records it. */
export interface LayerSpec {
  /** Absent for a dense layer. Other kinds keep the width (units) and use the 'linear' activation. */
  readonly kind?: LayerKind;
  /** dropout: the rate; batchNorm: momentum; both norms: epsilon. */
  readonly rate?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
  readonly units: number;
  readonly activation: ActivationName | ActivationSpec;
  readonly init?: InitName;
  /** false: frozen at build (the builder option); the live flag is in the plan (NetworkState.setTrainable). */
  readonly trainable?: boolean;
  /** Weight penalties (f32 values > 0; absent when 0). */
  readonly l1?: number;
  readonly l2?: number;
}

/** @internal A layer as it is saved: width, activation spec (fixed settings included) and explicit initializer. */
export interface SavedLayerSpec {
  /** Version 4: a dropout, batchNorm or layerNorm layer (absent: dense), with its settings and no activation. */
  readonly kind?: LayerKind;
  readonly rate?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
  readonly units: number;
  readonly activation?: Record<string, unknown>;
  readonly init?: InitName;
  /** Version 3: written (as false) only for a frozen layer. */
  readonly trainable?: false;
  /** Version 4: the weight penalties, written only when not 0. */
  readonly l1?: number;
  readonly l2?: number;
}

/** Per-feature statistics of the rows a network was trained on (recorded by `fit`; f64 values, summed in row order). */
export interface TrainingStats {
  /** Training rows they were computed from (those of the last fit, validation rows excluded). */
  readonly rows: number;
  /** Smallest value of each input feature. */
  readonly min: readonly number[];
  /** Largest value of each input feature. */
  readonly max: readonly number[];
  /** Mean of each input feature. */
  readonly mean: readonly number[];
  /** Population standard deviation of each input feature. */
  readonly std: readonly number[];
}

/**
 * What serving needs to know of a network beyond its weights, saved with it (version 4) and used by default by
 * `createPredictHandler` in rectify/serve: input names, class labels, and the training statistics `fit` records.
 */
export interface NetworkMetadata {
  /** A name per input feature (length = inputs), used in out-of-range warnings. */
  readonly inputNames?: readonly string[];
  /** A label per output (length = outputs), used in top-k answers. */
  readonly labels?: readonly string[];
  /** Recorded by each `fit` over its training rows (replacing the previous). */
  readonly featureStats?: TrainingStats;
}
