// brain.js 2.0.0-beta.24 NeuralNetwork (plain JS, per-sample SGD; output layer is always sigmoid, loss is squared error).
export async function brainDense(inputs, hidden, outputs, activation) {
  const brain = (await import('brain.js')).default;
  const net = new brain.NeuralNetwork({ hiddenLayers: hidden, activation, learningRate: 0.01 });
  let s = 777;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  const sample = () => ({ input: Float32Array.from({ length: inputs }, rnd), output: Float32Array.from({ length: outputs }, rnd) });
  // One call of train() sizes and initializes the network; steps then go through trainPattern (one sample each),
  // which is what train() runs per sample per iteration, without its per-call data validation and formatting.
  net.train([sample()], { iterations: 1 });
  return {
    /** `batch` samples of per-sample SGD (brain.js has no mini-batches). */
    trainStep(batch) {
      // A pool of different samples (random targets), cycled: one repeated sample would be fitted exactly.
      const size = Math.max(16, batch * 4);
      const data = Array.from({ length: size }, sample);
      let k = 0;
      return () => { for (let i = 0; i < batch; i++) { net.trainPattern(data[k], false); k = (k + 1) % size; } };
    },
    infer(batch) {
      const data = Array.from({ length: batch }, () => sample().input);
      return () => { let y; for (let i = 0; i < batch; i++) y = net.run(data[i]); return y; };
    },
  };
}
