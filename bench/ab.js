// A/B timing of activation kernels on a shared machine: rectify builds side by side (e.g. main's dist and a branch's)
// and tfjs-wasm, in one process, round robin, in CPU time of this process (time spent waiting for a core is left
// out), best and median of several rounds. For before/after figures of a kernel change; run.js makes the tables.
//
//   node bench/ab.js sigmoid,softmax [--dists dist,../main/dist] [--n 1048576] [--rounds 7] [--dir fwd,bwd] [--no-tfjs]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { uniform } from './lib.js';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
if (!args[0] || args[0].startsWith('--')) {
  console.log('node bench/ab.js act1,act2 [--dists a,b] [--n N] [--rounds R] [--dir fwd,bwd] [--no-tfjs]');
  process.exit(0);
}
const acts = args[0].split(',');
const N = Number(opt('--n', 1 << 20));
const ROUNDS = Number(opt('--rounds', 7));
const dists = opt('--dists', new URL('../dist', import.meta.url).pathname).split(',').map((d) => path.resolve(d));
const dirs = opt('--dir', 'fwd,bwd').split(',');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

const tfjsPeer = args.includes('--no-tfjs') ? null : (await import('./peers/tfjs.js')).tfjsPeer;
const apis = [];
for (const d of dists) apis.push({ tag: path.relative(process.cwd(), d) || '.', api: await import(pathToFileURL(path.join(d, 'index.js')).href) });
const entries = [];
for (const name of acts) {
  const def = apis[0].api.ACTIVATIONS.find((a) => a.name === name);
  if (!def) throw new Error(`no activation ${name}`);
  const [lo, hi] = def.range ?? [-6, 6];
  const rowwise = def.kind === 'rowwise';
  const cols = rowwise ? Math.min(1024, N) : N;
  const x = uniform(N, lo, hi, 1), dy = uniform(N, -1, 1, 2);
  for (const { tag, api } of apis) {
    const eng = await api.createEngine();
    const act = eng.activation(name);
    const [tx, tdy, ty, tdx] = [x, dy, null, null].map((v) => { const t = eng.tensor(N); if (v) t.data.set(v); return t; });
    const shape = rowwise ? { rows: N / cols, cols } : {};
    const fo = { ...shape, out: ty }, bo = { ...shape, out: tdx };
    if (dirs.includes('fwd')) entries.push({ name: `${name} fwd ${tag}`, fn: () => act.forward(tx, fo) });
    if (dirs.includes('bwd')) entries.push({ name: `${name} bwd ${tag}`, fn: () => act.backward(tx, tdy, bo) });
  }
  const p = tfjsPeer && await tfjsPeer(name, { x, dy, rows: N / cols, cols, params: {} });
  if (p) {
    if (dirs.includes('fwd')) entries.push({ name: `${name} fwd tfjs-wasm`, fn: p.forward });
    if (dirs.includes('bwd') && p.backward) entries.push({ name: `${name} bwd tfjs-wasm`, fn: p.backward });
  }
}
// Calls per sample: about 15 ms of CPU time each.
for (const e of entries) {
  e.fn();
  for (let k = 1; ; k *= 2) {
    const t0 = cpu();
    for (let i = 0; i < k; i++) e.fn();
    const dt = cpu() - t0;
    if (dt > 0.01) { e.k = Math.max(1, Math.round(k * 0.015 / dt)); break; }
  }
  e.samples = [];
}
for (let r = 0; r < ROUNDS; r++) {
  for (const e of entries) {
    const t0 = cpu();
    for (let i = 0; i < e.k; i++) e.fn();
    e.samples.push((cpu() - t0) / e.k);
  }
}
console.log(`${N.toLocaleString('en-US')} elements, ${ROUNDS} rounds, G elem/s of CPU time (best, median)`);
for (const e of entries) {
  const s = [...e.samples].sort((a, b) => a - b);
  console.log(`${e.name.padEnd(44)} ${(N / s[0] / 1e9).toFixed(3).padStart(8)} ${(N / s[s.length >> 1] / 1e9).toFixed(3).padStart(8)}`);
}
