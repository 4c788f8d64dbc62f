// GEMM throughput of gemm_nn, gemm_nt and gemm_tn (forward, dX = dY W^T, dW = X^T dY) at 256^3, 512^3, 1024^3 and the
// MLP's shapes, in GFLOP/s (2 m n k / time) and in % of this core's measured 128-bit ceiling (bench/calibrate.js),
// baseline and relaxed builds side by side, with tfjs-wasm's matMul (same transposes) in the same run and numpy
// (one OpenBLAS thread) when python3 with numpy is present.
//
//   npm run build && node bench/gemm.js [--time 200] [--reps 5] [--clock wall|cpu] [--threads 2] [--dist other/dist]     writes bench/results/gemm.md
//
// The threads column: the same kernels on an engine with --threads threads (createEngine({ threads })), wall-clock.
//
// --clock cpu: rates per second of process CPU time (every side, numpy included), for a machine shared with other busy
// processes, where wall-clock samples are stretched by the time spent waiting for a core. The ceiling is then measured
// with the same clock (the same twelve chains as calibrate.js, timed in CPU time), next to calibrate.js's wall-clock one.
//
// The script re-runs itself under --experimental-wasm-relaxed-simd (Node 20) so both builds run in one process.
// Each side is sampled --reps times round-robin with the other sides of the same shape (a burst of load from other
// processes hits every side alike); the table shows the best sample, the least disturbed one on a shared machine.
// The ceiling is measured before and after the GEMMs; the percentages divide by the higher of the two.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { calibrate } from './calibrate.js';
import { GEMM_SHAPES, GEMM_VARIANTS, VARIANT_TEXT, cpuCeilings, numpyGemm, rectifyGemm, tfjsGemm } from './nn-peers/gemm.js';

const here = dirname(fileURLToPath(import.meta.url));

/** "AMD EPYC (family 26, model 2)": os.cpus() alone says only "AMD EPYC" in some VMs. */
export function cpuModel() {
  const name = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const fam = /^cpu family\s*:\s*(\d+)/m.exec(info)?.[1], model = /^model\s*:\s*(\d+)/m.exec(info)?.[1];
    return fam ? `${name} (family ${fam}, model ${model}, ${cpus().length} cores)` : `${name} (${cpus().length} cores)`;
  } catch { return `${name} (${cpus().length} cores)`; }
}

/** Calls per second of fn over about `ms` milliseconds (of wall-clock time, or of process CPU time with cpu). */
function sample(fn, ms, cpu = false) {
  let calls = 0, chunk = 1;
  const t0 = performance.now(), u0 = process.cpuUsage();
  let t = t0;
  do { for (let i = 0; i < chunk; i++) fn(); calls += chunk; t = performance.now(); if (t - t0 < ms / 20) chunk *= 2; } while (t - t0 < ms);
  if (cpu) { const u = process.cpuUsage(u0); return calls / ((u.user + u.system) / 1e6); }
  return calls / ((t - t0) / 1000);
}

