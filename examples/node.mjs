// rectify in Node: `node examples/node.mjs`   (in your project: `npm install rectify`)
// Trains a small seeded network on the embedded digits and prints a hash of its weights. Deno (examples/deno.ts)
// and Bun (examples/bun.ts) run the same recipe and print the same hash: the baseline build is bit-identical on
// every engine and CPU (the relaxed-SIMD build, with fused multiply-add, is faster but not bit-identical).
import { createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';

const engine = await createEngine();
const { train, test } = trainTestSplit(loadDigits(), 0.25, 1);
const net = engine.network({ inputs: 64, seed: 42 })
  .dense(32, 'relu')
  .dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
await net.fit(train.x, train.labels, { epochs: 5, batchSize: 32 });

// SHA-256 of every parameter's bytes, in order (web crypto: the same code runs in Node, Deno, Bun and browsers).
const bytes = net.parameters().flatMap((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
const { accuracy } = net.evaluate(test.x, test.labels);
console.log(`rectify in Node ${process.versions.node}: digits 64-32-10, seed 42, 5 epochs`);
console.log(`test accuracy ${(100 * accuracy).toFixed(1)}%`);
console.log(`weights sha256 ${Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')}`);
net.dispose();
engine.dispose();
