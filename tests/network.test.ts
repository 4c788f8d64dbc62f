// Dense networks end to end: gradients against an f64 reference MLP and finite differences, XOR, real data,
// determinism, memory stability, save/load, and every bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, createEngine, DataError, DisposedError, InvalidArgumentError, InvalidParameterError, ShapeError,
  type ActivationDef, type Engine, type Network,
} from '../dist/index.js';
import { refGrads, refLoss, refNumericGrads, type RefLayer, type RefLoss } from './reference/mlp.js';
import { rng } from './util.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** The network's current parameters as f64 reference layers. */
function toRef(net: Network, acts: string[]): RefLayer[] {
  const ps = net.parameters();
  const layers: RefLayer[] = [];
  let k = 0;
  for (let li = 0; li < acts.length; li++) {
    const W = ps[k++]!, b = ps[k++]!;
    // Fixed settings come from the saved spec, trainable values from parameters().
    const spec = net.toJSON().layers[li]!.activation as Record<string, unknown>;
    const params: Record<string, number> = Object.fromEntries(Object.entries(spec).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
    while (k < ps.length && ps[k]!.name.startsWith(`dense${li}.`)) { const p = ps[k++]!; params[p.name.split('.')[1]!] = p.data[0]!; }
    layers.push({ W: Float64Array.from(W.data), b: Float64Array.from(b.data), in: W.shape[0]!, out: W.shape[1]!, act: acts[li]!, params });
  }
  return layers;
}

const elementwise = (ACTIVATIONS as readonly ActivationDef[]).filter((d) => d.kind === 'elementwise');

describe('gradients against the f64 reference MLP', () => {
  const cases: [string, RefLoss, string][] = [];
  for (const d of elementwise) cases.push([d.name, 'mse', 'linear'], [d.name, 'crossEntropy', 'softmax']);
  cases.push(['tanh', 'binaryCrossEntropy', 'sigmoid']);
  it.each(cases.filter(([a]) => ACTIVATIONS.some((d) => d.name === a)))('%s hidden, %s loss', (act, loss, outAct) => {
    const def = elementwise.find((d) => d.name === act)!;
    const r = rng(17);
    const rows = 5, inputs = 3, hidden = 6, outputs = loss === 'binaryCrossEntropy' ? 1 : 4;
    const net = engine.network({ inputs, seed: 3 }).dense(hidden, act as never).dense(outputs, outAct as never)
      .build({ loss, optimizer: 'sgd' });
    const lo = def.range[0], hi = def.range[1];
    // Inputs scaled so hidden pre-activations fall in the activation's interesting range.
    const x = Float32Array.from({ length: rows * inputs }, () => Math.fround((lo + (hi - lo) * r()) / 2));
    const t = new Float32Array(rows * outputs);
    for (let i = 0; i < rows; i++) {
      if (loss === 'mse') for (let j = 0; j < outputs; j++) t[i * outputs + j] = Math.fround(r() - 0.5);
      else t[i * outputs + Math.floor(r() * outputs)] = 1;
      if (loss === 'binaryCrossEntropy') t[i] = r() < 0.5 ? 0 : 1;
    }
    const { loss: L, gradients } = net.lossAndGradients(x, t);
    const ref = toRef(net, [act, outAct]);
    const X = Float64Array.from(x), T = Float64Array.from(t);
    expect(Math.abs(L - refLoss(ref, X, T, rows, loss))).toBeLessThan(1e-5 * Math.max(1, Math.abs(L)));
    const analytic = refGrads(ref, X, T, rows, loss);
    const numeric = refNumericGrads(ref, X, T, rows, loss);
    // Gradient blocks of parameters() that are weights/biases, in order.
    const names = net.parameters().map((p) => p.name);
    const wb = gradients.filter((_, i) => /weight|bias/.test(names[i]!));
    wb.forEach((g, bi) => {
      const scale = Math.max(1e-3, ...Array.from(analytic[bi]!, Math.abs));
      for (let k = 0; k < g.length; k++) {
        expect(Math.abs(g[k]! - analytic[bi]![k]!) / scale, `${names[bi]}[${k}] vs analytic f64`).toBeLessThan(2e-5);
        expect(Math.abs(analytic[bi]![k]! - numeric[bi]![k]!) / scale, `reference backprop vs finite differences`).toBeLessThan(1e-4);
      }
    });
    net.dispose();
  });
});

function xorData(): { x: Float32Array; y: Int32Array } {
  return { x: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]), y: Int32Array.from([0, 1, 1, 0]) };
}

describe('XOR', () => {
  it('cannot be learned with linear activations', async () => {
    const { x, y } = xorData();
    const net = engine.network({ inputs: 2, seed: 1 }).dense(8, 'linear').dense(8, 'linear').dense(2, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.05 } });
    await net.fit(x, y, { epochs: 400, batchSize: 4 });
    expect(net.evaluate(x, y).accuracy).toBeLessThanOrEqual(0.75);
    net.dispose();
  });
  it.each(['relu', 'tanh'])('is learned with %s', async (act) => {
    const { x, y } = xorData();
    const net = engine.network({ inputs: 2, seed: 1 }).dense(8, act as never).dense(2, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.05 } });
    await net.fit(x, y, { epochs: 400, batchSize: 4 });
    expect(net.evaluate(x, y).accuracy).toBe(1);
    net.dispose();
  });
});

