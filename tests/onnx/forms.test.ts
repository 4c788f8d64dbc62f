// The ONNX forms live beside the rows (src/activations/<family>.ts, <FAMILY>_ONNX): every row has one, the writer and
// the reader in src/onnx/ name no activation, every form that reads back reads its own export bit for bit, and a node
// that no reader takes is a typed error naming what was found and what is read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, activationNames, createEngine, type Engine } from '../../dist/index.js';
import { fromOnnx, OnnxError, OPSET_MAX, OPSET_MIN, toOnnx } from '../../dist/onnx/index.js';
import { ACTIVATION_ONNX, type OnnxForm } from '../../dist/onnx/forms.js';
import { ACTIVATION_ONNX_DOCS } from '../../dist/onnx/form-docs.js';
import { PbWriter } from '../../dist/onnx/protobuf.js';
import { rng } from '../util.js';

const forms = ACTIVATION_ONNX as Readonly<Record<string, OnnxForm>>;
let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

describe('ONNX forms beside the rows', () => {
  it('every row of the table has a form, and nothing else has one', () => {
    for (const d of ACTIVATIONS) expect(forms[d.name], `${d.name} has no ONNX form: add it to its family's <FAMILY>_ONNX record`).toBeDefined();
    expect(Object.keys(forms).sort()).toEqual(ACTIVATIONS.map((d) => d.name as string).sort());
    expect(Object.keys(ACTIVATION_ONNX_DOCS).sort()).toEqual(Object.keys(forms).sort());
    expect(Object.values(forms).filter((f) => f.identity)).toHaveLength(1);
  });

  it('src/onnx/export.ts and import.ts name no activation', () => {
    const names = activationNames();
    for (const file of ['export.ts', 'import.ts']) {
      const src = readFileSync(join(import.meta.dirname, '..', '..', 'src', 'onnx', file), 'utf8');
      const found = names.filter((n) => new RegExp(`['"\`]${n}['"\`]`).test(src));
      expect(found, `${file} names ${found.join(', ')}`).toEqual([]);
    }
  });

  it('every form that reads back reads its own export bit for bit at the opsets where its written form is read', () => {
    const r = rng(5);
    for (const d of ACTIVATIONS) {
      const form = forms[d.name]!;
      let readOnce = false;
      for (let opset = OPSET_MIN; opset <= OPSET_MAX; opset++) {
        const net = engine.network({ inputs: 3, seed: 2 }).dense(5, d.name as never).dense(5, d.name as never).build({ loss: 'mse' });
        try {
          const x = Float32Array.from({ length: 30 * 3 }, () => r() * 6 - 3);
          const bytes = toOnnx(net, { opset });
          let back;
          try { back = fromOnnx(engine, bytes); } catch (e) {
            expect(e, `${d.name} opset ${opset}`).toBeInstanceOf(OnnxError);
            continue;
          }
          readOnce = true;
          expect(back.predict(x), `${d.name} opset ${opset}`).toEqual(net.predict(x));
          expect(back.toJSON().layers.map((l) => l.activation)).toEqual(net.toJSON().layers.map((l) => l.activation));
          back.dispose();
        } finally {
          net.dispose();
        }
      }
      expect(readOnce, `${d.name}: its form has ${form.read.length} readers; fromOnnx read its export at some opset`).toBe(form.read.length > 0 || !!form.identity);
    }
  });
});

// A Gemm 2 -> 2 and one activation node (attributes; constant inputs as initializers).
function oneNode(op: string, attrs: [string, number | string][] = [], inputs: Record<string, number> = {}): Uint8Array {
  const g = new PbWriter();
  const gemm = new PbWriter().string(1, 'input').string(1, 'W').string(1, 'b').string(2, 'z').string(3, 'gemm').string(4, 'Gemm');
  g.message(1, gemm);
  const n = new PbWriter().string(1, 'z');
  for (const k of Object.keys(inputs)) n.string(1, k);
  n.string(2, 'output').string(3, 'act').string(4, op);
  for (const [k, v] of attrs) {
    const a = new PbWriter().string(1, k);
    if (typeof v === 'string') a.bytes(4, new TextEncoder().encode(v)).int(20, 3);
    else a.float(2, v).int(20, 1);
    n.message(5, a);
  }
  g.message(1, n);
  const init = (name: string, dims: number[], vals: number[]) => {
    const t = new PbWriter();
    for (const d of dims) t.int(1, d);
    t.int(2, 1).string(8, name);
    const raw = new Uint8Array(vals.length * 4);
    vals.forEach((v, i) => new DataView(raw.buffer).setFloat32(i * 4, v, true));
    g.message(5, t.bytes(9, raw));
  };
  init('W', [2, 2], [1, 2, 3, 4]);
  init('b', [2], [0.5, -0.5]);
  for (const [k, v] of Object.entries(inputs)) init(k, [], [v]);
  const shape = new PbWriter().message(1, new PbWriter().string(2, 'N')).message(1, new PbWriter().int(1, 2));
  g.message(11, new PbWriter().string(1, 'input').message(2, new PbWriter().message(1, new PbWriter().int(1, 1).message(2, shape))));
  g.message(12, new PbWriter().string(1, 'output'));
  return new PbWriter().int(1, 8).message(7, g).message(8, new PbWriter().string(1, '').int(2, 17)).finish();
}

