// The serving cases every runtime runs (Node directly and via node:http, workerd, Deno, Bun), plain JS so each
// runtime can import it. makeApp builds the handlers from the same options everywhere; runCases sends each case and
// returns what came back, for the Node test to check (statuses, codes, headers, and predictions bit for bit).

/**
 * Four handlers on one app: /reject rejects far-out inputs with 422, every other path only warns; /meta and
 * /meta-reject get no statistics, names or labels in their options: they use what the network carries (net.metadata,
 * from the saved model outside Node).
 */
export function makeApp(serve, net, fixture) {
  const base = { allowedOrigins: ['https://app.example'], maxBatch: 8, maxBodyBytes: 64 * 1024, output: 'both', topK: 3 };
  const common = { ...base, featureStats: fixture.stats, labels: fixture.labels };
  const handlers = {
    '/reject': serve.createPredictHandler(net, { ...common, rangeCheck: 'reject' }),
    '/meta': serve.createPredictHandler(net, base),
    '/meta-reject': serve.createPredictHandler(net, { ...base, rangeCheck: 'reject' }),
  };
  const warn = serve.createPredictHandler(net, { ...common, rangeCheck: 'warn' });
  return (request) => (handlers[new URL(request.url).pathname] ?? warn)(request);
}

const JSON_TYPE = { 'content-type': 'application/json' };
const FIVE_MB = 5 * 1024 * 1024;

function bigJson() {
  return `{"inputs":[${'0.5,'.repeat(FIVE_MB / 4)}0]}`;
}

function bigStream() {
  let sent = 0;
  const chunk = new TextEncoder().encode('0.5,'.repeat(16384));
  return new ReadableStream({
    start(c) { c.enqueue(new TextEncoder().encode('{"inputs":[')); },
    pull(c) {
      if (sent >= FIVE_MB) { c.enqueue(new TextEncoder().encode('0]}')); c.close(); return; }
      sent += chunk.byteLength;
      c.enqueue(chunk);
    },
  });
}

