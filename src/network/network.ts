/**
 * The public `Network`: a dense network bound to an engine. It checks every call, holds the lock while `fit` runs,
 * and leaves the memory and the wasm calls to its {@link NetworkState}.
 * @module
 */
import { describe } from '../util/describe.js';
import type { EngineCore } from '../core.js';
import { networkToBytes, networkToJSON, type NetworkJSON, type SavedTraining, type TrainingJSON } from '../serialize/format.js';
import { DisposedError, InvalidArgumentError, InvalidParameterError, NetworkBusyError } from '../errors.js';
import { prepareFit, runFit } from './fit.js';
import { checkLearningRate, readLearningRate, writeLearningRate, type SchedulePosition } from './schedule.js';
import { checkMetrics, checkMetricTargets, computeMetrics, type MetricName } from './metrics.js';
import { activationName, checkKeys, F32_MAX, F32_MIN_NORMAL } from './options.js';
import { normalizeOptimizer } from './optimizer.js';
import { LOSS_CODES } from './plan.js';
import { checkSavable, savedLayerSpecs } from './save.js';
import { checkMetadata } from './metadata.js';
import { NetworkState } from './state.js';
import { summaryText } from './summary.js';
import { prepareTargets, rowsOf, rowWeights } from './targets.js';
import type {
  BuildOptions, FitOptions, History, LayerSpec, LossName, NetworkMetadata, NormalizedOptimizer, ParameterView, SavedLayerSpec, Targets,
} from './types.js';

/**
 * A dense network bound to an engine, with all its memory. Create with
 * `engine.network({ inputs }).dense(...).build({ loss })`.
 */
export class Network<I extends number = number, O extends number = number> {
  /** Input width. */
  readonly inputs: I;
  /** Output width. */
  readonly outputs: O;
  /** Loss used by fit, trainBatch and evaluate. */
  readonly loss: LossName;
  /**
   * The optimizer, with defaults filled in, as built. Frozen: assigning `net.optimizer.learningRate` throws a TypeError
   * (ES modules run in strict mode) instead of silently changing nothing. Its `learningRate` is the initial rate; the
   * rate in effect is {@link Network.learningRate} (change it with {@link Network.setLearningRate} or a fit `schedule`).
   */
  readonly optimizer: NormalizedOptimizer;
  readonly seed: number;
  readonly clipNorm: number;
  private readonly core: EngineCore;
  private readonly st: NetworkState;
  private alive = true;
  /** True while `fit` runs: dispose, trainBatch, lossAndGradients and a second fit throw NetworkBusyError. */
  private busy = false;
  private meta: NetworkMetadata = {};

