/**
 * An activation bound to an engine: forward, derivative, backward and parameter gradients on Float32Arrays or
 * zero-copy tensors, all computed by the wasm kernels named in the kernel table.
 * @module
 */
import type { ActivationDef, ParamDef } from './activations/types.js';
import { checkParam } from './activation-table.js';
import { describe } from './util/describe.js';
import {
  DisposedError, DomainError, InvalidArgumentError, InvalidParameterError, KernelError, RectifyError, ShapeError,
} from './errors.js';
import { Tensor, detachedMessage, isDetached } from './tensor.js';
import type { EngineCore } from './core.js';
import type { ExportName } from './generated/abi.js';
import { kernelSet, variantsOf, type Variant } from './kernel-names.js';

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
export type { DomainPolicy } from './activations/types.js';
import type { DomainPolicy } from './activations/types.js';

/**
 * An activation function with its parameters, bound to an engine. Create with `engine.activation(spec)`.
 * Every method validates its input and throws a RectifyError subclass that says what to fix.
 */
export class Activation {
  // #private: a mistaken assignment (act.units = 8) cannot change what the kernels are told about the parameter block.
  readonly #def: ActivationDef;
  readonly #units: number | undefined;
  readonly #domain: DomainPolicy | undefined;
  readonly #core: EngineCore;
  readonly #pptr: number;
  readonly #pcount: number;
  #alive = true;
  /** Copies of the table row's kind and parameters: the kernel ABI and block sizes never follow a mutated table. */
  readonly #kind: ActivationDef['kind'];
  readonly #params: readonly ParamDef[];
  readonly #fwdName: ExportName;
  readonly #bwdName: ExportName;
  readonly #pgradName: ExportName | undefined;

