// npm run bench:serve: load on rectify/serve over loopback (127.0.0.1 only), against the Worker in Miniflare (workerd)
// and against Node (node:http + toNodeListener, in its own process), at concurrency 1, 8 and 32; then the same with
// 10% malformed requests. Every valid answer is checked bit for bit against net.predict in this process; every
// malformed one must get its 4xx. Bounded: at most --requests per run and --time seconds per run.
//   node bench/serve.js [--time 6] [--requests 20000] [--conc 1,8,32] [--only node|workerd]
// Writes bench/results/serve.md.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { createEngine } from '../dist/index.js';
import { loadDigits, trainTestSplit } from '../dist/data/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
const TIME_MS = Number(arg('time', '6')) * 1000 / 3;   // per mix and concurrency, in 3 rounds
const MAX_REQUESTS = Number(arg('requests', '20000'));
const CONC = arg('conc', '1,8,32').split(',').map(Number);
const ONLY = arg('only', '');
const ROUNDS = 3;
const CPU = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [];
const say = (s = '') => { console.log(s); lines.push(s); };

// ---- the model (the Worker example's train.mjs, seeded) and Node's answers ----
const dir = mkdtempSync(join(os.tmpdir(), 'rectify-bench-serve-'));
execFileSync(process.execPath, [join(ROOT, 'examples/worker-predict/train.mjs'), join(dir, 'model.bin')], { cwd: ROOT });
const engine = await createEngine();
const net = engine.loadNetwork(readFileSync(join(dir, 'model.bin')));
const { test } = trainTestSplit(loadDigits(), 0.2, 1);
const ROWS = 64;
const valid = [];
for (let r = 0; r < ROWS; r++) {
  const x = test.x.slice(r * 64, r * 64 + 64);
  valid.push({ body: JSON.stringify({ inputs: Array.from(x) }), bits: Array.from(new Uint32Array(net.predict(x).buffer)) });
}
const FIVE_MB = Buffer.from(`{"inputs":[${'0.5,'.repeat(5 * 1024 * 1024 / 4)}0]}`);   // encoded once
const MALFORMED = [
  { kind: 'bad JSON', method: 'POST', type: 'application/json', body: '{"inputs": [1, 2', status: 400 },
  { kind: 'wrong length', method: 'POST', type: 'application/json', body: '{"inputs":[0,0.5,1]}', status: 400 },
  { kind: 'NaN', method: 'POST', type: 'application/json', body: `{"inputs":[NaN${',0'.repeat(63)}]}`, status: 400 },
  { kind: '5 MB body', method: 'POST', type: 'application/json', body: FIVE_MB, status: 413 },
  { kind: 'wrong method', method: 'GET', type: undefined, body: undefined, status: 405 },
  { kind: 'wrong type', method: 'POST', type: 'text/plain', body: valid[0].body, status: 415 },
];

/** One request over a keep-alive agent: { status, text, ms } or { error, ms }. */
function send(agent, url, method, type, body) {
  const t0 = performance.now();
  return new Promise((res) => {
    const headers = type ? { 'content-type': type } : {};
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    // A 5 MB body goes on its own connection: a server may close it after answering 413 without reading the rest.
    const big = body !== undefined && Buffer.byteLength(body) > 1e6;
    if (big) headers.connection = 'close';
    const req = http.request(url, { method, agent: big ? false : agent, headers }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, text: Buffer.concat(chunks).toString(), ms: performance.now() - t0 }));
      r.on('error', (e) => res({ error: e.code ?? String(e), ms: performance.now() - t0 }));
    });
    req.on('error', (e) => res({ error: e.code ?? String(e), ms: performance.now() - t0 }));
    req.on('socket', (sock) => { if (!sock.listenerCount('error')) sock.on('error', () => {}); });
    req.end(body);
  });
}

function pct(sorted, p) { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN; }

