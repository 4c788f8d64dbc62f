// Peer for the network benchmarks (bench/nn.js): a tfjs-layers MLP on the wasm backend.
// Training step: one SGD step on one batch through `optimizer.minimize` (synchronous, disposes its intermediates);
// this skips model.fit/trainOnBatch's async bookkeeping, so it is the fastest a tfjs user can train this model.
// Inference: `model.predict` inside tf.tidy, output disposed (the wasm backend is synchronous).
import { loadTfjsFull } from './tfjs.js';
import { uniform, rng } from '../lib.js';

/** One-hot labels, seeded. */
function oneHot(batch, classes, seed) {
  const r = rng(seed);
  const out = new Float32Array(batch * classes);
  for (let i = 0; i < batch; i++) out[i * classes + Math.floor(r() * classes)] = 1;
  return out;
}

/**
 * A dense MLP (`hidden` activation, linear output; loss softmax cross-entropy or meanSquaredError) in tfjs-layers.
 * @param {number[]} sizes e.g. [784, 256, 128, 10]
 * @returns {Promise<{ trainStep(batch): () => void, infer(batch): () => void, dispose(): void }>}
 */
export async function tfjsMlp(sizes, { hidden = 'relu', lr = 0.01, loss = 'softmaxCrossEntropy' } = {}) {
  const tf = await loadTfjsFull();
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${tf.getBackend()}, expected wasm`);
  const model = tf.sequential();
  for (let i = 1; i < sizes.length; i++) {
    model.add(tf.layers.dense({
      units: sizes[i], activation: i === sizes.length - 1 ? 'linear' : hidden,
      ...(i === 1 ? { inputShape: [sizes[0]] } : {}),
    }));
  }
  const optimizer = tf.train.sgd(lr);
  const held = [];
  const batchData = (batch, seed) => {
    const x = tf.tensor2d(uniform(batch * sizes[0], 0, 1, seed), [batch, sizes[0]]);
    const k = sizes.at(-1);
    const y = tf.tensor2d(loss === 'softmaxCrossEntropy' ? oneHot(batch, k, seed + 1) : uniform(batch * k, -0.4, 0.4, seed + 1),
      [batch, k]);
    held.push(x, y);
    return { x, y };
  };
  return {
    trainStep(batch) {
      const { x, y } = batchData(batch, 1000 + batch);
      const lossFn = tf.losses[loss];
      return () => { optimizer.minimize(() => lossFn(y, model.apply(x)), false); };
    },
    infer(batch) {
      const { x } = batchData(batch, 2000 + batch);
      return () => { tf.tidy(() => model.predict(x)).dispose(); };
    },
    dispose() { for (const t of held) t.dispose(); model.dispose(); optimizer.dispose(); },
  };
}
