/**
 * Dense networks: a typed builder, SIMD forward and backprop in one wasm call per step, losses, optimizers,
 * training with `fit`, and diagnostics (gradient norms, dead and saturated units) per epoch.
 * @module
 */
import type { Activation } from './activation.js';
import type { ActivationName, ActivationSpec } from './kernels.js';
import { ACTIVATIONS, describe } from './kernels.js';
import type { ActivationDef } from './activations/types.js';
import type { EngineCore } from './engine.js';
import { networkToBytes, networkToJSON, type NetworkJSON } from './serialize.js';
import {
  DataError, DisposedError, InvalidArgumentError, InvalidParameterError, NetworkBusyError, RectifyError, ShapeError, TrainingAbortedError,
  TrainingDivergedError,
} from './errors.js';

type Fn = (...args: number[]) => number;

/** Loss functions. crossEntropy needs a softmax output; binaryCrossEntropy a sigmoid output (both fused, stable). */
export type LossName = 'mse' | 'crossEntropy' | 'binaryCrossEntropy';
// Name tables are Maps: a lookup never reaches Object.prototype ('toString', 'constructor', '__proto__').
const LOSSES: ReadonlyMap<string, number> = new Map<LossName, number>([['mse', 0], ['binaryCrossEntropy', 1], ['crossEntropy', 2]]);

/** Optimizer settings: a discriminated union on `name`. */
export type OptimizerSpec =
  | { readonly name: 'sgd'; readonly learningRate?: number; readonly weightDecay?: number }
  | { readonly name: 'momentum'; readonly learningRate?: number; readonly momentum?: number; readonly nesterov?: boolean; readonly weightDecay?: number }
  | { readonly name: 'rmsprop'; readonly learningRate?: number; readonly rho?: number; readonly epsilon?: number; readonly weightDecay?: number }
  | { readonly name: 'adam' | 'adamW'; readonly learningRate?: number; readonly beta1?: number; readonly beta2?: number; readonly epsilon?: number; readonly weightDecay?: number };
type OptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam' | 'adamW';
const OPTIMIZERS: ReadonlyMap<string, number> = new Map<OptimizerName, number>([['sgd', 0], ['momentum', 1], ['rmsprop', 2], ['adam', 3], ['adamW', 4]]);

/** Weight initializers. Default: He for the relu family, LeCun for selu, Glorot otherwise. */
export type InitName = 'zeros' | 'heNormal' | 'heUniform' | 'glorotNormal' | 'glorotUniform' | 'lecunNormal' | 'lecunUniform';
const INITS: ReadonlyMap<string, number> = new Map<InitName, number>([
  ['zeros', 0], ['heNormal', 1], ['heUniform', 2], ['glorotNormal', 3], ['glorotUniform', 4], ['lecunNormal', 5], ['lecunUniform', 6],
]);
const RELU_LIKE = new Set(['relu', 'relu6', 'leakyRelu', 'prelu', 'elu', 'celu', 'gelu', 'geluTanh', 'silu', 'mish', 'hardSwish', 'arelu', 'softplus']);
const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'hardTanh', 'softsign', 'sbaf', 'logSigmoid']);

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

interface LayerSpec {
  readonly units: number;
  readonly activation: ActivationName | ActivationSpec;
  readonly init?: InitName;
}

// Plan word offsets (keep in sync with assembly/nn/net.ts).
const H = { LAYERS: 0, INPUTS: 1, CAPACITY: 2, LOSS: 3, OPT: 4, LR: 5, B1: 6, B2: 7, EPS: 8, WD: 9, NESTEROV: 10, CLIP: 11, T: 12, B1T: 13, B2T: 14, SCRATCH: 15, DA: 16, DB: 17, DIAG: 19, DIAG_ON: 20 } as const;
const L = { IN: 0, OUT: 1, W: 2, B: 3, ACT: 4, P: 5, PU: 6, Z: 7, Y: 8, DZ: 9, GW: 10, GB: 11, GP: 12, NP: 13, MASK: 14, MW: 15, VW: 16, MB: 17, VB: 18, MP: 19, VP: 20, HASPG: 21, LO: 22, HI: 23 } as const;

/**
 * Builds a network layer by layer. Widths that are number literals are carried in the types: `Network<784, 10>`.
 * @typeParam I input width
 * @typeParam O width of the last layer so far
 */
export class NetworkBuilder<I extends number, O extends number> {
  /** @internal */
  constructor(private readonly core: EngineCore, readonly inputs: I, private readonly seed: number,
    private readonly layers: readonly LayerSpec[]) {}

  /** Adds a dense (fully connected) layer of `units` units followed by an activation. */
  dense<U extends number>(units: U, activation: ActivationName | ActivationSpec = 'linear', options: DenseOptions = {}): NetworkBuilder<I, U> {
    if (!Number.isInteger(units) || units < 1 || units > 1 << 16) {
      throw new InvalidArgumentError(`dense: units must be a whole number in [1, 65536], got ${describe(units)}`);
    }
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`dense: options must be an object like { init: 'heNormal' }, got ${describe(options)}`);
    checkKeys(options, ['init'], 'dense');
    if (options.init !== undefined && (typeof options.init !== 'string' || !INITS.has(options.init))) {
      throw new InvalidParameterError(`dense: unknown init ${describe(options.init)}; valid: ${[...INITS.keys()].join(', ')}`);
    }
    // Validate the spec now (a typo fails here, not at build); the probe is released whatever happens.
    this.core.check();
    const probe = (this.core as unknown as { activation(s: unknown): Activation }).activation(specObject(activation));
    try {
      if (probe.units !== undefined && probe.units !== units) {
        throw new ShapeError(`dense: ${probe.def.name} has ${probe.units} units but the layer has ${units}; give the layer ${probe.units} units or the activation units: ${units}`);
      }
      if (probe.def.kind === 'rowwise' && units === 1) {
        throw new InvalidArgumentError(`dense: ${probe.def.name} over one unit is a constant (softmax of one value is 1); ` +
          `use at least 2 units, or one sigmoid unit with loss binaryCrossEntropy for two classes`);
      }
    } finally {
      probe.dispose();
    }
    return new NetworkBuilder<I, U>(this.core, this.inputs, this.seed, [...this.layers, { units, activation, init: options.init }]);
  }

  /** Allocates every buffer the network needs (sized for `capacity` rows) and initializes the weights from the seed. */
  build(options: BuildOptions): Network<I, O> {
    this.core.check();
    if (this.layers.length === 0) throw new InvalidArgumentError('a network needs at least one dense layer: call .dense(units, activation) before build()');
    return new Network<I, O>(this.core, this.inputs, this.seed, this.layers, options);
  }
}