/** Each case: how to make the request, and the status (and error code) it must get. */
export function cases(fixture) {
  const [r0, r1, r2] = fixture.rows;
  const far = r0.slice(); far[3] = -5; far[10] = 1e30;
  const w = r0.length;
  const post = (body, headers = JSON_TYPE) => ({ method: 'POST', headers, body });
  return [
    { name: 'single row', ...post(JSON.stringify({ inputs: r0 })), status: 200, rows: [0] },
    { name: 'batch of 3', ...post(JSON.stringify({ inputs: [r0, r1, r2] })), status: 200, rows: [0, 1, 2] },
    { name: 'far outside the range: warned', ...post(JSON.stringify({ inputs: far })), status: 200, far: true },
    { name: 'far outside the range: rejected', path: '/reject', ...post(JSON.stringify({ inputs: far })), status: 422, code: 'out_of_range' },
    { name: 'in range on /reject', path: '/reject', ...post(JSON.stringify({ inputs: r1 })), status: 200, rows: [1] },
    { name: 'request id echoed', ...post(JSON.stringify({ inputs: r0 }), { ...JSON_TYPE, 'x-request-id': 'req-123.abc' }), status: 200, rows: [0], requestId: 'req-123.abc' },
    { name: 'invalid request id replaced', ...post(JSON.stringify({ inputs: r0 }), { ...JSON_TYPE, 'x-request-id': 'no spaces allowed' }), status: 200, rows: [0], requestId: 'fresh' },
    { name: 'allowed origin gets CORS headers', ...post(JSON.stringify({ inputs: r0 }), { ...JSON_TYPE, origin: 'https://app.example' }), status: 200, rows: [0], cors: 'https://app.example' },
    { name: 'other origin gets no CORS headers', ...post(JSON.stringify({ inputs: r0 }), { ...JSON_TYPE, origin: 'https://evil.example' }), status: 200, rows: [0], cors: null },
    { name: 'preflight from an allowed origin', method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' }, status: 204, preflight: true },
    { name: 'preflight from another origin', method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, status: 403, code: 'origin_not_allowed', allow: true },
    { name: 'GET', method: 'GET', headers: {}, status: 405, code: 'method_not_allowed', allow: true },
    { name: 'PUT', method: 'PUT', headers: JSON_TYPE, body: '{}', status: 405, code: 'method_not_allowed', allow: true },
    { name: 'text/plain', ...post(JSON.stringify({ inputs: r0 }), { 'content-type': 'text/plain' }), status: 415, code: 'unsupported_media_type' },
    { name: 'latin-1 charset', ...post(JSON.stringify({ inputs: r0 }), { 'content-type': 'application/json; charset=iso-8859-1' }), status: 415, code: 'unsupported_media_type' },
    { name: 'bad JSON', ...post('{"inputs": [1, 2'), status: 400, code: 'invalid_json' },
    { name: 'NaN literal', ...post(`{"inputs": [NaN${',0'.repeat(w - 1)}]}`), status: 400, code: 'invalid_json' },
    { name: 'empty body', ...post(''), status: 400, code: 'empty_body' },
    { name: 'invalid UTF-8', ...post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), status: 400, code: 'invalid_utf8' },
    { name: 'not an object', ...post('[1, 2]'), status: 400, code: 'invalid_body' },
    { name: 'no inputs', ...post('{"pixels": []}'), status: 400, code: 'invalid_body' },
    { name: 'wrong width', ...post(JSON.stringify({ inputs: [0, 0.5, 1] })), status: 400, code: 'wrong_width' },
    { name: 'wrong width in a batch row', ...post(JSON.stringify({ inputs: [r0, [1, 2]] })), status: 400, code: 'wrong_width' },
    { name: 'a string value', ...post(JSON.stringify({ inputs: [...r0.slice(0, w - 1), 'a'] })), status: 400, code: 'not_a_number' },
    { name: 'null value', ...post(JSON.stringify({ inputs: [null, ...r0.slice(1)] })), status: 400, code: 'not_a_number' },
    { name: '1e400 (Infinity as a double)', ...post(`{"inputs": [1e400${',0'.repeat(w - 1)}]}`), status: 400, code: 'not_finite' },
    { name: '1e39 (Infinity as f32)', ...post(`{"inputs": [1e39${',0'.repeat(w - 1)}]}`), status: 400, code: 'f32_overflow' },
    { name: 'batch too large', ...post(JSON.stringify({ inputs: Array(9).fill(r0) })), status: 400, code: 'batch_too_large' },
    { name: 'metadata: single row', path: '/meta', ...post(JSON.stringify({ inputs: r0 })), status: 200, rows: [0] },
    { name: 'metadata: batch of 3', path: '/meta', ...post(JSON.stringify({ inputs: [r0, r1, r2] })), status: 200, rows: [0, 1, 2] },
    { name: 'metadata: far outside the range: warned', path: '/meta', ...post(JSON.stringify({ inputs: far })), status: 200, far: true },
    { name: 'metadata: far outside the range: rejected', path: '/meta-reject', ...post(JSON.stringify({ inputs: far })), status: 422, code: 'out_of_range' },
    { name: 'metadata: in range on /meta-reject', path: '/meta-reject', ...post(JSON.stringify({ inputs: r1 })), status: 200, rows: [1] },
    { name: 'metadata: preflight', path: '/meta', method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' }, status: 204, preflight: true },
    { name: 'metadata: wrong width', path: '/meta', ...post(JSON.stringify({ inputs: [0, 0.5, 1] })), status: 400, code: 'wrong_width' },
    { name: '5 MB body (Content-Length)', ...post(bigJson()), status: 413, code: 'body_too_large', big: true },
    { name: '5 MB body (streamed, no Content-Length)', ...post(bigStream), status: 413, code: 'body_too_large', big: true },
  ];
}

/** The Request of one case against base (`http://localhost` for a direct call, the server's URL otherwise). */
export function requestOf(base, c) {
  const init = { method: c.method, headers: c.headers };
  if (c.body !== undefined) {
    init.body = typeof c.body === 'function' ? c.body() : c.body;
    if (typeof c.body === 'function') init.duplex = 'half';
  }
  return new Request(`${base}${c.path ?? '/predict'}`, init);
}

const KEPT = ['allow', 'content-type', 'x-request-id', 'server-timing', 'x-rectify-warning', 'access-control-allow-origin',
  'access-control-allow-methods', 'access-control-allow-headers', 'access-control-expose-headers', 'vary'];

/**
 * Sends every case with send(request) and returns what came back (statuses, kept headers, parsed bodies). skipBig
 * leaves out the 5 MB bodies (recorded as skipped).
 */
export async function runCases(fixture, base, send, { skipBig = false } = {}) {
  const out = [];
  for (const c of cases(fixture)) {
    const r = { name: c.name };
    if (skipBig && c.big) { r.skipped = true; out.push(r); continue; }
    try {
      const res = await send(requestOf(base, c));
      r.status = res.status;
      r.headers = {};
      for (const k of KEPT) { const v = res.headers.get(k); if (v !== null) r.headers[k] = v; }
      const text = await res.text();
      r.body = text === '' ? null : JSON.parse(text);
    } catch (e) {
      r.error = String(e && e.stack || e) + (e && e.cause ? ` (cause: ${e.cause && e.cause.stack || e.cause})` : '');
    }
    out.push(r);
  }
  return out;
}
