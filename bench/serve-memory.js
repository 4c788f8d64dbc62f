// npm run bench:serve-memory: does workerd's memory grow under 5 MB request bodies (issue 13), and is it ours?
// Miniflare (workerd) on 127.0.0.1 with three Workers, each sent the same rounds: 20 x 5 MB with Content-Length,
// 20 x 5 MB streamed (chunked, no Content-Length), then 200 valid predictions. After each round: the Worker
// isolate's V8 heap and that of Miniflare's entry Worker (used / allocated, workerd's inspector: Runtime.getHeapUsage) and the
// workerd process's RSS (/proc). The Workers:
//   rectify    bench/serve-worker.js: createPredictHandler (413 from Content-Length unread, or after reading
//              up to maxBodyBytes of a streamed body, then cancelling it)
//   ignore     answers 413 without touching the body (what any Worker that refuses early does)
//   read-all   reads every body to its end (await request.arrayBuffer()), then answers 413
// Bounded: --rounds (default 4) x (40 big + 200 valid) requests per Worker (--only rectify|ignore|read-all).
// Writes bench/results/serve-memory.md.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import WebSocket from 'ws';   // miniflare's own dependency (Node 20 has no WebSocket client without a flag)
import { loadDigits, trainTestSplit } from '../dist/data/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const ROUNDS = Number(arg('rounds', '4'));
const BIG = 20, VALID = 200, FIVE_MB = 5 * 1024 * 1024;
const lines = [];
const say = (s = '') => { console.log(s); lines.push(s); };

const dir = mkdtempSync(join(os.tmpdir(), 'rectify-bench-serve-memory-'));
execFileSync(process.execPath, [join(ROOT, 'examples/worker-predict/train.mjs'), join(dir, 'model.bin')], { cwd: ROOT });
copyFileSync(join(ROOT, 'dist/rectify.wasm'), join(dir, 'rectify.wasm'));
const r = await esbuild.build({
  entryPoints: ['bench/serve-worker.js'], absWorkingDir: ROOT, bundle: true, write: false, format: 'esm', platform: 'neutral', conditions: ['workerd'], logLevel: 'silent',
  plugins: [{ name: 'modules', setup(b) { b.onResolve({ filter: /\.(wasm|bin)$/ }, (a) => ({ path: `./${a.path.split('/').pop()}`, external: true })); } }],
});
writeFileSync(join(dir, 'rectify.js'), r.outputFiles[0].text);
writeFileSync(join(dir, 'ignore.js'), 'export default { fetch() { return new Response(\'{"error":{"code":"body_too_large"}}\', { status: 413 }); } };');
writeFileSync(join(dir, 'read-all.js'), 'export default { async fetch(r) { if (r.body) await r.arrayBuffer(); return new Response(\'{"error":{"code":"body_too_large"}}\', { status: 413 }); } };');

const { test } = trainTestSplit(loadDigits(), 0.2, 1);
const validBody = JSON.stringify({ inputs: Array.from(test.x.subarray(0, 64)) });
const bigBody = Buffer.from(`{"inputs":[${'0.5,'.repeat(FIVE_MB / 4)}0]}`);

