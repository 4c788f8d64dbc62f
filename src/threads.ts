/**
 * Worker threads of an engine: n - 1 workers, each with its own instance of the threads build over the engine's
 * shared memory, running the job loop of assembly/nn/threads.ts. Node, Deno and Bun use worker_threads (reached
 * through process.getBuiltinModule, no `node:` import); browsers use Worker (cross-origin isolated pages only).
 * @module
 */

/** Bytes of the control block (assembly/nn/threads.ts: generation, done, op, fail, arguments). */
export const CTL_BYTES = 128;

// The worker: instantiate, say ready (0) or why not (a string), run thread_loop until the stop job. If its instance
// traps it sets the fail word, so the calling thread stops waiting and traps too.
const WORKER = "const wt=globalThis.process?.getBuiltinModule?.('worker_threads'),p=wt?.parentPort,post=m=>p?p.postMessage(m):postMessage(m);" +
  'const go=async({module,memory,ctl,id,n})=>{let x;try{x=(await WebAssembly.instantiate(module,{env:{memory,abort(){throw Error("abort")}}})).exports}catch(e){post(String(e));return}' +
  'post(0);try{x.thread_loop(ctl,id,n)}catch(e){const a=new Int32Array(memory.buffer);Atomics.store(a,(ctl>>2)+3,1);post(String(e))}p?p.close():close()};' +
  'p?p.once("message",go):onmessage=e=>go(e.data)';

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref?(): void;
  on?(ev: string, f: (x: unknown) => void): void;
  addEventListener?(ev: string, f: (x: { data?: unknown; message?: string }) => void): void;
}
interface WorkerThreads { Worker: new (url: URL) => AnyWorker; isMainThread: boolean }
interface Os { availableParallelism?(): number; cpus(): unknown[] }

type Proc = { getBuiltinModule?: (id: string) => unknown };
const builtin = <T>(id: string): T | undefined => {
  const p = (globalThis as { process?: Proc }).process;
  return typeof p?.getBuiltinModule === 'function' ? p.getBuiltinModule(id) as T | undefined : undefined;
};

/** Why this runtime cannot run threads, or undefined when it can. */
export function threadsProblem(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer !== 'function') {
    return g.crossOriginIsolated === false
      ? 'this page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'this runtime has no SharedArrayBuffer';
  }
  if (g.crossOriginIsolated === false) return 'this page is not cross-origin isolated (serve it with COOP/COEP headers)';
  if (!builtin<WorkerThreads>('worker_threads')?.Worker && typeof g.Worker !== 'function') return 'this runtime has no Worker';
  try { new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor); } catch {
    return 'this runtime has no shared WebAssembly memory';
  }
  return undefined;
}

/** Threads for `threads: 'auto'`: the logical processors the runtime reports (at least 1, at most 16). */
export function autoThreads(): number {
  const os = builtin<Os>('os');
  const n = os ? os.availableParallelism?.() ?? os.cpus().length
    : (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
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
  const wt = builtin<WorkerThreads>('worker_threads');
  const workers: AnyWorker[] = [];
  let dead: string | undefined;
  let url: URL | string | undefined;
  const stop = () => {
    const a = new Int32Array(memory.buffer);
    Atomics.store(a, (ctl >> 2) + 2, 0); // OP_STOP
    Atomics.add(a, ctl >> 2, 1);
    Atomics.notify(a, ctl >> 2);
    for (const w of workers) void w.terminate();
    workers.length = 0;
  };
  const listen = (w: AnyWorker, f: (msg: unknown, failed: boolean) => void) => {
    if (w.on) {
      w.on('message', (m) => f(m, false));
      w.on('error', (e) => f(String(e), true));
      w.on('exit', () => f('it exited', true));
    } else {
      w.addEventListener!('message', (e) => f(e.data, false));
      w.addEventListener!('error', (e) => f(e.message ?? 'a worker error', true));
    }
  };
  try {
    if (wt?.Worker) url = new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`);
    else url = URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
    const ready = [];
    for (let id = 1; id < n; id++) {
      const w: AnyWorker = wt?.Worker ? new wt.Worker(url as URL)
        : new (globalThis as unknown as { Worker: new (u: string, o: object) => AnyWorker }).Worker(url as string, { type: 'module' });
      workers.push(w);
      ready.push(new Promise<void>((res, rej) => {
        let started = false;
        listen(w, (m, failed) => {
          if (!started) { started = true; if (m === 0 && !failed) res(); else rej(new Error(String(m))); return; }
          if (dead === undefined && (failed || typeof m === 'string')) dead = `worker thread ${id} stopped: ${String(m)}`;
        });
      }));
      w.postMessage({ module, memory, ctl, id, n });
    }
    await Promise.all(ready);
  } catch (e) {
    stop();
    return `the worker threads did not start (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    if (typeof url === 'string') URL.revokeObjectURL(url);
  }
  for (const w of workers) w.unref?.(); // an idle engine does not keep Node, Deno or Bun alive
  const list = workers.slice();
  return {
    get dead() { return dead; },
    workers: list,
    dispose() { dead ??= 'the engine was disposed'; stop(); },
  };
}