/** A spec as an object (per-unit parameters are checked against the layer width by the network). */
function specObject(spec: ActivationName | ActivationSpec): Record<string, unknown> {
  return typeof spec === 'string' ? { name: spec } : spec === null || typeof spec !== 'object' ? { name: spec } : { ...(spec as object) };
}

/** Rejects keys an options object does not know (a misspelled option would otherwise be ignored). */
function checkKeys(o: object, known: readonly string[], what: string): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) throw new InvalidArgumentError(`${what} has no option "${k}"; its options: ${known.join(', ')}`);
  }
}

function checkSeed(seed: unknown): number {
  if (seed === undefined) return 0;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`seed must be a whole number in [0, 2^32), got ${describe(seed)}`);
  }
  return seed;
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

interface LayerState {
  readonly spec: LayerSpec;
  readonly act: Activation;
  readonly def: ActivationDef;
  readonly id: number;
  readonly in: number;
  readonly out: number;
  readonly W: number;
  readonly b: number;
  readonly gW: number;
  readonly gb: number;
  readonly gP: number;
  readonly mask: number;
  readonly lo: number;
  readonly hi: number;
  readonly np: number;
  readonly hasPg: boolean;
  readonly opt: number[];
}

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
  readonly optimizer: Required<{ name: OptimizerName; learningRate: number; weightDecay: number }> & Record<string, number | boolean | string>;
  readonly seed: number;
  readonly clipNorm: number;
  private readonly core: EngineCore;
  private readonly fx: Record<string, Fn>;
  private readonly specs: readonly LayerSpec[];
  private readonly layers: LayerState[] = [];
  private readonly owned: number[] = [];
  private rowBuffers: number[] = [];
  private capacity = 0;
  private plan = 0;
  private rng = 0;
  private xBuf = 0;
  private tBuf = 0;
  private lBuf = 0;
  private cBuf = 0;
  private diag = 0;
  private alive = true;
  /** True while `fit` runs: dispose, trainBatch, lossAndGradients and a second fit throw NetworkBusyError. */
  private busy = false;
  /** Every activation this network created (released by free(), also when build fails halfway). */
  private readonly acts: Activation[] = [];

  /** @internal Use the builder. */
  constructor(core: EngineCore, inputs: I, seed: number, specs: readonly LayerSpec[], options: BuildOptions) {
    this.core = core;
    this.fx = core.exports as unknown as Record<string, Fn>;
    this.inputs = inputs;
    this.seed = seed;
    this.specs = specs;
    this.outputs = specs[specs.length - 1]!.units as O;
    if (options === null || typeof options !== 'object') throw new InvalidArgumentError('build takes { loss, optimizer?, clipNorm?, capacity? }');
    checkKeys(options, ['loss', 'optimizer', 'clipNorm', 'capacity'], 'build');
    if (typeof options.loss !== 'string' || !LOSSES.has(options.loss)) {
      throw new InvalidParameterError(`unknown loss ${describe(options.loss)}; valid: ${[...LOSSES.keys()].join(', ')}`);
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
    const lastAct = this.activationName(specs[specs.length - 1]!.activation);
    if (this.loss === 'crossEntropy' && lastAct !== 'softmax') {
      throw new InvalidParameterError(`loss crossEntropy needs a softmax output layer (the last layer is ${lastAct}); use .dense(${this.outputs}, 'softmax')`);
    }
    if (this.loss === 'binaryCrossEntropy' && lastAct !== 'sigmoid') {
      throw new InvalidParameterError(`loss binaryCrossEntropy needs a sigmoid output layer (the last layer is ${lastAct}); use .dense(${this.outputs}, 'sigmoid')`);
    }
    try {
      this.allocate();
      this.ensureCapacity(capacity);
      this.initialize();
    } catch (e) {
      this.free();
      throw e;
    }
  }

  private activationName(a: ActivationName | ActivationSpec): string {
    return typeof a === 'string' ? a : (a as { name: string }).name;
  }

  private alloc(bytes: number, list: number[] = this.owned): number {
    const p = this.core.arena.alloc(bytes);
    list.push(p);
    this.core.arena.f32.fill(0, p >> 2, (p >> 2) + Math.ceil(bytes / 4));
    return p;
  }

  /** Parameters, gradients and optimizer state: sized once. */
  private allocate(): void {
    const o = this.optimizer.name;
    const slots = o === 'sgd' ? 0 : o === 'momentum' || o === 'rmsprop' ? 1 : 2;
    let fanIn: number = this.inputs;
    const defs = ACTIVATIONS as readonly ActivationDef[];
    for (const spec of this.specs) {
      const act = (this.core as unknown as { activation(s: unknown): Activation }).activation(specObject(spec.activation));
      this.acts.push(act);
      const def = act.def;
      if (act.units !== undefined && act.units !== spec.units) {
        throw new ShapeError(`${def.name} has ${act.units} units but the layer has ${spec.units}`);
      }
      const width = act.units ?? 1;
      const np = def.params.length * width;
      const hasPg = def.params.some((p) => p.trainable);
      const mask = this.alloc(Math.max(1, np) * 4), lo = this.alloc(Math.max(1, np) * 4), hi = this.alloc(Math.max(1, np) * 4);
      const f32 = this.core.arena.f32;
      def.params.forEach((p, i) => {
        const at = (ptr: number) => [(ptr >> 2) + i * width, (ptr >> 2) + (i + 1) * width] as const;
        f32.fill(p.trainable ? 1 : 0, ...at(mask));
        // The valid range as f32 bounds (exclusive ends moved one f32 step inside).
        f32.fill(boundF32(p.min, p.minExclusive === true, 1), ...at(lo));
        f32.fill(boundF32(p.max, p.maxExclusive === true, -1), ...at(hi));
      });
      const W = this.alloc(fanIn * spec.units * 4), b = this.alloc(spec.units * 4);
      const gW = this.alloc(fanIn * spec.units * 4), gb = this.alloc(spec.units * 4), gP = this.alloc(Math.max(1, np) * 4);
      const opt: number[] = [];
      for (let s = 0; s < slots; s++) opt.push(this.alloc(fanIn * spec.units * 4), this.alloc(spec.units * 4), this.alloc(Math.max(1, np) * 4));
      this.layers.push({ spec, act, def, id: defs.indexOf(def), in: fanIn, out: spec.units, W, b, gW, gb, gP, mask, lo, hi, np, hasPg, opt });
      fanIn = spec.units;
    }
    this.plan = this.alloc((64 + 32 * this.layers.length) * 4);
    this.rng = this.alloc(16);
    this.diag = this.alloc(this.layers.length * 8);
    this.writePlanStatic();
  }

  /** Row buffers (activations, gradients, scratch) for `rows` rows; called at build and before larger batches. */
  private ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    // Allocate, then swap: every new buffer is secured before the old ones go, so an OutOfMemoryError leaves the
    // network exactly as it was (still pointing at its old, live buffers).
    const rb: number[] = [];
    let maxWidth: number = this.inputs;
    let scratch = 0;
    const sb = this.fx.gemm_scratch_bytes!;
    for (const l of this.layers) {
      maxWidth = Math.max(maxWidth, l.out);
      scratch = Math.max(scratch, sb(rows, l.out, l.in), sb(l.in, l.out, rows), sb(rows, l.in, l.out));
    }
    const f32 = () => this.core.arena.f32;
    let layerBufs: { Z: number; Y: number; dZ: number }[], s: number, dA: number, dB: number, xb: number, tb: number, lb: number, cb: number;
    try {
      layerBufs = this.layers.map((l) => ({ Z: this.alloc(rows * l.out * 4, rb), Y: this.alloc(rows * l.out * 4, rb), dZ: this.alloc(rows * l.out * 4, rb) }));
      s = this.alloc(Math.max(16, scratch), rb); dA = this.alloc(rows * maxWidth * 4, rb); dB = this.alloc(rows * maxWidth * 4, rb);
      xb = this.alloc(rows * this.inputs * 4, rb);
      tb = this.alloc(rows * this.outputs * 4, rb);
      lb = this.alloc(rows * 4, rb);
      cb = this.alloc(rows * 4, rb);
    } catch (e) {
      for (const p of rb) this.core.arena.release(p);
      throw e;
    }
    for (const p of this.rowBuffers) this.core.arena.release(p);
    this.rowBuffers = rb;
    this.xBuf = xb; this.tBuf = tb; this.lBuf = lb; this.cBuf = cb;
    this.capacity = rows;
    const P = this.plan >> 2;
    const i32 = new Int32Array(f32().buffer);
    i32[P + H.CAPACITY] = rows; i32[P + H.SCRATCH] = s; i32[P + H.DA] = dA; i32[P + H.DB] = dB;
    layerBufs.forEach((b, li) => {
      const base = P + 64 + 32 * li;
      i32[base + L.Z] = b.Z; i32[base + L.Y] = b.Y; i32[base + L.DZ] = b.dZ;
    });
  }

  private writePlanStatic(): void {
    const buf = this.core.arena.f32.buffer;
    const i32 = new Int32Array(buf), f32 = new Float32Array(buf);
    const P = this.plan >> 2;
    const o = this.optimizer;
    i32[P + H.LAYERS] = this.layers.length;
    i32[P + H.INPUTS] = this.inputs;
    i32[P + H.LOSS] = LOSSES.get(this.loss)!;
    i32[P + H.OPT] = OPTIMIZERS.get(o.name)!;
    f32[P + H.LR] = o.learningRate;
    f32[P + H.B1] = (o.beta1 ?? o.momentum ?? 0) as number;
    f32[P + H.B2] = (o.beta2 ?? o.rho ?? 0) as number;
    f32[P + H.EPS] = (o.epsilon ?? 0) as number;
    f32[P + H.WD] = o.weightDecay;
    i32[P + H.NESTEROV] = o.nesterov ? 1 : 0;
    f32[P + H.CLIP] = this.clipNorm;
    i32[P + H.T] = 0; f32[P + H.B1T] = 1; f32[P + H.B2T] = 1;
    i32[P + H.DIAG] = this.diag;
    this.layers.forEach((l, li) => {
      const base = P + 64 + 32 * li;
      i32[base + L.IN] = l.in; i32[base + L.OUT] = l.out; i32[base + L.W] = l.W; i32[base + L.B] = l.b;
      i32[base + L.ACT] = l.id; i32[base + L.P] = l.act.paramPtr;
      // Kernel variant: 1 = per-unit parameters, 2 = sbaf's sigmoid domain policy (see assembly/nn/dispatch.ts).
      i32[base + L.PU] = l.act.units !== undefined ? 1 : l.act.domain === 'sigmoid' ? 2 : 0;
      i32[base + L.GW] = l.gW; i32[base + L.GB] = l.gb; i32[base + L.GP] = l.gP; i32[base + L.NP] = l.np;
      i32[base + L.MASK] = l.mask; i32[base + L.HASPG] = l.hasPg ? 1 : 0; i32[base + L.LO] = l.lo; i32[base + L.HI] = l.hi;
      const [mW = 0, mb = 0, mP = 0, vW = 0, vb = 0, vP = 0] = l.opt;
      i32[base + L.MW] = mW; i32[base + L.MB] = mb; i32[base + L.MP] = mP;
      i32[base + L.VW] = vW; i32[base + L.VB] = vb; i32[base + L.VP] = vP;
    });
  }

  /** Seeded initialization in the wasm (bit-identical on every engine). */
  private initialize(): void {
    this.fx.rng_seed!(this.rng, this.seed);
    for (const l of this.layers) {
      const name = l.def.name;
      const kind = l.spec.init ?? (name === 'selu' ? 'lecunNormal' : RELU_LIKE.has(name) ? 'heNormal' : 'glorotUniform');
      this.fx.init_weights!(this.rng, l.W, l.in, l.out, INITS.get(kind)!);
    }
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
    const out: ParameterView[] = [];
    const arena = this.core.arena;
    const view = (ptr: number, n: number) => () => new Float32Array(arena.memory.buffer, ptr, n);
    this.layers.forEach((l, i) => {
      const w = view(l.W, l.in * l.out), b = view(l.b, l.out);
      out.push(frozenView(`dense${i}.weight`, [l.in, l.out], w));
      out.push(frozenView(`dense${i}.bias`, [l.out], b));
      const width = l.act.units ?? 1;
      l.def.params.forEach((p, k) => {
        if (!p.trainable) return; // fixed settings (leakyRelu slope, relu subgradient) are part of the layer spec
        const v = view(l.act.paramPtr + k * width * 4, width);
        out.push(frozenView(`dense${i}.${p.name}`, [width], v));
      });
    });
    return out;
  }

  /** Gradient blocks aligned with parameters() (valid after net_gradients). */
  private gradientViews(): Float32Array[] {
    const buf = this.core.arena.memory.buffer;
    const out: Float32Array[] = [];
    for (const l of this.layers) {
      out.push(new Float32Array(buf, l.gW, l.in * l.out).slice(), new Float32Array(buf, l.gb, l.out).slice());
      const width = l.act.units ?? 1;
      l.def.params.forEach((p, k) => {
        if (p.trainable) out.push(new Float32Array(buf, l.gP + k * width * 4, width).slice());
      });
    }
    return out;
  }

  /** Copies a batch into the row buffers; returns [rows, targetsPtr, labelsPtr]. */
  private load(x: Float32Array, rows: number, y: PreparedTargets, start: number): [number, number] {
    const f32 = this.core.arena.f32;
    const whole = start === 0 && x.length === rows * this.inputs;
    if (whole && x.length <= 64) copySmall(f32, x, this.xBuf >> 2); // TypedArray#set costs more than tiny copies
    else f32.set(whole ? x : x.subarray(start * this.inputs, (start + rows) * this.inputs), this.xBuf >> 2);
    if (y.labels) {
      const l = y.labels.length === rows && start === 0 ? y.labels : y.labels.subarray(start, start + rows);
      new Int32Array(f32.buffer).set(l, this.lBuf >> 2);
      return [0, this.lBuf];
    }
    const t = y.targets!;
    const tw = start === 0 && t.length === rows * this.outputs;
    if (tw && t.length <= 64) copySmall(f32, t, this.tBuf >> 2);
    else f32.set(tw ? t : t.subarray(start * this.outputs, (start + rows) * this.outputs), this.tBuf >> 2);
    return [this.tBuf, 0];
  }

  /** Runs the network on rows x inputs values and returns rows x outputs values. */
  predict(x: Float32Array): Float32Array {
    this.check();
    const rows = this.rowsOf(x, 'x');
    const out = new Float32Array(rows * this.outputs);
    const f32 = this.core.arena.f32; // no call below grows memory
    for (let s = 0; s < rows; s += this.capacity) {
      const n = Math.min(this.capacity, rows - s);
      f32.set(n === rows ? x : x.subarray(s * this.inputs, (s + n) * this.inputs), this.xBuf >> 2);
      this.fx.net_forward!(this.plan, this.xBuf, n);
      const y = this.fx.net_output!(this.plan) >>> 0;
      out.set(f32.subarray(y >> 2, (y >> 2) + n * this.outputs), s * this.outputs);
    }
    return out;
  }

  /** Mean loss and accuracy (where the targets are classes) over the rows of x. */
  evaluate(x: Float32Array, y: Targets): { loss: number; accuracy?: number } {
    this.check();
    const rows = this.rowsOf(x, 'x');
    const t = this.prepareTargets(y, rows);
    return this.evaluatePrepared(x, rows, t);
  }

  private evaluatePrepared(x: Float32Array, rows: number, t: PreparedTargets): { loss: number; accuracy?: number } {
    let loss = 0, correct = 0;
    for (let s = 0; s < rows; s += this.capacity) {
      const n = Math.min(this.capacity, rows - s);
      const [tp, lp] = this.load(x, n, t, s);
      loss += this.fx.net_loss!(this.plan, this.xBuf, tp, lp, n) * n;
      if (t.classes) {
        new Int32Array(this.core.arena.f32.buffer).set(t.classes.subarray(s, s + n), this.cBuf >> 2);
        correct += this.fx.count_correct!(this.fx.net_output!(this.plan), this.cBuf, n, this.outputs);
      }
    }
    return t.classes ? { loss: loss / rows, accuracy: correct / rows } : { loss: loss / rows };
  }

  /** Mean loss over x and its gradients, aligned with parameters() (copies). Nothing is updated. */
  lossAndGradients(x: Float32Array, y: Targets): { loss: number; gradients: Float32Array[] } {
    this.checkIdle('lossAndGradients');
    const rows = this.rowsOf(x, 'x');
    const t = this.prepareTargets(y, rows, false);
    this.ensureCapacity(rows);
    const [tp, lp] = this.load(x, rows, t, 0);
    const loss = this.fx.net_gradients!(this.plan, this.xBuf, tp, lp, rows);
    return { loss, gradients: this.gradientViews() };
  }

  /** One optimizer step on one batch (all rows of x). Returns the loss before the step. */
  trainBatch(x: Float32Array, y: Targets): number {
    this.checkIdle('trainBatch');
    const rows = this.rowsOf(x, 'x');
    const t = this.prepareTargets(y, rows, false);
    this.ensureCapacity(rows);
    const [tp, lp] = this.load(x, rows, t, 0);
    return this.fx.net_train_step!(this.plan, this.xBuf, tp, lp, rows);
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
    const o = checkFitOptions(options);
    const allRows = this.rowsOf(x, 'x');
    const allT = this.prepareTargets(y, allRows);
    let trainRows = allRows;
    let val: { x: Float32Array; rows: number; t: PreparedTargets } | undefined;
    if (o.validationData) {
      const [vx, vy] = o.validationData;
      const vr = this.rowsOf(vx, 'validationData x');
      val = { x: vx, rows: vr, t: this.prepareTargets(vy, vr) };
    } else if (o.validationSplit > 0) {
      const vr = Math.floor(allRows * o.validationSplit);
      if (vr < 1 || vr >= allRows) throw new InvalidArgumentError(`validationSplit ${o.validationSplit} leaves no rows for ${vr < 1 ? 'validation' : 'training'} (${allRows} rows)`);
      trainRows = allRows - vr;
      val = { x: x.subarray(trainRows * this.inputs), rows: vr, t: sliceTargets(allT, trainRows, allRows, this.outputs) };
    }
    const batch = Math.min(o.batchSize, trainRows);
    this.ensureCapacity(batch);
    // The data set lives in wasm memory for the whole fit: shuffling gathers rows there, no per-batch JS copies.
    const arena = this.core.arena;
    const temps: number[] = [];
    const take = (bytes: number) => { const p = arena.alloc(bytes); temps.push(p); return p; };
    const history: History = { epochs: [], stoppedEarly: false };
    this.busy = true;
    try {
      const xs = take(trainRows * this.inputs * 4);
      arena.f32.set(x.subarray(0, trainRows * this.inputs), xs >> 2);
      const idx = take(trainRows * 4);
      let ts = 0, ls = 0;
      if (allT.labels) { ls = take(trainRows * 4); new Int32Array(arena.memory.buffer).set(allT.labels.subarray(0, trainRows), ls >> 2); }
      else { ts = take(trainRows * this.outputs * 4); arena.f32.set(allT.targets!.subarray(0, trainRows * this.outputs), ts >> 2); }
      const trainT = sliceTargets(allT, 0, trainRows, this.outputs);
      // Class ids for the running accuracy (the output of each step's forward pass, before its update, as Keras does).
      let cs = 0;
      if (trainT.classes) { cs = take(trainRows * 4); new Int32Array(arena.memory.buffer).set(trainT.classes, cs >> 2); }
      let best = Infinity, bestEpoch = -1, wait = 0;
      let bestWeights: Float32Array[] | undefined;
      let lastYield = now();
      const recheck = () => this.check();
      const aborted = () => new TrainingAbortedError('training was aborted by its AbortSignal; the weights are those after the last completed batch', history);
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        // The last finite state (weights, activation parameters, optimizer moments and step counters, generator):
        // one copy per epoch, put back if this epoch diverges.
        const saved = this.stateBlocks();
        const diverged = (what: string) => {
          this.restoreState(saved);
          return new TrainingDivergedError(`training diverged in epoch ${epoch}: ${what}; the weights and optimizer state ` +
            `are back to those at the start of epoch ${epoch}. Lower the learning rate, set clipNorm, or scale the inputs`, history);
        };
        const t0 = now();
        const i32 = () => new Int32Array(arena.memory.buffer);
        if (o.shuffle) this.fx.rng_permutation!(this.rng, idx, trainRows);
        else { const v = i32(); for (let i = 0; i < trainRows; i++) v[(idx >> 2) + i] = i; }
        new Float64Array(arena.memory.buffer, this.diag, this.layers.length).fill(0);
        this.setDiagnostics(true);
        let lossSum = 0, steps = 0, correct = 0;
        for (let s = 0, b = 0; s < trainRows; s += batch, b++) {
          const n = Math.min(batch, trainRows - s);
          this.fx.gather_rows!(xs, idx, s, n, this.inputs, this.xBuf);
          if (ls) this.fx.gather_i32!(ls, idx, s, n, this.lBuf);
          else this.fx.gather_rows!(ts, idx, s, n, this.outputs, this.tBuf);
          const loss = this.fx.net_train_step!(this.plan, this.xBuf, ls ? 0 : this.tBuf, ls ? this.lBuf : 0, n);
          if (!Number.isFinite(loss)) throw diverged(`the loss of batch ${b} is ${loss}`);
          lossSum += loss * n; steps++;
          if (cs) {
            this.fx.gather_i32!(cs, idx, s, n, this.cBuf);
            correct += this.fx.count_correct!(this.fx.net_output!(this.plan), this.cBuf, n, this.outputs);
          }
          if (o.onBatchEnd) { await o.onBatchEnd({ epoch, batch: b, loss }); recheck(); }
          if (o.signal?.aborted) throw aborted();
          if (now() - lastYield > o.yieldEveryMs) { await yieldToEventLoop(); recheck(); lastYield = now(); }
          if (o.signal?.aborted) throw aborted();
        }
        this.setDiagnostics(false);
        const bad = this.firstNonFinite();
        if (bad) throw diverged(bad);
        const diag = new Float64Array(arena.memory.buffer, this.diag, this.layers.length);
        const gradNorms = Array.from(diag, (v) => v / steps);
        const train = { loss: lossSum / trainRows, accuracy: cs ? correct / trainRows : undefined };
        if (!Number.isFinite(train.loss)) throw diverged(`the epoch's mean loss is ${train.loss}`);
        const v = val ? this.evaluatePrepared(val.x, val.rows, val.t) : undefined;
        const probe = this.probeUnits(x, Math.min(trainRows, 512));
        const log: EpochLog = {
          epoch, loss: train.loss, ...(train.accuracy !== undefined ? { accuracy: train.accuracy } : {}),
          ...(v ? { valLoss: v.loss, ...(v.accuracy !== undefined ? { valAccuracy: v.accuracy } : {}) } : {}),
          timeMs: now() - t0, gradNorms, deadFraction: probe.dead, saturatedFraction: probe.saturated,
          activationParams: this.layers.map((l) => plainParams(l.act)),
        };
        history.epochs.push(log);
        let stop = false;
        if (o.onEpochEnd) {
          const r = await o.onEpochEnd(log);
          recheck();
          if (r === false) stop = true;
        }
        if (o.earlyStopping) {
          const es = o.earlyStopping;
          const metric = es.monitor === 'loss' || !v ? log.loss : log.valLoss!;
          if (metric < best - (es.minDelta ?? 0)) {
            best = metric; bestEpoch = epoch; wait = 0;
            if (es.restoreBest !== false) bestWeights = this.parameters().map((p) => p.data.slice());
          } else if (++wait >= (es.patience ?? 5)) { stop = true; history.stoppedEarly = true; }
        }
        if (stop) break;
      }
      if (bestWeights && bestEpoch >= 0) {
        history.bestEpoch = bestEpoch;
        this.parameters().forEach((p, i) => p.data.set(bestWeights![i]!));
      }
      return history;
    } finally {
      this.busy = false;
      if (this.alive) this.setDiagnostics(false);
      for (const p of temps) arena.release(p);
    }
  }

  /** Every block that training changes (parameters, optimizer moments, generator) plus the plan's step counters. */
  private stateRanges(): [number, number][] {
    const r: [number, number][] = [];
    for (const l of this.layers) {
      r.push([l.W, l.in * l.out * 4], [l.b, l.out * 4]);
      if (l.np > 0) r.push([l.act.paramPtr, l.np * 4]);
      for (const p of l.opt) r.push([p, this.core.arena.sizeOf(p)!]);
    }
    r.push([this.rng, 16], [this.plan + H.T * 4, 12]);
    return r;
  }

  /** Copies of the training state (bit for bit). */
  private stateBlocks(): Uint8Array[] {
    const buf = this.core.arena.memory.buffer;
    return this.stateRanges().map(([p, n]) => new Uint8Array(buf, p, n).slice());
  }

  private restoreState(blocks: readonly Uint8Array[]): void {
    const bytes = new Uint8Array(this.core.arena.memory.buffer);
    this.stateRanges().forEach(([p], i) => bytes.set(blocks[i]!, p));
  }

  /**
   * @internal The whole training state as one byte string (weights, activation parameters, optimizer moments, step
   * counters, generator): tests compare it to check that a failed call changed nothing.
   */
  stateBytes(): Uint8Array {
    this.check();
    const blocks = this.stateBlocks();
    const out = new Uint8Array(blocks.reduce((s, b) => s + b.length, 0));
    let at = 0;
    for (const b of blocks) { out.set(b, at); at += b.length; }
    return out;
  }

  /** A description of the first non-finite parameter, or undefined when all are finite. */
  private firstNonFinite(): string | undefined {
    for (const p of this.parameters()) {
      const d = p.data;
      for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return `${p.name}[${i}] is ${d[i]}`;
    }
    return undefined;
  }

  private setDiagnostics(on: boolean): void {
    new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + H.DIAG_ON] = on ? 1 : 0;
  }

  /** Dead and saturated fractions on the first `rows` training rows (in original order). */
  private probeUnits(x: Float32Array, rows: number): { dead: (number | null)[]; saturated: (number | null)[] } {
    const n = Math.min(rows, this.capacity);
    this.core.arena.f32.set(x.subarray(0, n * this.inputs), this.xBuf >> 2);
    this.fx.net_forward!(this.plan, this.xBuf, n);
    const dead: (number | null)[] = [], saturated: (number | null)[] = [];
    const P = this.plan >> 2;
    this.layers.forEach((l, li) => {
      if (l.def.kind === 'rowwise') { dead.push(null); saturated.push(null); return; }
      const i32 = new Int32Array(this.core.arena.memory.buffer);
      const z = i32[P + 64 + 32 * li + L.Z]!;
      const zs = new Float32Array(this.core.arena.memory.buffer, z, n * l.out).slice();
      // Per-unit activations (prelu with units) take whole rows: pass rows x units, and a row of zeros for f'(0).
      const perUnit = l.act.units !== undefined;
      let d: Float32Array, d0: number;
      try {
        d = perUnit ? l.act.derivative(zs, { rows: n, cols: l.out }) : l.act.derivative(zs);
        d0 = Math.abs((perUnit ? l.act.derivative(new Float32Array(l.out), { rows: 1, cols: l.out }) : l.act.derivative(new Float32Array(1)))[0]!);
      } catch (e) {
        // A diagnostic must not fail fit after the weights were updated: sbaf with domain 'strict' refuses
        // pre-activations outside [0, 1] in derivative(), while the network's kernels clamp them. No figure then.
        if (!(e instanceof RectifyError)) throw e;
        dead.push(null); saturated.push(null); return;
      }
      if (RELU_LIKE.has(l.def.name) || l.def.piecewiseLinear) {
        let deadUnits = 0;
        for (let j = 0; j < l.out; j++) {
          let alive = false;
          for (let r = 0; r < n && !alive; r++) if (d[r * l.out + j] !== 0) alive = true;
          if (!alive) deadUnits++;
        }
        dead.push(deadUnits / l.out);
      } else dead.push(null);
      if (SATURATING.has(l.def.name) && d0 > 0) {
        let sat = 0;
        for (let i = 0; i < d.length; i++) if (Math.abs(d[i]!) < 0.05 * d0) sat++;
        saturated.push(sat / d.length);
      } else saturated.push(null);
    });
    return { dead, saturated };
  }

  /** A text table of the layers and parameter counts. */
  summary(): string {
    this.check();
    const lines = ['layer      units  activation        parameters', '---------  -----  ----------------  ----------'];
    let total = 0;
    this.layers.forEach((l, i) => {
      const count = l.in * l.out + l.out + l.np;
      total += count;
      lines.push(`dense${i}`.padEnd(11) + String(l.out).padStart(5) + '  ' + l.def.name.padEnd(16) + '  ' + String(count).padStart(10));
    });
    lines.push(`inputs ${this.inputs}, outputs ${this.outputs}, ${total} parameters, loss ${this.loss}, optimizer ${this.optimizer.name}`);
    return lines.join('\n');
  }

  /** @internal Layer specs for saving. */
  get layerSpecs(): readonly { units: number; activation: Record<string, unknown>; init?: InitName }[] {
    return this.layers.map((l) => ({
      units: l.out,
      activation: {
        name: l.def.name, ...(l.act.units !== undefined ? { units: l.act.units } : {}), ...(l.act.domain ? { domain: l.act.domain } : {}),
        // Fixed settings travel in the spec; trainable values travel with the weights.
        ...Object.fromEntries(l.def.params.filter((p) => !p.trainable).map((p) => [p.name, l.act.params[p.name] as number])),
      },
      ...(l.spec.init ? { init: l.spec.init } : {}),
    }));
  }

  /** The JSON form (weights as base64 of little-endian f32); `engine.loadNetwork(json)` restores it bit for bit. */
  toJSON(): NetworkJSON {
    this.check();
    this.checkFinite('toJSON');
    return networkToJSON(this as unknown as Network);
  }

  /** The compact binary form; `engine.loadNetwork(bytes)` restores it bit for bit. */
  save(): Uint8Array {
    this.check();
    this.checkFinite('save');
    return networkToBytes(this as unknown as Network);
  }

  /** A saved file must load: a network with a NaN or infinite parameter (it diverged) is refused at save time. */
  private checkFinite(what: string): void {
    const bad = this.firstNonFinite();
    if (bad) {
      throw new TrainingDivergedError(`${what}: ${bad}; a network with non-finite parameters cannot be saved (it diverged: ` +
        'retrain with a lower learning rate or clipNorm)', undefined);
    }
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
    this.free();
  }

  private free(): void {
    for (const p of [...this.owned, ...this.rowBuffers]) if (p >= 0) this.core.arena.release(p);
    for (const a of this.acts) a.dispose();
    this.acts.length = 0;
    this.owned.length = 0;
    this.rowBuffers = [];
  }

  private rowsOf(x: unknown, what: string): number {
    if (!(x instanceof Float32Array)) {
      throw new InvalidArgumentError(`${what} must be a Float32Array of rows x ${this.inputs} values, got ${describe(x)}` +
        (Array.isArray(x) ? '; convert it with Float32Array.from(...)' : ''));
    }
    if (x.length % this.inputs !== 0) {
      throw new ShapeError(`${what} has ${x.length} values, which is not a multiple of the ${this.inputs} inputs; ` +
        `x must be rows x ${this.inputs} values, row after row`);
    }
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]!)) {
        throw new DataError(`${what}[${i}] (row ${Math.floor(i / this.inputs)}, column ${i % this.inputs}) is ${x[i]}; clean or impute the data first`);
      }
    }
    return x.length / this.inputs;
  }

  /** Targets as f32 rows x outputs or i32 labels, validated; `classes`: labels for accuracy, when meaningful. */
  private prepareTargets(y: Targets, rows: number, needClasses = true): PreparedTargets {
    const isIntArray = y instanceof Int32Array || y instanceof Uint8Array || y instanceof Uint16Array;
    if (!(y instanceof Float32Array) && !isIntArray && !Array.isArray(y)) {
      throw new InvalidArgumentError(`targets must be a Float32Array (rows x ${this.outputs}) or class ids (Int32Array, Uint8Array or number[]), got ${describe(y)}`);
    }
    const asLabels = isIntArray || Array.isArray(y);
    if (asLabels) {
      if (y.length !== rows) throw new ShapeError(`there are ${rows} rows of x but ${y.length} labels; give one class id per row`);
      // One output means 0/1 targets (mse, binaryCrossEntropy); crossEntropy class ids index the softmax row.
      const classes = this.outputs === 1 && this.loss !== 'crossEntropy' ? 2 : this.outputs;
      const labels = new Int32Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = y[i]!;
        if (!Number.isInteger(v) || v < 0 || v >= classes) {
          throw new DataError(`label ${i} is ${v}, outside 0..${classes - 1} (the network has ${this.outputs} output${this.outputs === 1 ? '' : 's'})`);
        }
        labels[i] = v;
      }
      if (this.loss === 'crossEntropy') return { labels, classes: labels };
      // mse and binary cross-entropy train on float targets: one-hot (or 0/1 for a single output).
      const targets = new Float32Array(rows * this.outputs);
      for (let i = 0; i < rows; i++) {
        if (this.outputs === 1) targets[i] = labels[i]!;
        else targets[i * this.outputs + labels[i]!] = 1;
      }
      return { targets, classes: labels };
    }
    const t = y as Float32Array;
    if (t.length !== rows * this.outputs) {
      throw new ShapeError(`targets have ${t.length} values but x has ${rows} rows of ${this.outputs} outputs (${rows * this.outputs} values)`);
    }
    for (let i = 0; i < t.length; i++) {
      if (!Number.isFinite(t[i]!)) throw new DataError(`targets[${i}] is ${t[i]}; targets must be finite`);
    }
    if (this.loss !== 'mse') checkProbabilities(t, rows, this.outputs, this.loss);
    return needClasses ? { targets: t, classes: classesOf(t, rows, this.outputs) } : { targets: t };
  }
}

