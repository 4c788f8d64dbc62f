// The dropout, batchNorm and layerNorm layers (issue 11 section 1): their kernels against f64 references (forward)
// and f64 central finite differences of those references (backward: dx, dgamma, dbeta), the SIMD kernels against
// their scalar twins bit for bit at every tail length, special values, and the layers inside networks (training vs
// inference behaviour, seeded masks, freezing, errors).
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, InvalidParameterError, type Engine } from '../dist/index.js';
import { rng } from './util.js';

type Fn = (...a: number[]) => void;
let engine: Engine;
let fx: Record<string, Fn>;
beforeAll(async () => {
  engine = await createEngine({ scalar: true }); // the twins build: every *_scalar twin
  fx = engine.exports as unknown as Record<string, Fn>;
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer), (u) => ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) ? 0x7fc00000 : u));

/** f64 reference forward: kind 'bn' (statistics per column), 'ln' (per row), 'bni' (running statistics). */
function reference(kind: 'bn' | 'ln' | 'bni', x: Float64Array, rows: number, cols: number, gamma: Float64Array, beta: Float64Array, eps: number, run?: Float64Array): Float64Array {
  const y = new Float64Array(rows * cols);
  const groups = kind === 'ln' ? rows : cols, size = kind === 'ln' ? cols : rows;
  const idx = (g: number, k: number) => (kind === 'ln' ? g * cols + k : k * cols + g);
  for (let g = 0; g < groups; g++) {
    let m = 0, v = 0;
    if (kind === 'bni') { m = run![g]!; v = run![cols + g]!; } else {
      for (let k = 0; k < size; k++) m += x[idx(g, k)]!;
      m /= size;
      for (let k = 0; k < size; k++) v += (x[idx(g, k)]! - m) ** 2;
      v /= size;
    }
    const r = 1 / Math.sqrt(v + eps);
    for (let k = 0; k < size; k++) {
      const i = idx(g, k), j = kind === 'ln' ? k : g;
      y[i] = (x[i]! - m) * r * gamma[j]! + beta[j]!;
    }
  }
  return y;
}

/** Runs a norm kernel pair (forward, then backward with dy) in wasm; returns every output. */
function runNorm(kind: 'bn' | 'ln', scalar: boolean, x: Float32Array, rows: number, cols: number, gamma: Float32Array, beta: Float32Array, dy: Float32Array, eps: number) {
  const name = kind === 'bn' ? 'batchnorm' : 'layernorm';
  const t = (v: ArrayLike<number> | number) => engine.tensor(v);
  const tx = t(x), th = t(rows * cols), ty = t(rows * cols), tg = t(gamma), tb = t(beta), ts = t(3 * cols + rows);
  const tdy = t(dy), tdx = t(rows * cols), tdg = t(cols), tdb = t(cols);
  try {
    const sfx = scalar ? '_scalar' : '';
    fx[`${name}_fwd${sfx}`]!(tx.ptr, th.ptr, ty.ptr, rows, cols, tg.ptr, tb.ptr, ts.ptr, Math.fround(eps));
    const y = ty.data.slice(), xhat = th.data.slice(), stat = ts.data.slice();
    fx[`${name}_bwd${sfx}`]!(tdy.ptr, th.ptr, tdx.ptr, rows, cols, tg.ptr, ts.ptr, tdg.ptr, tdb.ptr);
    return { y, xhat, stat, dx: tdx.data.slice(), dgamma: tdg.data.slice(), dbeta: tdb.data.slice() };
  } finally {
    for (const v of [tx, th, ty, tg, tb, ts, tdy, tdx, tdg, tdb]) v.dispose();
  }
}

