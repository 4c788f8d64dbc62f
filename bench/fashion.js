// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 784-256-128-10 relu networks trained for 10 epochs, seeded, in one
// run: plain, with dropout, with batchNorm, and plain with a cosine learning-rate schedule. Prints the test accuracy
// of each as a markdown table (with the CPU model); --write also puts the table into docs/fashion-mnist.md.
//
//   npm run build && npm run fashion [-- --epochs 10 --write]
//
// The IDX files come from Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist), read from
// /usr/share/datasets/fashion-mnist or $FASHION_MNIST_DIR. Not part of npm test (minutes of training).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuModel } from './gemm.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 && args[i + 1] ? args[i + 1] : dflt; };
const EPOCHS = Number(opt('epochs', '10'));
const ONLY = opt('only', '');
const dir = process.env.FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
if (!existsSync(join(dir, 'train-images-idx3-ubyte.gz'))) {
  console.error(`bench/fashion.js: no Fashion-MNIST in ${dir}; apt-get install dataset-fashion-mnist, or set FASHION_MNIST_DIR`);
  process.exit(1);
}
const { createEngine } = await import('../dist/index.js');
const { loadIdxPair } = await import('../dist/data/index.js');

const train = await loadIdxPair(join(dir, 'train-images-idx3-ubyte.gz'), join(dir, 'train-labels-idx1-ubyte.gz'));
const test = await loadIdxPair(join(dir, 't10k-images-idx3-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
const engine = await createEngine();

const SEED = 1, BATCH = 64, LR = 1e-3;
/** The four setups: a builder step between the layers, and fit's schedule. */
const SETUPS = [
  { name: 'plain', between: (b) => b },
  { name: '+ dropout 0.2', between: (b) => b.dropout(0.2) },
  { name: '+ batchNorm', between: (b) => b.batchNorm() },
  { name: '+ cosine schedule', between: (b) => b, schedule: 'cosine' },
].filter((s) => !ONLY || ONLY.split(',').some((o) => s.name.includes(o)));

const rows = [];
for (const s of SETUPS) {
  let b = engine.network({ inputs: 784, seed: SEED }).dense(256, 'relu');
  b = s.between(b).dense(128, 'relu');
  const net = s.between(b).dense(10, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: LR }, capacity: BATCH });
  const t0 = performance.now();
  const h = await net.fit(train.x, train.labels, { epochs: EPOCHS, batchSize: BATCH, ...(s.schedule ? { schedule: s.schedule } : {}) });
  const seconds = (performance.now() - t0) / 1000;
  const { accuracy } = net.evaluate(test.x, test.labels);
  const best = Math.max(...h.epochs.map((e) => e.accuracy ?? 0));
  rows.push({ name: s.name, accuracy, trainAcc: h.epochs.at(-1).accuracy, loss: h.epochs.at(-1).loss, seconds, best });
  console.error(`${s.name}: test accuracy ${(accuracy * 100).toFixed(2)}% (${seconds.toFixed(1)} s)`);
  net.dispose();
}

const lines = [
  `Fashion-MNIST, 784-256-128-10 relu/softmax, adam (learning rate ${LR}), batch ${BATCH}, ${EPOCHS} epochs, seed ${SEED}, shuffled`,
  `every epoch; test accuracy on the 10,000 test images after the last epoch. CPU: ${cpuModel()}, Node ${process.version},`,
  'baseline SIMD build, one thread. `npm run fashion` (bench/fashion.js) measures it.', '',
  '| setup | test accuracy | train accuracy (last epoch) | train loss (last epoch) | training time |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${(r.accuracy * 100).toFixed(2)}% | ${(r.trainAcc * 100).toFixed(2)}% | ${r.loss.toFixed(4)} | ${r.seconds.toFixed(1)} s |`),
];
console.log(lines.join('\n'));
if (args.includes('--write')) {
  const path = join(here, '../docs/fashion-mnist.md');
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf('<!-- fashion:start -->'), end = doc.indexOf('<!-- fashion:end -->');
  if (start < 0 || end < 0) throw new Error('docs/fashion-mnist.md lacks the <!-- fashion:start --> / <!-- fashion:end --> markers');
  writeFileSync(path, `${doc.slice(0, start)}<!-- fashion:start -->\n${lines.join('\n')}\n${doc.slice(end)}`);
  console.error(`wrote ${path}`);
}
