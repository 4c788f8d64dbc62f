// Where the time of one tiny training step goes: rectify's trainBatch on a 2-16-16-1 network (mse, SGD), split into
// its JS part (validation, copies) and its wasm part (forward, backward, update), each timed alone.
//
//   npm run build && node bench/nn-profile.js [--batch 1] [--time 400] [--reps 5]
import { loadavg } from 'node:os';
import { createEngine, ACTIVATIONS } from '../dist/index.js';
import { prepareTargets, rowsOf } from '../dist/network/targets.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt; };
const BATCH = opt('batch', 1), TIME = opt('time', 400), REPS = opt('reps', 5);
const relaxed = args.includes('--relaxed');

// The baseline's kernels on rectify-kernels.wasm: rectify.wasm's code with every kernel exported (rectify.wasm exports
// only what the host calls).
const engine = await createEngine(relaxed ? { relaxedSimd: true } : { wasm: new URL('../dist/rectify-kernels.wasm', import.meta.url) });
const act = ACTIVATIONS.some((d) => d.name === 'tanh') ? 'tanh' : 'hardTanh';
const net = engine.network({ inputs: 2, seed: 1 }).dense(16, act).dense(16, act).dense(1, 'linear')
  .build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.01 }, capacity: Math.max(BATCH, 1) });
// 16 different batches with random targets, cycled (one repeated batch is fitted exactly and its gradients decay into
// f32 subnormals, which x86 computes many times slower: see the last row).
const P = 16;
let seed = 9;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
const X = Float32Array.from({ length: P * 2 * BATCH }, rnd), Y = Float32Array.from({ length: P * BATCH }, rnd);
const xs = Array.from({ length: P }, (_, i) => X.subarray(i * 2 * BATCH, (i + 1) * 2 * BATCH));
const ys = Array.from({ length: P }, (_, i) => Y.subarray(i * BATCH, (i + 1) * BATCH));
const x = xs[0], y = ys[0];
net.trainBatch(x, y);
const ex = engine.exports;
const st = net.st; // the network's memory and wasm calls (src/network/state.ts)
const { plan, xBuf, tBuf } = st;
if (!plan) throw new Error('bench/nn-profile.js: no plan pointer on the network (its internals moved)');
const xt = engine.tensor(X.length), yt = engine.tensor(Y.length);
xt.data.set(X); yt.data.set(Y);
const xp = xt.ptr, yp = yt.ptr;
let k = 0;

/** ns per call: median of REPS samples of TIME ms (calls in chunks of 1000). */
function ns(fn) {
  for (let i = 0; i < 20000; i++) fn();
  const r = [];
  for (let k = 0; k < REPS; k++) {
    let calls = 0; const t0 = performance.now(); let t;
    do { for (let i = 0; i < 1000; i++) fn(); calls += 1000; t = performance.now(); } while (t - t0 < TIME);
    r.push((t - t0) * 1e6 / calls);
  }
  r.sort((a, b) => a - b);
  return r[r.length >> 1];
}