function send(url, body, { chunked = false, agent } = {}) {
  return new Promise((res) => {
    const headers = { 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = body.length;
    if (body.length > 1e6) headers.connection = 'close';
    const req = http.request(url, { method: 'POST', headers, agent: body.length > 1e6 ? false : agent }, (rs) => {
      rs.resume(); rs.on('end', () => res(rs.statusCode)); rs.on('error', (e) => res(e.code));
    });
    req.on('error', (e) => res(e.code ?? String(e)));
    if (chunked) { for (let o = 0; o < body.length; o += 65536) req.write(body.subarray(o, o + 65536)); req.end(); } else req.end(body);
  });
}

const freePort = () => new Promise((ok) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

function workerdPids() {
  const out = [];
  for (const p of execFileSync('ps', ['-eo', 'pid,ppid,comm']).toString().trim().split('\n').slice(1)) {
    const [pid, , comm] = p.trim().split(/\s+/);
    if (comm === 'workerd') out.push(Number(pid));
  }
  return out;
}
const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/**
 * A CDP session on one of workerd's isolates (`core:user:` is the Worker, `core:entry` Miniflare's entry Worker that
 * every request passes through): heap() returns its V8 heap { used, total } in MiB. workerd's inspector does not answer
 * HeapProfiler.collectGarbage, so the figures include garbage not yet collected.
 */
async function inspect(port, target) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const t = targets.find((x) => x.id === target);
  const ws = new WebSocket(t.webSocketDebuggerUrl);
  await new Promise((ok, no) => { ws.once('open', ok); ws.once('error', no); });
  let id = 0;
  const pending = new Map();
  ws.on('message', (m) => { const d = JSON.parse(String(m)); if (d.id && pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
  const call = (method, params = {}) => new Promise((ok) => { const k = ++id; pending.set(k, ok); ws.send(JSON.stringify({ id: k, method, params })); });
  return {
    title: t.title,
    async heap() {
      const h = (await call('Runtime.getHeapUsage')).result;
      return { used: h.usedSize / 2 ** 20, total: h.totalSize / 2 ** 20 };
    },
    close() { ws.close(); },
  };
}

const before = new Set(workerdPids());
say('# workerd memory under 5 MB bodies');
say();
say(`CPU: ${os.cpus()[0]?.model} (${os.cpus().length} logical cores, shared); Node ${process.versions.node}; miniflare ` +
  `${JSON.parse(readFileSync(join(ROOT, 'node_modules/miniflare/package.json'), 'utf8')).version}. Each round: ${BIG} x 5 MB with ` +
  `Content-Length, ${BIG} x 5 MB streamed without it, ${VALID} valid predictions. Heap: V8 heap of the Worker's isolate and of Miniflare's entry Worker ` +
  '(inspector Runtime.getHeapUsage), used / allocated. RSS: the workerd process.');
const ONLY = arg('only', '');
for (const name of ['rectify', 'ignore', 'read-all'].filter((n) => !ONLY || n === ONLY)) {
  const inspectorPort = await freePort();
  const mf = new Miniflare({
    modules: true, modulesRoot: dir, scriptPath: join(dir, `${name}.js`), compatibilityDate: '2025-09-01', host: '127.0.0.1', port: 0, inspectorPort,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.bin'] }],
  });
  const url = new URL('/predict', await mf.ready).href;
  const pid = workerdPids().find((p) => !before.has(p));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const valid = async () => { const s = []; for (let i = 0; i < VALID; i++) s.push(await send(url, Buffer.from(validBody), { agent })); return s; };
  const first = await valid();
  const ins = await inspect(inspectorPort, 'core:user:'), entry = await inspect(inspectorPort, 'core:entry');
  say();
  say(`## ${name}`);
  say();
  say('| after | statuses | Worker isolate heap used / allocated MiB | entry isolate heap MiB | workerd RSS MiB |');
  say('|---|---|---:|---:|---:|');
  const row = async (what, statuses) => {
    const h = await ins.heap(), e = await entry.heap();
    const counts = Object.entries(statuses.reduce((a, s) => ({ ...a, [s]: (a[s] ?? 0) + 1 }), {})).map(([k, v]) => `${v}x ${k}`).join(', ');
    say(`| ${what} | ${counts} | ${h.used.toFixed(2)} / ${h.total.toFixed(2)} | ${e.used.toFixed(2)} / ${e.total.toFixed(2)} | ${rssMiB(pid).toFixed(1)} |`);
  };
  await row(`${VALID} valid (warm)`, first);
  for (let k = 1; k <= ROUNDS; k++) {
    const st = [];
    for (let i = 0; i < BIG; i++) st.push(await send(url, bigBody));
    for (let i = 0; i < BIG; i++) st.push(await send(url, bigBody, { chunked: true }));
    st.push(...await valid());
    await row(`round ${k}`, st);
  }
  ins.close(); entry.close();
  agent.destroy();
  await mf.dispose();
}
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
if (!ONLY) writeFileSync(join(ROOT, 'bench/results/serve-memory.md'), `${lines.join('\n')}\n`);
if (!ONLY) console.log('\nwrote bench/results/serve-memory.md');
