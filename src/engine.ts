/**
 * The engine: one instance of rectify's WebAssembly module and the memory it owns. Everything (tensors,
 * activations, networks) hangs off an engine value; there is no global state.
 * @module
 */
import { Arena, type MemoryStats } from './arena.js';
import type { Activation } from './activation.js';
import { hostKernels } from './kernel-names.js';
import type { EngineCore } from './core.js';
import type { ExportName, WasmExports } from './generated/abi.js';
import { makeActivation } from './make-activation.js';
import {
  ACTIVATIONS, activationNames, findActivation, type ActivationDef, type ActivationName, type ActivationSpec,
} from './activation-table.js';
import { describe } from './util/describe.js';
import { checkKeys } from './network/options.js';
import { DisposedError, InvalidArgumentError, OutOfMemoryError, UnknownActivationError, WorkerThreadError } from './errors.js';
import { autoThreads, ctlBytes, threadsProblem, workerClass, type Pool } from './threads.js';
import { Tensor, detachedMessage, isDetached } from './tensor.js';
import { networkBuilder, type NetworkBuilder } from './network/builder.js';
import type { Network } from './network/network.js';
import type { LoadOptions, NetworkJSON } from './serialize/format.js';
import { loadNetwork } from './serialize/load.js';
import {
  checkExports, compileSource, defaultWasmUrl, instantiateModule, supportsRelaxedSimd, wasmSourceProblem,
  type BuildKind, type WasmSource,
} from './wasm.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * The baseline module: a precompiled WebAssembly.Module (required on Cloudflare Workers and Vercel Edge), its bytes,
   * a Response, or a URL. Default: `rectify.wasm` next to this file.
   */
  readonly wasm?: WasmSource;
  /**
   * Use the relaxed-SIMD build (fused multiply-add): faster, but results are no longer bit-identical across engines.
   * Used only where the engine validates relaxed SIMD; otherwise the baseline build is used and
   * `engine.relaxedSimd` is false. Default false.
   */
  readonly relaxedSimd?: boolean;
  /** The relaxed module, when `wasm` is given and `relaxedSimd` is true. Default: `rectify-relaxed.wasm` next to this file. */
  readonly relaxedWasm?: WasmSource;
  /** Upper bound of the WebAssembly memory in bytes (default and maximum 1 GiB). */
  readonly maxMemoryBytes?: number;
  /**
   * Run the scalar twins of every kernel instead of SIMD (for tests and comparisons). They live in the twins build
   * (`dist/rectify-twins.wasm`: the baseline kernels plus their scalar twins), which `npm run build` makes in the
   * repository and the npm package does not ship; it is loaded by default from next to this file; where the module
   * must be passed in (Workers), pass that build as `wasm`. Default false.
   */
  readonly scalar?: boolean;
  /**
   * Worker threads sharing the engine's memory: a number (1 = none) or `'auto'` (the logical processors, at most 16).
   * Results are bit-identical at any thread count. Where threads cannot run (no SharedArrayBuffer, a page that is not
   * cross-origin isolated, no Worker: Cloudflare Workers, Vercel Edge), or with `relaxedSimd` or `scalar`, the engine
   * runs on one thread and `engine.threadsUnavailableReason` says why. Default 1.
   */
  readonly threads?: number | 'auto';
  /** The threads build, when `wasm` is given and `threads` > 1. Default: `rectify-threads.wasm` next to this file. */
  readonly threadsWasm?: WasmSource;
}

const MAX_MEMORY = 16384 * 65536;

/**
 * Loads the WebAssembly module and returns an engine.
 * @example
 * const engine = await createEngine();
 * const y = engine.activation('relu').forward(new Float32Array([-1, 2]));   // [0, 2]
 */
export function createEngine(options?: EngineOptions): Promise<Engine> {
  return createEngineWith(options as EngineOptions, defaultWasmUrl);
}

/**
 * @internal The shared core of every entry point. `defaults(kind)` is where the module comes from when the options
 * do not say: the files next to dist/index.js, or the Module imported by the Workers entry (dist/index.workerd.js).
 */
