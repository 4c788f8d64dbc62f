// The examples users copy, each run in its real runtime: the browser page (Debian's Chromium via playwright-core,
// served from 127.0.0.1 by the example's own server) and the prediction Worker (Miniflare/workerd, the model
// trained by the example's train.mjs). Deno and Bun examples: see runtimes.test.ts ('examples/').
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../dist/index.js';
import { loadDigits, trainTestSplit } from '../../dist/data/index.js';
import { serve } from '../../examples/browser/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, DIST, ROOT, bundle, freshDir, removeFreshDirs, run, wasmAsModule, binAsModule } from './harness.js';

const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`\n${'!'.repeat(100)}\n!!! SKIPPING the browser example: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)\n${'!'.repeat(100)}\n`);
}
/** Where the browser test leaves its screenshot (look at it after changing the page). */
const SCREENSHOT = process.env.RECTIFY_SCREENSHOT ?? join(tmpdir(), 'rectify-browser-example.png');

afterAll(removeFreshDirs);

describe.skipIf(!HAS_CHROMIUM)('examples/browser', () => {
  let server: Server | undefined;
  afterAll(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  it('trains on the digits in the page, draws the loss curve, shows >= 90% test accuracy, logs no errors', async () => {
    const started = await serve(ROOT);
    server = started.server;
    const { chromium } = await import('playwright-core');
    const ctx = await chromium.launchPersistentContext(freshDir('browser-example'),
      { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 820, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    try {
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`); });
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      page.on('request', (r) => requests.push(r.url()));
      // Live: the page renders frames while fit runs (it yields to the event loop every ~16 ms), showing a partly drawn
      // loss curve. Counted in requestAnimationFrame, which runs only when the event loop gets to render.
      await page.addInitScript(() => {
        const w = window as unknown as { __liveFrames: number };
        w.__liveFrames = 0;
        const frame = () => {
          const n = document.querySelector('#chart .batches')?.getAttribute('points')?.split(' ').length ?? 0;
          if (document.body?.dataset.state === 'training' && n > 1 && n < 30 * 45) w.__liveFrames++;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
      await page.goto(`${started.url}/examples/browser/`);
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
      // serve.mjs sends COOP/COEP: cross-origin isolated, so worker threads ('auto': the processors Chromium reports).
      const cores = Math.min(16, await page.evaluate(() => navigator.hardwareConcurrency));
      expect(await page.textContent('#threads')).toBe(cores > 1
        ? `Training on ${cores} threads (worker threads sharing the engine's memory).` : 'Training on one thread: this device reports one processor.');
      const liveFrames = await page.evaluate(() => (window as unknown as { __liveFrames: number }).__liveFrames);
      console.log(`[examples] browser: ${liveFrames} frames rendered with a partly drawn loss curve during training`);
      expect(liveFrames).toBeGreaterThanOrEqual(1);
      const accuracy = await page.textContent('#accuracy');
      const status = await page.textContent('#status');
      console.log(`[examples] browser: ${accuracy}; ${status}`);
      const pct = Number(/Test accuracy: ([\d.]+)%/.exec(accuracy ?? '')?.[1]);
      expect(pct, String(accuracy)).toBeGreaterThanOrEqual(90);
      expect(status).toMatch(/epoch 30\/30/);
      // The chart: one point per batch (45 batches x 30 epochs) and one per epoch.
      const points = await page.$$eval('#chart .batches, #chart .epochs', (ls) => ls.map((l) => l.getAttribute('points')!.split(' ').length));
      expect(points).toEqual([30 * 45, 30]);
      expect(await page.$$eval('#first figure', (f) => f.length)).toBeGreaterThanOrEqual(12);
      expect(await page.isEnabled('#train')).toBe(true);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`[examples] browser: screenshot at ${SCREENSHOT}`);
      // Stop: "Train again" then "Stop" in one task; fit sees the aborted signal after its first batch.
      await page.evaluate(() => { document.getElementById('train')!.click(); document.getElementById('stop')!.click(); });
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
      expect(await page.textContent('#status')).toBe('seed 8: stopped after 1 batch; the results below are of that network');
      expect(await page.textContent('#accuracy')).toMatch(/^Test accuracy: [\d.]+% \(\d+ of 359 held-out digits\)$/);
      expect(await page.isEnabled('#train')).toBe(true);
      expect(await page.isEnabled('#stop')).toBe(false);
      // Nothing but the page's own origin was fetched (no CDN, no network).
      expect(requests.filter((u) => !u.startsWith(started.url) && !u.startsWith('data:') && !u.startsWith(`blob:${started.url}`))).toEqual([]);
    } finally {
      await ctx.close();
    }
    expect(errors).toEqual([]);
  });

  it('without COOP/COEP the page trains on one thread and says why', async () => {
    const started = await serve(ROOT, 0, '127.0.0.1', { isolated: false });
    const { chromium } = await import('playwright-core');
    const ctx = await chromium.launchPersistentContext(freshDir('browser-example-plain'),
      { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await ctx.newPage();
      await page.goto(`${started.url}/examples/browser/`);
      await page.waitForFunction(() => document.body.dataset.state === 'done', null, { timeout: 30_000 });
      expect(await page.textContent('#threads')).toMatch(/^Training on one thread: this page is not cross-origin isolated \(serve it with Cross-Origin-Opener-Policy/);
      expect(Number(/Test accuracy: ([\d.]+)%/.exec(await page.textContent('#accuracy') ?? '')?.[1])).toBeGreaterThanOrEqual(90);
    } finally {
      await ctx.close();
      await new Promise<void>((r) => started.server.close(() => r()));
    }
  });
});


describe('examples/worker-predict', () => {
  it('serves predictions in workerd bit for bit equal to Node\'s, from the model train.mjs saved; client mistakes get 4xx JSON errors', async () => {
    const dir = freshDir('worker-predict');
    const out = await run(process.execPath, ['examples/worker-predict/train.mjs', join(dir, 'model.bin')]);
    expect(out).toMatch(/^test accuracy (9\d|100)\.\d% on 359 held-out digits; wrote \d+ bytes \(weights, training statistics, names, labels\) to /);
    const modelBytes = readFileSync(join(dir, 'model.bin'));

    const { code, inputs } = await bundle('examples/worker-predict/worker.ts',
      { conditions: ['workerd'], platform: 'neutral', plugins: [wasmAsModule, binAsModule] });
    expect(inputs).toContain('dist/index.workerd.js');
    expect(inputs).toContain('dist/serve/index.js');
    writeFileSync(join(dir, 'worker.js'), code);
    copyFileSync(join(DIST, 'rectify.wasm'), join(dir, 'rectify.wasm'));

    // Node's answers from the same bytes.
    const engine = await createEngine();
    const net = engine.loadNetwork(new Uint8Array(modelBytes));
    // The model carries what the Worker serves with (no stats.json): the training rows' statistics, names, labels.
    const meta = net.metadata;
    expect(meta.featureStats!.rows).toBe(1438);
    expect(meta.featureStats!.min).toHaveLength(64);
    expect(meta.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(meta.inputNames![9]).toBe('pixel row 1 col 1');
    const { test } = trainTestSplit(loadDigits(), 0.2, 1);
    const rows = [0, 1, 2, 3, 57, 101, 358];

    const { Miniflare } = await import('miniflare');
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.bin'] }],
    });
    type Answer = { probabilities?: number[] & number[][]; top?: { class: number; label: string; probability: number }[];
      warnings?: { feature: number }[]; error?: { code: string; message: string } };
    try {
      const post = async (body: unknown, raw = false, headers: Record<string, string> = { 'content-type': 'application/json' }) => {
        const res = await mf.dispatchFetch('http://localhost/predict', { method: 'POST', body: raw ? String(body) : JSON.stringify(body), headers });
        return { status: res.status, headers: res.headers, body: await res.json() as Answer };
      };
      const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a, Math.fround).buffer));
      let agreeWithLabels = 0;
      for (const r of rows) {
        const res = await post({ inputs: Array.from(test.x.subarray(r * 64, r * 64 + 64)) });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers.get('server-timing')).toMatch(/^parse;dur=[\d.]+, predict;dur=[\d.]+$/);
        const expected = net.predict(test.x.slice(r * 64, r * 64 + 64));
        // Bit for bit: JSON carries each f32 exactly (as the shortest double that rounds back to it).
        expect(bits(res.body.probabilities!), `row ${r}`).toEqual(bits(expected));
        const best = expected.indexOf(Math.max(...expected));
        expect(res.body.top![0]).toEqual({ class: best, label: String(best), probability: expected[best] });
        expect(res.body.top).toHaveLength(3);
        if (best === test.labels[r]) agreeWithLabels++;
      }
      expect(agreeWithLabels).toBeGreaterThanOrEqual(rows.length - 1);
      // A batch: the same bits row by row.
      const batch = await post({ inputs: rows.slice(0, 3).map((r) => Array.from(test.x.subarray(r * 64, r * 64 + 64))) });
      expect(batch.status).toBe(200);
      expect(bits(batch.body.probabilities!.flat())).toEqual(bits(net.predict(Float32Array.from(rows.slice(0, 3).flatMap((r) => Array.from(test.x.subarray(r * 64, r * 64 + 64)))))));

      const bad = async (status: number, code: string, pattern: RegExp, body: unknown, raw = false, headers?: Record<string, string>) => {
        const res = await post(body, raw, headers);
        expect(res.status, JSON.stringify(res.body)).toBe(status);
        expect(res.body.error!.code).toBe(code);
        expect(res.body.error!.message).toMatch(pattern);
      };
      await bad(400, 'wrong_width', /^inputs must hold exactly 64 numbers \(the network's inputs\), got 3$/, { inputs: [0, 0.5, 1] });
      await bad(400, 'not_a_number', /^inputs\[63\] must be a number, got the string "a"$/, { inputs: [...Array(63).fill(0), 'a'] });
      await bad(400, 'f32_overflow', /^inputs\[10\] is 1e\+39, beyond the f32 range/, { inputs: [...Array(10).fill(0), 1e39, ...Array(53).fill(0)] });
      await bad(400, 'invalid_body', /^inputs must be an array, got the string "abc"/, { inputs: 'abc' });
      await bad(400, 'invalid_body', /^the body must be a JSON object/, [1, 2]);
      await bad(400, 'invalid_json', /^the body is not valid JSON/, '{"inputs": [1, 2', true);
      await bad(415, 'unsupported_media_type', /not accepted: send application\/json/, { inputs: [] }, false, { 'content-type': 'text/plain' });
      await bad(413, 'body_too_large', /limit (is|of) \d+ bytes/, `{"inputs":[${'0,'.repeat(40_000)}0]}`, true);
      // Far outside the training pixels (in [0, 1]): answered, but flagged, naming the pixel.
      const far = await post({ inputs: [-5, ...Array(62).fill(0), 1e30] });
      expect(far.status).toBe(200);
      expect(far.body.warnings!.map((w) => w.feature)).toEqual([0, 63]);
      expect((far.body.warnings as unknown as { message: string }[])[1]!.message).toMatch(/^inputs\[63\] \(pixel row 7 col 7\) is 1\.0000000150474662e\+30, /);
      expect(far.headers.get('x-rectify-warning')).toMatch(/^out_of_range; count=2/);
      const get = await mf.dispatchFetch('http://localhost/predict');
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST, OPTIONS');
      expect((await mf.dispatchFetch('http://localhost/predict', { method: 'OPTIONS' })).status).toBe(204);
      expect((await mf.dispatchFetch('http://localhost/')).status).toBe(404);
    } finally {
      await mf.dispose();
      net.dispose();
      engine.dispose();
    }
  });
});
