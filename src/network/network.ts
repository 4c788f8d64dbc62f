/**
 * The public `Network`: a dense network bound to an engine. It checks every call, holds the lock while `fit` runs,
 * and leaves the memory and the wasm calls to its {@link NetworkState}.
 * @module
 */
import { describe } from '../kernels.js';
import type { EngineCore } from '../core.js';
import { networkToBytes, networkToJSON, type NetworkJSON } from '../serialize/format.js';
import { DisposedError, InvalidArgumentError, InvalidParameterError, NetworkBusyError } from '../errors.js';
import { prepareFit, runFit } from './fit.js';
import { activationName, checkKeys, F32_MAX, F32_MIN_NORMAL } from './options.js';
import { normalizeOptimizer } from './optimizer.js';
import { LOSS_CODES } from './plan.js';
import { checkSavable, savedLayerSpecs } from './save.js';
import { NetworkState } from './state.js';
import { summaryText } from './summary.js';
import { prepareTargets, rowsOf } from './targets.js';
import type {
  BuildOptions, FitOptions, History, LayerSpec, LossName, NormalizedOptimizer, ParameterView, SavedLayerSpec, Targets,
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
   * The optimizer, with defaults filled in. Frozen: assigning `net.optimizer.learningRate` throws a TypeError (ES
   * modules run in strict mode) instead of silently changing nothing; a learning-rate setter is planned (training issue).
   */
  readonly optimizer: NormalizedOptimizer;
  readonly seed: number;
  readonly clipNorm: number;
  private readonly core: EngineCore;
  private readonly st: NetworkState;
  private alive = true;
  /** True while `fit` runs: dispose, trainBatch, lossAndGradients and a second fit throw NetworkBusyError. */
  private busy = false;

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
      throw new InvalidParameterError(`clipNorm must be 0 (no clipping) or a number in [${F32_MIN_NORMAL}, ${F32_MAX}] (it is used as an f32), got ${describe(clip)}`);
    }
    this.clipNorm = clip;
    const capacity = options.capacity ?? 256;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 16) throw new InvalidParameterError(`capacity must be a whole number in [1, 65536], got ${describe(capacity)}`);
    const lastAct = activationName(specs[specs.length - 1]!.activation);
    if (this.loss === 'crossEntropy' && lastAct !== 'softmax') {
      throw new InvalidParameterError(`loss crossEntropy needs a softmax output layer (the last layer is ${lastAct}); use .dense(${this.outputs}, 'softmax')`);
    }
    if (this.loss === 'binaryCrossEntropy' && lastAct !== 'sigmoid') {
      throw new InvalidParameterError(`loss binaryCrossEntropy needs a sigmoid output layer (the last layer is ${lastAct}); use .dense(${this.outputs}, 'sigmoid')`);
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
      throw new NetworkBusyError(`${what} was called while fit is running on this network; await fit first ` +
        '(or stop it with its signal, or by returning false from onEpochEnd)');
    }
  }

  /**
   * The network's trainable parameters as named, shaped, zero-copy views (per layer: weight, bias, trainable activation
   * parameters). The view objects are frozen: assigning `trainable` or `shape` throws a TypeError in strict mode rather
   * than doing nothing (freezing parameters is planned in the training issue); `data` values can be written.
   */
  parameters(): ParameterView[] {
    this.check();
    return this.st.parameters();
  }

  /** Runs the network on rows x inputs values and returns rows x outputs values. */
  predict(x: Float32Array): Float32Array {
    this.check();
    return this.st.predict(x, rowsOf(x, this.inputs, 'x'));
  }

  /** Mean loss and accuracy (where the targets are classes) over the rows of x. */
  evaluate(x: Float32Array, y: Targets): { loss: number; accuracy?: number } {
    this.check();
    const rows = rowsOf(x, this.inputs, 'x');
    const t = prepareTargets(y, rows, this.outputs, this.loss);
    return this.st.evaluate(x, rows, t);
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
    const rows = rowsOf(x, this.inputs, 'x');
    const t = prepareTargets(y, rows, this.outputs, this.loss, false);
    const st = this.st;
    st.ensureCapacity(rows);
    const [tp, lp] = st.load(x, rows, t, 0);
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
      return await runFit(this.st, job, { check: () => this.check(), parameters: () => this.parameters() });
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

  /** A text table of the layers and parameter counts. */
  summary(): string {
    this.check();
    return summaryText(this.st);
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
