/**
 * An activation bound to an engine: forward, derivative, backward and parameter gradients on Float32Arrays or
 * zero-copy tensors, all computed by the wasm kernels named in the kernel table.
 * @module
 */
import type { ActivationDef } from './activations/types.js';
import { checkParam, describe } from './kernels.js';
import { DisposedError, DomainError, InvalidArgumentError, InvalidParameterError, ShapeError } from './errors.js';
import { Tensor } from './tensor.js';
import type { EngineCore } from './engine.js';

/** A Float32Array, or a tensor of the same engine (no copy). */
export type Input = Float32Array | Tensor;

/** Shape and output options of a call. */
export interface CallOptions<O extends Input = Input> {
  /** Where to write the result (may be the input itself: in-place). Default: a new array / tensor. */
  readonly out?: O;
  /** Rows of a rows x cols matrix (softmax, logSoftmax, per-unit parameters). Default: length / cols. */
  readonly rows?: number;
  /** Columns (row length / units). Default: the whole input is one row, or `units` for per-unit parameters. */
  readonly cols?: number;
}

/** Parameter values or gradients by name: a number for a shared parameter, a Float32Array for per-unit ones. */
export type ParamValues = Record<string, number | Float32Array>;

type Fn = (...args: number[]) => void;

/** Domain policies of activations that are real only on part of the line (sbaf). */
export type DomainPolicy = 'clamp' | 'sigmoid' | 'strict';

/**
 * An activation function with its parameters, bound to an engine. Create with `engine.activation(spec)`.
 * Every method validates its input and throws a RectifyError subclass that says what to fix.
 */
export class Activation {
  /** The kernel-table row. */
  readonly def: ActivationDef;
  /** Number of units when the parameters are per unit; undefined when shared. */
  readonly units: number | undefined;
  /** Domain policy (sbaf only). */
  readonly domain: DomainPolicy | undefined;
  private readonly pptr: number;
  private readonly pcount: number;
  private alive = true;
  private readonly fwdName: string;
  private readonly bwdName: string;
  private readonly pgradName: string;

  /** @internal Use `engine.activation(spec)`. */
  constructor(private readonly core: EngineCore, def: ActivationDef, spec: Record<string, unknown>) {
    this.def = def;
    const known = new Set(['name', ...def.params.map((p) => p.name), ...(def.perUnit ? ['units'] : []),
      ...(def.name === 'sbaf' ? ['domain'] : [])]);
    for (const key of Object.keys(spec)) {
      if (!known.has(key)) {
        throw new InvalidParameterError(`${def.name} has no parameter "${key}"; its parameters are: ` +
          `${[...known].filter((k) => k !== 'name').join(', ') || '(none)'}`);
      }
    }
    let units: number | undefined;
    if (def.perUnit && spec.units !== undefined) {
      const u = spec.units;
      if (typeof u !== 'number' || !Number.isInteger(u) || u < 1 || u > 1 << 24) {
        throw new InvalidParameterError(`${def.name}: units must be a whole number >= 1, got ${describe(u)}`);
      }
      units = u;
    }
    this.units = units;
    if (def.name === 'sbaf') {
      const d = spec.domain ?? 'clamp';
      if (d !== 'clamp' && d !== 'sigmoid' && d !== 'strict') {
        throw new InvalidParameterError(`sbaf: domain must be 'clamp', 'sigmoid' or 'strict', got ${describe(d)}`);
      }
      this.domain = d;
    } else this.domain = undefined;
    const width = units ?? 1;
    this.pcount = def.params.length * width;
    const values: number[] = [];
    for (const p of def.params) {
      const v = spec[p.name] ?? p.default;
      if (units !== undefined && typeof v === 'object' && v !== null && 'length' in v) {
        const arr = v as ArrayLike<number>;
        if (arr.length !== units) {
          throw new InvalidParameterError(`${def.name}: ${p.name} has ${arr.length} values but units is ${units}`);
        }
        for (let j = 0; j < units; j++) {
          const err = checkParam(p, arr[j]!);
          if (err) throw new InvalidParameterError(`${def.name}: ${p.name}[${j}] ${err}`);
          values.push(arr[j]!);
        }
      } else {
        const err = checkParam(p, v as number);
        if (err) throw new InvalidParameterError(`${def.name}: ${p.name} ${err}`);
        for (let j = 0; j < width; j++) values.push(v as number);
      }
    }
    validateRelations(def.name, def.params.map((p, i) => [p.name, values[i * width]!] as const));
    // sbaf's sigmoid policy has its own kernels (sbaf_sigmoid_*); clamp and strict share sbaf_*.
    const suffix = (units !== undefined ? '_pu' : '') + (this.domain === 'sigmoid' ? '_sigmoid' : '');
    this.fwdName = `${def.name}${suffix}_fwd${core.scalar ? '_scalar' : ''}`;
    this.bwdName = `${def.name}${suffix}_bwd${core.scalar ? '_scalar' : ''}`;
    this.pgradName = `${def.name}${suffix}_pgrad${core.scalar ? '_scalar' : ''}`;
    this.pptr = core.arena.alloc(Math.max(1, this.pcount) * 4);
    core.arena.f32.set(values, this.pptr >> 2);
  }

