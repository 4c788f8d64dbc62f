// predict and trainBatch check their inputs for NaN and infinities on the copy in the wasm input buffer
// (first_nonfinite, assembly/nn/finite.ts) instead of a JS loop. The check must catch every non-finite value wherever
// it sits (inside a 16-value block, in the tail, in a later chunk of a predict larger than the capacity, at a batch that
// makes trainBatch grow its buffers), name the same index as before, and leave the network and the engine unchanged.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, DataError, type Engine } from '../dist/index.js';
import { rng } from './util.js';

let engines: Engine[];
beforeAll(async () => {
  engines = [await createEngine(), await createEngine({ scalar: true })];
});

const INPUTS = 37; // not a multiple of 4 or 16: values of a row straddle the kernel's blocks
const BAD = [NaN, Infinity, -Infinity, -NaN];

function build(e: Engine, capacity: number) {
  return e.network({ inputs: INPUTS, seed: 3 }).dense(5, 'tanh').dense(2, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: 'sgd', capacity });
}

function rows(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n * INPUTS }, () => Math.fround(r() * 2 - 1));
}

describe('non-finite inputs', () => {
  it('first_nonfinite finds the first NaN or infinity at every position, SIMD and scalar twin alike', () => {
    for (const e of engines) {
      const ex = e.exports as unknown as { first_nonfinite(p: number, n: number): number; first_nonfinite_scalar?(p: number, n: number): number };
      const t = e.tensor(70);
      const f = t.data;
      for (const n of [0, 1, 15, 16, 17, 33, 64, 70]) {
        f.fill(1.5);
        f.fill(NaN, n); // beyond n: never looked at
        expect(ex.first_nonfinite(t.ptr, n)).toBe(-1);
        expect(ex.first_nonfinite_scalar?.(t.ptr, n) ?? -1).toBe(-1);
        for (let i = 0; i < n; i++) {
          for (const bad of BAD) {
            f.fill(1.5, 0, n);
            f[i] = bad;
            if (i + 3 < n) f[i + 3] = NaN; // a later one does not hide the first
            expect(ex.first_nonfinite(t.ptr, n)).toBe(i);
            if (ex.first_nonfinite_scalar) expect(ex.first_nonfinite_scalar(t.ptr, n)).toBe(i);
          }
        }
      }
      // Finite extremes are finite: the largest f32, the smallest subnormal, -0.
      f.fill(0); f[0] = 3.4028234663852886e38; f[1] = -3.4028234663852886e38; f[2] = 1.401298464324817e-45; f[3] = -0;
      expect(ex.first_nonfinite(t.ptr, 70)).toBe(-1);
      t.dispose();
    }
  });

  it('predict throws a DataError naming the value, in any row and any chunk; nothing changes', () => {
    for (const e of engines) {
      const net = build(e, 4);
      const x = rows(11, 9); // 11 rows, capacity 4: three chunks
      const ok = net.predict(x), state = net.stateBytes(), mem = e.memoryStats();
      for (const i of [0, 5, 15, 16, 36, 37, 4 * INPUTS + 2, 11 * INPUTS - 1]) {
        for (const bad of BAD) {
          const y = x.slice();
          y[i] = bad;
          expect(() => net.predict(y)).toThrow(DataError);
          expect(() => net.predict(y)).toThrow(`x[${i}] (row ${Math.floor(i / INPUTS)}, column ${i % INPUTS}) is ${bad}; clean or impute the data first`);
        }
      }
      expect(net.stateBytes()).toEqual(state);
      expect(e.memoryStats()).toEqual(mem);
      expect(net.predict(x)).toEqual(ok);
      net.dispose();
    }
  });

  it('trainBatch throws a DataError before any step, within the capacity and when the batch would grow it', () => {
    for (const e of engines) {
      const net = build(e, 4);
      const labels = (n: number) => Int32Array.from({ length: n }, (_, i) => i % 2);
      const state = net.stateBytes(), mem = e.memoryStats();
      for (const n of [1, 3, 4, 9]) { // 9 > capacity: checked before the buffers grow
        const x = rows(n, 20 + n);
        for (const i of [0, 17, n * INPUTS - 1]) {
          const y = x.slice();
          y[i] = BAD[i % BAD.length]!;
          expect(() => net.trainBatch(y, labels(n))).toThrow(`x[${i}] (row ${Math.floor(i / INPUTS)}, column ${i % INPUTS}) is ${y[i]}`);
        }
      }
      expect(net.stateBytes()).toEqual(state);
      expect(e.memoryStats()).toEqual(mem);
      net.trainBatch(rows(4, 1), labels(4));
      expect(net.stateBytes()).not.toEqual(state);
      net.dispose();
    }
  });

  // Batches of at most 64 values (a tiny network, a row or a few) are copied and checked by a JS loop in
  // NetworkState.load / predict instead of TypedArray#set plus first_nonfinite: the same errors, the same
  // outputs as the larger-input path, nothing changed by a rejected call.
  it('a few values (<= 64, the JS copy-and-check loop): same errors, same outputs as the wasm-checked path', () => {
    for (const e of engines) {
      const IN = 3;
      const net = e.network({ inputs: IN, seed: 5 }).dense(6, 'tanh').dense(2, 'linear')
        .build({ loss: 'mse', optimizer: 'sgd', capacity: 32 });
      const r = rng(77);
      const big = Float32Array.from({ length: 30 * IN }, () => Math.fround(r() * 2 - 1)); // 90 values: wasm-checked path
      const all = net.predict(big);
      const state = net.stateBytes(), mem = e.memoryStats();
      for (const n of [1, 2, 5, 21]) { // 3 .. 63 values
        const x = big.slice(0, n * IN);
        expect(net.predict(x)).toEqual(all.slice(0, n * 2)); // bit for bit the rows of the larger call
        const t = new Float32Array(n * 2).fill(0.25);
        for (let i = 0; i < n * IN; i++) {
          const y = x.slice();
          y[i] = BAD[i % BAD.length]!;
          if (i + 1 < n * IN) y[i + 1] = NaN; // a later one does not hide the first
          const msg = `x[${i}] (row ${Math.floor(i / IN)}, column ${i % IN}) is ${y[i]}; clean or impute the data first`;
          expect(() => net.predict(y)).toThrow(DataError);
          expect(() => net.predict(y)).toThrow(msg);
          expect(() => net.trainBatch(y, t)).toThrow(msg);
        }
      }
      expect(net.predict(new Float32Array(0))).toEqual(new Float32Array(0));
      expect(net.stateBytes()).toEqual(state);
      expect(e.memoryStats()).toEqual(mem);
      // A finite small batch trains, and the outputs follow the weights.
      net.trainBatch(big.slice(0, 2 * IN), new Float32Array(4).fill(0.5));
      expect(net.stateBytes()).not.toEqual(state);
      expect(net.predict(big.slice(0, IN))).toEqual(net.predict(big).slice(0, 2));
      net.dispose();
      // Capacity 2: a predict of 7 rows runs in chunks of 6 values (the last one 3); an index in a later chunk is
      // reported from the start of x, and the chunks' outputs are those of one call.
      const small = e.network({ inputs: IN, seed: 5 }).dense(6, 'tanh').dense(2, 'linear')
        .build({ loss: 'mse', optimizer: 'sgd', capacity: 2 });
      const x7 = big.slice(0, 7 * IN);
      expect(small.predict(x7)).toEqual(all.slice(0, 14));
      for (let i = 0; i < 7 * IN; i++) {
        const y = x7.slice();
        y[i] = BAD[i % BAD.length]!;
        expect(() => small.predict(y)).toThrow(`x[${i}] (row ${Math.floor(i / IN)}, column ${i % IN}) is ${y[i]}; clean`);
      }
      small.dispose();
    }
  });
});
