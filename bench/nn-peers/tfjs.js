// @tensorflow/tfjs-core + tfjs-layers on the wasm backend (XNNPACK, SIMD; threads are off in Node).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let tfp;
/** tfjs-core with the wasm backend ready (once). */
export async function tfjsWasm() {
  tfp ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    wasm.setWasmPaths(join(dir, 'dist') + '/');
    await tf.setBackend('wasm');
    await tf.ready();
    const tfl = await import('@tensorflow/tfjs-layers');
    return { tf, tfl };
  })();
  return tfp;
}

function fill(a, seed) {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 2 ** 32 - 0.5; }
  return a;
}

/** tf.matMul of two n x n matrices (the product is computed synchronously by the wasm backend). */
export async function tfjsMatmul(n) {
  const { tf } = await tfjsWasm();
  const a = tf.tensor2d(fill(new Float32Array(n * n), 1), [n, n]);
  const b = tf.tensor2d(fill(new Float32Array(n * n), 2), [n, n]);
  return { fn: () => { const c = tf.matMul(a, b); c.dispose(); }, dispose: () => { a.dispose(); b.dispose(); } };
}

/**
 * A Keras-style sequential dense model. `sizes`: [inputs, ...units]; `acts`: one activation per layer;
 * `loss`: 'categoricalCrossentropy' | 'meanSquaredError'.
 */
export async function tfjsDense(sizes, acts, loss, lr) {
  const { tf, tfl } = await tfjsWasm();
  const model = tfl.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(tfl.layers.dense({ units: sizes[i], activation: acts[i - 1], ...(i === 1 ? { inputShape: [sizes[0]] } : {}) }));
  }
  model.compile({ optimizer: tf.train.sgd(lr), loss });
  const held = [];
  const out = sizes[sizes.length - 1];
  return {
    tf,
    /** One trainOnBatch on a fixed random batch (one-hot targets for cross-entropy). */
    trainStep(batch) {
      const x = tf.tensor2d(fill(new Float32Array(batch * sizes[0]), 3), [batch, sizes[0]]);
      const yv = new Float32Array(batch * out);
      if (loss === 'categoricalCrossentropy') for (let r = 0; r < batch; r++) yv[r * out + (r % out)] = 1;
      else fill(yv, 4);
      const y = tf.tensor2d(yv, [batch, out]);
      held.push(x, y);
      return () => model.trainOnBatch(x, y);
    },
    /** predict + dataSync (the caller gets the numbers, as with the other sides). */
    infer(batch) {
      const xv = fill(new Float32Array(batch * sizes[0]), 5);
      return () => tf.tidy(() => model.predict(tf.tensor2d(xv, [batch, sizes[0]])).dataSync());
    },
    dispose() { for (const t of held) t.dispose(); model.dispose(); },
  };
}
