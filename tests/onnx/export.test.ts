// toOnnx: every activation of the kernel table, exported and run in onnxruntime-web (wasm backend), against
// net.predict. The dense layers get dyadic weights and inputs (multiples of 1/256 and of 1/2), so the Gemm is exact in
// f32 whatever order either engine sums in, and the comparison measures the activation alone.
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, createEngine, InvalidArgumentError, type Engine, type Network } from '../../dist/index.js';
import { OnnxError, toOnnx } from '../../dist/onnx/index.js';
import { ACTIVATION_ONNX_DOCS } from '../../dist/onnx/form-docs.js';
import { runOnnx } from './ort.js';
import { rng, ulpError } from '../util.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/**
 * Accepted difference between onnxruntime and net.predict, in f32 ulps of max(|y|, floor): each row's ONNX form
 * documents it (`ort` in the family file's <FAMILY>_ONNX_DOCS record). 0 = bit for bit (the piecewise-linear ones). Where a
 * floor is set, onnxruntime's own kernel has an absolute rather than relative error in a tail (its Sigmoid flushes to
 * 0 below about 1e-8, its Elu/Selu compute e^x - 1 without expm1, its LogSoftmax subtracts a log-sum close to 0, its
 * opset-20 Gelu(tanh) computes 1 + tanh(v), which cancels for x << 0); rectify's kernels keep relative accuracy there.
 */
const TOLERANCE = (name: string) => (ACTIVATION_ONNX_DOCS as Record<string, { ort: { ulps: number; floor: number } } | undefined>)[name]?.ort;

/** Specs to export: every table row with its defaults, plus variants of the parameters and options. */
function cases(): { name: string; spec: Record<string, unknown> }[] {
  const out = ACTIVATIONS.map((d) => ({ name: d.name as string, spec: d.name === 'prelu' ? { name: 'prelu' } : { name: d.name } as Record<string, unknown> }));
  out.push(
    { name: 'prelu', spec: { name: 'prelu', units: 6, alpha: [0.1, -0.5, 2, 0.25, 0, 1.5] } },
    { name: 'sbaf', spec: { name: 'sbaf', domain: 'sigmoid', k: 1.3, alpha: 0.3 } },
    { name: 'sbaf', spec: { name: 'sbaf', domain: 'strict' } },
    { name: 'arelu', spec: { name: 'arelu', k: 0.75, n: 1.7 } },
    { name: 'softplus', spec: { name: 'softplus', beta: 2, threshold: 5 } },
    { name: 'leakyRelu', spec: { name: 'leakyRelu', slope: 0.2 } },
    { name: 'hardShrink', spec: { name: 'hardShrink', lambda: 1.25 } },
    { name: 'softShrink', spec: { name: 'softShrink', lambda: 1.25 } },
    { name: 'hardSigmoid', spec: { name: 'hardSigmoid', slope: 0.2, offset: 0.5 } },
    { name: 'elu', spec: { name: 'elu', alpha: 0.5 } },
    { name: 'celu', spec: { name: 'celu', alpha: 2 } },
    { name: 'hardTanh', spec: { name: 'hardTanh', minVal: -2, maxVal: 1.5 } },
    { name: 'silu', spec: { name: 'silu', beta: 1.7 } },
  );
  return out;
}

/** A one-layer network 3 -> 6 with dyadic weights, and dyadic inputs spanning the activation's range. */
function dyadic(spec: Record<string, unknown>, seed: number): { net: Network; x: Float32Array; rows: number } {
  const def = ACTIVATIONS.find((d) => d.name === spec.name)!;
  const r = rng(seed);
  const units = 6, inputs = 3, rows = 400;
  const net = engine.network({ inputs }).dense(units, spec as never).build({ loss: 'mse' });
  const ps = net.parameters();
  const pick = [-1, -0.5, 0, 0.5, 1];
  ps[0]!.data.set(Array.from({ length: inputs * units }, () => pick[Math.floor(r() * 5)]!));
  ps[1]!.data.set(Array.from({ length: units }, () => Math.round((r() - 0.5) * 8) / 4));
  const [lo, hi] = def.range;
  const x = Float32Array.from({ length: rows * inputs }, () => Math.round((lo + r() * (hi - lo)) * 256) / 256);
  return { net, x, rows };
}

