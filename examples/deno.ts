// rectify in Deno: `deno run --allow-read examples/deno.ts`
// In your project: `deno add npm:rectify` (or import from 'npm:rectify'); --allow-read lets the engine read
// rectify.wasm next to the package's JavaScript.
import { ACTIVATIONS, createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';

const fmt = (a: Float32Array) => Array.from(a, (v) => +v.toPrecision(6)).join(' ');

const engine = await createEngine({ relaxedSimd: true });
console.log(`rectify in Deno ${Deno.version.deno}: ${ACTIVATIONS.length} activations, ` +
  `${engine.relaxedSimd ? 'relaxed-SIMD' : 'baseline SIMD'} build`);

// Float32Arrays in, Float32Arrays out.
const x = new Float32Array([-2, -0.5, 0, 0.5, 2]);
for (const def of ACTIVATIONS) {
  const act = engine.activation(def.name);
  console.log(`${def.name.padEnd(10)} f(x)  = ${fmt(act.forward(x))}`);
  act.dispose();
}

// Tensors live in the engine's memory: no copies between calls.
const n = 1 << 20;
const t = engine.tensor(n);
for (let i = 0; i < n; i++) t.data[i] = (i % 2001) / 100 - 10;
const relu = engine.activation('relu');
const start = performance.now();
for (let k = 0; k < 50; k++) relu.forward(t, { out: t });
const ms = performance.now() - start;
console.log(`relu in place on ${n} floats: ${((50 * n) / ms / 1e6).toFixed(2)} G elements/s`);
t.dispose();
engine.dispose();

const baseline = await createEngine();
// Training, bit-identical everywhere: a small seeded network on the embedded digits (the baseline build; the
// relaxed-SIMD one fuses multiply-adds and is not bit-identical across CPUs). examples/node.mjs and examples/bun.ts run
// the same recipe and print the same weight hash.
const { train, test } = trainTestSplit(loadDigits(), 0.25, 1);
const net = baseline.network({ inputs: 64, seed: 42 })
  .dense(32, 'relu')
  .dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
await net.fit(train.x, train.labels, { epochs: 5, batchSize: 32 });
const bytes = net.parameters().flatMap((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
console.log(`digits 64-32-10: test accuracy ${(100 * net.evaluate(test.x, test.labels).accuracy!).toFixed(1)}%`);
console.log(`weights sha256 ${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`);
net.dispose();
baseline.dispose();
