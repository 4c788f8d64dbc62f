// Resume bit for bit (issue 11 section 3): fit 6 epochs == fit 3, save (binary and JSON), load, fit 3 more, for every
// optimizer, shuffle on; the saved form carries optimizer moments, step count, bias-correction powers, generator
// state, learning rate in effect and frozen flags. Older files (v1, v2 fixtures) still load.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createEngine, ModelFormatError, type Engine, type Network } from '../dist/index.js';
import { canonicalCrc } from './model-checksum.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const crcHex = (o: object) => canonicalCrc(o).toString(16).padStart(8, '0');
let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const rows = 40, inputs = 4;
const x = new Float32Array(rows * inputs), y = new Int32Array(rows);
for (let i = 0; i < x.length; i++) x[i] = Math.fround(Math.sin(i * 0.37) * 1.5);
for (let r = 0; r < rows; r++) y[r] = (x[r * inputs]! + x[r * inputs + 1]! > 0 ? 1 : 0) + (x[r * inputs + 2]! > 0.5 ? 1 : 0);

const OPTIMIZERS = [
  { name: 'sgd', learningRate: 0.05 }, { name: 'momentum', learningRate: 0.05, nesterov: true }, { name: 'rmsprop', learningRate: 0.01 },
  { name: 'adam', learningRate: 0.01 }, { name: 'adamW', learningRate: 0.01 },
] as const;

function build(optimizer: (typeof OPTIMIZERS)[number], frozen: boolean): Network {
  return engine.network({ inputs, seed: 21 }).dense(6, { name: 'prelu', units: 6 }).dense(5, { name: 'sbaf', domain: 'sigmoid' }, { trainable: !frozen })
    .dense(3, 'softmax').build({ loss: 'crossEntropy', optimizer, clipNorm: 5 });
}

const fitOpts = { epochs: 3, batchSize: 7, shuffle: true } as const;