export async function createEngineWith(options: EngineOptions, defaults: (kind: BuildKind) => WasmSource | undefined): Promise<Engine> {
  // Everything the options say is checked before anything is loaded.
  const o = checkEngineOptions(options);
  const wantRelaxed = o.relaxedSimd === true;
  const relaxed = wantRelaxed && supportsRelaxedSimd();
  let source: WasmSource | undefined;
  const scalar = o.scalar === true;
  if (relaxed) source = o.relaxedWasm ?? (o.wasm === undefined ? defaults('relaxed') : undefined);
  else source = o.wasm ?? defaults(scalar ? 'twins' : 'baseline');
  if (source === undefined && scalar && !relaxed) {
    throw new InvalidArgumentError('scalar: true here needs the twins build as wasm (dist/rectify-twins.wasm of `npm run build`)');
  }
  if (source === undefined) {
    throw new InvalidArgumentError("relaxedSimd here needs relaxedWasm ('rectify/rectify-relaxed.wasm')");
  }
  const maxBytes = o.maxMemoryBytes ?? MAX_MEMORY;
  const want = o.threads === 'auto' ? autoThreads() : o.threads ?? 1;
  let why = want <= 1 ? undefined : wantRelaxed || scalar ? 'relaxedSimd and scalar run on one thread'
    : threadsProblem();
  const threadsSource = want > 1 && why === undefined ? o.threadsWasm ?? (o.wasm === undefined ? defaults('threads') : undefined) : undefined;
  if (want > 1 && why === undefined && threadsSource === undefined) why = 'no threadsWasm was passed';
  if (threadsSource !== undefined) {
    // The threads build over a shared memory, and n - 1 workers; if they cannot start, one thread and the reason.
    const mod = await compileSource(threadsSource);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: Math.ceil(maxBytes / 65536), shared: true } as WebAssembly.MemoryDescriptor);
    const exports = checkExports(await instantiateModule(mod, { env: { memory } }), [...requiredKernels(false), 'threads_setup'], requiredKernels(false));
    const engine = new Engine(exports, false, false, maxBytes, false);
    const ctl = engine.arena.alloc(ctlBytes(want));
    engine.arena.f32.fill(0, ctl >> 2, (ctl + ctlBytes(want)) >> 2);
    const { startPool } = await import('./threads-pool.js'); // only engines with threads fetch the pool
    const pool = await startPool(mod, memory, ctl, want, workerClass());
    if (typeof pool === 'string') why = pool;
    else {
      exports.threads_setup(ctl, want);
      engine.setThreads(want, pool);
      return engine;
    }
  }
  const mod = await compileSource(source);
  const exports = checkExports(await instantiateModule(mod), requiredKernels(scalar), requiredKernels(false));
  const engine = new Engine(exports, relaxed, wantRelaxed && !relaxed, maxBytes, scalar);
  engine.setThreads(1, undefined, why);
  return engine;
}

/** Checks a tensor length: a whole number >= 0 that fits in the engine's memory limit. */
function checkLength(n: unknown, what: string, arena: Arena): asserts n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(`${what} must be a whole number >= 0, got ${describe(n)}`);
  }
  if (n * 4 > arena.maxBytes) {
    throw new OutOfMemoryError(`${what} ${n} needs ${n * 4} bytes, over the maxMemoryBytes limit ${arena.maxBytes}; use a smaller tensor`);
  }
}

/** The values of `engine.tensor(values)` as a Float32Array copy; throws InvalidArgumentError for anything else. */
function numbersOf(init: unknown, arena: Arena): Float32Array {
  if (init === null || typeof init !== 'object') {
    throw new InvalidArgumentError(`engine.tensor takes a length or an array of numbers, got ${describe(init)}`);
  }
  if (init instanceof Tensor) {
    if (!Tensor.isGenuine(init)) throw new InvalidArgumentError('engine.tensor: values was not made by engine.tensor()');
    return init.toArray(); // a copy (DisposedError if it was disposed)
  }
  if (init instanceof BigInt64Array || init instanceof BigUint64Array) {
    throw new InvalidArgumentError(`engine.tensor takes numbers, got ${describe(init)}; convert the BigInts to numbers first`);
  }
  const length = (init as { length?: unknown }).length;
  if (typeof length !== 'number') {
    throw new InvalidArgumentError(`engine.tensor takes a length or an array of numbers, got ${describe(init)}`);
  }
  if (ArrayBuffer.isView(init) && isDetached(init)) throw new InvalidArgumentError(`engine.tensor: ${detachedMessage('values')}`);
  checkLength(length, 'engine.tensor: the length of values', arena);
  if (ArrayBuffer.isView(init)) return new Float32Array(init as unknown as ArrayLike<number>); // numbers by type
  const src = init as ArrayLike<unknown>;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = src[i];
    if (typeof v !== 'number') {
      throw new InvalidArgumentError(`engine.tensor: values[${i}] is ${describe(v)}, not a number` +
        (v === undefined && Array.isArray(src) ? ' (a hole in a sparse array?)' : ''));
    }
    out[i] = v;
  }
  return out;
}

