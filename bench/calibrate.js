// The machine's clock and 128-bit SIMD ceiling, measured in wasm on this engine, for the benchmark tables:
// cycles per element come from the clock, "% of peak" from the ceiling.
//
//   node bench/calibrate.js            prints the figures
//   import { calibrate } from './calibrate.js'
//
// The kernels (bench/calibrate/kernels.ts) are compiled with the project's asc into a temporary folder on first use.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** Compiles the calibration kernels (bench/calibrate/kernels.ts) for the baseline or the relaxed build. */
export function compile(relaxed) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rectify-calibrate-'));
  const out = path.join(dir, relaxed ? 'relaxed.wasm' : 'baseline.wasm');
  const asc = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const args = [asc, path.join(here, 'calibrate', 'kernels.ts'), '-o', out, '--runtime', 'stub', '-O3',
    '--noAssert', '--enable', relaxed ? 'simd,relaxed-simd' : 'simd', '--config', path.join(here, 'calibrate', 'asconfig.json')];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`asc failed for the calibration kernels: ${r.stderr || r.stdout}`);
  return readFileSync(out);
}

/** Instantiates compiled calibration kernels. */
export function instantiate(bytes) {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { abort() { throw new Error('abort'); } } }).exports;
}

/** Flop per step of peak_muladd and peak_fma (ten f32x4 multiply-adds). */
export const PEAK_FLOP_PER_STEP = 80;

/** Best (shortest) of `reps` timings of fn, in seconds. */
function best(fn, reps) {
  let t = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    t = Math.min(t, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return t;
}

/**
 * Measures the clock (GHz, from a chain of dependent integer multiplies, 3 cycles each) and the 128-bit ceilings (GFLOP/s of
 * ten f32x4 accumulators updated by acc += x * b as in a GEMM tile, the multiply off the critical path; with
 * relaxed_madd too where the engine validates relaxed SIMD).
 * @returns {{ cpu: string, ghz: number, peakGflops: number, peakFmaGflops: number | null }}
 */
export function calibrate({ reps = 7 } = {}) {
  const base = instantiate(compile(false));
  const steps = 40_000_000;
  base.clock_mul(1_000_000, 3);
  const tClock = best(() => base.clock_mul(steps, 0x5bd1e995), reps);
  const ghz = (3 * steps) / tClock / 1e9;
  const vsteps = 4_000_000;
  base.peak_muladd(100_000, 0.999, 0.001);
  const tPeak = best(() => base.peak_muladd(vsteps, 0.999, 0.001), reps);
  const peakGflops = (vsteps * PEAK_FLOP_PER_STEP) / tPeak / 1e9;
  let peakFmaGflops = null;
  try {
    const rel = instantiate(compile(true));
    rel.peak_fma(100_000, 0.999, 0.001);
    const tFma = best(() => rel.peak_fma(vsteps, 0.999, 0.001), reps);
    peakFmaGflops = (vsteps * PEAK_FLOP_PER_STEP) / tFma / 1e9;
  } catch {
    // Relaxed SIMD is behind --experimental-wasm-relaxed-simd on Node 20: no FMA figure without it.
  }
  return { cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU', ghz, peakGflops, peakFmaGflops };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const c = calibrate();
  console.log(`CPU: ${c.cpu}`);
  console.log(`clock (dependent i32 multiplies): ${c.ghz.toFixed(2)} GHz`);
  console.log(`128-bit ceiling, f32x4 mul + add: ${c.peakGflops.toFixed(1)} GFLOP/s ` +
    `(${(c.peakGflops / c.ghz).toFixed(1)} flop/cycle)`);
  console.log(c.peakFmaGflops === null
    ? '128-bit ceiling, relaxed FMA: not available (run node with --experimental-wasm-relaxed-simd)'
    : `128-bit ceiling, relaxed FMA: ${c.peakFmaGflops.toFixed(1)} GFLOP/s (${(c.peakFmaGflops / c.ghz).toFixed(1)} flop/cycle)`);
}
