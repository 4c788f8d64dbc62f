// Per-layer L1/L2 weight penalties (issue 11 section 1): the wasm kernel (SIMD and scalar twin, bit for bit, and
// against an f64 reference), the network's gradients against f64 finite differences of an f64 model of the
// penalized loss, the loss that fit / evaluate report, frozen layers, the saved file (version 4) and the typed errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidParameterError, ModelFormatError, type Engine, type Network } from '../dist/index.js';
import { canonicalCrc } from './model-checksum.js';
import { refLoss, type RefLayer } from './reference/mlp.js';
import { KERNELS_WASM, rng } from './util.js';

let engine: Engine, twins: Engine, kernels: Engine;
beforeAll(async () => {
  engine = await createEngine();
  twins = await createEngine({ scalar: true });
  kernels = await createEngine({ wasm: KERNELS_WASM }); // rectify.wasm's code with weight_penalty exported
});
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const hex = (n: number) => n.toString(16).padStart(8, '0');
const rand = (n: number, lo: number, hi: number, seed: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
};

describe('weight_penalty kernel', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const run = (e: Engine, name: string, w: Float32Array, g: Float32Array | undefined, l1: number, l2: number) => {
    const tw = e.tensor(w), tg = g ? e.tensor(g) : undefined;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = (e.exports as any)[name](tw.ptr, tg ? tg.ptr : 0, w.length, l1, l2) as number;
    const out = tg ? tg.toArray() : undefined;
    tw.dispose(); tg?.dispose();
    return { p, g: out };
  };
  for (const n of [0, 1, 3, 4, 7, 16, 33, 1001]) {
    it(`n = ${n}: SIMD == scalar twin bit for bit, both within rounding of the f64 reference`, () => {
      const w = rand(n, -2, 2, 7 + n);
      if (n > 3) { w[1] = 0; w[2] = -0; } // sign(0) = 0: the l1 term skips zeros of either sign
      const g = rand(n, -1, 1, 11 + n);
      const l1 = Math.fround(0.013), l2 = Math.fround(0.0071);
      const simd = run(kernels, 'weight_penalty', w, g, l1, l2);
      const scalar = run(twins, 'weight_penalty_scalar', w, g, l1, l2);
      const simdT = run(twins, 'weight_penalty', w, g, l1, l2);
      expect(bits(simd.g!)).toEqual(bits(scalar.g!));
      expect(bits(simdT.g!)).toEqual(bits(scalar.g!));
      expect(Object.is(simd.p, scalar.p)).toBe(true);
      expect(run(kernels, 'weight_penalty', w, undefined, l1, l2).p).toBe(simd.p); // loss only: same sum, g untouched
      let ref = 0;
      for (let i = 0; i < n; i++) {
        ref += l1 * Math.abs(w[i]!) + l2 * w[i]! * w[i]!;
        const want = g[i]! + (w[i] === 0 ? 0 : Math.sign(w[i]!) * l1) + 2 * l2 * w[i]!;
        // one f32 rounding of l1 sign + 2 l2 w and one of the sum: within 2 ulps of the larger magnitude involved
        const scale = Math.max(Math.abs(g[i]!), Math.abs(want), l1);
        expect(Math.abs(simd.g![i]! - want), `g[${i}]`).toBeLessThanOrEqual(2 * 2 ** -23 * scale);
      }
      expect(Math.abs(simd.p - ref)).toBeLessThanOrEqual(1e-12 * Math.max(1, ref));
    });
  }
});

// ---- the network: f64 model of the penalized mse loss -----------------------------------------------------------

interface Layer extends RefLayer { l1: number; l2: number }
/** The reference MLP's mean mse (tests/reference/mlp.ts) plus every layer's l1 |w| + l2 w^2 over its weights. */
function f64Loss(layers: Layer[], x: Float32Array, t: Float32Array, rows: number): number {
  let loss = refLoss(layers, Float64Array.from(x), Float64Array.from(t), rows, 'mse');
  for (const L of layers) for (const w of L.W) loss += L.l1 * Math.abs(w) + L.l2 * w * w;
  return loss;
}

const SPEC = [{ units: 5, act: 'tanh', l1: 0.02, l2: 0.03 }, { units: 3, act: 'tanh', l1: 0, l2: 0 }, { units: 2, act: 'linear', l1: 0.01, l2: 0 }] as const;
function buildPenalized(e: Engine, opts: { frozen?: boolean; pen?: boolean } = {}): Network {
  let b = e.network({ inputs: 4, seed: 5 }) as ReturnType<Engine['network']>;
  SPEC.forEach((s, i) => {
    b = b.dense(s.units, s.act, { ...(opts.pen === false ? {} : { l1: s.l1, l2: s.l2 }), ...(opts.frozen && i === 0 ? { trainable: false } : {}) }) as never;
  });
  return (b as unknown as { build(o: object): Network }).build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.05 } });
}
const rows = 12;
const x = rand(rows * 4, -1, 1, 3), t = rand(rows * 2, -1, 1, 4);

function modelOf(net: Network): Layer[] {
  const p = net.parameters();
  let fan = 4;
  return SPEC.map((s, i) => {
    const L: Layer = { W: Float64Array.from(p[2 * i]!.data), b: Float64Array.from(p[2 * i + 1]!.data), in: fan, out: s.units, act: s.act, params: {}, l1: Math.fround(s.l1), l2: Math.fround(s.l2) };
    fan = s.units;
    return L;
  });
}