function inputs(seed: number, rows: number, cols: number) {
  const r = rng(seed);
  const f = (n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
  return { x: f(rows * cols, -2, 2), gamma: f(cols, 0.5, 1.5), beta: f(cols, -0.5, 0.5), dy: f(rows * cols, -1, 1) };
}

const SHAPES: [number, number][] = [];
for (let rows = 1; rows <= 5; rows++) for (let cols = 1; cols <= 9; cols++) SHAPES.push([rows, cols]);
SHAPES.push([7, 17], [16, 33], [3, 64]);

describe('batchNorm and layerNorm kernels', () => {
  for (const kind of ['bn', 'ln'] as const) {
    it(`${kind}: SIMD and scalar twin give the same bits at every tail length (rows 1-5 x cols 1-9, and larger)`, () => {
      for (const [rows, cols] of SHAPES) {
        const { x, gamma, beta, dy } = inputs(rows * 100 + cols, rows, cols);
        const a = runNorm(kind, false, x, rows, cols, gamma, beta, dy, 1e-5), b = runNorm(kind, true, x, rows, cols, gamma, beta, dy, 1e-5);
        for (const k of ['y', 'xhat', 'dx', 'dgamma', 'dbeta'] as const) expect(bits(a[k]), `${kind} ${rows}x${cols} ${k}`).toEqual(bits(b[k]));
      }
    });

    it(`${kind}: forward within 2^-18 (1 + |y|) of the f64 reference; backward (dx, dgamma, dbeta) against f64 finite differences`, () => {
      const eps = 1e-5;
      for (const [rows, cols] of SHAPES) {
        // Layer norm of one feature (and batch norm of one row) is constant: its gradient is 0 (checked too).
        const { x, gamma, beta, dy } = inputs(rows * 31 + cols * 7, rows, cols);
        const got = runNorm(kind, false, x, rows, cols, gamma, beta, dy, eps);
        const X = Float64Array.from(x), G = Float64Array.from(gamma), B = Float64Array.from(beta);
        const y = reference(kind, X, rows, cols, G, B, Math.fround(eps));
        y.forEach((v, i) => expect(Math.abs(got.y[i]! - v), `${kind} ${rows}x${cols} y[${i}]`).toBeLessThanOrEqual(2 ** -18 * (1 + Math.abs(v))));
        // L = sum dy y; d L / d v by central differences in f64 (h relative to v).
        const loss = () => reference(kind, X, rows, cols, G, B, Math.fround(eps)).reduce((s, v, i) => s + v * dy[i]!, 0);
        const numeric = (arr: Float64Array, i: number) => {
          const v = arr[i]!, h = 1e-6 * Math.max(1, Math.abs(v));
          arr[i] = v + h; const up = loss(); arr[i] = v - h; const down = loss(); arr[i] = v;
          return (up - down) / (2 * h);
        };
        const check = (name: string, arr: Float64Array, g: Float32Array) => {
          const want = Array.from(arr, (_, i) => numeric(arr, i));
          const scale = Math.max(1, ...want.map(Math.abs));
          want.forEach((w, i) => expect(Math.abs(g[i]! - w), `${kind} ${rows}x${cols} ${name}[${i}] got ${g[i]} want ${w}`).toBeLessThanOrEqual(2e-4 * scale));
        };
        check('dx', X, got.dx); check('dgamma', G, got.dgamma); check('dbeta', B, got.dbeta);
      }
    });

    it(`${kind}: a NaN or infinity poisons its own ${kind === 'bn' ? 'column' : 'row'} only, in both kernels`, () => {
      const rows = 3, cols = 6;
      for (const special of [NaN, Infinity, -Infinity]) {
        const { x, gamma, beta, dy } = inputs(9, rows, cols);
        x[1 * cols + 4] = special;
        for (const scalar of [false, true]) {
          const r = runNorm(kind, scalar, x, rows, cols, gamma, beta, dy, 1e-5);
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < cols; j++) {
              const poisoned = kind === 'bn' ? j === 4 : i === 1;
              expect(Number.isNaN(r.y[i * cols + j]!), `${special} y[${i},${j}]`).toBe(poisoned);
              expect(Number.isNaN(r.dx[i * cols + j]!), `${special} dx[${i},${j}]`).toBe(poisoned);
            }
          }
        }
      }
    });
  }

  it('batchnorm_infer uses the running statistics (f64 reference); the twin gives the same bits; running update is PyTorch\'s', () => {
    for (const [rows, cols] of SHAPES) {
      const { x, gamma, beta } = inputs(rows + cols * 13, rows, cols);
      const r = rng(cols);
      const running = Float32Array.from({ length: 2 * cols }, (_, i) => Math.fround(i < cols ? r() - 0.5 : 0.2 + r()));
      const outs = [false, true].map((scalar) => {
        const tx = engine.tensor(x), ty = engine.tensor(rows * cols), tg = engine.tensor(gamma), tb = engine.tensor(beta), tr = engine.tensor(running), ts = engine.tensor(cols);
        fx[`batchnorm_infer${scalar ? '_scalar' : ''}`]!(tx.ptr, ty.ptr, rows, cols, tg.ptr, tb.ptr, tr.ptr, Math.fround(1e-3), ts.ptr);
        const y = ty.data.slice();
        for (const t of [tx, ty, tg, tb, tr, ts]) t.dispose();
        return y;
      });
      expect(bits(outs[0]!)).toEqual(bits(outs[1]!));
      const want = reference('bni', Float64Array.from(x), rows, cols, Float64Array.from(gamma), Float64Array.from(beta), Math.fround(1e-3), Float64Array.from(running));
      want.forEach((v, i) => expect(Math.abs(outs[0]![i]! - v)).toBeLessThanOrEqual(2 ** -18 * (1 + Math.abs(v))));
    }
    // running = (1 - m) running + m batch, unbiased variance.
    const stat = engine.tensor([1, 2, 0.5, 0.25, 0, 0]), run = engine.tensor([0, 0, 1, 1]);
    fx.batchnorm_running!(stat.ptr, run.ptr, 4, 2, Math.fround(0.1));
    expect(Array.from(run.data)).toEqual([0.1, 0.2, 0.9 + 0.1 * (0.5 * 4 / 3), 0.9 + 0.1 * (0.25 * 4 / 3)].map(Math.fround));
    stat.dispose(); run.dispose();
  });
});