/** A parameter view whose name, shape and trainable flag cannot be reassigned (strict-mode assignments throw). */
function frozenView(name: string, shape: number[], data: () => Float32Array): ParameterView {
  return Object.freeze({ name, shape: Object.freeze(shape), trainable: true, get data() { return data(); } });
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

function copySmall(dst: Float32Array, src: Float32Array, at: number): void {
  for (let i = 0; i < src.length; i++) dst[at + i] = src[i]!;
}

interface PreparedTargets {
  readonly targets?: Float32Array;
  readonly labels?: Int32Array;
  /** Class of each row for accuracy, when the targets are one-hot (or 0/1 with one output). */
  readonly classes?: Int32Array;
}

function sliceTargets(t: PreparedTargets, from: number, to: number, outputs: number): PreparedTargets {
  return {
    ...(t.targets ? { targets: t.targets.subarray(from * outputs, to * outputs) } : {}),
    ...(t.labels ? { labels: t.labels.subarray(from, to) } : {}),
    ...(t.classes ? { classes: t.classes.subarray(from, to) } : {}),
  };
}

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

/** The trainable activation parameters' current values. */
function plainParams(a: Activation): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  const trainable = new Set(a.def.params.filter((p) => p.trainable).map((p) => p.name));
  for (const [k, v] of Object.entries(a.params)) if (trainable.has(k)) out[k] = typeof v === 'number' ? v : Array.from(v);
  return out;
}

