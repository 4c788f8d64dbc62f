// rectify/serve: every status code, the CORS preflight, the range check and the predictions (bit for bit against
// Node's net.predict), in Node (the handler called directly, and behind node:http through toNodeListener), workerd
// (Miniflare), Deno (Deno.serve) and Bun (Bun.serve); the same cases (cases.js) everywhere.
import { createServer, type Server } from 'node:http';
import { copyFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, ShapeError, type Engine, type Network } from '../../dist/index.js';
import { loadDigits, trainTestSplit } from '../../dist/data/index.js';
import * as serve from '../../dist/serve/index.js';
import { DIST, ROOT, bundle, freshDir, lastJson, npmBinary, removeFreshDirs, run, wasmAsModule, binAsModule } from '../runtimes/harness.js';
// @ts-expect-error plain JS shared with the other runtimes
import { cases, makeApp, requestOf, runCases } from './cases.js';

interface Fixture { stats: serve.FeatureStats; labels: string[]; rows: number[][] }
interface Result { name: string; skipped?: boolean; status?: number; headers?: Record<string, string>; body?: any; error?: string }
interface Case { name: string; status: number; code?: string; rows?: number[]; far?: boolean; allow?: boolean; preflight?: boolean;
  cors?: string | null; requestId?: string; path?: string; big?: boolean }

function platformBinary(scope: string, file: string): string[] {
  const dir = join(ROOT, 'node_modules', scope);
  return existsSync(dir) ? readdirSync(dir).map((p) => `node_modules/${scope}/${p}/${file}`) : [];
}
const DENO = npmBinary([...platformBinary('@deno', 'deno'), 'node_modules/deno/deno']);
const BUN = npmBinary([...platformBinary('@oven', 'bin/bun'), 'node_modules/bun/bin/bun.exe']);
if (!DENO) console.warn('!!! SKIPPING serve in Deno: the deno binary is not installed (npm ci installs it)');
if (!BUN) console.warn('!!! SKIPPING serve in Bun: the bun binary is not installed (npm ci installs it)');

let engine: Engine;
let net: Network;
let fixture: Fixture;
let dir: string;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIMING = /^parse;dur=\d+\.\d{3}, predict;dur=\d+\.\d{3}$/;

beforeAll(async () => {
  engine = await createEngine();
  const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);
  net = engine.network({ inputs: 64, seed: 3 }).dense(16, 'relu').dense(10, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
  await net.fit(train.x, train.labels, { epochs: 3, batchSize: 32 });
  const labels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const names = Array.from({ length: 64 }, (_, i) => `pixel ${i >> 3},${i & 7}`);
  const stats = serve.featureStats(train.x, 64, { names, labels });
  // What the /meta handlers use (and the saved model.bin carries to workerd, Deno and Bun): fit's statistics, and
  // the names and labels set here.
  net.metadata = { ...net.metadata, inputNames: names, labels };
  const rows = [0, 5, 9].map((r) => Array.from(test.x.subarray(r * 64, r * 64 + 64)));
  fixture = { stats, labels, rows };
  dir = freshDir('serve');
  writeFileSync(join(dir, 'fixture.json'), JSON.stringify(fixture));
  writeFileSync(join(dir, 'model.bin'), net.save());
});
afterAll(() => { net?.dispose(); engine?.dispose(); removeFreshDirs(); });

