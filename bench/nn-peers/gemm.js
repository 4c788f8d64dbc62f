// GEMM workloads shared by bench/gemm.js and bench/nn.js: the shapes, the rectify side, tfjs-wasm's matMul with the
// same transposes, and numpy (one OpenBLAS thread) in a subprocess when python3 with numpy is present.
import { compile, instantiate, PEAK_FLOP_PER_STEP } from '../calibrate.js';
import { spawnSync } from 'node:child_process';
import { tfjsWasm } from './tfjs.js';

/**
 * Shapes as C[m,n] (+)= op(A) op(B) with inner dimension k. The MLP rows are the products one training step of the
 * 784-256-128-10 MLP at batch 64 runs on its first layer: forward Z = X W (nn), dW = X^T dZ (tn), dX = dZ W^T (nt).
 * Every variant runs at every shape, so nt and tn can be compared with nn directly.
 */
export const GEMM_SHAPES = [
  { label: '256^3', m: 256, n: 256, k: 256 },
  { label: '512^3', m: 512, n: 512, k: 512 },
  { label: '1024^3', m: 1024, n: 1024, k: 1024 },
  { label: 'MLP fwd 64x256x784', m: 64, n: 256, k: 784 },
  { label: 'MLP dW 784x256x64', m: 784, n: 256, k: 64 },
  { label: 'MLP dX 64x784x256', m: 64, n: 784, k: 256 },
];
export const GEMM_VARIANTS = ['nn', 'nt', 'tn'];

/** What each variant computes, for table captions. */
export const VARIANT_TEXT = { nn: 'C = A B', nt: 'C = A B^T', tn: 'C = A^T B' };

export function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

/** The rectify side: gemm_<variant> on operands already in wasm memory. */
export function rectifyGemm(engine, variant, { m, n, k }) {
  const ex = engine.exports;
  const a = engine.tensor(m * k), b = engine.tensor(k * n), c = engine.tensor(m * n);
  const s = engine.tensor(Math.ceil(ex.gemm_scratch_bytes(m, n, k) / 4));
  fill(a.data, 1); fill(b.data, 2);
  const f = ex[`gemm_${variant}`], ap = a.ptr, bp = b.ptr, cp = c.ptr, sp = s.ptr;
  return { fn: () => f(m, n, k, ap, bp, cp, 0, sp), dispose: () => { a.dispose(); b.dispose(); c.dispose(); s.dispose(); } };
}

/** tf.matMul on the wasm backend with the operands stored as the variant stores them (transposeA / transposeB). */
export async function tfjsGemm(variant, { m, n, k }) {
  const { tf } = await tfjsWasm();
  const a = tf.tensor2d(fill(new Float32Array(m * k), 1), variant === 'tn' ? [k, m] : [m, k]);
  const b = tf.tensor2d(fill(new Float32Array(k * n), 2), variant === 'nt' ? [n, k] : [k, n]);
  const ta = variant === 'tn', tb = variant === 'nt';
  return { fn: () => { const c = tf.matMul(a, b, ta, tb); c.dispose(); }, dispose: () => { a.dispose(); b.dispose(); } };
}

const NUMPY_SCRIPT = `
import json, sys, time
import numpy as np
jobs = json.loads(sys.argv[1]); ms = float(sys.argv[2]); reps = int(sys.argv[3])
clock = time.process_time if sys.argv[4] == 'cpu' else time.perf_counter
rng = np.random.default_rng(1)
out = {}
for j in jobs:
    m, n, k, v = j['m'], j['n'], j['k'], j['variant']
    a = (rng.random((k, m) if v == 'tn' else (m, k), dtype=np.float32) - 0.5)
    b = (rng.random((n, k) if v == 'nt' else (k, n), dtype=np.float32) - 0.5)
    c = np.empty((m, n), dtype=np.float32)
    A = a.T if v == 'tn' else a
    B = b.T if v == 'nt' else b
    np.matmul(A, B, out=c)
    rates = []
    for r in range(reps):
        calls = 0; w0 = time.perf_counter(); c0 = clock()
        while time.perf_counter() - w0 < ms / 1000:
            np.matmul(A, B, out=c); calls += 1
        rates.append(2.0 * m * n * k * calls / (clock() - c0) / 1e9)
    rates.sort()
    out[j['key']] = {'median': rates[len(rates) // 2], 'min': rates[0], 'max': rates[-1]}
cfg = np.show_config(mode='dicts') if 'mode' in np.show_config.__code__.co_varnames else None
blas = ''
try:
    bi = cfg['Build Dependencies']['blas']
    blas = bi.get('name', '') + ' ' + bi.get('version', '')
except Exception:
    pass
print(json.dumps({'version': np.__version__, 'blas': blas.strip(), 'results': out}))
`;

/**
 * GFLOP/s of numpy's matmul (float32, one OpenBLAS thread) for each job { key, m, n, k, variant }, or
 * { unavailable: reason }. clock 'cpu': rates per second of process CPU time instead of wall-clock time. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for that subprocess only (the image pins
 * them for other tools; they would hold OpenBLAS to an older kernel).
 */
export function numpyGemm(jobs, { ms = 300, reps = 3, clock = 'wall' } = {}) {
  const r = spawnSync('env', ['-u', 'OPENBLAS_CORETYPE', '-u', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS=1',
    'python3', '-c', NUMPY_SCRIPT, JSON.stringify(jobs), String(ms), String(reps), clock], { encoding: 'utf8', timeout: 600_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
    return { unavailable: `not available (${why || 'python3 with numpy not found'})` };
  }
  try { return JSON.parse(r.stdout.trim().split('\n').pop()); } catch { return { unavailable: 'not available (unreadable numpy output)' }; }
}

/**
 * The 128-bit ceilings in GFLOP/s per second of process CPU time: the kernels of bench/calibrate.js (ten f32x4
 * accumulators, acc += x * b; mul + add in the baseline build, relaxed_madd in the relaxed one), best of `reps`.
 * For --clock cpu tables, so that rates and ceiling are measured with the same clock.
 */
export function cpuCeilings(reps = 7) {
  const one = (ex, fn) => {
    const steps = 4_000_000;
    ex[fn](100_000, 0.999, 0.001);
    let best = 0;
    for (let i = 0; i < reps; i++) {
      const u0 = process.cpuUsage(); ex[fn](steps, 0.999, 0.001); const u = process.cpuUsage(u0);
      best = Math.max(best, (steps * PEAK_FLOP_PER_STEP) / ((u.user + u.system) / 1e6) / 1e9);
    }
    return best;
  };
  const peakGflops = one(instantiate(compile(false)), 'peak_muladd');
  let peakFmaGflops = null;
  try { peakFmaGflops = one(instantiate(compile(true)), 'peak_fma'); } catch { /* no relaxed SIMD in this engine */ }
  return { peakGflops, peakFmaGflops };
}