const rows = [
  ['net.trainBatch(x, y) (whole call)', () => { const i = k++ & (P - 1); net.trainBatch(xs[i], ys[i]); }],
  ['  wasm: net_train_step (forward + loss + backward + SGD)', () => { const i = k++ & (P - 1); ex.net_train_step(plan, xp + i * 8 * BATCH, yp + i * 4 * BATCH, 0, BATCH); }],
  ['  wasm: net_gradients (forward + loss + backward)', () => { const i = k++ & (P - 1); ex.net_gradients(plan, xp + i * 8 * BATCH, yp + i * 4 * BATCH, 0, BATCH); }],
  ['  wasm: net_forward (forward only)', () => ex.net_forward(plan, xBuf, BATCH)],
  ['  wasm: empty-ish export call (net_output)', () => ex.net_output(plan)],
  ['  JS: check() (disposed + engine)', () => net.check()],
  ['  JS: rowsOf(x) (type, shape)', () => rowsOf(x, 2, 'x', false)],
  ['  JS: prepareTargets(y) (type, shape, finiteness)', () => prepareTargets(y, BATCH, 1, 'mse', false)],
  ['  JS: ensureCapacity (no-op)', () => st.ensureCapacity(BATCH)],
  ['  JS: load() (copy x and y into wasm memory)', () => st.load(x, BATCH, { targets: y }, 0)],
  ['  wasm: checkCopied (first_nonfinite on the copy of x)', () => st.checkCopied(x, BATCH, 0)],
  ['  JS: arena.f32 getter (memory.buffer check)', () => st.core.arena.f32],
  ['  JS + wasm: all of the above but the step', () => { net.check(); const r = rowsOf(x, 2, 'x', false); const t = prepareTargets(y, r, 1, 'mse', false); st.ensureCapacity(r); st.load(x, r, t, 0); st.checkCopied(x, r, 0); }],
  ['(wasm: net_train_step on ONE repeated batch: subnormal gradients)', () => ex.net_train_step(plan, xBuf, tBuf, 0, BATCH)],
];
console.log(`rectify tiny-network step profile: 2-16-16-1 ${act}, mse, SGD, batch ${BATCH}, ${relaxed && engine.relaxedSimd ? 'relaxed' : 'baseline'} build; ` +
  `median of ${REPS} x ${TIME} ms; loadavg ${loadavg().map((v) => v.toFixed(2)).join(' ')}\n`);
console.log('| part | ns per call | calls/s |');
console.log('|---|---:|---:|');
for (const [name, fn] of rows) {
  const t = ns(fn);
  console.log(`| ${name} | ${t.toFixed(0)} | ${Math.round(1e9 / t).toLocaleString('en-US')} |`);
}
// The kernels net_train_step calls for this network, timed one by one at its shapes (rows = batch).
const buf = () => engine.tensor(4096).ptr;
const A = buf(), B = buf(), C = buf(), S = buf(), D = buf();
engine.tensor(4096).data; // keep views fresh
const R = BATCH;
const ID = ACTIVATIONS.findIndex((d) => d.name === act);
const kernels = [
  ['gemm_nn(R,16,2)  forward layer 0', () => ex.gemm_nn(R, 16, 2, A, B, C, 0, S)],
  ['gemm_nn(R,16,16) forward layer 1', () => ex.gemm_nn(R, 16, 16, A, B, C, 0, S)],
  ['gemm_nn(R,1,16)  forward layer 2', () => ex.gemm_nn(R, 1, 16, A, B, C, 0, S)],
  ['add_bias_rows(R,16)', () => ex.add_bias_rows(C, B, R, 16)],
  [`act_fwd(${act}, R x 16)`, () => ex.act_fwd(ID, A, C, R, 16, D, 0)],
  ['loss_mse(R x 1)', () => ex.loss_mse(A, B, R, 1, C)],
  [`act_bwd(${act}, R x 16)`, () => ex.act_bwd(ID, A, B, C, D, R, 16, S, 0)],
  ['gemm_tn(16,1,R)  dW layer 2', () => ex.gemm_tn(16, 1, R, A, B, C, 0, S)],
  ['gemm_tn(16,16,R) dW layer 1', () => ex.gemm_tn(16, 16, R, A, B, C, 0, S)],
  ['gemm_tn(2,16,R)  dW layer 0', () => ex.gemm_tn(2, 16, R, A, B, C, 0, S)],
  ['gemm_nt(R,16,1)  dX layer 2', () => ex.gemm_nt(R, 16, 1, A, B, C, 0, S)],
  ['gemm_nt(R,16,16) dX layer 1', () => ex.gemm_nt(R, 16, 16, A, B, C, 0, S)],
  ['sum_rows(R,16)   db', () => ex.sum_rows(A, C, R, 16, 0)],
  ['sgd_step(256)    W layer 1', () => ex.sgd_step(A, B, 256, 0.01, 0)],
  ['sgd_step(16)     bias', () => ex.sgd_step(A, B, 16, 0.01, 0)],
];
console.log('\nKernels net_train_step calls (each through its own JS->wasm call, ~13 ns of which is the call):\n');
console.log('| kernel | ns per call |');
console.log('|---|---:|');
for (const [name, fn] of kernels) console.log(`| ${name} | ${ns(fn).toFixed(0)} |`);
console.log(`\nloadavg at end ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
