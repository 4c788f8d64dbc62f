// A/B timing of the network workloads of bench/nn.js on several rectify builds (e.g. main's dist and a branch's) in one
// process: interleaved rounds, CPU time of this process (time spent waiting for a core is left out), fastest and
// first-quartile sample of each side. For before/after figures of a change to the dense path; nn.js makes the tables.
//
//   node bench/nn-ab.js [--dists dist,../main/dist] [--rounds 15] [--ms 60] [--filter tiny,mlp1,mlp256,train64]
//
// Each --dists entry is a directory holding index.js (a build of this package). Workloads: tiny: the 2-16-16-1 tanh
// network (mse, SGD) trainBatch at batch 1 and predict of one row; mlp1 / mlp256: predict of 784-256-128-10 at 1 and
// 256 rows; train64: its trainBatch at batch 64 (crossEntropy on labels, SGD). "wasm" rows call the step export on
// data already in wasm memory (net_train_step / net_forward), without the host's checks and copies.
import { loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuModel } from './gemm.js';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 && args[i + 1] ? args[i + 1] : d; };
const dists = opt('dists', new URL('../dist', import.meta.url).pathname).split(',').map((d) => path.resolve(d));
const ROUNDS = Number(opt('rounds', '15')), MS = Number(opt('ms', '60'));
const FILTER = opt('filter', 'tiny,mlp1,mlp256,train64').split(',');

let seed = 11;
const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32 - 0.5; };
const P = 16; // batches cycled by the training sides (one repeated batch would train into subnormal gradients)

const rows = []; // { work, tag, fn, per }
for (const d of dists) {
  const tag = path.relative(process.cwd(), d) || '.';
  const { createEngine } = await import(pathToFileURL(path.join(d, 'index.js')).href);
  const engine = await createEngine();
  const ex = engine.exports;
  const add = (work, fn, per = 1) => rows.push({ work, tag, fn, per });
  if (FILTER.includes('tiny')) {
    const net = engine.network({ inputs: 2, seed: 1 }).dense(16, 'tanh').dense(16, 'tanh').dense(1, 'linear')
      .build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.01 }, capacity: 1 });
    const X = Float32Array.from({ length: P * 2 }, rnd), Y = Float32Array.from({ length: P }, rnd);
    const xs = Array.from({ length: P }, (_, i) => X.subarray(i * 2, i * 2 + 2)), ys = Array.from({ length: P }, (_, i) => Y.subarray(i, i + 1));
    const xt = engine.tensor(X.length), yt = engine.tensor(Y.length);
    xt.data.set(X); yt.data.set(Y);
    const plan = net.st.plan;
    let k = 0;
    add('2-16-16-1 trainBatch, batch 1 (steps/s)', () => { const i = k++ & (P - 1); net.trainBatch(xs[i], ys[i]); });
    add('2-16-16-1 wasm net_train_step, batch 1 (steps/s)', () => { const i = k++ & (P - 1); ex.net_train_step(plan, xt.ptr + i * 8, yt.ptr + i * 4, 0, 1); });
    add('2-16-16-1 predict, 1 row (calls/s)', () => net.predict(xs[k++ & (P - 1)]));
  }
  const mlp = (capacity) => engine.network({ inputs: 784, seed: 1 }).dense(256, 'relu').dense(128, 'relu').dense(10, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 0.01 }, capacity });
  for (const b of [1, 256]) {
    if (!FILTER.includes(`mlp${b}`)) continue;
    const net = mlp(b);
    const x = Float32Array.from({ length: b * 784 }, rnd);
    net.predict(x);
    const st = net.st;
    add(`MLP predict, ${b} row${b > 1 ? 's' : ''} (samples/s)`, () => net.predict(x), b);
    add(`MLP wasm net_forward, ${b} row${b > 1 ? 's' : ''} (samples/s)`, () => ex.net_forward(st.plan, st.xBuf, b), b);
  }
  if (FILTER.includes('train64')) {
    const B = 64, net = mlp(B);
    const X = Float32Array.from({ length: P * B * 784 }, rnd), Y = Int32Array.from({ length: P * B }, (_, i) => (i * 7 + 3) % 10);
    const xs = Array.from({ length: P }, (_, i) => X.subarray(i * B * 784, (i + 1) * B * 784));
    const ys = Array.from({ length: P }, (_, i) => Y.subarray(i * B, (i + 1) * B));
    let k = 0;
    add('MLP trainBatch, batch 64 (samples/s)', () => { const i = k++ & (P - 1); net.trainBatch(xs[i], ys[i]); }, B);
  }
}

const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
// Warm-up; calls between two clock reads: about 0.1 ms worth (performance.now() costs as much as a tiny step).
for (const r of rows) {
  r.t = [];
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 30) { r.fn(); calls++; }
  r.chunk = Math.max(1, Math.floor(calls / 300));
}
const load0 = loadavg()[0];
for (let round = 0; round < ROUNDS; round++) {
  for (const r of rows) {
    let calls = 0;
    const c0 = cpu(), t0 = performance.now();
    do { for (let j = 0; j < r.chunk; j++) r.fn(); calls += r.chunk; } while (performance.now() - t0 < MS);
    r.t.push((cpu() - c0) / calls);
  }
}
const fmt = (v) => Math.round(v).toLocaleString('en-US');
console.log(`${cpuModel()}, Node ${process.version}; ${ROUNDS} interleaved rounds of ${MS} ms per side, rates per second of ` +
  `process CPU time, fastest sample and first quartile; load average ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}\n`);
const tags = [...new Set(rows.map((r) => r.tag))];
console.log(`| workload | ${tags.map((t) => `${t} fastest | ${t} q1`).join(' | ')} | ${tags.slice(1).map((t) => `${t} / ${tags[0]}`).join(' | ')} |`);
console.log(`|---|${tags.map(() => '---:|---:').join('|')}|${tags.slice(1).map(() => '---:').join('|')}|`);
for (const work of [...new Set(rows.map((r) => r.work))]) {
  const rs = tags.map((t) => rows.find((r) => r.work === work && r.tag === t));
  const best = rs.map((r) => r.per / Math.min(...r.t));
  const q1 = rs.map((r) => r.per / [...r.t].sort((a, b) => a - b)[r.t.length >> 2]);
  console.log(`| ${work} | ${rs.map((_, i) => `${fmt(best[i])} | ${fmt(q1[i])}`).join(' | ')} | ${best.slice(1).map((b, i) => `${(b / best[0]).toFixed(2)}x (q1 ${(q1[i + 1] / q1[0]).toFixed(2)}x)`).join(' | ')} |`);
}
process.exit(0);
