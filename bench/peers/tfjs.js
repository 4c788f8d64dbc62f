// Peer: @tensorflow/tfjs-core with the WebAssembly backend (XNNPACK), loaded in Node, one thread.
//
// What is measured:
// - forward: one tfjs op (or a short chain of ops when tfjs has no kernel for the activation; such rows are
//   marked `composed`) on a pre-created tensor, then `dispose()` of the output. The wasm backend runs its
//   kernels synchronously inside the op call, so the output is complete when the op returns (init() checks the
//   values once against a plain JS reference, so we know the work is really done). No dataSync copy is timed.
// - backward: `tf.grad(f)(x, dy)`, i.e. dx = dy * f'(x) the way a tfjs user gets it. This re-runs the forward
//   (tfjs records the tape during the forward) plus the gradient ops, and disposes every intermediate
//   (tf.tidy). It is therefore "forward + backward" for tfjs; rectify's backward kernel takes x and dy only.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Activations tfjs offers, mapped to our names. `composed`: no single tfjs op; built from several. */
function opTable(tf) {
  const geluTanh = (x) => tf.tidy(() => {
    // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  });
  return {
    relu: { f: (x) => tf.relu(x) },
    relu6: { f: (x) => tf.relu6(x) },
    leakyRelu: { f: (x) => tf.leakyRelu(x, 0.01), note: 'alpha 0.01 passed explicitly (tfjs default is 0.2)' },
    prelu: { f: (x, s) => tf.prelu(x, s.alpha), note: 'one shared alpha 0.25 (scalar tensor)' },
    elu: { f: (x) => tf.elu(x), note: 'alpha fixed at 1 (tfjs has no alpha)' },
    selu: { f: (x) => tf.selu(x) },
    sigmoid: { f: (x) => tf.sigmoid(x) },
    tanh: { f: (x) => tf.tanh(x) },
    softplus: { f: (x) => tf.softplus(x) },
    geluTanh: { f: geluTanh, composed: true, note: 'tfjs-core has no gelu op: tanh form built from 7 ops' },
    silu: { f: (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))), composed: true, note: 'no silu/swish op in tfjs-core: x * sigmoid(x)' },
    gelu: {
      f: (x) => tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1))),
      composed: true, note: 'no gelu op in tfjs-core: erf form built from 5 ops (tf.erf)',
    },
    mish: { f: (x) => tf.tidy(() => tf.mul(x, tf.tanh(tf.softplus(x)))), composed: true, note: 'x * tanh(softplus(x))' },
    softsign: { f: (x) => tf.tidy(() => tf.div(x, tf.add(tf.abs(x), 1))), composed: true, note: 'x / (1 + |x|)' },
    hardTanh: { f: (x) => tf.clipByValue(x, -1, 1), note: 'tf.clipByValue(x, -1, 1)' },
    logSigmoid: { f: (x) => tf.logSigmoid(x), note: 'composite op in tfjs-core' },
    softmax: { f: (x) => tf.softmax(x), rowwise: true },
    logSoftmax: { f: (x) => tf.logSoftmax(x), rowwise: true, note: 'composite op in tfjs-core (no wasm kernel of its own)' },
  };
}

let loaded;
let full;
/** The @tensorflow/tfjs umbrella namespace (layers, optimizers), with the wasm backend set up by loadTfjs(). */
export async function loadTfjsFull() {
  await loadTfjs();
  return full;
}
/** Loads tfjs-core and the wasm backend once; returns the tf namespace. */
export async function loadTfjs() {
  if (loaded) return loaded;
  const tf = await import('@tensorflow/tfjs-core');
  // tfjs-core's Node bundle carries no gradient functions; the @tensorflow/tfjs umbrella bundle registers them
  // (on the same, deduplicated tfjs-core instance), as it does for every tfjs user who trains.
  full = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  wasm.setWasmPaths(dir + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, expected wasm`);
  loaded = tf;
  return tf;
}

/**
 * Prepares the tfjs side for one activation.
 * @param {string} name our activation name
 * @param {{ x: Float32Array, dy: Float32Array, rows: number, cols: number }} input
 * @returns {Promise<null | { forward, backward, note, backwardError, dispose, check }>} null when tfjs lacks it.
 */
export async function tfjsPeer(name, input) {
  const tf = await loadTfjs();
  const entry = opTable(tf)[name];
  if (!entry) return null;
  const shape = entry.rowwise ? [input.rows, input.cols] : [input.x.length];
  const x = tf.tensor(input.x, shape, 'float32');
  const dy = tf.tensor(input.dy, shape, 'float32');
  const state = { alpha: tf.scalar(0.25) };
  const f = (t) => entry.f(t, state);
  const forward = () => { f(x).dispose(); };
  let backward = null;
  let backwardError;
  const g = tf.grad((t) => f(t));
  try {
    tf.tidy(() => g(x, dy)).dispose();
    backward = () => { g(x, dy).dispose(); };
  } catch (e) {
    backwardError = String(e && e.message || e).split('\n')[0];
  }
  return {
    forward,
    backward,
    note: entry.note,
    composed: !!entry.composed,
    backwardError,
    /** Output arrays, for checking against the plain JS reference. */
    values() {
      const y = f(x); const yv = y.dataSync().slice(); y.dispose();
      let dxv;
      if (backward) { const d = g(x, dy); dxv = d.dataSync().slice(); d.dispose(); }
      return { y: yv, dx: dxv };
    },
    dispose() { x.dispose(); dy.dispose(); state.alpha.dispose(); },
    numTensors: () => tf.memory().numTensors,
  };
}
