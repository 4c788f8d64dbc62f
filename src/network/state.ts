/**
 * A network's memory and the wasm calls on it: parameter and optimizer blocks, the plan, row buffers sized for a
 * capacity (allocate, then swap), seeded initialization, and the training state copies that make failed calls and
 * diverged epochs undoable. The public `Network` wraps one of these and adds the checks and the locking.
 * @module
 */
import type { Activation } from '../activation.js';
import type { ActivationDef } from '../activations/types.js';
import { ACTIVATIONS } from '../activation-table.js';
import type { EngineCore } from '../core.js';
import type { WasmExports } from '../generated/abi.js';
import { makeActivation } from '../make-activation.js';
import { ShapeError } from '../errors.js';
import { specObject } from './options.js';
import { momentSlots } from './optimizer.js';
import {
  boundF32, H, INIT_CODES, L, layerWord, planBytes, writePlanStatic, writeRowPointers, type LayerState,
} from './plan.js';
import { nonFinite, type PreparedTargets } from './targets.js';
import type { SchedulePosition } from './schedule.js';
import type { SavedTraining, TrainingJSON } from '../serialize/format.js';
import type { LayerSpec, LossName, NormalizedOptimizer, ParameterView } from './types.js';


/** The settings a network's memory is laid out for (checked by the caller). */
export interface NetworkSettings {
  readonly inputs: number;
  readonly outputs: number;
  readonly seed: number;
  readonly loss: LossName;
  readonly optimizer: NormalizedOptimizer;
  readonly clipNorm: number;
  readonly specs: readonly LayerSpec[];
}

/** @internal A network's memory. Create with {@link NetworkState.create}; release with {@link NetworkState.free}. */
export class NetworkState {
  /** The module's exports, typed (src/generated/abi.ts). */
  readonly fx: WasmExports;
  readonly layers: LayerState[] = [];
  capacity = 0;
  plan = 0;
  rng = 0;
  xBuf = 0;
  tBuf = 0;
  lBuf = 0;
  cBuf = 0;
  /** Row loss weights of one batch (f32[capacity]). */
  wBuf = 0;
  /** The output rows of the last forward pass (the last layer's Y, as net_output returns it). */
  yOut = 0;
  diag = 0;
  /** Where the last scheduled fit left its schedule (saved with the network; a fit with the same schedule continues). */
  schedule: SchedulePosition | undefined;
  private readonly owned: number[] = [];
  private rowBuffers: number[] = [];
  /** Every activation this network created (released by free(), also when building fails halfway). */
  private readonly acts: Activation[] = [];

  private constructor(readonly core: EngineCore, readonly settings: NetworkSettings) {
    this.fx = core.exports;
  }

  /** Allocates every block for `capacity` rows and initializes the weights; frees everything if a step fails. */
  static create(core: EngineCore, settings: NetworkSettings, capacity: number): NetworkState {
    const s = new NetworkState(core, settings);
    try {
      s.allocate();
      s.ensureCapacity(capacity);
      s.initialize();
    } catch (e) {
      s.free();
      throw e;
    }
    return s;
  }

  private alloc(bytes: number, list: number[] = this.owned): number {
    const p = this.core.arena.alloc(bytes);
    list.push(p);
    this.core.arena.f32.fill(0, p >> 2, (p >> 2) + Math.ceil(bytes / 4));
    return p;
  }

  /** Parameters, gradients and optimizer state: sized once. */
  private allocate(): void {
    const st = this.settings;
    const slots = momentSlots(st.optimizer.name);
    let fanIn: number = st.inputs;
    const defs = ACTIVATIONS as readonly ActivationDef[];
    for (const spec of st.specs) {
      const act = makeActivation(this.core, specObject(spec.activation));
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
      // Dense: W [in, out], b [out]. batchNorm and layerNorm: gamma (W, ones) and beta (b) [out]. Dropout: none.
      const kind = spec.kind;
      const nw = kind ? (kind === 'dropout' ? 0 : spec.units) : fanIn * spec.units, nb = kind === 'dropout' ? 0 : spec.units;
      const W = this.alloc(nw * 4), b = this.alloc(nb * 4);
      const rm = kind === 'batchNorm' ? this.alloc(spec.units * 8) : 0;
      if (kind) this.core.arena.f32.fill(1, W >> 2, (W >> 2) + nw);
      if (rm) this.core.arena.f32.fill(1, (rm >> 2) + spec.units, (rm >> 2) + 2 * spec.units); // running variance starts at 1
      const gW = this.alloc(nw * 4), gb = this.alloc(nb * 4), gP = this.alloc(Math.max(1, np) * 4);
      const opt: number[] = [];
      for (let s = 0; s < slots; s++) opt.push(this.alloc(nw * 4), this.alloc(nb * 4), this.alloc(Math.max(1, np) * 4));
      this.layers.push({ spec, act, def, id: defs.indexOf(def), in: fanIn, out: spec.units, W, b, gW, gb, gP, mask, lo, hi, np, hasPg, opt, nw, nb, rm });
      fanIn = spec.units;
    }
    this.plan = this.alloc(planBytes(this.layers.length));
    this.rng = this.alloc(16);
    this.diag = this.alloc(this.layers.length * 8);
    writePlanStatic(this.core.arena.f32.buffer, this.plan, { ...st, diag: this.diag, rng: this.rng, layers: this.layers });
  }

