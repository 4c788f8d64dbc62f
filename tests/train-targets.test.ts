// Regression targets as plain arrays for mse: number[] (one output, or rows x outputs values) and number[][].
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, DataError, ShapeError, type Engine, type Network } from '../dist/index.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const x = Float32Array.from({ length: 24 }, (_, i) => (i % 7) / 7 - 0.4);
const mk = (outputs: number, loss: 'mse' | 'crossEntropy' = 'mse'): Network => engine.network({ inputs: 2, seed: 9 }).dense(5, 'tanh')
  .dense(outputs, loss === 'mse' ? 'linear' : 'softmax').build({ loss });
const weights = (n: Network) => n.parameters().map((p) => [...p.data]);

describe('plain-array float targets for mse', () => {
  it('one output: number[] is float targets (the same bits as a Float32Array)', async () => {
    const t = Array.from({ length: 12 }, (_, i) => i * 0.37 - 1.5);
    const a = mk(1), b = mk(1);
    expect(a.evaluate(x, t).loss).toBe(b.evaluate(x, Float32Array.from(t)).loss);
    await a.fit(x, t, { epochs: 3, batchSize: 4 });
    await b.fit(x, Float32Array.from(t), { epochs: 3, batchSize: 4 });
    expect(weights(a)).toEqual(weights(b));
    expect(a.trainBatch(x, t)).toBe(b.trainBatch(x, Float32Array.from(t)));
    a.dispose(); b.dispose();
  });
  it('several outputs: number[] of rows x outputs values and number[][] are float targets', async () => {
    const flat = Array.from({ length: 36 }, (_, i) => (i % 5) * 0.7 - 1);
    const nested = Array.from({ length: 12 }, (_, r) => flat.slice(r * 3, r * 3 + 3));
    const a = mk(3), b = mk(3), c = mk(3);
    await a.fit(x, flat, { epochs: 2, batchSize: 4 });
    await b.fit(x, nested, { epochs: 2, batchSize: 4, validationData: [x, nested] });
    await c.fit(x, Float32Array.from(flat), { epochs: 2, batchSize: 4 });
    expect(weights(a)).toEqual(weights(c));
    expect(weights(b)).toEqual(weights(c));
    expect(a.lossAndGradients(x, nested).loss).toBe(c.lossAndGradients(x, Float32Array.from(flat)).loss);
    a.dispose(); b.dispose(); c.dispose();
  });
  it('several outputs: a number[] of one value per row is still class ids (one-hot)', () => {
    const ids = Array.from({ length: 12 }, (_, i) => i % 3);
    const oneHot = new Float32Array(36);
    ids.forEach((c, i) => { oneHot[i * 3 + c] = 1; });
    const n = mk(3);
    expect(n.evaluate(x, ids)).toEqual(n.evaluate(x, oneHot));
    n.dispose();
  });
  it('number[][] works for crossEntropy soft targets too; number[] stays class ids there', () => {
    const n = mk(3, 'crossEntropy');
    const ids = Array.from({ length: 12 }, (_, i) => i % 3);
    const rowsOf = ids.map((c) => [0, 1, 2].map((j) => (j === c ? 1 : 0)));
    expect(n.evaluate(x, rowsOf).loss).toBeCloseTo(n.evaluate(x, ids).loss, 6);
    n.dispose();
  });
  it.each([
    ['a row of the wrong width', 3, Array.from({ length: 12 }, () => [1, 2]), ShapeError],
    ['too few rows', 3, Array.from({ length: 11 }, () => [1, 2, 3]), ShapeError],
    ['NaN in a nested row', 3, Array.from({ length: 12 }, (_, i) => (i === 4 ? [1, NaN, 3] : [1, 2, 3])), DataError],
    ['a string in a nested row', 3, Array.from({ length: 12 }, (_, i) => (i === 4 ? [1, '2', 3] : [1, 2, 3])), DataError],
    ['a mixed array', 3, Array.from({ length: 12 }, (_, i) => (i === 4 ? 1 : [1, 2, 3])), ShapeError],
    ['Infinity with one output', 1, Array.from({ length: 12 }, (_, i) => (i === 4 ? Infinity : 0.5)), DataError],
    ['a wrong count with several outputs', 3, Array.from({ length: 30 }, () => 0.5), ShapeError],
  ])('%s: typed error, nothing changes', async (_, outputs, t, E) => {
    const n = mk(outputs as number);
    const before = weights(n);
    await expect(n.fit(x, t as never)).rejects.toBeInstanceOf(E);
    expect(() => n.evaluate(x, t as never)).toThrow(E as never);
    expect(() => n.trainBatch(x, t as never)).toThrow(E as never);
    expect(weights(n)).toEqual(before);
    n.dispose();
  });
});