describe('l1 / l2 in a network', () => {
  it('gradients match central differences of the f64 penalized loss; the reported loss is the penalized one', () => {
    const net = buildPenalized(engine);
    const { loss, gradients } = net.lossAndGradients(x, t);
    const model = modelOf(net);
    expect(Math.abs(loss - f64Loss(model, x, t, rows))).toBeLessThan(1e-5);
    expect(Math.abs(net.evaluate(x, t).loss - loss)).toBe(0);
    const h = 1e-5;
    model.forEach((L, li) => {
      for (const [k, arr] of [[2 * li, L.W], [2 * li + 1, L.b]] as const) {
        for (let i = 0; i < arr.length; i++) {
          if (arr === L.W && Math.abs(arr[i]!) < 1e-3) continue; // |w| kink of l1
          const v = arr[i]!;
          arr[i] = v + h; const up = f64Loss(model, x, t, rows);
          arr[i] = v - h; const down = f64Loss(model, x, t, rows);
          arr[i] = v;
          const fd = (up - down) / (2 * h);
          expect(Math.abs(gradients[k]![i]! - fd), `layer ${li} block ${k} [${i}]: ${gradients[k]![i]} vs ${fd}`).toBeLessThan(2e-5 + 1e-4 * Math.abs(fd));
        }
      }
    });
    net.dispose();
  });

  it('without penalties the loss and gradients are those of the plain network, bit for bit (l1 = l2 = 0 is no penalty)', () => {
    const a = buildPenalized(engine, { pen: false });
    const zero = engine.network({ inputs: 4, seed: 5 }).dense(5, 'tanh', { l1: 0, l2: 0 }).dense(3, 'tanh').dense(2, 'linear')
      .build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.05 } });
    const ga = a.lossAndGradients(x, t), gz = zero.lossAndGradients(x, t);
    expect(ga.loss).toBe(gz.loss);
    expect(ga.gradients.map(bits)).toEqual(gz.gradients.map(bits));
    const p = buildPenalized(engine);
    expect(p.lossAndGradients(x, t).loss).toBeGreaterThan(ga.loss);
    a.dispose(); zero.dispose(); p.dispose();
  });

  it('fit reports the penalized loss and shrinks the weights; a frozen layer with a penalty does not change', async () => {
    const plain = buildPenalized(engine, { pen: false }), pen = buildPenalized(engine);
    const hp = await plain.fit(x, t, { epochs: 30, batchSize: 4, shuffle: false });
    const hq = await pen.fit(x, t, { epochs: 30, batchSize: 4, shuffle: false });
    const norm = (n: Network) => n.parameters()[0]!.data.reduce((s, v) => s + Math.abs(v), 0);
    expect(norm(pen)).toBeLessThan(norm(plain));
    // The last epoch's reported loss is the mean over its batches of (data loss + penalty before the step).
    expect(hq.epochs.at(-1)!.loss).toBeGreaterThan(hp.epochs.at(-1)!.loss);
    const frozen = buildPenalized(engine, { frozen: true });
    const before = bits(frozen.parameters()[0]!.data);
    await frozen.fit(x, t, { epochs: 3, batchSize: 4 });
    expect(bits(frozen.parameters()[0]!.data)).toEqual(before);
    expect(bits(frozen.parameters()[2]!.data)).not.toEqual(bits(buildPenalized(engine, { frozen: true }).parameters()[2]!.data));
    plain.dispose(); pen.dispose(); frozen.dispose();
  });

  it('the saved file (version 4) carries l1 / l2 per layer; loading restores training bit for bit', async () => {
    const net = buildPenalized(engine);
    await net.fit(x, t, { epochs: 2, batchSize: 4 });
    const json = net.toJSON();
    expect(json.layers.map((l) => [l.l1, l.l2])).toEqual([[Math.fround(0.02), Math.fround(0.03)], [undefined, undefined], [Math.fround(0.01), undefined]]);
    for (const saved of [net.save(), json]) {
      const back = engine.loadNetwork(saved);
      const a = net.lossAndGradients(x, t), b = back.lossAndGradients(x, t);
      expect(b.loss).toBe(a.loss);
      expect(b.gradients.map(bits)).toEqual(a.gradients.map(bits));
      back.dispose();
    }
    const resign = (doc: object) => ({ ...doc, checksum: hex(canonicalCrc(doc)) });
    const layers = (l: object) => [{ ...json.layers[0]!, ...l }, ...json.layers.slice(1)];
    for (const doc of [{ ...json, layers: layers({ l1: -1 }) }, { ...json, layers: layers({ l2: 0.1 }) }, { ...json, layers: layers({ l2: 0 }) }, { ...json, layers: layers({ l1: '1' }) }]) {
      expect(() => engine.loadNetwork(resign(doc) as never)).toThrow(ModelFormatError);
    }
    net.dispose();
  });

  it('builder: l1 / l2 must be finite numbers >= 0 (InvalidParameterError)', () => {
    const b = engine.network({ inputs: 2 });
    for (const bad of [-0.1, NaN, Infinity, 1e39, '0.1', null]) {
      expect(() => b.dense(2, 'relu', { l1: bad as number })).toThrow(InvalidParameterError);
      expect(() => b.dense(2, 'relu', { l2: bad as number })).toThrow(InvalidParameterError);
    }
  });
});
