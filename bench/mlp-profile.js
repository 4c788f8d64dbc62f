// Where the time of the MLP workloads of bench/nn.js goes: one training step of 784-256(relu)-128(relu)-10(softmax),
// cross-entropy on labels, SGD, batch 64, and one predict() of one row, split into the host's parts and every wasm
// kernel the step calls, each timed alone at its shape.
//
//   npm run build && node bench/mlp-profile.js [--time 200] [--reps 5] [--clock cpu|wall] [--best] [--relaxed]
//
// Each row is timed --reps times round-robin with the others (a burst of load on the shared machine hits every row),
// median reported (--best: the fastest sample, the figure least disturbed by other processes on a shared core).
// --clock cpu (the default) divides by the process's CPU time (time spent waiting for a core left out). Kernels run on
// buffers of random values in [-0.5, 0.5) (never subnormal). A third table splits predict at batch 256 (net_forward
// and each of its kernels at its shape).
import { loadavg } from 'node:os';
import { createEngine } from '../dist/index.js';
import { cpuModel } from './gemm.js';
import { prepareTargets, rowsOf } from '../dist/network/targets.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
const TIME = Number(opt('time', '200')), REPS = Number(opt('reps', '5')), CPU = opt('clock', 'cpu') === 'cpu';
const BEST = args.includes('--best');
const relaxed = args.includes('--relaxed');

// The baseline's kernels on rectify-kernels.wasm: rectify.wasm's code with every kernel exported (rectify.wasm exports
// only what the host calls).
const engine = await createEngine(relaxed ? { relaxedSimd: true } : { wasm: new URL('../dist/rectify-kernels.wasm', import.meta.url) });
const ex = engine.exports;
const SIZES = [784, 256, 128, 10], B = 64, POOL = 16;

let seed = 7;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
const build = (capacity) => engine.network({ inputs: 784, seed: 1 }).dense(256, 'relu').dense(128, 'relu').dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 0.01 }, capacity });

// Training: POOL batches with labels, cycled (a repeated batch is fitted exactly: subnormal gradients).
const net = build(B);
const X = Float32Array.from({ length: POOL * B * 784 }, rnd);
const Y = Int32Array.from({ length: POOL * B }, (_, i) => (i * 7 + 3) % 10);
const xs = Array.from({ length: POOL }, (_, i) => X.subarray(i * B * 784, (i + 1) * B * 784));
const ys = Array.from({ length: POOL }, (_, i) => Y.subarray(i * B, (i + 1) * B));
const xt = engine.tensor(X.length), yt = engine.tensor(Y.length);
xt.data.set(X); new Int32Array(yt.data.buffer, yt.data.byteOffset, Y.length).set(Y);
const st = net.st, plan = st.plan;
if (!plan) throw new Error('bench/mlp-profile.js: no plan pointer on the network (its internals moved)');
let k = 0;
net.trainBatch(xs[0], ys[0]);

// Inference at batch 1.
const inf = build(1);
const x1 = Float32Array.from({ length: 784 }, rnd);
inf.predict(x1);
const ist = inf.st;

/** A buffer of n random floats in wasm memory (its pointer). */
const buf = (n) => { const t = engine.tensor(n); for (let i = 0; i < n; i++) t.data[i] = rnd(); return t.ptr; };
const M = 784 * 256;
const A = buf(M), Bm = buf(M), C = buf(M), D = buf(M), S = buf(ex.gemm_scratch_bytes(784, 256, 256) / 4 + 64);
const lab = engine.tensor(B); new Int32Array(lab.data.buffer, lab.data.byteOffset, B).set(ys[0]);
const relu0 = buf(4); new Float32Array(engine.exports.memory.buffer, relu0, 4).fill(0); // relu's subgradient block

