// Network benchmarks: EXTENSION POINT. Dense layers / MLP training and inference against peers.
//
//   node bench/nn.js [--filter mlp-train] [--time 1000]
//
// Each workload names its unit and gives one factory per side; a factory returns the function to time (or null
// when that side cannot run the workload). To add a peer (onnxruntime-web, brain.js, ...), write a loader in
// bench/peers/ and add its factory to the workloads below. To add rectify's side, fill in `rectify` factories
// with the engine's Network API (dist/index.js), through a thin adapter like bench/rectify.js.
import { runTasks, sig3, markdownTable, machineLine } from './lib.js';

/**
 * @typedef {{ fn: () => unknown, dispose?: () => void }} Timed
 * @typedef {{ name: string, unit: string, perCall: number,
 *   sides: Record<string, () => Promise<Timed | null>> }} Workload
 */

/** @type {Workload[]} */
const WORKLOADS = [];

/** MLP 784-256-128-10, the PEERS.md workload. `perCall`: samples per call, to report samples/s. */
function mlpWorkloads() {
  const sizes = [784, 256, 128, 10];
  const tfjs = async (kind, batch) => {
    const { tfjsMlp } = await import('./peers/tfjs-nn.js');
    const m = await tfjsMlp(sizes);
    return { fn: kind === 'train' ? m.trainStep(batch) : m.infer(batch), dispose: () => m.dispose() };
  };
  // brain.js applies its activation to every layer (output included) and trains one sample at a time.
  const brain = async (kind, batch) => {
    const { brainNet } = await import('./peers/brain.js');
    const m = brainNet(sizes, { activation: 'relu' });
    return { fn: kind === 'train' ? m.trainStep(batch) : m.infer(), dispose: () => m.dispose() };
  };
  return [
    { name: 'mlp 784-256-128-10 train, batch 64', unit: 'samples/s', perCall: 64,
      sides: { 'tfjs-wasm': () => tfjs('train', 64), 'brain.js': () => brain('train', 64) } },
    { name: 'mlp 784-256-128-10 inference, batch 256', unit: 'samples/s', perCall: 256,
      sides: { 'tfjs-wasm': () => tfjs('infer', 256) } },
    { name: 'mlp 784-256-128-10 inference, batch 1', unit: 'samples/s', perCall: 1,
      sides: { 'tfjs-wasm': () => tfjs('infer', 1), 'brain.js': () => brain('infer', 1) } },
  ];
}
WORKLOADS.push(...mlpWorkloads());

/** The small 2-16-16-1 tanh net of PEERS.md (per-call overhead dominates). */
function tinyNetWorkloads() {
  const sizes = [2, 16, 16, 1];
  const brain = async (kind, batch) => {
    const { brainNet } = await import('./peers/brain.js');
    const m = brainNet(sizes, { activation: 'tanh' });
    return { fn: kind === 'train' ? m.trainStep(batch) : m.infer(), dispose: () => m.dispose() };
  };
  const tfjs = async (kind, batch) => {
    const { tfjsMlp } = await import('./peers/tfjs-nn.js');
    const m = await tfjsMlp(sizes, { hidden: 'tanh', loss: 'meanSquaredError' });
    return { fn: kind === 'train' ? m.trainStep(batch) : m.infer(batch), dispose: () => m.dispose() };
  };
  // brain.js "train, 32 samples" is 32 online updates; tfjs's is one mini-batch step of 32.
  return [
    { name: '2-16-16-1 tanh train step, batch 1', unit: 'steps/s', perCall: 1,
      sides: { 'tfjs-wasm': () => tfjs('train', 1), 'brain.js': () => brain('train', 1) } },
    { name: '2-16-16-1 tanh train, 32 samples', unit: 'samples/s', perCall: 32,
      sides: { 'tfjs-wasm': () => tfjs('train', 32), 'brain.js': () => brain('train', 32) } },
    { name: '2-16-16-1 tanh inference, batch 1', unit: 'calls/s', perCall: 1,
      sides: { 'tfjs-wasm': () => tfjs('infer', 1), 'brain.js': () => brain('infer', 1) } },
  ];
}
WORKLOADS.push(...tinyNetWorkloads());

async function main() {
  const args = process.argv.slice(2);
  const get = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
  const time = Number(get('--time', 1000));
  const filter = get('--filter', null);
  const list = filter ? WORKLOADS.filter((w) => w.name.includes(filter)) : WORKLOADS;
  const sideNames = [...new Set(list.flatMap((w) => Object.keys(w.sides)))];
  const rows = [];
  const notes = [];
  for (const w of list) {
    const timed = {};
    for (const [side, make] of Object.entries(w.sides)) {
      try {
        const t = await make();
        if (t) timed[side] = t;
      } catch (e) { notes.push(`${w.name}: ${side} failed: ${String(e.message ?? e).split('\n')[0]}`); }
    }
    const res = await runTasks(Object.entries(timed).map(([s, t]) => [s, t.fn]), { time });
    for (const t of Object.values(timed)) t.dispose?.();
    rows.push([w.name, w.unit, ...sideNames.map((s) => {
      const r = res.get(s);
      if (!r) return '-';
      if (r.error) { notes.push(`${w.name}: ${s}: ${r.error}`); return 'error'; }
      return sig3(w.perCall / (r.p50 / 1000));
    })]);
    process.stderr.write(`${w.name} done\n`);
  }
  console.log(`${machineLine()}; median latency, ${time} ms per task.\n`);
  console.log(markdownTable(['workload', 'unit', ...sideNames], rows));
  if (notes.length) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
}

main().catch((e) => { console.error(e.stack ?? e); process.exit(1); });
