// Threads: one training step (or product, or forward pass) on several threads over one shared memory.
//
// Only the threads build (dist/rectify-threads.wasm: `--enable threads`, imported shared memory) runs anything here
// in parallel; in the other builds ASC_FEATURE_THREADS is false, every helper below is the plain single-thread call
// and the two exports are empty.
//
// The host (src/threads.ts) gives the engine's instance a control block (threads_setup) and starts n - 1 workers, each
// with its own instance of the same module over the same memory, running thread_loop: it spins a while, then sleeps on
// the generation word (memory.atomic.wait32), until the calling thread publishes a job: op code and argument words,
// the chunk count, every chunk's owner word set free, then generation + 1 and notify. A job is cut into a few chunks
// per thread; every thread, the calling one included, takes chunk indices from a shared counter and runs a chunk once
// it swapped the chunk's owner word from free to its own id (compare-and-swap), then marks it finished. The calling
// thread then spins with atomic loads until every chunk is finished (browsers forbid blocking waits on a page's main
// thread), running any chunk still free. A worker that is slow to wake (a busy machine) just claims fewer chunks:
// nobody waits for a thread that has not started. A worker that stops in the middle of a chunk (see finish) has its
// chunk finished by the calling thread, from the block it had staged.
//
// Determinism: a job splits its output, never a sum. Each output element is computed by exactly one thread with the
// same operations in the same order as on one thread (GEMM: blocks of whole 8-column panels or tile rows, every path
// sums in kk order; elementwise kernels and bias: whole rows; the bias gradient: whole columns, summed in row order;
// the optimizer: ranges of elements, each updated alone). So 1, 2 or 4 threads give the same bits. Reductions over
// many elements (losses, parameter gradients of activations, gradient norms) stay on the calling thread.
// Small operations stay on the calling thread (below *_MIN): waking a worker costs more than they do.

import { gemmAny, scratchOne, add_bias_rows, sumCols } from './gemm';
import { act_fwd, act_bwd } from './dispatch';
import { sgd_step, momentum_step, rmsprop_step, adam_step } from './optim';
import {
  HEADER_WORDS, LAYER_WORDS, H_LAYERS, H_OPT, H_LR, H_B1, H_B2, H_EPS, H_WD, H_NESTEROV, H_B1T, H_B2T,
  L_IN, L_OUT, L_W, L_B, L_GW, L_GB, L_MW, L_VW, L_MB, L_VB, L_FROZEN, OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAMW,
  L_KIND, KIND_DENSE, KIND_DROPOUT,
} from '../generated/abi';

// Control block (bytes from its start; the host allocates ctlBytes(n) = C_STAGE + n STAGE, zeroed).
const C_GEN = 0;     // generation: + 1 per job, workers wait on it
const C_NEXT = 4;    // next chunk index to try (a hint: the owner words below decide who runs a chunk)
const C_OP = 8;      // job op code (OP_*); OP_STOP ends thread_loop
const C_TEST = 12;   // test hook (tests/threads.test.ts): victim thread | op << 8 | how << 16; 0 in normal use
const C_CHUNKS = 16; // chunks of the current job
const C_STALL = 20;  // test hook: spins without progress after which a chunk's thread counts as stopped (0: STALL)
const C_ARGS = 32;   // argument words (24)
const C_DEAD = 128;  // per thread: 0 running; 1 stopped (its host code said so); 2 made no progress for STALL spins
const C_PROG = 384;  // per thread: the block of its chunk it staged and is working on (1-based; 0: none yet)
const C_OWN = 640;   // per chunk: 0 free, t + 1 run by thread t, FIN finished
const C_STAGE = 1664; // per thread: STAGE bytes, a copy of the block it is about to overwrite
const MAXCH = 256;   // chunks per job at most (64 threads x CHUNKS)
const FIN = -1;
const STAGE_F32 = 3072;        // f32 values of one thread's stage (3 x 1024: w, m, v of one optimizer block)
const UPD_BLOCK = 1024;        // optimizer elements per staged block
// Spins of the calling thread without any progress of a chunk's thread before it takes the chunk over (seconds on
// any machine; a thread that ran its host code when it stopped is seen at once through C_DEAD).
const STALL = 1 << 30;