describe('dropout kernels', () => {
  it('forward and backward multiply by the mask, SIMD and scalar alike, at every length; masks are 0 or 1 / keep', () => {
    for (let n = 0; n <= 19; n++) {
      const { x } = inputs(n, 1, Math.max(n, 1));
      const state = engine.tensor(4), mask = engine.tensor(Math.max(n, 1));
      fx.rng_seed!(state.ptr, 7);
      fx.rng_bernoulli_mask!(state.ptr, mask.ptr, n, Math.fround(0.75));
      for (const v of mask.data.subarray(0, n)) expect([0, Math.fround(1 / Math.fround(0.75))]).toContain(v);
      const tx = engine.tensor(x), a = engine.tensor(Math.max(n, 1)), b = engine.tensor(Math.max(n, 1));
      for (const op of ['fwd', 'bwd']) {
        fx[`dropout_${op}`]!(tx.ptr, mask.ptr, a.ptr, n);
        fx[`dropout_${op}_scalar`]!(tx.ptr, mask.ptr, b.ptr, n);
        expect(bits(a.data.subarray(0, n))).toEqual(bits(b.data.subarray(0, n)));
        for (let i = 0; i < n; i++) expect(a.data[i]).toBe(Math.fround(x[i]! * mask.data[i]!));
      }
      for (const t of [state, mask, tx, a, b]) t.dispose();
    }
  });
});

