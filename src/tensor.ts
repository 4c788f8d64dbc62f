/**
 * Tensors: Float32Array data living in the engine's WebAssembly memory, passed to kernels without copies.
 * @module
 */
import type { Arena } from './arena.js';
import { DisposedError } from './errors.js';

/** @internal What a tensor needs from its engine. */
export interface TensorOwner {
  readonly arena: Arena;
  readonly finalizer: FinalizationRegistry<number> | undefined;
}

/**
 * A block of `length` f32 values in the engine's memory. `data` is a zero-copy view; read it again after any call
 * that may allocate (the view is re-derived when the memory grows, so a stale view is never handed out).
 */
export class Tensor {
  // #private: `t.length = n` cannot make a kernel read or write past the block.
  readonly #ptr: number;
  readonly #length: number;
  readonly #owner: TensorOwner;
  #view: Float32Array;
  #alive = true;

  /** @internal Use `engine.tensor(...)`. */
  constructor(owner: TensorOwner, length: number) {
    this.#owner = owner;
    this.#length = length;
    this.#ptr = owner.arena.alloc(length * 4);
    this.#view = new Float32Array(owner.arena.memory.buffer, this.#ptr, length);
    owner.finalizer?.register(this, this.#ptr, this);
  }

  /** @internal Byte address in linear memory. */
  get ptr(): number { return this.#ptr; }

  /** Number of f32 elements. */
  get length(): number { return this.#length; }

  /** The values, as a Float32Array view over WebAssembly memory (re-derived after memory growth). */
  get data(): Float32Array {
    this.check();
    if (this.#view.buffer !== this.#owner.arena.memory.buffer) {
      this.#view = new Float32Array(this.#owner.arena.memory.buffer, this.#ptr, this.#length);
    }
    return this.#view;
  }

  /** Whether `dispose()` was called. */
  get disposed(): boolean { return !this.#alive; }

  /** A copy of the values in an ordinary Float32Array. */
  toArray(): Float32Array { return this.data.slice(); }

  /** Frees the memory. Later use throws DisposedError; disposing twice is a no-op. */
  dispose(): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#owner.finalizer?.unregister(this);
    this.#owner.arena.release(this.#ptr);
  }

  /** @internal True for tensors made by an engine (not objects that merely inherit from Tensor.prototype). */
  static isGenuine(v: unknown): v is Tensor {
    return typeof v === 'object' && v !== null && #alive in v;
  }

  /** @internal */
  belongsTo(owner: TensorOwner): boolean { return owner === this.#owner; }

  /** @internal Throws if disposed. */
  check(): void {
    if (!this.#alive) throw new DisposedError('this tensor was disposed; create a new one with engine.tensor()');
  }
}

/**
 * @internal Whether a typed array's buffer was detached (a `tensor.data` view taken before the memory grew, or a
 * transferred buffer). Such a view reads as empty, and every method of it throws a plain TypeError.
 */
export function isDetached(v: ArrayBufferView): boolean {
  if (v.byteLength !== 0) return false;
  const b = v.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof b.detached === 'boolean') return b.detached;
  try { b.slice(0, 0); return false; } catch { return true; }
}

/** @internal The error for a detached view passed as `what`. */
export function detachedMessage(what: string): string {
  return `${what} is a detached Float32Array (stale tensor.data or transferred); read tensor.data again or pass the Tensor`;
}
