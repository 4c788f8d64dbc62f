// Register-tile and blocking experiments for the packed GEMM: compiles bench/gemm-tiles/kernels.ts (4x8, 4x8 unrolled
// twice, 6x8, 8x8, 4x12, 5x8 tiles over the packing of assembly/nn/gemm.ts) and times them round-robin in one process,
// baseline and relaxed, as GFLOP/s and as a ratio to the 4x8 tile. Shapes are rounded down to multiples of the tile.
//
//   node --experimental-wasm-relaxed-simd bench/gemm-tiles.js [--time 150] [--reps 5] [--kc 256] [--mc 256]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
const MS = Number(opt('time', '150')), REPS = Number(opt('reps', '5'));
const KCS = opt('kc', '256').split(',').map(Number), MCS = opt('mc', '256').split(',').map(Number);
const TILES = opt('tiles', '0,1,2,3,4,5').split(',').map(Number);
const NAMES = ['4x8', '4x8 unroll 2', '6x8', '8x8', '4x12', '5x8'];
const DIMS = [[4, 8], [4, 8], [6, 8], [8, 8], [4, 12], [5, 8]];

function compile(relaxed) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-tiles-'));
  const out = path.join(dir, 'k.wasm');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js'), path.join(here, 'gemm-tiles', 'kernels.ts'),
    '-o', out, '--runtime', 'stub', '-O3', '--noAssert', '--enable', relaxed ? 'simd,relaxed-simd' : 'simd',
    '--config', path.join(here, 'gemm-tiles', 'asconfig.json')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr || r.stdout);
  return new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), { env: { abort() { throw new Error('abort'); } } }).exports;
}

const builds = [['baseline', compile(false)]];
try { builds.push(['relaxed', compile(true)]); } catch { /* no relaxed SIMD in this engine */ }

/** Calls per second of CPU time (process user + system time: on a shared machine, time spent waiting for a core is
 * excluded, which makes variants comparable while other processes run). */
function sample(fn, ms) {
  let calls = 0, chunk = 1;
  const t0 = performance.now(), u0 = process.cpuUsage();
  let t = t0;
  do { for (let i = 0; i < chunk; i++) fn(); calls += chunk; t = performance.now(); if (t - t0 < ms / 20) chunk *= 2; } while (t - t0 < ms);
  const u = process.cpuUsage(u0);
  return calls / ((u.user + u.system) / 1e6);
}

/** The micro-kernel alone on L1-resident panels (kc = 256), next to 12 independent multiply-add chains (vmadd: mul + add
 * in the baseline build, fused in the relaxed one), both in GFLOP/s of CPU time. */
function tileOnly(ex) {
  const f = new Float32Array(ex.memory.buffer);
  for (let i = 16384; i < 60000; i++) f[i] = (i % 17) / 17;
  const reps = 20000, kc = 256, res = TILES.map(() => 0);
  let ceil = 0;
  for (let round = 0; round < REPS; round++) {
    const u0 = process.cpuUsage(); ex.peak_muladd(4_000_000, 0.999, 0.001); const u = process.cpuUsage(u0);
    ceil = Math.max(ceil, (4_000_000 * 96) / ((u.user + u.system) / 1e6) / 1e9);
    TILES.forEach((t, i) => {
      const [mr, nr] = DIMS[t];
      const v0 = process.cpuUsage(); ex.tile_only(t, reps, kc, 65536, 65536 + 16384, 65536 + 65536); const v = process.cpuUsage(v0);
      res[i] = Math.max(res[i], (2 * mr * nr * kc * reps) / ((v.user + v.system) / 1e6) / 1e9);
    });
  }
  return `micro-kernel alone (L1, kc 256): 12 chains ${ceil.toFixed(1)}; ` + TILES.map((t, i) => `${NAMES[t]} ${res[i].toFixed(1)} (${(res[i] / ceil * 100).toFixed(0)}%)`).join(', ');
}

const SHAPES = [[256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [64, 256, 784], [784, 256, 64], [64, 784, 256]];
for (const [bname, ex] of builds) {
  const mem = ex.memory;
  const need = 3 * 1024 * 1024 * 4 + 8 * 1024 * 1024;
  if (mem.buffer.byteLength < need) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const f = new Float32Array(mem.buffer);
  const A = 65536, B = A + 1024 * 1024 * 4, C = B + 1024 * 1024 * 4, S = C + 1024 * 1024 * 4;
  for (let i = 0; i < 2 * 1024 * 1024; i++) f[A / 4 + i] = ((i * 7919) % 1000) / 1000 - 0.5;
  console.log(`\n${bname}: GFLOP/s of CPU time, best of ${REPS} x ${MS} ms, ratio to 4x8 (same kc, mc) in parentheses`);
  console.log(tileOnly(ex));
  for (const [m0, n0, k] of SHAPES) {
    for (const kc of KCS) for (const mc of MCS) {
      const rates = TILES.map(() => []);
      const fns = TILES.map((t) => {
        const [mr, nr] = DIMS[t];
        const m = Math.floor(m0 / mr) * mr, n = Math.floor(n0 / nr) * nr, mcb = Math.floor(mc / mr) * mr;
        return { flop: 2 * m * n * k, fn: () => ex.gemm_tile(t, m, n, k, A, B, C, S, kc, mcb) };
      });
      for (const x of fns) x.fn();
      for (let r = 0; r < REPS; r++) fns.forEach((x, i) => rates[i].push(sample(x.fn, MS) * x.flop / 1e9));
      const best = rates.map((r) => Math.max(...r));
      console.log(`${m0}x${n0}x${k} kc ${kc} mc ${mc}: ` + TILES.map((t, i) => `${NAMES[t]} ${best[i].toFixed(1)} (${(best[i] / best[0]).toFixed(2)})`).join(', '));
    }
  }
}
