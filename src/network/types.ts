/**
 * The types of the network API (options, views, logs). Every other file of src/network/ imports these; this file
 * imports only activation names, so no circle can start here.
 * @module
 */
import type { ActivationName, ActivationSpec } from '../kernels.js';

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

/** Weight initializers. Default: He for the relu family, LeCun for selu, Glorot otherwise. */
export type InitName = 'zeros' | 'heNormal' | 'heUniform' | 'glorotNormal' | 'glorotUniform' | 'lecunNormal' | 'lecunUniform';

/** Options of one dense layer. */
export interface DenseOptions {
  /** Weight initializer (default chosen from the activation). */
  readonly init?: InitName;
}

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

/** Targets: rows x outputs floats, or one integer class id per row. */
export type Targets = Float32Array | Int32Array | Uint8Array | Uint16Array | readonly number[];

/** Options of {@link Network.fit}. */
export interface FitOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  /** Shuffle the training rows every epoch with the network's seeded generator. Default true. */
  readonly shuffle?: boolean;
  /** Hold out this fraction of the rows (the last ones, before shuffling) for validation. */
  readonly validationSplit?: number;
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
  readonly units: number;
  readonly activation: ActivationName | ActivationSpec;
  readonly init?: InitName;
}

/** @internal A layer as it is saved: width, activation spec (fixed settings included) and explicit initializer. */
export interface SavedLayerSpec {
  readonly units: number;
  readonly activation: Record<string, unknown>;
  readonly init?: InitName;
}
