// Class and sample weights (issue 11 section 2): the weighted loss kernel against f64 references (loss and gradient,
// every loss), fit and evaluate with weights, classWeight == the matching sampleWeight bit for bit (also through a
// stratified validation split), and the typed errors of wrong lengths and negative / NaN / infinite weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, ShapeError, type Engine, type Network } from '../dist/index.js';
import { KERNELS_WASM, rng } from './util.js';

let engine: Engine, kernels: Engine;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let E: any;
beforeAll(async () => {
  engine = await createEngine();
  kernels = await createEngine({ wasm: KERNELS_WASM }); // rectify.wasm's code with loss_weighted exported
  E = kernels.exports;
});
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const rand = (n: number, lo: number, hi: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
};
const LOSS = { mse: 0, bce: 1, ce: 2 } as const;

// f64 per-row losses and their gradients (of the row's loss, not yet weighted).
const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
function rowRef(kind: keyof typeof LOSS, p: number[], t: number[]): { l: number; d: number[] } {
  const c = p.length;
  if (kind === 'mse') return { l: p.reduce((s, v, j) => s + (v - t[j]!) ** 2, 0) / c, d: p.map((v, j) => (2 * (v - t[j]!)) / c) };
  if (kind === 'bce') return { l: p.reduce((s, z, j) => s + softplus(z) - t[j]! * z, 0) / c, d: p.map((z, j) => (sigmoid(z) - t[j]!) / c) };
  const m = Math.max(...p), se = p.reduce((s, z) => s + Math.exp(z - m), 0);
  const ls = p.map((z) => z - m - Math.log(se)), ts = t.reduce((a, b) => a + b, 0);
  return { l: -t.reduce((s, tj, j) => s + tj * ls[j]!, 0), d: p.map((_, j) => Math.exp(ls[j]!) * ts - t[j]!) };
}

describe('loss_weighted kernel', () => {
  for (const kind of ['mse', 'bce', 'ce', 'ceLabels'] as const) {
    for (const [rows, cols] of [[1, 1], [5, 3], [7, 4], [3, 9]] as const) {
      if (kind.startsWith('ce') && cols < 2) continue;
      it(`${kind} ${rows}x${cols}: (1/rows) sum w_r l_r and its gradient w_r/rows dl_r, against f64`, () => {
        const p = rand(rows * cols, -3, 3, rows * 10 + cols);
        let t = rand(rows * cols, 0, 1, rows + cols);
        const labels = Int32Array.from({ length: rows }, (_, r) => (r * 7) % cols);
        if (kind === 'ceLabels') t = Float32Array.from({ length: rows * cols }, (_, i) => (labels[Math.floor(i / cols)] === i % cols ? 1 : 0));
        const w = Float32Array.from({ length: rows }, (_, r) => [0, 1, 2.5, 0.25, 7][r % 5]!);
        const tp = kernels.tensor(p), tt = kernels.tensor(t), tw = kernels.tensor(w), td = kernels.tensor(rows * cols), tl = kernels.tensor(rows);
        new Int32Array(E.memory.buffer, tl.ptr, rows).set(labels);
        const code = LOSS[kind === 'ceLabels' ? 'ce' : kind];
        const loss = E.loss_weighted(code, tp.ptr, kind === 'ceLabels' ? 0 : tt.ptr, tl.ptr, tw.ptr, rows, cols, td.ptr) as number;
        const lossOnly = E.loss_weighted(code, tp.ptr, kind === 'ceLabels' ? 0 : tt.ptr, tl.ptr, tw.ptr, rows, cols, 0) as number;
        const d = td.toArray();
        let ref = 0;
        for (let r = 0; r < rows; r++) {
          const s = (a: Float32Array) => Array.from(a.subarray(r * cols, (r + 1) * cols));
          const rr = rowRef(kind === 'ceLabels' ? 'ce' : kind, s(p), s(t));
          ref += w[r]! * rr.l;
          rr.d.forEach((g, j) => {
            const want = (w[r]! / rows) * g;
            expect(Math.abs(d[r * cols + j]! - want), `d[${r}, ${j}]`).toBeLessThanOrEqual(4e-7 * Math.max(Math.abs(want), w[r]! / rows) + 1e-30);
          });
        }
        ref /= rows;
        expect(Math.abs(loss - ref)).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(ref)));
        expect(lossOnly).toBe(loss);
        for (const x of [tp, tt, tw, td, tl]) x.dispose();
      });
    }
  }
});

// ---- fit and evaluate -------------------------------------------------------------------------------------------
const rows = 48;
const x = rand(rows * 3, -1, 1, 9);
const y = Int32Array.from({ length: rows }, (_, r) => (x[r * 3]! + 0.5 * x[r * 3 + 1]! > 0.2 ? 1 : 0) + (x[r * 3 + 2]! > 0.6 ? 1 : 0));
const make = (): Network => engine.network({ inputs: 3, seed: 8 }).dense(6, 'relu').dense(3, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.02 } });
const params = (n: Network) => n.parameters().map((p) => bits(p.data));