const ENGINE_OPTIONS = ['wasm', 'relaxedSimd', 'relaxedWasm', 'maxMemoryBytes', 'scalar', 'threads', 'threadsWasm'] as const;

/** Validates createEngine's options: an object with known keys of the right types. */
function checkEngineOptions(options: unknown): EngineOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new InvalidArgumentError(`createEngine takes an options object { ${ENGINE_OPTIONS.join('?, ')}? }, got ${describe(options)}`);
  }
  const o: Record<string, unknown> = { ...options };
  checkKeys(o, ENGINE_OPTIONS, 'createEngine');
  for (const key of ['relaxedSimd', 'scalar'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') {
      throw new InvalidArgumentError(`createEngine: ${key} must be true or false, got ${describe(o[key])}`);
    }
  }
  const t = o.threads;
  if (t !== undefined && t !== 'auto' && !(Number.isInteger(t) && (t as number) >= 1 && (t as number) <= 64)) {
    throw new InvalidArgumentError(`createEngine: threads must be a whole number in [1, 64] or 'auto', got ${describe(t)}`);
  }
  for (const key of ['wasm', 'relaxedWasm', 'threadsWasm'] as const) {
    if (o[key] === undefined) continue;
    const problem = wasmSourceProblem(o[key]);
    if (problem !== undefined) throw new InvalidArgumentError(`createEngine: ${key}: ${problem}`);
  }
  const maxBytes = o.maxMemoryBytes;
  if (maxBytes !== undefined && (typeof maxBytes !== 'number' || !(maxBytes > 0) || maxBytes > MAX_MEMORY)) {
    throw new InvalidArgumentError(`createEngine: maxMemoryBytes must be a number in (0, ${MAX_MEMORY}], got ${describe(maxBytes)}`);
  }
  if (o.scalar === true && o.relaxedSimd === true) {
    throw new InvalidArgumentError('createEngine: scalar and relaxedSimd cannot be combined; drop one of them');
  }
  return o as EngineOptions; // a copy, read once: a getter cannot answer differently after the checks
}

/** The kernels the host calls, so that a module without them fails at load with the missing name. */
function requiredKernels(scalar: boolean): string[] {
  return hostKernels(ACTIVATIONS as readonly ActivationDef[], scalar);
}

/** An instance of rectify's WebAssembly module with its own memory. Create with {@link createEngine}. */
export class Engine implements EngineCore {
  // #private (with getters): what the kernels are told about memory cannot be reassigned from outside.
  readonly #arena: Arena;
  readonly #exports: WasmExports;
  readonly #finalizer: FinalizationRegistry<number> | undefined;
  /** Whether the relaxed-SIMD build is in use. */
  readonly relaxedSimd: boolean;
  /** True when relaxed SIMD was asked for but this JavaScript engine does not support it (baseline in use). */
  readonly relaxedSimdUnavailable: boolean;
  /** Whether the scalar twins run instead of SIMD. */
  readonly scalar: boolean;
  #threads = 1;
  #why: string | undefined;
  #alive = true;
  #pool: Pool | undefined;

  /** @internal Use {@link createEngine}. */
  constructor(exports: WasmExports, relaxed: boolean, unavailable: boolean, maxBytes: number, scalar: boolean) {
    this.#exports = exports;
    this.relaxedSimd = relaxed;
    this.relaxedSimdUnavailable = unavailable;
    this.scalar = scalar;
    this.#arena = new Arena(exports.memory, exports.heap_base(), maxBytes);
    // Tensors that are garbage-collected without dispose() give their memory back.
    const arena = this.#arena;
    this.#finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<number>((ptr) => arena.release(ptr)) : undefined;
  }

