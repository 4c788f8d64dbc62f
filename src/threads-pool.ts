/**
 * The worker pool of an engine with threads: loaded by createEngine (a dynamic import) only when threads > 1 can run,
 * so the core download does not carry it (tests/runtimes/packaging.test.ts counts it as the threads download).
 * @module
 */
import type { AnyWorker, Ctor, Pool } from './threads.js';

// The worker: instantiate (the threads build imports only its memory), say ready (0) or why not (a string), run
// thread_loop until the stop job. If its instance traps it sets its stopped word (the calling thread then takes its
// chunk over at once). thread_loop returns 1 or 2 only under the test hook (tests/threads.test.ts), which stops the
// thread in the middle of a chunk: 1 as a trap does, 2 without running anything more (a thread ended outright, which
// the calling thread sees only by its making no progress).
const WORKER = "const w=globalThis.process?.getBuiltinModule?.('worker_threads')?.parentPort,P=m=>(w||self).postMessage(m)," +
  'g=async({module:M,memory:m,ctl:c,id,n})=>{let x,r,a=new Int32Array(m.buffer),d=(c>>2)+32+id;' +
  'try{x=(await WebAssembly.instantiate(M,{env:{memory:m}})).exports}catch(e){return P(e+"")}' +
  'P(0);try{r=x.thread_loop(c,id,n)}catch(e){Atomics.store(a,d,1);P(e+"")}' +
  'if(r==2)Atomics.wait(a,d,0);if(r==1)Atomics.store(a,d,1);(w||self).close()};' +
  'w?w.once("message",g):onmessage=e=>g(e.data)';

/**
 * Starts n - 1 workers (of the class threads.ts's workerClass found) on the engine's module and memory, control block
 * at `ctl` (zeroed). Resolves with the pool
 * once every worker is waiting for jobs, or with the reason it could not start (no worker is left running).
 */
export async function startPool(module: WebAssembly.Module, memory: WebAssembly.Memory, ctl: number, n: number,
  [Worker, node]: [Ctor | undefined, boolean]): Promise<Pool | string> {
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
  // A worker's stopped word (assembly/nn/threads.ts C_DEAD) is set while the calling thread is blocked in a call, before
  // any event reaches this thread: read it too (one view: a shared buffer stays valid when the memory grows).
  const words = new Int32Array(memory.buffer, ctl + 128, n);
  return {
    get dead() {
      for (let i = 1; i < n && dead === undefined; i++) {
        const s = words[i];
        if (s) dead = `worker thread ${i} stopped in the middle of a call${s > 1 ? ' (no progress for seconds)' : ''}`;
      }
      return dead;
    },
    workers, ctl, dispose: () => stop('the engine was disposed'),
  };
}
