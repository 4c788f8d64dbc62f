// Trains a digit classifier in the page and draws its loss as it goes. Plain ESM; the import map in index.html
// says where 'rectify' and 'rectify/data' live.
import { createEngine, TrainingAbortedError } from 'rectify';
import { loadDigits, trainTestSplit } from 'rectify/data';

const EPOCHS = 30;
const BATCH = 32;
const $ = (id) => document.getElementById(id);
const SVG = 'http://www.w3.org/2000/svg';

// Worker threads where the page is cross-origin isolated (serve.mjs sends the COOP/COEP headers); one thread, and why,
// elsewhere. The trained network is the same bits either way.
const engine = await createEngine({ threads: 'auto' });
$('threads').textContent = engine.threads > 1
  ? `Training on ${engine.threads} threads (worker threads sharing the engine's memory).`
  : `Training on one thread: ${engine.threadsUnavailableReason ?? 'this device reports one processor'}.`;
const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);   // seeded, stratified: 1438 train, 359 test
let seed = 7;
let controller;

$('train').onclick = () => { seed++; run(); };
$('stop').onclick = () => controller?.abort();
run();

async function run() {
  controller = new AbortController();
  $('train').disabled = true;
  $('stop').disabled = false;
  $('accuracy').textContent = '';
  $('first').replaceChildren();
  $('mistakes').replaceChildren();
  $('mistakes-title').hidden = true;
  document.body.dataset.state = 'training';
  const net = engine.network({ inputs: 64, seed })
    .dense(32, 'relu')
    .dense(10, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
  const chart = lossChart($('chart'), EPOCHS * Math.ceil(train.rows / BATCH));
  const started = performance.now();
  let batches = 0;
  $('status').textContent = `seed ${seed}: training...`;
  try {
    await net.fit(train.x, train.labels, {
      epochs: EPOCHS, batchSize: BATCH, signal: controller.signal,
      onBatchEnd: ({ loss }) => { batches++; chart.batch(loss); },
      onEpochEnd: (log) => {
        chart.epoch(log.loss);
        $('status').textContent = `seed ${seed}: epoch ${log.epoch + 1}/${EPOCHS}, loss ${log.loss.toFixed(4)}, ` +
          `train accuracy ${(100 * log.accuracy).toFixed(1)}%`;
      },
    });
    $('status').textContent += ` (${((performance.now() - started) / 1000).toFixed(2)} s)`;
  } catch (e) {
    if (!(e instanceof TrainingAbortedError)) throw e;
    $('status').textContent = `seed ${seed}: stopped after ${batches} batch${batches === 1 ? '' : 'es'}; the results below are of that network`;
  }
  try {
    showResults(net);
  } finally {
    net.dispose();
    $('train').disabled = false;
    $('stop').disabled = true;
    document.body.dataset.state = 'done';
  }
}

/** Test accuracy, then the first test digits and some of the mistakes among the others. */
function showResults(net) {
  const probs = net.predict(test.x);   // 359 rows x 10 class probabilities
  const predicted = [];
  for (let r = 0; r < test.rows; r++) {
    const row = probs.subarray(r * 10, r * 10 + 10);
    let best = 0;
    for (let c = 1; c < 10; c++) if (row[c] > row[best]) best = c;
    predicted.push({ r, digit: best, p: row[best], ok: best === test.labels[r] });
  }
  const right = predicted.filter((d) => d.ok).length;
  $('accuracy').textContent = `Test accuracy: ${(100 * right / test.rows).toFixed(1)}% (${right} of ${test.rows} held-out digits)`;
  const first = predicted.slice(0, 16);
  const mistakes = predicted.slice(16).filter((d) => !d.ok).slice(0, 8);
  $('first').replaceChildren(...first.map(figure));
  $('mistakes').replaceChildren(...mistakes.map(figure));
  $('mistakes-title').hidden = mistakes.length === 0;
}

/** One digit: its 8x8 pixels, and the network's answer (with its probability) or its mistake. */
function figure({ r, digit, p, ok }) {
  const fig = document.createElement('figure');
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 8;
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(8, 8);
  for (let i = 0; i < 64; i++) {
    const v = Math.round(255 * (1 - test.x[r * 64 + i]));
    img.data.set([v, v, v, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  const cap = document.createElement('figcaption');
  cap.className = ok ? 'ok' : 'wrong';
  cap.textContent = ok ? `${digit} (${Math.round(100 * p)}%)` : `said ${digit}, is ${test.labels[r]}`;
  fig.append(canvas, cap);
  return fig;
}

/** A loss chart in an <svg>: every batch's loss (light) and each epoch's mean (dark), redrawn as they come. */
function lossChart(svg, steps) {
  const W = 720, H = 240, L = 44, R = 14, T = 26, B = 40;
  const batches = [], epochs = [];
  let yMax = 1, last = 0;
  const x = (i) => L + ((W - L - R) * i) / steps;
  const y = (v) => T + (H - T - B) * (1 - Math.min(v, yMax) / yMax);
  const el = (name, attrs, text) => {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const draw = () => {
    last = performance.now();
    const parts = [];
    const step = yMax > 2 ? 0.5 : yMax > 1 ? 0.25 : 0.1;
    for (let k = 0; k * step <= yMax + 1e-9; k++) {
      const v = k * step;
      parts.push(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e6e9ef' }));
      parts.push(el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#5a6478' }, v.toFixed(2)));
    }
    const perEpoch = steps / EPOCHS;
    for (let e = 0; e <= EPOCHS; e += 5) {
      parts.push(el('text', { x: x(e * perEpoch), y: H - B + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#5a6478' }, String(e)));
    }
    parts.push(el('text', { x: (L + W - R) / 2, y: H - 4, 'text-anchor': 'middle', 'font-size': 11, fill: '#5a6478' }, 'epoch'));
    parts.push(el('text', { x: L, y: 14, 'font-size': 12, fill: '#1d2433' }, 'Training loss (cross-entropy)'));
    parts.push(el('polyline', { points: `${W - R - 250},10 ${W - R - 232},10`, stroke: '#9cc3f5', 'stroke-width': 2 }));
    parts.push(el('text', { x: W - R - 228, y: 14, 'font-size': 11, fill: '#5a6478' }, 'each batch'));
    parts.push(el('polyline', { points: `${W - R - 150},10 ${W - R - 132},10`, stroke: '#1f5fbf', 'stroke-width': 2 }));
    parts.push(el('text', { x: W - R - 128, y: 14, 'font-size': 11, fill: '#5a6478' }, 'epoch mean'));
    parts.push(el('polyline', { class: 'batches', fill: 'none', stroke: '#9cc3f5', 'stroke-width': 1,
      points: batches.map((v, i) => `${x(i + 1).toFixed(1)},${y(v).toFixed(1)}`).join(' ') }));
    parts.push(el('polyline', { class: 'epochs', fill: 'none', stroke: '#1f5fbf', 'stroke-width': 2,
      points: epochs.map((v, e) => `${x((e + 0.5) * perEpoch).toFixed(1)},${y(v).toFixed(1)}`).join(' ') }));
    // Each epoch's mean loss sits in the middle of its batches.
    for (const [e, v] of epochs.entries()) parts.push(el('circle', { cx: x((e + 0.5) * perEpoch), cy: y(v), r: 2.5, fill: '#1f5fbf' }));
    svg.replaceChildren(...parts);
  };
  draw();
  return {
    batch(loss) {
      batches.push(loss);
      if (batches.length === 1) yMax = Math.ceil(loss * 1.05 * 2) / 2;   // the scale is set by the first loss
      if (performance.now() - last > 30) draw();   // at most ~30 redraws a second
    },
    epoch(loss) { epochs.push(loss); draw(); },
  };
}