  /** @internal The arena that owns the memory. */
  get arena(): Arena { return this.#arena; }

  /** @internal The module's exports, typed (src/generated/abi.ts). */
  get exports(): WasmExports { return this.#exports; }

  /** @internal Releases the blocks of tensors and activations that are garbage-collected without dispose(). */
  get finalizer(): FinalizationRegistry<number> | undefined { return this.#finalizer; }

  /**
   * An activation function with its parameters.
   * @param spec A name (`'relu'`) or a spec object (`{ name: 'elu', alpha: 0.5 }`); unknown names and parameters
   *   are compile errors in TypeScript and UnknownActivationError / InvalidParameterError at run time.
   */
  activation(spec: ActivationName | ActivationSpec): Activation {
    return makeActivation(this, spec);
  }

  /**
   * A tensor in the engine's memory: `engine.tensor(n)` (zeros) or `engine.tensor(values)` (a copy).
   * Pass it to kernels without copies; free it with `dispose()`.
   */
  tensor(init: number | ArrayLike<number>): Tensor {
    this.check();
    if (arguments.length !== 1) {
      throw new InvalidArgumentError(`engine.tensor takes one argument (a length or an array of numbers), got ${arguments.length}`);
    }
    if (typeof init === 'number') {
      checkLength(init, 'tensor length', this.arena);
      const t = new Tensor(this, init);
      t.data.fill(0);
      return t;
    }
    // Everything is checked, and the values are copied out of `init`, before anything is allocated: an allocation
    // may grow the memory, which detaches a view of it (another tensor's data).
    const values = numbersOf(init, this.arena);
    const t = new Tensor(this, values.length);
    t.data.set(values);
    return t;
  }

  /**
   * Starts a dense network: `engine.network({ inputs: 784, seed: 7 }).dense(128, 'relu').dense(10, 'softmax')
   * .build({ loss: 'crossEntropy' })`. The seed fixes initialization and shuffling, bit for bit on every engine.
   */
  network<I extends number>(options: { inputs: I; seed?: number }): NetworkBuilder<I, I> {
    this.check();
    return networkBuilder(this, options);
  }

  /**
   * Restores a network saved with `net.toJSON()` (object or string) or `net.save()` (bytes), bit for bit. Version 2
   * files carry a CRC-32 that must match; version 1 files (no checksum) still load. Everything is checked before
   * anything is allocated: a corrupt, truncated, hostile or oversized input throws ModelFormatError (a network that
   * is valid but does not fit in the engine's memory limit: OutOfMemoryError), and the engine's memory is unchanged.
   * @param options `maxParameters`: the most parameters the file may describe (default 2^24 = 16,777,216).
   */
  loadNetwork(saved: NetworkJSON | string | Uint8Array | ArrayBuffer, options?: LoadOptions): Network {
    this.check();
    return loadNetwork(this, saved, options);
  }

  /** Sizes and counters of the engine's memory. */
  memoryStats(): MemoryStats { return this.arena.stats(); }

  /** @internal Throws if disposed. */
  check(): void {
    if (!this.#alive) throw new DisposedError('this engine was disposed; create a new one with createEngine()');
    const dead = this.#pool?.dead;
    if (dead !== undefined) throw new WorkerThreadError(`${dead}; this engine cannot run any more: dispose it and create a new one`);
  }

  /** Threads that run this engine's work (1: no worker threads). Results are the same bits at any count. */
  get threads(): number { return this.#threads; }

  /** Why the engine runs on one thread although `threads` > 1 was asked for; undefined otherwise. */
  get threadsUnavailableReason(): string | undefined { return this.#why; }

  /** @internal The worker threads, or why there are none (createEngine). */
  setThreads(n: number, pool: Pool | undefined, why?: string): void { this.#threads = n; this.#pool = pool; this.#why = why; }

  /** @internal The worker pool, for the lifecycle tests. */
  get pool(): Pool | undefined { return this.#pool; }

  /** Drops the engine and terminates its worker threads; its memory is released when nothing references it any more. */
  dispose(): void { this.#alive = false; this.#pool?.dispose(); }
}
