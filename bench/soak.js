// Soak test (issue 8): 1,000,000 mixed public calls (activations, tensors, predict, evaluate, small trainBatch) and
// 100,000 training steps on one engine, printing the wasm memory, live allocations and JS heap at intervals and at the
// end. Exits 1 when memory is not flat:
//   - WebAssembly memory: no growth at all after the warm-up (the first 5% of each phase);
//   - live allocations: back to exactly the warm-up count at every checkpoint;
//   - JS heap (after a forced GC): at most 16 MiB above the warm-up reading.
//
//   npm run soak                    (builds, then runs against dist/)
//   node bench/soak.js [--calls 1000000] [--steps 100000]
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? Number(args[i + 1]) : dflt; };
const CALLS = opt('calls', 1_000_000);
const STEPS = opt('steps', 100_000);
const HEAP_BOUND = 16 << 20;

let createEngine;
try {
  ({ createEngine } = await import('../dist/index.js'));
} catch (e) {
  console.error(`bench/soak.js needs the build: run \`npm run build\` first (${e.message})`);
  process.exit(1);
}

// A GC before each heap reading, so the figure is what is live and not what the collector has not reached yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');

const engine = await createEngine();
const MiB = (b) => `${(b / 1048576).toFixed(2)} MiB`;
function reading() {
  gc();
  const s = engine.memoryStats();
  return { wasm: s.memoryBytes, live: s.liveAllocations, heap: process.memoryUsage().heapUsed };
}
const failures = [];
function report(phase, done, total, r, warm) {
  const line = `${phase.padEnd(6)} ${String(done).padStart(9)} / ${total}  wasm ${MiB(r.wasm).padStart(11)}  live allocations ${String(r.live).padStart(4)}  JS heap ${MiB(r.heap).padStart(10)}`;
  console.log(line);
  if (!warm) return;
  if (r.wasm > warm.wasm) failures.push(`${phase} at ${done}: wasm memory grew from ${warm.wasm} to ${r.wasm} bytes`);
  if (r.live !== warm.live) failures.push(`${phase} at ${done}: live allocations ${r.live}, ${warm.live} after the warm-up`);
  if (r.heap - warm.heap > HEAP_BOUND) failures.push(`${phase} at ${done}: JS heap grew by ${MiB(r.heap - warm.heap)} (bound ${MiB(HEAP_BOUND)})`);
}

console.log(`rectify soak: ${CALLS} mixed calls, then ${STEPS} training steps`);
console.log(`CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical), Node ${process.version}`);
console.log(`bounds after the warm-up: wasm memory +0 bytes, live allocations +0, JS heap +${MiB(HEAP_BOUND)}`);

// Seeded inputs (no Math.random: the run is the same every time).
let seed = 12345;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296 - 0.5; };
const vec = (n, scale = 4) => Float32Array.from({ length: n }, () => Math.fround(rand() * scale));

const acts = ['relu', 'gelu', 'tanh', 'sigmoid', 'elu', 'silu'].map((a) => engine.activation(a));
const softmax = engine.activation('softmax');
const prelu = engine.activation({ name: 'prelu', units: 8, alpha: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] });
const net = engine.network({ inputs: 8, seed: 7 }).dense(16, 'relu').dense(8, { name: 'prelu', units: 8 }).dense(3, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: 'adam', capacity: 64 });
const xs = vec(64 * 8), labels = Int32Array.from({ length: 64 }, (_, i) => i % 3);
const x16 = xs.subarray(0, 16 * 8), l16 = labels.subarray(0, 16);
const inputs = [vec(1), vec(7), vec(64), vec(1000)];
const outBuf = new Float32Array(1000);
const dy = vec(1000, 1);

const t0 = performance.now();
let sink = 0;
let warm;
const every = Math.max(1, Math.floor(CALLS / 10));
for (let i = 0; i < CALLS; i++) {
  switch (i % 10) {
    case 0: case 1: { const a = acts[i % acts.length]; const x = inputs[i % inputs.length]; sink += a.forward(x)[0]; break; }
    case 2: { const a = acts[(i >> 1) % acts.length]; const x = inputs[3]; a.backward(x, dy, { out: outBuf }); sink += outBuf[0]; break; }
    case 3: { const t = engine.tensor(inputs[i % 3]); acts[i % acts.length].forward(t, { out: t }); sink += t.data[0]; t.dispose(); break; }
    case 4: { sink += softmax.forward(xs.subarray(0, 24), { rows: 8, cols: 3 })[0]; break; }
    case 5: { sink += prelu.forward(xs.subarray(0, 64))[0]; break; }
    case 6: case 7: { sink += net.predict(x16)[0]; break; }
    case 8: { sink += net.evaluate(x16, l16).loss; break; }
    case 9: { sink += net.trainBatch(x16, l16); break; }
  }
  if (i + 1 === Math.floor(CALLS / 20)) warm = reading();
  if ((i + 1) % every === 0) report('calls', i + 1, CALLS, reading(), warm);
}
const t1 = performance.now();
let warmSteps;
const everyStep = Math.max(1, Math.floor(STEPS / 10));
for (let i = 0; i < STEPS; i++) {
  const r = (i * 16) % 64;
  sink += net.trainBatch(xs.subarray(r * 8, (r + 16) * 8), labels.subarray(r, r + 16));
  if (i + 1 === Math.floor(STEPS / 20)) warmSteps = reading();
  if ((i + 1) % everyStep === 0) report('steps', i + 1, STEPS, reading(), warmSteps);
}
const t2 = performance.now();
net.dispose(); prelu.dispose(); softmax.dispose(); for (const a of acts) a.dispose();
const end = reading();
console.log(`end: wasm ${MiB(end.wasm)}, live allocations ${end.live} (all disposed), JS heap ${MiB(end.heap)}`);
console.log(`time: ${((t1 - t0) / 1000).toFixed(1)} s for the calls (${((t1 - t0) * 1000 / CALLS).toFixed(2)} µs each), ` +
  `${((t2 - t1) / 1000).toFixed(1)} s for the steps (${((t2 - t1) * 1000 / STEPS).toFixed(2)} µs each); checksum ${Number.isFinite(sink) ? 'finite' : sink}`);
if (end.live !== 0) failures.push(`${end.live} allocations still live after disposing everything`);
if (failures.length) {
  console.error(`NOT FLAT:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('flat: no wasm memory growth and no live-allocation growth after the warm-up, JS heap within the bound');