describe('resume bit for bit', () => {
  for (const opt of OPTIMIZERS) {
    it(`${opt.name}: fit 6 epochs == fit 3, save, load, fit 3 (binary and JSON)`, async () => {
      const whole = build(opt, false);
      await whole.fit(x, y, { ...fitOpts, epochs: 6 });
      // The whole saved form: parameters, optimizer moments, step, bias-correction powers, learning rate, generator.
      const want = whole.toJSON();
      const wantParams = whole.parameters().map((p) => bits(p.data));
      for (const form of ['binary', 'json'] as const) {
        const first = build(opt, false);
        await first.fit(x, y, fitOpts);
        const saved = form === 'binary' ? first.save() : JSON.stringify(first.toJSON());
        first.dispose();
        const resumed = engine.loadNetwork(saved);
        await resumed.fit(x, y, fitOpts);
        expect(resumed.parameters().map((p) => bits(p.data)), form).toEqual(wantParams);
        expect(resumed.toJSON(), form).toEqual(want);
        resumed.dispose();
      }
      whole.dispose();
    });
  }

  it('frozen flags travel with the file, and the frozen layer stays frozen after loading', async () => {
    const net = build(OPTIMIZERS[3], true);
    await net.fit(x, y, fitOpts);
    for (const saved of [net.save(), net.toJSON()]) {
      const back = engine.loadNetwork(saved);
      expect(back.parameters().map((p) => p.trainable)).toEqual(net.parameters().map((p) => p.trainable));
      expect(back.parameters().filter((p) => !p.trainable).length).toBe(4);
      const frozen = back.parameters().filter((p) => !p.trainable).map((p) => bits(p.data));
      await back.fit(x, y, fitOpts);
      expect(back.parameters().filter((p) => !p.trainable).map((p) => bits(p.data))).toEqual(frozen);
      back.dispose();
    }
    net.dispose();
  });

  it('version 4 is written; its training state is checked (a changed rng, step or moment shape is a ModelFormatError)', async () => {
    const net = build(OPTIMIZERS[3], false);
    await net.fit(x, y, { ...fitOpts, epochs: 1 });
    const json = net.toJSON();
    expect(json.version).toBe(4);
    expect(json.training!.step).toBe(6);
    expect(json.optimizerState!.map((b) => b.name).slice(0, 3)).toEqual(['dense0.weight.moment0', 'dense0.bias.moment0', 'dense0.params.moment0']);
    expect(new DataView(net.save().buffer).getUint32(4, true)).toBe(4);
    const bad = [
      { ...json, training: { ...json.training!, rng: [0, 0, 0, 0] } },
      { ...json, training: { ...json.training!, step: -1 } },
      { ...json, training: { ...json.training!, beta1Power: 1.5 } },
      { ...json, optimizerState: json.optimizerState!.slice(1) },
      { ...json, training: undefined },
    ];
    for (const doc of bad) expect(() => engine.loadNetwork(doc as never)).toThrow(ModelFormatError);
    // maxParameters bounds the optimizer state too: parameters alone fit, parameters + moments do not.
    const params = net.parameters().reduce((s, p) => s + p.data.length, 0);
    expect(() => engine.loadNetwork(json, { maxParameters: params })).toThrow(/optimizer state values/);
    net.dispose();
  });

  it('version-1 and version-2 files (tests/fixtures) still load bit for bit, with fresh optimizer state', () => {
    for (const v of ['v1', 'v2']) {
      const json = JSON.parse(fixture(`model-${v}.json`));
      const bin = Uint8Array.from(Buffer.from(fixture(`model-${v}.bin.b64`).trim(), 'base64'));
      for (const saved of [json, bin]) {
        const net = engine.loadNetwork(saved);
        const p = net.parameters();
        json.parameters.forEach((q: { data: string }, i: number) => {
          expect(bits(p[i]!.data)).toEqual(bits(new Float32Array(Uint8Array.from(Buffer.from(q.data, 'base64')).buffer)));
        });
        expect(net.toJSON().training!.step).toBe(0);
        expect(net.toJSON().version).toBe(4);
        net.dispose();
      }
    }
    const pred = JSON.parse(fixture('model-v2.predict.json'));
    const net = engine.loadNetwork(JSON.parse(fixture('model-v2.json')));
    // Against the predictions the old engine stored, within the kernels' tolerances (tests/fixtures/README.md: a later
    // release may compute softmax to different, equally accurate bits), as serialize.test.ts checks version 1.
    const old = new Float32Array(new Uint32Array(pred.bits).buffer);
    net.predict(Float32Array.from(pred.x)).forEach((v, i) => {
      expect(Math.abs(v - old[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(old[i]!)));
    });
    net.dispose();
  });

  it('version-3 files (tests/fixtures, written by the v3 writer) still load bit for bit, with their optimizer state', () => {
    const json = JSON.parse(fixture('model-v3.json'));
    expect(json.version).toBe(3);
    const bin = Uint8Array.from(Buffer.from(fixture('model-v3.bin.b64').trim(), 'base64'));
    const pred = JSON.parse(fixture('model-v3.predict.json'));
    const decode = (q: { data: string }) => bits(new Float32Array(Uint8Array.from(Buffer.from(q.data, 'base64')).buffer));
    for (const saved of [json, bin]) {
      const net = engine.loadNetwork(saved);
      expect(net.parameters().map((p) => bits(p.data))).toEqual(json.parameters.map(decode));
      const back = net.toJSON();
      expect(back.version).toBe(4);
      expect(back.training).toEqual(json.training);
      expect(back.optimizerState!.map(decode)).toEqual(json.optimizerState.map(decode));
      expect(back.buffers).toBeUndefined();
      expect(net.parameters().map((p) => p.trainable)).toEqual([true, true, true, false, false, true, true]);
      expect(bits(net.predict(Float32Array.from(pred.x)))).toEqual(pred.bits);
      net.dispose();
    }
  });
});

// Dropout masks come from the network's generator, batchNorm running statistics change with every training batch:
// both are part of the saved state (generator words; the v4 `buffers` section), so resuming stays bit for bit.
describe('resume bit for bit with dropout, batchNorm and layerNorm (version 4)', () => {
  const layered = (optimizer: (typeof OPTIMIZERS)[number]) => engine.network({ inputs, seed: 5 }).dense(8, 'relu').batchNorm({ momentum: 0.2 })
    .dropout(0.25).dense(6, 'tanh').layerNorm().dropout(0.1).dense(3, 'softmax').build({ loss: 'crossEntropy', optimizer });
  for (const opt of [OPTIMIZERS[0], OPTIMIZERS[3]]) {
    it(`${opt.name}: fit 6 == fit 3, save, load, fit 3 (binary and JSON)`, async () => {
      const whole = layered(opt);
      await whole.fit(x, y, { ...fitOpts, epochs: 6 });
      const want = whole.toJSON();
      expect(want.buffers!.map((b) => b.name)).toEqual(['batchNorm1.runningMean', 'batchNorm1.runningVar']);
      for (const form of ['binary', 'json'] as const) {
        const first = layered(opt);
        await first.fit(x, y, fitOpts);
        const saved = form === 'binary' ? first.save() : JSON.stringify(first.toJSON());
        first.dispose();
        const resumed = engine.loadNetwork(saved);
        await resumed.fit(x, y, fitOpts);
        expect(resumed.toJSON(), form).toEqual(want);
        expect(bits(resumed.predict(x)), form).toEqual(bits(whole.predict(x)));
        resumed.dispose();
      }
      whole.dispose();
    });
  }

  it('the running statistics and layer settings are checked when loading', async () => {
    const net = layered(OPTIMIZERS[3]);
    await net.fit(x, y, { ...fitOpts, epochs: 1 });
    const json = net.toJSON();
    const resign = (j: object) => { const { checksum: _, ...rest } = j as { checksum?: string }; return { ...rest, checksum: crcHex(rest) }; };
    const neg = new Float32Array(8).fill(-1);
    const bad: [object, RegExp][] = [
      [{ ...json, buffers: json.buffers!.slice(1) }, /buffers must be/],
      [{ ...json, buffers: [json.buffers![0], { ...json.buffers![1], data: Buffer.from(neg.buffer).toString('base64') }] }, /negative value/],
      [{ ...json, layers: json.layers.map((l, i) => (i === 2 ? { ...l, rate: 1 } : l)) }, /rate/],
      [{ ...json, layers: json.layers.map((l, i) => (i === 1 ? { ...l, kind: 'groupNorm' } : l)) }, /kind/],
      [{ ...json, layers: json.layers.map((l, i) => (i === 1 ? { ...l, units: 7 } : l)) }, /units/],
      [{ ...json, version: 3 }, /unknown field|kind/],
    ];
    for (const [doc, msg] of bad) expect(() => engine.loadNetwork(resign(doc) as never)).toThrow(msg);
    for (const [doc] of bad) expect(() => engine.loadNetwork(resign(doc) as never)).toThrow(ModelFormatError);
    net.dispose();
  });
});

// Section 3 with schedules: the schedule's position (epochs run, starting rate, reduce-on-plateau's best and wait)
// travels in the file (version 4), so a scheduled run resumes bit for bit too.
describe('resume bit for bit with a learning-rate schedule', () => {
  const SCHEDULES = [
    { name: 'step', every: 2, gamma: 0.5 },
    { name: 'cosine', epochs: 6, warmup: 1, minLr: 0.001 },
    { name: 'reduceOnPlateau', factor: 0.5, patience: 1, monitor: 'loss', minDelta: 0.2 },
    { name: 'reduceOnPlateau', factor: 0.5, patience: 4, minDelta: 0.5 },
  ] as const;
  for (const schedule of SCHEDULES) {
    it(`${JSON.stringify(schedule)}: fit 6 == fit 3, save, load, fit 3 (binary and JSON)`, async () => {
      const opts = { ...fitOpts, schedule, ...(schedule.name === 'reduceOnPlateau' && !('monitor' in schedule) ? { validationSplit: 0.25 } : {}) };
      const whole = build(OPTIMIZERS[3], false);
      const hw = await whole.fit(x, y, { ...opts, epochs: 6 });
      const rates = hw.epochs.map((e) => e.learningRate);
      expect(new Set(rates).size).toBeGreaterThan(1); // the schedule really changes the rate in these 6 epochs
      const want = whole.toJSON();
      expect(want.schedule!.epoch).toBe(6);
      for (const form of ['binary', 'json'] as const) {
        const first = build(OPTIMIZERS[3], false);
        const h1 = await first.fit(x, y, opts);
        const saved = form === 'binary' ? first.save() : JSON.stringify(first.toJSON());
        first.dispose();
        const resumed = engine.loadNetwork(saved);
        const h2 = await resumed.fit(x, y, opts);
        expect([...h1.epochs, ...h2.epochs].map((e) => e.learningRate), form).toEqual(rates);
        expect(resumed.toJSON(), form).toEqual(want);
        resumed.dispose();
      }
      // Without the file: two fit calls on one network continue the schedule as well.
      const twice = build(OPTIMIZERS[3], false);
      await twice.fit(x, y, opts);
      await twice.fit(x, y, opts);
      expect(twice.toJSON()).toEqual(want);
      twice.dispose();
      whole.dispose();
    });
  }

  it('other settings or setLearningRate start the schedule over; a damaged schedule field is a ModelFormatError', async () => {
    const net = build(OPTIMIZERS[3], false);
    const lr0 = net.learningRate;
    await net.fit(x, y, { ...fitOpts, schedule: { name: 'step', every: 1, gamma: 0.5 } });
    expect(net.toJSON().schedule).toEqual({ name: 'step', every: 1, gamma: 0.5, epoch: 3, base: lr0, wait: 0 });
    const h = await net.fit(x, y, { ...fitOpts, epochs: 1, schedule: { name: 'step', every: 1, gamma: 0.25 } });
    expect(h.epochs[0]!.learningRate).toBe(net.toJSON().schedule!.base);
    expect(net.toJSON().schedule!.epoch).toBe(1);
    net.setLearningRate(0.02);
    expect(net.toJSON().schedule).toBeUndefined();
    await net.fit(x, y, { ...fitOpts, epochs: 1, schedule: { name: 'step', every: 1, gamma: 0.25 } });
    expect(net.toJSON().schedule).toMatchObject({ epoch: 1, base: Math.fround(0.02) });
    const json = net.toJSON();
    const resign = (doc: object) => ({ ...doc, checksum: crcHex(doc) });
    const bad = [
      { ...json, schedule: { ...json.schedule!, epoch: -1 } },
      { ...json, schedule: { ...json.schedule!, base: 0.1 } }, // not an f32 value
      { ...json, schedule: { ...json.schedule!, every: 0 } },
      { ...json, schedule: { ...json.schedule!, name: 'warp' } },
      { ...json, schedule: { ...json.schedule!, wait: 1.5 } },
      { ...json, schedule: { ...json.schedule!, best: 'x' } },
      { ...json, schedule: { ...json.schedule!, extra: 1 } },
      { ...json, version: 3 }, // version 3 has no schedule field
    ];
    for (const doc of bad) expect(() => engine.loadNetwork(resign(doc) as never)).toThrow(ModelFormatError);
    net.dispose();
  });
});