  /** @internal Use the builder. */
  constructor(core: EngineCore, inputs: I, seed: number, specs: readonly LayerSpec[], options: BuildOptions) {
    this.core = core;
    this.inputs = inputs;
    this.seed = seed;
    this.outputs = specs[specs.length - 1]!.units as O;
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('build takes { loss, optimizer?, clipNorm?, capacity? }');
    checkKeys(options, ['loss', 'optimizer', 'clipNorm', 'capacity'], 'build');
    if (typeof options.loss !== 'string' || !LOSS_CODES.has(options.loss)) {
      throw new InvalidParameterError(`unknown loss ${describe(options.loss)}; valid: ${[...LOSS_CODES.keys()].join(', ')}`);
    }
    this.loss = options.loss;
    this.optimizer = Object.freeze(normalizeOptimizer(options.optimizer ?? 'adam'));
    const clip = options.clipNorm ?? 0;
    // The kernel sees the f32 value: 1e-50 would become 0 (clipping off) and 1e39 Infinity.
    if (typeof clip !== 'number' || !(clip >= 0) || !Number.isFinite(Math.fround(clip)) || (clip > 0 && !(Math.fround(clip) >= F32_MIN_NORMAL))) {
      throw new InvalidParameterError(`clipNorm must be 0 (no clipping) or a number in [${F32_MIN_NORMAL}, ${F32_MAX}], got ${describe(clip)}`);
    }
    this.clipNorm = clip;
    const capacity = options.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 16) throw new InvalidParameterError(`capacity must be a whole number in [1, 65536], got ${describe(capacity)}`);
    const lastAct = activationName(specs[specs.length - 1]!.activation);
    if (this.loss === 'crossEntropy' && lastAct !== 'softmax') {
      throw new InvalidParameterError(`loss crossEntropy needs a softmax output layer, not ${lastAct}`);
    }
    if (this.loss === 'binaryCrossEntropy' && lastAct !== 'sigmoid') {
      throw new InvalidParameterError(`loss binaryCrossEntropy needs a sigmoid output layer, not ${lastAct}`);
    }
    this.st = NetworkState.create(core, {
      inputs, outputs: this.outputs, seed, loss: this.loss, optimizer: this.optimizer, clipNorm: clip, specs,
    }, capacity);
  }

  private check(): void {
    if (!this.alive) throw new DisposedError('this network was disposed; build a new one or load it from its saved form');
    this.core.check();
  }

  /** check(), and refuses calls that would change the network while fit runs. */
  private checkIdle(what: string): void {
    this.check();
    if (this.busy) {
      throw new NetworkBusyError(`${what} was called while fit is running on this network; await fit first (or stop it)`);
    }
  }

  /**
   * The network's trainable parameters as named, shaped, zero-copy views (per layer: weight, bias, trainable activation
   * parameters). The view objects are frozen: assigning `trainable` or `shape` throws a TypeError in strict mode rather
   * than doing nothing (freeze a layer with setTrainable); `data` values can be written. `trainable` is false for
   * the parameters of a frozen layer.
   */
  parameters(): ParameterView[] {
    this.check();
    return this.st.parameters();
  }

  /** The learning rate the next training step uses (an f32 value; the optimizer's initial rate until changed). */
  get learningRate(): number {
    this.check();
    return readLearningRate(this.st);
  }

  /**
   * Sets the learning rate of the following training steps (stored as an f32: it must be finite and > 0 as an f32,
   * otherwise InvalidParameterError and nothing changes). Allowed while fit runs (from `onBatchEnd` / `onEpochEnd`,
   * between batches): the next batch uses it. A fit `schedule` writes the rate again at the start of each epoch
   * (reduceOnPlateau continues from the rate in effect). Outside fit it also ends the network's schedule position:
   * the next scheduled fit starts its schedule from epoch 0 at this rate.
   */
  setLearningRate(lr: number): void {
    this.check();
    writeLearningRate(this.st, checkLearningRate(lr));
    if (!this.busy) this.st.schedule = undefined;
  }

  /**
   * Freezes (`trainable: false`) or unfreezes a layer, given by its index (0 is the first dense layer) or its name
   * (`'dense0'`, as in parameters()). A frozen layer's weights, bias and activation parameters do not change in
   * trainBatch or fit (nor do their optimizer moments); gradients still flow through it to the layers before it, and
   * gradient clipping measures only the layers that are updated. Call it between batches: while fit runs it throws
   * NetworkBusyError. `parameters()[i].trainable` reports the flag; saved files (version 3) keep it.
   */
  setTrainable(layer: number | string, trainable: boolean): void {
    this.checkIdle('setTrainable');
    const n = this.st.layers.length;
    const names = this.st.layers.map((l, i) => `${l.spec.kind ?? 'dense'}${i}`);
    const li = typeof layer === 'number' ? layer : names.indexOf(layer);
    if (!Number.isInteger(li) || li < 0 || li >= n) {
      throw new InvalidArgumentError(`setTrainable: layer must be a layer index in [0, ${n - 1}] or a name ${names[0]} ... ${names[n - 1]}, got ${describe(layer)}`);
    }
    if (typeof trainable !== 'boolean') throw new InvalidArgumentError(`setTrainable: trainable must be true or false, got ${describe(trainable)}`);
    this.st.setTrainable(li, trainable);
  }

  /**
   * What serving needs beyond the weights (a fresh copy): `inputNames` and `labels` as set here, and `featureStats`
   * (per input: min, max, mean, population std, over the training rows) recorded by each `fit` when it starts
   * training. Saved with the network (version 4) and used by default by rectify/serve's `createPredictHandler`.
   * Set it whole, e.g. `net.metadata = { ...net.metadata, labels: ['cat', 'dog'] }`: anything that does not fit this
   * network (lengths, non-finite statistics, unknown fields) throws InvalidArgumentError and changes nothing.
   */
  get metadata(): NetworkMetadata {
    this.check();
    return checkMetadata(this.meta, this.inputs, this.outputs, InvalidArgumentError);
  }

  set metadata(m: NetworkMetadata) {
    this.check();
    this.meta = checkMetadata(m, this.inputs, this.outputs, InvalidArgumentError);
  }

  /** Runs the network on rows x inputs values and returns rows x outputs values. */
  predict(x: Float32Array): Float32Array {
    this.check();
    return this.st.predict(x, rowsOf(x, this.inputs, 'x', false));
  }

  /**
   * Mean loss and accuracy (where the targets are classes) over the rows of x, and the `metrics` asked for (see
   * FitOptions.metrics) in `metrics`. The loss includes the layers' l1/l2 penalties; with `sampleWeight` (one weight
   * per row, as in fit) it is the weighted mean (accuracy and metrics stay unweighted).
   */
  evaluate(x: Float32Array, y: Targets, options: { readonly metrics?: readonly MetricName[]; readonly sampleWeight?: Float32Array | readonly number[] } = {}): { loss: number; accuracy?: number; metrics?: Record<string, number> } {
    this.check();
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`evaluate options must be an object like { metrics: ['f1'] }, got ${describe(options)}`);
    checkKeys(options, ['metrics', 'sampleWeight'], 'evaluate');
    const rows = rowsOf(x, this.inputs, 'x');
    const t = prepareTargets(y, rows, this.outputs, this.loss);
    const metrics = options.metrics === undefined ? [] : checkMetrics(options.metrics, this.outputs);
    checkMetricTargets(metrics, t, 'evaluate');
    const r = this.st.evaluate(x, rows, t, rowWeights(options.sampleWeight, undefined, rows, t, this.outputs));
    return metrics.length ? { ...r, metrics: computeMetrics(metrics, this.st.predict(x, rows), t, rows, this.outputs) } : r;
  }

  /** Mean loss over x and its gradients, aligned with parameters() (copies). Nothing is updated. */
  lossAndGradients(x: Float32Array, y: Targets): { loss: number; gradients: Float32Array[] } {
    this.checkIdle('lossAndGradients');
    const rows = rowsOf(x, this.inputs, 'x');
    const t = prepareTargets(y, rows, this.outputs, this.loss, false);
    const st = this.st;
    st.ensureCapacity(rows);
    const [tp, lp] = st.load(x, rows, t, 0);
    const loss = st.fx.net_gradients(st.plan, st.xBuf, tp, lp, rows);
    return { loss, gradients: st.gradientCopies() };
  }

  /** One optimizer step on one batch (all rows of x). Returns the loss before the step. */
  trainBatch(x: Float32Array, y: Targets): number {
    this.checkIdle('trainBatch');
    const st = this.st;
    // Finiteness: checked on the copy (load: in the wasm, or in the copy loop for a few values), unless the buffers
    // must grow first (then in JS, so that a failed call allocates nothing).
    const rows = rowsOf(x, this.inputs, 'x', x.length > st.capacity * this.inputs);
    const t = prepareTargets(y, rows, this.outputs, this.loss, false);
    st.ensureCapacity(rows);
    const [tp, lp] = st.load(x, rows, t, 0, true);
    return st.fx.net_train_step(st.plan, st.xBuf, tp, lp, rows);
  }

  /**
   * Trains for `epochs` epochs of mini-batches and returns the history. Yields to the event loop between batches;
   * stops early on `earlyStopping`, on `onEpochEnd` returning false, or when `signal` aborts (TrainingAbortedError).
   *
   * While fit runs the network is locked: `dispose()`, `trainBatch`, `lossAndGradients` and a second `fit` on it
   * (from a callback or from another task) throw NetworkBusyError and change nothing; `predict`, `evaluate`,
   * `parameters`, `summary`, `save` and `toJSON` work. After every await fit re-checks the network and the engine
   * (a disposed engine ends it with DisposedError).
   *
   * If the loss or a parameter stops being finite, fit puts back the weights and optimizer state saved at the start
   * of that epoch (the last finite state) and throws TrainingDivergedError carrying the history of the completed epochs.
   */
  async fit(x: Float32Array, y: Targets, options: FitOptions = {}): Promise<History> {
    this.checkIdle('fit');
    const job = prepareFit(this.st, x, y, options);
    this.busy = true;
    try {
      return await runFit(this.st, job, {
        check: () => this.check(), parameters: () => this.parameters(), recordStats: (featureStats) => { this.meta = { ...this.meta, featureStats }; },
      });
    } finally {
      this.busy = false;
      if (this.alive) this.st.setDiagnostics(false);
    }
  }

  /**
   * @internal The whole training state as one byte string (weights, activation parameters, optimizer moments, step
   * counters, generator): tests compare it to check that a failed call changed nothing.
   */
  stateBytes(): Uint8Array {
    this.check();
    const blocks = this.st.stateBlocks();
    const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
    let at = 0;
    for (const b of blocks) { out.set(b, at); at += b.length; }
    return out;
  }

  /** @internal The training state beyond the parameters (views into the engine's memory), for saving. */
  trainingState(): SavedTraining {
    this.check();
    return this.st.trainingState();
  }

  /** @internal Puts back a saved training state (the loader checked it against this network). */
  restoreTraining(t: TrainingJSON, moments: readonly Float32Array[], schedule?: SchedulePosition): void {
    this.checkIdle('restoreTraining');
    this.st.restoreTraining(t, moments, schedule);
  }

  /** A text table of the layers and parameter counts. */
  summary(): string {
    this.check();
    return summaryText(this.st);
  }

  /** @internal The batchNorm running statistics (views), for saving and loading. */
  buffers(): { name: string; shape: number[]; data: Float32Array }[] {
    this.check();
    return this.st.buffers();
  }

  /** @internal Layer specs for saving. */
  get layerSpecs(): readonly SavedLayerSpec[] {
    return savedLayerSpecs(this.st);
  }

  /** The JSON form (weights as base64 of little-endian f32); `engine.loadNetwork(json)` restores it bit for bit. */
  toJSON(): NetworkJSON {
    this.check();
    checkSavable(this.st, 'toJSON');
    return networkToJSON(this);
  }

  /** The compact binary form; `engine.loadNetwork(bytes)` restores it bit for bit. */
  save(): Uint8Array {
    this.check();
    checkSavable(this.st, 'save');
    return networkToBytes(this);
  }

  /**
   * Frees all of the network's memory. Later calls throw DisposedError; disposing twice is a no-op. While `fit` runs
   * on this network (for example from its `onBatchEnd`), dispose throws NetworkBusyError and frees nothing: stop fit
   * first (its `signal`, or `false` from `onEpochEnd`) and dispose after it settles.
   */
  dispose(): void {
    if (!this.alive) return;
    if (this.busy) this.checkIdle('dispose');
    this.alive = false;
    this.st.free();
  }
}
