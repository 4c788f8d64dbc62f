// A Cloudflare Worker that classifies 8x8 handwritten digits with a network trained offline (train.mjs).
//   POST /predict   body: { "pixels": [64 numbers] }   (8x8, row by row, 0 = background .. 1 = full ink)
//   -> { "class": 3, "probabilities": [10 numbers] }
//   Bad input -> 400 { "error": "..." } saying what to fix.
// `node train.mjs && npx wrangler dev` in this folder (wrangler.jsonc imports *.bin as Data modules). The `workerd`
// export condition gives an entry whose createEngine() imports rectify.wasm as a module (Workers cannot compile
// wasm from bytes at run time); the model arrives the same way, as an ArrayBuffer module.
import { RectifyError, createEngine, type Network } from 'rectify';
import modelBytes from './model.bin';

let model: Promise<Network> | undefined;   // one engine and network per isolate, loaded on the first request

function loadModel(): Promise<Network> {
  model ??= createEngine()
    .then((engine) => engine.loadNetwork(new Uint8Array(modelBytes)))
    .catch((e: unknown) => { model = undefined; throw e; });
  return model;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  return typeof v === 'object' ? 'an object' : String(v);
}

/** The pixels as a Float32Array, or the error message for the client. */
function parsePixels(body: unknown, inputs: number): Float32Array | string {
  const usage = `send { "pixels": [${inputs} numbers] } (8x8, row by row, 0 = background .. 1 = full ink)`;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return `the body must be a JSON object: ${usage}`;
  const pixels = (body as { pixels?: unknown }).pixels;
  if (!Array.isArray(pixels)) return `pixels must be an array of ${inputs} numbers, got ${describe(pixels)}`;
  if (pixels.length !== inputs) return `pixels must hold exactly ${inputs} numbers, got ${pixels.length}`;
  const x = new Float32Array(inputs);
  for (let i = 0; i < inputs; i++) {
    const v: unknown = pixels[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `pixels[${i}] must be a finite number, got ${describe(v)}`;
    x[i] = v;
  }
  return x;
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const net = await loadModel();
    if (url.pathname !== '/predict') {
      return json({ error: 'POST /predict with { "pixels": [...] }', inputs: net.inputs, classes: net.outputs }, 404);
    }
    if (request.method !== 'POST') return json({ error: 'use POST with a JSON body { "pixels": [...] }' }, 405);
    let body: unknown;
    try { body = await request.json(); } catch { return json({ error: 'the body must be JSON: { "pixels": [...] }' }, 400); }
    const x = parsePixels(body, net.inputs);
    if (typeof x === 'string') return json({ error: x }, 400);
    try {
      const p = net.predict(x);   // one row in, one row of class probabilities out (softmax)
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
      return json({ class: best, probabilities: Array.from(p) });
    } catch (e) {
      if (e instanceof RectifyError) return json({ error: e.message }, 400);
      throw e;
    }
  },
};
