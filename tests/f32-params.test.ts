// Activation parameters that are finite in f64 but not in f32 (1e39, -1e39, 3.5e38) are refused wherever a spec
// enters: the public activation API (tests/activations.test.ts, every row), network layers, saved models and ONNX
// (whose floats are f32 already: an infinite attribute is refused the same way). Nothing changes on a refusal.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, RectifyError, type Engine } from '../dist/index.js';
import { fromOnnx, toOnnx } from '../dist/onnx/index.js';
import { canonicalCrc } from './model-checksum.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** The error f throws (fails when it throws none or a non-RectifyError). */
function errorOf(f: () => unknown): RectifyError {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(RectifyError);
  return err as RectifyError;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const x = Float32Array.of(-2, -0.5, 0.5, 2);

describe('parameters beyond the f32 range', () => {
  it('a dense layer with such an activation spec is refused; the builder and the engine keep working', () => {
    const canary = engine.tensor([1, 2, 3]);
    for (const spec of [{ name: 'leakyRelu', slope: 1e39 }, { name: 'elu', alpha: -1e39 }, { name: 'hardTanh', minVal: -1, maxVal: 3.5e38 }] as const) {
      const b = engine.network({ inputs: 2, seed: 1 }).dense(3, 'tanh');
      expect(errorOf(() => b.dense(2, spec).build({ loss: 'mse', optimizer: 'sgd' })).message, JSON.stringify(spec)).toMatch(/finite in f32/);
    }
    const net = engine.network({ inputs: 2, seed: 1 }).dense(3, 'tanh').dense(2, 'linear').build({ loss: 'mse', optimizer: 'sgd' });
    expect(net.predict(x).length).toBe(4);
    expect(bits(canary.toArray())).toEqual(bits(Float32Array.of(1, 2, 3)));
    net.dispose();
    canary.dispose();
  });

  it('a saved model (JSON, checksum recomputed) with such a parameter is refused', () => {
    const net = engine.network({ inputs: 2, seed: 1 }).dense(3, { name: 'leakyRelu', slope: 0.5 }).dense(1, 'linear').build({ loss: 'mse', optimizer: 'sgd' });
    const doc = net.toJSON() as unknown as { layers: { activation: Record<string, unknown> }[]; checksum?: string };
    net.dispose();
    expect(() => engine.loadNetwork(doc as never).dispose()).not.toThrow();
    for (const slope of [1e39, -1e39, 3.5e38]) {
      const bad = structuredClone(doc);
      bad.layers[0]!.activation.slope = slope;
      delete bad.checksum;
      bad.checksum = canonicalCrc(bad).toString(16).padStart(8, '0');
      expect(errorOf(() => engine.loadNetwork(bad as never)).message, `slope ${slope}`).toMatch(/finite in f32/);
    }
  });

  it('an ONNX model whose Elu alpha is +-Infinity (f32 bits) is refused', () => {
    const alpha = Math.fround(0.123456789);
    const net = engine.network({ inputs: 2, seed: 1 }).dense(3, { name: 'elu', alpha }).dense(1, 'linear').build({ loss: 'mse', optimizer: 'sgd' });
    const bytes = toOnnx(net);
    net.dispose();
    const want = new Uint8Array(Float32Array.of(alpha).buffer);
    const at: number[] = [];
    for (let i = 0; i + 4 <= bytes.length; i++) if (want.every((b, k) => bytes[i + k] === b)) at.push(i);
    expect(at.length).toBe(1);
    expect(() => fromOnnx(engine, bytes).dispose()).not.toThrow();
    for (const inf of [Infinity, -Infinity]) {
      const bad = bytes.slice();
      bad.set(new Uint8Array(Float32Array.of(inf).buffer), at[0]!);
      expect(errorOf(() => fromOnnx(engine, bad)).message, `alpha ${inf}`).toMatch(/alpha/);
    }
  });
});