const f1 = (v) => (v === undefined || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const pct = (v, ceil) => (v === undefined || !ceil ? '-' : `${((v / ceil) * 100).toFixed(0)}%`);

/**
 * Measures every shape x variant: rectify baseline, rectify relaxed (when the engine has relaxed SIMD), tfjs-wasm,
 * numpy. Returns { md, rows, cal } where md is the markdown section.
 * @param {{ base: any, relaxed?: any, ms?: number, reps?: number, shapes?: typeof GEMM_SHAPES, numpy?: boolean, tfjs?: boolean, clock?: 'wall' | 'cpu', log?: (s: string) => void }} o
 */
export async function gemmTable(o) {
  const ms = o.ms ?? 200, reps = o.reps ?? 5, shapes = o.shapes ?? GEMM_SHAPES, log = o.log ?? (() => {});
  const cpu = o.clock === 'cpu';
  const cal0 = calibrate();
  log(`ceiling before: ${cal0.peakGflops.toFixed(1)} GFLOP/s mul+add, FMA ${cal0.peakFmaGflops?.toFixed(1) ?? '-'}\n`);
  const load0 = loadavg();
  const rows = [];
  for (const shape of shapes) {
    for (const variant of GEMM_VARIANTS) {
      log(`${shape.label} ${variant} ...\n`);
      const flop = 2 * shape.m * shape.n * shape.k;
      const sides = [['rectify', () => rectifyGemm(o.base, variant, shape)]];
      if (o.relaxed?.relaxedSimd) sides.push(['relaxed', () => rectifyGemm(o.relaxed, variant, shape)]);
      if (o.threaded?.threads > 1) sides.push(['threads', () => rectifyGemm(o.threaded, variant, shape)]);
      if (o.tfjs !== false) sides.push(['tfjs', () => tfjsGemm(variant, shape)]);
      const ready = [];
      for (const [name, make] of sides) {
        try {
          const t = await make();
          t.fn(); sample(t.fn, Math.min(ms, 100));
          ready.push({ name, t, rates: [] });
        } catch (e) { log(`  ${name} failed: ${e.message}\n`); }
      }
      for (let r = 0; r < reps; r++) for (const s of ready) s.rates.push((sample(s.t.fn, ms, cpu) * flop) / 1e9);
      const row = { shape, variant };
      for (const s of ready) { row[s.name] = Math.max(...s.rates); row[`${s.name} spread`] = [Math.min(...s.rates), Math.max(...s.rates)]; s.t.dispose?.(); }
      rows.push(row);
    }
  }
  const load1 = loadavg();
  const cal1 = calibrate();
  log(`ceiling after: ${cal1.peakGflops.toFixed(1)} GFLOP/s mul+add, FMA ${cal1.peakFmaGflops?.toFixed(1) ?? '-'}\n`);
  const wall = {
    cpu: cal0.cpu, ghz: Math.max(cal0.ghz, cal1.ghz), peakGflops: Math.max(cal0.peakGflops, cal1.peakGflops),
    peakFmaGflops: cal0.peakFmaGflops === null ? null : Math.max(cal0.peakFmaGflops, cal1.peakFmaGflops ?? 0),
  };
  let cal = wall, cpuCeil;
  if (cpu) {
    cpuCeil = cpuCeilings();
    log(`ceiling in CPU time: ${cpuCeil.peakGflops.toFixed(1)} GFLOP/s mul+add, FMA ${cpuCeil.peakFmaGflops?.toFixed(1) ?? '-'}\n`);
    cal = { ...wall, ...cpuCeil };
  }
  let np = { unavailable: 'not run (--no-numpy)' };
  if (o.numpy !== false) {
    log('numpy ...\n');
    const jobs = rows.map((r, i) => ({ key: String(i), m: r.shape.m, n: r.shape.n, k: r.shape.k, variant: r.variant }));
    np = numpyGemm(jobs, { ms, reps: Math.max(3, reps), clock: cpu ? 'cpu' : 'wall' });
    if (!np.unavailable) rows.forEach((r, i) => { r.numpy = np.results[String(i)]?.max; });
  }

  const lines = [];
  lines.push(`## GEMM: GFLOP/s and % of the measured 128-bit ceiling`, '');
  lines.push(`CPU: ${cpuModel()}. Node ${process.version}, one thread. Ceiling (bench/calibrate.js, ten f32x4 accumulators, acc += x * b, best of ` +
    `two calibrations, before and after): mul+add ${wall.peakGflops.toFixed(1)} GFLOP/s (${(wall.peakGflops / wall.ghz).toFixed(1)} flop/cycle at ` +
    `${wall.ghz.toFixed(2)} GHz), relaxed FMA ${wall.peakFmaGflops ? `${wall.peakFmaGflops.toFixed(1)} GFLOP/s` : 'not available'}` +
    (cpuCeil ? `; the same chains in CPU time (the ceiling the % below divide by): mul+add ${cpuCeil.peakGflops.toFixed(1)}, FMA ${cpuCeil.peakFmaGflops?.toFixed(1) ?? 'not available'} GFLOP/s. ` : '. ') +
    `Load average ${load0.map((x) => x.toFixed(1)).join(' ')} at start, ${load1.map((x) => x.toFixed(1)).join(' ')} at end.`);
  lines.push(`Best of ${reps} samples of ${ms} ms per side, round-robin; ${cpu ? 'GFLOP/s per second of process CPU time (--clock cpu: the machine was shared, waiting for a core is left out)' : 'wall-clock GFLOP/s'}. rectify baseline and tfjs-wasm (XNNPACK, wasm SIMD without FMA) ` +
    `are divided by the mul+add ceiling, rectify relaxed by the FMA ceiling. numpy ${np.unavailable ? np.unavailable : `${np.version} (${np.blas || 'BLAS'}, ` +
    'OPENBLAS_NUM_THREADS=1, native AVX2/AVX-512 code: not bound by the 128-bit ceiling)'}. Shapes are m x n x k: C[m,n] = op(A) op(B); ` +
    `${GEMM_VARIANTS.map((v) => `${v}: ${VARIANT_TEXT[v]}`).join(', ')}.`, '');
  const nt = o.threaded?.threads ?? 1;
  lines.push(`Threads: ${nt > 1 ? `the "${nt} threads" column is the baseline kernels on createEngine({ threads: ${nt} }) (same bits), ${cpu ? 'in CPU time of the whole process (all threads: so it shows the cost, not the speed-up)' : 'wall-clock'}; target >= 1.8x one thread at n >= 256 and the MLP shapes` : `not run (${o.threaded?.threadsUnavailableReason ?? '--threads 1'})`}.`, '');
  lines.push(`| shape | variant | rectify GFLOP/s | % ceiling | ${nt} threads GFLOP/s | threads / one | relaxed GFLOP/s | % FMA ceiling | tfjs-wasm GFLOP/s | % ceiling | rectify / tfjs | numpy GFLOP/s | rectify / numpy | >= 80% and >= 1.4x tfjs |`);
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const ratio = r.tfjs ? r.rectify / r.tfjs : undefined;
    const okPct = r.rectify / cal.peakGflops >= 0.8, okT = ratio === undefined || ratio >= 1.4;
    lines.push(`| ${r.shape.label} | ${r.variant} | ${f1(r.rectify)} | ${pct(r.rectify, cal.peakGflops)} | ${f1(r.threads)} | ` +
      `${r.threads ? `${(r.threads / r.rectify).toFixed(2)}x` : '-'} | ${f1(r.relaxed)} | ` +
      `${pct(r.relaxed, cal.peakFmaGflops)} | ${f1(r.tfjs)} | ${pct(r.tfjs, cal.peakGflops)} | ${ratio ? `${ratio.toFixed(2)}x` : '-'} | ` +
      `${np.unavailable ? 'not available' : f1(r.numpy)} | ${r.numpy ? `${(r.rectify / r.numpy).toFixed(2)}x` : '-'} | ` +
      `${okPct && okT ? 'yes' : `no${okPct ? '' : ' (%)'}${okT ? '' : ' (tfjs)'}`} |`);
  }
  lines.push('', `Spread (min-max GFLOP/s over the ${reps} samples): ` + rows.map((r) => `${r.shape.label} ${r.variant}: ` +
    ['rectify', 'threads', 'relaxed', 'tfjs'].filter((s) => r[`${s} spread`]).map((s) => `${s} ${r[`${s} spread`].map(f1).join('-')}`).join(', ')).join('; ') + '.', '');
  return { md: lines.join('\n'), rows, cal };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
  if (!process.execArgv.includes(RELAXED_FLAG) && !process.env.RECTIFY_BENCH_NO_RELAXED) {
    const r = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  const args = process.argv.slice(2);
  const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
  let createEngine;
  const dist = opt('dist', join(here, '..', 'dist'));
  try { ({ createEngine } = await import(pathToFileURL(join(resolve(dist), 'index.js')).href)); } catch (e) {
    console.error(`bench/gemm.js needs the build: run \`npm run build\` first (${e.message})`);
    process.exit(1);
  }
  // rectify.wasm exports only what the host calls: the GEMMs are timed on rectify-kernels.wasm, the same code with
  // every kernel exported.
  const base = await createEngine({ wasm: pathToFileURL(join(resolve(dist), 'rectify-kernels.wasm')) });
  const relaxed = await createEngine({ relaxedSimd: true });
  const threaded = await createEngine({ threads: Number(opt('threads', '2')) });
  const only = opt('shapes', '');
  const shapes = only ? GEMM_SHAPES.filter((s) => only.split(',').some((w) => s.label.includes(w))) : GEMM_SHAPES;
  const { md } = await gemmTable({ base, relaxed, threaded, ms: Number(opt('time', '200')), reps: Number(opt('reps', '5')), shapes,
    numpy: !args.includes('--no-numpy'), tfjs: !args.includes('--no-tfjs'), clock: opt('clock', 'wall'), log: (s) => process.stderr.write(s) });
  const out = `# rectify GEMM benchmark\n\nBuild: ${resolve(dist)}.\n\n${md}`;
  console.log(out);
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'gemm.md'), out);
  process.exit(0);
}