describe('the layers in networks', () => {
  const rows = 48, width = 6;
  const x = Float32Array.from({ length: rows * width }, (_, i) => Math.fround(Math.sin(i * 0.61) * 2));
  const y = Int32Array.from({ length: rows }, (_, r) => (x[r * width]! + x[r * width + 3]! > 0 ? 1 : 0));

  it('dropout is the identity in predict and evaluate; in training it drops about rate of the values, scaled by 1 / (1 - rate)', async () => {
    const plain = engine.network({ inputs: width, seed: 4 }).dense(2, 'linear').build({ loss: 'mse' });
    const dropped = engine.network({ inputs: width, seed: 4 }).dropout(0.5).dense(2, 'linear').build({ loss: 'mse' });
    expect(bits(dropped.predict(x))).toEqual(bits(plain.predict(x)));
    const t = new Float32Array(rows * 2);
    expect(dropped.evaluate(x, t).loss).toBe(plain.evaluate(x, t).loss);
    // lossAndGradients is deterministic (dropout off, nothing drawn): same result twice, state unchanged.
    const before = dropped.stateBytes();
    expect(dropped.lossAndGradients(x, t)).toEqual(plain.lossAndGradients(x, t));
    expect(dropped.stateBytes()).toEqual(before);
    // One sgd step (lr 1) from zero weights on inputs of ones and targets of ones: dW_j = -(2 / rows) sum_r mask[r, j],
    // so W_j rows / 4 counts the kept values of column j when each kept one is scaled by 1 / (1 - 0.5) = 2.
    const net = engine.network({ inputs: width, seed: 4 }).dropout(0.5).dense(1, 'linear', { init: 'zeros' }).build({ loss: 'mse', optimizer: { name: 'sgd', learningRate: 1 } });
    net.trainBatch(new Float32Array(rows * width).fill(1), new Float32Array(rows).fill(1));
    const kept = Array.from(net.parameters()[0]!.data, (w) => (w * rows) / 4);
    for (const k of kept) expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-4);
    const fraction = kept.reduce((a, b) => a + b, 0) / (rows * width);
    expect(fraction).toBeGreaterThan(0.4);
    expect(fraction).toBeLessThan(0.6);
    net.dispose();
    plain.dispose(); dropped.dispose();
  });

  it('a seeded run with dropout, batchNorm and layerNorm gives the same bits twice; different seeds differ', async () => {
    const make = (seed: number) => engine.network({ inputs: width, seed }).dense(12, 'relu').batchNorm().dropout(0.3).dense(8, 'gelu').layerNorm()
      .dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
    const runs = await Promise.all([1, 1, 2].map(async (seed) => {
      const net = make(seed);
      const h = await net.fit(x, y, { epochs: 5, batchSize: 8 });
      const out = { params: net.parameters().map((p) => bits(p.data)), loss: h.epochs.map((e) => e.loss), acc: net.evaluate(x, y).accuracy! };
      net.dispose();
      return out;
    }));
    expect(runs[0]).toEqual(runs[1]);
    expect(runs[0]!.params).not.toEqual(runs[2]!.params);
    expect(runs[0]!.loss[4]!).toBeLessThan(runs[0]!.loss[0]!);
  });

  it('batchNorm: predict uses the running statistics, which training moves toward the batch statistics', async () => {
    const net = engine.network({ inputs: width, seed: 3 }).batchNorm({ momentum: 1 }).dense(1, 'linear', { init: 'zeros' }).build({ loss: 'mse', optimizer: 'sgd' });
    const views = () => (net as unknown as { buffers(): { name: string; data: Float32Array }[] }).buffers();
    expect(views().map((b) => b.name)).toEqual(['batchNorm0.runningMean', 'batchNorm0.runningVar']);
    expect(Array.from(views()[1]!.data)).toEqual(new Array(width).fill(1));
    net.trainBatch(x, new Float32Array(rows));
    // momentum 1: the running statistics are the last batch's (unbiased variance).
    for (let j = 0; j < width; j++) {
      let m = 0, v = 0;
      for (let r = 0; r < rows; r++) m += x[r * width + j]!;
      m /= rows;
      for (let r = 0; r < rows; r++) v += (x[r * width + j]! - m) ** 2;
      expect(Math.abs(views()[0]!.data[j]! - m)).toBeLessThan(1e-5);
      expect(Math.abs(views()[1]!.data[j]! - v / (rows - 1))).toBeLessThan(1e-4);
    }
    net.dispose();
  });

  it('gamma and beta are parameters; freezing them keeps them while batchNorm statistics still follow the batches', async () => {
    const net = engine.network({ inputs: width, seed: 8 }).dense(5, 'tanh').batchNorm({ trainable: false }).layerNorm().dense(2, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.05 } });
    expect(net.parameters().map((p) => `${p.name}:${p.shape.join('x')}:${p.trainable}`)).toEqual([
      'dense0.weight:6x5:true', 'dense0.bias:5:true', 'batchNorm1.gamma:5:false', 'batchNorm1.beta:5:false',
      'layerNorm2.gamma:5:true', 'layerNorm2.beta:5:true', 'dense3.weight:5x2:true', 'dense3.bias:2:true',
    ]);
    expect(net.summary()).toMatch(/batchNorm1\s+5\s+-\s+10/);
    const frozen = net.parameters().slice(2, 4).map((p) => bits(p.data));
    const ln = bits(net.parameters()[4]!.data);
    await net.fit(x, y, { epochs: 2, batchSize: 16 });
    expect(net.parameters().slice(2, 4).map((p) => bits(p.data))).toEqual(frozen);
    expect(bits(net.parameters()[4]!.data)).not.toEqual(ln);
    net.setTrainable('batchNorm1', true);
    net.setTrainable(2, false);
    await net.fit(x, y, { epochs: 1, batchSize: 16 });
    expect(net.parameters().slice(2, 4).map((p) => bits(p.data))).not.toEqual(frozen);
    expect(() => net.setTrainable('dense1', true)).toThrow(InvalidArgumentError);
    net.dispose();
  });

  it('wrong settings are typed errors that say what to fix, and build nothing', () => {
    const b = engine.network({ inputs: 3 });
    for (const rate of [-0.1, 1, NaN, '0.5', 0.99999999]) expect(() => b.dropout(rate as number)).toThrow(InvalidParameterError);
    expect(() => b.batchNorm({ momentum: 1.5 })).toThrow(/momentum must be in \[0, 1\]/);
    expect(() => b.batchNorm({ epsilon: 0 })).toThrow(/epsilon must be a finite f32 > 0/);
    expect(() => b.layerNorm({ epsilon: 1e-50 })).toThrow(InvalidParameterError);
    expect(() => b.layerNorm({ eps: 1 } as never)).toThrow(/eps/);
    expect(() => b.batchNorm(null as never)).toThrow(InvalidArgumentError);
    expect(() => b.dense(3, 'relu').dropout(0.5).build({ loss: 'mse' })).toThrow(/last layer is dropout: end the network with \.dense/);
  });
});
