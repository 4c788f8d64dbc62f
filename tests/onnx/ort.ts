// onnxruntime-web in Node (wasm execution provider, one thread, no proxy worker), as bench/nn-peers/onnx.js loads it.
type Ort = typeof import('onnxruntime-web');
let ortP: Promise<Ort> | undefined;

/** The onnxruntime-web module, configured once. */
export function ort(): Promise<Ort> {
  ortP ??= import('onnxruntime-web').then((m) => {
    m.env.wasm.numThreads = 1;
    m.env.wasm.proxy = false;
    return m;
  });
  return ortP;
}

/** Runs an ONNX model on rows x width float32 inputs; returns the flat output. */
export async function runOnnx(model: Uint8Array, x: Float32Array, rows: number, inputName = 'input', outputName = 'output'): Promise<Float32Array> {
  const o = await ort();
  const session = await o.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'disabled' });
  try {
    const feeds = { [inputName]: new o.Tensor('float32', x, [rows, x.length / rows]) };
    const r = await session.run(feeds);
    const out = r[outputName];
    if (!out) throw new Error(`no output ${outputName}; outputs: ${Object.keys(r).join(', ')}`);
    return Float32Array.from(out.data as Float32Array);
  } finally {
    await session.release();
  }
}
