// GEMM throughput: GFLOP/s (2 m n k / time) of gemm_nn, gemm_nt and gemm_tn for square sizes, baseline and relaxed.
// Wall-clock and CPU-time rates are both printed.
// Run: npm run build && node --experimental-wasm-relaxed-simd bench/gemm.js [sizes...]
import { createEngine } from '../dist/index.js';

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const SIZES = sizes.length ? sizes : [64, 128, 256, 512, 1024];
const VARIANTS = ['gemm_nn', 'gemm_nt', 'gemm_tn'];

function fill(t, seed) {
  const d = t.data;
  let s = seed >>> 0;
  for (let i = 0; i < d.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; d[i] = s / 2 ** 32 - 0.5; }
}

async function run(relaxed) {
  const engine = await createEngine({ relaxedSimd: relaxed });
  const label = relaxed ? (engine.relaxedSimd ? 'relaxed' : 'relaxed (unavailable: baseline)') : 'baseline';
  const ex = engine.exports;
  const rows = [];
  for (const n of SIZES) {
    const a = engine.tensor(n * n), b = engine.tensor(n * n), c = engine.tensor(n * n);
    const s = engine.tensor(Math.ceil(ex.gemm_scratch_bytes(n, n, n) / 4));
    fill(a, 1); fill(b, 2);
    const flops = 2 * n * n * n;
    const row = { n };
    for (const v of VARIANTS) {
      const f = ex[v];
      const call = () => f(n, n, n, a.ptr, b.ptr, c.ptr, 0, s.ptr);
      // Calibrate to ~0.2 s per sample, take the best of 5 samples (the machine is shared and noisy).
      let reps = 1;
      for (;;) { const t0 = performance.now(); for (let r = 0; r < reps; r++) call(); if (performance.now() - t0 > 50) break; reps *= 2; }
      reps = Math.max(1, reps * 4);
      let best = Infinity, bestCpu = Infinity;
      for (let k = 0; k < 5; k++) {
        const u0 = process.cpuUsage();
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) call();
        best = Math.min(best, (performance.now() - t0) / 1000 / reps);
        const u = process.cpuUsage(u0);
        bestCpu = Math.min(bestCpu, (u.user + u.system) / 1e6 / reps);
      }
      row[v] = (flops / best / 1e9).toFixed(1);
      row[`${v} (cpu)`] = (flops / bestCpu / 1e9).toFixed(1);
    }
    rows.push(row);
    a.dispose(); b.dispose(); c.dispose(); s.dispose();
  }
  console.log(`\n${label}: GFLOP/s, best of 5 samples; (cpu) divides by the process CPU time, which on a shared machine excludes time the process waited for a core`);
  console.table(rows);
}

await run(false);
await run(true);
