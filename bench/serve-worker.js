// The Worker bench/serve.js loads into Miniflare: the Worker example's handler options, the model as a Data module
// (with its training statistics, names and labels: net.metadata).
import { createEngine } from 'rectify';
import { createPredictHandler } from 'rectify/serve';
import modelBytes from './model.bin';

let handler;
export default {
  async fetch(request) {
    handler ??= createEngine().then((engine) => createPredictHandler(engine.loadNetwork(new Uint8Array(modelBytes)),
      { output: 'both', topK: 3, maxBatch: 32 }));
    return (await handler)(request);
  },
};