/** The checks every runtime's results get: statuses, codes, headers, and predictions bit for bit vs Node. */
function check(results: Result[], label: string, bigSkipped = false): void {
  const all = cases(fixture) as Case[];
  expect(results.map((r) => r.name)).toEqual(all.map((c) => c.name));
  for (const [i, c] of all.entries()) {
    const r = results[i]!;
    const at = `${label}: ${c.name}`;
    if (r.skipped) { expect(c.big && bigSkipped, `${at} was skipped`).toBe(true); continue; }
    expect(r.error, at).toBeUndefined();
    expect(r.status, `${at}: ${JSON.stringify(r.body)}`).toBe(c.status);
    const h = r.headers!;
    expect(h['x-request-id'], at).toMatch(c.requestId === 'req-123.abc' ? /^req-123\.abc$/ : UUID);
    expect(h['server-timing'], at).toMatch(TIMING);
    if (c.code) {
      expect(r.body.error.code, at).toBe(c.code);
      expect(r.body.error.message, at).toMatch(/\w{3,}/);
      expect(h['content-type'], at).toMatch(/^application\/json/);
    }
    if (c.allow) expect(h.allow, at).toBe('POST, OPTIONS');
    if (c.preflight) {
      expect(h.allow, at).toBe('POST, OPTIONS');
      expect(h['access-control-allow-origin'], at).toBe('https://app.example');
      expect(h['access-control-allow-methods'], at).toBe('POST, OPTIONS');
      expect(h['access-control-allow-headers'], at).toMatch(/Content-Type/);
      expect(r.body, at).toBeNull();
    }
    if (c.cors !== undefined) expect(h['access-control-allow-origin'] ?? null, at).toBe(c.cors);
    if (c.code === 'out_of_range') {
      expect(r.body.error.details.map((d: { feature: number }) => d.feature), at).toEqual([3, 10]);
      expect(r.body.error.message, at).toMatch(/inputs\[3\] \(pixel 0,3\) is -5, .* below the allowed/);
    }
    if (c.far) {
      expect(r.body.warnings.map((d: { feature: number; name: string }) => [d.feature, d.name]), at).toEqual([[3, 'pixel 0,3'], [10, 'pixel 1,2']]);
      expect(r.body.warnings[1].message, at).toMatch(/is 1\.0000000150474662e\+30, .* above the allowed/);
      expect(h['x-rectify-warning'], at).toBe('out_of_range; count=2; first="row 0 feature 3"');
    }
    if (c.rows) {
      expect(h['x-rectify-warning'], at).toBeUndefined();
      const batch = c.rows.length > 1;
      const got: number[][] = batch ? r.body.probabilities : [r.body.probabilities];
      const tops = batch ? r.body.top : [r.body.top];
      expect(got.length, at).toBe(c.rows.length);
      for (const [k, row] of c.rows.entries()) {
        const expected = net.predict(Float32Array.from(fixture.rows[row]!));
        // JSON carries each f32 as the shortest double that reads back to it: Math.fround recovers the bits.
        const bits = Array.from(new Uint32Array(Float32Array.from(got[k]!, Math.fround).buffer));
        expect(bits, `${at}: row ${row}`).toEqual(Array.from(new Uint32Array(expected.buffer)));
        const order = Array.from(expected.keys()).sort((a, b) => expected[b]! - expected[a]! || a - b).slice(0, 3);
        expect(tops[k], at).toEqual(order.map((cl) => ({ class: cl, label: fixture.labels[cl], probability: expected[cl] })));
      }
    }
  }
}