  /** The activation's name (the table name, also when created through an alias). */
  get name(): string { return this.def.name; }

  /** Current parameter values (copies): numbers for shared parameters, Float32Arrays per unit. */
  get params(): ParamValues {
    this.check();
    const out: ParamValues = {};
    const w = this.units ?? 1;
    const f32 = this.core.arena.f32;
    this.def.params.forEach((p, i) => {
      const base = (this.pptr >> 2) + i * w;
      out[p.name] = this.units === undefined ? f32[base]! : f32.slice(base, base + w);
    });
    return out;
  }

  /** Sets parameter values (validated like the spec). */
  setParams(values: Readonly<Record<string, number | ArrayLike<number>>>): void {
    this.check();
    const w = this.units ?? 1;
    const next = new Float32Array(this.core.arena.f32.buffer, this.pptr, this.pcount).slice();
    for (const [k, v] of Object.entries(values)) {
      const i = this.def.params.findIndex((p) => p.name === k);
      if (i < 0) throw new InvalidParameterError(`${this.def.name} has no parameter "${k}"`);
      const p = this.def.params[i]!;
      const arr = typeof v === 'number' ? new Array<number>(w).fill(v) : Array.from(v);
      if (arr.length !== w) throw new InvalidParameterError(`${this.def.name}: ${k} needs ${w} values, got ${arr.length}`);
      arr.forEach((x, j) => {
        const err = checkParam(p, x);
        if (err) throw new InvalidParameterError(`${this.def.name}: ${k} ${err}`);
        next[i * w + j] = x;
      });
    }
    validateRelations(this.def.name, this.def.params.map((p, i) => [p.name, next[i * w]!] as const));
    this.core.arena.f32.set(next, this.pptr >> 2);
  }

