// Activation benchmarks: rectify against plain JS loops and tfjs (wasm backend) in the same run.
//
//   node bench/run.js [--filter relu,sigmoid] [--time 300] [--no-relaxed] [--dist path/to/dist]
//                     [--no-tfjs] [--no-plain] [--out bench/results/activations.md]
//
// The relaxed-SIMD build runs in the same table by default (Node 20 is re-run with --experimental-wasm-relaxed-simd;
// --no-relaxed skips it). Every rectify figure comes with its cost in cycles per element: the clock is measured in
// wasm by bench/calibrate.js (cycles/elem = clock / (elements per second)).
//
// Rows come from rectify's kernel table (ACTIVATIONS), so a new activation gets its row automatically. When
// dist/ is missing (engine not built) the peers run alone over the table read from the source (src/activation-table.ts,
// bundled in memory by scripts/gen-abi.mjs). A row without a plain JS or tfjs peer runs without it, with a note.
// Throughput is elements per second from the median (p50) latency of each task: 1,048,576 / p50.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRectify, paramDefaults, rectifyPeer } from './rectify.js';
import { PLAIN, plainPeer } from './peers/plainjs.js';
import { activationTable } from '../scripts/gen-abi.mjs';
import { readFileSync } from 'node:fs';
import { uniform, seedOf, runTasks, sig3, markdownTable, machineLine } from './lib.js';
import { calibrate } from './calibrate.js';

const N = 1 << 20;
// The memory-bound (piecewise-linear) rows are measured a second time at this size, whose arrays (x, y, dy, dx: 1 MiB)
// stay in L2: at N they stream from L3 on both sides, and both run at the speed of memory.copy (the linear row).
const N_L2 = 1 << 16;
const ROWS = 1024;
const COLS = 1024;
const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';

