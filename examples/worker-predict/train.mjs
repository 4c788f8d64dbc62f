// Trains the digit classifier the Worker serves, offline, and saves it in rectify's binary form.
//   node examples/worker-predict/train.mjs [out.bin]      (default: model.bin beside this script)
// Seeded: the same bytes on every run, machine and runtime (the baseline build is bit-identical everywhere).
import { writeFileSync } from 'node:fs';
import { createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';

const out = process.argv[2] ?? new URL('./model.bin', import.meta.url);

const engine = await createEngine();
const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);
const net = engine.network({ inputs: 64, seed: 7 })
  .dense(32, 'relu')
  .dense(10, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
await net.fit(train.x, train.labels, { epochs: 30, batchSize: 32 });
const { accuracy } = net.evaluate(test.x, test.labels);

const bytes = net.save();   // "RCTF" header + f32 weights; engine.loadNetwork(bytes) restores it bit for bit
writeFileSync(out, bytes);
console.log(`test accuracy ${(100 * accuracy).toFixed(1)}% on ${test.rows} held-out digits; ` +
  `wrote ${bytes.length} bytes to ${out instanceof URL ? out.pathname : out}`);
net.dispose();
engine.dispose();
