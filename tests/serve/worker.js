// The serving cases' app in workerd (Miniflare): the package's workerd entry, the model as a Data module.
import { createEngine } from 'rectify';
import * as serve from 'rectify/serve';
import modelBytes from './model.bin';

import { makeApp, runCases } from './cases.js';

let app;
export default {
  // The fixture (training statistics, labels, test rows) comes as a JSON binding.
  async fetch(request, env) {
    app ??= createEngine().then((engine) => makeApp(serve, engine.loadNetwork(new Uint8Array(modelBytes)), env.FIXTURE));
    const handler = await app;
    // /__cases: every case built and sent inside workerd (the handler called directly, as a Worker's fetch would).
    if (new URL(request.url).pathname === '/__cases') {
      return Response.json(await runCases(env.FIXTURE, 'http://localhost', handler));
    }
    return handler(request);
  },
};
