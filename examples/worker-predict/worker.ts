// A Cloudflare Worker that classifies 8x8 handwritten digits with a network trained offline (train.mjs), served by
// rectify/serve's createPredictHandler.
//   POST /predict   Content-Type: application/json
//                   { "inputs": [64 numbers] }  or a batch { "inputs": [[64 numbers], ...] } (up to 32 rows)
//                   (8x8, row by row, 0 = background .. 1 = full ink)
//   -> { "probabilities": [10 numbers], "top": [{ "class": 3, "label": "3", "probability": 0.99 }, ...] }
//   Bad input -> 4xx { "error": { "code", "message" } } saying what to fix; inputs far outside the training pixels
//   get "warnings" (and an X-Rectify-Warning header).
// `node train.mjs && npx wrangler@4.86.0 dev` in this folder (wrangler.jsonc imports *.bin as Data modules). The
// `workerd` export condition gives an entry whose createEngine() imports rectify.wasm as a module (Workers cannot
// compile wasm from bytes at run time); the model arrives the same way, as an ArrayBuffer module, with the training
// statistics, pixel names and labels the handler uses (net.metadata, saved by train.mjs).
import { createEngine } from 'rectify';
import { createPredictHandler } from 'rectify/serve';
import modelBytes from './model.bin';

type Handler = (request: Request) => Promise<Response>;
let handler: Promise<Handler> | undefined;   // one engine, network and handler per isolate, made on the first request

function loadHandler(): Promise<Handler> {
  handler ??= createEngine()
    .then((engine) => createPredictHandler(engine.loadNetwork(new Uint8Array(modelBytes)), {
      // The range check ('warn'; rangeCheck: 'reject' answers 422), pixel names and labels come from the model.
      output: 'both', topK: 3, maxBatch: 32,
      allowedOrigins: [],           // e.g. ['https://your.site'] to call it from pages on another origin
    }))
    .catch((e: unknown) => { handler = undefined; throw e; });
  return handler;
}

export default {
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== '/predict') {
      return Response.json({ error: { code: 'not_found', message: 'POST /predict with { "inputs": [64 numbers] }' } }, { status: 404 });
    }
    return (await loadHandler())(request);
  },
};
