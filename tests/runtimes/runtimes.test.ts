// The same probe (every activation of the build, forward, backward and parameter gradients, on a fixed input set)
// in each real runtime, hashed bit for bit and compared with the hash Node computes in this process. The baseline
// build must be bit-identical everywhere; the relaxed-SIMD build (where WebAssembly.validate accepts it) must be
// within tolerance of the baseline. A runtime is skipped, loudly, only when its binary is genuinely absent.
import { createServer, type Server } from 'node:http';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../dist/index.js';
import { probe, probeThreads } from './probe.js';
import {
  CHROMIUM, CHROMIUM_ARGS, DIST, ROOT, bundle, removeFreshDirs, compareRelaxed, differingSections, freshDir, lastJson, npmBinary, run, wasmAsModule,
  type BothResult, type ProbeResult, type ThreadsResult,
} from './harness.js';


function platformBinary(scope: string, file: string): string[] {
  const dir = join(ROOT, 'node_modules', scope);
  return existsSync(dir) ? readdirSync(dir).map((p) => `node_modules/${scope}/${p}/${file}`) : [];
}
// The platform packages hold the real binaries (the wrappers' postinstall may have moved them, hence the fallbacks).
const DENO = npmBinary([...platformBinary('@deno', 'deno'), 'node_modules/deno/deno']);
const BUN = npmBinary([...platformBinary('@oven', 'bin/bun'), 'node_modules/bun/bin/bun.exe']);
const HAS_CHROMIUM = existsSync(CHROMIUM);

