// Property-based tests of the Network API (issue 8): random small architectures and options, valid and invalid, and
// random sequences of every public Network method. Invariants after every call:
// - only RectifyError escapes (or the very error a callback threw);
// - a canary tensor allocated first keeps its bits, and a reference network built first predicts the same bits;
// - a failed call leaves the network's weights AND optimizer state unchanged (compared through stateBytes(), which
//   covers weights, activation parameters, optimizer moments, step counters and the generator);
// - live allocations return to the baseline once the networks are disposed.
// Budget: tests/fuzz/budget.ts (short in npm test, long in npm run fuzz); fixed seed, so a failure replays.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createEngine, RectifyError, TrainingDivergedError, type Engine, type Network, type Tensor,
} from '../../dist/index.js';
import { runs, SEED, TIMEOUT } from './budget.js';
import { mulberry32 } from '../../src/util/random.js';

let engine: Engine;
let canary: Tensor;
let canaryBits: number[];
let ref: Network;
const refX = Float32Array.from({ length: 3 * 4 }, (_, i) => Math.fround(Math.sin(i + 0.5)));
let refOut: number[];
let baseline = 0;

/** Outcome counts, printed at the end (they show what the generators reached). */
const counts = new Map<string, number>();
const count = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

beforeAll(async () => {
  // A memory limit small enough that big batches and capacities hit OutOfMemoryError.
  engine = await createEngine({ maxMemoryBytes: 48 << 20 });
  canary = engine.tensor(Float32Array.from({ length: 257 }, (_, i) => Math.fround(i * 0.37 - 11)));
  canaryBits = bits(canary.data);
  ref = engine.network({ inputs: 3, seed: 11 }).dense(6, 'tanh').dense(4, { name: 'prelu', units: 4 }).dense(2, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: 'adam', clipNorm: 1 });
  refOut = bits(ref.predict(refX));
  baseline = engine.memoryStats().liveAllocations;
});

afterAll(() => {
  ref.dispose(); canary.dispose();
  console.log('network fuzz outcomes:', [...counts].sort().map(([k, v]) => `${k} ${v}`).join(', '));
});

/** The shared invariants: canary and reference network untouched. */
function checkWorld(): void {
  expect(bits(canary.data)).toEqual(canaryBits);
  expect(bits(ref.predict(refX))).toEqual(refOut);
}