  /** y = f(x). */
  forward(x: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  forward(x: Tensor, options?: CallOptions<Tensor>): Tensor;
  forward(x: Input, options: CallOptions = {}): Input {
    this.check();
    return this.run(this.fwdName, x, undefined, options, false);
  }

  /** f'(x), element by element (for softmax/logSoftmax use `backward`, which applies the Jacobian). */
  derivative(x: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  derivative(x: Tensor, options?: CallOptions<Tensor>): Tensor;
  derivative(x: Input, options: CallOptions = {}): Input {
    this.check();
    if (this.def.kind === 'rowwise') {
      throw new InvalidArgumentError(`${this.def.name} has a Jacobian, not an element-wise derivative; use backward(x, dy)`);
    }
    return this.run(this.bwdName, x, 'ones', options, false);
  }

  /** dx = dy * f'(x) (for softmax and logSoftmax: the row-wise vector-Jacobian product). */
  backward(x: Float32Array, dy: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  backward(x: Tensor, dy: Tensor, options?: CallOptions<Tensor>): Tensor;
  backward(x: Input, dy: Input, options: CallOptions = {}): Input {
    this.check();
    return this.run(this.bwdName, x, dy, options, false);
  }

  /**
   * Gradients of sum(dy * f(x)) with respect to each trainable parameter: a number for a shared parameter, a
   * Float32Array (one per unit) for per-unit parameters. Empty for activations without trainable parameters.
   */
  paramGrads(x: Input, dy: Input, options: Omit<CallOptions, 'out'> = {}): ParamValues {
    this.check();
    if (!this.def.params.some((p) => p.trainable)) return {};
    const w = this.units ?? 1;
    const g = this.core.arena.alloc(this.def.params.length * w * 4);
    try {
      this.run(this.pgradName, x, dy, options, g);
      const f32 = this.core.arena.f32;
      const out: ParamValues = {};
      this.def.params.forEach((p, i) => {
        if (!p.trainable) return;
        const base = (g >> 2) + i * w;
        out[p.name] = this.units === undefined ? f32[base]! : f32.slice(base, base + w);
      });
      return out;
    } finally {
      this.core.arena.release(g);
    }
  }

  /** Frees the parameter block. Later calls throw DisposedError. */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    this.core.arena.release(this.pptr);
  }

  /** @internal Address of the parameter block (networks train it in place). */
  get paramPtr(): number { return this.pptr; }

  private check(): void {
    if (!this.alive) throw new DisposedError(`this ${this.def.name} activation was disposed`);
    this.core.check();
  }

  /**
   * Runs one kernel. `second`: undefined (forward), 'ones' (derivative) or dy. `grad`: false, or the address of the
   * parameter-gradient block (then the kernel writes gradients, not an output array).
   */
  private run(kernel: string, x: Input, second: Input | 'ones' | undefined, options: CallOptions, grad: number | false): Input {
    const core = this.core;
    const n = this.lengthOf(x, 'x');
    const { rows, cols } = this.shape(n, options);
    if (second !== undefined && second !== 'ones' && this.lengthOf(second, 'dy') !== n) {
      throw new ShapeError(`${this.def.name}: dy has ${this.lengthOf(second, 'dy')} elements but x has ${n}; they must match`);
    }
    const out = options.out;
    if (out !== undefined && grad === false) {
      if (this.lengthOf(out, 'out') !== n) throw new ShapeError(`${this.def.name}: out has ${out.length} elements but x has ${n}`);
      if ((x instanceof Tensor) !== (out instanceof Tensor)) {
        throw new InvalidArgumentError(`${this.def.name}: out must be of the same kind as x (both Float32Array or both Tensor)`);
      }
    }
    if (this.domain === 'strict') this.checkDomain(x, n);
    const fn = core.exports[kernel] as Fn | undefined;
    if (typeof fn !== 'function') throw new InvalidArgumentError(`${this.def.name}: this build has no kernel ${kernel}`);

    // Inputs: tensors are used in place; arrays are copied into scratch blocks freed at the end.
    const temps: number[] = [];
    const place = (v: Input): number => {
      if (v instanceof Tensor) return v.ptr;
      const p = core.arena.alloc(n * 4);
      temps.push(p);
      core.arena.f32.set(v, p >> 2);
      return p;
    };
    try {
      const xp = place(x);
      let sp = 0;
      if (second === 'ones') {
        sp = core.arena.alloc(n * 4);
        temps.push(sp);
        core.arena.f32.fill(1, sp >> 2, (sp >> 2) + n);
      } else if (second !== undefined) sp = second === x ? xp : place(second);
      // Row-wise backward takes the forward output y: compute it first into a scratch block.
      let firstArg = xp;
      if (this.def.kind === 'rowwise' && second !== undefined) {
        const yp = core.arena.alloc(n * 4);
        temps.push(yp);
        (core.exports[this.fwdName] as Fn)(xp, yp, rows, cols);
        firstArg = yp;
      }
      if (grad !== false) {
        this.call(fn, [firstArg, sp], rows, cols, n, grad, true);
        return x;
      }
      let result: Input;
      let op: number;
      if (out instanceof Tensor) { out.check(); result = out; op = out.ptr; }
      else if (x instanceof Tensor) { result = new Tensor(core, n); op = (result as Tensor).ptr; }
      else if (out !== undefined && out === x) { result = out; op = xp; }
      else { op = core.arena.alloc(n * 4); temps.push(op); result = out ?? new Float32Array(n); }
      this.call(fn, second === undefined ? [firstArg] : [firstArg, sp], rows, cols, n, op, false);
      if (!(result instanceof Tensor)) (result as Float32Array).set(core.arena.f32.subarray(op >> 2, (op >> 2) + n));
      return result;
    } finally {
      for (const p of temps) core.arena.release(p);
    }
  }

  /** Calls a kernel with the ABI of its kind (see DEVELOPING.md). `target` is the output, or the gradient block. */
  private call(fn: Fn, ins: number[], rows: number, cols: number, n: number, target: number, isGrad: boolean): void {
    const size = this.units !== undefined ? [rows, cols] : [n];
    if (this.def.kind === 'rowwise') fn(...ins, target, rows, cols);
    else if (isGrad) fn(...ins, ...size, this.pptr, target);
    else fn(...ins, target, ...size, this.pptr);
  }

  private lengthOf(v: unknown, what: string): number {
    if (v instanceof Float32Array) return v.length;
    if (v instanceof Tensor) {
      v.check();
      if (!v.belongsTo(this.core)) throw new DisposedError(`${what} is a tensor of another engine; copy its data`);
      return v.length;
    }
    throw new InvalidArgumentError(`${this.def.name}: ${what} must be a Float32Array or a Tensor, got ${describe(v)}` +
      (Array.isArray(v) ? '; convert it with Float32Array.from(...)' : ''));
  }

  private shape(n: number, o: CallOptions): { rows: number; cols: number } {
    const need = this.def.kind === 'rowwise' || this.units !== undefined;
    for (const k of ['rows', 'cols'] as const) {
      const v = o[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
        throw new InvalidArgumentError(`${this.def.name}: ${k} must be a whole number >= 0, got ${describe(v)}`);
      }
    }
    const cols = o.cols ?? this.units ?? (o.rows !== undefined && o.rows > 0 ? n / o.rows : n);
    if (this.units !== undefined && cols !== this.units) {
      throw new ShapeError(`${this.def.name} has ${this.units} units but the input has ${cols} columns`);
    }
    if (!need) return { rows: 1, cols: n };
    if (!Number.isInteger(cols) || (cols === 0 && n > 0)) {
      throw new ShapeError(`${this.def.name}: ${n} elements do not split into rows of equal length ${o.rows !== undefined ? `(rows = ${o.rows})` : ''}`);
    }
    const rows = o.rows ?? (cols === 0 ? 0 : n / cols);
    if (rows * cols !== n || !Number.isInteger(rows)) {
      throw new ShapeError(`${this.def.name}: rows x cols = ${o.rows ?? '?'} x ${cols} does not match the ${n} elements of x`);
    }
    return { rows, cols };
  }

  private checkDomain(x: Input, n: number): void {
    const data = x instanceof Tensor ? x.data : x;
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new DomainError(`${this.def.name} with domain 'strict' is defined on [0, 1] only; x[${i}] = ${v}. ` +
          "Scale your inputs, or use domain: 'clamp' or 'sigmoid'");
      }
    }
  }
}

/** Checks relations between parameters that single ranges cannot express. */
function validateRelations(name: string, params: readonly (readonly [string, number])[]): void {
  const m = new Map(params);
  if (name === 'hardTanh' && !(m.get('minVal')! < m.get('maxVal')!)) {
    throw new InvalidParameterError(`hardTanh: minVal (${m.get('minVal')}) must be less than maxVal (${m.get('maxVal')})`);
  }
}
