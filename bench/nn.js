// Dense-network benchmarks with their peers, measured side by side in one run.
//
//   npm run build && node bench/nn.js [--filter matmul,mlp,tiny] [--time 300] [--reps 3] [--threads 2]
//
// "rectify N threads": the baseline kernels on createEngine({ threads: N }) (same bits as one thread), in the same
// run; its targets are ratios to the one-thread rectify column and to numpy's one thread.
//
// matmul: bench/gemm.js's table (GFLOP/s and % of the measured 128-bit ceiling, nn/nt/tn, baseline and relaxed, tfjs-wasm, numpy).
//
// --time: milliseconds per timed sample; each side is sampled --reps times, round-robin with the other sides of the
// same workload (so a burst of load on the shared machine hits every side), and the median is reported.
// The script re-runs itself under --experimental-wasm-relaxed-simd so the relaxed build is measured in the same run.
// Writes the markdown table to bench/results/nn.md (gitignored).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
if (!process.execArgv.includes(RELAXED_FLAG) && !process.env.RECTIFY_BENCH_NO_RELAXED) {
  const r = spawnSync(process.execPath, [...process.execArgv, RELAXED_FLAG, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
const FILTER = opt('filter', 'matmul,mlp,tiny').split(',').map((s) => s.trim()).filter(Boolean);
const TIME = Number(opt('time', '300'));
const REPS = Number(opt('reps', '3'));
const CPU = opt('clock', 'wall') === 'cpu';

let createEngine, ACTIVATIONS;
try {
  ({ createEngine, ACTIVATIONS } = await import('../dist/index.js'));
} catch (e) {
  console.error(`bench/nn.js needs the build: run \`npm run build\` first (${e.message})`);
  process.exit(1);
}
const { plainDense } = await import('./nn-peers/plainjs.js');
const { tfjsDense } = await import('./nn-peers/tfjs.js');
const { ortDense } = await import('./nn-peers/onnx.js');
const { brainDense } = await import('./nn-peers/brainjs.js');
const { gemmTable, cpuModel } = await import('./gemm.js');
const { numpyNets } = await import('./nn-peers/numpy.js');

const base = await createEngine();
const relaxed = await createEngine({ relaxedSimd: true });
const threaded = await createEngine({ threads: Number(opt('threads', '2')) });
const TH = `rectify ${threaded.threads} threads`;
const NAMES = new Set(ACTIVATIONS.map((d) => d.name));

function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// Timing

/** Calls per second of `fn` over about `ms` milliseconds (at least one call); awaits when fn returns promises. */
async function sample(fn, isAsync, ms) {
  let calls = 0;
  const t0 = performance.now(), u0 = process.cpuUsage();
  let t = t0;
  if (isAsync) { do { await fn(); calls++; t = performance.now(); } while (t - t0 < ms); }
  else {
    // Check the clock every `chunk` calls so cheap functions are not dominated by performance.now().
    let chunk = 1;
    do { for (let i = 0; i < chunk; i++) fn(); calls += chunk; t = performance.now(); if (t - t0 < ms / 20) chunk *= 2; } while (t - t0 < ms);
  }
  if (CPU) { const u = process.cpuUsage(u0); return calls / ((u.user + u.system) / 1e6); }
  return calls / ((t - t0) / 1000);
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/**
 * Measures every side of one workload: warm-up, then REPS samples round-robin. Returns { side: {median, min, max} }
 * in units per second (calls/s x perCall).
 */
async function measure(sides, perCall) {
  const ready = [];
  for (const [name, make] of Object.entries(sides)) {
    try {
      const t = await make();
      if (!t) continue;
      if (t.skip) { ready.push({ name, skip: t.skip }); continue; }
      const first = t.fn();
      const isAsync = first && typeof first.then === 'function';
      if (isAsync) await first;
      // Warm-up (JIT tiers, caches, tfjs kernel setup): 300 ms and at least 5 calls.
      for (let i = 0; i < 4; i++) { const p = t.fn(); if (isAsync) await p; }
      await sample(t.fn, isAsync, 300);
      ready.push({ name, t, isAsync, rates: [] });
    } catch (e) {
      ready.push({ name, skip: `failed: ${e.message.split('\n')[0]}` });
    }
  }
  for (let r = 0; r < REPS; r++) {
    for (const s of ready) if (!s.skip) s.rates.push((await sample(s.t.fn, s.isAsync, TIME)) * perCall);
  }
  const out = {};
  for (const s of ready) {
    if (s.skip) { out[s.name] = { skip: s.skip }; continue; }
    out[s.name] = { median: median(s.rates), min: Math.min(...s.rates), max: Math.max(...s.rates) };
    s.t.dispose?.();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Workloads. Each: { group, name, unit, perCall, target?, sides: { label: async () => ({ fn, dispose? } | { skip }) } }

const workloads = [];
const ref = 'rectify';

// The matmul group is bench/gemm.js's table (every GEMM figure with its % of the measured ceiling), run in this process.

// MLP 784-256(relu)-128(relu)-10(softmax), cross-entropy, SGD.
const MLP = [784, 256, 128, 10];
const MLP_ACTS = ['relu', 'relu', 'softmax'];
const haveSoftmax = NAMES.has('softmax');

function rectifyNet(engine, sizes, acts, loss, capacity) {
  let b = engine.network({ inputs: sizes[0], seed: 1 });
  for (let i = 1; i < sizes.length; i++) b = b.dense(sizes[i], acts[i - 1]);
  return b.build({ loss, optimizer: { name: 'sgd', learningRate: 0.01 }, capacity });
}

/** The network's layers as ONNX inputs (W [in, out] row-major is exactly Gemm's B without transB). */
function layersOf(net, acts) {
  const p = net.parameters();
  return acts.map((act, i) => {
    const W = p[2 * i].data.slice(), b = p[2 * i + 1].data.slice();
    return { W, b, in: p[2 * i].shape[0], out: p[2 * i].shape[1], act };
  });
}

// Training sides cycle through POOL different batches with random targets: a step repeated on one fixed batch fits it
// exactly, its gradients decay into f32 subnormals, and subnormal arithmetic is many times slower on x86 (wasm has
// no flush-to-zero), which would measure the data rather than the library.
const POOL = 16;

/** POOL batches: { xs[i], ys[i] } as views, and the flat arrays. */
function pool(sizes, batch, labels) {
  const inp = sizes[0], out = sizes[sizes.length - 1];
  const X = fill(new Float32Array(POOL * batch * inp), 3);
  const Y = labels ? Int32Array.from({ length: POOL * batch }, (_, r) => (r * 7 + 3) % out) : fill(new Float32Array(POOL * batch * out), 4);
  const per = labels ? batch : batch * out;
  const xs = [], ys = [];
  for (let i = 0; i < POOL; i++) { xs.push(X.subarray(i * batch * inp, (i + 1) * batch * inp)); ys.push(Y.subarray(i * per, (i + 1) * per)); }
  return { X, Y, xs, ys, per };
}

function rectifyTrain(engine, sizes, acts, loss, batch, raw) {
  return async () => {
    const net = rectifyNet(engine, sizes, acts, loss, Math.max(batch, 1));
    const ce = loss === 'crossEntropy';
    const { X, Y, xs, ys, per } = pool(sizes, batch, ce);
    let k = 0;
    if (!raw) return { fn: () => { const i = k++ & (POOL - 1); return net.trainBatch(xs[i], ys[i]); }, dispose: () => net.dispose() };
    // The wasm step alone: the same call trainBatch ends with, on batches already in wasm memory (no JS validation or copies).
    const xt = engine.tensor(X.length), yt = engine.tensor(Y.length);
    xt.data.set(X);
    if (ce) new Int32Array(yt.data.buffer, yt.data.byteOffset, Y.length).set(Y); else yt.data.set(Y);
    const step = engine.exports.net_train_step, plan = net.st.plan, xp = xt.ptr, yp = yt.ptr;
    if (!plan) throw new Error('bench/nn.js: no plan pointer on the network (its internals moved): fix the wasm-step-only side');
    const xStride = batch * sizes[0] * 4, yStride = per * 4;
    return {
      fn: () => { const i = k++ & (POOL - 1); return ce ? step(plan, xp + i * xStride, 0, yp + i * yStride, batch) : step(plan, xp + i * xStride, yp + i * yStride, 0, batch); },
      dispose: () => { net.dispose(); xt.dispose(); yt.dispose(); },
    };
  };
}

function rectifyInfer(engine, sizes, acts, loss, batch, raw) {
  return async () => {
    const net = rectifyNet(engine, sizes, acts, loss, Math.max(batch, 1));
    const x = fill(new Float32Array(batch * sizes[0]), 5);
    net.predict(x);
    if (!raw) return { fn: () => net.predict(x), dispose: () => net.dispose() };
    const fwd = engine.exports.net_forward, plan = net.st.plan, xb = net.st.xBuf;
    if (!plan) throw new Error('bench/nn.js: no plan pointer on the network (its internals moved): fix the wasm-step-only side');
    return { fn: () => fwd(plan, xb, batch), dispose: () => net.dispose() };
  };
}

function tfjsSide(sizes, acts, loss, kind, batch) {
  return async () => {
    const m = await tfjsDense(sizes, acts, loss, 0.01);
    return { fn: kind === 'train' ? m.trainStep(batch) : m.infer(batch), dispose: () => m.dispose() };
  };
}

function ortSide(sizes, rectActs, onnxActs, batch) {
  return async () => {
    const net = rectifyNet(base, sizes, rectActs, 'mse', 1);
    const layers = layersOf(net, onnxActs);
    net.dispose();
    const o = await ortDense(layers);
    return { fn: o.infer(batch), dispose: () => o.dispose() };
  };
}

function brainSide(sizes, act, kind, batch) {
  return async () => {
    const b = await brainDense(sizes[0], sizes.slice(1, -1), sizes[sizes.length - 1], act);
    return { fn: kind === 'train' ? b.trainStep(batch) : b.infer(batch) };
  };
}

function plainSide(sizes, acts, loss, kind, batch) {
  return async () => {
    const p = plainDense(sizes, acts, loss, 0.01, batch);
    const { xs, ys } = pool(sizes, batch, loss === 'ce');
    let k = 0;
    return { fn: kind === 'train' ? () => { const i = k++ & (POOL - 1); return p.train(xs[i], ys[i], batch); } : () => p.forward(xs[0], batch) };
  };
}

if (haveSoftmax) {
  const mlpRect = (engine, kind, batch, raw) => (kind === 'train'
    ? rectifyTrain(engine, MLP, MLP_ACTS, 'crossEntropy', batch, raw) : rectifyInfer(engine, MLP, MLP_ACTS, 'crossEntropy', batch, raw));
  const brainNote = 'brain.js: relu hidden layers, sigmoid output and squared error (it has no softmax), per-sample SGD';
  workloads.push({ group: 'mlp', name: 'MLP 784-256-128-10 train, batch 64', unit: 'samples/s', perCall: 64,
    target: { peers: [['numpy', 0.5]], threads: [['rectify', 1.7], ['numpy', 0.9]] },
    numpy: { sizes: MLP, acts: MLP_ACTS, loss: 'ce', kind: 'train', batch: 64 },
    sides: {
      rectify: mlpRect(base, 'train', 64), [TH]: mlpRect(threaded, 'train', 64), 'rectify relaxed': mlpRect(relaxed, 'train', 64),
      'rectify wasm step only': mlpRect(base, 'train', 64, true),
      'tfjs-wasm': tfjsSide(MLP, MLP_ACTS, 'categoricalCrossentropy', 'train', 64),
      'brain.js 2': brainSide(MLP, 'relu', 'train', 64), 'plain JS': plainSide(MLP, MLP_ACTS, 'ce', 'train', 64),
      'ort-web': async () => ({ skip: 'inference only' }),
    }, note: brainNote });
  for (const batch of [256, 1]) {
    workloads.push({ group: 'mlp', name: `MLP 784-256-128-10 inference, batch ${batch}`, unit: 'samples/s', perCall: batch,
      target: { peers: [['ort-web', batch === 256 ? 1.5 : 1.3]], threads: [['rectify', batch === 256 ? 1.8 : 1]] }, numpy: { sizes: MLP, acts: MLP_ACTS, loss: 'ce', kind: 'infer', batch },
      sides: {
        rectify: mlpRect(base, 'infer', batch), [TH]: mlpRect(threaded, 'infer', batch), 'rectify relaxed': mlpRect(relaxed, 'infer', batch),
        'rectify wasm step only': mlpRect(base, 'infer', batch, true),
        'tfjs-wasm': tfjsSide(MLP, MLP_ACTS, 'categoricalCrossentropy', 'infer', batch),
        'ort-web': ortSide(MLP, MLP_ACTS, MLP_ACTS, batch),
        'brain.js 2': brainSide(MLP, 'relu', 'infer', batch), 'plain JS': plainSide(MLP, MLP_ACTS, 'ce', 'infer', batch),
      } });
  }
} else {
  workloads.push({ group: 'mlp', name: 'MLP 784-256-128-10', unit: '-', perCall: 1, sides: { rectify: async () => ({ skip: 'softmax is not in ACTIVATIONS on this build' }) } });
}

// 2-16-16-1 tanh network, mse, SGD.
const TINY = [2, 16, 16, 1];
const tinyAct = NAMES.has('tanh') ? 'tanh' : 'hardTanh';
const TINY_ACTS = [tinyAct, tinyAct, 'linear'];
const TINY_PEER_ACTS = ['tanh', 'tanh', 'linear'];
const tinyNote = tinyAct === 'tanh' ? undefined : 'rectify runs hardTanh: tanh is not in ACTIVATIONS on this build';
for (const [kind, batch] of [['train', 1], ['train', 32], ['infer', 1]]) {
  const train = kind === 'train';
  const rect = (engine, raw) => (train ? rectifyTrain : rectifyInfer)(engine, TINY, TINY_ACTS, 'mse', batch, raw);
  workloads.push({ group: 'tiny', name: train ? `2-16-16-1 tanh train step, batch ${batch}` : '2-16-16-1 tanh inference, batch 1',
    unit: train ? 'steps/s' : 'calls/s', perCall: 1,
    target: train && batch === 1 ? { base: 1.4e6, peers: [['plain JS', 5]], threads: [['rectify', 1]] } : { threads: [['rectify', 1]] },
    numpy: { sizes: TINY, acts: TINY_PEER_ACTS, loss: 'mse', kind, batch },
    sides: {
      rectify: rect(base), [TH]: rect(threaded), 'rectify relaxed': rect(relaxed), 'rectify wasm step only': rect(base, true),
      'tfjs-wasm': tfjsSide(TINY, TINY_PEER_ACTS, 'meanSquaredError', kind, batch),
      'ort-web': train ? async () => ({ skip: 'inference only' }) : ortSide(TINY, TINY_ACTS, TINY_PEER_ACTS, 1),
      'brain.js 2': brainSide(TINY, 'tanh', kind, batch),
      'plain JS': plainSide(TINY, TINY_PEER_ACTS, 'mse', kind, batch),
    }, note: tinyNote });
}

// ---------------------------------------------------------------------------------------------------------------
// Run and report

const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pkgVersion = (name) => { try { return JSON.parse(readFileSync(join(here, '..', 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return '?'; } };
const load0 = loadavg();
const started = performance.now();
const results = [];
let gemmMd = '';
if (FILTER.includes('matmul')) {
  process.stderr.write('matmul (bench/gemm.js) ...\n');
  // rectify.wasm exports only what the host calls: the GEMMs on rectify-kernels.wasm (the same code, every export).
  const kernels = await createEngine({ wasm: new URL('../dist/rectify-kernels.wasm', import.meta.url) });
  gemmMd = (await gemmTable({ base: kernels, relaxed, threaded, ms: TIME, reps: REPS, clock: CPU ? 'cpu' : 'wall', log: (s) => process.stderr.write(`  ${s}`) })).md;
}
for (const w of workloads) {
  if (!FILTER.includes(w.group)) continue;
  process.stderr.write(`${w.name} ...\n`);
  results.push({ w, r: await measure(w.sides, w.perCall) });
}
// numpy (one OpenBLAS thread) in one subprocess after the JS sides: not round-robin with them.
const npJobs = results.filter((x) => x.w.numpy).map((x, i) => ({ key: String(i), perCall: x.w.perCall, ...x.w.numpy }));
if (npJobs.length) {
  process.stderr.write('numpy ...\n');
  const np = numpyNets(npJobs, { ms: TIME, reps: REPS, clock: CPU ? 'cpu' : 'wall' });
  results.filter((x) => x.w.numpy).forEach((x, i) => {
    x.r.numpy = np.unavailable ? { skip: np.unavailable } : (np.results[String(i)] ?? { skip: 'not available' });
  });
}
const load1 = loadavg();

const lines = [];
lines.push(`# rectify dense-network benchmarks`, '');
lines.push(`Node ${process.version}, ${cpuModel()}; one thread everywhere but "${TH}" (${threaded.threads > 1 ? 'worker threads, same bits' : `threads unavailable: ${threaded.threadsUnavailableReason}`}); ${REPS} samples of ${TIME} ms per side, ` +
  `round-robin; median (min-max in bench output); ${CPU ? 'rates per second of process CPU time (--clock cpu)' : 'wall-clock rates'}. numpy: one OpenBLAS thread, after the other sides (not round-robin). Load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}.`);
lines.push(`Peers: @tensorflow/tfjs-core/-layers/-backend-wasm ${pkgVersion('@tensorflow/tfjs-core')}, onnxruntime-web ${pkgVersion('onnxruntime-web')} (wasm EP, 1 thread), ` +
  `brain.js ${pkgVersion('brain.js')}. rectify relaxed build: ${relaxed.relaxedSimd ? 'active' : 'unavailable (baseline ran)'}.`);
lines.push(`Cells: median rate, and in parentheses how many times faster rectify (baseline build, the first column) is. "rectify wasm step only": `
  + `the exported wasm call alone (net_train_step / net_forward on data already in wasm memory), without trainBatch/predict's JS validation and copies.`, '');
if (gemmMd) lines.push(gemmMd, '');
for (const group of ['mlp', 'tiny']) {
  const rs = results.filter((x) => x.w.group === group);
  if (!rs.length) continue;
  const cols = [...new Set(rs.flatMap((x) => Object.keys(x.r)))];
  lines.push(`CPU: ${cpuModel()}.`, '');
  lines.push(`| workload (${rs[0].w.unit}) | ${cols.join(' | ')} | target | met |`);
  lines.push(`|---|${cols.map(() => '---:').join('|')}|---:|---|`);
  for (const { w, r } of rs) {
    const refv = r[ref]?.median;
    const cells = cols.map((c) => {
      const v = r[c];
      if (!v) return '';
      if (v.skip) return `- (${v.skip})`;
      return c === ref || !refv ? fmt(v.median) : `${fmt(v.median)} (${fmt(refv / v.median)}x)`;
    });
    let target = '', met = '';
    if (w.target) {
      // Absolute targets (base) and ratios to a peer measured in the same run (peers: [[name, ratio]]).
      const t = [], m = [];
      if (w.target.base) {
        t.push(fmt(w.target.base));
        m.push(refv >= w.target.base ? 'yes' : `no (${(refv / w.target.base * 100).toFixed(0)}%)`);
      }
      for (const [peer, ratio] of w.target.peers ?? []) {
        t.push(`>= ${ratio}x ${peer}`);
        const pv = r[peer]?.median;
        m.push(!pv ? `${peer} not measured` : refv / pv >= ratio ? `yes (${fmt(refv / pv)}x)` : `no (${fmt(refv / pv)}x)`);
      }
      // Threads: the threaded column against one thread and against numpy's one thread.
      const tv = r[TH]?.median;
      for (const [peer, ratio] of w.target.threads ?? []) {
        t.push(`threads >= ${ratio}x ${peer === ref ? 'one thread' : peer}`);
        const pv = r[peer]?.median;
        m.push(!pv || !tv ? `threads: ${pv ? 'not run' : `${peer} not measured`}` : `threads ${tv / pv >= ratio ? 'yes' : 'no'} (${fmt(tv / pv)}x)`);
      }
      target = t.join(', '); met = m.join('; ');
    }
    lines.push(`| ${w.name} | ${cells.join(' | ')} | ${target} | ${met} |`);
  }
  for (const n of new Set(rs.map((x) => x.w.note).filter(Boolean))) lines.push('', `Note: ${n}.`);
  lines.push('');
}
lines.push(`Spread (min-max over the ${REPS} samples):`, '');
for (const { w, r } of results) {
  lines.push(`- ${w.name}: ` + Object.entries(r).filter(([, v]) => !v.skip).map(([k, v]) => `${k} ${fmt(v.min)}-${fmt(v.max)}`).join('; '));
}
lines.push('', `Total time ${((performance.now() - started) / 1000).toFixed(0)} s.`);
const md = lines.join('\n') + '\n';
console.log(md);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'nn.md'), md);
process.exit(0);
