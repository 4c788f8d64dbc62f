/**
 * Builds an example lab report from stand-in numbers (no engine needed), to look at the layout.
 * Used by example-report.test.ts, which writes it to $LAB_EXAMPLE_DIR (default /tmp/lab-example).
 */
import { lineChart, barChart, decisionBoundary, heatmap } from '../../src/lab/svg.js';
import { renderReport, type ReportSection } from '../../src/lab/html-page.js';
import { spirals, moons, xor } from '../../src/data/synthetic.js';
import { loadDigits } from '../../src/data/digits.js';
import type { Dataset } from '../../src/data/types.js';

const xs = Array.from({ length: 241 }, (_, i) => -6 + i * 0.05);
const acts: Record<string, (x: number) => number> = {
  relu: (x) => Math.max(0, x),
  'leaky relu (0.1)': (x) => (x > 0 ? x : 0.1 * x),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  softplus: (x) => Math.log1p(Math.exp(x)),
  elu: (x) => (x > 0 ? x : Math.expm1(x)),
  swish: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => 0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x ** 3))),
  mish: (x) => x * Math.tanh(Math.log1p(Math.exp(x))),
};

/** k-nearest-neighbour stand-in for a trained network, evaluated on a grid. */
function knnGrid(d: Dataset, w: number, h: number, r: [number, number], k = 7): Float32Array {
  const g = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const x = r[0] + ((i + 0.5) / w) * (r[1] - r[0]);
      const y = r[0] + ((j + 0.5) / h) * (r[1] - r[0]);
      const best: Array<[number, number]> = [];
      for (let p = 0; p < d.rows; p++) {
        const dx = d.x[2 * p] - x;
        const dy = d.x[2 * p + 1] - y;
        best.push([dx * dx + dy * dy, d.labels[p]]);
      }
      best.sort((a, b) => a[0] - b[0]);
      let ones = 0;
      for (let q = 0; q < k; q++) ones += best[q][1];
      g[j * w + i] = ones / k;
    }
  }
  return g;
}