  /** Row buffers (activations, gradients, scratch) for `rows` rows; called at build and before larger batches. */
  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return;
    // Allocate, then swap: every new buffer is secured before the old ones go, so an OutOfMemoryError leaves the
    // network exactly as it was (still pointing at its old, live buffers).
    const { inputs, outputs } = this.settings;
    const rb: number[] = [];
    let maxWidth: number = inputs;
    let scratch = 0;
    const sb = this.fx.gemm_scratch_bytes;
    for (const l of this.layers) {
      maxWidth = Math.max(maxWidth, l.out);
      scratch = Math.max(scratch, sb(rows, l.out, l.in), sb(l.in, l.out, rows), sb(rows, l.in, l.out));
    }
    let layerBufs: { Z: number; Y: number; dZ: number; stat: number }[], s: number, dA: number, dB: number, xb: number, tb: number, lb: number, cb: number, wb: number;
    try {
      layerBufs = this.layers.map((l) => ({
        Z: this.alloc(rows * l.out * 4, rb), Y: this.alloc(rows * l.out * 4, rb), dZ: this.alloc(rows * l.out * 4, rb),
        // Statistics of the norm layers: batchNorm 3 x units (mean, var, 1 / std), layerNorm one per row.
        stat: l.spec.kind ? this.alloc((3 * l.out + rows) * 4, rb) : 0,
      }));
      s = this.alloc(Math.max(16, scratch), rb); dA = this.alloc(rows * maxWidth * 4, rb); dB = this.alloc(rows * maxWidth * 4, rb);
      xb = this.alloc(rows * inputs * 4, rb);
      tb = this.alloc(rows * outputs * 4, rb);
      lb = this.alloc(rows * 4, rb);
      cb = this.alloc(rows * 4, rb);
      wb = this.alloc(rows * 4, rb);
    } catch (e) {
      for (const p of rb) this.core.arena.release(p);
      throw e;
    }
    for (const p of this.rowBuffers) this.core.arena.release(p);
    this.rowBuffers = rb;
    this.xBuf = xb; this.tBuf = tb; this.lBuf = lb; this.cBuf = cb; this.wBuf = wb;
    this.yOut = layerBufs[layerBufs.length - 1]!.Y; // what net_output returns: the last (dense) layer's Y
    this.capacity = rows;
    writeRowPointers(this.core.arena.f32.buffer, this.plan, { rows, scratch: s, dA, dB, layers: layerBufs });
  }

  /** Seeded initialization in the wasm (bit-identical on every engine). */
  private initialize(): void {
    this.fx.rng_seed(this.rng, this.settings.seed);
    for (const l of this.layers) {
      if (l.spec.kind) continue; // gamma 1, beta 0: nothing drawn
      // The layer's own init, else the table row's default (He for the relu family, LeCun for selu), else Glorot.
      const kind = l.spec.init ?? l.def.init ?? 'glorotUniform';
      this.fx.init_weights(this.rng, l.W, l.in, l.out, INIT_CODES.get(kind)!);
    }
  }

  /** Releases every block and activation (idempotent). */
  free(): void {
    for (const p of [...this.owned, ...this.rowBuffers]) if (p >= 0) this.core.arena.release(p);
    for (const a of this.acts) a.dispose();
    this.acts.length = 0;
    this.owned.length = 0;
    this.rowBuffers = [];
  }

  /** Named, shaped, frozen views of every trainable parameter (weights, biases, trainable activation parameters). */
  parameters(): ParameterView[] {
    const out: ParameterView[] = [];
    const arena = this.core.arena;
    const view = (ptr: number, n: number) => () => new Float32Array(arena.memory.buffer, ptr, n);
    this.layers.forEach((l, i) => {
      const w = view(l.W, l.nw), b = view(l.b, l.nb);
      const on = this.isTrainable(i);
      const k = l.spec.kind;
      if (k === 'dropout') return;
      if (k) {
        out.push(frozenView(`${k}${i}.gamma`, [l.out], w, on), frozenView(`${k}${i}.beta`, [l.out], b, on));
        return;
      }
      out.push(frozenView(`dense${i}.weight`, [l.in, l.out], w, on));
      out.push(frozenView(`dense${i}.bias`, [l.out], b, on));
      const width = l.act.units ?? 1;
      l.def.params.forEach((p, k) => {
        if (!p.trainable) return; // fixed settings (leakyRelu slope, relu subgradient) are part of the layer spec
        const v = view(l.act.paramPtr + k * width * 4, width);
        out.push(frozenView(`dense${i}.${p.name}`, [width], v, on));
      });
    });
    return out;
  }

  /** Gradient blocks aligned with parameters() (copies, valid after net_gradients). */
  gradientCopies(): Float32Array[] {
    const buf = this.core.arena.memory.buffer;
    const out: Float32Array[] = [];
    for (const l of this.layers) {
      if (l.spec.kind === 'dropout') continue;
      out.push(new Float32Array(buf, l.gW, l.nw).slice(), new Float32Array(buf, l.gb, l.nb).slice());
      const width = l.act.units ?? 1;
      l.def.params.forEach((p, k) => {
        if (p.trainable) out.push(new Float32Array(buf, l.gP + k * width * 4, width).slice());
      });
    }
    return out;
  }

  /**
   * Copies `rows` rows from `start` into the row buffers; returns [targetsPtr, labelsPtr] (one of them 0). `check`:
   * throws the DataError of the first NaN or infinity of x (before the targets are copied; nothing else changed).
   */
  load(x: Float32Array, rows: number, y: PreparedTargets, start: number, check = false): [number, number] {
    const outputs = this.settings.outputs;
    const f32 = this.core.arena.f32;
    this.copyX(f32, x, rows, start, check);
    if (y.labels) {
      const l = y.labels.length === rows && start === 0 ? y.labels : y.labels.subarray(start, start + rows);
      new Int32Array(f32.buffer).set(l, this.lBuf >> 2);
      return [0, this.lBuf];
    }
    const t = y.targets!;
    const tw = start === 0 && t.length === rows * outputs;
    if (tw && t.length <= SMALL) copySmall(f32, t, this.tBuf >> 2);
    else f32.set(tw ? t : t.subarray(start * outputs, (start + rows) * outputs), this.tBuf >> 2);
    return [this.tBuf, 0];
  }

  /**
   * Rows start .. start + n of x into the input buffer, checked for NaN and infinities when `check`. A few values
   * (<= SMALL: a tiny network, a row or a few) are copied and checked by one JS loop (TypedArray#set and the wasm
   * call of checkCopied cost more at that size); more by TypedArray#set and checkCopied.
   */
  private copyX(f32: Float32Array, x: Float32Array, n: number, start: number, check: boolean): void {
    const inputs = this.settings.inputs;
    const v = n * inputs === x.length ? x : x.subarray(start * inputs, (start + n) * inputs);
    if (v.length > SMALL) {
      f32.set(v, this.xBuf >> 2);
      if (check) this.checkCopied(x, n, start);
      return;
    }
    const bad = copySmall(f32, v, this.xBuf >> 2);
    if (check && bad >= 0) throw nonFinite(x, start * inputs + bad, inputs, 'x');
  }

  /**
   * Throws the DataError of the first NaN or infinity among the `n` rows of x from row `start` just copied into the
   * input buffer (a read-only wasm scan, 4 values per step, instead of a JS loop over every value).
   */
  checkCopied(x: Float32Array, n: number, start: number): void {
    const inputs = this.settings.inputs;
    const i = this.fx.first_nonfinite(this.xBuf, n * inputs);
    if (i >= 0) throw nonFinite(x, start * inputs + i, inputs, 'x');
  }

  /** The network's outputs for `rows` rows of x, in chunks of the capacity (x checked here, chunk by chunk). */
  predict(x: Float32Array, rows: number): Float32Array {
    const { capacity, settings: { outputs } } = this;
    const out = new Float32Array(rows * outputs);
    const f32 = this.core.arena.f32; // no call below grows memory
    for (let s = 0; s < rows; s += capacity) {
      const n = Math.min(capacity, rows - s);
      this.copyX(f32, x, n, s, true);
      this.fx.net_forward(this.plan, this.xBuf, n);
      // A loop, not subarray + set: cheaper for the few values of a small call, noise next to a large forward pass.
      for (let i = 0, y = this.yOut >> 2, o = s * outputs; i < n * outputs; i++) out[o + i] = f32[y + i]!;
    }
    return out;
  }

  /** Points the loss of the next steps at row weights (f32[rows] at `ptr`), or back to unweighted (0). */
  setRowWeights(ptr: number): void {
    new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + H.SW] = ptr;
  }

  /**
   * Mean loss (and accuracy where the targets are classes) over checked inputs and targets; with `w` (checked, one
   * per row) the loss is weighted as in fit.
   */
  evaluate(x: Float32Array, rows: number, t: PreparedTargets, w?: Float32Array): { loss: number; accuracy?: number } {
    let loss = 0, correct = 0;
    for (let s = 0; s < rows; s += this.capacity) {
      const n = Math.min(this.capacity, rows - s);
      const [tp, lp] = this.load(x, n, t, s);
      if (w) { this.core.arena.f32.set(w.subarray(s, s + n), this.wBuf >> 2); this.setRowWeights(this.wBuf); }
      loss += this.fx.net_loss(this.plan, this.xBuf, tp, lp, n) * n;
      this.setRowWeights(0);
      if (t.classes) {
        new Int32Array(this.core.arena.f32.buffer).set(t.classes.subarray(s, s + n), this.cBuf >> 2);
        correct += this.fx.count_correct(this.fx.net_output(this.plan), this.cBuf, n, this.settings.outputs);
      }
    }
    return t.classes ? { loss: loss / rows, accuracy: correct / rows } : { loss: loss / rows };
  }

  /** Every block that training changes (parameters, optimizer moments, generator) plus the plan's step counters. */
  private stateRanges(): [number, number][] {
    const r: [number, number][] = [];
    for (const l of this.layers) {
      r.push([l.W, l.nw * 4], [l.b, l.nb * 4]);
      if (l.rm) r.push([l.rm, l.out * 8]);
      if (l.np > 0) r.push([l.act.paramPtr, l.np * 4]);
      for (const p of l.opt) r.push([p, this.core.arena.sizeOf(p)!]);
    }
    r.push([this.rng, 16], [this.plan + H.T * 4, 12]);
    return r;
  }

  /** Copies of the training state (bit for bit). */
  stateBlocks(): Uint8Array[] {
    const buf = this.core.arena.memory.buffer;
    return this.stateRanges().map(([p, n]) => new Uint8Array(buf, p, n).slice());
  }

  /** Puts back the training state saved by stateBlocks(). */
  restoreState(blocks: readonly Uint8Array[]): void {
    const bytes = new Uint8Array(this.core.arena.memory.buffer);
    this.stateRanges().forEach(([p], i) => bytes.set(blocks[i]!, p));
  }

  /** A description of the first non-finite parameter, or undefined when all are finite. */
  firstNonFinite(): string | undefined {
    for (const p of this.parameters()) {
      const d = p.data;
      for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return `${p.name}[${i}] is ${d[i]}`;
    }
    return undefined;
  }

  /**
   * The training state beyond the parameters, for saving: step count, bias-correction powers, learning rate in
   * effect and generator words from the plan, and views of every optimizer moment block (per layer, per slot:
   * weight, bias, and the activation's whole parameter block when it has one).
   */
  trainingState(): SavedTraining {
    const buf = this.core.arena.memory.buffer;
    const P = this.plan >> 2;
    const i32 = new Int32Array(buf), f32 = new Float32Array(buf), u32 = new Uint32Array(buf);
    const moments: { name: string; shape: number[]; data: Float32Array }[] = [];
    this.layers.forEach((l, i) => {
      const k = l.spec.kind;
      if (k === 'dropout') return;
      for (let s = 0; s * 3 < l.opt.length; s++) {
        const [mW, mb, mP] = l.opt.slice(s * 3, s * 3 + 3) as [number, number, number];
        const [pre, wn, bn] = k ? [`${k}${i}`, 'gamma', 'beta'] : [`dense${i}`, 'weight', 'bias'];
        moments.push({ name: `${pre}.${wn}.moment${s}`, shape: k ? [l.out] : [l.in, l.out], data: new Float32Array(buf, mW, l.nw) });
        moments.push({ name: `${pre}.${bn}.moment${s}`, shape: [l.out], data: new Float32Array(buf, mb, l.nb) });
        if (l.np > 0) moments.push({ name: `dense${i}.params.moment${s}`, shape: [l.np], data: new Float32Array(buf, mP, l.np) });
      }
    });
    const r = this.rng >> 2;
    return {
      training: {
        step: i32[P + H.T]!, beta1Power: f32[P + H.B1T]!, beta2Power: f32[P + H.B2T]!, learningRate: f32[P + H.LR]!,
        rng: [u32[r]!, u32[r + 1]!, u32[r + 2]!, u32[r + 3]!],
      },
      moments,
      ...(this.schedule ? { schedule: this.schedule } : {}),
    };
  }

  /** The batchNorm running statistics (views): `batchNorm<i>.runningMean` and `.runningVar`, [units] each. */
  buffers(): { name: string; shape: number[]; data: Float32Array }[] {
    const buf = this.core.arena.memory.buffer;
    return this.layers.filter((l) => l.rm).flatMap((l) => {
      const i = this.layers.indexOf(l);
      return [['runningMean', l.rm], ['runningVar', l.rm + l.out * 4]].map(([n, p]) =>
        ({ name: `batchNorm${i}.${n}`, shape: [l.out], data: new Float32Array(buf, p as number, l.out) }));
    });
  }

  /** Puts back a saved training state (checked by the loader against this network's layout). */
  restoreTraining(t: TrainingJSON, moments: readonly Float32Array[], schedule?: SchedulePosition): void {
    this.schedule = schedule;
    const views = this.trainingState().moments;
    views.forEach((v, i) => v.data.set(moments[i]!));
    const buf = this.core.arena.memory.buffer;
    const P = this.plan >> 2;
    const i32 = new Int32Array(buf), f32 = new Float32Array(buf), u32 = new Uint32Array(buf);
    i32[P + H.T] = t.step; f32[P + H.B1T] = t.beta1Power; f32[P + H.B2T] = t.beta2Power;
    // The learning rate in effect (the schedule position, version 4, is restored above).
    f32[P + H.LR] = t.learningRate;
    u32.set(t.rng, this.rng >> 2);
  }

  /** Whether layer `li` is updated by training (the plan's FROZEN word, read by net_train_step). */
  isTrainable(li: number): boolean {
    return new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + layerWord(li) + L.FROZEN] === 0;
  }

  /** Freezes (false) or unfreezes (true) layer `li` (checked by the caller). */
  setTrainable(li: number, on: boolean): void {
    new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + layerWord(li) + L.FROZEN] = on ? 0 : 1;
  }

  /** Turns the per-step gradient-norm accumulation on or off. */
  setDiagnostics(on: boolean): void {
    new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + H.DIAG_ON] = on ? 1 : 0;
  }

  /** Address of layer `li`'s pre-activations Z (valid after a forward pass). */
  preActivations(li: number): number {
    return new Int32Array(this.core.arena.memory.buffer)[(this.plan >> 2) + layerWord(li) + L.Z]!;
  }
}

/** A parameter view whose name, shape and trainable flag cannot be reassigned (strict-mode assignments throw). */
function frozenView(name: string, shape: number[], data: () => Float32Array, trainable: boolean): ParameterView {
  return Object.freeze({ name, shape: Object.freeze(shape), trainable, get data() { return data(); } });
}

/** Inputs and targets of at most this many values are copied by a JS loop (TypedArray#set costs more below it). */
const SMALL = 64;

/** Copies src to dst from `at`; returns the index of the first NaN or infinity of src (-1: all finite). */
function copySmall(dst: Float32Array, src: Float32Array, at: number): number {
  let bad = -1;
  for (let i = src.length - 1; i >= 0; i--) {
    const v = src[i]!;
    dst[at + i] = v;
    if (v - v !== 0) bad = i; // NaN - NaN and Inf - Inf are NaN; a finite v gives 0
  }
  return bad;
}
