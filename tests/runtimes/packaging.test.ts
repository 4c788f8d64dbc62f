// Packaging: what the package exports for each runtime, what a browser downloads (size budget), and what the code
// must never contain (eval, new Function, `node:` imports reachable from the Workers entry).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST, ROOT, bundle, copyDistForWorkerd, removeFreshDirs, freshDir, wasmAsModule } from './harness.js';

/** Budget of what a browser downloads for the whole library: minified ESM bundle + baseline .wasm, brotli. */
const BROTLI_BUDGET = 48 * 1024;

function brotli(buf: Uint8Array | string): number {
  return brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? jsFiles(p) : p.endsWith('.js') ? [p] : [];
  });
}

/** eval, new Function, Function(...) and friends: code generation from strings (refused on Workers and Edge). */
const CODEGEN = /\beval\s*\(|\bnew\s+Function\b|(?<![.\w$])Function\s*\(|\bsetTimeout\s*\(\s*['"`]|WebAssembly\.Module\s*\(/;

afterAll(removeFreshDirs);

describe('packaging', () => {
  it('package.json exports: types first, a workerd entry, the default entry, both .wasm builds', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.exports['.'])).toEqual(['types', 'workerd', 'default']);
    const resolveWith = async (conditions: string[], spec: string) => {
      const r = await esbuild.build({
        stdin: { contents: `import * as m from ${JSON.stringify(spec)}; export default m;`, resolveDir: ROOT },
        bundle: true, write: false, metafile: true, conditions, platform: 'neutral', logLevel: 'silent',
        plugins: [wasmAsModule],
      });
      return Object.keys(r.metafile.inputs);
    };
    expect(await resolveWith(['workerd'], 'rectify')).toContain('dist/index.workerd.js');
    const def = await resolveWith([], 'rectify');
    expect(def).toContain('dist/index.js');
    expect(def).not.toContain('dist/index.workerd.js');
    for (const f of ['rectify.wasm', 'rectify-relaxed.wasm', 'rectify-threads.wasm']) {
      expect(pkg.exports[`./${f}`]).toBe(`./dist/${f}`);
      expect(WebAssembly.validate(readFileSync(join(DIST, f))) || f.includes('relaxed')).toBe(true);
    }
  });

  it('the published files hold both entries and both builds', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/index.workerd.js', 'dist/engine.workerd.js',
      'dist/rectify.wasm', 'dist/rectify-relaxed.wasm', 'dist/rectify-threads.wasm', 'dist/data/index.js', 'dist/data/index.d.ts', 'dist/cli.js',
      'package.json', 'LICENSE', 'README.md']) expect(files).toContain(f);
    // The twins build (baseline kernels plus scalar twins) is for the tests and `scalar: true` in the repository only.
    expect(files).not.toContain('dist/rectify-twins.wasm');
    // Nor the all-exports twin of rectify.wasm (rectify-kernels.wasm: the tests and benchmarks that call kernels one by one).
    expect(files).not.toContain('dist/rectify-kernels.wasm');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.exports)).not.toContain('./rectify-twins.wasm');
  });

  it('types resolve for rectify, rectify/data and rectify/serve under moduleResolution node, node16 and bundler', () => {
    const dir = freshDir('types-resolution');
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules', 'rectify'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    writeFileSync(join(dir, 'main.ts'), [
      "import { createEngine, TrainingAbortedError, DataFormatError, type History } from 'rectify';",
      "import { loadDigits, parseCsv, DataError } from 'rectify/data';",
      "import { createPredictHandler, type PredictorMetadata } from 'rectify/serve';",
      "import type { Network, NetworkMetadata } from 'rectify';",
      // Fails to compile when a type is `any` (an unresolved module under a lax setting) instead of the real one.
      'type IsAny<T> = 0 extends 1 & T ? true : false;',
      'export const notAny: [IsAny<typeof createEngine>, IsAny<typeof loadDigits>, IsAny<typeof parseCsv>, IsAny<typeof createPredictHandler>] = [false, false, false, false];',
      // A network (its metadata typed) is what the handler takes.
      'export const serve = (n: Network): ((r: Request) => Promise<Response>) => createPredictHandler(n, { rangeCheck: \'reject\' });',
      'export const meta = (n: Network): PredictorMetadata => { const m: NetworkMetadata = n.metadata; return m; };',
      'export const rows: number = loadDigits().rows;',
      'export const h = (e: TrainingAbortedError): History => e.history;',
      'export const isData = (e: unknown): boolean => e instanceof DataFormatError || e instanceof DataError;',
      'export const engine = createEngine;',
    ].join('\n'));
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const [module, moduleResolution] of [['commonjs', 'node'], ['node16', 'node16'], ['esnext', 'bundler']]) {
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { module, moduleResolution, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [], lib: ['es2022', 'dom'], ignoreDeprecations: '5.0' },
        files: ['main.ts'],
      }));
      let out = '';
      try { execFileSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' }); } catch (e) { out = String((e as { stdout?: string }).stdout ?? e); }
      expect(out, `moduleResolution ${moduleResolution}`).toBe('');
    }
  }, 120_000);

  it('no eval / new Function / compiling wasm synchronously anywhere in dist/ or in the bundles', async () => {
    const offenders = jsFiles(DIST).filter((f) => CODEGEN.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
    const browser = await bundle('dist/index.js', { platform: 'browser', minify: true });
    const worker = await bundle('dist/index.workerd.js', { platform: 'neutral', minify: true, plugins: [wasmAsModule] });
    expect(CODEGEN.test(browser.code)).toBe(false);
    expect(CODEGEN.test(worker.code)).toBe(false);
  });

  it('rectify/serve is its own entry (types first) and pulls in none of the engine: the core download does not grow', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['./serve']).toEqual({ types: './dist/serve/index.d.ts', default: './dist/serve/index.js' });
    const { code, inputs } = await bundle('dist/serve/index.js', { platform: 'neutral', minify: true });
    expect(inputs.filter((i) => !i.startsWith('dist/serve/')).sort()).toEqual(['dist/errors.js']);
    expect(CODEGEN.test(code)).toBe(false);
    const browser = await bundle('dist/index.js', { platform: 'browser', minify: true });
    expect(browser.inputs.some((i) => i.startsWith('dist/serve/'))).toBe(false);
    console.log(`[packaging] rectify/serve: ${code.length} bytes minified, ${brotliCompressSync(code).length} bytes brotli`);
  });

  it('no `node:` import is reachable from either entry (bundles with no externals but the .wasm)', async () => {
    for (const entry of ['dist/index.workerd.js', 'dist/index.js', 'dist/serve/index.js']) {
      // platform neutral: a reachable `node:` import (static or dynamic) fails to resolve, and fails the build.
      const { code, inputs } = await bundle(entry, { platform: 'neutral', plugins: [wasmAsModule] });
      expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
      expect(code).not.toMatch(/["']node:/);
    }
  });

  it('Miniflare loads the unbundled Workers entry as published (its import walker rejects node: imports)', async () => {
    const { Miniflare } = await import('miniflare');
    const dir = freshDir('workerd-raw');
    copyDistForWorkerd(dir);
    writeFileSync(join(dir, 'worker.js'), `import { createEngine, ACTIVATIONS } from './dist/index.workerd.js';
export default { async fetch() {
  const engine = await createEngine();
  const y = engine.activation('relu').forward(new Float32Array([-1, 2, -0.5, 3]));
  return Response.json({ y: [...y], n: ACTIVATIONS.length });
} };`);
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
      // dist/*.js are ES modules (package.json "type": "module"), as wrangler treats them.
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
    });
    try {
      const res = await mf.dispatchFetch('http://localhost/');
      const text = await res.text();
      expect(res.status, text).toBe(200);
      expect(JSON.parse(text).y).toEqual([0, 2, 0, 3]);
    } finally {
      await mf.dispose();
    }
  });

  it(`what a browser downloads for the full library is <= ${BROTLI_BUDGET / 1024} KiB brotli`, async () => {
    // Bundled as an application's bundler would (code splitting on): the entry chunk is what every user downloads;
    // a lazily imported chunk is fetched only on its path. The only one allowed is the worker pool, which an engine
    // imports when it starts threads (with rectify-threads.wasm instead of rectify.wasm): that download is printed. No script (a worker) may be loaded from a file next to the bundle.
    const r = await esbuild.build({
      entryPoints: [join(DIST, 'index.js')], absWorkingDir: ROOT, bundle: true, write: false, splitting: true,
      outdir: join(ROOT, 'size-out'), format: 'esm', platform: 'browser', minify: true, logLevel: 'silent', metafile: true,
    });
    const chunks = r.outputFiles.filter((f) => f.path.endsWith('.js'));
    const entry = chunks.find((f) => r.metafile.outputs[relative(ROOT, f.path)]?.entryPoint)!;
    const lazy = chunks.filter((f) => f !== entry);
    expect(lazy.map((f) => Object.keys(r.metafile.outputs[relative(ROOT, f.path)]!.inputs))).toEqual([['dist/threads-pool.js']]);
    for (const f of chunks) expect(f.text).not.toMatch(/new URL\(\s*["'`][^"'`]*\.m?js["'`]/);
    const code = entry.text;
    const wasm = readFileSync(join(DIST, 'rectify.wasm'));
    const relaxed = readFileSync(join(DIST, 'rectify-relaxed.wasm'));
    const threads = readFileSync(join(DIST, 'rectify-threads.wasm'));
    const js = brotli(code), wb = brotli(wasm), total = js + wb, pool = brotli(lazy[0]!.text), tb = brotli(threads);
    console.log(`[size] browser download, brotli q11: index.js bundle ${code.length} B -> ${js} B, rectify.wasm ` +
      `${wasm.length} B -> ${wb} B; total ${total} B (${(total / 1024).toFixed(2)} KiB of ${BROTLI_BUDGET / 1024} KiB). ` +
      `(rectify-relaxed.wasm, fetched instead of rectify.wasm with relaxedSimd: ${relaxed.length} B -> ${brotli(relaxed)} B; ` +
      `with threads > 1: the pool chunk ${pool} B + rectify-threads.wasm ${threads.length} B -> ${tb} B instead of ` +
      `rectify.wasm: ${js + pool + tb} B)`);
    expect(total).toBeLessThanOrEqual(BROTLI_BUDGET);
  });
});
