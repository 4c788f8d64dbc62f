// toOnnx writes the same bytes as before: every activation of the kernel table (defaults and other parameters), and
// the layer kinds, at every opset, hashed (SHA-256) and compared with tests/onnx/golden-exports.json. The weights are
// set explicitly (not drawn), so the hashes depend on the writer alone. A deliberate change of the written form
// regenerates the file with RECTIFY_WRITE_GOLDEN=1 (and says why in its commit). An activation added after the file
// was written has no entries: it is listed, not compared (tests/onnx/export.test.ts runs its form in onnxruntime), so
// adding one by the recipe touches no test file; regenerate the file to freeze its bytes too.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVATIONS, createEngine, type Engine } from '../../dist/index.js';
import { OPSET_MAX, OPSET_MIN, toOnnx } from '../../dist/onnx/index.js';

const FILE = join(import.meta.dirname, 'golden-exports.json');

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** Every row with its defaults, plus other parameters and options. */
function specs(): Record<string, unknown>[] {
  return [
    ...ACTIVATIONS.map((d) => ({ name: d.name as string })),
    { name: 'prelu', units: 4, alpha: [0.1, -0.5, 2, 0.25] },
    { name: 'sbaf', domain: 'sigmoid', k: 1.3, alpha: 0.3 },
    { name: 'sbaf', domain: 'strict' },
    { name: 'arelu', k: 0.75, n: 1.7 },
    { name: 'softplus', beta: 2, threshold: 5 },
    { name: 'softplus', beta: 1, threshold: 5 },
    { name: 'leakyRelu', slope: 0.2 },
    { name: 'hardShrink', lambda: 1.25 },
    { name: 'softShrink', lambda: 1.25 },
    { name: 'hardSigmoid', slope: 0.2, offset: 0.5 },
    { name: 'elu', alpha: 0.5 },
    { name: 'celu', alpha: 2 },
    { name: 'hardTanh', minVal: -2, maxVal: 1.5 },
    { name: 'relu', subgradient: 1 },
    { name: 'silu', beta: 1.7 },
  ];
}

/** The bytes of a 3 -> 4 -> 2 network with this activation on both layers (and one with every layer kind). */
function exportOf(spec: Record<string, unknown> | 'layers', opset: number): Uint8Array {
  const b = engine.network({ inputs: 3 });
  const net = spec === 'layers'
    ? b.dense(4, 'tanh').batchNorm({ epsilon: 1e-3, momentum: 0.2 }).dropout(0.5).dense(4, 'relu').layerNorm().dense(2, 'linear').build({ loss: 'mse' })
    : b.dense(4, spec as never).dense(2, (spec.name === 'prelu' && spec.units ? { ...spec, units: 2, alpha: [0.5, -1] } : spec) as never).build({ loss: 'mse' });
  try {
    net.parameters().forEach((p, i) => {
      if (/\.(weight|bias|gamma|beta)$/.test(p.name)) p.data.set(Array.from({ length: p.data.length }, (_, k) => (((k * 7 + i * 3) % 17) - 8) / 16));
    });
    return toOnnx(net, { opset });
  } finally {
    net.dispose();
  }
}

describe('toOnnx writes the same bytes as before', () => {
  it('for every activation, variant and layer kind at every opset', () => {
    const have: Record<string, string> = {};
    for (const spec of [...specs(), 'layers' as const]) {
      for (let opset = OPSET_MIN; opset <= OPSET_MAX; opset++) {
        have[`${JSON.stringify(spec)} @${opset}`] = createHash('sha256').update(exportOf(spec, opset)).digest('hex');
      }
    }
    if (process.env.RECTIFY_WRITE_GOLDEN === '1') writeFileSync(FILE, `${JSON.stringify(have, null, 1)}\n`);
    const want = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, string>;
    const known = new Set(Object.keys(want).map((k) => (JSON.parse(k.slice(0, k.lastIndexOf(' @'))) as { name?: string } | string)).map((s) => (typeof s === 'string' ? s : s.name)));
    const unfrozen: string[] = [];
    for (const [k, h] of Object.entries(have)) {
      const spec = JSON.parse(k.slice(0, k.lastIndexOf(' @'))) as { name?: string } | string;
      if (want[k] === undefined && typeof spec === 'object' && !known.has(spec.name)) { unfrozen.push(k); continue; }
      expect(want[k], `no golden hash for ${k}; write them with RECTIFY_WRITE_GOLDEN=1 npx vitest run tests/onnx/golden.test.ts`).toBeDefined();
      expect(h, `toOnnx bytes changed for ${k}`).toBe(want[k]);
    }
    if (unfrozen.length) console.log(`[onnx] golden: ${unfrozen.length} exports of activations newer than the golden file are not compared`);
    expect(Object.keys(want).filter((k) => !(k in have)), 'golden entries no longer written').toEqual([]);
  });
});
