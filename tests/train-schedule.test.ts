// Learning-rate schedules of fit, net.learningRate and net.setLearningRate (issue 11, section 2).
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidParameterError, type Engine, type FitOptions, type Network } from '../dist/index.js';
import { rng } from './util.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const ROWS = 48;
function data(): { x: Float32Array; y: number[] } {
  const r = rng(5);
  const x = new Float32Array(ROWS * 3), y: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = r() * 2 - 1;
    y.push(x[i * 3]! + x[i * 3 + 1]! > 0 ? 1 : 0);
  }
  return { x, y };
}
const make = (lr = 0.01): Network => engine.network({ inputs: 3, seed: 4 }).dense(6, 'tanh').dense(2, 'softmax')
  .build({ loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: lr } });

async function rates(schedule: FitOptions['schedule'], epochs: number, lr = 0.01, extra: FitOptions = {}): Promise<number[]> {
  const net = make(lr);
  const { x, y } = data();
  const h = await net.fit(x, y, { epochs, batchSize: 16, schedule, ...extra });
  net.dispose();
  return h.epochs.map((e) => e.learningRate);
}

const f32 = Math.fround;
/** The parameters' bytes (two networks' stateBytes also hold the slack of their optimizer blocks, whatever it was). */
const weights = (n: Network) => n.parameters().map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
/** Closed forms in f64 with JS Math, compared with the f32 rates within 2 f32 ulps (the schedule avoids Math). */
function close(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - f32(want[i]!)), `epoch ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(2 * 2 ** -23 * Math.abs(want[i]!)));
}

describe('schedules: the rate of each epoch against its closed form', () => {
  it('no schedule and constant keep the optimizer rate (as f32)', async () => {
    expect(await rates(undefined, 3)).toEqual([f32(0.01), f32(0.01), f32(0.01)]);
    expect(await rates('constant', 3)).toEqual([f32(0.01), f32(0.01), f32(0.01)]);
  });
  it('step: lr0 * gamma^floor(epoch / every)', async () => {
    close(await rates({ name: 'step', every: 3, gamma: 0.5 }, 10), Array.from({ length: 10 }, (_, e) => f32(0.01) * 0.5 ** Math.floor(e / 3)));
  });
  it('exponential: lr0 * gamma^epoch', async () => {
    close(await rates({ name: 'exponential', gamma: 0.9 }, 12), Array.from({ length: 12 }, (_, e) => f32(0.01) * 0.9 ** e));
  });
  it('cosine with linear warmup and minLr', async () => {
    const lr0 = f32(0.01), minLr = 1e-4, W = 3, T = 13;
    const want = Array.from({ length: T }, (_, e) => e < W ? lr0 * (e + 1) / W
      : minLr + (lr0 - minLr) * (1 + Math.cos(Math.PI * (e - W) / (T - W))) / 2);
    close(await rates({ name: 'cosine', warmup: W, minLr }, T), want);
    // Without warmup the first epoch runs at lr0 exactly; an explicit horizon shorter than the fit ends at minLr.
    const r = await rates({ name: 'cosine', epochs: 4, minLr }, 6);
    expect(r[0]).toBe(lr0);
    expect(r[4]).toBe(f32(minLr));
    expect(r[5]).toBe(f32(minLr));
  });
  it('reduceOnPlateau: monitors loss without validation, factor after patience epochs, not below minLr', async () => {
    // sgd with a rate this small barely moves, but the loss still falls every epoch: no reduction.
    const steady = await rates({ name: 'reduceOnPlateau', patience: 1, factor: 0.5 }, 5, 1e-3);
    expect(steady).toEqual(Array(5).fill(f32(1e-3)));
    // minDelta larger than any change: every epoch after the first is a plateau.
    const r = await rates({ name: 'reduceOnPlateau', patience: 2, factor: 0.5, minDelta: 10, minLr: 0.002 }, 9, 0.01);
    const want = [0.01, 0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.002, 0.002];
    close(r, want);
  });
  it('reduceOnPlateau monitors valLoss when there is a validation set', async () => {
    const { x, y } = data();
    const net = make(0.01);
    const seen: number[] = [];
    // A validation set the network cannot improve on: targets the training never sees (all class 0 vs training data).
    const h = await net.fit(x, y, {
      epochs: 6, batchSize: 16, validationData: [x, y.map(() => 0)],
      schedule: { name: 'reduceOnPlateau', patience: 1, factor: 0.5, minDelta: 0 },
      onEpochEnd: (l) => { seen.push(l.valLoss!); },
    });
    // The rate falls exactly after the epochs whose valLoss did not improve on the best so far.
    let best = Infinity, lr = f32(0.01);
    h.epochs.forEach((e, i) => {
      expect(e.learningRate).toBe(f32(lr));
      if (seen[i]! < best) best = seen[i]!; else lr = lr * 0.5;
    });
    net.dispose();
  });
});

describe('setLearningRate and learningRate', () => {
  it('learningRate starts at the optimizer rate and reads back what was set (as f32); optimizer stays the initial value', () => {
    const net = make(0.01);
    expect(net.learningRate).toBe(f32(0.01));
    net.setLearningRate(0.003);
    expect(net.learningRate).toBe(f32(0.003));
    expect(net.optimizer.learningRate).toBe(0.01);
    net.dispose();
  });
  it.each([[0], [-1], [NaN], [Infinity], [1e39], [1e-46], ['0.1'], [undefined]])('setLearningRate(%s) throws InvalidParameterError and changes nothing', (v) => {
    const net = make(0.01);
    const before = net.stateBytes();
    expect(() => net.setLearningRate(v as number)).toThrow(InvalidParameterError);
    expect(net.learningRate).toBe(f32(0.01));
    expect(net.stateBytes()).toEqual(before);
    net.dispose();
  });
  it('a changed rate changes training (the plan word is what the step reads)', async () => {
    const { x, y } = data();
    const a = make(0.01), b = make(0.01);
    b.setLearningRate(0.02);
    a.trainBatch(x, y); b.trainBatch(x, y);
    expect(weights(a)).not.toEqual(weights(b));
    a.dispose(); b.dispose();
  });
  it('fit with step decay equals setLearningRate between epochs, bit for bit', async () => {
    const { x, y } = data();
    const a = make(0.05), b = make(0.05);
    const ha = await a.fit(x, y, { epochs: 6, batchSize: 8, schedule: { name: 'step', every: 2, gamma: 0.5 } });
    const hb = await b.fit(x, y, { epochs: 6, batchSize: 8, onEpochEnd: (l) => { if (l.epoch % 2 === 1) b.setLearningRate(b.learningRate * 0.5); } });
    expect(hb.epochs.map((e) => e.learningRate)).toEqual(ha.epochs.map((e) => e.learningRate));
    expect(weights(b)).toEqual(weights(a));
    // The same with separate fit calls of one epoch each and the rate set in between.
    const c = make(0.05);
    for (let e = 0; e < 6; e++) {
      if (e > 0 && e % 2 === 0) c.setLearningRate(c.learningRate * 0.5);
      await c.fit(x, y, { epochs: 1, batchSize: 8 });
    }
    expect(weights(c)).toEqual(weights(a));
    a.dispose(); b.dispose(); c.dispose();
  });
  it('setLearningRate from onBatchEnd is allowed during fit and applies to the next batch', async () => {
    const { x, y } = data();
    const a = make(0.05), b = make(0.05);
    await a.fit(x, y, { epochs: 1, batchSize: 16, shuffle: false, onBatchEnd: ({ batch }) => { if (batch === 0) a.setLearningRate(0.01); } });
    b.trainBatch(x.subarray(0, 48), y.slice(0, 16));
    b.setLearningRate(0.01);
    b.trainBatch(x.subarray(48, 96), y.slice(16, 32));
    b.trainBatch(x.subarray(96), y.slice(32));
    expect(weights(a)).toEqual(weights(b));
    a.dispose(); b.dispose();
  });
});

describe('schedule options are checked before anything changes', () => {
  const bad: [string, unknown][] = [
    ['unknown name', 'linear'], ['null', null], ['step without every', { name: 'step' }], ['step every 0', { name: 'step', every: 0 }],
    ['step gamma 1', { name: 'step', every: 1, gamma: 1 }], ['exponential without gamma', { name: 'exponential' }],
    ['exponential gamma 0', { name: 'exponential', gamma: 0 }], ['cosine warmup >= epochs', { name: 'cosine', warmup: 5 }],
    ['cosine minLr negative', { name: 'cosine', minLr: -1 }], ['plateau factor 2', { name: 'reduceOnPlateau', factor: 2 }],
    ['plateau monitor', { name: 'reduceOnPlateau', monitor: 'acc' }], ['plateau patience 1.5', { name: 'reduceOnPlateau', patience: 1.5 }],
    ['unknown setting', { name: 'step', every: 1, gama: 0.5 }], ['__proto__ name', { name: '__proto__' }],
  ];
  it.each(bad)('%s', async (_, schedule) => {
    const net = make(0.01);
    const { x, y } = data();
    const before = net.stateBytes();
    await expect(net.fit(x, y, { epochs: 5, schedule: schedule as never })).rejects.toBeInstanceOf(InvalidParameterError);
    expect(net.stateBytes()).toEqual(before);
    expect(net.learningRate).toBe(f32(0.01));
    net.dispose();
  });
});
