// ONNX fuzzing: mutated third-party fixtures and rectify's own exports go to fromOnnx. Every outcome is a network or
// an OnnxError; no other error, no trap, no hang, no leak (live allocations return to the baseline), and a reference
// network keeps its bits. `npm test` runs the short budget, `npm run fuzz` the long one. Counts are printed.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, type Network } from '../../dist/index.js';
import { fromOnnx, OnnxError, toOnnx } from '../../dist/onnx/index.js';
import { runs, SEED, TIMEOUT } from './budget.js';

const FIX = join(import.meta.dirname, '..', 'fixtures', 'onnx');
let engine: Engine;
let seeds: Uint8Array[];
let reference: Network;
const probe = Float32Array.of(0.25, -1.5, 2);
let refBits: number[];
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

beforeAll(async () => {
  engine = await createEngine();
  seeds = readdirSync(FIX).filter((f) => f.endsWith('.onnx')).map((f) => new Uint8Array(readFileSync(join(FIX, f))));
  const own = engine.network({ inputs: 3, seed: 2 }).dense(4, { name: 'prelu', units: 4 }).dense(3, 'sbaf').dense(2, 'softmax').build({ loss: 'crossEntropy' });
  seeds.push(toOnnx(own), toOnnx(own, { opset: 20 }));
  own.dispose();
  reference = engine.network({ inputs: 3, seed: 5 }).dense(4, 'tanh').dense(2, 'softmax').build({ loss: 'crossEntropy' });
  refBits = bits(reference.predict(probe));
});

/** A mutation of a seed file: flipped bytes, overwritten runs, cuts, splices of another seed, or a length field set huge. */
const mutated = fc.tuple(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat({ max: 255 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 8 }))
  .map(([si, muts]) => ({ si, muts }));

function apply(seed: Uint8Array, muts: [number, number, number, number][], other: Uint8Array): Uint8Array {
  let b = seed.slice();
  for (const [p, q, v, kind] of muts) {
    const at = b.length ? p % b.length : 0;
    if (kind === 0 && b.length) b[at] = v;
    else if (kind === 1 && b.length) b[at] = b[at]! ^ (1 << (v % 8));
    else if (kind === 2) b = b.subarray(0, at).slice();
    else if (kind === 3) { const o = other.subarray(q % Math.max(1, other.length)); const n = new Uint8Array(at + o.length); n.set(b.subarray(0, at)); n.set(o, at); b = n; }
    else if (kind === 4 && b.length > at + 5) b.set([0xff, 0xff, 0xff, 0xff, 0x0f], at); // a varint near 2^32
  }
  return b;
}

describe('fromOnnx under fuzzing', () => {
  it('mutated models: a network or an OnnxError, nothing else; no leak; other networks keep their bits', () => {
    const base = engine.memoryStats().liveAllocations;
    const t = { cases: 0, loaded: 0, typed: 0, other: [] as string[] };
    fc.assert(fc.property(mutated, ({ si, muts }) => {
      const seed = seeds[si % seeds.length]!, other = seeds[(si + 1) % seeds.length]!;
      const bytes = apply(seed, muts as [number, number, number, number][], other);
      t.cases++;
      try {
        const net = fromOnnx(engine, bytes);
        t.loaded++;
        const x = new Float32Array(net.inputs * 2).fill(0.5);
        net.predict(x);
        net.dispose();
      } catch (e) {
        if (e instanceof OnnxError) t.typed++;
        else t.other.push(`${(e as Error)?.name}: ${(e as Error)?.message}`);
      }
      return true;
    }), { numRuns: runs(1500, 100_000), seed: SEED });
    console.log(`[fuzz] onnx: ${t.cases} mutated models, ${t.loaded} loaded, ${t.typed} OnnxError, ${t.other.length} other`);
    expect(t.other.slice(0, 5)).toEqual([]);
    expect(engine.memoryStats().liveAllocations).toBe(base);
    expect(bits(reference.predict(probe))).toEqual(refBits);
  }, TIMEOUT);

  it('random bytes: an OnnxError (or, rarely, a network)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (b) => {
      try { fromOnnx(engine, b).dispose(); } catch (e) { if (!(e instanceof OnnxError)) throw e; }
    }), { numRuns: runs(1000, 50_000), seed: SEED });
  }, TIMEOUT);
});
