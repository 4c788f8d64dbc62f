/**
 * Worker threads of an engine: n - 1 workers, each with its own instance of the threads build over the engine's
 * shared memory, running the job loop of assembly/nn/threads.ts. Node, Deno and Bun use worker_threads (reached
 * through process.getBuiltinModule, no `node:` import); browsers use Worker (cross-origin isolated pages only).
 * @module
 */

/** Bytes of the control block (assembly/nn/threads.ts: generation, done, op, fail, arguments). */
export const CTL_BYTES = 128;

// The worker: instantiate (the threads build imports only its memory), say ready (0) or why not (a string), run
// thread_loop until the stop job. If its instance traps it sets the fail word, so the calling thread traps too.
const WORKER = "const w=globalThis.process?.getBuiltinModule?.('worker_threads')?.parentPort,P=m=>(w||self).postMessage(m)," +
  'g=async({module:M,memory:m,ctl:c,id,n})=>{let x;try{x=(await WebAssembly.instantiate(M,{env:{memory:m}})).exports}catch(e){return P(e+"")}' +
  'P(0);try{x.thread_loop(c,id,n)}catch(e){Atomics.store(new Int32Array(m.buffer),(c>>2)+3,1);P(e+"")}(w||self).close()};' +
  'w?w.once("message",g):onmessage=e=>g(e.data)';

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
  on?(ev: string, f: (x: unknown) => void): void;
  onmessage?: ((e: { data: unknown }) => void) | null;
  onerror?: ((e: { message?: string }) => void) | null;
}
type Ctor = new (url: URL | string, o?: object) => AnyWorker;

type Proc = { getBuiltinModule?: (id: string) => unknown };
const builtin = <T>(id: string): T | undefined => (globalThis as { process?: Proc }).process?.getBuiltinModule?.(id) as T | undefined;
/** worker_threads' Worker (Node, Deno, Bun: it can be unref'd), else the web Worker (browsers), else undefined. */
const workerClass = (): [Ctor | undefined, boolean] => {
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
  /** Why a worker stopped, once one did (the engine then refuses every call). */
  readonly dead: string | undefined;
  /** The workers (tests kill one to check that the engine fails instead of hanging). */
  readonly workers: readonly AnyWorker[];
  /** Ends the job loops and terminates the workers. */
  dispose(): void;
}

/**
 * Starts n - 1 workers on the engine's module and memory, control block at `ctl` (zeroed). Resolves with the pool
 * once every worker is waiting for jobs, or with the reason it could not start (no worker is left running).
 */
export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, ctl: number, n: number): Promise<Pool | string> {
  const [Worker, node] = workerClass();
  const workers: AnyWorker[] = [];
  let dead: string | undefined;
  const stop = (why: string) => {
    dead ??= why;
    const a = new Int32Array(memory.buffer);
    Atomics.store(a, (ctl >> 2) + 2, 0); // OP_STOP
    Atomics.add(a, ctl >> 2, 1);
    Atomics.notify(a, ctl >> 2);
    for (const w of workers) void w.terminate();
  };
  const url = node ? `data:text/javascript,${encodeURIComponent(WORKER)}` : URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
  try {
    await Promise.all(Array.from({ length: n - 1 }, (_, i) => new Promise<void>((res, rej) => {
      const w = new Worker!(node ? new URL(url) : url, { type: 'module' });
      workers.push(w);
      let started = false;
      // The first message is 0 (ready) or why not; anything after it, an error or an exit means the worker stopped.
      const on = (m: unknown, failed?: boolean) => {
        if (!started) { started = true; if (m === 0 && !failed) res(); else rej(m); } else dead ??= `worker thread ${i + 1} stopped: ${m}`;
      };
      if (w.on) { w.on('message', on); w.on('error', (e) => on(e, true)); w.on('exit', () => on('it exited', true)); }
      else { w.onmessage = (e) => on(e.data); w.onerror = (e) => on(e.message, true); }
      w.postMessage({ module, memory, ctl, id: i + 1, n });
    })));
  } catch (e) {
    stop('');
    return `the worker threads did not start (${e})`;
  } finally {
    if (!node) URL.revokeObjectURL(url);
  }
  for (const w of workers) w.unref?.(); // an idle engine does not keep Node, Deno or Bun alive
  return { get dead() { return dead; }, workers, dispose: () => stop('the engine was disposed') };
}