const train = [
  ['net.trainBatch(x, labels): the whole public call', () => { const i = k++ & (POOL - 1); net.trainBatch(xs[i], ys[i]); }],
  ['wasm net_train_step (all of the wasm)', () => { const i = k++ & (POOL - 1); ex.net_train_step(plan, xt.ptr + i * B * 784 * 4, 0, yt.ptr + i * B * 4, B); }],
  ['wasm net_gradients (no optimizer)', () => { const i = k++ & (POOL - 1); ex.net_gradients(plan, xt.ptr + i * B * 784 * 4, 0, yt.ptr + i * B * 4, B); }],
  ['host: the JS of trainBatch (rowsOf, prepareTargets, load, checkCopied)', () => {
    const i = k++ & (POOL - 1);
    const r = rowsOf(xs[i], 784, 'x', false);
    const t = prepareTargets(ys[i], r, 10, 'crossEntropy', false);
    st.load(xs[i], r, t, 0);
    st.checkCopied(xs[i], r, 0);
  }],
  ['  of which: copy x and labels in (load)', () => { const i = k++ & (POOL - 1); st.load(xs[i], B, { labels: ys[i] }, 0); }],
  ['  of which: finiteness, wasm (first_nonfinite on the copy)', () => st.checkCopied(xs[0], B, 0)],
  ['  (before: finiteness, JS loop over 50,176 values)', () => rowsOf(xs[k++ & (POOL - 1)], 784, 'x')],
  ['GEMM fwd gemm_nn(64,256,784)', () => ex.gemm_nn(64, 256, 784, A, Bm, C, 0, S)],
  ['GEMM fwd gemm_nn(64,128,256)', () => ex.gemm_nn(64, 128, 256, A, Bm, C, 0, S)],
  ['GEMM fwd gemm_nn(64,10,128)', () => ex.gemm_nn(64, 10, 128, A, Bm, C, 0, S)],
  ['GEMM dW gemm_tn(784,256,64)', () => ex.gemm_tn(784, 256, 64, A, Bm, C, 0, S)],
  ['GEMM dW gemm_tn(256,128,64)', () => ex.gemm_tn(256, 128, 64, A, Bm, C, 0, S)],
  ['GEMM dW gemm_tn(128,10,64)', () => ex.gemm_tn(128, 10, 64, A, Bm, C, 0, S)],
  ['GEMM dX gemm_nt(64,256,128)', () => ex.gemm_nt(64, 256, 128, A, Bm, C, 0, S)],
  ['GEMM dX gemm_nt(64,128,10)', () => ex.gemm_nt(64, 128, 10, A, Bm, C, 0, S)],
  ['bias fwd add_bias_rows x3', () => { ex.add_bias_rows(C, A, 64, 256); ex.add_bias_rows(C, A, 64, 128); ex.add_bias_rows(C, A, 64, 10); }],
  ['act fwd relu_fwd 64x256 + 64x128', () => { ex.relu_fwd(A, C, 64 * 256, relu0); ex.relu_fwd(A, C, 64 * 128, relu0); }],
  ['act fwd softmax_fwd 64x10 (output, recomputed by the loss)', () => ex.softmax_fwd(A, C, 64, 10)],
  ['loss loss_softmax_ce_labels 64x10', () => ex.loss_softmax_ce_labels(A, lab.ptr, 64, 10, C)],
  ['act bwd relu_bwd 64x128 + 64x256', () => { ex.relu_bwd(A, Bm, C, 64 * 128, relu0); ex.relu_bwd(A, Bm, C, 64 * 256, relu0); }],
  ['bias bwd sum_rows x3', () => { ex.sum_rows(A, C, 64, 10, 0); ex.sum_rows(A, C, 64, 128, 0); ex.sum_rows(A, C, 64, 256, 0); }],
  ['optimizer sgd_step x6 (235,146 parameters)', () => {
    ex.sgd_step(D, Bm, 784 * 256, 0.01, 0); ex.sgd_step(D, Bm, 256, 0.01, 0); ex.sgd_step(D, Bm, 256 * 128, 0.01, 0);
    ex.sgd_step(D, Bm, 128, 0.01, 0); ex.sgd_step(D, Bm, 1280, 0.01, 0); ex.sgd_step(D, Bm, 10, 0.01, 0);
  }],
];
const infer = [
  ['net.predict(1 row): the whole public call', () => inf.predict(x1)],
  ['wasm net_forward(1 row)', () => ex.net_forward(ist.plan, ist.xBuf, 1)],
  ['host: finiteness, wasm (first_nonfinite on the copy)', () => ist.checkCopied(x1, 1, 0)],
  ['(before: finiteness, JS loop over 784 values)', () => rowsOf(x1, 784, 'x')],
  ['host: copy in (f32.set, 784)', () => ist.core.arena.f32.set(x1, ist.xBuf >> 2)],
  ['host: output array + copy out (10)', () => { const o = new Float32Array(10); o.set(ist.core.arena.f32.subarray(0, 10)); }],
  ['gemm_nn(1,256,784)', () => ex.gemm_nn(1, 256, 784, A, Bm, C, 0, S)],
  ['gemm_nn(1,128,256)', () => ex.gemm_nn(1, 128, 256, A, Bm, C, 0, S)],
  ['gemm_nn(1,10,128)', () => ex.gemm_nn(1, 10, 128, A, Bm, C, 0, S)],
];
if (ex.gemv_bias) {
  infer.push(['gemv_bias(256,784)', () => ex.gemv_bias(256, 784, A, Bm, D, C)]);
  infer.push(['gemv_bias(128,256)', () => ex.gemv_bias(128, 256, A, Bm, D, C)]);
  infer.push(['gemv_bias(10,128)', () => ex.gemv_bias(10, 128, A, Bm, D, C)]);
}

/** Seconds per call of each row: REPS rounds, round-robin, median. */
function timeRows(rows) {
  const per = rows.map(() => []);
  for (const [, fn] of rows) { const t0 = performance.now(); while (performance.now() - t0 < 50) fn(); }
  for (let r = 0; r < REPS; r++) {
    rows.forEach(([, fn], i) => {
      let calls = 0;
      const t0 = performance.now(), u0 = process.cpuUsage();
      let t;
      do { fn(); calls++; t = performance.now(); } while (t - t0 < TIME);
      const u = process.cpuUsage(u0);
      per[i].push((CPU ? (u.user + u.system) / 1e6 : (t - t0) / 1e3) / calls);
    });
  }
  return per.map((xs) => { const s = [...xs].sort((a, b) => a - b); return BEST ? s[0] : s[s.length >> 1]; });
}