/** Load at one concurrency: returns the counts and the valid requests' latencies. */
async function load(url, conc, malformed) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
  const deadline = performance.now() + TIME_MS;
  let next = 0;
  const out = { sent: 0, ok: 0, wrong: 0, errors: 0, validErrors: [], fivexx: 0, malformedOk: 0, malformedWrong: [], resets: 0, lat: [], ms: 0 };
  const t0 = performance.now();
  const worker = async () => {
    while (next < MAX_REQUESTS && performance.now() < deadline) {
      const i = next++;
      out.sent++;
      if (malformed && i % 10 === 9) {
        const m = MALFORMED[((i - 9) / 10) % MALFORMED.length];
        const r = await send(agent, url, m.method, m.type, m.body);
        if (r.error) {
          // A server that answers 413 without reading 5 MB closes the connection while the client still writes it:
          // the client sees EPIPE or ECONNRESET instead of the 413 (counted apart: the body was refused either way).
          if (m.kind === '5 MB body' && (r.error === 'ECONNRESET' || r.error === 'EPIPE')) out.resets++;
          else { out.errors++; out.malformedWrong.push(`${m.kind}: ${r.error}`); }
        } else if (r.status === m.status && JSON.parse(r.text).error?.code) out.malformedOk++;
        else { out.malformedWrong.push(`${m.kind}: ${r.status}`); if (r.status >= 500) out.fivexx++; }
        continue;
      }
      const v = valid[i % ROWS];
      const r = await send(agent, url, 'POST', 'application/json', v.body);
      if (r.error) { out.errors++; out.validErrors.push(r.error); continue; }
      if (r.status >= 500) out.fivexx++;
      let good = false;
      if (r.status === 200) {
        const p = JSON.parse(r.text).probabilities;
        const bits = Array.from(new Uint32Array(Float32Array.from(p, Math.fround).buffer));
        good = bits.length === v.bits.length && bits.every((b, k) => b === v.bits[k]);
      }
      if (good) { out.ok++; out.lat.push(r.ms); } else out.wrong++;
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  out.ms = performance.now() - t0;
  agent.destroy();
  out.lat.sort((a, b) => a - b);
  return out;
}

// ---- server CPU and memory ----
function descendants(pid) {
  const kids = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
      if (Number(f[1]) === pid) kids.push(Number(p), ...descendants(Number(p)));
    } catch { /* gone */ }
  }
  return kids;
}
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);
function procCpuUs(pid) {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}
function procRssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
function workerdPid() {
  const pids = descendants(process.pid).filter((p) => { try { return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'workerd'; } catch { return false; } });
  return pids[0];
}

async function firstPrediction(url, t0) {
  for (;;) {
    const r = await send(undefined, url, 'POST', 'application/json', valid[0].body).catch(() => ({ error: 'x' }));
    if (r.status === 200) return performance.now() - t0;
    await new Promise((ok) => setTimeout(ok, 2));
  }
}

// ---- the two servers ----
async function bundleWorker(entry, out) {
  const r = await esbuild.build({
    entryPoints: [entry], absWorkingDir: ROOT, bundle: true, write: false, format: 'esm', platform: 'neutral', conditions: ['workerd'], logLevel: 'silent',
    plugins: [{ name: 'modules', setup(b) { b.onResolve({ filter: /\.(wasm|bin)$/ }, (a) => ({ path: `./${a.path.split('/').pop()}`, external: true })); } }],
  });
  writeFileSync(out, r.outputFiles[0].text);
}

async function startMiniflare(script, bindings) {
  const t0 = performance.now();
  const mf = new Miniflare({
    modules: true, modulesRoot: dir, scriptPath: script, compatibilityDate: '2025-09-01', host: '127.0.0.1', port: 0,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.bin'] }], bindings,
  });
  const url = new URL('/predict', await mf.ready).href;
  return { mf, url, t0, ready: performance.now() };
}