function parseArgs(argv) {
  const o = { filter: null, time: 300, relaxed: true, dist: undefined, tfjs: true, plain: true, rectify: true,
    out: fileURLToPath(new URL('./results/activations.md', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a.startsWith('--filter')) o.filter = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a.startsWith('--time')) {
      o.time = Number(val());
      if (!(o.time > 0)) throw new Error('--time must be a positive number of milliseconds');
    } else if (a === '--relaxed') o.relaxed = true;
    else if (a === '--no-relaxed') o.relaxed = false;
    else if (a.startsWith('--dist')) o.dist = val();
    else if (a.startsWith('--out')) o.out = path.resolve(val());
    else if (a === '--no-tfjs') o.tfjs = false;
    else if (a === '--no-plain') o.plain = false;
    else if (a === '--no-rectify') o.rectify = false;
    else if (a === '--help' || a === '-h') {
      console.log('node bench/run.js [--filter a,b] [--time ms] [--no-relaxed] [--dist dir] [--no-tfjs] [--no-plain] ' +
        '[--no-rectify] [--out file.md]');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return o;
}


/** The CPU model, with family/model/stepping and the SIMD extensions that matter here when /proc/cpuinfo has them. */
function cpuModel(fallback) {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (k) => info.match(new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm'))?.[1]?.trim();
    const flags = new Set((field('flags') ?? '').split(/\s+/));
    const ext = ['avx2', 'fma', 'avx512f'].filter((f) => flags.has(f)).join(', ');
    return `${field('model name') ?? fallback} (family ${field('cpu family')}, model ${field('model')}, stepping ` +
      `${field('stepping')}${ext ? `; ${ext}` : ''})`;
  } catch {
    return fallback;
  }
}

/** Largest |a - b| / max(1, |b|) over the arrays (NaN counts as a mismatch unless both are NaN). */
function maxRelErr(a, b) {
  let e = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[i], y = b[i];
    if (Number.isNaN(x) || Number.isNaN(y)) { if (!(Number.isNaN(x) && Number.isNaN(y))) return Infinity; continue; }
    const d = Math.abs(x - y) / Math.max(1, Math.abs(y));
    if (d > e) e = d;
  }
  return e;
}

/** Forward and backward rows of one memory-bound activation at N_L2 elements: rectify (baseline), plain JS, tfjs. */
async function l2Rows(def, engine, tfjsPeer, opt, notes) {
  const [lo, hi] = def.range ?? [-6, 6];
  const input = { x: uniform(N_L2, lo, hi, seedOf(def.name)), dy: uniform(N_L2, -1, 1, seedOf(`${def.name}/dy`)),
    rows: 1, cols: N_L2, params: paramDefaults(def) };
  const sides = [];
  try {
    if (engine) sides.push({ label: 'rectify', ...rectifyPeer(engine, def, input) });
    if (opt.plain) { const p = plainPeer(def.name, input); if (p) sides.push({ label: 'plain JS', ...p }); }
    if (tfjsPeer) { const p = await tfjsPeer(def.name, input); if (p) sides.push({ label: 'tfjs-wasm', ...p }); }
  } catch (e) {
    notes.push(`${def.name} at ${N_L2}: setup failed: ${String(e.message ?? e).split('\n')[0]}`);
  }
  const tasks = [];
  for (const s of sides) {
    tasks.push([`${s.label}|forward`, s.forward]);
    if (s.backward) tasks.push([`${s.label}|backward`, s.backward]);
  }
  const res = tasks.length ? await runTasks(tasks, { time: opt.time }) : new Map();
  for (const s of sides) s.dispose?.();
  const g = (label, dir) => { const r = res.get(`${label}|${dir}`); return r && !r.error ? N_L2 / (r.p50 / 1000) / 1e9 : undefined; };
  const ratio = (a, b) => (a && b ? `${sig3(a / b)}x` : '-');
  return ['forward', 'backward'].map((dir) => {
    const r = g('rectify', dir), p = g('plain JS', dir), t = g('tfjs-wasm', dir);
    return [def.name, dir, sig3(r), sig3(p), sig3(t), ratio(r, t), ratio(r, p)];
  });
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const notes = [];
  const missing = [];

  // rectify side
  let api = null;
  const engines = [];
  if (opt.rectify) {
    const r = await loadRectify(opt.dist);
    if (!r.ok) missing.push(`rectify: ${r.reason}`);
    else {
      api = r.api;
      if (opt.relaxed && typeof api.supportsRelaxedSimd === 'function' && !api.supportsRelaxedSimd() &&
          !process.execArgv.includes(RELAXED_FLAG)) {
        // Node 20 needs a flag for relaxed SIMD: run again with it.
        console.error(`relaxed SIMD is off in this Node; re-running with ${RELAXED_FLAG}`);
        const res = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, ...process.argv.slice(1)],
          { stdio: 'inherit' });
        process.exit(res.status ?? 1);
      }
      engines.push({ label: 'rectify', engine: await api.createEngine() });
      if (opt.relaxed) {
        const e = await api.createEngine({ relaxedSimd: true });
        if (e.relaxedSimd) engines.push({ label: 'rectify relaxed', engine: e });
        else missing.push('rectify relaxed: this runtime has no relaxed SIMD (baseline only)');
      }
    }
  } else missing.push('rectify: skipped (--no-rectify)');

  // tfjs side
  let tfjsPeer = null;
  let tf = null;
  if (opt.tfjs) {
    try {
      const m = await import('./peers/tfjs.js');
      tf = await m.loadTfjs();
      tfjsPeer = m.tfjsPeer;
    } catch (e) {
      missing.push(`tfjs-wasm: failed to load (${String(e.message ?? e).split('\n')[0]})`);
    }
  } else missing.push('tfjs-wasm: skipped (--no-tfjs)');
  if (!opt.plain) missing.push('plain JS: skipped (--no-plain)');

  let table = api ? api.ACTIVATIONS : await activationTable();
  if (opt.filter) {
    const want = new Set(opt.filter);
    table = table.filter((d) => want.has(d.name) || (d.aliases ?? []).some((a) => want.has(a)));
    if (table.length === 0) throw new Error(`--filter ${opt.filter.join(',')} matches no activation`);
  }
  for (const m of missing) console.error(`missing side: ${m}`);

  const labels = engines.map((e) => e.label);
  let cal = null;
  if (engines.length) {
    try {
      cal = calibrate({ reps: 5 });
    } catch (e) {
      notes.push(`calibration failed (${String(e.message ?? e).split('\n')[0]}): no cycles per element`);
    }
  }
  const header = ['activation', 'direction', ...labels.flatMap((l) => [`${l} G elem/s`, `${l} cycles/elem`]),
    'plain JS', 'tfjs-wasm', 'rectify/tfjs', 'rectify/plain JS', ...(labels.length > 1 ? ['relaxed/tfjs'] : [])];
  const rows = [];
  const l2rows = [];
  const t0 = performance.now();

  for (const def of table) {
    const [lo, hi] = def.range ?? [-6, 6];
    const input = { x: uniform(N, lo, hi, seedOf(def.name)), dy: uniform(N, -1, 1, seedOf(`${def.name}/dy`)),
      rows: ROWS, cols: COLS, params: paramDefaults(def) };
    const sides = []; // { label, forward, backward, values?, dispose? }
    const setup = (label, make) => {
      try {
        const s = make();
        if (s) sides.push({ label, ...s });
      } catch (e) {
        notes.push(`${def.name}: ${label} setup failed: ${String(e.message ?? e).split('\n')[0]}`);
      }
    };
    for (const { label, engine } of engines) setup(label, () => rectifyPeer(engine, def, input));
    if (opt.plain) {
      if (PLAIN[def.name]) setup('plain JS', () => plainPeer(def.name, input));
      else notes.push(`${def.name}: no plain JS peer yet (bench/peers/plainjs.js)`);
    }
    if (tfjsPeer) {
      try {
        const p = await tfjsPeer(def.name, input);
        if (p) {
          sides.push({ label: 'tfjs-wasm', ...p });
          if (p.note) notes.push(`${def.name}: tfjs ${p.note}`);
          if (p.backwardError) notes.push(`${def.name}: tfjs cannot differentiate it on wasm: ${p.backwardError}`);
        } else notes.push(`${def.name}: no tfjs-wasm peer (bench/peers/tfjs.js has no op for it)`);
      } catch (e) {
        notes.push(`${def.name}: tfjs setup failed: ${String(e.message ?? e).split('\n')[0]}`);
      }
    }

    // Check every side against plain JS once, so a fast wrong answer cannot hide in the table.
    const plain = sides.find((s) => s.label === 'plain JS');
    if (plain) {
      plain.forward(); plain.backward();
      for (const s of sides) {
        if (s === plain || !s.values) continue;
        const v = s.values();
        const ef = maxRelErr(v.y, plain.y);
        const eb = v.dx ? maxRelErr(v.dx, plain.dx) : 0;
        if (ef > 1e-3 || eb > 1e-3) {
          notes.push(`${def.name}: ${s.label} differs from plain JS (max rel. error forward ${ef.toExponential(1)}, ` +
            `backward ${eb.toExponential(1)})`);
        }
      }
    }

    const tasks = [];
    for (const s of sides) {
      tasks.push([`${s.label}|forward`, s.forward]);
      if (s.backward) tasks.push([`${s.label}|backward`, s.backward]);
    }
    process.stderr.write(`${def.name}: ${sides.map((s) => s.label).join(', ') || 'nothing to run'} ... `);
    const res = tasks.length ? await runTasks(tasks, { time: opt.time }) : new Map();
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    for (const s of sides) s.dispose?.();
    if (def.piecewiseLinear) l2rows.push(...await l2Rows(def, engines[0]?.engine, tfjsPeer, opt, notes));
    if (tf && tf.memory().numTensors !== 0) notes.push(`${def.name}: tfjs left ${tf.memory().numTensors} tensors alive`);

    const geps = (label, dir) => {
      const r = res.get(`${label}|${dir}`);
      if (!r) return undefined;
      if (r.error) { notes.push(`${def.name} ${dir}: ${label} failed: ${r.error}`); return undefined; }
      return N / (r.p50 / 1000) / 1e9;
    };
    for (const dir of ['forward', 'backward']) {
      const rv = labels.map((l) => geps(l, dir));
      const pj = geps('plain JS', dir);
      const tj = geps('tfjs-wasm', dir);
      const best = rv[0];
      const ratio = (a, b) => (a && b ? `${sig3(a / b)}x` : '-');
      const cyc = (g) => (g && cal ? sig3(cal.ghz / g) : '-');
      rows.push([def.name, dir, ...rv.flatMap((g) => [sig3(g), cyc(g)]), sig3(pj), sig3(tj), ratio(best, tj),
        ratio(best, pj), ...(labels.length > 1 ? [ratio(rv[1], tj)] : [])]);
    }
  }

  const tableMd = markdownTable(header, rows);
  const l2Md = l2rows.length ? markdownTable(['activation', 'direction', 'rectify G elem/s', 'plain JS', 'tfjs-wasm',
    'rectify/tfjs', 'rectify/plain JS'], l2rows) : '';
  const text = [
    `# Activation throughput, ${N.toLocaleString('en-US')} f32 (softmax, logSoftmax: ${ROWS} x ${COLS})`,
    '',
    `${machineLine()}. Median (p50) latency per call with tinybench, ${opt.time} ms per task; G elem/s = elements / p50.`,
    `CPU: ${cpuModel(cal?.cpu ?? 'unknown')}. ` + (cal
      ? `Clock measured in wasm (bench/calibrate.js): ${cal.ghz.toFixed(2)} GHz; cycles/elem = clock / elem per s. ` +
        `128-bit ceiling: ${cal.peakGflops.toFixed(1)} GFLOP/s mul+add` +
        (cal.peakFmaGflops ? `, ${cal.peakFmaGflops.toFixed(1)} relaxed FMA.` : '.')
      : 'No clock calibration.'),
    'Plain JS and tfjs-wasm columns are G elem/s; the ratios use the baseline (non-relaxed) rectify build unless named.',
    'Compare ratios measured in the same run; absolute numbers move with the machine\'s load.',
    '',
    tableMd,
    '',
    ...(l2Md ? [`The memory-bound rows again at ${N_L2.toLocaleString('en-US')} elements (x, y, dy, dx: 1 MiB, L2-resident; ` +
      `at ${N.toLocaleString('en-US')} both rectify and tfjs-wasm stream from L3 at the speed of memory.copy, the ` +
      'linear row, and the ratio measures the cache, not the kernel; here per-call costs count too):', '', l2Md, ''] : []),
    'How each side is measured:',
    '- rectify: `act.forward(x, { out })` and `act.backward(x, dy, { out })` on engine tensors (no copies); for ' +
      'softmax and logSoftmax, backward(x, dy) recomputes the forward output, so it is forward + VJP.',
    '- plain JS: hand-written Float32Array loops (bench/peers/plainjs.js); softmax/logSoftmax backward also ' +
      'recomputes the forward output from x.',
    '- tfjs-wasm: @tensorflow/tfjs-core 4.22.0, wasm backend (XNNPACK, SIMD, one thread). Forward: the op, then ' +
      '`dispose()` (the wasm backend computes synchronously inside the op). Backward: `tf.grad(f)(x, dy)`, which ' +
      're-runs the forward to record the tape, so it is forward + backward.',
    '',
    ...(missing.length ? ['Missing sides:', ...missing.map((m) => `- ${m}`), ''] : []),
    ...(notes.length ? ['Notes:', ...notes.map((m) => `- ${m}`), ''] : []),
  ].join('\n');
  console.log(`\n${text}`);
  mkdirSync(path.dirname(opt.out), { recursive: true });
  writeFileSync(opt.out, text);
  console.error(`written to ${path.relative(process.cwd(), opt.out)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