function loudSkip(runtime: string, why: string): void {
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING ${runtime}: ${why}\n${'!'.repeat(100)}\n`);
}
if (!HAS_CHROMIUM) loudSkip('Chromium', `${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)`);
if (!DENO) loudSkip('Deno', 'the deno binary is not installed (npm ci installs the deno package)');
if (!BUN) loudSkip('Bun', 'the bun binary is not installed (npm ci installs the bun package)');

let nodeRef: ProbeResult;
let nodeRefValues: ProbeResult;
let nodeThreads: ThreadsResult; // the threads probe on one thread, in Node

afterAll(removeFreshDirs);

beforeAll(async () => {
  nodeRef = await probe(lib);
  nodeRefValues = await probe(lib, {}, { withValues: true });
  nodeThreads = await probeThreads(lib, { threads: 1 });
});

/**
 * The checks every runtime gets: same activations, same baseline bits as Node; relaxed within tolerance; with
 * `threads: 2` the engine uses `threads` threads (1: it says why) and trains the same bits as Node on one thread.
 */
function checkRuntime(r: BothResult, expectRelaxed: boolean | undefined, threads: number, reason?: RegExp): void {
  console.log(`[runtimes] ${r.runtime}: threads: 2 -> ${r.threads?.threads} thread(s)` +
    `${r.threads?.reason ? ` (${r.threads.reason})` : ''}, trained weights ${r.threads?.sha256 === nodeThreads.sha256 ? 'identical to Node on one thread' : 'DIFFER'}`);
  expect(r.threads?.threads, `threads used (${r.threads?.reason})`).toBe(threads);
  if (threads === 1) expect(r.threads?.reason).toMatch(reason ?? /./);
  else expect(r.threads?.reason).toBeNull();
  expect(r.threads?.sha256, 'threads: trained weights and predictions').toBe(nodeThreads.sha256);
  const diff = differingSections(nodeRef, r.baseline);
  console.log(`[runtimes] ${r.runtime}: baseline sha256 ${r.baseline.sha256} ` +
    `(${r.baseline.sha256 === nodeRef.sha256 ? 'identical to Node' : `DIFFERS in ${diff.join(', ')}`}); ` +
    `scalar twins ${r.scalar ? (r.scalar.sha256 === nodeRef.sha256 ? 'identical' : 'DIFFER') : 'not run'}; ` +
    `relaxed SIMD ${r.relaxed ? 'validated' : 'not supported'}`);
  expect(r.baseline.activations).toEqual(nodeRef.activations);
  expect(r.baseline.relaxedSimd).toBe(false);
  expect(diff, 'sections whose bits differ from Node').toEqual([]);
  expect(r.baseline.sha256).toBe(nodeRef.sha256);
  // Dropout masks, batchNorm and layerNorm in a seeded fit: the same bits as Node's (a hash of its own).
  expect(nodeRef.layers).toMatch(/^[0-9a-f]{64}$/);
  expect(r.baseline.layers, 'layers training hash').toBe(nodeRef.layers);
  if (r.scalar) expect(r.scalar.layers, 'layers training hash, scalar twins').toBe(nodeRef.layers);
  if (r.scalar) {
    expect(differingSections(nodeRef, r.scalar), 'scalar twins: sections whose bits differ').toEqual([]);
    expect(r.scalar.sha256).toBe(nodeRef.sha256);
  }
  if (expectRelaxed !== undefined) expect(r.relaxed !== null, 'relaxed SIMD validates').toBe(expectRelaxed);
  if (r.relaxed) {
    expect(r.relaxed.relaxedSimd, 'the relaxed build was in use').toBe(true);
    const c = compareRelaxed(nodeRefValues, r.relaxed, lib.ACTIVATIONS);
    console.log(`[runtimes] ${r.runtime}: relaxed vs baseline: worst ${c.worstUlps} ulps element-wise, ` +
      `worst relative ${c.worstRel.toExponential(2)} on parameter-gradient sums; sha256 ${r.relaxed.sha256}` +
      (r.relaxed.sha256 === nodeRef.sha256 ? ' (same bits as baseline)' : ''));
    expect(c.failures).toEqual([]);
  }
}

describe('the relaxed-build comparison', () => {
  it('flags a value beyond tolerance and a changed special, accepts equal bits', () => {
    const hexOf = (a: number[]) => Array.from(new Uint32Array(new Float32Array(a).buffer), (w) => w.toString(16).padStart(8, '0')).join('');
    const mk = (a: number[], g: number[]): ProbeResult => ({
      sha256: '', relaxedSimd: false, training: false, activations: ['relu'], sections: [
        { label: 'relu/forward', n: a.length, fnv: '', hex: hexOf(a) },
        { label: 'relu/paramGrad.x', n: g.length, fnv: '', hex: hexOf(g) }],
    });
    const defs = [{ name: 'relu', tolerance: { forward: 0, backward: 0 } }];
    const base = mk([1, 2, NaN, Infinity], [100]);
    expect(compareRelaxed(base, mk([1, 2, NaN, Infinity], [100]), defs).failures).toEqual([]);
    expect(compareRelaxed(base, mk([1, 2 + 2 ** -22, NaN, Infinity], [100.001]), defs).failures).toEqual([]);
    expect(compareRelaxed(base, mk([1, 2 + 2 ** -10, NaN, Infinity], [100]), defs).failures).toHaveLength(1);
    expect(compareRelaxed(base, mk([1, 2, 0, Infinity], [100]), defs).failures).toHaveLength(1);
    expect(compareRelaxed(base, mk([1, 2, NaN, -Infinity], [100.1]), defs).failures).toHaveLength(2);
  });
});

describe('the probe in real runtimes', () => {
  it('Node (in-process reference) computes the probe, with relaxed SIMD within tolerance', async () => {
    expect(nodeRef.sections.length).toBeGreaterThan(0);
    expect(nodeRef.activations).toEqual(lib.ACTIVATIONS.map((d) => d.name));
    console.log(`[runtimes] node ${process.versions.node}: baseline sha256 ${nodeRef.sha256} ` +
      `(${nodeRef.sections.length} sections, ${nodeRef.activations.length} activations)`);
    const relaxed = lib.supportsRelaxedSimd() ? await probe(lib, { relaxedSimd: true }, { withValues: true }) : null;
    const scalar = await probe(lib, { scalar: true });
    const threads = await probeThreads(lib, { threads: 2 });
    checkRuntime({ runtime: `node ${process.versions.node}`, baseline: nodeRef, scalar, relaxed, threads }, undefined, 2);
  });

  it.skipIf(!DENO)('Deno', async () => {
    const out = await run(DENO!, ['run', '--allow-read', '--no-prompt', 'tests/runtimes/host.mjs']);
    const r = lastJson<BothResult>(out);
    expect(r.runtime).toMatch(/^deno /);
    checkRuntime(r, true, 2);
  });

  it.skipIf(!BUN)('Bun', async () => {
    const r = lastJson<BothResult>(await run(BUN!, ['tests/runtimes/host.mjs']));
    expect(r.runtime).toMatch(/^bun /);
    checkRuntime(r, undefined, 2);
  });

  it('Vercel edge-runtime (no code generation; Module passed in from the host)', async () => {
    const { EdgeRuntime } = await import('edge-runtime');
    const { code } = await bundle('tests/runtimes/edge-entry.js', { format: 'iife', platform: 'browser' });
    const MOD = await WebAssembly.compile(readFileSync(join(DIST, 'rectify.wasm')));
    const MOD_TWINS = await WebAssembly.compile(readFileSync(join(DIST, 'rectify-twins.wasm')));
    const MOD_RELAXED = lib.supportsRelaxedSimd()
      ? await WebAssembly.compile(readFileSync(join(DIST, 'rectify-relaxed.wasm'))) : undefined;
    const rt = new EdgeRuntime({
      codeGeneration: { strings: false, wasm: false },
      extend: (ctx) => Object.assign(ctx, { MOD, MOD_RELAXED, MOD_TWINS }),
      initialCode: code,
    });
    // Production-like: compiling wasm from bytes and eval are refused inside this runtime.
    const compiled = await rt.evaluate<Promise<string>>(
      'WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])).then(() => "compiled", () => "refused")');
    expect(compiled).toBe('refused');
    expect(() => rt.evaluate('eval("1")')).toThrow();
    const r = JSON.parse(await rt.evaluate<Promise<string>>('runProbe()')) as BothResult;
    expect(r.runtime).toMatch(/^edge-runtime/);
    checkRuntime(r, undefined, 1, /Worker|SharedArrayBuffer|threadsWasm/);
  });

  it('Cloudflare workerd (Miniflare; the package\'s workerd entry, .wasm imported as CompiledWasm)', async () => {
    const { Miniflare } = await import('miniflare');
    const dir = freshDir('workerd');
    const { code, inputs } = await bundle('tests/runtimes/worker.js',
      { conditions: ['workerd'], platform: 'neutral', plugins: [wasmAsModule] });
    expect(inputs).toContain('dist/index.workerd.js');
    writeFileSync(join(dir, 'worker.js'), code);
    for (const f of ['rectify.wasm', 'rectify-relaxed.wasm', 'rectify-twins.wasm']) copyFileSync(join(DIST, f), join(dir, f));
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    });
    try {
      const res = await mf.dispatchFetch('http://localhost/');
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const r = JSON.parse(text) as BothResult;
      expect(r.runtime).toBe('workerd');
      checkRuntime(r, true, 1, /Worker|SharedArrayBuffer/);
    } finally {
      await mf.dispose();
    }
  });

  describe.skipIf(!HAS_CHROMIUM)('headless Chromium', () => {
    let server: Server;
    let origin: string;
    const PAGE = `<!doctype html><meta charset="utf-8"><title>rectify probe</title>
<script type="importmap">{ "imports": {
"rectify": "/dist/index.js", "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }</script>
<script type="module">
  import * as lib from 'rectify';
  import { probeBoth } from '/tests/runtimes/probe.js';
  probeBoth(lib).then((r) => { window.__result = JSON.stringify(r); }, (e) => { window.__result = 'ERROR ' + (e && e.stack || e); });
</script>`;
    const TYPES: Record<string, string> = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
    const SERVED = ['/dist/', '/tests/runtimes/', '/node_modules/@assemblyscript/loader/'];

    beforeAll(async () => {
      server = createServer((req, res) => {
        const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
        if (path === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE); return; }
        if (path === '/isolated') {
          // Cross-origin isolated: SharedArrayBuffer, so threads.
          res.writeHead(200, { 'content-type': 'text/html', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }).end(PAGE);
          return;
        }
        const file = join(ROOT, path);
        if (!SERVED.some((p) => path.startsWith(p)) || !existsSync(file)) { res.writeHead(404).end(); return; }
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(file));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const addr = server.address();
      origin = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    });
    afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

    it.each([
      ['/', 1], ['/isolated', 2],
    ] as const)('Chromium (Debian package, driven by playwright-core), dist/ served over http: page %s, %i thread(s)', async (path, threads) => {
      const { chromium } = await import('playwright-core');
      const ctx = await chromium.launchPersistentContext(freshDir('chromium'),
        { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
      const errors: string[] = [];
      try {
        const page = await ctx.newPage();
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`${origin}${path}`);
        const handle = await page.waitForFunction(() => (window as unknown as { __result?: string }).__result, null,
          { timeout: 30_000 });
        const text = await handle.jsonValue() as string;
        expect(text.startsWith('ERROR'), text).toBe(false);
        const r = JSON.parse(text) as BothResult;
        expect(r.runtime).toMatch(/Chrome\//);
        r.runtime = `chromium ${/Chrome\/([\d.]+)/.exec(r.runtime)?.[1]}`;
        checkRuntime(r, true, threads, /cross-origin isolated/);
      } finally {
        await ctx.close();
      }
      expect(errors).toEqual([]);
    });
  });

  describe('examples/', () => {
    // examples/node.mjs, deno.ts and bun.ts train the same seeded network on the digits and print its weight hash.
    const HASH = /^weights sha256 ([0-9a-f]{64})$/m;
    let nodeHash: string;
    beforeAll(async () => {
      const out = await run(process.execPath, ['examples/node.mjs']);
      expect(out).toMatch(/^rectify in Node /);
      expect(out).toMatch(/^test accuracy (9\d|100)\.\d%$/m);
      nodeHash = HASH.exec(out)![1]!;
      console.log(`[examples] node: weights sha256 ${nodeHash}`);
    });

    it.skipIf(!DENO)('examples/deno.ts runs in Deno; its trained weights hash as in Node', async () => {
      const out = await run(DENO!, ['run', '--allow-read', '--no-prompt', 'examples/deno.ts']);
      expect(out).toMatch(/^rectify in Deno /);
      expect(out).toContain('relu       f(x)  = 0 0 0 0.5 2\n');
      expect(out).toContain('hardTanh   f(x)  = -1 -0.5 0 0.5 1\n');
      expect(HASH.exec(out)?.[1], 'Deno weights sha256').toBe(nodeHash);
    });

    it.skipIf(!BUN)('examples/bun.ts runs in Bun; its trained weights hash as in Node', async () => {
      const out = await run(BUN!, ['examples/bun.ts']);
      expect(out).toMatch(/^rectify in Bun /);
      expect(out).toContain('leakyRelu(0.1) f(x)  = -0.2 -0.05 0 0.5 2\n');
      expect(out).toContain('prelu dL/dalpha = -2.5\n');
      expect(HASH.exec(out)?.[1], 'Bun weights sha256').toBe(nodeHash);
    });

    it('examples/worker serves activations in workerd (bundled as wrangler would, with the workerd condition)', async () => {
      const { Miniflare } = await import('miniflare');
      const dir = freshDir('worker-example');
      const { code } = await bundle('examples/worker/worker.ts',
        { conditions: ['workerd'], platform: 'neutral', plugins: [wasmAsModule] });
      writeFileSync(join(dir, 'worker.js'), code);
      copyFileSync(join(DIST, 'rectify.wasm'), join(dir, 'rectify.wasm'));
      const mf = new Miniflare({
        modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
      });
      try {
        const post = async (path: string, body: unknown) => {
          const res = await mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', body: JSON.stringify(body) });
          return { status: res.status, body: await res.json() as Record<string, unknown> };
        };
        expect(await post('/activation/relu', { x: [-1, 2, 0.5], dy: [1, 1, 2] }))
          .toEqual({ status: 200, body: { y: [0, 2, 0.5], dx: [0, 1, 2] } });
        expect(await post('/activation/leakyRelu', { x: [-2, 4], params: { slope: 0.5 } }))
          .toEqual({ status: 200, body: { y: [-1, 4] } });
        const bad = await post('/activation/nope', { x: [1] });
        expect(bad.status).toBe(400);
        expect(String(bad.body.error)).toMatch(/unknown activation "nope"; valid names: .*relu/);
        expect((await mf.dispatchFetch('http://localhost/activation/relu')).status).toBe(405);
      } finally {
        await mf.dispose();
      }
    });
  });
});
