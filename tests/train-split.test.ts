// validationSplit: seeded stratified split by default for class targets, 'last' on request; shuffle() in rectify/data.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, type Engine, type Network } from '../dist/index.js';
import { DataArgumentError, shuffle } from '../dist/data/index.js';
import { stratifiedOrder } from '../dist/network/targets.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** Iris-like: 3 classes of 50 rows each, sorted by class; 4 features whose means depend on the class. */
function irisLike(): { x: Float32Array; y: number[] } {
  const x = new Float32Array(150 * 4), y: number[] = [];
  let s = 12345;
  const u = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) / 16777216; };
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 50; i++) {
      for (let j = 0; j < 4; j++) x[(c * 50 + i) * 4 + j] = c * (j + 1) * 0.5 + u() - 0.5;
      y.push(c);
    }
  }
  return { x, y };
}
const make = (seed = 1): Network => engine.network({ inputs: 4, seed }).dense(8, 'tanh').dense(3, 'softmax').build({ loss: 'crossEntropy' });
/**
 * The parameters' bytes. (stateBytes of two networks is not compared: it includes the optimizer blocks up to the
 * arena's block size, whose slack past the moments holds whatever a freed block held before.)
 */
const weights = (n: Network) => n.parameters().map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
const rowsOf = (x: Float32Array, idx: ArrayLike<number>, cols: number) => {
  const o = new Float32Array(idx.length * cols);
  for (let k = 0; k < idx.length; k++) o.set(x.subarray(idx[k]! * cols, idx[k]! * cols + cols), k * cols);
  return o;
};

describe('stratifiedOrder', () => {
  it('holds out round(count * split) rows of every class, seeded, both parts in their original order', () => {
    const labels = Int32Array.from(irisLike().y);
    const { order, valRows } = stratifiedOrder(labels, 0.2, 1);
    expect(valRows).toBe(30);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const train = [...order.subarray(0, 120)], val = [...order.subarray(120)];
    for (const part of [train, val]) expect(part).toEqual([...part].sort((a, b) => a - b));
    expect([0, 1, 2].map((c) => val.filter((i) => labels[i] === c).length)).toEqual([10, 10, 10]);
    // Seeded: the same seed gives the same rows, another seed other rows; not simply the last rows of each class.
    expect(stratifiedOrder(labels, 0.2, 1).order).toEqual(order);
    expect(stratifiedOrder(labels, 0.2, 2).order).not.toEqual(order);
    expect(val).not.toEqual([40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 140, 141, 142, 143, 144, 145, 146, 147, 148, 149]);
  });
});