const OP_STOP = 0, OP_GEMM = 1, OP_FWD = 2, OP_BWD = 3, OP_SUMROWS = 4, OP_UPDATE = 5;
// Chunks per thread of a job (more: better balance on a busy machine, more packing and claims).
const CHUNKS = 4;

// Thresholds below which a job stays on the calling thread (measured in bench/, see bench/README.md).
const GEMM_MIN = 1 << 16;     // m n k multiply-adds
const ROWS_MIN = 1 << 12;     // elements of an elementwise job
const UPDATE_MIN = 1 << 13;   // parameters updated in one step
// Atomic loads a worker spins for a new job before it sleeps (training steps come back to back).
const SPIN = 1 << 16;

// This instance's control block and thread count (the calling thread's instance only; workers never publish).
let ctl: usize = 0;
let nthreads: i32 = 1;
// Worker instance only: the test hook stopped this thread in the middle of a chunk (thread_loop returns its `how`).
let dying: i32 = 0;
// Optimizer blocks passed so far in the current chunk (updateShare).
let blocks: i32 = 0;

/** Sets the control block and the thread count (n >= 1; 1 = no workers). Threads build only. */
export function threads_setup(block: usize, n: i32): void {
  if (!ASC_FEATURE_THREADS) return;
  ctl = block;
  nthreads = n;
  // Between jobs every chunk's owner word is FIN: only run() frees a chunk (after the job's op and arguments are set).
  for (let k = 0; k < MAXCH; k++) atomic.store<i32>(word(block, C_OWN, k), FIN);
}

/** Threads that share jobs (1 outside the threads build). */
// @ts-ignore: decorator
@inline export function threadCount(): i32 { return ASC_FEATURE_THREADS ? nthreads : 1; }

