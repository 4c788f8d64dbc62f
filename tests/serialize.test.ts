// Loading saved networks: corrupt, truncated and hostile inputs get a ModelFormatError — never a crash, a hang, a
// huge allocation or a write out of bounds — and the engine keeps working. Fuzzed with fast-check.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, ModelFormatError, type Engine, type Network } from '../dist/index.js';

let engine: Engine;
let net: Network;
let bytes: Uint8Array;
let json: ReturnType<Network['toJSON']>;
beforeAll(async () => {
  engine = await createEngine();
  net = engine.network({ inputs: 3, seed: 4 }).dense(5, { name: 'prelu' }).dense(2, 'softmax').build({ loss: 'crossEntropy' });
  bytes = net.save();
  json = net.toJSON();
});

/** Loads and expects either a valid network or a ModelFormatError; anything else fails the property. */
function tryLoad(input: unknown): void {
  try {
    const n = engine.loadNetwork(input as never);
    expect(n.predict(new Float32Array(n.inputs)).every((v) => Number.isFinite(v))).toBe(true);
    n.dispose();
  } catch (e) {
    if (!(e instanceof ModelFormatError)) throw e;
  }
}

describe('the loader', () => {
  it('rejects each kind of damage with a message that says what is wrong', () => {
    expect(() => engine.loadNetwork(bytes.subarray(0, 10))).toThrow(/shorter than the 12-byte header/);
    expect(() => engine.loadNetwork(Uint8Array.from([1, 2, 3, 4, ...bytes.subarray(4)]))).toThrow(/does not start with "RCTF"/);
    const v2 = bytes.slice(); v2[4] = 2;
    expect(() => engine.loadNetwork(v2)).toThrow(/version 2 is not supported/);
    expect(() => engine.loadNetwork(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    expect(() => engine.loadNetwork({ ...json, layers: [{ units: 1e9, activation: { name: 'relu' } }] } as never)).toThrow(ModelFormatError);
    expect(() => engine.loadNetwork({ ...json, layers: [{ units: 5, activation: { name: 'rleu' } }, json.layers[1]!] } as never)).toThrow(/unknown activation "rleu"/);
    expect(() => engine.loadNetwork('{"format":')).toThrow(/not JSON/);
    const nan = JSON.parse(JSON.stringify(json));
    const w = new Float32Array(new Uint8Array(Buffer.from(nan.parameters[0].data, 'base64')).buffer);
    w[0] = NaN;
    nan.parameters[0].data = Buffer.from(w.buffer).toString('base64');
    expect(() => engine.loadNetwork(nan)).toThrow(/non-finite/);
  });

  it('a hostile header cannot ask for absurd memory', () => {
    const before = engine.memoryStats().memoryBytes;
    const huge = { ...json, inputs: 1 << 20, layers: [{ units: 65536, activation: { name: 'relu' } }, { units: 65536, activation: { name: 'softmax' } }] };
    expect(() => engine.loadNetwork(huge as never)).toThrow(/more than \d+ parameters/);
    expect(engine.memoryStats().memoryBytes).toBe(before);
  });

  it('fuzz: random byte flips, truncations and extensions of a valid file', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.nat(bytes.length + 16),
      (flips, cut) => {
        const b = new Uint8Array(Math.max(cut, 0));
        b.set(bytes.subarray(0, Math.min(cut, bytes.length)));
        for (const [i, v] of flips) if (i < b.length) b[i] = v;
        tryLoad(b);
      },
    ), { numRuns: 400, seed: 1 });
  });

  it('fuzz: arbitrary bytes and arbitrary JSON values', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => tryLoad(b)), { numRuns: 300, seed: 2 });
    fc.assert(fc.property(fc.jsonValue(), (v) => tryLoad(v)), { numRuns: 300, seed: 3 });
  });

  it('fuzz: the valid JSON with one field replaced by an arbitrary value', () => {
    const paths = ['format', 'version', 'inputs', 'seed', 'loss', 'optimizer', 'clipNorm', 'layers', 'parameters'];
    fc.assert(fc.property(fc.constantFrom(...paths), fc.jsonValue(), (key, v) => tryLoad({ ...json, [key]: v })), { numRuns: 400, seed: 4 });
    fc.assert(fc.property(fc.nat(1), fc.constantFrom('units', 'activation'), fc.jsonValue(), (li, key, v) => {
      const layers = json.layers.map((l, i) => (i === li ? { ...l, [key]: v } : l));
      tryLoad({ ...json, layers });
    }), { numRuns: 300, seed: 5 });
  });

  it('the engine still works after all of that, and memory did not leak', () => {
    const used = engine.memoryStats().usedBytes;
    const back = engine.loadNetwork(bytes);
    expect(back.predict(Float32Array.from([1, 2, 3]))).toEqual(net.predict(Float32Array.from([1, 2, 3])));
    back.dispose();
    expect(engine.memoryStats().usedBytes).toBe(used);
  });
});
