// gemv_bias (assembly/nn/gemv.ts): one row through a dense layer, y = x W + b. It replaces gemm_nn(1, n, k) +
// add_bias_rows in the network's forward pass at one row, so it must give exactly their bits: in the baseline build,
// in the relaxed build (both fused alike), and its scalar twin in the twins build. Shapes cover every strip width
// (24, 8, 4 columns and the lone tail columns) and k = 0.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../dist/index.js';
import { KERNELS_WASM, rng } from './util.js';

type Gemv = (n: number, k: number, x: number, w: number, b: number, y: number) => void;
interface Ex {
  gemv_bias: Gemv;
  gemv_bias_scalar?: Gemv;
  gemm_nn(m: number, n: number, k: number, a: number, b: number, c: number, acc: number, s: number): void;
  add_bias_rows(c: number, b: number, m: number, n: number): void;
  gemm_scratch_bytes(m: number, n: number, k: number): number;
}

let twins: Engine, base: Engine;
let relaxed: Engine | undefined;
beforeAll(async () => {
  twins = await createEngine({ scalar: true });
  base = await createEngine({ wasm: KERNELS_WASM }); // rectify.wasm's code, gemm_nn and add_bias_rows exported
  const r = await createEngine({ relaxedSimd: true });
  relaxed = r.relaxedSimd ? r : undefined;
});

const SHAPES: [number, number][] = [
  [1, 1], [3, 5], [4, 7], [7, 3], [8, 16], [10, 128], [13, 9], [23, 5], [24, 3], [25, 4], [31, 2], [32, 33], [33, 1],
  [45, 17], [47, 6], [48, 2], [56, 9], [64, 0],
  [128, 256], [256, 784], [259, 31],
];

/** y of gemv_bias (and of its scalar twin when the build has it) next to gemm_nn(1, n, k) + add_bias_rows. */
function run(engine: Engine, n: number, k: number, seed: number) {
  const r = rng(seed);
  const ex = engine.exports as unknown as Ex;
  const x = engine.tensor(Math.max(1, k)), w = engine.tensor(Math.max(1, k * n)), b = engine.tensor(n);
  const y = engine.tensor(n), y2 = engine.tensor(n), y3 = engine.tensor(n);
  const s = engine.tensor(Math.ceil(ex.gemm_scratch_bytes(1, n, k) / 4) + 4);
  try {
    // Values of mixed sign and magnitude, some exact zeros and negative zeros (0 + -0 must stay +0 in both paths).
    const v = () => { const u = r(); return u < 0.05 ? 0 : u < 0.1 ? -0 : Math.fround((r() * 2 - 1) * 2 ** Math.floor(r() * 16 - 8)); };
    for (let i = 0; i < k; i++) x.data[i] = v();
    for (let i = 0; i < k * n; i++) w.data[i] = v();
    for (let i = 0; i < n; i++) b.data[i] = v();
    y.data.fill(NaN); y2.data.fill(NaN); y3.data.fill(NaN);
    ex.gemv_bias(n, k, x.ptr, w.ptr, b.ptr, y.ptr);
    ex.gemm_nn(1, n, k, x.ptr, w.ptr, y2.ptr, 0, s.ptr);
    ex.add_bias_rows(y2.ptr, b.ptr, 1, n);
    ex.gemv_bias_scalar?.(n, k, x.ptr, w.ptr, b.ptr, y3.ptr);
    return { got: y.data.slice(), gemm: y2.data.slice(), scalar: ex.gemv_bias_scalar ? y3.data.slice() : undefined };
  } finally {
    for (const t of [x, w, b, y, y2, y3, s]) t.dispose();
  }
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('gemv_bias', () => {
  it.each(SHAPES)('n %i, k %i: the bits of gemm_nn(1, n, k) + add_bias_rows and of the scalar twin', (n, k) => {
    for (const engine of [twins, base]) {
      const { got, gemm, scalar } = run(engine, n, k, 1000 + n * 7 + k);
      expect(bits(got)).toEqual(bits(gemm));
      if (scalar) expect(bits(scalar)).toEqual(bits(got));
    }
  });

  it.each(SHAPES)('relaxed build, n %i, k %i: the bits of its own gemm_nn(1, n, k) + add_bias_rows', (n, k) => {
    if (!relaxed) return;
    const { got, gemm } = run(relaxed, n, k, 2000 + n * 7 + k);
    expect(bits(got)).toEqual(bits(gemm));
  });

  it('is what a network forward pass at one row uses: predict of one row equals that row of a batch predict', () => {
    // At one row the forward pass takes gemv_bias; at several rows gemm_nn + add_bias_rows. Same bits per row.
    for (const engine of [base, twins, ...(relaxed ? [relaxed] : [])]) {
      const net = engine.network({ inputs: 37, seed: 5 }).dense(45, 'relu').dense(9, 'tanh').dense(3, 'softmax')
        .build({ loss: 'crossEntropy' });
      const r = rng(77);
      const xs = Float32Array.from({ length: 37 * 6 }, () => Math.fround(r() * 4 - 2));
      const all = net.predict(xs);
      for (let i = 0; i < 6; i++) {
        const one = net.predict(xs.slice(i * 37, (i + 1) * 37));
        expect(bits(one)).toEqual(bits(all.slice(i * 3, (i + 1) * 3)));
      }
      net.dispose();
    }
  });
});
