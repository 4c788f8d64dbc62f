// Property-based suite of net.metadata: hostile values (deep objects, cycles, getters, proxies, huge and lone-surrogate
// strings, non-JSON values, arrays with lying iterators or huge lengths) set directly and through save/load.
// Invariants: only RectifyError subclasses escape; a refused set changes nothing (metadata, weights, a canary tensor);
// an accepted set reads back as a plain copy and survives save() / toJSON() -> loadNetwork unchanged.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, RectifyError, type Engine, type Network } from '../../dist/index.js';
import { SEED, TIMEOUT, runs } from './budget.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

const build = (): Network => engine.network({ inputs: 3, seed: 5 }).dense(4, 'tanh').dense(2, 'softmax').build({ loss: 'crossEntropy', optimizer: 'adam' });
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
const weights = (n: Network) => n.parameters().map((p) => bits(p.data));

const cycle = (): object => { const o: Record<string, unknown> = { labels: ['a', 'b'] }; o.self = o; return o; };
const deep = (): object => { let o: Record<string, unknown> = { rows: 1 }; for (let i = 0; i < 10_000; i++) o = { featureStats: o }; return o; };
/** An array whose iterator never ends (a copy through Array.from would hang). */
const endless = (): string[] => { const a = ['a', 'b']; a[Symbol.iterator] = function* () { for (;;) yield 'x'; }; return a; };
/** An array whose elements are getters answering differently on each read. */
const flipping = (): string[] => {
  const a = ['a', 'b'];
  let n = 0;
  Object.defineProperty(a, 0, { get: () => (n++ % 2 ? 7 : 'ok'), enumerable: true });
  return a;
};
const counting = (valid: unknown, after: unknown) => { let n = 0; return () => (n++ === 0 ? valid : after); };

const odd = fc.constantFrom<unknown>(
  undefined, null, 0, -0, NaN, Infinity, 1e308, 2n, Symbol('s'), () => 1, new Date(0), new Map(), new Set(['a']),
  '', 'x'.repeat(257), 'x'.repeat(1 << 20), '\ud800', '\u0000', 'é', Object.create(null), [], {}, new Float64Array(3),
);
const str = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('\ud800', '\udfff x', 'x'.repeat(256), 'x'.repeat(257), '__proto__', 'constructor'));
const stringList = (n: number) => fc.oneof(
  { weight: 5, arbitrary: fc.array(str, { minLength: n, maxLength: n }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(str, odd), { minLength: 0, maxLength: n + 1 }) },
  { weight: 1, arbitrary: fc.constantFrom<() => unknown>(endless, flipping, () => new Array(2 ** 32 - 1), () => Object.assign(new Array(n), { length: n })).map((f) => f()) },
  { weight: 1, arbitrary: odd },
);
const num = fc.oneof(fc.double(), fc.constantFrom(-0, 0, 1e-310, -1e308, 3.5e38));
const numList = fc.oneof(
  { weight: 5, arbitrary: fc.array(num, { minLength: 3, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(num, odd), { maxLength: 4 }) },
  { weight: 1, arbitrary: odd },
);
const stats = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.nat({ max: 1e9 }))
    .map(([lo, spread, rows]) => ({ rows, min: lo, max: lo.map((v, i) => v + spread[i]!), mean: lo, std: spread })) },
  { weight: 2, arbitrary: fc.record({ rows: fc.oneof(fc.nat(), num, odd), min: numList, max: numList, mean: numList, std: numList }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: odd },
);
const meta = fc.oneof(
  { weight: 6, arbitrary: fc.record({ inputNames: stringList(3), labels: stringList(2), featureStats: stats }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.record({ inputNames: stringList(3), extra: odd }) },
  { weight: 1, arbitrary: fc.constantFrom<() => unknown>(cycle, deep, () => new Proxy({ labels: ['a', 'b'] }, {}), () => Object.create({ labels: ['a', 'b'] }))
    .map((f) => f()) },
  { weight: 1, arbitrary: fc.tuple(stringList(2), stringList(2)).map(([a, b]) => { const g = counting(a, b); return { get labels() { return g(); } }; }) },
  { weight: 1, arbitrary: odd },
);

/** Runs f; a thrown value must be a RectifyError. */
function attempt(f: () => void): RectifyError | undefined {
  try { f(); return undefined; } catch (e) {
    if (!(e instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String(e)}`, { cause: e });
    return e;
  }
}

describe('net.metadata under generated values', () => {
  it('a set is refused with a RectifyError and changes nothing, or reads back and survives save/load and toJSON/load', () => {
    const net = build();
    const canary = engine.tensor([1, 2, 3]);
    const w0 = weights(net);
    try {
      fc.assert(
        fc.property(meta, (m) => {
          const before = net.metadata;
          const err = attempt(() => { net.metadata = m as never; });
          if (err) {
            expect(err).toBeInstanceOf(InvalidArgumentError);
            expect(net.metadata).toEqual(before);
          } else {
            const got = net.metadata;
            expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
            for (const [saved, what] of [[net.save(), 'save'], [net.toJSON(), 'toJSON'], [JSON.stringify(net.toJSON()), 'JSON text']] as const) {
              const back = engine.loadNetwork(saved as never);
              try { expect(back.metadata, what).toEqual(got); } finally { back.dispose(); }
            }
          }
          expect(weights(net)).toEqual(w0);
          expect(bits(canary.toArray())).toEqual(bits(Float32Array.of(1, 2, 3)));
        }),
        { numRuns: runs(300, 20_000), seed: SEED, endOnFailure: true },
      );
    } finally {
      canary.dispose();
      net.dispose();
    }
  }, TIMEOUT);
});
