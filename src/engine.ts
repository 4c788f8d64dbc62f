/**
 * The engine: one instance of rectify's WebAssembly module and the memory it owns. Everything (tensors,
 * activations, networks) hangs off an engine value; there is no global state.
 * @module
 */
import { Arena, type MemoryStats } from './arena.js';
import { Activation } from './activation.js';
import { activationNames, describe, findActivation, type ActivationName, type ActivationSpec } from './kernels.js';
import { DisposedError, InvalidArgumentError, UnknownActivationError } from './errors.js';
import { Tensor } from './tensor.js';
import { networkBuilder, type Network, type NetworkBuilder } from './network.js';
import { checkLoadOptions, parseSaved, rebuild, type LoadOptions, type NetworkJSON } from './serialize.js';
import {
  compileSource, defaultWasmUrl, instantiateModule, supportsRelaxedSimd, type BuildKind, type RawExports, type WasmSource,
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
   * (`rectify-twins.wasm`: the baseline kernels plus their scalar twins), loaded by default from next to this file;
   * where the module must be passed in (Workers), pass that build as `wasm`. Default false.
   */
  readonly scalar?: boolean;
}

/** @internal What activations, tensors and networks use of their engine. */
export interface EngineCore {
  readonly arena: Arena;
  readonly exports: RawExports;
  readonly finalizer: FinalizationRegistry<number> | undefined;
  readonly scalar: boolean;
  check(): void;
}

const MAX_MEMORY = 16384 * 65536;

/**
 * Loads the WebAssembly module and returns an engine.
 * @example
 * const engine = await createEngine();
 * const y = engine.activation('relu').forward(new Float32Array([-1, 2]));   // [0, 2]
 */
export function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return createEngineWith(options, defaultWasmUrl);
}

/**
 * @internal The shared core of every entry point. `defaults(kind)` is where the module comes from when the options
 * do not say: the files next to dist/index.js, or the Module imported by the Workers entry (dist/index.workerd.js).
 */
export async function createEngineWith(options: EngineOptions, defaults: (kind: BuildKind) => WasmSource | undefined): Promise<Engine> {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(`createEngine takes an options object, got ${describe(options)}`);
  }
  const wantRelaxed = options.relaxedSimd === true;
  const relaxed = wantRelaxed && supportsRelaxedSimd();
  let source: WasmSource | undefined;
  const scalar = options.scalar === true;
  if (relaxed) source = options.relaxedWasm ?? (options.wasm === undefined ? defaults('relaxed') : undefined);
  else source = options.wasm ?? defaults(scalar ? 'twins' : 'baseline');
  if (source === undefined && scalar && !relaxed) {
    throw new InvalidArgumentError("scalar: true here needs the twins build passed as wasm (import wasm from 'rectify/rectify-twins.wasm')");
  }
  if (source === undefined) {
    throw new InvalidArgumentError('relaxedSimd here needs the relaxed build passed as relaxedWasm ' +
      "(e.g. import relaxedWasm from 'rectify/rectify-relaxed.wasm')");
  }
  const mod = await compileSource(source);
  const exports = await instantiateModule(mod);
  const maxBytes = options.maxMemoryBytes ?? MAX_MEMORY;
  if (typeof maxBytes !== 'number' || !(maxBytes > 0) || maxBytes > MAX_MEMORY) {
    throw new InvalidArgumentError(`maxMemoryBytes must be in (0, ${MAX_MEMORY}], got ${describe(maxBytes)}`);
  }
  return new Engine(exports, relaxed, wantRelaxed && !relaxed, maxBytes, scalar);
}

