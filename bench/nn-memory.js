// Optimizer and loss kernels against the memory bound: bytes each kernel must move (every array it reads once plus
// every array it writes once) per second, next to a plain copy (memory.copy through gather_rows) of a similar size
// in the same run. A kernel at ~100% of the copy's rate is memory bound; far below, it is bound by its arithmetic.
//
//   npm run build && node bench/nn-memory.js [--time 200] [--reps 5] [--clock wall|cpu]
import { createEngine } from '../dist/index.js';
import { cpuModel } from './gemm.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
const TIME = Number(opt('time', '200')), REPS = Number(opt('reps', '5')), CPU = opt('clock', 'wall') === 'cpu';

// rectify.wasm's code with every kernel exported (rectify.wasm exports only what the host calls).
const engine = await createEngine({ wasm: new URL('../dist/rectify-kernels.wasm', import.meta.url) });
const ex = engine.exports;

function rate(fn) {
  for (let i = 0; i < 3; i++) fn();
  let best = 0;
  for (let r = 0; r < REPS; r++) {
    let calls = 0;
    const t0 = performance.now(), u0 = process.cpuUsage();
    let t = t0;
    do { fn(); calls++; t = performance.now(); } while (t - t0 < TIME);
    const u = process.cpuUsage(u0);
    best = Math.max(best, calls / (CPU ? (u.user + u.system) / 1e6 : (t - t0) / 1000));
  }
  return best;
}

const fill = (t, lo, hi, seed) => { let s = seed >>> 0; for (let i = 0; i < t.data.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; t.data[i] = lo + (hi - lo) * (s / 2 ** 32); } return t; };

const rows = [];
for (const n of [200_704, 4_194_304]) {
  const w = fill(engine.tensor(n), -0.1, 0.1, 1), g = fill(engine.tensor(n), -1e-3, 1e-3, 2);
  const m = fill(engine.tensor(n), -1e-3, 1e-3, 3), v = fill(engine.tensor(n), 1e-8, 1e-6, 4);
  const dst = engine.tensor(n), idx = engine.tensor(new Float32Array(1));
  const mib = (n * 4 / 2 ** 20).toFixed(2);
  // gather_rows with one row of n floats: a memory.copy of 4n bytes (reads 4n, writes 4n).
  const copy = rate(() => ex.gather_rows(w.ptr, idx.ptr, 0, 1, n, dst.ptr)) * 8 * n / 1e9;
  const k = [
    ['sgd_step', 12, () => ex.sgd_step(w.ptr, g.ptr, n, 1e-9, 0)],
    ['sgd_step, weight decay', 12, () => ex.sgd_step(w.ptr, g.ptr, n, 1e-9, 1e-9)],
    ['momentum_step', 20, () => ex.momentum_step(w.ptr, g.ptr, m.ptr, n, 1e-9, 0.9, 0, 0)],
    ['rmsprop_step', 20, () => ex.rmsprop_step(w.ptr, g.ptr, v.ptr, n, 1e-9, 0.99, 1e-8, 0)],
    ['adam_step', 28, () => ex.adam_step(w.ptr, g.ptr, m.ptr, v.ptr, n, 1e-9, 0.9, 0.999, 1e-8, 0, 0, 0.9, 0.999)],
    ['sum_squares', 4, () => ex.sum_squares(g.ptr, n)],
    ['scale_inplace', 8, () => ex.scale_inplace(g.ptr, n, 1)],
    ['loss_mse (rows x 16)', 12, () => ex.loss_mse(w.ptr, m.ptr, n / 16, 16, dst.ptr)],
    ['loss_bce_logits (rows x 16)', 12, () => ex.loss_bce_logits(w.ptr, m.ptr, n / 16, 16, dst.ptr)],
    ['loss_softmax_ce (rows x 16)', 12, () => ex.loss_softmax_ce(w.ptr, m.ptr, n / 16, 16, dst.ptr)],
  ];
  rows.push(`| memory.copy (${mib} MiB) | 8 | ${copy.toFixed(1)} | 100% |`);
  for (const [name, bytes, fn] of k) {
    const gbs = rate(fn) * bytes * n / 1e9;
    rows.push(`| ${name} (${mib} MiB per array) | ${bytes} | ${gbs.toFixed(1)} | ${(gbs / copy * 100).toFixed(0)}% |`);
  }
  for (const t of [w, g, m, v, dst, idx]) t.dispose();
}
console.log(`# Optimizer and loss kernels vs the memory bound\n\nCPU: ${cpuModel()}. Node ${process.version}, baseline build, ` +
  `best of ${REPS} x ${TIME} ms, ${CPU ? 'per second of process CPU time' : 'wall clock'}. Bytes per element: arrays read + arrays written, 4 bytes each.\n`);
console.log('| kernel | bytes / element | GB/s | vs copy |\n|---|---:|---:|---:|\n' + rows.join('\n'));