describe('fit validationSplit on class-sorted data', () => {
  it("'last' holds out the last rows (all of class 2), as before", async () => {
    const { x, y } = irisLike();
    const a = make();
    const h = await a.fit(x, y, { epochs: 1, validationSplit: 0.2, validationSplitMode: 'last' });
    expect(h.epochs[0]!.valLoss).toBe(a.evaluate(x.subarray(120 * 4), y.slice(120)).loss);
    a.dispose();
  });
  it('the default is the stratified split: training on the other rows and validating on the held-out ones, bit for bit', async () => {
    const { x, y } = irisLike();
    const { order } = stratifiedOrder(Int32Array.from(y), 0.2, 7);
    const px = rowsOf(x, order, 4), py = Array.from(order, (i) => y[i]!);
    const a = make(7), b = make(7);
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 16, validationSplit: 0.2 });
    // The same as 'last' on the rows put in the split's order by hand.
    const hb = await b.fit(px, py, { epochs: 3, batchSize: 16, validationSplit: 0.2, validationSplitMode: 'last' });
    expect(weights(a)).toEqual(weights(b));
    expect(ha.epochs.map((e) => [e.loss, e.valLoss, e.valAccuracy])).toEqual(hb.epochs.map((e) => [e.loss, e.valLoss, e.valAccuracy]));
    expect(ha.epochs[2]!.valLoss).toBe(a.evaluate(px.subarray(120 * 4), py.slice(120)).loss);
    // The caller's arrays are not reordered.
    expect(x).toEqual(irisLike().x);
    a.dispose(); b.dispose();
  });
  it('one-hot targets are stratified the same way as class ids', async () => {
    const { x, y } = irisLike();
    const oneHot = new Float32Array(150 * 3);
    y.forEach((c, i) => { oneHot[i * 3 + c] = 1; });
    const a = make(3), b = make(3);
    const ha = await a.fit(x, y, { epochs: 2, validationSplit: 0.2 });
    const hb = await b.fit(x, oneHot, { epochs: 2, validationSplit: 0.2 });
    expect(hb.epochs.map((e) => e.valAccuracy)).toEqual(ha.epochs.map((e) => e.valAccuracy));
    expect(hb.epochs[1]!.valLoss).toBeCloseTo(ha.epochs[1]!.valLoss!, 5);
    a.dispose(); b.dispose();
  });
  it('regression targets take the last rows in both modes', async () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => i / 40), t = Float32Array.from(x, (v) => v * 2 + 0.5);
    const mk = () => engine.network({ inputs: 1, seed: 2 }).dense(4, 'tanh').dense(1, 'linear').build({ loss: 'mse' });
    const a = mk(), b = mk();
    await a.fit(x, t, { epochs: 2, validationSplit: 0.25 });
    await b.fit(x, t, { epochs: 2, validationSplit: 0.25, validationSplitMode: 'last' });
    expect(weights(a)).toEqual(weights(b));
    a.dispose(); b.dispose();
  });
  it.each([['bad mode', { validationSplit: 0.2, validationSplitMode: 'random' }], ['too small a split', { validationSplit: 0.001 }]])(
    '%s: InvalidArgumentError, nothing changes', async (_, opts) => {
      const { x, y } = irisLike();
      const net = make();
      const before = net.stateBytes();
      await expect(net.fit(x, y, opts as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(net.stateBytes()).toEqual(before);
      net.dispose();
    });
});

describe('shuffle (rectify/data)', () => {
  it('reorders x and y together, seeded, without touching the inputs', () => {
    const { x, y } = irisLike();
    const a = shuffle(x, y, 5), b = shuffle(x, y, 5), c = shuffle(x, y, 6);
    expect(a).toEqual(b);
    expect(a.y).not.toEqual(c.y);
    expect(x).toEqual(irisLike().x);
    expect(y).toEqual(irisLike().y);
    // Every row moves with its label, and every row appears once.
    const seen = new Set<string>();
    for (let k = 0; k < 150; k++) {
      const row = [...a.x.subarray(k * 4, k * 4 + 4)];
      const i = Array.from({ length: 150 }, (_, r) => r).find((r) => [...x.subarray(r * 4, r * 4 + 4)].every((v, j) => v === row[j]))!;
      expect(a.y[k]).toBe(y[i]);
      seen.add(String(i));
    }
    expect(seen.size).toBe(150);
    expect(a.y.slice(0, 20).every((c) => c === 0)).toBe(false);
  });
  it('keeps typed arrays typed; a Float32Array y with several values per row needs rows', () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i), y = Float32Array.from({ length: 12 }, (_, i) => i * 10);
    const s = shuffle(x, y, 1, 4);
    expect(s.y).toBeInstanceOf(Float32Array);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) expect(s.y[k * 3 + j]).toBe(s.x[k * 3 + j]! * 10);
    expect(shuffle(x, Uint8Array.from([0, 1, 2, 3]), 1).y).toBeInstanceOf(Uint8Array);
    const nested = shuffle(x, [[0], [1], [2], [3]], 9);
    nested.y.forEach((r, k) => expect(r[0]! * 3).toBe(nested.x[k * 3]));
  });
  it.each([
    ['x not Float32Array', () => shuffle([1, 2] as never, [0, 1], 1)], ['seed 1.5', () => shuffle(new Float32Array(2), [0, 1], 1.5)],
    ['rows mismatch', () => shuffle(new Float32Array(5), [0, 1], 1)], ['rows with number[]', () => shuffle(new Float32Array(2), [0, 1], 1, 2)],
    ['one-hot without rows', () => shuffle(new Float32Array(6), new Float32Array(4), 1)], ['empty', () => shuffle(new Float32Array(0), [], 1)],
  ])('%s: DataArgumentError', (_, f) => { expect(f).toThrow(DataArgumentError); });
});
