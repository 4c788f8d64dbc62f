// The Worker bench/serve.js loads into Miniflare: the Worker example's handler options, the model as a Data module,
// the training statistics as a JSON binding (STATS).
import { createEngine } from 'rectify';
import { createPredictHandler } from 'rectify/serve';
import modelBytes from './model.bin';

let handler;
export default {
  async fetch(request, env) {
    handler ??= createEngine().then((engine) => createPredictHandler(engine.loadNetwork(new Uint8Array(modelBytes)),
      { featureStats: env.STATS, output: 'both', topK: 3, maxBatch: 32 }));
    return (await handler)(request);
  },
};
