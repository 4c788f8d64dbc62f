// Loading saved networks: corrupt, truncated and hostile inputs get a ModelFormatError — never a crash, a hang, a
// huge allocation or a write out of bounds — and the engine keeps working. Fuzzed with fast-check.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { canonicalCrc, crc32 } from './model-checksum.js';
import { createEngine, InvalidArgumentError, ModelFormatError, OutOfMemoryError, type Engine, type Network } from '../dist/index.js';



const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

/** A binary file with its CRC-32 trailer recomputed (so the parser behind the checksum is what gets tested). */
function withCrc(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

/** A JSON document with its checksum recomputed. */
function resign<T extends object>(doc: T): T {
  return { ...doc, checksum: canonicalCrc(doc).toString(16).padStart(8, '0') };
}

/** Bits of a Float32Array, for exact comparisons. */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

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
    const v5 = bytes.slice(); v5[4] = 5;
    expect(() => engine.loadNetwork(v5)).toThrow(/version 5 is not supported/);
    expect(() => engine.loadNetwork(bytes.subarray(0, bytes.length - 4))).toThrow(/CRC-32/);
    expect(() => engine.loadNetwork(withCrc(bytes.subarray(0, bytes.length - 8)))).toThrow(/truncated/);
    expect(() => engine.loadNetwork({ ...json, layers: [{ units: 1e9, activation: { name: 'relu' } }] } as never)).toThrow(ModelFormatError);
    expect(() => engine.loadNetwork({ ...json, layers: [{ units: 5, activation: { name: 'rleu' } }, json.layers[1]!] } as never)).toThrow(/"rleu" is not a known activation/);
    expect(() => engine.loadNetwork('{"format":')).toThrow(/not JSON/);
    const nan = JSON.parse(JSON.stringify(json));
    const w = new Float32Array(new Uint8Array(Buffer.from(nan.parameters[0].data, 'base64')).buffer);
    w[0] = NaN;
    nan.parameters[0].data = Buffer.from(w.buffer).toString('base64');
    expect(() => engine.loadNetwork(nan)).toThrow(/checksum/);
    expect(() => engine.loadNetwork(resign(nan))).toThrow(/non-finite/);
  });

  it('a hostile header cannot ask for absurd memory', () => {
    const before = engine.memoryStats().memoryBytes;
    const huge = { ...json, inputs: 1 << 20, layers: [{ units: 65536, activation: { name: 'relu' } }, { units: 65536, activation: { name: 'softmax' } }] };
    expect(() => engine.loadNetwork(resign(huge) as never)).toThrow(/more than maxParameters/);
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
    const paths = ['format', 'version', 'inputs', 'seed', 'loss', 'optimizer', 'clipNorm', 'layers', 'parameters', 'training', 'optimizerState'];
    fc.assert(fc.property(fc.constantFrom(...paths), fc.jsonValue(), (key, v) => tryLoad({ ...json, [key]: v })), { numRuns: 400, seed: 4 });
    fc.assert(fc.property(fc.nat(1), fc.constantFrom('units', 'activation'), fc.jsonValue(), (li, key, v) => {
      const layers = json.layers.map((l, i) => (i === li ? { ...l, [key]: v } : l));
      tryLoad({ ...json, layers });
    }), { numRuns: 300, seed: 5 });
  });

  it('writes version 4: the binary ends with the CRC-32 (as zlib computes it) of everything before it; the JSON carries its checksum', () => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(dv.getUint32(4, true)).toBe(4);
    expect(dv.getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    expect(json.version).toBe(4);
    expect(json.checksum).toBe(canonicalCrc(json).toString(16).padStart(8, '0'));
    // The binary header is the JSON form without data and checksum.
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + dv.getUint32(8, true))));
    expect(header.checksum).toBeUndefined();
    expect(header.parameters[0]).toEqual({ name: 'dense0.weight', shape: [3, 5] });
    expect(header.optimizerState[0]).toEqual({ name: 'dense0.weight.moment0', shape: [3, 5] });
    expect(Object.keys(header.training).sort()).toEqual(['beta1Power', 'beta2Power', 'learningRate', 'rng', 'step']);
  });

  it('a flipped bit anywhere in a version-2 file is a ModelFormatError (every bit of the file tried)', () => {
    const used = engine.memoryStats().liveAllocations;
    for (let i = 0; i < bytes.length * 8; i++) {
      const b = bytes.slice();
      b[i >> 3]! ^= 1 << (i & 7);
      expect(() => engine.loadNetwork(b), `bit ${i}`).toThrow(ModelFormatError);
    }
    expect(engine.memoryStats().liveAllocations).toBe(used);
  });

  it('a changed value in a version-2 JSON file is a ModelFormatError (checksum), for every field', () => {
    const edits: ((j: Record<string, any>) => void)[] = [
      (j) => { j.seed++; }, (j) => { j.clipNorm = 1; }, (j) => { j.optimizer.learningRate = 0.002; },
      (j) => { j.layers[0].init = 'zeros'; }, (j) => { j.layers[0].activation.alpha = 0.5; },
      (j) => { const d = j.parameters[0].data as string; j.parameters[0].data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1); },
      (j) => { j.parameters[1].name = 'dense0.bias '; }, (j) => { j.checksum = '00000000'; },
      (j) => { j.training.step++; }, (j) => { j.training.rng[0] ^= 1; }, (j) => { j.training.learningRate = 0.5; },
      (j) => { const d = j.optimizerState[0].data as string; j.optimizerState[0].data = (d[0] === 'A' ? 'B' : 'A') + d.slice(1); },
    ];
    for (const edit of edits) {
      const j = JSON.parse(JSON.stringify(json));
      edit(j);
      expect(() => engine.loadNetwork(j)).toThrow(ModelFormatError);
      expect(() => engine.loadNetwork(JSON.stringify(j))).toThrow(ModelFormatError);
    }
    const { checksum: _, ...unsigned } = json;
    expect(() => engine.loadNetwork(unsigned as never)).toThrow(/checksum must be 8 lowercase hex digits/);
    expect(() => engine.loadNetwork({ ...json, version: 1 } as never)).toThrow(/unknown field "(checksum|training)"/);
  });

  it('version-1 files written by the old writer still load bit for bit (tests/fixtures)', () => {
    const pred = JSON.parse(fixture('model-v1.predict.json')) as { x: number[]; bits: number[] };
    const bin = new Uint8Array(Buffer.from(fixture('model-v1.bin.b64'), 'base64'));
    expect(new DataView(bin.buffer).getUint32(4, true)).toBe(1);
    // The weights load bit for bit: each parameter equals the base64 data the v1 JSON file holds.
    const stored = (JSON.parse(fixture('model-v1.json')) as { parameters: { data: string }[] }).parameters
      .map((p) => Array.from(new Uint32Array(new Uint8Array(Buffer.from(p.data, 'base64')).buffer)));
    // Predictions: every form gives the same bits; against the ones the old engine stored they may differ within
    // the kernels' ulp tolerances (a later release may compute tanh or softmax to different, equally accurate bits).
    let first: number[] | undefined;
    for (const saved of [bin, bin.buffer.slice(0), fixture('model-v1.json'), JSON.parse(fixture('model-v1.json'))]) {
      const n = engine.loadNetwork(saved);
      expect(n.parameters().map((p) => bits(p.data))).toEqual(stored);
      const y = n.predict(Float32Array.from(pred.x));
      first ??= bits(y);
      expect(bits(y)).toEqual(first);
      const old = new Float32Array(new Uint32Array(pred.bits).buffer);
      y.forEach((v, i) => expect(Math.abs(v - old[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(old[i]!))));
      // Saved again it becomes version 2, with the same values.
      const again = engine.loadNetwork(n.save());
      expect(again.parameters().map((p) => bits(p.data))).toEqual(n.parameters().map((p) => bits(p.data)));
      again.dispose();
      n.dispose();
    }
  });

  it('defect 10: a 188-byte JSON describing a 65536-1000 network is refused with the memory unchanged', () => {
    const small = JSON.stringify({
      format: 'rectify-network', version: 1, inputs: 65536, seed: 0, loss: 'mse', optimizer: { name: 'adam' },
      clipNorm: 0, layers: [{ units: 1000, activation: { name: 'relu' } }], parameters: [],
    });
    expect(small.length).toBeLessThan(200);
    const before = engine.memoryStats();
    expect(() => engine.loadNetwork(small)).toThrow(/65537000 parameters, more than maxParameters/);
    // Within the budget but with no data: refused by the parameter list, still before anything is allocated.
    expect(() => engine.loadNetwork(small, { maxParameters: 1 << 27 })).toThrow(/parameter blocks/);
    expect(engine.memoryStats()).toEqual(before);
  });

  it('maxParameters: a budget checked before allocating; bad values are InvalidArgumentError', () => {
    // net has 3*5 + 5 + 1 + 5*2 + 2 = 33 parameters (prelu's alpha included), and Adam keeps two moments of each:
    // a version-3 file stores 99 values, all counted against maxParameters.
    const before = engine.memoryStats();
    expect(() => engine.loadNetwork(bytes, { maxParameters: 98 })).toThrow(/33 parameters and 66 optimizer state values, more than maxParameters \(98\)/);
    expect(() => engine.loadNetwork(json, { maxParameters: 98 })).toThrow(ModelFormatError);
    expect(engine.memoryStats()).toEqual(before);
    engine.loadNetwork(bytes, { maxParameters: 99 }).dispose();
    for (const bad of [0, -1, 1.5, NaN, Infinity, 2 ** 40, '33', null]) {
      expect(() => engine.loadNetwork(bytes, { maxParameters: bad } as never)).toThrow(InvalidArgumentError);
    }
    expect(() => engine.loadNetwork(bytes, { maxParams: 10 } as never)).toThrow(/no option "maxParams"/);
    expect(() => engine.loadNetwork(bytes, 5 as never)).toThrow(InvalidArgumentError);
  });

  it('a valid network that cannot fit the engine is refused before building (memory unchanged)', async () => {
    const small = await createEngine({ maxMemoryBytes: 16 << 20 });
    // 1 -> 16384 -> 1: 49,153 parameters (197 KB), but 256-row buffers of 16384 units need about 50 MB.
    const b64zeros = (n: number) => { const len = 4 * Math.ceil((4 * n) / 3), pad = (3 - ((4 * n) % 3)) % 3; return 'A'.repeat(len - pad) + '='.repeat(pad); };
    const doc = {
      format: 'rectify-network', version: 1, inputs: 1, seed: 0, loss: 'mse', optimizer: { name: 'sgd', learningRate: 0.01, weightDecay: 0 }, clipNorm: 0,
      layers: [{ units: 16384, activation: { name: 'relu' } }, { units: 1, activation: { name: 'linear' } }],
      parameters: [
        { name: 'dense0.weight', shape: [1, 16384], data: b64zeros(16384) }, { name: 'dense0.bias', shape: [16384], data: b64zeros(16384) },
        { name: 'dense1.weight', shape: [16384, 1], data: b64zeros(16384) }, { name: 'dense1.bias', shape: [1], data: b64zeros(1) },
      ],
    };
    const before = small.memoryStats();
    expect(() => small.loadNetwork(doc as never)).toThrow(OutOfMemoryError);
    expect(small.memoryStats()).toEqual(before);
    // The estimate is not wildly pessimistic: an engine with 128 MiB loads it.
    const roomy = await createEngine({ maxMemoryBytes: 128 << 20 });
    const loaded = roomy.loadNetwork(doc as never);
    expect(loaded.predict(new Float32Array([1]))[0]).toBe(0);
    loaded.dispose();
  });

  it('defect 13: malformed objects (holes, getters, proxies, prototype names, non-finite and fractional sizes) are ModelFormatError and leak nothing', () => {
    const clone = () => JSON.parse(JSON.stringify(json)) as Record<string, any>;
    const signed = (edit: (j: Record<string, any>) => void) => { const j = clone(); edit(j); delete j.checksum; return resign(j); };
    const cases: [string, unknown][] = [
      ['sparse layers', signed((j) => { j.layers = [j.layers[0], , ]; j.layers.length = 2; })],
      ['sparse parameters', signed((j) => { const p = j.parameters; j.parameters = new Array(p.length); j.parameters[0] = p[0]; })],
      ['sparse shape', signed((j) => { j.parameters[0].shape = [3, , ]; })],
      ['throwing getter', (() => { const j = clone(); Object.defineProperty(j, 'seed', { enumerable: true, get() { throw new Error('boom'); } }); return j; })()],
      ['getter in a layer', (() => { const j = clone(); Object.defineProperty(j.layers[0], 'units', { enumerable: true, get: () => 5 }); return j; })()],
      ['getter in an array', (() => { const j = clone(); Object.defineProperty(j.layers, 0, { enumerable: true, get: () => ({}) }); return j; })()],
      ['proxy that throws', new Proxy(clone(), { getOwnPropertyDescriptor() { throw new TypeError('trap'); }, ownKeys() { throw new RangeError('trap'); } })],
      ['proxy that lies', new Proxy(clone(), { getOwnPropertyDescriptor: () => ({ value: 1, configurable: true, enumerable: true, writable: true }) })],
      ['revoked proxy', (() => { const r = Proxy.revocable(clone(), {}); r.revoke(); return r.proxy; })()],
      ['array as a layer list of arrays', signed((j) => { j.layers = [[1, 2]]; })],
      ['huge string', 'x'.repeat(120_000_000)],
      ['huge name', signed((j) => { j.parameters[0].name = 'w'.repeat(1e6); })],
      ['huge data', signed((j) => { j.parameters[0].data = 'A'.repeat(1 << 24); })],
      ['a Float32Array', new Float32Array(bytes.buffer.slice(0, 64))],
      ['a Uint8Array with a lying length', Object.defineProperty(bytes.slice(0, 20), 'length', { value: 1e9 })],
      ['a function', () => json],
      ['a symbol', Symbol('x')],
      ['a bigint', 12n],
      ['a network object', net],
      ['NaN inputs', signed((j) => { j.inputs = NaN; })],
      ['Infinity clipNorm', signed((j) => { j.clipNorm = Infinity; })],
      ['NaN learning rate', signed((j) => { j.optimizer.learningRate = NaN; })],
      ['negative units', signed((j) => { j.layers[0].units = -5; })],
      ['fractional units', signed((j) => { j.layers[0].units = 4.5; })],
      ['fractional shape', signed((j) => { j.parameters[0].shape = [1.5, 2]; })],
      ['zero shape', signed((j) => { j.parameters[0].shape = [0, 5]; })],
      ['negative seed', signed((j) => { j.seed = -1; })],
      ['string units', signed((j) => { j.layers[0].units = '5'; })],
      ['null optimizer', signed((j) => { j.optimizer = null; })],
      ['extra field', signed((j) => { j.extra = 1; })],
      ['__proto__ field', (() => { const j = JSON.parse(JSON.stringify(json).replace('"seed"', '"__proto__":{"x":1},"seed"')); return j; })()],
      ['unknown optimizer setting toString', signed((j) => { j.optimizer.toString = 1; })],
    ];
    for (const name of ['toString', 'constructor', 'valueOf', '__proto__', 'hasOwnProperty']) {
      cases.push([`loss ${name}`, signed((j) => { j.loss = name; })]);
      cases.push([`optimizer ${name}`, signed((j) => { j.optimizer.name = name; })]);
      cases.push([`init ${name}`, signed((j) => { j.layers[0].init = name; })]);
      cases.push([`activation ${name}`, signed((j) => { j.layers[0].activation.name = name; })]);
    }
    const before = engine.memoryStats();
    for (const [what, input] of cases) {
      let err: unknown;
      try { engine.loadNetwork(input as never).dispose(); } catch (e) { err = e; }
      expect(err, what).toBeInstanceOf(ModelFormatError);
      expect(engine.memoryStats(), what).toEqual(before);
    }
  });

  it('the engine still works after all of that, and memory did not leak', () => {
    const used = engine.memoryStats().usedBytes;
    const back = engine.loadNetwork(bytes);
    expect(back.predict(Float32Array.from([1, 2, 3]))).toEqual(net.predict(Float32Array.from([1, 2, 3])));
    back.dispose();
    expect(engine.memoryStats().usedBytes).toBe(used);
  });
});
