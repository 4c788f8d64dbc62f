/**
 * Worker threads of an engine (what the core needs; the pool itself is in threads-pool.ts, loaded only when an engine
 * starts threads): n - 1 workers, each with its own instance of the threads build over the engine's
 * shared memory, running the job loop of assembly/nn/threads.ts. Node, Deno and Bun use worker_threads (reached
 * through process.getBuiltinModule, no `node:` import); browsers use Worker (cross-origin isolated pages only).
 * @module
 */

/**
 * Bytes of the control block of n threads (assembly/nn/threads.ts: job words, per-thread and per-chunk words, and a
 * 12 KiB stage per thread).
 */
export const ctlBytes = (n: number): number => 1664 + n * 12288;

/** @internal A worker of the pool: worker_threads' Worker or the web Worker. */
export interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
  on?(ev: string, f: (x: unknown) => void): void;
  onmessage?: ((e: { data: unknown }) => void) | null;
  onerror?: ((e: { message?: string }) => void) | null;
}
export type Ctor = new (url: URL | string, o?: object) => AnyWorker;

type Proc = { getBuiltinModule?: (id: string) => unknown };
const builtin = <T>(id: string): T | undefined => (globalThis as { process?: Proc }).process?.getBuiltinModule?.(id) as T | undefined;
/** worker_threads' Worker (Node, Deno, Bun: it can be unref'd), else the web Worker (browsers), else undefined. */
export const workerClass = (): [Ctor | undefined, boolean] => {
  const wt = builtin<{ Worker: Ctor }>('worker_threads')?.Worker;
  return [wt ?? (globalThis as { Worker?: Ctor }).Worker, wt !== undefined];
};

/** Why this runtime cannot run threads, or undefined when it can. */
export function threadsProblem(): string | undefined {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) {
    return 'this page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (typeof SharedArrayBuffer !== 'function') return 'this runtime has no SharedArrayBuffer';
  return workerClass()[0] ? undefined : 'this runtime has no Worker';
}

/** Threads for `threads: 'auto'`: the logical processors the runtime reports (at least 1, at most 16). */
export function autoThreads(): number {
  const n = builtin<{ availableParallelism(): number }>('os')?.availableParallelism()
    ?? (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(16, n | 0));
}

/** @internal A running pool. */
export interface Pool {
  /** Why a worker stopped, once one did or the calling thread took its chunk over (the engine then refuses every call). */
  readonly dead: string | undefined;
  /** The workers (tests kill one to check that the engine fails instead of hanging). */
  readonly workers: readonly AnyWorker[];
  /** Address of the control block (tests set its test-hook word). */
  readonly ctl: number;
  /** Ends the job loops and terminates the workers. */
  dispose(): void;
}

