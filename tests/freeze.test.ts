// Freezing layers (issue 11 section 1): a frozen layer's weights, bias and activation parameters keep their bits
// through trainBatch and fit, while its gradients still reach the layers before it.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, InvalidParameterError, NetworkBusyError, type Engine, type Network } from '../dist/index.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

function data(rows: number, inputs: number) {
  const x = new Float32Array(rows * inputs), y = new Int32Array(rows);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 1.7) * 2;
  for (let r = 0; r < rows; r++) y[r] = r % 3;
  return { x, y };
}

function build(opt: 'sgd' | 'adam', frozen: boolean): Network {
  return engine.network({ inputs: 4, seed: 9 }).dense(6, { name: 'prelu' }).dense(5, { name: 'sbaf', domain: 'sigmoid' }, { trainable: !frozen })
    .dense(3, 'softmax').build({ loss: 'crossEntropy', optimizer: opt });
}

describe('freezing', () => {
  it('a frozen layer keeps its bits in trainBatch and fit; the others train; parameters() reports the flag', async () => {
    const net = build('adam', true);
    const { x, y } = data(24, 4);
    const before = net.parameters().map((p) => bits(p.data));
    expect(net.parameters().map((p) => `${p.name}:${p.trainable}`)).toEqual([
      'dense0.weight:true', 'dense0.bias:true', 'dense0.alpha:true',
      'dense1.weight:false', 'dense1.bias:false', 'dense1.k:false', 'dense1.alpha:false', 'dense2.weight:true', 'dense2.bias:true']);
    net.trainBatch(x, y);
    await net.fit(x, y, { epochs: 2, batchSize: 8 });
    const after = net.parameters().map((p) => bits(p.data));
    net.parameters().forEach((p, i) => {
      if (p.name.startsWith('dense1.')) expect(after[i], p.name).toEqual(before[i]);
      else expect(after[i], p.name).not.toEqual(before[i]);
    });
    // Unfreezing: the layer trains again.
    net.setTrainable('dense1', true);
    expect(net.parameters()[3]!.trainable).toBe(true);
    net.trainBatch(x, y);
    expect(bits(net.parameters()[3]!.data)).not.toEqual(before[3]);
    net.dispose();
  });

  it('gradients flow through a frozen layer: the layer below takes exactly the sgd step of the full gradient', () => {
    const net = build('sgd', false);
    net.setTrainable(1, false);
    const { x, y } = data(12, 4);
    const { gradients } = net.lossAndGradients(x, y);
    const w0 = net.parameters()[0]!.data.slice(), w1 = net.parameters()[3]!.data.slice();
    expect(gradients[0]!.some((g) => g !== 0)).toBe(true);
    net.trainBatch(x, y);
    const lr = Math.fround(0.01);
    // sgd_step: w - lr * (g + 0 * w), each operation rounded to f32.
    const expected = w0.map((w, i) => Math.fround(w - Math.fround(lr * Math.fround(gradients[0]![i]! + Math.fround(0 * w)))));
    expect(bits(net.parameters()[0]!.data)).toEqual(bits(expected));
    expect(bits(net.parameters()[3]!.data)).toEqual(bits(w1));
    net.dispose();
  });

  it('bad arguments are typed errors that change nothing; setTrainable inside fit is NetworkBusyError', async () => {
    expect(() => engine.network({ inputs: 2 }).dense(2, 'relu', { trainable: 'no' as never })).toThrow(InvalidParameterError);
    const net = build('adam', false);
    const state = net.stateBytes();
    for (const bad of [3, -1, 1.5, 'dense3', 'layer0', 'dense01', NaN, null]) {
      expect(() => net.setTrainable(bad as never, false)).toThrow(InvalidArgumentError);
    }
    expect(() => net.setTrainable(0, 0 as never)).toThrow(InvalidArgumentError);
    expect(net.parameters().every((p) => p.trainable)).toBe(true);
    expect(net.stateBytes()).toEqual(state);
    const { x, y } = data(8, 4);
    let thrown: unknown;
    await net.fit(x, y, { epochs: 1, batchSize: 4, onBatchEnd: () => { try { net.setTrainable(0, false); } catch (e) { thrown = e; } } });
    expect(thrown).toBeInstanceOf(NetworkBusyError);
    expect(net.parameters()[0]!.trainable).toBe(true);
    net.dispose();
  });
});
