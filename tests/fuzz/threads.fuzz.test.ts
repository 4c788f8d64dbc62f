// Property-based suite of createEngine({ threads }): hostile counts (0, -1, 1.5, NaN, strings, 1e9, objects, getters)
// with and without a small maxMemoryBytes and a threadsWasm. Invariants: the promise settles (no hang) with a
// RectifyError or a working engine; a working engine reports 1..64 threads (the count asked for, or 1 with a reason)
// and trains a small network to the same bits as a single-thread engine; every engine is disposed.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, RectifyError, type Engine } from '../../dist/index.js';
import { SEED, TIMEOUT, runs } from './budget.js';

const THREADS_WASM = new URL('../../dist/rectify-threads.wasm', import.meta.url);
const x = Float32Array.from({ length: 16 * 3 }, (_, i) => ((i * 37) % 11) / 5 - 1);
const y = Float32Array.from({ length: 16 }, (_, i) => i % 2);

/** Bits of the predictions of a small seeded network after two training steps on `e`. */
function trained(e: Engine): number[] {
  const net = e.network({ inputs: 3, seed: 9 }).dense(8, 'tanh').dense(1, 'sigmoid').build({ loss: 'binaryCrossEntropy', optimizer: 'adam' });
  try {
    net.trainBatch(x, y);
    net.trainBatch(x, y);
    return Array.from(new Uint32Array(net.predict(x).buffer));
  } finally {
    net.dispose();
  }
}

let reference: number[];
beforeAll(async () => {
  const e = await createEngine();
  reference = trained(e);
  e.dispose();
});

const withGetter = (first: unknown, then: unknown) => { let n = 0; return { get threads() { return n++ === 0 ? first : then; } }; };
const threadsValue = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) },
  { weight: 1, arbitrary: fc.constant('auto') },
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, -Infinity, 65, 1e9, 2 ** 31, -0, '2', 'auto ', '', true, null,
      2n, Symbol('t'), {}, [], [2], { valueOf: () => 2 }, Object.create(null), new Number(2)),
  },
);
const options = fc.record(
  {
    threads: threadsValue,
    maxMemoryBytes: fc.constantFrom<unknown>(undefined, 1, 65536, 1 << 20, 1 << 24),
    threadsWasm: fc.constantFrom<unknown>(undefined, THREADS_WASM, 'not a url', 42),
  },
  { requiredKeys: ['threads'] },
);
const anyOptions = fc.oneof(
  { weight: 5, arbitrary: options.map((o) => ({ o, getter: false })) },
  { weight: 1, arbitrary: fc.tuple(threadsValue, threadsValue).map(([a, b]) => ({ o: withGetter(a, b) as Record<string, unknown>, getter: true })) },
);

describe('createEngine({ threads }) under generated options', () => {
  it('settles with a RectifyError or a working engine that trains to the single-thread bits', async () => {
    await fc.assert(
      fc.asyncProperty(anyOptions, async ({ o, getter }) => {
        let e: Engine | undefined;
        try {
          e = await createEngine(o as never);
        } catch (err) {
          if (!(err instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String(err)}`, { cause: err });
          return;
        }
        try {
          const asked = getter ? undefined : o.threads;
          expect(Number.isInteger(e.threads) && e.threads >= 1 && e.threads <= 64).toBe(true);
          if (typeof asked === 'number') expect(e.threads === asked || (e.threads === 1 && e.threadsUnavailableReason !== undefined)).toBe(true);
          else if (asked !== 'auto' && !getter) expect(e.threads).toBe(1);
          let bitsOrError: number[] | RectifyError;
          try { bitsOrError = trained(e); } catch (err) {
            if (!(err instanceof RectifyError)) throw new Error(`a non-RectifyError escaped: ${String(err)}`, { cause: err });
            bitsOrError = err; // e.g. OutOfMemoryError under a tiny maxMemoryBytes
          }
          if (Array.isArray(bitsOrError)) expect(bitsOrError).toEqual(reference);
          else expect(o.maxMemoryBytes).toBeDefined();
        } finally {
          e.dispose();
        }
      }),
      { numRuns: runs(40, 1000), seed: SEED, endOnFailure: true },
    );
  }, TIMEOUT);
});