function normalizeOptimizer(spec: OptimizerName | OptimizerSpec): Network['optimizer'] {
  const s = (typeof spec === 'string' ? { name: spec } : spec) as Record<string, unknown>;
  if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || !OPTIMIZERS.has(s.name)) {
    throw new InvalidParameterError(`unknown optimizer ${describe(typeof spec === 'string' ? spec : (spec as { name?: unknown })?.name)}; valid: ${[...OPTIMIZERS.keys()].join(', ')}`);
  }
  const name = s.name as OptimizerName;
  const defaults: Record<OptimizerName, Record<string, number | boolean>> = {
    sgd: { learningRate: 0.01, weightDecay: 0 },
    momentum: { learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0 },
    rmsprop: { learningRate: 0.001, rho: 0.9, epsilon: 1e-7, weightDecay: 0 },
    adam: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 },
    adamW: { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0.01 },
  };
  const d = defaults[name];
  for (const k of Object.keys(s)) {
    if (k !== 'name' && !Object.hasOwn(d, k)) throw new InvalidParameterError(`optimizer ${name} has no setting "${k}"; its settings: ${Object.keys(d).join(', ')}`);
  }
  const out: Record<string, number | boolean | string> = { name, ...d };
  for (const [k, dv] of Object.entries(d)) {
    const v = Object.hasOwn(s, k) && s[k] !== undefined ? s[k] : dv;
    // The kernels see each setting as an f32: the checks apply to that value (0.99999999 rounds to 1, 1e300 to Infinity,
    // 1e-50 to 0).
    const f = typeof v === 'number' ? Math.fround(v) : NaN;
    const asF32 = typeof v === 'number' && f !== v ? ` (${v} is ${f} as an f32, the value the kernel uses)` : '';
    if (typeof dv === 'boolean') {
      if (typeof v !== 'boolean') throw new InvalidParameterError(`optimizer ${name}: ${k} must be true or false, got ${describe(v)}`);
    } else if (typeof v !== 'number' || !Number.isFinite(f)) {
      throw new InvalidParameterError(`optimizer ${name}: ${k} must be a finite number within the f32 range (|v| <= ${F32_MAX}), got ${describe(v)}${asF32}`);
    } else if (k === 'learningRate' && !(f > 0)) {
      throw new InvalidParameterError(`optimizer ${name}: learningRate must be > 0, got ${v}${asF32}`);
    } else if ((k === 'momentum' || k === 'rho' || k === 'beta1' || k === 'beta2') && !(f >= 0 && f < 1)) {
      throw new InvalidParameterError(`optimizer ${name}: ${k} must be in [0, 1), got ${v}${asF32}; the largest f32 below 1 is ${F32_BELOW_1}`);
    } else if (k === 'epsilon' && !(f >= F32_MIN_NORMAL)) {
      throw new InvalidParameterError(`optimizer ${name}: epsilon must be >= ${F32_MIN_NORMAL} (the smallest normal f32), got ${v}${asF32}`);
    } else if (k === 'weightDecay' && !(f >= 0)) {
      throw new InvalidParameterError(`optimizer ${name}: weightDecay must be >= 0, got ${v}${asF32}`);
    }
    out[k] = v as number | boolean;
  }
  return out as Network['optimizer'];
}