  /** @internal Use `engine.activation(spec)`. */
  constructor(core: EngineCore, def: ActivationDef, spec: Record<string, unknown>) {
    this.#core = core;
    this.#def = def;
    this.#kind = def.kind;
    this.#params = def.params.map((p) => ({ ...p })); // #private copies: nothing outside can reach them
    const known = new Set(['name', ...def.params.map((p) => p.name), ...(def.perUnit ? ['units'] : []),
      ...(def.sigmoidDomain ? ['domain'] : [])]);
    for (const key of Object.keys(spec)) {
      if (!known.has(key)) {
        throw noParam(def.name, key, [...known].filter((k) => k !== 'name'));
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
    this.#units = units;
    if (def.sigmoidDomain) {
      const d = spec.domain ?? 'clamp';
      if (d !== 'clamp' && d !== 'sigmoid' && d !== 'strict') {
        throw new InvalidParameterError(`${def.name}: domain must be 'clamp', 'sigmoid' or 'strict', got ${describe(d)}`);
      }
      this.#domain = d;
    } else this.#domain = undefined;
    const width = units ?? 1;
    this.#pcount = def.params.length * width;
    const values = def.params.flatMap((p) => paramValues(def.name, p, spec[p.name] ?? p.default, width, units !== undefined));
    validateRelations(def, def.params.map((p, i) => [p.name, values[i * width]!] as const));
    // The kernels, from the export-name map generated from the table: per-unit parameters and sbaf's sigmoid policy
    // have their own kernels (<name>_pu_*, sbaf_sigmoid_*); clamp and strict share sbaf_*.
    const ks = kernelSetOf(def, units !== undefined ? 'perUnit' : this.#domain === 'sigmoid' ? 'sigmoidDomain' : 'none', core.scalar);
    this.#fwdName = ks.fwd;
    this.#bwdName = ks.bwd;
    this.#pgradName = ks.pgrad;
    this.#pptr = core.arena.alloc(Math.max(1, this.#pcount) * 4);
    core.arena.f32.set(values, this.#pptr >> 2);
    // An activation dropped without dispose() gives its parameter block back when it is garbage-collected.
    core.finalizer?.register(this, this.#pptr, this);
  }

  /** The kernel-table row. */
  get def(): ActivationDef { return this.#def; }

  /** Number of units when the parameters are per unit; undefined when shared. */
  get units(): number | undefined { return this.#units; }

  /** Domain policy (sbaf only). */
  get domain(): DomainPolicy | undefined { return this.#domain; }

  /** The activation's name (the table name, also when created through an alias). */
  get name(): string { return this.#def.name; }

  /** Current parameter values (copies): numbers for shared parameters, Float32Arrays per unit. */
  get params(): ParamValues {
    this.check();
    const out: ParamValues = {};
    const w = this.#units ?? 1;
    const f32 = this.#core.arena.f32;
    this.#params.forEach((p, i) => {
      const base = (this.#pptr >> 2) + i * w;
      out[p.name] = this.#units === undefined ? f32[base]! : f32.slice(base, base + w);
    });
    return out;
  }

  /** Sets parameter values (validated like the spec); on any error nothing changes. */
  setParams(values: Readonly<Record<string, number | ArrayLike<number>>>): void {
    this.check();
    if (arguments.length !== 1) throw new InvalidArgumentError(`${this.#def.name}.setParams(values) takes 1 argument, got ${arguments.length}`);
    if (values === null || typeof values !== 'object' || Array.isArray(values) || ArrayBuffer.isView(values)) {
      throw new InvalidArgumentError(`${this.#def.name}.setParams takes an object { name: value }, got ${describe(values)}`);
    }
    const w = this.#units ?? 1;
    const next = this.#core.arena.f32.slice(this.#pptr >> 2, (this.#pptr >> 2) + this.#pcount);
    for (const [k, v] of Object.entries(values)) {
      const i = this.#params.findIndex((p) => p.name === k);
      if (i < 0) {
        throw noParam(this.#def.name, k, this.#params.map((p) => p.name));
      }
      next.set(paramValues(this.#def.name, this.#params[i]!, v, w, true), i * w);
    }
    validateRelations(this.#def, this.#params.map((p, i) => [p.name, next[i * w]!] as const));
    this.#core.arena.f32.set(next, this.#pptr >> 2);
  }

  /** y = f(x). */
  forward(x: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  forward(x: Tensor, options?: CallOptions<Tensor>): Tensor;
  forward(x: Input, options?: CallOptions): Input {
    this.check();
    this.arity('forward(x, options?)', arguments.length, 1, 2);
    return this.run('forward', x, undefined, this.callOptions('forward', options, true)) as Input;
  }

  /** f'(x), element by element (for softmax/logSoftmax use `backward`, which applies the Jacobian). */
  derivative(x: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  derivative(x: Tensor, options?: CallOptions<Tensor>): Tensor;
  derivative(x: Input, options?: CallOptions): Input {
    this.check();
    this.arity('derivative(x, options?)', arguments.length, 1, 2);
    if (this.#kind === 'rowwise') {
      throw new InvalidArgumentError(`${this.#def.name} has a Jacobian, not an element-wise derivative; use backward(x, dy)`);
    }
    return this.run('derivative', x, undefined, this.callOptions('derivative', options, true)) as Input;
  }

  /** dx = dy * f'(x) (for softmax and logSoftmax: the row-wise vector-Jacobian product). */
  backward(x: Float32Array, dy: Float32Array, options?: CallOptions<Float32Array>): Float32Array;
  backward(x: Tensor, dy: Tensor, options?: CallOptions<Tensor>): Tensor;
  backward(x: Input, dy: Input, options?: CallOptions): Input {
    this.check();
    this.arity('backward(x, dy, options?)', arguments.length, 2, 3);
    return this.run('backward', x, dy, this.callOptions('backward', options, true)) as Input;
  }

  /**
   * Gradients of sum(dy * f(x)) with respect to each trainable parameter: a number for a shared parameter, a
   * Float32Array (one per unit) for per-unit parameters. Empty for activations without trainable parameters.
   */
  paramGrads(x: Input, dy: Input, options?: Omit<CallOptions, 'out'>): ParamValues {
    this.check();
    this.arity('paramGrads(x, dy, options?)', arguments.length, 2, 3);
    // Validated like a call with gradients, also when there is nothing to compute: a wrong call is wrong either way.
    return this.run('paramGrads', x, dy, this.callOptions('paramGrads', options, false)) as ParamValues;
  }

  /** Frees the parameter block. Later calls throw DisposedError; disposing twice is a no-op. */
  dispose(): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#core.finalizer?.unregister(this);
    this.#core.arena.release(this.#pptr);
  }

  /** @internal Address of the parameter block (networks train it in place). */
  get paramPtr(): number { return this.#pptr; }

  private check(): void {
    if (!this.#alive) throw new DisposedError(`this ${this.#def.name} activation was disposed`);
    this.#core.check();
  }

  /** Throws unless a method got between `min` and `max` arguments (a missing dy must never reach a kernel). */
  private arity(signature: string, got: number, min: number, max: number): void {
    if (got < min || got > max) {
      throw new InvalidArgumentError(`${this.#def.name}.${signature} takes ${min === max ? min : `${min} to ${max}`} ` +
        `arguments, got ${got}` + (got < min && min === 2 ? '; dy (as long as x) is required' : ''));
    }
  }

  /**
   * Checks a call's options object and returns a copy (read once: a getter cannot change it between checks). A
   * Float32Array or Tensor in its place is the `out` of a call written positionally: the message shows `{ out }`.
   */
  private callOptions(method: Method, options: unknown, allowOut: boolean): CallOptions {
    if (options === undefined) return {};
    const keys = allowOut ? ['out', 'rows', 'cols'] : ['rows', 'cols'];
    const signature = method === 'backward' || method === 'paramGrads' ? `${method}(x, dy, ` : `${method}(x, `;
    if (options instanceof Tensor || ArrayBuffer.isView(options)) {
      throw new InvalidArgumentError(`${this.#def.name}.${method}: the options argument is ${describeInput(options)}. ` +
        (allowOut ? `To write the result into it, pass it as { out }: ${signature}{ out })`
          : `${method} takes no out; options are { rows?, cols? }`));
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new InvalidArgumentError(`${this.#def.name}.${method}: options must be an object { ${keys.map((k) => `${k}?`).join(', ')} } ` +
        `or left out, got ${describe(options)}`);
    }
    const o = options as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (!keys.includes(key)) {
        throw new InvalidArgumentError(`${this.#def.name}.${method}: unknown option "${key}"; valid options: ${keys.join(', ')}` +
          (key === 'out' ? ` (${method} takes no out)` : ''));
      }
    }
    return { out: o.out as Input | undefined, rows: o.rows as number | undefined, cols: o.cols as number | undefined };
  }

  /**
   * Runs one call: validates every argument, then allocates, then calls the kernels. Tensors are used in place;
   * Float32Arrays are copied into scratch blocks that are freed at the end (also when something fails).
   */
  private run(method: Method, x: unknown, dy: unknown, options: CallOptions): Input | ParamValues {
    const core = this.#core;
    const name = this.#def.name;
    // 1. Validate, before any allocation or wasm call.
    const n = this.lengthOf(x, 'x');
    const { rows, cols } = this.shape(n, options);
    const hasDy = method === 'backward' || method === 'paramGrads';
    if (hasDy) {
      const m = this.lengthOf(dy, 'dy');
      if (m !== n) throw new ShapeError(`${name}: dy has ${m} elements but x has ${n}; they must match`);
    }
    const out = options.out;
    if (out !== undefined) {
      const m = this.lengthOf(out, 'out');
      if (m !== n) throw new ShapeError(`${name}: out has ${m} elements but x has ${n}`);
      if ((x instanceof Tensor) !== (out instanceof Tensor)) {
        throw new InvalidArgumentError(`${name}: out must be of the same kind as x (both Float32Array or both Tensor)`);
      }
      if (out instanceof Float32Array && out.buffer === core.arena.memory.buffer) {
        throw new InvalidArgumentError(`${name}: out is tensor.data, which may move; pass the Tensor as out`);
      }
    }
    if (this.#domain === 'strict') this.checkDomain(x as Input, n);
    const grad = method === 'paramGrads';
    if (grad && !this.#params.some((p) => p.trainable)) return {};
    const kernel = method === 'forward' ? this.#fwdName : method === 'paramGrads' ? this.#pgradName : this.#bwdName;
    const fn = (kernel === undefined ? undefined : core.exports[kernel]) as Fn | undefined;
    const rowwiseBwd = this.#kind === 'rowwise' && method === 'backward';
    const fwd = core.exports[this.#fwdName] as Fn | undefined;
    if (typeof fn !== 'function' || (rowwiseBwd && typeof fwd !== 'function')) {
      throw new InvalidArgumentError(`${name}: this build has no kernel ${typeof fn !== 'function' ? kernel : this.#fwdName}`);
    }
    // Float32Arrays that view the engine's own memory (tensor.data) are copied first: an allocation below may grow
    // the memory and detach them.
    const mem = core.arena.memory.buffer;
    const own = (v: Input): Input => (v instanceof Float32Array && v.buffer === mem ? v.slice() : v);
    const xs = own(x as Input);
    const dys = !hasDy ? undefined : dy === x ? xs : own(dy as Input);

    // 2. Allocate (scratch copies of arrays, the result), 3. call the kernels.
    const temps: number[] = [];
    let made: Tensor | undefined;
    const scratch = (): number => { const p = core.arena.alloc(n * 4); temps.push(p); return p; };
    const place = (v: Input): number => {
      if (v instanceof Tensor) return v.ptr;
      const p = scratch();
      core.arena.f32.set(v, p >> 2);
      return p;
    };
    try {
      const xp = place(xs);
      let sp = 0;
      if (method === 'derivative') {
        sp = scratch();
        core.arena.f32.fill(1, sp >> 2, (sp >> 2) + n);
      } else if (dys !== undefined) sp = dys === xs ? xp : place(dys);
      let g = 0;
      if (grad) g = core.arena.alloc(this.#params.length * (this.#units ?? 1) * 4), temps.push(g);
      // Row-wise backward takes the forward output y: it is computed first, into a scratch block.
      const yp = rowwiseBwd ? scratch() : 0;
      let result: Input | undefined;
      let op = 0;
      if (!grad) {
        if (out instanceof Tensor) { result = out; op = out.ptr; }
        else if (xs instanceof Tensor) { made = new Tensor(core, n); result = made; op = made.ptr; }
        else if (out !== undefined && out === x) { result = out; op = xp; }
        else { op = scratch(); result = out ?? new Float32Array(n); }
      }
      this.kernels(kernel, () => {
        let firstArg = xp;
        if (rowwiseBwd) {
          fwd!(xp, yp, rows, cols);
          firstArg = yp;
        }
        if (grad) this.call(fn, [firstArg, sp], rows, cols, n, g, true);
        else this.call(fn, method === 'forward' ? [firstArg] : [firstArg, sp], rows, cols, n, op, false);
      });
      if (grad) {
        const f32 = core.arena.f32;
        const w = this.#units ?? 1;
        const grads: ParamValues = {};
        this.#params.forEach((p, i) => {
          if (!p.trainable) return;
          const base = (g >> 2) + i * w;
          grads[p.name] = this.#units === undefined ? f32[base]! : f32.slice(base, base + w);
        });
        return grads;
      }
      if (!(result instanceof Tensor)) (result as Float32Array).set(core.arena.f32.subarray(op >> 2, (op >> 2) + n));
      made = undefined; // handed to the caller
      return result!;
    } finally {
      made?.dispose();
      for (const p of temps) core.arena.release(p);
    }
  }

  /** Runs kernel calls; a trap (which validation should make impossible) becomes a KernelError, never a RuntimeError. */
  private kernels(kernel: ExportName | undefined, body: () => void): void {
    try {
      body();
    } catch (e) {
      if (e instanceof RectifyError) throw e;
      throw new KernelError(`${this.#def.name}: kernel ${kernel} failed (${e instanceof Error ? e.message : String(e)}), a rectify bug (please report); create a new engine`);
    }
  }

  /** Calls a kernel with the ABI of its kind (see DEVELOPING.md). `target` is the output, or the gradient block. */
  private call(fn: Fn, ins: number[], rows: number, cols: number, n: number, target: number, isGrad: boolean): void {
    const size = this.#units !== undefined ? [rows, cols] : [n];
    if (this.#kind === 'rowwise') fn(...ins, target, rows, cols);
    else if (isGrad) fn(...ins, ...size, this.#pptr, target);
    else fn(...ins, target, ...size, this.#pptr);
  }

  private lengthOf(v: unknown, what: string): number {
    if (v instanceof Float32Array) {
      if (isDetached(v)) throw new InvalidArgumentError(`${this.#def.name}: ${detachedMessage(what)}`);
      // The intrinsic length: a subclass that overrides `length` cannot make the host copy past the array.
      return typedLength(v);
    }
    if (v instanceof Tensor) {
      if (!Tensor.isGenuine(v)) {
        throw new InvalidArgumentError(`${this.#def.name}: ${what} was not made by engine.tensor()`);
      }
      v.check();
      if (!v.belongsTo(this.#core)) throw new DisposedError(`${what} is a tensor of another engine; copy its data`);
      return v.length;
    }
    throw new InvalidArgumentError(`${this.#def.name}: ${what} must be a Float32Array or a Tensor, got ${describe(v)}` +
      (Array.isArray(v) ? '; convert it with Float32Array.from(...)' : ''));
  }

  private shape(n: number, o: CallOptions): { rows: number; cols: number } {
    const need = this.#kind === 'rowwise' || this.#units !== undefined;
    for (const k of ['rows', 'cols'] as const) {
      const v = o[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_DIM)) {
        throw new InvalidArgumentError(`${this.#def.name}: ${k} must be a whole number in [0, ${MAX_DIM}], got ${describe(v)}`);
      }
    }
    const cols = o.cols ?? this.#units ?? (o.rows !== undefined && o.rows > 0 ? n / o.rows : n);
    if (this.#units !== undefined && cols !== this.#units) {
      throw new ShapeError(`${this.#def.name} has ${this.#units} units but the input has ${cols} columns`);
    }
    if (!need) return { rows: 1, cols: n };
    if (!Number.isInteger(cols) || (cols === 0 && n > 0)) {
      throw new ShapeError(`${this.#def.name}: ${n} elements do not split into rows of equal length ${o.rows !== undefined ? `(rows = ${o.rows})` : ''}`);
    }
    const rows = o.rows ?? (cols === 0 ? 0 : n / cols);
    if (rows * cols !== n || !Number.isInteger(rows)) {
      throw new ShapeError(`${this.#def.name}: rows x cols = ${o.rows ?? '?'} x ${cols} does not match the ${n} elements of x`);
    }
    // rows x 0 (or 0 x cols) is an empty matrix: the kernels see no rows at all.
    return n === 0 ? { rows: 0, cols } : { rows, cols };
  }

  private checkDomain(x: Input, n: number): void {
    const data = x instanceof Tensor ? x.data : x;
    for (let i = 0; i < n; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) {
        throw new DomainError(`${this.#def.name} with domain 'strict' needs x in [0, 1]; x[${i}] = ${v}. Scale x or use domain 'clamp' or 'sigmoid'`);
      }
    }
  }
}

/** The public methods that run kernels. */
type Method = 'forward' | 'derivative' | 'backward' | 'paramGrads';

/** Largest rows or cols a call accepts (kernels take i32 counts). */
const MAX_DIM = 0x7fffffff;

/** describe() that names tensors. */
function describeInput(v: unknown): string {
  return Tensor.isGenuine(v) ? `a Tensor of length ${v.length}` : v instanceof Tensor ? 'a fake Tensor' : describe(v);
}

const typedArrayLength = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Float32Array.prototype) as object, 'length')!.get!;

/** The length of a typed array as the engine sees it, whatever its class overrides. */
function typedLength(v: Float32Array): number { return typedArrayLength.call(v) as number; }

/** The kernels of one variant of a row (InvalidParameterError if the row has no such variant). */
function kernelSetOf(def: ActivationDef, variant: Variant, scalar: boolean) {
  if (!variantsOf(def).includes(variant)) throw new InvalidParameterError(`${def.name} has no ${variant} kernels`);
  return kernelSet(def, variant, scalar);
}

/**
 * The `w` values of one parameter, each checked (InvalidParameterError): a number is repeated; an array-like of `w`
 * values is taken as is when `arrays` (per-unit parameters, setParams).
 */
function paramValues(name: string, p: ParamDef, v: unknown, w: number, arrays: boolean): number[] {
  const arr = (arrays && typeof v === 'object' && v !== null && typeof (v as ArrayLike<unknown>).length === 'number'
    ? v : new Array<unknown>(w).fill(v)) as ArrayLike<number>;
  if (arr.length !== w) throw new InvalidParameterError(`${name}: ${p.name} needs ${w} values, got ${arr.length}`);
  return Array.from({ length: w }, (_, j) => {
    const err = checkParam(p, arr[j]!);
    if (err) throw new InvalidParameterError(`${name}: ${p.name}${arr === v ? `[${j}]` : ''} ${err}`);
    return arr[j]!;
  });
}

/** The error for a parameter name the activation does not have. */
function noParam(name: string, key: string, names: string[]): InvalidParameterError {
  return new InvalidParameterError(`${name} has no parameter "${key}"; its parameters are: ${names.join(', ') || '(none)'}`);
}

/** Checks relations between parameters that single ranges cannot express (the row's `check`). */
function validateRelations(def: ActivationDef, params: readonly (readonly [string, number])[]): void {
  const err = def.check?.(Object.fromEntries(params));
  if (err !== undefined) throw new InvalidParameterError(`${def.name}: ${err}`);
}
