// Peer for the network benchmarks (bench/nn.js): brain.js 2.0.0-beta.24, CPU NeuralNetwork (plain JS loops).
// brain.js trains one sample at a time (online SGD with momentum); it has no mini-batch. "Train step, batch k" is
// therefore k calls of `trainPattern` (k weight updates), which is how brain.js would consume k samples.
import { createRequire } from 'node:module';
import { rng } from '../lib.js';

const require = createRequire(import.meta.url);

/**
 * A sizes[0]-...-sizes[last] net with `activation` hidden units (brain.js applies it to every layer).
 * @returns {{ trainStep(batch): () => void, infer(): () => void, dispose(): void }}
 */
export function brainNet(sizes, { activation = 'tanh', learningRate = 0.01 } = {}) {
  const brain = require('brain.js');
  const net = new brain.NeuralNetwork({ hiddenLayers: sizes.slice(1, -1), activation, learningRate });
  const r = rng(7);
  const sample = () => ({
    input: Float32Array.from({ length: sizes[0] }, () => r() * 2 - 1),
    output: Float32Array.from({ length: sizes.at(-1) }, () => r() * 0.8 - 0.4),
  });
  // One iteration of train() sizes and initializes the net; trainPattern then does forward, deltas and update.
  net.train([sample()], { iterations: 1, log: false });
  return {
    trainStep(batch) {
      const data = Array.from({ length: batch }, sample);
      return () => { for (let i = 0; i < batch; i++) net.trainPattern(data[i], false); };
    },
    infer() {
      const { input } = sample();
      return () => net.run(input);
    },
    dispose() {},
  };
}
