// A tiny ONNX writer (protobuf wire format by hand) for dense networks: Gemm + activation nodes with f32
// initializers, and an onnxruntime-web (wasm execution provider, one thread) session over it. No model download.

/** Protobuf writer: varints, length-delimited fields. */
class Pb {
  constructor() { this.parts = []; this.len = 0; }
  bytes(b) { this.parts.push(b); this.len += b.length; return this; }
  varint(v) {
    const out = [];
    let x = BigInt(v);
    do { let byte = Number(x & 0x7fn); x >>= 7n; if (x) byte |= 0x80; out.push(byte); } while (x);
    return this.bytes(Uint8Array.from(out));
  }
  tag(field, wire) { return this.varint((field << 3) | wire); }
  int(field, v) { return this.tag(field, 0).varint(v); }
  lenDelim(field, b) { return this.tag(field, 2).varint(b.length).bytes(b); }
  str(field, s) { return this.lenDelim(field, new TextEncoder().encode(s)); }
  msg(field, pb) { return this.lenDelim(field, pb.finish()); }
  finish() { const out = new Uint8Array(this.len); let o = 0; for (const p of this.parts) { out.set(p, o); o += p.length; } return out; }
}

/** TensorProto: float initializer. */
function tensor(name, dims, data) {
  const t = new Pb();
  for (const d of dims) t.int(1, d);
  t.int(2, 1); // FLOAT
  t.str(8, name);
  t.lenDelim(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return t;
}

function node(op, inputs, outputs, name) {
  const n = new Pb();
  for (const i of inputs) n.str(1, i);
  for (const o of outputs) n.str(2, o);
  n.str(3, name).str(4, op);
  return n;
}

/** ValueInfoProto for a float tensor [N, width] (N symbolic). */
function valueInfo(name, width) {
  const dimN = new Pb().str(2, 'N');
  const dimW = new Pb().int(1, width);
  const shape = new Pb().msg(1, dimN).msg(1, dimW);
  const tt = new Pb().int(1, 1).msg(2, shape);
  const type = new Pb().msg(1, tt);
  return new Pb().str(1, name).msg(2, type);
}

const OPS = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid', softmax: 'Softmax', linear: null };

/**
 * ONNX model bytes for a dense network. `layers`: [{ W: Float32Array [in*out] row-major [in,out], b, in, out, act }].
 */
export function denseOnnx(layers) {
  const g = new Pb();
  let cur = 'x';
  layers.forEach((l, i) => {
    const z = `z${i}`;
    g.msg(1, node('Gemm', [cur, `W${i}`, `b${i}`], [z], `gemm${i}`));
    const op = OPS[l.act];
    if (op === undefined) throw new Error(`no ONNX op for ${l.act}`);
    if (op) { g.msg(1, node(op, [z], [`y${i}`], `act${i}`)); cur = `y${i}`; } else cur = z;
  });
  g.str(2, 'dense');
  layers.forEach((l, i) => { g.msg(5, tensor(`W${i}`, [l.in, l.out], l.W)); g.msg(5, tensor(`b${i}`, [l.out], l.b)); });
  g.msg(11, valueInfo('x', layers[0].in));
  g.msg(12, valueInfo(cur, layers[layers.length - 1].out));
  const m = new Pb();
  m.int(1, 8); // ir_version
  m.str(2, 'rectify-bench');
  m.msg(7, g);
  m.msg(8, new Pb().str(1, '').int(2, 13)); // opset 13
  return { bytes: m.finish(), output: cur };
}

/** onnxruntime-web session (wasm EP, one thread) over the dense network; returns an async inference function maker. */
export async function ortDense(layers) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const { bytes, output } = denseOnnx(layers);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  return {
    version: ort.env.versions?.web ?? '',
    infer(batch) {
      const x = new Float32Array(batch * layers[0].in);
      for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
      const feeds = { x: new ort.Tensor('float32', x, [batch, layers[0].in]) };
      return async () => { const r = await session.run(feeds); const y = r[output].data; r[output].dispose?.(); return y; };
    },
    dispose: () => session.release(),
  };
}
