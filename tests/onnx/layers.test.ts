// toOnnx and fromOnnx with the dropout, batchNorm and layerNorm layers: exported (BatchNormalization in inference
// form, LayerNormalization at opset 17+ or its subgraph below, dropout removed) and run in onnxruntime against
// net.predict; imported back (BatchNormalization after an activation as a batchNorm layer, LayerNormalization as a
// layerNorm layer, Dropout as nothing) and compared bit for bit.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Network } from '../../dist/index.js';
import { fromOnnx, toOnnx } from '../../dist/onnx/index.js';
import { runOnnx } from './ort.js';
import { rng, ulpError } from '../util.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const inputs = 5, rows = 64;
const r = rng(17);
const x = Float32Array.from({ length: rows * inputs }, () => Math.fround(r() * 4 - 2));
const y = Int32Array.from({ length: rows }, (_, i) => (x[i * inputs]! > 0 ? 1 : 0) + (x[i * inputs + 1]! > 0.5 ? 1 : 0));

async function trained(): Promise<Network> {
  const net = engine.network({ inputs, seed: 9 }).dense(8, 'relu').batchNorm({ momentum: 0.3, epsilon: 1e-3 }).dropout(0.2).dense(6, 'tanh')
    .layerNorm({ epsilon: 1e-4 }).dense(3, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.02 } });
  await net.fit(x, y, { epochs: 4, batchSize: 16 });
  return net;
}

/** Worst difference between onnxruntime and rectify, in f32 ulps of max(|y|, 2^-10). */
function worstUlps(a: Float32Array, b: Float32Array): number {
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, ulpError(a[i]!, b[i]!, 2 ** -10));
  return w;
}

describe('ONNX with dropout, batchNorm and layerNorm', () => {
  for (const opset of [13, 17, 20]) {
    it(`opset ${opset}: the export runs in onnxruntime within a few ulps of net.predict`, async () => {
      const net = await trained();
      const model = toOnnx(net, { opset });
      const o = await runOnnx(model, x, rows);
      const want = net.predict(x);
      const worst = worstUlps(o, want);
      console.log(`[onnx] layers, opset ${opset}: onnxruntime within ${worst.toFixed(1)} ulps of net.predict`);
      expect(worst).toBeLessThanOrEqual(16);
      net.dispose();
    });
  }

  it('the exported graph has BatchNormalization and LayerNormalization (opset 17), no Dropout; reading it back gives the same network', async () => {
    const net = await trained();
    const model = toOnnx(net, { opset: 17 });
    const text = new TextDecoder('latin1').decode(model);
    expect(text).toContain('BatchNormalization');
    expect(text).toContain('LayerNormalization');
    expect(text).not.toContain('Dropout');
    const back = fromOnnx(engine, model);
    expect(back.summary().split('\n').slice(2, -1).map((l) => l.split(/\s+/)[0])).toEqual(['dense0', 'batchNorm1', 'dense2', 'layerNorm3', 'dense4']);
    expect(Array.from(back.predict(x))).toEqual(Array.from(net.predict(x)));
    net.dispose(); back.dispose();
  });
});