describe('determinism and save/load', () => {
  async function trained(seed: number): Promise<Network> {
    const r = rng(99);
    const x = Float32Array.from({ length: 64 * 4 }, () => r() * 2 - 1);
    const y = Int32Array.from({ length: 64 }, (_, i) => (x[i * 4]! + x[i * 4 + 1]! > 0 ? 1 : 0));
    const net = engine.network({ inputs: 4, seed }).dense(16, { name: 'prelu' }).dense(2, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adamW', learningRate: 0.01 } });
    await net.fit(x, y, { epochs: 5, batchSize: 8 });
    return net;
  }
  const bits = (net: Network) => net.parameters().flatMap((p) => Array.from(new Uint32Array(p.data.slice().buffer)));

  it('the same seed gives bit-identical weights after training; another seed does not', async () => {
    const a = await trained(7), b = await trained(7), c = await trained(8);
    expect(bits(a)).toEqual(bits(b));
    expect(bits(a)).not.toEqual(bits(c));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('JSON and binary round trips are bit-exact and predict the same', async () => {
    const net = await trained(5);
    const x = Float32Array.from({ length: 12 }, (_, i) => i / 12 - 0.5);
    for (const saved of [net.toJSON(), JSON.stringify(net.toJSON()), net.save()]) {
      const back = engine.loadNetwork(saved as never);
      expect(bits(back)).toEqual(bits(net));
      expect(back.predict(x)).toEqual(net.predict(x));
      back.dispose();
    }
    net.dispose();
  });
});

describe('memory', () => {
  it('10,000 training steps grow neither linear memory nor the JS heap beyond a small bound', () => {
    const net = engine.network({ inputs: 2, seed: 1 }).dense(16, 'tanh').dense(16, 'tanh').dense(1, 'linear')
      .build({ loss: 'mse', optimizer: 'sgd' });
    const x = Float32Array.from([0.5, -0.25]), y = Float32Array.from([0.3]);
    for (let i = 0; i < 100; i++) net.trainBatch(x, y);
    const before = engine.memoryStats();
    (globalThis as { gc?: () => void }).gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    for (let i = 0; i < 10_000; i++) net.trainBatch(x, y);
    (globalThis as { gc?: () => void }).gc?.();
    const after = engine.memoryStats();
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(after.grows).toBe(before.grows);
    expect(after.usedBytes).toBe(before.usedBytes);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(8 * 1024 * 1024);
    net.dispose();
    expect(engine.memoryStats().usedBytes).toBeLessThan(before.usedBytes);
  });
});

describe('bad input gets a typed error and leaves the network unchanged', () => {
  const make = () => engine.network({ inputs: 3, seed: 2 }).dense(4, 'relu').dense(2, 'softmax').build({ loss: 'crossEntropy' });
  it.each([
    ['x length not a multiple of inputs', (n: Network) => n.fit(new Float32Array(7), [0, 1]), ShapeError],
    ['label out of range', (n: Network) => n.fit(new Float32Array(6), [0, 2]), DataError],
    ['NaN in x', (n: Network) => n.fit(Float32Array.from([0, NaN, 0, 0, 0, 0]), [0, 1]), DataError],
    ['batchSize 0', (n: Network) => n.fit(new Float32Array(6), [0, 1], { batchSize: 0 }), InvalidArgumentError],
    ['labels count mismatch', (n: Network) => n.fit(new Float32Array(6), [0, 1, 1]), ShapeError],
    ['x not a Float32Array', (n: Network) => n.fit([0, 0, 0] as never, [0]), InvalidArgumentError],
  ])('%s', async (_what, call, type) => {
    const net = make();
    const before = net.parameters().map((p) => p.data.slice());
    await expect(Promise.resolve().then(() => call(net))).rejects.toBeInstanceOf(type);
    net.parameters().forEach((p, i) => expect(p.data).toEqual(before[i]));
    expect(net.predict(new Float32Array(3)).length).toBe(2);
    net.dispose();
  });
  it('learningRate <= 0, unknown optimizer, unknown loss, wrong output layer', () => {
    const b = engine.network({ inputs: 3 }).dense(2, 'softmax');
    expect(() => b.build({ loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 0 } })).toThrow(InvalidParameterError);
    expect(() => b.build({ loss: 'crossEntropy', optimizer: 'adagrad' as never })).toThrow(/valid: sgd, momentum, rmsprop, adam, adamW/);
    expect(() => b.build({ loss: 'hinge' as never })).toThrow(InvalidParameterError);
    expect(() => engine.network({ inputs: 3 }).dense(2, 'relu').build({ loss: 'crossEntropy' })).toThrow(/softmax output/);
  });
  it('fit on a disposed network', async () => {
    const net = make();
    net.dispose();
    await expect(net.fit(new Float32Array(3), [0])).rejects.toBeInstanceOf(DisposedError);
  });
});

describe('real data: the embedded digits', () => {
  it('reach >= 95% held-out accuracy in seconds', async () => {
    const { loadDigits, trainTestSplit } = await import('../dist/data/index.js');
    const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);
    const net = engine.network({ inputs: 64, seed: 7 }).dense(64, 'relu').dense(32, { name: 'prelu' }).dense(10, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 3e-3 } });
    const t0 = performance.now();
    const history = await net.fit(train.x, train.labels, { epochs: 15, batchSize: 32 });
    const seconds = (performance.now() - t0) / 1000;
    const { accuracy } = net.evaluate(test.x, test.labels);
    console.log(`digits: ${train.rows} train / ${test.rows} test rows, test accuracy ${(accuracy! * 100).toFixed(1)}% in ${seconds.toFixed(2)} s`);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(history.epochs[14]!.loss).toBeLessThan(history.epochs[0]!.loss);
    net.dispose();
  });
});
