/**
 * The typed network builder: `engine.network({ inputs }).dense(units, activation).build({ loss })`.
 * @module
 */
import type { ActivationName, ActivationSpec } from '../activation-table.js';
import { describe } from '../util/describe.js';
import type { EngineCore } from '../core.js';
import { makeActivation } from '../make-activation.js';
import { InvalidArgumentError, InvalidParameterError, ShapeError } from '../errors.js';
import { Network } from './network.js';
import { checkKeys, checkSeed, F32_MAX, F32_MIN_NORMAL, specObject } from './options.js';
import { INIT_CODES } from './plan.js';
import type { BatchNormOptions, BuildOptions, DenseOptions, LayerKind, LayerNormOptions, LayerSpec } from './types.js';

/**
 * Builds a network layer by layer. Widths that are number literals are carried in the types: `Network<784, 10>`.
 * @typeParam I input width
 * @typeParam O width of the last layer so far
 */
export class NetworkBuilder<I extends number, O extends number> {
  /** @internal */
  constructor(private readonly core: EngineCore, readonly inputs: I, private readonly seed: number,
    private readonly layers: readonly LayerSpec[]) {}

  /**
   * Adds a dense (fully connected) layer of `units` units followed by an activation. Options: `init` (weight
   * initializer), `trainable: false` (a frozen layer: see `Network.setTrainable`), and `l1` / `l2` weight penalties.
   */
  dense<U extends number>(units: U, activation: ActivationName | ActivationSpec = 'linear', options: DenseOptions = {}): NetworkBuilder<I, U> {
    if (!Number.isInteger(units) || units < 1 || units > 1 << 16) {
      throw new InvalidArgumentError(`dense: units must be a whole number in [1, 65536], got ${describe(units)}`);
    }
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`dense: options must be an object like { init: 'heNormal' }, got ${describe(options)}`);
    checkKeys(options, ['init', 'trainable', 'l1', 'l2'], 'dense');
    const pen: { l1?: number; l2?: number } = {};
    for (const k of ['l1', 'l2'] as const) {
      const v = options[k];
      if (v === undefined) continue;
      const f = typeof v === 'number' ? Math.fround(v) : NaN;
      if (!(f >= 0 && f <= F32_MAX)) throw new InvalidParameterError(`dense: ${k} must be a finite number >= 0 (an f32), got ${describe(v)}`);
      if (f > 0) pen[k] = f;
    }
    if (options.trainable !== undefined && typeof options.trainable !== 'boolean') {
      throw new InvalidParameterError(`dense: trainable must be true or false, got ${describe(options.trainable)}`);
    }
    if (options.init !== undefined && (typeof options.init !== 'string' || !INIT_CODES.has(options.init))) {
      throw new InvalidParameterError(`dense: unknown init ${describe(options.init)}; valid: ${[...INIT_CODES.keys()].join(', ')}`);
    }
    // Validate the spec now (a typo fails here, not at build); the probe is released whatever happens.
    const probe = makeActivation(this.core, specObject(activation));
    try {
      if (probe.units !== undefined && probe.units !== units) {
        throw new ShapeError(`dense: ${probe.def.name} has ${probe.units} units but the layer has ${units}`);
      }
      if (probe.def.kind === 'rowwise' && units === 1) {
        throw new InvalidArgumentError(`dense: ${probe.def.name} over one unit is constant; use 2+ units or sigmoid`);
      }
    } finally {
      probe.dispose();
    }
    return new NetworkBuilder<I, U>(this.core, this.inputs, this.seed, [...this.layers, { units, activation, init: options.init, ...(options.trainable === false ? { trainable: false } : {}), ...pen }]);
  }

  /**
   * Adds inverted dropout: in training (fit, trainBatch) each value is kept with probability 1 - rate and scaled by
   * 1 / (1 - rate), the masks drawn from the network's seeded generator (a seeded run gives the same bits on every
   * engine); predict, evaluate and lossAndGradients pass values through unchanged. rate in [0, 1).
   */
  dropout(rate: number): NetworkBuilder<I, O> {
    if (typeof rate !== 'number' || !(rate >= 0 && Math.fround(rate) < 1)) {
      throw new InvalidParameterError(`dropout: rate must be in [0, 1), got ${describe(rate)}`);
    }
    return this.add('dropout', { rate });
  }

  /**
   * Adds batch normalization (per unit, over the rows of a batch): training normalizes with the batch statistics and
   * updates running ones, inference (predict, evaluate) uses the running statistics. Trainable gamma (starts at 1)
   * and beta (0). Defaults momentum 0.1, epsilon 1e-5 (PyTorch's; see {@link BatchNormOptions} for Keras').
   */
  batchNorm(options: BatchNormOptions = {}): NetworkBuilder<I, O> {
    const o = this.normOptions(options, 'batchNorm', ['momentum', 'epsilon', 'trainable']);
    const momentum = options.momentum ?? 0.1;
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) {
      throw new InvalidParameterError(`batchNorm: momentum must be in [0, 1], got ${describe(momentum)}`);
    }
    return this.add('batchNorm', { momentum, ...o });
  }

  /** Adds layer normalization (per row, over the units), with trainable gamma and beta per unit. Default epsilon 1e-5. */
  layerNorm(options: LayerNormOptions = {}): NetworkBuilder<I, O> {
    return this.add('layerNorm', this.normOptions(options, 'layerNorm', ['epsilon', 'trainable']));
  }

  private normOptions(options: LayerNormOptions, what: string, keys: string[]): { epsilon: number; trainable?: false } {
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`${what}: options must be an object like { epsilon: 1e-5 }, got ${describe(options)}`);
    checkKeys(options, keys, what);
    const epsilon = options.epsilon ?? 1e-5;
    if (typeof epsilon !== 'number' || !(Math.fround(epsilon) >= F32_MIN_NORMAL) || !Number.isFinite(Math.fround(epsilon))) {
      throw new InvalidParameterError(`${what}: epsilon must be a finite f32 > 0, got ${describe(epsilon)}`);
    }
    if (options.trainable !== undefined && typeof options.trainable !== 'boolean') {
      throw new InvalidParameterError(`${what}: trainable must be true or false, got ${describe(options.trainable)}`);
    }
    return { epsilon, ...(options.trainable === false ? { trainable: false } : {}) };
  }

  private add(kind: LayerKind, settings: Partial<LayerSpec>): NetworkBuilder<I, O> {
    const units = this.layers[this.layers.length - 1]?.units ?? this.inputs;
    return new NetworkBuilder<I, O>(this.core, this.inputs, this.seed, [...this.layers, { kind, units, activation: 'linear', ...settings }]);
  }

  /** Allocates every buffer the network needs (sized for `capacity` rows) and initializes the weights from the seed. */
  build(options: BuildOptions): Network<I, O> {
    this.core.check();
    if (this.layers.length === 0) throw new InvalidArgumentError('a network needs a dense layer: call .dense(units, activation) first');
    if (this.layers[this.layers.length - 1]!.kind) throw new InvalidArgumentError(`the last layer is ${this.layers[this.layers.length - 1]!.kind}: end the network with .dense(units, activation)`);
    return new Network<I, O>(this.core, this.inputs, this.seed, this.layers, options);
  }
}

/** @internal Entry point used by `engine.network(...)`. */
export function networkBuilder<I extends number>(core: EngineCore, options: { inputs: I; seed?: number }): NetworkBuilder<I, I> {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('engine.network takes { inputs, seed? }');
  checkKeys(options, ['inputs', 'seed'], 'engine.network');
  const { inputs } = options;
  if (!Number.isInteger(inputs) || inputs < 1 || inputs > 1 << 20) {
    throw new InvalidArgumentError(`inputs must be a whole number in [1, 2^20], got ${describe(inputs)}`);
  }
  return new NetworkBuilder<I, I>(core, inputs, checkSeed(options.seed), []);
}