describe('rectify/serve in Node', () => {
  it('the handler called directly: every case', async () => {
    const app = makeApp(serve, net, fixture);
    check(await runCases(fixture, 'http://localhost', app), 'node direct');
  });

  it('behind node:http through toNodeListener: every case, over 127.0.0.1', async () => {
    const app = makeApp(serve, net, fixture);
    const server: Server = createServer(serve.toNodeListener(app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      check(await runCases(fixture, `http://127.0.0.1:${port}`, (r: Request) => fetch(r)), 'node:http');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('a malformed Content-Length gets 400 bad_content_length; a declared size over the limit gets 413 unread', async () => {
    const h = serve.createPredictHandler(net, { maxBodyBytes: 100 });
    const mk = (cl: string) => new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': cl }, body: '{}' });
    let r = await h(mk('12abc'));
    expect(r.status).toBe(400);
    expect((await r.json()).error.code).toBe('bad_content_length');
    const req = mk('1000');
    r = await h(req);
    expect(r.status).toBe(413);
    expect((await r.json()).error.message).toMatch(/1000 bytes; the limit is 100 bytes/);
    expect(req.bodyUsed).toBe(false);
  });

  it('a body the answer does not need (405, 415) is read to its end, up to the limit; one over the limit is cancelled (outside workerd)', async () => {
    const h = serve.createPredictHandler(net, { maxBodyBytes: 1000 });
    const tracked = (bytes: number) => {
      const state = { pulled: 0, cancelled: false };
      const body = new ReadableStream<Uint8Array>({
        pull(c) { if (state.pulled >= bytes) { c.close(); return; } state.pulled += 100; c.enqueue(new Uint8Array(100)); },
        cancel() { state.cancelled = true; },
      }, { highWaterMark: 0 });
      return { body, state };
    };
    for (const [method, type, status] of [['PUT', 'application/json', 405], ['POST', 'text/plain', 415]] as const) {
      const t = tracked(500);
      const r = await h(new Request('http://x/', { method, headers: { 'content-type': type }, body: t.body, duplex: 'half' } as RequestInit));
      expect(r.status).toBe(status);
      expect(t.state.pulled, `${method} ${type}`).toBe(500);
    }
    const t = tracked(5000);
    const r = await h(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: t.body, duplex: 'half' } as RequestInit));
    expect(r.status).toBe(413);
    expect(t.state.cancelled).toBe(true);
    expect(t.state.pulled).toBeLessThan(5000);
  });

  it('a predictor that fails gets a JSON 500 internal_error (never for client input), with the headers', async () => {
    const broken = { inputs: 2, outputs: 2, predict(): Float32Array { throw new Error('boom'); } };
    const r = await serve.createPredictHandler(broken)(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs":[1,2]}' }));
    expect(r.status).toBe(500);
    expect((await r.json()).error.code).toBe('internal_error');
    expect(r.headers.get('x-request-id')).toMatch(UUID);
    expect(r.headers.get('server-timing')).toMatch(TIMING);
  });

  it('output forms, allowedOrigins \'*\', contentTypes, and inputRange / mean-std range checks', async () => {
    const x = JSON.stringify({ inputs: fixture.rows[0] });
    const req = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      new Request('http://x/', { method: 'POST', headers, body });
    let r = await serve.createPredictHandler(net, { output: 'top' })(req(x));
    let b = await r.json();
    expect(Object.keys(b)).toEqual(['top']);
    expect(b.top).toHaveLength(1);
    expect(b.top[0].label).toBe(fixture.labels[b.top[0].class]);   // net.metadata.labels
    b = await (await serve.createPredictHandler({ inputs: 64, outputs: 10, predict: (v: Float32Array) => net.predict(v) }, { output: 'top' })(req(x))).json();
    expect(b.top[0].label).toBe(String(b.top[0].class));            // no labels anywhere: the class index
    r = await serve.createPredictHandler(net, { allowedOrigins: '*' })(req(x, { 'content-type': 'application/json', origin: 'https://a.b' }));
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    r = await serve.createPredictHandler(net, { contentTypes: ['text/plain', 'application/json'] })(req(x, { 'content-type': 'text/plain;charset=UTF-8' }));
    expect(r.status).toBe(200);
    const min = Array(64).fill(0), max = Array(64).fill(1);
    const far = fixture.rows[0]!.slice(); far[7] = 1.6;
    r = await serve.createPredictHandler(net, { inputRange: { min, max }, rangeCheck: 'reject', tolerance: 0.5 })(req(JSON.stringify({ inputs: far })));
    expect(r.status).toBe(422);
    b = await r.json();
    expect(b.error.details[0]).toMatchObject({ row: 0, feature: 7, name: 'pixel 0,7', allowed: [-0.5, 1.5] });
    expect(b.error.details[0].by).toBeCloseTo(0.1, 6);
    const meanStd = { min: undefined as unknown as number[], max: undefined as unknown as number[], mean: Array(64).fill(0.5), std: Array(64).fill(0.1) };
    const mid = Array(64).fill(0.5); mid[7] = 1.6;
    r = await serve.createPredictHandler(net, { featureStats: meanStd, rangeCheck: 'warn', tolerance: 3 })(req(JSON.stringify({ inputs: mid })));
    b = await r.json();
    expect(b.warnings).toHaveLength(1);
    expect(b.warnings[0].message).toMatch(/inputs\[7\] \(pixel 0,7\) is 1\.6.*mean 0\.5 \+- 3 standard deviations/);
    r = await serve.createPredictHandler(net, { inputRange: { min, max }, rangeCheck: 'off' })(req(JSON.stringify({ inputs: far })));
    expect((await r.json()).warnings).toBeUndefined();
  });

  it('options it cannot use throw InvalidArgumentError at creation, saying which', () => {
    const bad = (o: object, m: RegExp) => expect(() => serve.createPredictHandler(net, o as serve.PredictHandlerOptions)).toThrow(m);
    expect(() => serve.createPredictHandler({} as never)).toThrow(InvalidArgumentError);
    bad({ maxBatch: 0 }, /maxBatch must be a positive integer/);
    bad({ maxBodyBytes: 1.5 }, /maxBodyBytes must be a positive integer/);
    bad({ topK: 11 }, /topK \(11\) must be at most the network's outputs \(10\)/);
    bad({ labels: ['a'] }, /labels \(one per output class\) must hold 10 strings/);
    const bare = { inputs: 64, outputs: 10, predict: (x: Float32Array) => x };
    expect(() => serve.createPredictHandler(bare, { rangeCheck: 'reject' })).toThrow(/needs training statistics: a network trained with fit/);
    bad({ rangeCheck: 'loud', inputRange: { min: Array(64).fill(0), max: Array(64).fill(1) } }, /rangeCheck must be 'off', 'warn' or 'reject'/);
    bad({ inputRange: { min: [0], max: [1] } }, /must be an array of 64 finite numbers/);
    bad({ output: 'all' }, /output must be 'probabilities', 'top' or 'both'/);
    bad({ contentTypes: [] }, /at least one media type/);
    bad({ allowedOrigins: 'https://a.b' }, /allowedOrigins/);
    bad({ tolerance: -1 }, /tolerance must be a finite number >= 0/);
  });

  it('net.metadata: fit recorded the same statistics as featureStats(train.x); the handler defaults to them, to its names and labels', async () => {
    const { min, max, mean, std, rows } = fixture.stats;
    expect(net.metadata.featureStats).toEqual({ rows, min, max, mean, std });
    const loaded = engine.loadNetwork(net.save());
    expect(loaded.metadata).toEqual(net.metadata);
    const far = fixture.rows[0]!.slice(); far[5] = 9;
    const ask = (h: (r: Request) => Promise<Response>) =>
      h(new Request('http://x/', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: far }) }));
    let r = await ask(serve.createPredictHandler(loaded, { output: 'top' }));
    const b = await r.json();
    expect(b.top[0].label).toBe(fixture.labels[b.top[0].class]);
    expect(b.warnings.map((w: { name: string }) => w.name)).toEqual(['pixel 0,5']);
    // Explicit options win over the metadata; rangeCheck 'off' turns the check off.
    r = await ask(serve.createPredictHandler(loaded, { output: 'top', labels: Array.from({ length: 10 }, (_, i) => `c${i}`), rangeCheck: 'off' }));
    const b2 = await r.json();
    expect(b2.top[0].label).toBe(`c${b2.top[0].class}`);
    expect(b2.warnings).toBeUndefined();
    r = await ask(serve.createPredictHandler(loaded, { inputRange: { min: Array(64).fill(0), max: Array(64).fill(10) } }));
    expect((await r.json()).warnings).toBeUndefined();
    loaded.dispose();
  });

  it('featureStats: min, max, mean, population std per column; typed errors for bad input', () => {
    const s = serve.featureStats([1, 10, 3, 10, 5, 10], 2, { names: ['a', 'b'], labels: ['no', 'yes'] });
    expect(s).toEqual({ min: [1, 10], max: [5, 10], mean: [3, 10], std: [Math.sqrt(8 / 3), 0], rows: 3, names: ['a', 'b'], labels: ['no', 'yes'] });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(() => serve.featureStats([1, 2, 3], 2)).toThrow(ShapeError);
    expect(() => serve.featureStats([1, NaN], 2)).toThrow(/x\[1\] \(row 0, feature 1\) must be a finite number/);
    expect(() => serve.featureStats([1, 2], 0)).toThrow(InvalidArgumentError);
    expect(() => serve.featureStats([1, 2], 2, { names: ['a'] })).toThrow(/names must hold 2 strings/);
  });
});

describe('rectify/serve in other runtimes', () => {
  it('workerd (Miniflare): every case through dispatchFetch', async () => {
    const { code, inputs } = await bundle('tests/serve/worker.js',
      { conditions: ['workerd'], platform: 'neutral', plugins: [wasmAsModule, binAsModule] });
    expect(inputs).toContain('dist/index.workerd.js');
    expect(inputs).toContain('dist/serve/index.js');
    writeFileSync(join(dir, 'worker.js'), code);
    copyFileSync(join(DIST, 'rectify.wasm'), join(dir, 'rectify.wasm'));
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.bin'] }],
      bindings: { FIXTURE: fixture },
    });
    try {
      const send = async (r: Request) => {
        const body = r.body ? (r.headers.has('content-length') || typeof r.body !== 'object' ? await r.arrayBuffer() : r.body) : undefined;
        return mf.dispatchFetch(r.url, { method: r.method, headers: r.headers, body, duplex: 'half' } as never) as unknown as Response;
      };
      // The 5 MB bodies through Miniflare's loopback HTTP: workerd answers 413 and resets the connection while undici
      // is still writing (ECONNRESET, no response), so those two are sent inside the isolate (/__cases) instead.
      check(await runCases(fixture, 'http://localhost', send, { skipBig: true }), 'workerd dispatchFetch', true);
      const inside = await mf.dispatchFetch('http://localhost/__cases');
      check(await inside.json() as Result[], 'workerd (inside the isolate)');
    } finally {
      await mf.dispose();
    }
  });

  it('workerd over real HTTP keep-alive: after a 415 or 405 with a body, the next request on the connection is answered', async () => {
    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01', host: '127.0.0.1', port: 0,
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.bin'] }],
      bindings: { FIXTURE: fixture },
    });
    const { request, Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const base = await mf.ready;
      const statuses: (number | string)[] = [];
      const one = (method: string, type: string, body: string) => new Promise<number | string>((res) => {
        const req = request(new URL('/predict', base), { method, agent, headers: { 'content-type': type, 'content-length': Buffer.byteLength(body) } }, (r) => {
          r.resume(); r.on('end', () => res(r.statusCode!));
        });
        req.on('error', (e: NodeJS.ErrnoException) => res(e.code ?? String(e)));
        req.end(body);
      });
      const valid = JSON.stringify({ inputs: fixture.rows[0] });
      for (let i = 0; i < 3; i++) {
        statuses.push(await one('POST', 'application/json', valid));
        statuses.push(await one('POST', 'text/plain', valid));
        statuses.push(await one('PUT', 'application/json', valid));
      }
      statuses.push(await one('POST', 'application/json', valid));
      expect(statuses).toEqual([200, 415, 405, 200, 415, 405, 200, 415, 405, 200]);
    } finally {
      agent.destroy();
      await mf.dispose();
    }
  });

  it.skipIf(!DENO)('Deno: the handler directly and behind Deno.serve', async () => {
    const r = lastJson<{ runtime: string; direct: Result[]; server: Result[] }>(
      await run(DENO!, ['run', '--allow-read', '--allow-net=127.0.0.1', '--no-prompt', 'tests/serve/host.mjs', dir], 60_000));
    expect(r.runtime).toMatch(/^deno /);
    check(r.direct, `${r.runtime} direct`);
    check(r.server, `${r.runtime} Deno.serve`);
  });

  it.skipIf(!BUN)('Bun: the handler directly and behind Bun.serve', async () => {
    const r = lastJson<{ runtime: string; direct: Result[]; server: Result[] }>(await run(BUN!, ['tests/serve/host.mjs', dir], 60_000));
    expect(r.runtime).toMatch(/^bun /);
    check(r.direct, `${r.runtime} direct`);
    check(r.server, `${r.runtime} Bun.serve`);
  });
});

