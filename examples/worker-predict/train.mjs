// Trains the digit classifier the Worker serves, offline, and saves it in rectify's binary form, with the training
// statistics the Worker checks inputs against.
//   node examples/worker-predict/train.mjs [out.bin]      (default: model.bin beside this script; stats.json beside it)
// Seeded: the same bytes on every run, machine and runtime (the baseline build is bit-identical everywhere).
import { writeFileSync } from 'node:fs';
import { createEngine } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';
import { featureStats } from 'rectify/serve';

const out = process.argv[2] ?? new URL('./model.bin', import.meta.url);
const statsOut = new URL('./stats.json', out instanceof URL ? out : new URL(`file://${out.startsWith('/') ? '' : `${process.cwd()}/`}${out}`));

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
// Per-pixel min/max/mean/std of the training digits, pixel names and class labels: the Worker flags inputs far
// outside what the network was trained on (the saved model cannot carry these yet).
const stats = featureStats(train.x, 64, {
  names: Array.from({ length: 64 }, (_, i) => `pixel row ${i >> 3} col ${i & 7}`),
  labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
});
writeFileSync(statsOut, JSON.stringify(stats));
console.log(`test accuracy ${(100 * accuracy).toFixed(1)}% on ${test.rows} held-out digits; ` +
  `wrote ${bytes.length} bytes to ${out instanceof URL ? out.pathname : out} and the training statistics to ${statsOut.pathname}`);
net.dispose();
engine.dispose();