// @ts-ignore: decorator
@inline function arg(c: usize, i: i32): i32 { return load<i32>(c + C_ARGS + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function setArg(i: i32, v: i32): void { store<i32>(ctl + C_ARGS + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
// @ts-ignore: decorator
@inline function word(c: usize, base: i32, i: i32): usize { return c + <usize>base + (<usize>i << 2); }
// @ts-ignore: decorator
@inline function stageOf(c: usize, t: i32): usize { return c + C_STAGE + <usize>t * (STAGE_F32 << 2); }
/** First unit of thread t's share when `units` units are split over `nt` threads (balanced, in order). */
// @ts-ignore: decorator
@inline function cut(units: i32, t: i32, nt: i32): i32 { return <i32>((<i64>units * t) / nt); }
/** Test hook: thread t (a worker) is to stop in the middle of its next chunk of `op`. */
// @ts-ignore: decorator
@inline function doomed(c: usize, t: i32, op: i32): bool {
  const h = load<i32>(c + C_TEST);
  return t != 0 && (h & 0xff) == t && ((h >> 8) & 0xff) == op;
}
// @ts-ignore: decorator
@inline function die(c: usize): void { dying = (load<i32>(c + C_TEST) >> 16) & 0xff; }
/**
 * A worker that the calling thread counted as stopped (it stalled for STALL spins, then ran again) writes no further
 * block of its chunk: the calling thread runs the chunk now (thread_loop returns 3, its host code ends the thread).
 */
// @ts-ignore: decorator
@inline function cut_off(c: usize, t: i32): bool {
  if (atomic.load<i32>(word(c, C_DEAD, t)) == 0) return false;
  dying = 3;
  return true;
}

/**
 * Worker loop (thread id >= 1 of n): waits for jobs, claims and runs chunks, until OP_STOP (returns 0). Threads build
 * only. Returns the test hook's `how` when the hook stopped it in the middle of a chunk.
 */
export function thread_loop(block: usize, id: i32, n: i32): i32 {
  if (!ASC_FEATURE_THREADS) return 0;
  let seen = 0; // the host starts workers before the first job (generation 0)
  while (true) {
    let g = atomic.load<i32>(block + C_GEN);
    let spins = 0;
    while (g == seen) {
      if (spins < SPIN) spins++;
      else memory.atomic.wait32(block + C_GEN, seen, -1);
      g = atomic.load<i32>(block + C_GEN);
    }
    seen = g;
    // A thread the calling thread counted as stopped (it stalled) takes no more chunks.
    if (load<i32>(block + C_OP) == OP_STOP || atomic.load<i32>(word(block, C_DEAD, id)) != 0) return 0;
    claim(block, id);
    if (dying) return dying;
  }
}

/**
 * Claims and runs chunks of the current job until none is left. A chunk is thread t's once it swapped the chunk's
 * owner word from 0 to t + 1; the op, chunk count and arguments are read after that (they cannot change while a chunk
 * of the job is unfinished). The next-chunk word only spreads the threads over the chunks: a thread that stops between
 * taking an index and claiming its chunk leaves the chunk free, and the calling thread runs it (finish).
 */
function claim(c: usize, t: i32): void {
  while (true) {
    const k = atomic.add<i32>(c + C_NEXT, 1);
    if (k >= atomic.load<i32>(c + C_CHUNKS)) return;
    atomic.store<i32>(word(c, C_PROG, t), 0);
    if (atomic.cmpxchg<i32>(word(c, C_OWN, k), 0, t + 1) != 0) continue;
    share(c, load<i32>(c + C_OP), t, k, load<i32>(c + C_CHUNKS), 0, 0);
    if (dying) return;
    atomic.store<i32>(word(c, C_OWN, k), FIN);
  }
}

/**
 * The calling thread after its own claims: waits until every chunk is finished, runs any chunk still free, and takes
 * over the chunk of a thread that stopped (its host code set C_DEAD: a trap, an exit) or made no progress for STALL
 * spins (a thread that was ended outright runs no code at all): the chunk is re-run from the block the thread had
 * staged (its copy put back first), so the job's result is the same bits. A thread counted as stopped never takes a
 * chunk again, and the host refuses the engine's next call (WorkerThreadError).
 */
function finish(c: usize, op: i32, nk: i32): void {
  const st = load<i32>(c + C_STALL);
  const bound = st > 0 ? st : STALL;
  for (let k = 0; k < nk; k++) {
    let spins = 0, last = -1;
    while (true) {
      const o = atomic.load<i32>(word(c, C_OWN, k));
      if (o == FIN) break;
      if (o == 0) {
        if (atomic.cmpxchg<i32>(word(c, C_OWN, k), 0, 1) != 0) continue;
        share(c, op, 0, k, nk, 0, 0);
      } else {
        const t = o - 1;
        const p = atomic.load<i32>(word(c, C_PROG, t));
        if (p != last) { last = p; spins = 0; }
        const gone = atomic.load<i32>(word(c, C_DEAD, t)) != 0;
        if (!gone && ++spins < bound) continue;
        if (atomic.cmpxchg<i32>(word(c, C_OWN, k), o, 1) != o) continue;
        if (!gone) atomic.store<i32>(word(c, C_DEAD, t), 2);
        // A product that adds into C cannot be re-run from a partly added block: the call traps (a raw kernel call).
        if (op == OP_GEMM && arg(c, 9) != 0) unreachable();
        share(c, op, 0, k, nk, atomic.load<i32>(word(c, C_PROG, t)), stageOf(c, t));
      }
      atomic.store<i32>(word(c, C_OWN, k), FIN);
      break;
    }
  }
}

/**
 * Publishes the job whose arguments are set, in `units` units of work cut into `want` chunks (0: CHUNKS per thread),
 * claims chunks too, waits for all.
 */
function run(op: i32, units: i32, want: i32 = 0): void {
  const c = ctl;
  const chunks = imin(units, imin(want > 0 ? want : nthreads * CHUNKS, MAXCH));
  store<i32>(c + C_OP, op);
  atomic.store<i32>(c + C_CHUNKS, chunks);
  for (let k = 0; k < chunks; k++) atomic.store<i32>(word(c, C_OWN, k), 0);
  atomic.store<i32>(c + C_NEXT, 0);
  atomic.add<i32>(c + C_GEN, 1);
  atomic.notify(c + C_GEN, nthreads - 1);
  claim(c, 0);
  finish(c, op, chunks);
}

/**
 * Chunk `k` of `nk` of a job, run by thread t (its own scratch). A worker (t > 0) copies each block it is about to
 * overwrite in place (bias + activation rows, optimizer blocks) to its stage first and then stores the block's number
 * in C_PROG; `from` > 0 (the calling thread taking over a stopped thread's chunk) skips the blocks before block `from`,
 * puts block `from` back from `restore` (the stopped thread's stage) and runs the rest. The other ops overwrite their
 * outputs from inputs they do not change, so a re-run gives the same bits.
 */
function share(c: usize, op: i32, t: i32, k: i32, nk: i32, from: i32, restore: usize): void {
  const stage = t != 0 ? stageOf(c, t) : 0;
  if (op == OP_GEMM) {
    // kind, m, n, k, a, lda, b, ldb, c, acc, scratch, byCols, granule
    const kind = arg(c, 0), m = arg(c, 1), n = arg(c, 2), kk = arg(c, 3);
    const a = <usize>arg(c, 4), lda = arg(c, 5), b = <usize>arg(c, 6), ldb = arg(c, 7), cc = <usize>arg(c, 8);
    const acc = arg(c, 9), byCols = arg(c, 11), gr = arg(c, 12);
    const scratch = <usize>arg(c, 10) + <usize>t * <usize>scratchOne(m, n, kk);
    const dim = byCols ? n : m;
    const units = (dim + gr - 1) / gr;
    const u0 = cut(units, k, nk) * gr;
    let u1 = imin(cut(units, k + 1, nk) * gr, dim);
    if (doomed(c, t, op)) { u1 = u0 + (u1 - u0) / 2; die(c); } // test hook: half of the block, then stop
    if (u0 >= u1) return;
    if (byCols) {
      // columns u0..u1 of B and C
      const pb = kind == 1 ? b + (<usize>(u0 * ldb) << 2) : b + (<usize>u0 << 2);
      gemmAny(kind, m, u1 - u0, kk, a, lda, pb, ldb, cc + (<usize>u0 << 2), n, acc, scratch);
    } else {
      // rows u0..u1 of A and C
      const pa = kind == 2 ? a + (<usize>u0 << 2) : a + (<usize>(u0 * lda) << 2);
      gemmAny(kind, u1 - u0, n, kk, pa, lda, b, ldb, cc + (<usize>(u0 * n) << 2), n, acc, scratch);
    }
  } else if (op == OP_FWD || op == OP_BWD) {
    const rows = arg(c, 0), cols = arg(c, 1);
    const r0 = cut(rows, k, nk), r1 = cut(rows, k + 1, nk);
    if (op == OP_BWD) {
      if (r0 < r1) rowsShare(c, op, r0, r1 - r0, cols);
      return;
    }
    // z += bias in place: blocks of whole rows that fit a stage (biasAct keeps cols <= STAGE_F32).
    const br = STAGE_F32 / cols;
    const z = <usize>arg(c, 5);
    let s = 0;
    for (let r = r0; r < r1; r += br) {
      s++;
      if (s < from) continue;
      const nr = imin(br, r1 - r);
      const zb = z + (<usize>(r * cols) << 2), bytes = <usize>(nr * cols) << 2;
      if (s == from) memory.copy(zb, restore, bytes);
      else if (stage) {
        if (cut_off(c, t)) return;
        memory.copy(stage, zb, bytes); atomic.store<i32>(word(c, C_PROG, t), s);
      }
      if (stage && doomed(c, t, op)) { add_bias_rows(zb, <usize>arg(c, 7), nr, cols); die(c); return; }
      rowsShare(c, op, r, nr, cols);
    }
  } else if (op == OP_SUMROWS) {
    const x = <usize>arg(c, 0), out = <usize>arg(c, 1), m = arg(c, 2), n = arg(c, 3), acc = arg(c, 4);
    const units = (n + 3) >> 2;
    const j0 = cut(units, k, nk) << 2, j1 = imin(cut(units, k + 1, nk) << 2, n);
    if (j0 < j1) sumCols(x + (<usize>j0 << 2), out + (<usize>j0 << 2), m, j1 - j0, n, acc);
  } else if (op == OP_UPDATE) {
    blocks = 0;
    updateShare(<usize>arg(c, 0), k, nk, c, t, stage, from, restore);
  }
}

/** Rows r0 .. r0 + rows of a forward (bias, activation) or backward (activation) job. */
function rowsShare(c: usize, op: i32, r0: i32, rows: i32, cols: i32): void {
  const off = <usize>(r0 * cols) << 2;
  const act = arg(c, 2), p = <usize>arg(c, 3), pu = arg(c, 4), z = <usize>arg(c, 5) + off, y = <usize>arg(c, 6) + off;
  if (op == OP_FWD) {
    add_bias_rows(z, <usize>arg(c, 7), rows, cols);
    if (arg(c, 8)) act_fwd(act, z, y, rows, cols, p, pu);
  } else {
    act_bwd(act, z, y, <usize>arg(c, 7) + off, <usize>arg(c, 8) + off, rows, cols, p, pu);
  }
}

/** Sets the arguments shared by the forward and backward row jobs. */
function rowArgs(rows: i32, cols: i32, act: i32, p: usize, pu: i32, z: usize, y: usize): void {
  setArg(0, rows); setArg(1, cols); setArg(2, act); setArg(3, <i32>p); setArg(4, pu); setArg(5, <i32>z); setArg(6, <i32>y);
}

// ---------------------------------------------------------------------------------------------------------------
// What assembly/nn/gemm.ts and net.ts call: the job on all threads when it is large enough, otherwise the plain call.

/** The product (see gemmAny) on whole C, ldc = n. */
export function gemmRun(kind: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, acc: i32,
  scratch: usize): void {
  // m < 4 (inference of a row or a few, dW at batch 1 is k < 4 instead) stays on one thread: streaming B once is
  // memory-bound and shorter than waking a worker.
  if (ASC_FEATURE_THREADS && nthreads > 1 && m >= 4 && k >= 4 && <i64>m * n * k >= GEMM_MIN) {
    // Split the longer side of C: columns in 8-column panels or rows in tile heights (5), so that each chunk packs
    // the smaller operand again (a chunk of columns packs all of A, one of rows all of B). Both keep every element's
    // sum whole. Chunks of at least 64 columns or rows, at most two per thread: more, smaller chunks pack the other
    // operand more often (measured, one thread, work of the chunks against the whole product: 64x256x784 in 8 chunks of
    // 32 columns +15%, in 4 of 64 +3%; 512^3 in 8 chunks of 64 rows +14%, in 4 of 128 +2%). Products over 2^27
    // multiply-adds a chunk are cut finer, so that a chunk stays short next to STALL.
    const byCols = n > m;
    const gr = byCols ? 8 : 5, dim = byCols ? n : m;
    const units = (dim + gr - 1) / gr;
    if (units >= 2) {
      let want = dim >> 6;
      if (want > 2 * nthreads) want = 2 * nthreads;
      if (want < nthreads) want = nthreads;
      const big = <i32>min<i64>(<i64>m * n * k >> 27, MAXCH);
      setArg(0, kind); setArg(1, m); setArg(2, n); setArg(3, k); setArg(4, <i32>a); setArg(5, lda); setArg(6, <i32>b);
      setArg(7, ldb); setArg(8, <i32>c); setArg(9, acc); setArg(10, <i32>scratch); setArg(11, byCols ? 1 : 0); setArg(12, gr);
      run(OP_GEMM, units, want > big ? want : big);
      return;
    }
  }
  gemmAny(kind, m, n, k, a, lda, b, ldb, c, n, acc, scratch);
}

/** z += bias per row, then (when `apply`) y = act(z): a layer's forward after its product. */
export function biasAct(z: usize, bias: usize, y: usize, rows: i32, cols: i32, act: i32, p: usize, pu: i32, apply: bool): void {
  // (Rows wider than a stage stay on one thread: a worker stages the rows it adds the bias to, see share.)
  if (ASC_FEATURE_THREADS && nthreads > 1 && rows > 1 && rows * cols >= ROWS_MIN && cols <= STAGE_F32) {
    rowArgs(rows, cols, act, p, pu, z, y); setArg(7, <i32>bias); setArg(8, apply ? 1 : 0);
    run(OP_FWD, rows);
    return;
  }
  add_bias_rows(z, bias, rows, cols);
  if (apply) act_fwd(act, z, y, rows, cols, p, pu);
}

/** dz = dy * act'(z) (act_bwd's arguments). */
export function actBwd(act: i32, z: usize, y: usize, dy: usize, dz: usize, rows: i32, cols: i32, p: usize, pu: i32): void {
  if (ASC_FEATURE_THREADS && nthreads > 1 && rows > 1 && rows * cols >= ROWS_MIN) {
    rowArgs(rows, cols, act, p, pu, z, y); setArg(7, <i32>dy); setArg(8, <i32>dz);
    run(OP_BWD, rows);
    return;
  }
  act_bwd(act, z, y, dy, dz, rows, cols, p, pu);
}

/** sum_rows (the bias gradient). */
export function sumRows(x: usize, out: usize, m: i32, n: i32, acc: i32): void {
  if (ASC_FEATURE_THREADS && nthreads > 1 && n >= 8 && m * n >= ROWS_MIN) {
    setArg(0, <i32>x); setArg(1, <i32>out); setArg(2, m); setArg(3, n); setArg(4, acc);
    run(OP_SUMROWS, (n + 3) >> 2);
    return;
  }
  sumCols(x, out, m, n, n, acc);
}

// ---------------------------------------------------------------------------------------------------------------
// The optimizer update of every layer's weights and bias.

// @ts-ignore: decorator
@inline function hi(plan: usize, w: i32): i32 { return load<i32>(plan + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function hf(plan: usize, w: i32): f32 { return load<f32>(plan + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function layer(plan: usize, l: i32): usize { return plan + (<usize>(HEADER_WORDS + LAYER_WORDS * l) << 2); }
// @ts-ignore: decorator
@inline function li(L: usize, w: i32): i32 { return load<i32>(L + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function lp(L: usize, w: i32): usize { return <usize>load<u32>(L + (<usize>w << 2)); }

/** One parameter block's update with the plan's optimizer. `wd`: weight decay for this block. */
export function blockUpdate(plan: usize, w: usize, g: usize, m: usize, v: usize, n: i32, wd: f32): void {
  const opt = hi(plan, H_OPT);
  const lr = hf(plan, H_LR);
  if (opt == OPT_SGD) sgd_step(w, g, n, lr, wd);
  else if (opt == OPT_MOMENTUM) momentum_step(w, g, m, n, lr, hf(plan, H_B1), hi(plan, H_NESTEROV), wd);
  else if (opt == OPT_RMSPROP) rmsprop_step(w, g, m, n, lr, hf(plan, H_B2), hf(plan, H_EPS), wd);
  else {
    adam_step(w, g, m, v, n, lr, hf(plan, H_B1), hf(plan, H_B2), hf(plan, H_EPS), wd, opt == OPT_ADAMW ? 1 : 0,
      hf(plan, H_B1T), hf(plan, H_B2T));
  }
}

/**
 * Elements i0 .. i1 of one block (the optimizer state m, v as long as the block). In the threads build in blocks of
 * UPD_BLOCK elements that a worker stages (w, m, v) before it updates them (see share); the same bits either way.
 */
// @ts-ignore: decorator
@inline function rangeUpdate(plan: usize, w: usize, g: usize, m: usize, v: usize, i0: i32, i1: i32, wd: f32,
  c: usize, t: i32, stage: usize, from: i32, restore: usize): void {
  if (!ASC_FEATURE_THREADS) {
    if (i0 >= i1) return;
    const o = <usize>i0 << 2;
    blockUpdate(plan, w + o, g + o, m == 0 ? 0 : m + o, v == 0 ? 0 : v + o, i1 - i0, wd);
    return;
  }
  for (let i = i0; i < i1 && !dying; i += UPD_BLOCK) {
    blocks++;
    if (blocks < from) continue;
    const n = imin(UPD_BLOCK, i1 - i);
    const o = <usize>i << 2, bytes = <usize>n << 2, sb = <usize>UPD_BLOCK << 2;
    const pw = w + o, pm: usize = m == 0 ? 0 : m + o, pv: usize = v == 0 ? 0 : v + o;
    if (blocks == from) {
      memory.copy(pw, restore, bytes);
      if (pm) memory.copy(pm, restore + sb, bytes);
      if (pv) memory.copy(pv, restore + 2 * sb, bytes);
    } else if (stage) {
      if (cut_off(c, t)) return;
      memory.copy(stage, pw, bytes);
      if (pm) memory.copy(stage + sb, pm, bytes);
      if (pv) memory.copy(stage + 2 * sb, pv, bytes);
      atomic.store<i32>(word(c, C_PROG, t), blocks);
      if (doomed(c, t, OP_UPDATE)) { blockUpdate(plan, pw, g + o, pm, pv, (n >> 1) & ~3, wd); die(c); return; }
    }
    blockUpdate(plan, pw, g + o, pm, pv, n, wd);
  }
}

/** Weights (dense W, norm gamma; none for dropout) and biases (dense b, norm beta) of a layer. */
// @ts-ignore: decorator
@inline function nwOf(L: usize): i32 { const k = li(L, L_KIND); return k == KIND_DENSE ? li(L, L_IN) * li(L, L_OUT) : k == KIND_DROPOUT ? 0 : li(L, L_OUT); }
// @ts-ignore: decorator
@inline function nbOf(L: usize): i32 { return li(L, L_KIND) == KIND_DROPOUT ? 0 : li(L, L_OUT); }

/**
 * Thread t's ranges (multiples of 4 elements) of every unfrozen layer's weights and bias. Weight decay on dense
 * weights only (not on norm scales, as Keras and common PyTorch practice).
 */
function updateShare(plan: usize, t: i32, nt: i32, c: usize, tt: i32, stage: usize, from: i32, restore: usize): void {
  const n = hi(plan, H_LAYERS);
  for (let l = 0; l < n; l++) {
    const L = layer(plan, l);
    if (li(L, L_FROZEN)) continue;
    const nw = nwOf(L), nb = nbOf(L), wd = li(L, L_KIND) == KIND_DENSE ? hf(plan, H_WD) : 0;
    const uw = (nw + 3) >> 2, ub = (nb + 3) >> 2;
    rangeUpdate(plan, lp(L, L_W), lp(L, L_GW), lp(L, L_MW), lp(L, L_VW), cut(uw, t, nt) << 2, imin(cut(uw, t + 1, nt) << 2, nw), wd,
      c, tt, stage, from, restore);
    rangeUpdate(plan, lp(L, L_B), lp(L, L_GB), lp(L, L_MB), lp(L, L_VB), cut(ub, t, nt) << 2, imin(cut(ub, t + 1, nt) << 2, nb), 0,
      c, tt, stage, from, restore);
  }
}

/** The optimizer step of every unfrozen layer's weights and bias (activation parameters: net.ts, after this). */
export function updateLayers(plan: usize): void {
  if (ASC_FEATURE_THREADS && nthreads > 1) {
    let total = 0;
    const n = hi(plan, H_LAYERS);
    for (let l = 0; l < n; l++) total += nwOf(layer(plan, l));
    if (total >= UPDATE_MIN) {
      setArg(0, <i32>plan);
      run(OP_UPDATE, total >> 10);
      return;
    }
  }
  blocks = 0;
  updateShare(plan, 0, 1, 0, 0, 0, 0, 0);
}