const servers = [];
if (ONLY !== 'node') {
  servers.push({
    name: 'workerd (Miniflare)',
    async start() {
      await bundleWorker('bench/serve-worker.js', join(dir, 'worker.js'));
      writeFileSync(join(dir, 'noop.js'), 'export default { fetch() { return new Response("ok"); } };');
      copyFileSync(join(ROOT, 'dist/rectify.wasm'), join(dir, 'rectify.wasm'));
      // Baseline: a no-op Worker (workerd's own start and memory).
      const noop = await startMiniflare(join(dir, 'noop.js'), {});
      for (;;) { const r = await send(undefined, noop.url, 'GET'); if (r.status === 200) break; }
      const noopMs = performance.now() - noop.t0, noopFirst = performance.now() - noop.ready;
      const noopRss = procRssMiB(workerdPid());
      await noop.mf.dispose();
      const s = await startMiniflare(join(dir, 'worker.js'), {});
      const coldMs = await firstPrediction(s.url, s.t0), first = performance.now() - s.ready;
      const pid = workerdPid();
      const rss = procRssMiB(pid);
      return {
        url: s.url, stop: () => s.mf.dispose(), cpuUs: () => procCpuUs(pid), rssMiB: () => procRssMiB(pid),
        cold: `${coldMs.toFixed(0)} ms from new Miniflare() to the first prediction (a no-op Worker: ${noopMs.toFixed(0)} ms); ` +
          `from workerd ready to the first answer, which loads the isolate, compiles rectify.wasm, creates the engine and restores the model: ` +
          `${first.toFixed(0)} ms (no-op Worker: ${noopFirst.toFixed(0)} ms)`,
        memory: `workerd process RSS ${rss.toFixed(1)} MiB after the first prediction, ${noopRss.toFixed(1)} MiB with a no-op Worker: ` +
          `about ${(rss - noopRss).toFixed(1)} MiB for the isolate's engine, model and handler`,
        cpuNote: 'CPU of the whole workerd process (/proc utime+stime): the isolate, HTTP parsing, and Miniflare\'s entry worker that routes each request to it; the isolate alone cannot be separated here',
      };
    },
  });
}
if (ONLY !== 'workerd') {
  servers.push({
    name: 'Node (node:http + toNodeListener)',
    async start() {
      const t0 = performance.now();
      const child = spawn(process.execPath, [join(ROOT, 'bench/serve-node-server.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise((ok) => child.stdout.once('data', (d) => ok(JSON.parse(String(d)).port)));
      const url = `http://127.0.0.1:${port}/predict`;
      const coldMs = await firstPrediction(url, t0);
      const usage = async () => JSON.parse((await send(undefined, `http://127.0.0.1:${port}/__usage`, 'GET')).text);
      const u = await usage();
      let last = u;
      return {
        url, stop: () => child.kill(),
        cpuUs: async () => { last = await usage(); return last.cpu.user + last.cpu.system; },
        rssMiB: () => last.memory.rss / 2 ** 20,
        cold: `${coldMs.toFixed(0)} ms from spawning node to the first prediction (module load ${u.readyMs.toFixed(0)} ms of it before listening)`,
        memory: `server process RSS ${(u.memory.rss / 2 ** 20).toFixed(1)} MiB after the first prediction (heap ${(u.memory.heapUsed / 2 ** 20).toFixed(1)} MiB, ` +
          `external incl. wasm memory ${(u.memory.external / 2 ** 20).toFixed(1)} MiB)`,
        cpuNote: 'process.cpuUsage() of the server process (user + system)',
      };
    },
  });
}

say(`# rectify/serve under load`);
say();
say(`CPU: ${CPU} (${os.cpus().length} logical cores, shared with other jobs); Node ${process.versions.node}; ` +
  `loopback 127.0.0.1; each mix and concurrency: 3 alternating rounds of at most ${MAX_REQUESTS} requests or ${TIME_MS / 1000} s; model 64-32-10 (digits), ` +
  `one row per request, answers { probabilities, top-3 }, checked bit for bit against net.predict.`);
say(`Load average at start (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`);
say(`Malformed mix (every 10th request): ${MALFORMED.map((m) => `${m.kind} -> ${m.status}`).join(', ')}.`);
for (const s of servers) {
  say();
  say(`## ${s.name}`);
  const srv = await s.start();
  say();
  say(`- Cold start: ${srv.cold}`);
  say(`- Memory: ${srv.memory}`);
  say(`- Server CPU: ${srv.cpuNote}`);
  say();
  say('| mix | conc | requests | req/s | p50 ms | p95 ms | p99 ms | server CPU/req | valid bit-exact | valid wrong | valid unanswered | 5xx | malformed -> 4xx | 5 MB: closed unread | p95 vs clean |');
  say('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  // The machine is shared: the clean and malformed runs alternate in ROUNDS short rounds at each concurrency and
  // their latencies are pooled, so a burst of outside load hits both mixes alike.
  for (const conc of CONC) {
    const pooled = { false: [], true: [] };
    const cpu = { false: 0, true: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const malformed of [false, true]) {
        const c0 = await srv.cpuUs();
        pooled[malformed].push(await load(srv.url, conc, malformed));
        cpu[malformed] += (await srv.cpuUs()) - c0;
      }
    }
    let cleanP95 = NaN;
    for (const malformed of [false, true]) {
      const rs = pooled[malformed];
      const sum = (k) => rs.reduce((a, r) => a + r[k], 0);
      const lat = rs.flatMap((r) => r.lat).sort((a, b) => a - b);
      const sent = sum('sent'), ms = sum('ms');
      const p95 = pct(lat, 0.95);
      if (!malformed) cleanP95 = p95;
      say(`| ${malformed ? '10% malformed' : 'valid'} | ${conc} | ${sent} | ${(sent / (ms / 1000)).toFixed(0)} | ${pct(lat, 0.5).toFixed(2)} | ` +
        `${p95.toFixed(2)} | ${pct(lat, 0.99).toFixed(2)} | ${(cpu[malformed] / sent).toFixed(0)} us | ${sum('ok')} | ${sum('wrong')} | ${rs.reduce((a, r) => a + r.validErrors.length, 0)} | ${sum('fivexx')} | ` +
        `${malformed ? sum('malformedOk') : ''} | ${malformed ? sum('resets') : ''} | ${malformed ? `${(p95 / cleanP95).toFixed(2)}x` : ''} |`);
      const mw = rs.flatMap((r) => r.malformedWrong), ve = rs.flatMap((r) => r.validErrors);
      if (mw.length) say(`  - malformed, unexpected: ${mw.length} (${[...new Set(mw)].slice(0, 5).join('; ')})`);
      if (ve.length) say(`  - valid requests without an answer: ${ve.length} (${[...new Set(ve)].join(', ')})`);
    }
  }
  say();
  say(`- Server RSS after the runs: ${srv.rssMiB().toFixed(1)} MiB`);
  await srv.stop();
}
net.dispose();
engine.dispose();
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/serve.md'), `${lines.join('\n')}\n`);
console.log('\nwrote bench/results/serve.md');