export function buildExample(): { html: string; charts: Record<string, string> } {
  const charts: Record<string, string> = {};
  charts['activations'] = lineChart({
    title: 'Activation functions',
    xLabel: 'x',
    yLabel: 'f(x)',
    series: Object.entries(acts).map(([name, f]) => ({ name, x: xs, y: xs.map(f) })),
    yRange: [-2, 6],
  });
  const epochs = Array.from({ length: 40 }, (_, i) => i + 1);
  const loss = (a: number, b: number) => epochs.map((e) => a * Math.exp(-e / b) + 0.02);
  const sigmoidDiverge = epochs.map((e) => (e > 30 ? NaN : 2.3 * Math.exp(-e / 30) + 0.1));
  charts['loss'] = lineChart({
    title: 'Training loss on digits (stand-in numbers)',
    xLabel: 'epoch',
    yLabel: 'cross-entropy',
    logY: true,
    series: [
      { name: 'relu', x: epochs, y: loss(2.3, 4) },
      { name: 'tanh', x: epochs, y: loss(2.3, 6) },
      { name: 'sigmoid (lr 0.5, diverged)', x: epochs, y: sigmoidDiverge },
      { name: 'gelu', x: epochs, y: loss(2.3, 3.5) },
      { name: 'relu (test)', x: epochs, y: loss(2.4, 4).map((v) => v * 1.3), dashed: true },
      { name: 'empty series', x: [], y: [] },
    ],
  });
  charts['gradnorms'] = barChart({
    title: 'Gradient norm per layer after 1 epoch (stand-in numbers)',
    categories: ['dense 1', 'dense 2', 'dense 3', 'dense 4', 'output'],
    xLabel: 'layer',
    yLabel: '‖∂L/∂W‖',
    logY: true,
    series: [
      { name: 'sigmoid', values: [2e-5, 3e-4, 4e-3, 5e-2, 0.4] },
      { name: 'tanh', values: [3e-3, 1e-2, 4e-2, 0.1, 0.4] },
      { name: 'relu', values: [0.08, 0.1, 0.15, 0.2, 0.4] },
      { name: 'dead relu', values: [0, 0, 0.01, 0.2, 0.4] },
    ],
  });
  const sets: Array<[string, Dataset]> = [['spirals', spirals(300, { seed: 1 })], ['moons', moons(200, { seed: 1 })], ['xor', xor(200, { seed: 1 })]];
  const range: [number, number] = [-1.5, 1.5];
  const boundaries = sets.map(([name, d]) => {
    const svg = decisionBoundary({
      title: `${name}: 7-NN stand-in`,
      grid: knnGrid(d, 60, 60, range),
      w: 60,
      h: 60,
      xRange: range,
      yRange: range,
      mode: 'prob',
      points: { xy: d.x, labels: d.labels },
      width: 320,
      height: 320,
    });
    charts[`boundary-${name}`] = svg;
    return svg;
  });
  const digits = loadDigits();
  const perClass = new Array<number>(10).fill(0);
  for (const l of digits.labels) perClass[l]++;
  charts['digits-classes'] = barChart({
    title: 'Digits: samples per class',
    categories: perClass.map((_, i) => String(i)),
    series: [{ name: 'samples', values: perClass }],
    xLabel: 'class',
    height: 260,
  });
  const confusion = new Float32Array(100);
  for (let t = 0; t < 10; t++) for (let p = 0; p < 10; p++) confusion[t * 10 + p] = t === p ? perClass[t] - ((t * 7) % 5) : (t * 3 + p) % 11 === 0 ? 2 : 0;
  confusion[35] = NaN;
  charts['confusion'] = heatmap({
    title: 'Digits confusion matrix (stand-in)',
    values: confusion,
    rows: 10,
    cols: 10,
    rowLabels: perClass.map((_, i) => String(i)),
    colLabels: perClass.map((_, i) => String(i)),
    yLabel: 'true class',
    xLabel: 'predicted class',
    width: 440,
    height: 440,
  });
  const samples = [0, 1, 2, 3].map((i) => heatmap({
    title: `digit ${digits.labels[i]}`,
    values: digits.x.subarray(i * 64, i * 64 + 64),
    rows: 8,
    cols: 8,
    range: [0, 1],
    annotate: false,
    color: '#000000',
    width: 150,
    height: 160,
  }));
  const sections: ReportSection[] = [
    {
      heading: 'Activation functions',
      text: 'Each activation the lab trains with, on [-6, 6]. This chart uses fixed y limits, so large values are clipped.',
      svgs: [charts['activations']],
    },
    {
      heading: 'Training curves',
      html: '<p>Loss per epoch, log scale. The <em>sigmoid</em> run diverged after epoch 30; the chart skips its NaN values and says so underneath.</p>',
      svgs: [charts['loss']],
    },
    { heading: 'Vanishing gradients', text: 'Per-layer gradient norms. A bar that is zero cannot be drawn on a log axis; it is marked x.', svgs: [charts['gradnorms']] },
    { heading: 'Decision boundaries', text: 'Two-dimensional toy sets, generated deterministically.', svgs: boundaries },
    {
      heading: 'Results <& "claims">',
      table: {
        caption: 'Test accuracy (stand-in numbers)',
        columns: ['activation', 'digits acc.', 'spirals acc.', 'epochs to 90%', 'claim holds?'],
        rows: [
          ['relu', 0.9711, 0.995, 6, 'yes'],
          ['sigmoid', 0.8123456, 0.62, NaN, 'no: slower'],
          ['tanh', 0.9601, 0.97, 9, 'yes'],
          ['gelu', 0.97333, 1, 5, 'yes'],
          ['elu', 1.5e-7, Infinity, null, '—'],
        ],
      },
      svgs: [charts['digits-classes'], charts['confusion']],
    },
    { heading: 'Digits data', text: 'The first four of the 1797 embedded 8x8 digits (pixel value / 16).', svgs: samples },
  ];
  const html = renderReport({
    title: 'rectify activation lab — example report',
    subtitle: 'Layout check with stand-in numbers; the real lab fills these from training runs.',
    meta: { date: '2026-11-29', engine: 'none (example)', seed: 1, 'data: digits': '1797 x 64, 10 classes (UCI, CC BY 4.0)' },
    sections,
  });
  return { html, charts };
}