const us = (s) => (s * 1e6).toFixed(s < 1e-5 ? 2 : 1);
function table(title, rows, whole) {
  const t = timeRows(rows);
  console.log(`\n${title}\n\n| part | us per call | share of the whole call |\n|---|---:|---:|`);
  rows.forEach(([name], i) => console.log(`| ${name} | ${us(t[i])} | ${(100 * t[i] / t[whole]).toFixed(1)}% |`));
  return t;
}

console.log(`rectify MLP profile: ${cpuModel()}, Node ${process.version}, ${relaxed && engine.relaxedSimd ? 'relaxed' : 'baseline'} build; ` +
  `${BEST ? 'fastest' : 'median'} of ${REPS} x ${TIME} ms, ${CPU ? 'CPU time' : 'wall clock'}; loadavg ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const tt = table('Training step, 784-256-128-10, batch 64, SGD, crossEntropy on labels', train, 0);
const flop = 2 * B * (784 * 256 + 256 * 128 + 128 * 10) * 2 + 2 * B * (256 * 128 + 128 * 10);
const gemm = tt.slice(7, 15).reduce((a, b) => a + b, 0);
const other = tt.slice(15).reduce((a, b) => a + b, 0);
console.log(`\nGEMMs ${us(gemm)} us (${(flop / gemm / 1e9).toFixed(1)} GFLOP/s over the ${(flop / 1e6).toFixed(1)} MFLOP of a step), ` +
  `the rest of the kernels ${us(other)} us, sum ${us(gemm + other)} us vs net_train_step ${us(tt[1])} us; ` +
  `host ${us(tt[0] - tt[1])} us; ${Math.round(B / tt[0]).toLocaleString('en-US')} samples/s.`);
const ti = table('Inference, one row (predict)', infer, 0);
console.log(`\nhost part of predict: ${us(ti[0] - ti[1])} us; ${Math.round(1 / ti[0]).toLocaleString('en-US')} samples/s (wasm alone ${Math.round(1 / ti[1]).toLocaleString('en-US')}).`);
// Inference at batch 256: where the forward pass goes (the GEMMs at M = 256, bias, activations, softmax, host).
const R = 256;
const big = build(R);
const x256 = Float32Array.from({ length: R * 784 }, rnd);
big.predict(x256);
const bst = big.st;
const infer256 = [
  ['net.predict(256 rows): the whole public call', () => big.predict(x256)],
  ['wasm net_forward(256 rows)', () => ex.net_forward(bst.plan, bst.xBuf, R)],
  ['host: copy in (200,704 values) and finiteness (first_nonfinite)', () => { bst.core.arena.f32.set(x256, bst.xBuf >> 2); bst.checkCopied(x256, R, 0); }],
  ['gemm_nn(256,256,784)', () => ex.gemm_nn(R, 256, 784, A, Bm, C, 0, S)],
  ['gemm_nn(256,128,256)', () => ex.gemm_nn(R, 128, 256, A, Bm, C, 0, S)],
  ['gemm_nn(256,10,128)', () => ex.gemm_nn(R, 10, 128, A, Bm, C, 0, S)],
  ['bias add_bias_rows x3', () => { ex.add_bias_rows(C, A, R, 256); ex.add_bias_rows(C, A, R, 128); ex.add_bias_rows(C, A, R, 10); }],
  ['act relu_fwd 256x256 + 256x128', () => { ex.relu_fwd(A, C, R * 256, relu0); ex.relu_fwd(A, C, R * 128, relu0); }],
  ['act softmax_fwd 256x10', () => ex.softmax_fwd(A, C, R, 10)],
];
const t256 = table('Inference, 256 rows (predict), capacity 256', infer256, 0);
const fflop = 2 * R * (784 * 256 + 256 * 128 + 128 * 10);
const g256 = t256[3] + t256[4] + t256[5];
console.log(`\nGEMMs ${us(g256)} us (${(fflop / g256 / 1e9).toFixed(1)} GFLOP/s over ${(fflop / 1e6).toFixed(1)} MFLOP), ` +
  `bias + activations + softmax ${us(t256[6] + t256[7] + t256[8])} us, sum ${us(g256 + t256[6] + t256[7] + t256[8])} us vs net_forward ` +
  `${us(t256[1])} us (${(fflop / t256[1] / 1e9).toFixed(1)} GFLOP/s); host ${us(t256[0] - t256[1])} us; ` +
  `${Math.round(R / t256[0]).toLocaleString('en-US')} samples/s (wasm alone ${Math.round(R / t256[1]).toLocaleString('en-US')}).`);
console.log(`\nloadavg at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
process.exit(0);