describe('fit and evaluate with weights', () => {
  it('classWeight equals the matching sampleWeight bit for bit (also with a stratified split)', async () => {
    const cw = [1, 3.5, 0.5];
    const sw = Array.from(y, (c) => cw[c]!);
    for (const extra of [{}, { validationSplit: 0.25 }]) {
      const a = make(), b = make();
      const ha = await a.fit(x, y, { epochs: 3, batchSize: 8, classWeight: cw, ...extra });
      const hb = await b.fit(x, y, { epochs: 3, batchSize: 8, sampleWeight: sw, ...extra });
      expect(params(a)).toEqual(params(b));
      expect(ha.epochs.map((e) => e.loss)).toEqual(hb.epochs.map((e) => e.loss));
      a.dispose(); b.dispose();
    }
  });

  it('weights change training; evaluate with sampleWeight is the weighted mean of the f64 row losses', async () => {
    const plain = make(), weighted = make();
    await plain.fit(x, y, { epochs: 2, batchSize: 8 });
    await weighted.fit(x, y, { epochs: 2, batchSize: 8, classWeight: [1, 5, 1] });
    expect(params(weighted)).not.toEqual(params(plain));
    const sw = Float32Array.from({ length: rows }, (_, r) => (r % 4) * 0.5);
    const out = weighted.predict(x);
    let ref = 0;
    for (let r = 0; r < rows; r++) ref += sw[r]! * -Math.log(out[r * 3 + y[r]!]!);
    ref /= rows;
    const e = weighted.evaluate(x, y, { sampleWeight: sw });
    expect(Math.abs(e.loss - ref)).toBeLessThan(1e-5 * Math.max(1, ref));
    expect(e.accuracy).toBe(weighted.evaluate(x, y).accuracy); // accuracy stays unweighted
    // all-ones weights give the unweighted loss (to rounding: a different summation)
    expect(Math.abs(weighted.evaluate(x, y, { sampleWeight: new Float32Array(rows).fill(1) }).loss - weighted.evaluate(x, y).loss)).toBeLessThan(1e-6);
    plain.dispose(); weighted.dispose();
  });

  it('weighted mse and binaryCrossEntropy: zero weights take rows out, a weight scales a row (one sgd step, to rounding)', async () => {
    for (const loss of ['mse', 'binaryCrossEntropy'] as const) {
      const net = () => engine.network({ inputs: 3, seed: 2 }).dense(4, 'tanh').dense(1, loss === 'mse' ? 'linear' : 'sigmoid').build({ loss, optimizer: { name: 'sgd', learningRate: 0.5 } });
      const t = Float32Array.from({ length: rows }, (_, r) => (r % 3 ? 1 : 0));
      const a = net(), b = net(), c = net();
      // (1/48) sum over the first 32 rows == (1/32) sum of (2/3) l_r over those rows
      await a.fit(x, t, { epochs: 1, batchSize: 48, shuffle: false, sampleWeight: Array.from({ length: rows }, (_, r) => (r < 32 ? 1 : 0)) });
      await b.fit(x.subarray(0, 96), t.subarray(0, 32), { epochs: 1, batchSize: 32, shuffle: false, sampleWeight: new Array(32).fill(2 / 3) });
      await c.fit(x.subarray(0, 96), t.subarray(0, 32), { epochs: 1, batchSize: 32, shuffle: false });
      const pa = a.parameters(), pb = b.parameters(), pc = c.parameters();
      let moved = 0;
      pa.forEach((p, i) => p.data.forEach((v, k) => {
        expect(Math.abs(v - pb[i]!.data[k]!), `${loss} ${p.name}[${k}]`).toBeLessThan(1e-6);
        moved = Math.max(moved, Math.abs(v - pc[i]!.data[k]!));
      }));
      expect(moved).toBeGreaterThan(1e-4); // the unweighted step (weight 1, not 2/3) is a different step
      a.dispose(); b.dispose(); c.dispose();
    }
  });

  it('typed errors for wrong lengths and bad values; a failed fit changes nothing', async () => {
    const net = make();
    const before = net.stateBytes();
    const cases: [object, new (...a: never[]) => Error][] = [
      [{ sampleWeight: new Float32Array(rows - 1) }, ShapeError],
      [{ sampleWeight: [...new Array(rows - 1).fill(1), -1] }, InvalidArgumentError],
      [{ sampleWeight: [...new Array(rows - 1).fill(1), NaN] }, InvalidArgumentError],
      [{ sampleWeight: [...new Array(rows - 1).fill(1), Infinity] }, InvalidArgumentError],
      [{ sampleWeight: 'ones' }, InvalidArgumentError],
      [{ classWeight: [1, 2] }, ShapeError],
      [{ classWeight: [1, -2, 1] }, InvalidArgumentError],
      [{ classWeight: { 0: 1, 1: 1, 2: 1 } }, InvalidArgumentError],
      [{ classWeight: [1, NaN, 1] }, InvalidArgumentError],
      [{ classWeight: 2 }, InvalidArgumentError],
      [{ classWeight: [1, 1, 1e38], sampleWeight: new Array(rows).fill(1e10) }, InvalidArgumentError],
    ];
    for (const [o, cls] of cases) await expect(net.fit(x, y, { epochs: 1, ...o } as never), JSON.stringify(o)).rejects.toBeInstanceOf(cls);
    expect(() => net.evaluate(x, y, { sampleWeight: [1] })).toThrow(ShapeError);
    expect(net.stateBytes()).toEqual(before);
    const reg = engine.network({ inputs: 3 }).dense(2, 'linear').build({ loss: 'mse' });
    await expect(reg.fit(x, rand(rows * 2, 0, 1, 1).map((v) => v * 0.3), { classWeight: [1, 2] })).rejects.toThrow(/classWeight needs class targets/);
    net.dispose(); reg.dispose();
  });
});
