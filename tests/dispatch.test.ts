// The network's single-call training step reaches activations by number (their index in the kernel table).
// For every row: dispatching by number gives the same bits as the named kernels.
import { expect, it } from 'vitest';
import { ACTIVATIONS, createEngine, type ActivationDef } from '../dist/index.js';
import { KERNELS_WASM, rng } from './util.js';

type Fn = (...a: number[]) => number;

it.each((ACTIVATIONS as readonly ActivationDef[]).map((d, i) => [d.name, i, d] as const))('%s is number %i in the dispatch', async (name, id, def) => {
  const engine = await createEngine({ wasm: KERNELS_WASM }); // act_fwd and friends are exported there
  const fx = engine.exports as unknown as Record<string, Fn>;
  const rows = 3, cols = 7, n = rows * cols;
  const r = rng(id + 1);
  const x = engine.tensor(Float32Array.from({ length: n }, () => def.range[0] + (def.range[1] - def.range[0]) * r()));
  const dy = engine.tensor(Float32Array.from({ length: n }, () => r() - 0.5));
  const a = engine.tensor(n), b = engine.tensor(n);
  const act = engine.activation(name as never);
  const p = act.paramPtr;
  const bits = (t: { data: Float32Array }) => Array.from(new Uint32Array(t.data.slice().buffer));
  if (def.kind === 'rowwise') {
    fx.act_fwd!(id, x.ptr, a.ptr, rows, cols, p, 0);
    fx[`${name}_fwd`]!(x.ptr, b.ptr, rows, cols);
    expect(bits(a)).toEqual(bits(b));
    const y = engine.tensor(b.data);
    fx.act_bwd!(id, x.ptr, y.ptr, dy.ptr, a.ptr, rows, cols, p, 0);
    fx[`${name}_bwd`]!(y.ptr, dy.ptr, b.ptr, rows, cols);
    expect(bits(a)).toEqual(bits(b));
    return;
  }
  fx.act_fwd!(id, x.ptr, a.ptr, rows, cols, p, 0);
  fx[`${name}_fwd`]!(x.ptr, b.ptr, n, p);
  expect(bits(a)).toEqual(bits(b));
  fx.act_bwd!(id, x.ptr, 0, dy.ptr, a.ptr, rows, cols, p, 0);
  fx[`${name}_bwd`]!(x.ptr, dy.ptr, b.ptr, n, p);
  expect(bits(a)).toEqual(bits(b));
  if (def.params.some((q) => q.trainable)) {
    const g1 = engine.tensor(8), g2 = engine.tensor(8);
    fx.act_pgrad!(id, x.ptr, dy.ptr, rows, cols, p, g1.ptr, 0);
    fx[`${name}_pgrad`]!(x.ptr, dy.ptr, n, p, g2.ptr);
    expect(bits(g1)).toEqual(bits(g2));
    expect(g1.data.some((v) => v !== 0)).toBe(true);
  }
  if (def.name === 'sbaf') {
    const sg = engine.activation({ name: 'sbaf', domain: 'sigmoid' } as never);
    fx.act_fwd!(id, x.ptr, a.ptr, rows, cols, sg.paramPtr, 2);
    fx.sbaf_sigmoid_fwd!(x.ptr, b.ptr, n, sg.paramPtr);
    expect(bits(a)).toEqual(bits(b));
    fx.act_bwd!(id, x.ptr, 0, dy.ptr, a.ptr, rows, cols, sg.paramPtr, 2);
    fx.sbaf_sigmoid_bwd!(x.ptr, dy.ptr, b.ptr, n, sg.paramPtr);
    expect(bits(a)).toEqual(bits(b));
  }
  if (def.perUnit) {
    const pu = engine.activation({ name, units: cols } as never);
    fx.act_fwd!(id, x.ptr, a.ptr, rows, cols, pu.paramPtr, 1);
    fx[`${name}_pu_fwd`]!(x.ptr, b.ptr, rows, cols, pu.paramPtr);
    expect(bits(a)).toEqual(bits(b));
  }
});
