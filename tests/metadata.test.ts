// net.metadata: the training statistics fit records (in wasm, f64, row order), the input names and labels set by the
// caller, their checks, and their place in the saved file (version 4, optional `metadata`; versions 1-3 still load).
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalCrc, crc32 } from './model-checksum.js';
import { createEngine, InvalidArgumentError, ModelFormatError, type Engine, type Network } from '../dist/index.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** Rows x 3 values with known columns: a ramp, a constant, and large magnitudes of both signs. */
function data(rows: number): Float32Array {
  const x = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) { x[3 * r] = r / 7; x[3 * r + 1] = 2.5; x[3 * r + 2] = (r % 2 ? -1 : 1) * (1e30 + r * 1e24); }
  return x;
}

/** The f64 reference: min, max, mean, population std per column, summed in row order. */
function reference(x: Float32Array, rows: number, cols: number) {
  const col = (j: number) => Array.from({ length: rows }, (_, r) => x[r * cols + j]!);
  const out = { rows, min: [] as number[], max: [] as number[], mean: [] as number[], std: [] as number[] };
  for (let j = 0; j < cols; j++) {
    const v = col(j);
    let s = 0; for (const e of v) s += e;
    const m = s / rows;
    let q = 0; for (const e of v) q += (e - m) * (e - m);
    out.min.push(Math.min(...v)); out.max.push(Math.max(...v)); out.mean.push(m); out.std.push(Math.sqrt(q / rows));
  }
  return out;
}

/** The bits of every parameter. */
const weights = (n: Network) => n.parameters().map((p) => Array.from(new Uint32Array(p.data.slice().buffer)));

function build(): Network {
  return engine.network({ inputs: 3, seed: 5 }).dense(4, 'tanh').dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: 'adam' });
}

describe('net.metadata', () => {
  it('fit records min, max, mean and std of the training rows (validation rows left out), bit for bit as f64 code in row order', async () => {
    const net = build();
    expect(net.metadata).toEqual({});
    const x = data(50), y = Array.from({ length: 50 }, (_, i) => i % 2);
    await net.fit(x, y, { epochs: 1, batchSize: 8, validationSplit: 0.2, validationSplitMode: 'last' });
    expect(net.metadata.featureStats).toEqual(reference(x, 40, 3));
    expect(net.metadata.featureStats!.std[1]).toBe(0);
    // The next fit replaces them.
    await net.fit(x.subarray(0, 30), y.slice(0, 10), { epochs: 1 });
    expect(net.metadata.featureStats).toEqual(reference(x, 10, 3));
    net.dispose();
  });

  it('recording the statistics leaves training unchanged: the same weights as trainBatch over the same batches', async () => {
    const a = build(), b = build();
    const x = data(16), y = Array.from({ length: 16 }, (_, i) => i % 2);
    await a.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false });
    for (let e = 0; e < 2; e++) for (let s = 0; s < 16; s += 8) b.trainBatch(x.subarray(3 * s, 3 * (s + 8)), y.slice(s, s + 8));
    expect(weights(a)).toEqual(weights(b));
    a.dispose(); b.dispose();
  });

  it('inputNames and labels are set whole and checked; a failed set changes nothing; reads are copies', () => {
    const net = build();
    net.metadata = { inputNames: ['a', 'b', 'c'], labels: ['no', 'yes'] };
    const before = net.metadata;
    expect(before).toEqual({ inputNames: ['a', 'b', 'c'], labels: ['no', 'yes'] });
    (before.labels as string[])[0] = 'changed';
    expect(net.metadata.labels).toEqual(['no', 'yes']);
    const bad: [unknown, RegExp][] = [
      [{ labels: ['one'] }, /metadata.labels must be an array of 2 strings/],
      [{ inputNames: ['a', 'b', 7] }, /metadata.inputNames must be an array of 3 strings/],
      [{ labels: ['x'.repeat(257), 'y'] }, /up to 256 characters/],
      [{ label: ['a', 'b'] }, /metadata must be \{ inputNames, labels, featureStats \}, not "label"/],
      [null, /metadata must be an object/],
      [{ featureStats: { rows: 1, min: [0, 0, 0], max: [1, 1, 1], mean: [0, 0, 0], std: [0, NaN, 0] } }, /featureStats.std must be an array of 3 finite numbers/],
      [{ featureStats: { rows: 1, min: [0, 2, 0], max: [1, 1, 1], mean: [0, 0, 0], std: [0, 0, 0] } }, /min <= max and std >= 0 \(feature 1\)/],
      [{ featureStats: { rows: 0, min: [0, 0, 0], max: [1, 1, 1], mean: [0, 0, 0], std: [0, 0, 0] } }, /rows must be a whole number >= 1/],
    ];
    for (const [m, re] of bad) {
      expect(() => { net.metadata = m as never; }).toThrow(InvalidArgumentError);
      expect(() => { net.metadata = m as never; }).toThrow(re);
      expect(net.metadata).toEqual({ inputNames: ['a', 'b', 'c'], labels: ['no', 'yes'] });
    }
    net.metadata = {};
    expect(net.metadata).toEqual({});
    net.dispose();
  });
});