describe('subgraph forms are matched by generic code from the rows\' patterns', () => {
  it('Sub(x, Tanh(x)) after a Gemm reads as tanhShrink; a value used by more nodes than any pattern is a branch error naming the known subgraphs', () => {
    const net = engine.network({ inputs: 3, seed: 4 }).dense(4, 'tanhShrink').build({ loss: 'mse' });
    const back = fromOnnx(engine, toOnnx(net));
    expect(back.toJSON().layers[0]!.activation).toEqual({ name: 'tanhShrink' });
    const x = Float32Array.of(1, -2, 0.5, 3, 0.25, -1);
    expect(back.predict(x)).toEqual(net.predict(x));
    net.dispose(); back.dispose();
    // z feeds Tanh, Sub and Relu: three users, more than any pattern takes.
    const g = new PbWriter();
    const node = (ins: string[], out: string, op: string) => { const w = new PbWriter(); for (const i of ins) w.string(1, i); g.message(1, w.string(2, out).string(3, out).string(4, op)); };
    node(['input', 'W'], 'z', 'MatMul');
    node(['z'], 't', 'Tanh');
    node(['z', 't'], 's', 'Sub');
    node(['z'], 'r', 'Relu');
    node(['s', 'r'], 'output', 'Add');
    const t = new PbWriter().int(1, 2).int(1, 2).int(2, 1).string(8, 'W');
    const raw = new Uint8Array(16);
    [1, 0, 0, 1].forEach((v, i) => new DataView(raw.buffer).setFloat32(i * 4, v, true));
    g.message(5, t.bytes(9, raw));
    const shape = new PbWriter().message(1, new PbWriter().string(2, 'N')).message(1, new PbWriter().int(1, 2));
    g.message(11, new PbWriter().string(1, 'input').message(2, new PbWriter().message(1, new PbWriter().int(1, 1).message(2, shape))));
    g.message(12, new PbWriter().string(1, 'output'));
    const bytes = new PbWriter().int(1, 8).message(7, g).message(8, new PbWriter().string(1, '').int(2, 17)).finish();
    expect(() => fromOnnx(engine, bytes)).toThrow(OnnxError);
    expect(() => fromOnnx(engine, bytes)).toThrow(/not branches \(the only branches it knows are .*Erf.*\(gelu\)/);
  });
});

describe('ops several rows claim are read by the rows in table order', () => {
  const read = (bytes: Uint8Array) => { const n = fromOnnx(engine, bytes); const a = n.toJSON().layers[0]!.activation; n.dispose(); return a; };

  it('Clip: (0, none) relu, (0, 6) relu6, (lo, hi) hardTanh; Shrink: bias 0 hardShrink, bias = lambd softShrink; Gelu by approximate', () => {
    expect(read(oneNode('Clip', [], { lo: 0 }))).toMatchObject({ name: 'relu' });
    expect(read(oneNode('Clip', [], { lo: 0, hi: 6 }))).toMatchObject({ name: 'relu6' });
    expect(read(oneNode('Clip', [], { lo: -2, hi: 3 }))).toMatchObject({ name: 'hardTanh', minVal: -2, maxVal: 3 });
    expect(read(oneNode('Clip', [['min', 0], ['max', 6]]))).toMatchObject({ name: 'relu6' });
    expect(read(oneNode('Shrink', [['lambd', 0.75]]))).toMatchObject({ name: 'hardShrink', lambda: 0.75 });
    expect(read(oneNode('Shrink', [['lambd', 0.75], ['bias', 0.75]]))).toMatchObject({ name: 'softShrink', lambda: 0.75 });
    expect(read(oneNode('Gelu'))).toMatchObject({ name: 'gelu' });
    expect(read(oneNode('Gelu', [['approximate', 'tanh']]))).toMatchObject({ name: 'geluTanh' });
  });

  it('a node no reader takes is an OnnxError naming the values found and the forms read', () => {
    const cases: [Uint8Array, RegExp][] = [
      [oneNode('Clip', [], { lo: 3, hi: -1 }), /Clip node "act" \(min 3, max -1\) is none of the forms rectify reads: Clip\(0, none\) \(relu\), Clip\(0, 6\) \(relu6\), Clip\(lo, hi\) with lo < hi \(hardTanh\)/],
      [oneNode('Shrink', [['lambd', 0.5], ['bias', 0.25]]), /Shrink node "act" \(bias 0.25, lambd 0.5\) is none of the forms.*bias 0 \(hardShrink\).*bias = lambd \(softShrink\)/],
      [oneNode('Gelu', [['approximate', 'fast']]), /Gelu node "act" \(approximate "fast"\) is none of the forms/],
      [oneNode('Selu', [['alpha', 2]]), /Selu node "act" has alpha 2/],
    ];
    for (const [bytes, msg] of cases) expect(() => fromOnnx(engine, bytes)).toThrow(msg);
    expect(() => fromOnnx(engine, oneNode('Clip', [], { lo: 3, hi: -1 }))).toThrow(OnnxError);
  });
});
