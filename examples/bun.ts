// rectify in Bun: `bun examples/bun.ts`   (in your project: `bun add rectify`)
// Here the .wasm is read with Bun's own file API and handed to createEngine (any bytes, Response or Module work).
import { ACTIVATIONS, createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';

const fmt = (a: Float32Array) => Array.from(a, (v) => +v.toPrecision(6)).join(' ');

const wasmPath = Bun.fileURLToPath(import.meta.resolve('rectify/rectify.wasm'));
const engine = await createEngine({ wasm: await Bun.file(wasmPath).arrayBuffer() });
console.log(`rectify in Bun ${Bun.version}: ${ACTIVATIONS.length} activations`);

// Forward and backward of a leaky ReLU on a small batch.
const act = engine.activation({ name: 'leakyRelu', slope: 0.1 });
const x = new Float32Array([-2, -0.5, 0, 0.5, 2]);
const dy = new Float32Array([1, 1, 1, 1, 1]);
console.log(`leakyRelu(0.1) f(x)  = ${fmt(act.forward(x))}`);
console.log(`leakyRelu(0.1) dx    = ${fmt(act.backward(x, dy))}`);

// Parameter gradients of a trainable activation (prelu's alpha), as a training step would use them.
const prelu = engine.activation('prelu');
console.log(`prelu dL/dalpha = ${prelu.paramGrads(x, dy).alpha}`);

// Training, bit-identical everywhere: a small seeded network on the embedded digits (the baseline build; the
// relaxed-SIMD one fuses multiply-adds and is not bit-identical across CPUs). examples/node.mjs and examples/deno.ts run
// the same recipe and print the same weight hash.
const { train, test } = trainTestSplit(loadDigits(), 0.25, 1);
const net = engine.network({ inputs: 64, seed: 42 })
  .dense(32, 'relu')
  .dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
await net.fit(train.x, train.labels, { epochs: 5, batchSize: 32 });
const bytes = net.parameters().flatMap((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
console.log(`digits 64-32-10: test accuracy ${(100 * net.evaluate(test.x, test.labels).accuracy!).toFixed(1)}%`);
console.log(`weights sha256 ${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`);
net.dispose();
engine.dispose();
