/**
 * The arena: the only owner of the WebAssembly linear memory, and the only code that grows it.
 * Blocks are 16-byte aligned (SIMD loads), handed out first-fit from a free list that coalesces neighbours.
 * @module
 */
import { InvalidArgumentError, OutOfMemoryError } from './errors.js';

const ALIGN = 16;
const PAGE = 65536;

/** Counters that describe the arena; see {@link Engine.memoryStats}. */
export interface MemoryStats {
  /** Size of the WebAssembly memory in bytes. */
  readonly memoryBytes: number;
  /** Bytes in live allocations. */
  readonly usedBytes: number;
  /** Largest `usedBytes` seen. */
  readonly peakBytes: number;
  /** Number of live allocations. */
  readonly liveAllocations: number;
  /** How many times the memory grew. */
  readonly grows: number;
}

/** @internal An aligned first-fit allocator over a WebAssembly.Memory. */
export class Arena {
  private readonly free: { ptr: number; size: number }[] = [];
  private readonly live = new Map<number, number>();
  private top: number;
  private used = 0;
  private peak = 0;
  private growCount = 0;
  /** Current Float32Array over the whole memory; re-derived after growth. */
  private f32cache: Float32Array;

  constructor(readonly memory: WebAssembly.Memory, heapBase: number, readonly maxBytes: number) {
    this.top = alignUp(heapBase);
    this.f32cache = new Float32Array(memory.buffer);
  }

  /** Allocates `bytes` (rounded up to 16), 16-byte aligned, and returns the byte address. */
  alloc(bytes: number): number {
    // Callers validate sizes first; this guard keeps a bad size (NaN, negative, huge) from ever reaching `top`.
    if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) {
      throw new InvalidArgumentError(`rectify: cannot allocate ${String(bytes)} bytes (a size must be a whole number >= 0)`);
    }
    if (bytes > this.maxBytes) {
      throw new OutOfMemoryError(`rectify needs a block of ${bytes} bytes, the limit is ${this.maxBytes}; use smaller batches or raise maxMemoryBytes`);
    }
    const size = Math.max(ALIGN, alignUp(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.size >= size) {
        const ptr = b.ptr;
        if (b.size === size) this.free.splice(i, 1);
        else { b.ptr += size; b.size -= size; }
        return this.track(ptr, size);
      }
    }
    const ptr = this.top;
    this.ensure(ptr + size);
    this.top = ptr + size;
    return this.track(ptr, size);
  }

  /** Returns a block to the free list (coalescing with its neighbours). Freeing an unknown pointer is a no-op. */
  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) return;
    this.live.delete(ptr);
    this.used -= size;
    // Keep the free list sorted by address and merge adjacent blocks.
    let lo = 0, hi = this.free.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.free[mid]!.ptr < ptr) lo = mid + 1; else hi = mid; }
    this.free.splice(lo, 0, { ptr, size });
    const next = this.free[lo + 1];
    if (next && ptr + size === next.ptr) { this.free[lo]!.size += next.size; this.free.splice(lo + 1, 1); }
    const prev = this.free[lo - 1];
    if (prev && prev.ptr + prev.size === ptr) { prev.size += this.free[lo]!.size; this.free.splice(lo, 1); }
    // A free block that ends at the top goes back to the unallocated tail.
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) { this.top = last.ptr; this.free.pop(); }
  }

  /** Size in bytes of a live block, or undefined. */
  sizeOf(ptr: number): number | undefined { return this.live.get(ptr); }

  /** A Float32Array over the whole memory, current after any growth. */
  get f32(): Float32Array {
    // memory.grow detaches the old buffer, and a view of a detached buffer has length 0: checking the length is
    // enough, and much cheaper than reading memory.buffer on every call.
    if (this.f32cache.length === 0) this.f32cache = new Float32Array(this.memory.buffer);
    return this.f32cache;
  }

  /** Makes sure the memory holds at least `end` bytes; throws OutOfMemoryError past the limit. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes) {
      throw new OutOfMemoryError(
        `rectify needs ${end} bytes, the limit is ${this.maxBytes}; dispose objects or use smaller batches`);
    }
    // Grow geometrically (at least 1/8 more) so many small allocations do not grow one page at a time.
    const want = Math.min(this.maxBytes, Math.max(end, have + (have >> 3)));
    const pages = Math.ceil((want - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      throw new OutOfMemoryError(`the WebAssembly memory could not grow to ${have + pages * PAGE} bytes`);
    }
    this.growCount++;
    // A shared memory (threads) does not detach its old buffer when it grows: renew the view here.
    this.f32cache = new Float32Array(this.memory.buffer);
  }

  stats(): MemoryStats {
    return {
      memoryBytes: this.memory.buffer.byteLength,
      usedBytes: this.used,
      peakBytes: this.peak,
      liveAllocations: this.live.size,
      grows: this.growCount,
    };
  }

  private track(ptr: number, size: number): number {
    this.live.set(ptr, size);
    this.used += size;
    if (this.used > this.peak) this.peak = this.used;
    return ptr;
  }
}

function alignUp(n: number): number { return Math.ceil(n / ALIGN) * ALIGN; }
