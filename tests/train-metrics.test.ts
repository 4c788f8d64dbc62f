// Metrics in fit's history and evaluate, and confusionMatrix, against direct computations.
import { beforeAll, describe, expect, it } from 'vitest';
import { confusionMatrix, createEngine, DataError, InvalidArgumentError, ShapeError, type Engine, type Network } from '../dist/index.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const ROWS = 60;
const x = Float32Array.from({ length: ROWS * 2 }, (_, i) => ((i * 37) % 23) / 23 - 0.5);
const y = Array.from({ length: ROWS }, (_, r) => (x[r * 2]! > 0 ? 1 : 0) + (x[r * 2 + 1]! > 0.2 ? 1 : 0));
const mk = (): Network => engine.network({ inputs: 2, seed: 3 }).dense(6, 'tanh').dense(3, 'softmax').build({ loss: 'crossEntropy' });

const argmax = (p: Float32Array, r: number) => { let b = 0; for (let j = 1; j < 3; j++) if (p[r * 3 + j]! > p[r * 3 + b]!) b = j; return b; };

describe('evaluate metrics', () => {
  it('accuracy, topK, mae/mse/rmse and macro precision/recall/f1 match direct computations on predict', () => {
    const net = mk();
    const p = net.predict(x);
    const r = net.evaluate(x, y, { metrics: ['accuracy', 'topK:1', 'topK:2', 'topK:3', 'mae', 'mse', 'rmse', 'precision', 'recall', 'f1'] });
    const pc = Array.from({ length: ROWS }, (_, i) => argmax(p, i));
    expect(r.metrics!.accuracy).toBe(pc.filter((c, i) => c === y[i]).length / ROWS);
    expect(r.metrics!.accuracy).toBe(r.accuracy);
    expect(r.metrics!['topK:1']).toBe(r.metrics!.accuracy);
    expect(r.metrics!['topK:3']).toBe(1);
    const top2 = y.filter((c, i) => [0, 1, 2].filter((j) => p[i * 3 + j]! > p[i * 3 + c]!).length < 2).length / ROWS;
    expect(r.metrics!['topK:2']).toBe(top2);
    let abs = 0, sq = 0;
    for (let i = 0; i < ROWS; i++) for (let j = 0; j < 3; j++) { const d = p[i * 3 + j]! - (y[i] === j ? 1 : 0); abs += Math.abs(d); sq += d * d; }
    expect(r.metrics!.mae).toBeCloseTo(abs / (ROWS * 3), 12);
    expect(r.metrics!.mse).toBeCloseTo(sq / (ROWS * 3), 12);
    expect(r.metrics!.rmse).toBeCloseTo(Math.sqrt(sq / (ROWS * 3)), 12);
    const cm = confusionMatrix(y, pc, 3);
    const P = [0, 1, 2].map((c) => { const s = cm[0]![c]! + cm[1]![c]! + cm[2]![c]!; return s ? cm[c]![c]! / s : 0; });
    const R = [0, 1, 2].map((c) => { const s = cm[c]!.reduce((a, b) => a + b, 0); return s ? cm[c]![c]! / s : 0; });
    const F = P.map((pp, c) => (pp + R[c]! > 0 ? 2 * pp * R[c]! / (pp + R[c]!) : 0));
    expect(r.metrics!.precision).toBeCloseTo((P[0]! + P[1]! + P[2]!) / 3, 12);
    expect(r.metrics!.recall).toBeCloseTo((R[0]! + R[1]! + R[2]!) / 3, 12);
    expect(r.metrics!.f1).toBeCloseTo((F[0]! + F[1]! + F[2]!) / 3, 12);
    expect(net.evaluate(x, y)).toEqual({ loss: r.loss, accuracy: r.accuracy });
    net.dispose();
  });
  it('mse metrics on regression targets; class metrics there are an InvalidArgumentError', () => {
    const net = engine.network({ inputs: 2, seed: 3 }).dense(4, 'tanh').dense(1, 'linear').build({ loss: 'mse' });
    const t = Array.from({ length: ROWS }, (_, i) => x[i * 2]! * 3 + 0.1);
    const r = net.evaluate(x, t, { metrics: ['mse', 'rmse', 'mae'] });
    expect(r.metrics!.mse).toBeCloseTo(r.loss, 6);
    expect(() => net.evaluate(x, t, { metrics: ['f1'] })).toThrow(InvalidArgumentError);
    net.dispose();
  });
  it.each([[['nope']], [['topK:4']], [['topK:0']], ['accuracy'], [[1]]])('bad metrics %j: InvalidArgumentError', (m) => {
    const net = mk();
    expect(() => net.evaluate(x, y, { metrics: m as never })).toThrow(InvalidArgumentError);
    expect(() => net.evaluate(x, y, { metric: ['f1'] } as never)).toThrow(InvalidArgumentError);
    net.dispose();
  });
});

describe('fit metrics per epoch', () => {
  it('train metrics come from the steps\' outputs (accuracy equals the running accuracy); val metrics from predict after the epoch', async () => {
    const net = mk();
    const h = await net.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25, metrics: ['accuracy', 'f1', 'mse'] });
    for (const e of h.epochs) {
      expect(e.metrics!.accuracy).toBe(e.accuracy);
      expect(e.valMetrics!.accuracy).toBe(e.valAccuracy);
      expect(Object.keys(e.metrics!)).toEqual(['accuracy', 'f1', 'mse']);
    }
    net.dispose();
  });
  it('metrics do not change training (weights bit for bit)', async () => {
    const a = mk(), b = mk();
    await a.fit(x, y, { epochs: 2, batchSize: 8, metrics: ['f1', 'topK:2'] });
    await b.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(a.parameters().map((p) => [...p.data])).toEqual(b.parameters().map((p) => [...p.data]));
    a.dispose(); b.dispose();
  });
  it('bad fit metrics are rejected before anything changes', async () => {
    const net = mk();
    const before = net.parameters().map((p) => [...p.data]);
    await expect(net.fit(x, y, { metrics: ['topK:9'] as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(net.parameters().map((p) => [...p.data])).toEqual(before);
    net.dispose();
  });
});

describe('confusionMatrix', () => {
  it('counts true x predicted, from class ids or from scores', () => {
    expect(confusionMatrix([0, 1, 2, 2, 1], [0, 2, 2, 1, 1], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 1, 1]]);
    expect(confusionMatrix(Int32Array.from([1, 0]), Float32Array.from([0.2, 0.8, 0.1, 0.9]), 2)).toEqual([[0, 1], [0, 1]]);
  });
  it.each([
    ['classes 0', () => confusionMatrix([0], [0], 0), InvalidArgumentError],
    ['lengths', () => confusionMatrix([0, 1], [0], 2), ShapeError],
    ['id out of range', () => confusionMatrix([0, 3], [0, 1], 2), DataError],
    ['not arrays', () => confusionMatrix('01' as never, [0, 1], 2), InvalidArgumentError],
  ])('%s', (_, f, E) => { expect(f).toThrow(E as never); });
});
