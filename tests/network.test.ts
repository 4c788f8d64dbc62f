// Dense networks end to end: gradients against an f64 reference MLP and finite differences, XOR, real data,
// determinism, memory stability, save/load, and every bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import {
  ACTIVATIONS, createEngine, DataError, DisposedError, InvalidArgumentError, InvalidParameterError, ModelFormatError,
  NetworkBusyError, OutOfMemoryError, RectifyError, ShapeError, TrainingDivergedError,
  type ActivationDef, type BuildOptions, type Engine, type History, type Network,
} from '../dist/index.js';
import { refGrads, refLoss, refNumericGrads, type RefLayer, type RefLoss } from './reference/mlp.js';
import { rng } from './util.js';
import { xorTruthTable } from '../src/util/xor.js';

const require = createRequire(import.meta.url);

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

const xorData = xorTruthTable;

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

// Issue 8 (memory safety), the network part: each block is a regression test of one defect of the issue.
describe('issue 8: memory safety of networks', () => {
  const small = (e: Engine, seed = 1) => e.network({ inputs: 3, seed }).dense(5, 'relu').dense(2, 'softmax').build({ loss: 'crossEntropy' });
  const X = Float32Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i * 1.7)));
  const Y = [0, 1, 1, 0, 1, 0, 0, 1];
  const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

  it('defect 2: an OutOfMemoryError while growing the row buffers changes nothing (allocate, then swap)', async () => {
    const e = await createEngine({ maxMemoryBytes: 4 << 20 });
    const net = e.network({ inputs: 8, seed: 3 }).dense(16, 'tanh').dense(4, 'softmax').build({ loss: 'crossEntropy', capacity: 4 });
    const x = Float32Array.from({ length: 32 }, (_, i) => Math.fround(Math.cos(i)));
    const canary = e.tensor(Float32Array.from({ length: 64 }, (_, i) => i + 0.5));
    const before = net.predict(x), state = net.stateBytes(), live = e.memoryStats().liveAllocations;
    // 100,000 rows need far more than 4 MiB of row buffers.
    const big = new Float32Array(100_000 * 8);
    expect(() => net.trainBatch(big, new Int32Array(100_000))).toThrow(OutOfMemoryError);
    const liveAfter = e.memoryStats().liveAllocations;
    // Small tensors allocated now (first fit: they would land in freed row buffers) must not share memory with the
    // network's buffers.
    const after = Array.from({ length: 64 }, (_, k) => e.tensor(Float32Array.from({ length: 4 }, (_, i) => -i - 4 * k)));
    expect(bits(net.predict(x))).toEqual(bits(before));
    net.trainBatch(x.subarray(0, 16), [0, 1]);
    after.forEach((t, k) => expect(bits(t.data)).toEqual(bits(Float32Array.from({ length: 4 }, (_, i) => -i - 4 * k))));
    expect(bits(canary.data)).toEqual(bits(Float32Array.from({ length: 64 }, (_, i) => i + 0.5)));
    expect(net.stateBytes()).not.toEqual(state); // the small step trained
    expect(liveAfter).toBe(live);
    for (const t of after) t.dispose();
  });

  it('defect 3: the network is locked while fit runs (dispose, trainBatch, lossAndGradients, a second fit)', async () => {
    const net = small(engine);
    const seen: string[] = [];
    const p = net.fit(X, Y, {
      epochs: 2, batchSize: 4,
      onBatchEnd: () => {
        for (const [name, f] of [['dispose', () => net.dispose()], ['trainBatch', () => net.trainBatch(X, Y)],
          ['lossAndGradients', () => net.lossAndGradients(X, Y)]] as const) {
          try { f(); seen.push(`${name}: no error`); } catch (err) { seen.push(`${name}: ${(err as Error).constructor.name}`); }
        }
        net.predict(X); // reading is allowed
      },
    });
    await expect(net.fit(X, Y)).rejects.toBeInstanceOf(NetworkBusyError);
    await p;
    expect(new Set(seen)).toEqual(new Set(['dispose: NetworkBusyError', 'trainBatch: NetworkBusyError', 'lossAndGradients: NetworkBusyError']));
    // After fit settles the lock is gone.
    net.trainBatch(X, Y);
    net.dispose();
    expect(() => net.predict(X)).toThrow(DisposedError);
  });

  it('defect 3: dispose from onBatchEnd rejects fit with NetworkBusyError and frees nothing; a later network is unharmed', async () => {
    const e = await createEngine();
    const base = e.memoryStats().liveAllocations;
    const net = small(e);
    await expect(net.fit(X, Y, { epochs: 3, batchSize: 2, onBatchEnd: () => net.dispose() })).rejects.toBeInstanceOf(NetworkBusyError);
    const other = small(e, 9), ref = small(e, 9);
    expect(bits(other.predict(X))).toEqual(bits(ref.predict(X)));
    net.dispose(); other.dispose(); ref.dispose();
    expect(e.memoryStats().liveAllocations).toBe(base);
  });

  it('defect 3: every await in fit re-checks the engine', async () => {
    const e = await createEngine();
    const net = small(e);
    let calls = 0;
    await expect(net.fit(X, Y, { epochs: 3, batchSize: 2, onBatchEnd: () => { calls++; e.dispose(); } })).rejects.toBeInstanceOf(DisposedError);
    expect(calls).toBe(1); // no batch ran after the engine was disposed
    const e2 = await createEngine();
    const net2 = small(e2);
    const p = net2.fit(X, Y, { epochs: 50, batchSize: 1, yieldEveryMs: 0 });
    await Promise.resolve();
    e2.dispose();
    await expect(p).rejects.toBeInstanceOf(DisposedError);
  });

  it('defect 4: Object.prototype names are not losses, optimizers or initializers, also in saved models', () => {
    const b = () => engine.network({ inputs: 2 }).dense(2, 'softmax');
    for (const name of ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty']) {
      expect(() => b().build({ loss: name as never }), name).toThrow(InvalidParameterError);
      expect(() => b().build({ loss: 'crossEntropy', optimizer: name as never }), name).toThrow(InvalidParameterError);
      expect(() => b().build({ loss: 'crossEntropy', optimizer: { name } as never }), name).toThrow(InvalidParameterError);
      expect(() => engine.network({ inputs: 2 }).dense(2, 'relu', { init: name as never }), name).toThrow(InvalidParameterError);
    }
    expect(() => b().build({ loss: 'crossEntropy', optimizer: { name: 'sgd', toString: 1 } as never })).toThrow(InvalidParameterError);
    const json = small(engine).toJSON();
    for (const patch of [{ loss: 'constructor' }, { optimizer: { name: 'toString' } }, { layers: [{ ...json.layers[0]!, init: 'toString' }, json.layers[1]!] }]) {
      expect(() => engine.loadNetwork({ ...json, ...patch } as never), JSON.stringify(patch)).toThrow(ModelFormatError);
    }
  });

  it('defect 4: the CLI parameter table uses own keys (--params __proto__=1 is an unknown parameter, not ignored)', () => {
    const r = spawnSync(process.execPath, ['dist/cli.js', 'plot', 'relu', '--params', '__proto__=1', '--out', 'build/never-written.svg'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('__proto__');
  });

  it('defect 5: settings are checked as the f32 values the kernels see', () => {
    const b = () => engine.network({ inputs: 2 }).dense(2, 'softmax');
    const bad: [string, BuildOptions][] = [
      ['beta1 0.99999999', { loss: 'crossEntropy', optimizer: { name: 'adam', beta1: 0.99999999 } }],
      ['beta2 0.99999999', { loss: 'crossEntropy', optimizer: { name: 'adam', beta2: 0.99999999 } }],
      ['rho 0.99999999', { loss: 'crossEntropy', optimizer: { name: 'rmsprop', rho: 0.99999999 } }],
      ['momentum 0.99999999', { loss: 'crossEntropy', optimizer: { name: 'momentum', momentum: 0.99999999 } }],
      ['learningRate 1e300', { loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 1e300 } }],
      ['learningRate 1e-50', { loss: 'crossEntropy', optimizer: { name: 'sgd', learningRate: 1e-50 } }],
      ['weightDecay 1e300', { loss: 'crossEntropy', optimizer: { name: 'adamW', weightDecay: 1e300 } }],
      ['epsilon 1e-50', { loss: 'crossEntropy', optimizer: { name: 'adam', epsilon: 1e-50 } }],
      ['clipNorm 1e-50', { loss: 'crossEntropy', clipNorm: 1e-50 }],
      ['clipNorm 1e39', { loss: 'crossEntropy', clipNorm: 1e39 }],
    ];
    for (const [what, o] of bad) expect(() => b().build(o), what).toThrow(InvalidParameterError);
    // The largest f32 below 1 and other edge values that are fine as f32 still build.
    b().build({ loss: 'crossEntropy', optimizer: { name: 'adam', beta2: 0.9999999403953552, epsilon: 1e-30 }, clipNorm: 1e-30 }).dispose();
  });

  it('defect 6: fit with a per-unit prelu layer works and reports its diagnostics', async () => {
    const net = engine.network({ inputs: 3, seed: 2 }).dense(4, { name: 'prelu', units: 4, alpha: [0.1, 0.2, 0.3, 0.4] })
      .dense(2, 'softmax').build({ loss: 'crossEntropy' });
    const h = await net.fit(X, Y, { epochs: 2, batchSize: 4 });
    expect(h.epochs).toHaveLength(2);
    expect(typeof h.epochs[1]!.deadFraction[0]).toBe('number');
    expect(h.epochs[1]!.activationParams[0]!.alpha).toHaveLength(4);
  });

  it('defect 6 (same cause): fit with an sbaf strict-domain layer does not fail in the diagnostics after training', async () => {
    const net = engine.network({ inputs: 3, seed: 1 }).dense(4, { name: 'sbaf', domain: 'strict' }).dense(2, 'softmax').build({ loss: 'crossEntropy' });
    const h = await net.fit(Float32Array.from(X, (v) => v * 3), Y, { epochs: 1 });
    expect(h.epochs).toHaveLength(1);
  });

  it('defect 6: the documented per-unit alpha: number[] type compiles (tsc --noEmit over tests/types/prelu-spec.ts)', () => {
    const r = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '--strict', '--target', 'es2022',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--skipLibCheck', '--types', 'node', 'tests/types/prelu-spec.ts'], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('defect 11: fit stops on divergence with TrainingDivergedError and puts back the last finite state', async () => {
    const mk = () => engine.network({ inputs: 3, seed: 4 }).dense(8, 'relu').dense(2, 'linear')
      .build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 1e6 } });
    const t = Float32Array.from({ length: 16 }, (_, i) => i % 3);
    const net = mk();
    let err: unknown;
    try { await net.fit(X, t, { epochs: 20, batchSize: 2 }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(TrainingDivergedError);
    const done = ((err as TrainingDivergedError).history as History).epochs.length;
    for (const p of net.parameters()) expect(p.data.every(Number.isFinite)).toBe(true);
    // The state is that of a twin trained for exactly the completed epochs (weights, optimizer state, generator).
    const twin = mk();
    if (done > 0) await twin.fit(X, t, { epochs: done, batchSize: 2 });
    expect(net.stateBytes()).toEqual(twin.stateBytes());
    expect(() => engine.loadNetwork(net.save())).not.toThrow();
  });

  it('defect 11: save() and toJSON() of a network with non-finite parameters throw at save time', () => {
    const net = engine.network({ inputs: 3, seed: 4 }).dense(8, 'relu').dense(2, 'linear')
      .build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 1e6 } });
    const t = Float32Array.from({ length: 16 }, (_, i) => i % 3);
    for (let i = 0; i < 20 && net.parameters().every((p) => p.data.every(Number.isFinite)); i++) net.trainBatch(X, t);
    expect(net.parameters().every((p) => p.data.every(Number.isFinite))).toBe(false);
    expect(() => net.save()).toThrow(TrainingDivergedError);
    expect(() => net.toJSON()).toThrow(TrainingDivergedError);
  });

  it('defect 12: a softmax over one unit is rejected (it is the constant 1), also in saved models', () => {
    expect(() => engine.network({ inputs: 2 }).dense(1, 'softmax')).toThrow(InvalidArgumentError);
    expect(() => engine.network({ inputs: 2 }).dense(1, 'logSoftmax')).toThrow(InvalidArgumentError);
    const json = small(engine).toJSON();
    const one = { ...json, layers: [json.layers[0]!, { ...json.layers[1]!, units: 1 }] };
    expect(() => engine.loadNetwork(one as never)).toThrow(ModelFormatError);
  });

  it('defect 13: no failing build path leaks an allocation', async () => {
    const e = await createEngine({ maxMemoryBytes: 8 << 20 });
    const b = () => e.network({ inputs: 4, seed: 1 }).dense(3, 'relu');
    const failing: [string, () => unknown][] = [
      ['unknown loss', () => b().dense(2, 'softmax').build({ loss: 'nope' as never })],
      ['bad optimizer', () => b().dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: 'nope' as never })],
      ['bad clipNorm', () => b().dense(2, 'softmax').build({ loss: 'crossEntropy', clipNorm: -1 })],
      ['bad capacity', () => b().dense(2, 'softmax').build({ loss: 'crossEntropy', capacity: 0 })],
      ['crossEntropy without softmax', () => b().dense(2, 'relu').build({ loss: 'crossEntropy' })],
      ['misspelled key', () => b().dense(2, 'softmax').build({ loss: 'crossEntropy', optimiser: 'sgd' } as never)],
      ['per-unit width mismatch', () => b().dense(2, { name: 'prelu', units: 3 })],
      ['bad activation parameter', () => b().dense(2, { name: 'elu', alpha: NaN })],
      ['OOM in the parameters', () => e.network({ inputs: 4096 }).dense(4096, 'relu').build({ loss: 'mse' })],
      ['OOM in the row buffers', () => e.network({ inputs: 64 }).dense(64, 'relu').dense(2, 'softmax').build({ loss: 'crossEntropy', capacity: 65536 })],
      ['OOM in the last layer', () => b().dense(8, { name: 'prelu', units: 8 }).dense(1 << 16, 'linear').dense(600, 'linear').build({ loss: 'mse' })],
    ];
    const base = e.memoryStats().liveAllocations;
    for (const [what, f] of failing) {
      expect(f, what).toThrow(RectifyError);
      expect(e.memoryStats().liveAllocations, what).toBe(base);
    }
    const json = small(e).toJSON();
    const afterBuild = e.memoryStats().liveAllocations;
    expect(() => e.loadNetwork({ ...json, parameters: json.parameters.slice(1) } as never)).toThrow(ModelFormatError);
    expect(e.memoryStats().liveAllocations).toBe(afterBuild);
  });

  it('defect 16: optimizer settings and parameter flags are read-only (assignments throw instead of doing nothing)', () => {
    const net = small(engine);
    const o = net.optimizer as { learningRate: number };
    expect(() => { o.learningRate = 1; }).toThrow(TypeError);
    expect(net.optimizer.learningRate).toBe(0.001);
    const p = net.parameters()[0]! as { trainable: boolean; shape: number[] };
    expect(() => { p.trainable = false; }).toThrow(TypeError);
    expect(() => { p.shape.push(1); }).toThrow(TypeError);
    expect(p.trainable).toBe(true);
    p.data[0] = 0.5; // the values stay writable
    expect(net.parameters()[0]!.data[0]).toBe(0.5);
  });

  it('defect 17: misspelled keys, wrong option types and null options are typed errors', async () => {
    const net = small(engine);
    const cases: [string, () => unknown][] = [
      ['build optimiser', () => engine.network({ inputs: 2 }).dense(2, 'softmax').build({ loss: 'crossEntropy', optimiser: 'sgd' } as never)],
      ['build clipnorm', () => engine.network({ inputs: 2 }).dense(2, 'softmax').build({ loss: 'crossEntropy', clipnorm: 1 } as never)],
      ['network seeed', () => engine.network({ inputs: 2, seeed: 1 } as never)],
      ['dense inits', () => engine.network({ inputs: 2 }).dense(2, 'relu', { inits: 'zeros' } as never)],
      ['dense null options', () => engine.network({ inputs: 2 }).dense(2, 'relu', null as never)],
      ['build null', () => engine.network({ inputs: 2 }).dense(2, 'relu').build(null as never)],
      ['network null', () => engine.network(null as never)],
    ];
    for (const [what, f] of cases) expect(f, what).toThrow(InvalidArgumentError);
    const state = net.stateBytes();
    const fits: [string, unknown][] = [
      ['earlyStopping patiense', { earlyStopping: { patiense: 3 } }],
      ['earlyStopping null', { earlyStopping: null }],
      ['patience -1', { earlyStopping: { patience: -1 } }],
      ['monitor typo', { earlyStopping: { monitor: 'val_loss' } }],
      ['yieldEveryMs NaN', { yieldEveryMs: NaN }],
      ["shuffle 'no'", { shuffle: 'no' }],
      ['signal {}', { signal: {} }],
      ['onBatchEnd not a function', { onBatchEnd: 1 }],
      ['null options', null],
    ];
    for (const [what, o] of fits) await expect(net.fit(X, Y, o as never), what).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(net.stateBytes()).toEqual(state);
  });
});