describe('toOnnx in onnxruntime vs net.predict, every activation', () => {
  for (const opset of [13, 17, 20]) {
    it(`opset ${opset}`, async () => {
      const report: string[] = [];
      for (const [ci, c] of cases().entries()) {
        const tol = TOLERANCE(c.name);
        expect(tol, `no ONNX form for ${c.name}: add it to its family's <FAMILY>_ONNX and <FAMILY>_ONNX_DOCS records`).toBeDefined();
        const { net, x, rows } = dyadic(c.spec, 100 + ci);
        try {
          const y = net.predict(x);
          const o = await runOnnx(toOnnx(net, { opset }), x, rows);
          expect(o.length).toBe(y.length);
          let worst = 0;
          for (let i = 0; i < y.length; i++) {
            const e = tol!.ulps === 0 ? (o[i] === y[i] ? 0 : Infinity) : ulpError(o[i]!, y[i]!, tol!.floor);
            if (!(e <= tol!.ulps)) expect.fail(`${JSON.stringify(c.spec)} opset ${opset}: row ${Math.floor(i / 6)} unit ${i % 6}: onnxruntime ${o[i]} vs rectify ${y[i]} (${e} ulps > ${tol!.ulps})`);
            worst = Math.max(worst, e);
          }
          report.push(`${JSON.stringify(c.spec)} ${worst.toFixed(1)}`);
        } finally {
          net.dispose();
        }
      }
      console.log(`[onnx] opset ${opset}, max ulps per case: ${report.join('; ')}`);
    });
  }

  it('a deeper network with random (non-dyadic) weights agrees to rounding of the sums', async () => {
    const net = engine.network({ inputs: 20, seed: 3 }).dense(32, 'relu').dense(16, 'tanh').dense(8, { name: 'prelu', units: 8 })
      .dense(4, 'softmax').build({ loss: 'crossEntropy' });
    const r = rng(9);
    const rows = 64;
    const x = Float32Array.from({ length: rows * 20 }, () => r() * 4 - 2);
    const y = net.predict(x);
    const o = await runOnnx(toOnnx(net), x, rows);
    let worst = 0;
    for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(o[i]! - y[i]!));
    // Summation order differs between the two GEMMs: a few ulps of 1 on probabilities.
    expect(worst).toBeLessThan(2 ** -20);
    net.dispose();
  });

  it('the model has the documented interface: input [N, inputs], output [N, outputs], opset and IR version', async () => {
    const { ort } = await import('./ort.js');
    const o = await ort();
    const net = engine.network({ inputs: 5 }).dense(3, 'gelu').build({ loss: 'mse' });
    for (const [opset] of [[13], [17], [20], [22]]) {
      const s = await o.InferenceSession.create(toOnnx(net, { opset, inputName: 'x', outputName: 'probs' }));
      expect(s.inputNames).toEqual(['x']);
      expect(s.outputNames).toEqual(['probs']);
      await s.release();
    }
    net.dispose();
  });

  it('bad options are typed errors; a disposed network too', () => {
    const net = engine.network({ inputs: 2 }).dense(2, 'relu').build({ loss: 'mse' });
    for (const bad of [{ opset: 12 }, { opset: 23 }, { opset: 17.5 }, { opset: '17' }, { nope: 1 }, { inputName: '' }, { inputName: 'a', outputName: 'a' }]) {
      expect(() => toOnnx(net, bad as never)).toThrow(InvalidArgumentError);
    }
    expect(() => toOnnx({} as never)).toThrow(InvalidArgumentError);
    net.dispose();
    expect(() => toOnnx(net)).toThrow(/disposed/i);
    expect(OnnxError).toBeDefined();
  });
});