describe('net.metadata with hostile arrays (found by tests/fuzz/metadata.fuzz.test.ts)', () => {
  it('an array of a huge length or with an endless iterator is refused at once (InvalidArgumentError), nothing changes', () => {
    const net = build();
    net.metadata = { labels: ['a', 'b'] };
    const forever = function* () { for (;;) yield 'x'; };
    const endless = Object.assign(['a', 'b'], { [Symbol.iterator]: forever });
    const endless3 = Object.assign(['a', 'b', 'c'], { [Symbol.iterator]: forever }); // the wrong length for 2 outputs
    for (const labels of [new Array(2 ** 32 - 1), endless3]) {
      expect(() => { net.metadata = { labels } as never; }).toThrow(InvalidArgumentError);
      expect(net.metadata).toEqual({ labels: ['a', 'b'] });
    }
    net.metadata = { labels: endless }; // read by index: its two elements, not its iterator
    expect(net.metadata).toEqual({ labels: ['a', 'b'] });
    net.dispose();
  });

  it('-0 in featureStats is stored as 0, so save/load gives back exactly what was set', () => {
    const net = build();
    net.metadata = { featureStats: { rows: 2, min: [-0, -1, 0], max: [0, 1, 0], mean: [-0, 0, -0], std: [0, 1, 0] } };
    const got = net.metadata;
    expect(Object.is(got.featureStats!.mean[0], 0) && Object.is(got.featureStats!.min[0], 0)).toBe(true);
    for (const saved of [net.save(), net.toJSON()]) {
      const back = engine.loadNetwork(saved as never);
      expect(back.metadata).toEqual(got);
      back.dispose();
    }
    net.dispose();
  });
});

describe('metadata in saved files (version 4)', () => {
  it('round-trips through save() and toJSON(), exactly; a network without metadata writes no metadata field', async () => {
    const net = build();
    expect('metadata' in net.toJSON()).toBe(false);
    await net.fit(data(20), Array.from({ length: 20 }, (_, i) => i % 2), { epochs: 1 });
    net.metadata = { ...net.metadata, inputNames: ['ramp', 'constant', 'huge'], labels: ['even', 'odd'] };
    const meta = net.metadata;
    for (const saved of [net.save(), net.toJSON(), JSON.stringify(net.toJSON())]) {
      const n = engine.loadNetwork(saved);
      expect(n.metadata).toEqual(meta);
      n.dispose();
    }
    const json = net.toJSON();
    expect(json.version).toBe(4);
    expect(json.metadata).toEqual(meta);
    net.dispose();
  });

  it('version 3 files (no metadata) still load; metadata in a version-3 file or that does not fit the network is a ModelFormatError', () => {
    const net = build();
    const plain = net.toJSON();
    const { checksum: _, ...body } = plain;
    const sign = (d: object) => ({ ...d, checksum: canonicalCrc(d).toString(16).padStart(8, '0') });
    const v3 = sign({ ...body, version: 3 });
    const n3 = engine.loadNetwork(v3 as never);
    expect(n3.metadata).toEqual({});
    expect(weights(n3)).toEqual(weights(net));
    n3.dispose();
    // The binary form of version 3: the same header with version 3, the same payload.
    const bin = net.save(), dv = new DataView(bin.buffer);
    const hlen = dv.getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(bin.subarray(12, 12 + hlen)));
    const h3 = new TextEncoder().encode(JSON.stringify({ ...header, version: 3 }));
    const body3 = new Uint8Array(12 + h3.length + bin.length - 16 - hlen);
    body3.set(bin.subarray(0, 12)); body3.set(h3, 12); body3.set(bin.subarray(12 + hlen, bin.length - 4), 12 + h3.length);
    const dv3 = new DataView(body3.buffer); dv3.setUint32(4, 3, true); dv3.setUint32(8, h3.length, true);
    const file3 = new Uint8Array(body3.length + 4); file3.set(body3); new DataView(file3.buffer).setUint32(body3.length, crc32(body3), true);
    const b3 = engine.loadNetwork(file3);
    expect(weights(b3)).toEqual(weights(net));
    b3.dispose();

    const labels = { labels: ['a', 'b'] };
    expect(() => engine.loadNetwork(sign({ ...body, version: 3, metadata: labels }) as never)).toThrow(/unknown field "metadata"/);
    const used = engine.memoryStats().liveAllocations;
    for (const [metadata, re] of [
      [{ labels: ['a'] }, /metadata.labels must be an array of 2 strings/],
      [{ inputNames: 'abc' }, /metadata.inputNames must be an array of 3 strings/],
      [{ featureStats: { rows: 3, min: [0, 0, 0], max: [1, 1, 1], mean: [0, 0, 0] } }, /featureStats.std must be an array of 3 finite numbers/],
      [{ colour: 'red' }, /not "colour"/],
    ] as const) {
      expect(() => engine.loadNetwork(sign({ ...body, metadata }) as never)).toThrow(ModelFormatError);
      expect(() => engine.loadNetwork(sign({ ...body, metadata }) as never)).toThrow(re);
    }
    expect(engine.memoryStats().liveAllocations).toBe(used);
    // The checksum covers the metadata.
    const signed = sign({ ...body, metadata: labels }) as Record<string, any>;
    expect(engine.loadNetwork(signed as never).metadata).toEqual(labels);
    signed.metadata = { labels: ['a', 'c'] };
    expect(() => engine.loadNetwork(signed as never)).toThrow(/checksum/);
    net.dispose();
  });
});