describe('soft targets of the cross-entropy losses (issue 8, defect 15)', () => {
  it('crossEntropy targets outside [0, 1] or not summing to 1, and binaryCrossEntropy targets outside [0, 1], are DataErrors; nothing changes', async () => {
    const { createEngine, DataError } = await import('../dist/index.js');
    const engine = await createEngine();
    const net = engine.network({ inputs: 2, seed: 1 }).dense(3, 'softmax').build({ loss: 'crossEntropy' });
    const before = net.parameters().map((p) => p.data.slice());
    const x = new Float32Array([1, 2]);
    expect(() => net.trainBatch(x, new Float32Array([-5, 0, 6]))).toThrow(DataError);
    expect(() => net.trainBatch(x, new Float32Array([0.5, 0.2, 0.2]))).toThrow(/sum to/);
    expect(() => net.evaluate(x, new Float32Array([0, 2, 0]))).toThrow(DataError);
    net.parameters().forEach((p, i) => expect(p.data).toEqual(before[i]));
    expect(Number.isFinite(net.trainBatch(x, new Float32Array([0.1, 0.1, 0.8])))).toBe(true);
    const bce = engine.network({ inputs: 2, seed: 1 }).dense(1, 'sigmoid').build({ loss: 'binaryCrossEntropy' });
    expect(() => bce.trainBatch(x, new Float32Array([7]))).toThrow(DataError);
    expect(Number.isFinite(bce.trainBatch(x, new Float32Array([0.3])))).toBe(true);
  });
});