/** An instance of rectify's WebAssembly module with its own memory. Create with {@link createEngine}. */
export class Engine implements EngineCore {
  /** @internal */ readonly arena: Arena;
  /** @internal */ readonly exports: RawExports;
  /** @internal */ readonly finalizer: FinalizationRegistry<number> | undefined;
  /** Whether the relaxed-SIMD build is in use. */
  readonly relaxedSimd: boolean;
  /** True when relaxed SIMD was asked for but this JavaScript engine does not support it (baseline in use). */
  readonly relaxedSimdUnavailable: boolean;
  /** Whether the scalar twins run instead of SIMD. */
  readonly scalar: boolean;
  private alive = true;

  /** @internal Use {@link createEngine}. */
  constructor(exports: RawExports, relaxed: boolean, unavailable: boolean, maxBytes: number, scalar: boolean) {
    this.exports = exports;
    this.relaxedSimd = relaxed;
    this.relaxedSimdUnavailable = unavailable;
    this.scalar = scalar;
    this.arena = new Arena(exports.memory, (exports.heap_base as () => number)(), maxBytes);
    // Tensors that are garbage-collected without dispose() give their memory back.
    this.finalizer = typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry<number>((ptr) => this.arena.release(ptr)) : undefined;
  }

  /**
   * An activation function with its parameters.
   * @param spec A name (`'relu'`) or a spec object (`{ name: 'elu', alpha: 0.5 }`); unknown names and parameters
   *   are compile errors in TypeScript and UnknownActivationError / InvalidParameterError at run time.
   */
  activation(spec: ActivationName | ActivationSpec): Activation {
    this.check();
    const obj: Record<string, unknown> = typeof spec === 'string' ? { name: spec } : (spec as unknown as Record<string, unknown>);
    if (obj === null || typeof obj !== 'object' || typeof obj.name !== 'string') {
      throw new UnknownActivationError(`an activation spec is a name or { name, ...parameters }, got ${describe(spec)}; ` +
        `valid names: ${activationNames().join(', ')}`, activationNames());
    }
    const def = findActivation(obj.name);
    if (!def) {
      throw new UnknownActivationError(`unknown activation "${obj.name}"; valid names: ${activationNames().join(', ')}`,
        activationNames());
    }
    return new Activation(this, def, obj);
  }

  /**
   * A tensor in the engine's memory: `engine.tensor(n)` (zeros) or `engine.tensor(values)` (a copy).
   * Pass it to kernels without copies; free it with `dispose()`.
   */
  tensor(init: number | ArrayLike<number>): Tensor {
    this.check();
    if (typeof init === 'number') {
      if (!Number.isInteger(init) || init < 0) throw new InvalidArgumentError(`tensor length must be a whole number >= 0, got ${init}`);
      const t = new Tensor(this, init);
      t.data.fill(0);
      return t;
    }
    if (init === null || typeof init !== 'object' || typeof (init as ArrayLike<number>).length !== 'number') {
      throw new InvalidArgumentError(`engine.tensor takes a length or an array of numbers, got ${describe(init)}`);
    }
    const t = new Tensor(this, init.length);
    t.data.set(init);
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
    const maxParameters = checkLoadOptions(options);
    // The arena keeps its limit private; the loader needs it to refuse a network that cannot fit before building.
    const limit = (this.arena as unknown as { readonly maxBytes: number }).maxBytes;
    const parsed = parseSaved(saved, { maxParameters, headroomBytes: limit - this.arena.stats().usedBytes });
    return rebuild((json, buildOptions) => {
      let b = this.network({ inputs: json.inputs, seed: json.seed }) as NetworkBuilder<number, number>;
      for (const l of json.layers) b = b.dense(l.units, l.activation as never, l.init ? { init: l.init } : {});
      return b.build(buildOptions);
    }, parsed);
  }

  /** Sizes and counters of the engine's memory. */
  memoryStats(): MemoryStats { return this.arena.stats(); }

  /** @internal Throws if disposed. */
  check(): void {
    if (!this.alive) throw new DisposedError('this engine was disposed; create a new one with createEngine()');
  }

  /** Drops the engine; its memory is released when nothing references it any more. */
  dispose(): void { this.alive = false; }
}
