// rectify on Cloudflare Workers: activations as an HTTP API.
//   POST /activation/<name>   body: { "x": [...], "dy"?: [...], "params"?: { ... } }
//   -> { "y": [...], "dx"?: [...] }  (dx = dy * f'(x) when dy is given)
// `wrangler dev` / `wrangler deploy` with wrangler.jsonc beside this file. The `workerd` export condition gives an
// entry whose createEngine() imports rectify.wasm as a module (Workers cannot compile wasm at run time).
// (Serving a trained network's predictions comes with the network API.)
import { RectifyError, activationNames, createEngine, type Engine } from 'rectify';

let enginePromise: Promise<Engine> | undefined;   // one engine per isolate, created on the first request

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const match = /^\/activation\/([A-Za-z0-9]+)$/.exec(url.pathname);
    if (!match) return json({ error: 'POST /activation/<name>', names: activationNames() }, 404);
    if (request.method !== 'POST') return json({ error: 'use POST with a JSON body { x, dy?, params? }' }, 405);
    let body: { x?: unknown; dy?: unknown; params?: Record<string, number> };
    try { body = await request.json(); } catch { return json({ error: 'the body must be JSON' }, 400); }
    if (!Array.isArray(body.x)) return json({ error: 'x must be an array of numbers' }, 400);
    const engine = await (enginePromise ??= createEngine());
    try {
      const act = engine.activation({ ...body.params, name: match[1] } as never);
      try {
        const x = Float32Array.from(body.x as number[]);
        const out: { y: number[]; dx?: number[] } = { y: Array.from(act.forward(x)) };
        if (Array.isArray(body.dy)) out.dx = Array.from(act.backward(x, Float32Array.from(body.dy as number[])));
        return json(out);
      } finally {
        act.dispose();
      }
    } catch (e) {
      // Unknown names, bad parameters, shape mismatches: RectifyErrors say what to fix.
      if (e instanceof RectifyError) return json({ error: e.message }, 400);
      throw e;
    }
  },
};