describe('examples/serve (Node, Deno, Bun): each serves the handler, asks itself, and answers as Node\'s net.predict', () => {
  let expected: Float32Array;
  beforeAll(async () => {
    // The examples' recipe, in this process.
    const { train, test } = trainTestSplit(loadDigits(), 0.2, 1);
    const n = engine.network({ inputs: 64, seed: 7 }).dense(32, 'relu').dense(10, 'softmax')
      .build({ loss: 'crossEntropy', optimizer: { name: 'adam', learningRate: 0.01 } });
    await n.fit(train.x, train.labels, { epochs: 10, batchSize: 32 });
    expected = n.predict(test.x.slice(0, 64));
    n.dispose();
  });
  const checkExample = (out: string, runtime: RegExp) => {
    const r = lastJson<{ runtime: string; status: number; answer: { probabilities: number[]; top: { class: number }[] } }>(out);
    expect(r.runtime).toMatch(runtime);
    expect(r.status).toBe(200);
    expect(Array.from(new Uint32Array(Float32Array.from(r.answer.probabilities, Math.fround).buffer)))
      .toEqual(Array.from(new Uint32Array(expected.buffer)));
    expect(r.answer.top[0]!.class).toBe(expected.indexOf(Math.max(...expected)));
  };
  it('examples/serve/node.mjs (node:http through toNodeListener)', async () => {
    checkExample(await run(process.execPath, ['examples/serve/node.mjs', '--check'], 60_000), /^node /);
  });
  it.skipIf(!DENO)('examples/serve/deno.ts (Deno.serve)', async () => {
    checkExample(await run(DENO!, ['run', '--allow-read', '--allow-net=127.0.0.1', '--no-prompt', 'examples/serve/deno.ts', '--check'], 60_000), /^deno /);
  });
  it.skipIf(!BUN)('examples/serve/bun.ts (Bun.serve)', async () => {
    checkExample(await run(BUN!, ['examples/serve/bun.ts', '--check'], 60_000), /^bun /);
  });
});

void requestOf;
