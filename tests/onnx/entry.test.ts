// The rectify/onnx entry: resolvable through package.json "exports", free of `node:` imports and code generation,
// not pulled into the core bundle (the core download does not grow), and working in a Cloudflare Worker (Miniflare):
// a PyTorch-style model imported there predicts the same bits as in Node.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import * as rectify from '../../dist/index.js';
import { createEngine } from '../../dist/index.js';
import * as onnx from '../../dist/onnx/index.js';
import { fromOnnx } from '../../dist/onnx/index.js';
import { ROOT, bundle, copyDistForWorkerd, freshDir, removeFreshDirs } from '../runtimes/harness.js';

const CODEGEN = /\beval\s*\(|\bnew\s+Function\b|(?<![.\w$])Function\s*\(/;
afterAll(removeFreshDirs);

describe('rectify/onnx entry', () => {
  it('resolves through package.json exports (types first) to dist/onnx/index.js', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['./onnx']).toEqual({ types: './dist/onnx/index.d.ts', default: './dist/onnx/index.js' });
    const r = await esbuild.build({
      stdin: { contents: `export * from 'rectify/onnx';`, resolveDir: ROOT }, bundle: true, write: false, metafile: true,
      platform: 'neutral', logLevel: 'silent',
    });
    expect(Object.keys(r.metafile.inputs)).toContain('dist/onnx/index.js');
  });

  it('OnnxError is one class, in src/errors.ts: exported from rectify and rectify/onnx, a ModelFormatError', async () => {
    expect(rectify.OnnxError).toBeDefined();
    expect(onnx.OnnxError).toBe(rectify.OnnxError);
    const engine = await createEngine();
    let err: unknown;
    try { fromOnnx(engine, new Uint8Array(0)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(rectify.OnnxError);
    expect(err).toBeInstanceOf(rectify.ModelFormatError);
    expect((err as Error).name).toBe('OnnxError');
  });

  it('has no node: import and no code generation; the core bundle holds none of it', async () => {
    const { code, inputs } = await bundle('dist/onnx/index.js', { platform: 'neutral', minify: true });
    expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(CODEGEN.test(code)).toBe(false);
    const core = await bundle('dist/index.js', { platform: 'browser', minify: true });
    expect(core.inputs.filter((i) => i.includes('onnx'))).toEqual([]);
  });

  it('imports a PyTorch-style model in a Worker (Miniflare) and predicts the same bits as Node', async () => {
    const { Miniflare } = await import('miniflare');
    const dir = freshDir('workerd-onnx');
    copyDistForWorkerd(dir);
    const model = readFileSync(join(ROOT, 'tests/fixtures/onnx/pytorch-mlp.onnx'));
    const ref = JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/onnx/pytorch-mlp.json'), 'utf8')) as { input: number[] };
    writeFileSync(join(dir, 'model.onnx'), model);
    writeFileSync(join(dir, 'worker.js'), `import { createEngine } from './dist/index.workerd.js';
import { fromOnnx } from './dist/onnx/index.js';
import model from './model.onnx';
export default { async fetch(req) {
  const x = Float32Array.from(await req.json());
  const engine = await createEngine();
  const net = fromOnnx(engine, new Uint8Array(model));
  const y = net.predict(x);
  return Response.json({ bits: Array.from(new Uint32Array(y.buffer)) });
} };`);
    const mf = new Miniflare({
      modules: true, modulesRoot: dir, scriptPath: join(dir, 'worker.js'), compatibilityDate: '2025-09-01',
      modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'Data', include: ['**/*.onnx'] }, { type: 'ESModule', include: ['**/*.js'] }],
    });
    try {
      const res = await mf.dispatchFetch('http://localhost/', { method: 'POST', body: JSON.stringify(ref.input) });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const engine = await createEngine();
      const net = fromOnnx(engine, new Uint8Array(model));
      const y = net.predict(Float32Array.from(ref.input));
      expect(JSON.parse(text).bits).toEqual(Array.from(new Uint32Array(y.buffer)));
    } finally {
      await mf.dispose();
    }
  });
});