/** Only RectifyError (or the marker a callback threw) may escape. */
function expectTyped(e: unknown, marker?: unknown): void {
  if (e === marker && marker !== undefined) return;
  if (e instanceof RectifyError) count(e.name);
  if (!(e instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String((e as Error)?.stack ?? e)}`);
}

// ---- generators -------------------------------------------------------------------------------------------------

const weird = fc.constantFrom<unknown>(
  'toString', 'constructor', '__proto__', 'valueOf', NaN, Infinity, -1, 0, 1e300, 1e-50, 0.99999999, null, undefined, {}, [], 'x', true,
);
const hidden = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom<unknown>('relu', 'tanh', 'elu', 'gelu', { name: 'prelu' }, 'PER_UNIT_PRELU') },
  fc.constantFrom<unknown>('relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'silu', 'leakyRelu', 'linear', 'softplus', 'selu', 'mish'),
  fc.constant<unknown>({ name: 'prelu' }),
  fc.constant<unknown>({ name: 'elu', alpha: 0.5 }),
  fc.constant<unknown>({ name: 'sbaf', domain: 'sigmoid' }),
  fc.constant<unknown>('PER_UNIT_PRELU'),
  weird,
);
const optimizer = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<unknown>('sgd', 'momentum', 'rmsprop', 'adam', 'adamW') },
  fc.record({
    name: fc.constantFrom<unknown>('sgd', 'momentum', 'rmsprop', 'adam', 'adamW', 'toString'),
    learningRate: fc.oneof(fc.constantFrom(1e-3, 0.1, 1e6, 1e300, 1e-50, -1, NaN), fc.double({ min: 1e-5, max: 1, noNaN: true })),
  }, { requiredKeys: ['name'] }),
  fc.record({ name: fc.constant('adam'), beta1: fc.constantFrom(0.9, 0.99999999, 1, -0.1), beta2: fc.constantFrom(0.999, 0.99999999), epsilon: fc.constantFrom(1e-7, 1e-50, 0) },
    { requiredKeys: ['name'] }),
  weird,
);

interface Arch {
  inputs: number; seed: number; layers: { units: number; act: unknown; init?: unknown; pen?: unknown; after?: [string, unknown] }[];
  out: 'softmax' | 'sigmoid' | 'linear' | 'softmax1'; loss: unknown; optimizer: unknown; clipNorm: unknown; capacity: unknown; extra: boolean;
}

const arch: fc.Arbitrary<Arch> = fc.record({
  inputs: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  layers: fc.array(fc.record({
    units: fc.integer({ min: 1, max: 8 }), act: hidden,
    init: fc.option(fc.constantFrom<unknown>('heNormal', 'zeros', 'glorotUniform', 'toString', 5), { nil: undefined }),
    // l1 / l2 penalties and a dropout / batchNorm / layerNorm layer after the dense one, valid and not
    pen: fc.constantFrom<unknown>({ l2: 1e-3 }, { l1: 0.01, l2: 0 }, { l1: -1 }, { l2: NaN }, { l2: 1e39 }, { l3: 1 }),
    after: fc.constantFrom<[string, unknown]>(['dropout', 0.3], ['dropout', 1], ['dropout', -0.5], ['dropout', NaN], ['dropout', 'x'],
      ['batchNorm', {}], ['batchNorm', { momentum: 2 }], ['batchNorm', { epsilon: -1 }], ['layerNorm', {}], ['layerNorm', { eps: 1 }]),
  }, { requiredKeys: ['units', 'act'] }), { minLength: 0, maxLength: 3 }),
  out: fc.constantFrom('softmax', 'sigmoid', 'linear', 'linear', 'softmax1'),
  loss: fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>('MATCH') }, fc.constantFrom<unknown>('mse', 'crossEntropy', 'binaryCrossEntropy'), weird),
  optimizer,
  clipNorm: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(undefined, 0, 1) }, fc.constantFrom<unknown>(5, 1e-50, 1e39, -1, NaN)),
  capacity: fc.oneof({ weight: 6, arbitrary: fc.constantFrom<unknown>(undefined, 1, 7, 64) }, fc.constantFrom<unknown>(65536, 0, 1.5, 'x')),
  extra: fc.integer({ min: 0, max: 9 }).map((v) => v === 0),
});

/** Builds the network an Arch describes (or throws). The output width is 2, or 1 for sigmoid/softmax1. */
function buildArch(a: Arch): Network {
  let b = engine.network({ inputs: a.inputs, seed: a.seed }) as ReturnType<Engine['network']>;
  for (const l of a.layers) {
    const act = l.act === 'PER_UNIT_PRELU' ? { name: 'prelu', units: l.units } : l.act;
    const o = { ...(l.init === undefined ? {} : { init: l.init }), ...(l.pen as object | undefined) };
    b = b.dense(l.units, act as never, o as never) as never;
    if (l.after) b = (b as unknown as Record<string, (o: unknown) => typeof b>)[l.after[0]]!(l.after[1]);
  }
  const outUnits = a.out === 'sigmoid' || a.out === 'softmax1' ? 1 : 2;
  b = b.dense(outUnits, (a.out === 'softmax1' ? 'softmax' : a.out) as never) as never;
  const loss = a.loss !== 'MATCH' ? a.loss : a.out === 'sigmoid' ? 'binaryCrossEntropy' : a.out === 'linear' ? 'mse' : 'crossEntropy';
  const opts: Record<string, unknown> = { loss, optimizer: a.optimizer };
  if (a.clipNorm !== undefined) opts.clipNorm = a.clipNorm;
  if (a.capacity !== undefined) opts.capacity = a.capacity;
  if (a.extra) opts.optimiser = 'sgd';
  return b.build(opts as never);
}

/** A valid network: always builds. */
const validArch: fc.Arbitrary<Arch> = fc.record({
  inputs: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1000 }),
  layers: fc.array(fc.record({
    units: fc.integer({ min: 1, max: 6 }),
    act: fc.constantFrom<unknown>('relu', 'tanh', 'elu', 'sigmoid', { name: 'prelu' }, 'PER_UNIT_PRELU', 'gelu', { name: 'sbaf', domain: 'sigmoid' },
      { name: 'sbaf', domain: 'strict' }, 'sbaf', 'softsign', 'hardTanh', 'selu'),
    pen: fc.constantFrom<unknown>(undefined, undefined, { l2: 1e-3 }, { l1: 0.01 }),
    after: fc.constantFrom<[string, unknown] | undefined>(undefined, undefined, ['dropout', 0.3], ['batchNorm', {}], ['layerNorm', {}]),
  }), { minLength: 0, maxLength: 2 }),
  out: fc.constantFrom('softmax', 'sigmoid', 'linear'),
  loss: fc.constant(undefined),
  optimizer: fc.oneof(fc.constantFrom<unknown>('sgd', 'momentum', 'rmsprop', 'adam', 'adamW'),
    fc.record({ name: fc.constantFrom('sgd', 'adam'), learningRate: fc.constantFrom(1e-3, 0.05, 1e5, 1e6, 1e8) })),
  clipNorm: fc.constantFrom<unknown>(undefined, 0, 1),
  capacity: fc.constantFrom<unknown>(undefined, 1, 3, 16),
  extra: fc.constant(false),
}).map((a) => ({ ...a, loss: a.out === 'softmax' ? 'crossEntropy' : a.out === 'sigmoid' ? 'binaryCrossEntropy' : 'mse' }));

type Op =
  | { kind: 'predict' | 'evaluate' | 'trainBatch' | 'lossAndGradients'; rows: number; bad: number; labels: boolean; seed: number }
  | { kind: 'fit'; rows: number; bad: number; labels: boolean; seed: number; epochs: number; batchSize: number; shuffle: unknown;
    validationSplit: number; callback: 'none' | 'dispose' | 'abort' | 'throw' | 'trainBatch' | 'predict' | 'stop'; es: unknown; yieldEveryMs: unknown;
    weights: 'none' | 'ones' | 'zeros' | 'negative' | 'short' | 'nan' | 'class' }
  | { kind: 'parameters' | 'save' | 'toJSON' | 'dispose' | 'summary' };

const data = { rows: fc.integer({ min: 1, max: 40 }), bad: fc.integer({ min: 0, max: 15 }), labels: fc.boolean(), seed: fc.integer({ min: 0, max: 1 << 20 }) };
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constantFrom('predict', 'evaluate', 'trainBatch', 'lossAndGradients'), ...data }) as fc.Arbitrary<Op> },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fit'), ...data, epochs: fc.integer({ min: 1, max: 2 }), batchSize: fc.integer({ min: 1, max: 16 }),
      shuffle: fc.constantFrom<unknown>(true, false, true, 'no'), validationSplit: fc.constantFrom(0, 0, 0.25),
      callback: fc.constantFrom('none', 'none', 'dispose', 'abort', 'throw', 'trainBatch', 'predict', 'stop'),
      es: fc.constantFrom<unknown>(undefined, undefined, { patience: 1 }, { patience: -1 }, { patiense: 1 }, null, { monitor: 'valLoss', restoreBest: false }),
      yieldEveryMs: fc.constantFrom<unknown>(undefined, 0, NaN),
      weights: fc.constantFrom('none', 'none', 'none', 'ones', 'zeros', 'negative', 'short', 'nan', 'class'),
    }) as fc.Arbitrary<Op>,
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('parameters', 'save', 'toJSON', 'summary') }) as fc.Arbitrary<Op> },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispose') }) as fc.Arbitrary<Op> },
);

/** Deterministic data for an op: `bad` picks a defect (0-6: none; others: NaN, wrong length, wrong type, bad label, ...). */
function makeData(net: Network, o: { kind: string; rows: number; bad: number; labels: boolean; seed: number }): [unknown, unknown] {
  const r = mulberry32(o.seed);
  const x = Float32Array.from({ length: o.rows * net.inputs }, () => Math.fround(r() * 4 - 2));
  const classes = net.outputs === 1 ? 2 : net.outputs;
  let y: unknown = o.labels && (net.loss !== 'mse' || r() < 0.5)
    ? Array.from({ length: o.rows }, () => Math.floor(r() * classes))
    : Float32Array.from({ length: o.rows * net.outputs }, (_, i) => net.loss === 'mse' ? Math.fround(r() - 0.5)
      : net.outputs === 1 ? (r() < 0.5 ? 0 : 1) : (i % net.outputs === 0 ? 1 : 0));
  let xx: unknown = x;
  switch (o.bad) {
    case 13: case 14: case 15: for (let i = 0; i < x.length; i++) x[i] = x[i]! * 1e18; break; // diverges with big steps
    case 7: x[0] = NaN; break;
    case 8: xx = x.subarray(0, x.length - 1); break;
    case 9: xx = Array.from(x); break;
    case 10: y = Array.from({ length: o.rows }, () => classes); break;
    case 11: y = new Float32Array(o.rows * net.outputs + 1); break;
    case 12: if (o.kind !== 'trainBatch' && o.kind !== 'lossAndGradients') break; // a batch too big for the memory limit
      xx = new Float32Array((3_000_000 - (3_000_000 % net.inputs))); y = new Int32Array(xx ? (xx as Float32Array).length / net.inputs : 0); break;
    default: break;
  }
  return [xx, y];
}

describe('network fuzz', () => {
  it('random architectures and options: a network or a RectifyError, and no leak', () => {
    fc.assert(fc.property(arch, (a) => {
      const live = engine.memoryStats().liveAllocations;
      let net: Network | undefined;
      try { net = buildArch(a); count('build ok'); } catch (e) { count('build failed'); expectTyped(e); }
      if (net) {
        const x = new Float32Array(2 * net.inputs).fill(0.5);
        net.predict(x);
        net.dispose();
      }
      expect(engine.memoryStats().liveAllocations).toBe(live);
      checkWorld();
    }), { numRuns: runs(1000, 50_000), seed: SEED });
  }, TIMEOUT);

  it('random call sequences: typed errors only, failed calls change nothing, bits elsewhere untouched, no leak', async () => {
    await fc.assert(fc.asyncProperty(validArch, fc.array(op, { minLength: 1, maxLength: 8 }), async (a, ops) => {
      const net = buildArch(a);
      try {
        for (const o of ops) await runOp(net, o);
      } finally {
        // Disposing can only fail while fit runs, and every fit has settled here.
        net.dispose();
      }
      expect(engine.memoryStats().liveAllocations).toBe(baseline);
      checkWorld();
    }), { numRuns: runs(400, 20_000), seed: SEED });
  }, TIMEOUT);
});

async function runOp(net: Network, o: Op): Promise<void> {
  const alive = (() => { try { net.summary(); return true; } catch { return false; } })();
  const before = alive ? net.stateBytes() : undefined;
  let changedLegitimately = false;
  let marker: unknown;
  try {
    count(`call ${o.kind}`);
    switch (o.kind) {
      case 'predict': { const [x] = makeData(net, o); const y = net.predict(x as Float32Array); expect(y.length).toBe((x as Float32Array).length / net.inputs * net.outputs); break; }
      case 'evaluate': { const [x, y] = makeData(net, o); net.evaluate(x as Float32Array, y as Float32Array); break; }
      case 'lossAndGradients': { const [x, y] = makeData(net, o); net.lossAndGradients(x as Float32Array, y as Float32Array); break; }
      case 'trainBatch': { const [x, y] = makeData(net, o); net.trainBatch(x as Float32Array, y as Float32Array); changedLegitimately = true; break; }
      case 'parameters': {
        const ps = net.parameters();
        expect(ps.every((p) => Object.isFrozen(p) && p.data.length === p.shape.reduce((s, d) => s * d, 1))).toBe(true);
        break;
      }
      case 'summary': net.summary(); break;
      case 'save': case 'toJSON': {
        const saved = o.kind === 'save' ? net.save() : JSON.stringify(net.toJSON());
        const back = engine.loadNetwork(saved);
        try {
          const x = new Float32Array(3 * net.inputs).fill(0.25);
          expect(bits(back.predict(x))).toEqual(bits(net.predict(x)));
        } finally { back.dispose(); }
        break;
      }
      case 'dispose': net.dispose(); return;
      case 'fit': {
        const [x, y] = makeData(net, o);
        let batches = 0;
        const ctl = new AbortController();
        marker = new Error('thrown by the callback');
        const options: Record<string, unknown> = {
          epochs: o.epochs, batchSize: o.batchSize, shuffle: o.shuffle, validationSplit: o.validationSplit,
          signal: ctl.signal,
          onBatchEnd: () => {
            batches++;
            switch (o.callback) {
              case 'dispose': net.dispose(); break; // NetworkBusyError: escapes fit
              case 'abort': ctl.abort(); break;
              case 'throw': throw marker;
              case 'trainBatch': net.trainBatch(x as Float32Array, y as Float32Array); break; // NetworkBusyError
              case 'predict': net.predict(new Float32Array(net.inputs)); break;
              default: break;
            }
          },
          onEpochEnd: () => (o.callback === 'stop' ? false : undefined),
        };
        if (o.es !== undefined) options.earlyStopping = o.es;
        if (o.yieldEveryMs !== undefined) options.yieldEveryMs = o.yieldEveryMs;
        // sampleWeight / classWeight, valid and not (one per row, >= 0, finite; classWeight needs class targets)
        const fill = (v: number, n = o.rows) => new Array<number>(n).fill(v);
        if (o.weights === 'class') options.classWeight = [1, 2];
        else if (o.weights !== 'none') {
          options.sampleWeight = { ones: fill(1), zeros: fill(0), negative: fill(-1), short: fill(1, o.rows - 1), nan: fill(NaN) }[o.weights];
        }
        try {
          await net.fit(x as Float32Array, y as Float32Array, options as never);
          changedLegitimately = true;
        } catch (e) {
          // A fit that ran batches before failing keeps their updates (documented); one that diverged in its first
          // epoch is put back to where it started, and one that failed validation never touched anything.
          const divergedAtOnce = e instanceof TrainingDivergedError && (e.history as { epochs: unknown[] }).epochs.length === 0;
          if (batches > 0 && !divergedAtOnce) changedLegitimately = true;
          throw e;
        }
        break;
      }
    }
  } catch (e) {
    expectTyped(e, marker);
    if (before && !changedLegitimately) expect(net.stateBytes(), `${o.kind} failed and changed the network`).toEqual(before);
  }
  checkWorld();
}
