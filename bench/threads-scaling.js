// Two threads against one, side by side in one run: the machine's own ceiling for two threads (the calibration
// kernel's pure compute loop, bench/calibrate/kernels.ts peak_muladd: ten f32x4 multiply-add chains, no memory, run
// by one worker alone and by two workers at once) and the GEMM shapes of bench/gemm.js on engines with 1 and 2
// threads. Every round measures each side once, in turn, so a burst of load from other processes falls on all of
// them; the table gives the median ratio over the rounds and its range (how noisy the machine is), and the ratio of
// each side's best sample (its least disturbed moment).
//
//   npm run build && node bench/threads-scaling.js [--rounds 7] [--ms 150] [--shapes nn:64x256x784,...] [--dists dist,other/dist]
//
// Rows: the GEMM shapes and one training step of the MLP 784-256-128-10 (SGD, batch 64); with --dists, each build's
// ratio in its own column (an A/B of two builds in one run).
//
// A ratio of 2.0 is perfect scaling; the ceiling row says how far two threads of pure arithmetic get on this machine
// right now (below 2.0: the two vCPUs share a core, or other processes take one).
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { compile } from './calibrate.js';
import { cpuModel } from './gemm.js';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const ROUNDS = Number(opt('--rounds', 7));
const MS = Number(opt('--ms', 150));
const dists = opt('--dists', new URL('../dist', import.meta.url).pathname).split(',').map((d) => resolve(d));
const SHAPES = opt('--shapes', 'nn:64x256x784,nt:64x784x256,tn:784x256x64,nn:256x256x256,nn:512x512x512,tn:256x128x64')
  .split(',').map((s) => { const [kind, dims] = s.split(':'); return { kind, dims: dims.split('x').map(Number) }; });

// The ceiling: workers that each run peak_muladd(steps) on request and answer with their own wall time.
const bytes = compile(false);
const CODE = `const { parentPort } = require('node:worker_threads');
let x; parentPort.on('message', (m) => {
  if (m.bytes) { x = new WebAssembly.Instance(new WebAssembly.Module(m.bytes), { env: { abort() {} } }).exports; x.peak_muladd(100000, 0.999, 0.001); parentPort.postMessage(0); return; }
  const t0 = performance.now(); x.peak_muladd(m.steps, 0.999, 0.001); parentPort.postMessage(performance.now() - t0);
});`;
const workers = [new Worker(CODE, { eval: true }), new Worker(CODE, { eval: true })];
const ask = (w, m) => new Promise((res) => { w.once('message', res); w.postMessage(m); });
await Promise.all(workers.map((w) => ask(w, { bytes })));
// Steps for about MS ms on one thread.
let steps = 1_000_000;
for (;;) { const t = await ask(workers[0], { steps }); if (t > MS / 4) { steps = Math.round(steps * MS / t); break; } steps *= 4; }
/** Work per ms of one worker alone and of two at once (the sum). */
const ceilBest = [0, 0];
async function ceilingRound() {
  const t1 = await ask(workers[0], { steps });
  const t2 = await Promise.all(workers.map((w) => ask(w, { steps })));
  ceilBest[0] = Math.max(ceilBest[0], steps / t1); ceilBest[1] = Math.max(ceilBest[1], 2 * steps / Math.max(...t2));
  return (steps / Math.max(...t2)) * 2 / (steps / t1);
}

function gemmSide(e, { kind, dims: [m, n, k] }) {
  const t = (len) => e.tensor(Float32Array.from({ length: len }, (_, i) => Math.sin(i)));
  const a = t(m * k), b = t(k * n), c = t(m * n), s = e.tensor(Math.ceil(e.exports.gemm_scratch_bytes(m, n, k) / 4));
  const f = e.exports[`gemm_${kind}`];
  return () => f(m, n, k, a.ptr, b.ptr, c.ptr, 0, s.ptr);
}
function mlpSide(e) {
  const net = e.network({ inputs: 784, seed: 1 }).dense(256, 'relu').dense(128, 'relu').dense(10, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 0.01 } });
  const x = Float32Array.from({ length: 64 * 784 }, (_, i) => Math.sin(i) * 0.5), y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
  return () => net.trainBatch(x, y);
}
/** Calls per ms of fn over about MS ms (wall clock). */
function rate(fn) {
  fn();
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MS) { fn(); calls++; t = performance.now(); }
  return calls / (t - t0);
}
const builds = [];
for (const d of dists) {
  const api = await import(pathToFileURL(resolve(d, 'index.js')).href);
  // rectify.wasm exports only what the host calls: the one-thread side runs rectify-kernels.wasm (the same code with
  // every export, so the GEMMs can be called one by one) where the build has it.
  const kernels = resolve(d, 'rectify-kernels.wasm');
  const e1 = await api.createEngine(existsSync(kernels) ? { wasm: pathToFileURL(kernels) } : {});
  const e2 = await api.createEngine({ threads: 2 });
  if (e2.threads !== 2) throw new Error(`no threads: ${e2.threadsUnavailableReason}`);
  builds.push({ e1, e2 });
}
const rows = [...SHAPES.map((s) => ({ name: `gemm_${s.kind} ${s.dims.join('x')}`, make: (e) => gemmSide(e, s) })),
  { name: 'MLP 784-256-128-10 train step (SGD, batch 64)', make: mlpSide }];
const sides = rows.map((r) => ({ name: r.name, per: builds.map(({ e1, e2 }) => ({ one: r.make(e1), two: r.make(e2), r: [] })) }));
const ceiling = [];
for (let r = 0; r < ROUNDS; r++) {
  ceiling.push(await ceilingRound());
  for (const s of sides) {
    for (const b of s.per) {
      // 1, 2, 2, 1: the order within a round does not favour a side.
      const a = rate(b.one), t = rate(b.two), t2 = rate(b.two), a2 = rate(b.one);
      b.r.push((t + t2) / (a + a2));
      b.best1 = Math.max(b.best1 ?? 0, a, a2); b.best2 = Math.max(b.best2 ?? 0, t, t2);
    }
  }
}
const stat = (v) => { const w = [...v].sort((x, y) => x - y); return `${w[w.length >> 1].toFixed(2)}x (${w[0].toFixed(2)}-${w[w.length - 1].toFixed(2)})`; };
console.log(`CPU: ${cpuModel()}; ${ROUNDS} rounds of ${MS} ms per side; ${new Date().toISOString()}`);
// Per build: the median of the per-round ratios (range), and the best 2-thread sample over the best 1-thread sample
// (each side's least disturbed moment).
console.log(`| 2 threads vs 1: median of rounds (range); best / best | ${dists.map((d) => d.split('/').slice(-2).join('/')).join(' | ')} |`);
console.log(`|---|${dists.map(() => '---|').join('')}`);
console.log(`| pure compute ceiling (peak_muladd, 2 workers vs 1) | ${stat(ceiling)}; ${(ceilBest[1] / ceilBest[0]).toFixed(2)}x |`);
for (const s of sides) console.log(`| ${s.name} | ${s.per.map((b) => `${stat(b.r)}; ${(b.best2 / b.best1).toFixed(2)}x`).join(' | ')} |`);
for (const w of workers) await w.terminate();
for (const { e1, e2 } of builds) { e1.dispose(); e2.dispose(); }