interface CheckedFit {
  epochs: number; batchSize: number; shuffle: boolean; validationSplit: number; yieldEveryMs: number;
  validationData?: readonly [Float32Array, Targets];
  onBatchEnd?: FitOptions['onBatchEnd']; onEpochEnd?: FitOptions['onEpochEnd'];
  earlyStopping?: FitOptions['earlyStopping']; signal?: AbortSignal;
}

function checkFitOptions(o: FitOptions): CheckedFit {
  if (o === null || typeof o !== 'object') throw new InvalidArgumentError(`fit options must be an object, got ${describe(o)}`);
  const known = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'onBatchEnd', 'onEpochEnd', 'earlyStopping', 'signal', 'yieldEveryMs'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw new InvalidArgumentError(`fit has no option "${k}"; its options: ${known.join(', ')}`);
  const epochs = o.epochs ?? 1, batchSize = o.batchSize ?? 32, split = o.validationSplit ?? 0;
  if (!Number.isInteger(epochs) || epochs < 1) throw new InvalidArgumentError(`epochs must be a whole number >= 1, got ${describe(o.epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1 << 16) throw new InvalidArgumentError(`batchSize must be a whole number in [1, 65536], got ${describe(o.batchSize)}`);
  if (typeof split !== 'number' || !(split >= 0 && split < 1)) throw new InvalidArgumentError(`validationSplit must be in [0, 1), got ${describe(o.validationSplit)}`);
  if (o.validationData !== undefined && (!Array.isArray(o.validationData) || o.validationData.length !== 2)) {
    throw new InvalidArgumentError('validationData must be [x, y]');
  }
  const shuffle = o.shuffle ?? true, yieldEveryMs = o.yieldEveryMs ?? 16;
  if (typeof shuffle !== 'boolean') throw new InvalidArgumentError(`shuffle must be true or false, got ${describe(o.shuffle)}`);
  if (typeof yieldEveryMs !== 'number' || !(yieldEveryMs >= 0) || !Number.isFinite(yieldEveryMs)) {
    throw new InvalidArgumentError(`yieldEveryMs must be a finite number of milliseconds >= 0, got ${describe(o.yieldEveryMs)}`);
  }
  for (const k of ['onBatchEnd', 'onEpochEnd'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new InvalidArgumentError(`${k} must be a function, got ${describe(o[k])}`);
  }
  if (o.signal !== undefined) {
    const sg = o.signal as unknown as { aborted?: unknown; addEventListener?: unknown } | null;
    if (sg === null || typeof sg !== 'object' || typeof sg.aborted !== 'boolean' || typeof sg.addEventListener !== 'function') {
      throw new InvalidArgumentError(`signal must be an AbortSignal (new AbortController().signal), got ${describe(o.signal)}`);
    }
  }
  if (o.earlyStopping !== undefined) checkEarlyStopping(o.earlyStopping);
  return {
    epochs, batchSize, shuffle, validationSplit: split, yieldEveryMs,
    ...(o.validationData ? { validationData: o.validationData } : {}),
    ...(o.onBatchEnd ? { onBatchEnd: o.onBatchEnd } : {}), ...(o.onEpochEnd ? { onEpochEnd: o.onEpochEnd } : {}),
    ...(o.earlyStopping !== undefined ? { earlyStopping: o.earlyStopping } : {}), ...(o.signal !== undefined ? { signal: o.signal } : {}),
  };
}

/** Largest finite f32, smallest positive normal f32, largest f32 below 1. */
const F32_MAX = 3.4028234663852886e38;
const F32_MIN_NORMAL = 1.1754943508222875e-38;
const F32_BELOW_1 = 0.9999999403953552;

function checkEarlyStopping(es: unknown): void {
  if (es === null || typeof es !== 'object') throw new InvalidArgumentError(`earlyStopping must be an object like { patience: 5 }, got ${describe(es)}`);
  checkKeys(es, ['monitor', 'patience', 'minDelta', 'restoreBest'], 'earlyStopping');
  const e = es as Record<string, unknown>;
  if (e.monitor !== undefined && e.monitor !== 'loss' && e.monitor !== 'valLoss') {
    throw new InvalidArgumentError(`earlyStopping.monitor must be 'loss' or 'valLoss', got ${describe(e.monitor)}`);
  }
  if (e.patience !== undefined && (typeof e.patience !== 'number' || !Number.isInteger(e.patience) || e.patience < 0)) {
    throw new InvalidArgumentError(`earlyStopping.patience must be a whole number of epochs >= 0, got ${describe(e.patience)}`);
  }
  if (e.minDelta !== undefined && (typeof e.minDelta !== 'number' || !(e.minDelta >= 0) || !Number.isFinite(e.minDelta))) {
    throw new InvalidArgumentError(`earlyStopping.minDelta must be a finite number >= 0, got ${describe(e.minDelta)}`);
  }
  if (e.restoreBest !== undefined && typeof e.restoreBest !== 'boolean') {
    throw new InvalidArgumentError(`earlyStopping.restoreBest must be true or false, got ${describe(e.restoreBest)}`);
  }
}

/** A parameter bound as an f32: infinite bounds become the largest finite f32, exclusive ones move one step inside. */
function boundF32(v: number, exclusive: boolean, dir: 1 | -1): number {
  const MAX = 3.4028234663852886e38;
  if (!Number.isFinite(v)) return v > 0 ? MAX : -MAX;
  const f = new Float32Array([v]);
  if (!exclusive) return f[0]!;
  const u = new Int32Array(f.buffer);
  if (f[0] === 0) { u[0] = dir > 0 ? 1 : -2147483647; return f[0]!; }
  // Moving the bit pattern by one moves away from zero for positive numbers and toward it for negative ones.
  u[0]! += (f[0]! > 0) === (dir > 0) ? 1 : -1;
  return f[0]!;
}

function now(): number { return typeof performance !== 'undefined' ? performance.now() : Date.now(); }

/** Lets the event loop run (a browser page stays responsive and keeps drawing during fit). */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void; MessageChannel?: typeof MessageChannel };
  if (g.setImmediate) return new Promise((r) => g.setImmediate!(r));
  // A message-channel task lets rendering and timers run; scheduler.yield() held both back in Chromium.
  if (g.MessageChannel) {
    return new Promise((r) => {
      const ch = new g.MessageChannel!();
      ch.port1.onmessage = () => { ch.port1.close(); r(); };
      ch.port2.postMessage(0);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
