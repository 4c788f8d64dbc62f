/**
 * What activations, tensors and networks use of their engine: its memory, its kernels, its finalizer and its
 * liveness check. They depend on this interface, never on the `Engine` class, so src/ has no import circle.
 * @module
 */
import type { Arena } from './arena.js';
import type { WasmExports } from './generated/abi.js';

/** @internal The engine as its activations, tensors and networks see it (the `Engine` class implements it). */
export interface EngineCore {
  /** The engine's memory allocator (the only owner of `memory.grow`). */
  readonly arena: Arena;
  /** The instantiated module's exports, typed (generated from the AssemblyScript signatures). */
  readonly exports: WasmExports;
  /** Frees tensors that are garbage-collected without dispose() (undefined where the runtime has none). */
  readonly finalizer: FinalizationRegistry<number> | undefined;
  /** Whether the scalar twins run instead of the SIMD kernels. */
  readonly scalar: boolean;
  /** Throws DisposedError when the engine was disposed. */
  check(): void;
}
