// Threads (createEngine({ threads })): the same bits at 1, 2, 3 and 4 threads as the single-thread baseline build, for
// the three GEMM kernels on shapes that split (by columns and by rows, with ragged edges) and for whole training runs
// (every optimizer, clipping, a frozen layer, a trainable activation); and the lifecycle: dispose ends the workers,
// an idle engine lets Node exit, a dead worker is a WorkerThreadError on the next call (never a hang), and
// relaxedSimd / scalar fall back to one thread with a reason.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, WorkerThreadError, type Engine } from '../dist/index.js';
import { KERNELS_WASM, rng } from './util.js';

type Fn = (m: number, n: number, k: number, a: number, b: number, c: number, acc: number, s: number) => void;
const engines: Record<number, Engine> = {};
const COUNTS = [1, 2, 3, 4];

beforeAll(async () => {
  // One thread: rectify.wasm's code as rectify-kernels.wasm, which exports the GEMMs and other kernels called below.
  for (const t of COUNTS) engines[t] = await createEngine({ threads: t, ...(t === 1 ? { wasm: KERNELS_WASM } : {}) });
});
afterAll(() => { for (const e of Object.values(engines)) e.dispose(); });

function hash(parts: Iterable<Float32Array>): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(new Uint8Array(p.slice().buffer));
  return h.digest('hex');
}

it('threads: n starts n - 1 workers on the threads build', () => {
  for (const t of COUNTS) {
    expect(engines[t]!.threads).toBe(t);
    expect(engines[t]!.threadsUnavailableReason).toBeUndefined();
  }
});

describe('GEMM: the same bits at every thread count', () => {
  // Shapes around the split thresholds: columns in 8-wide panels, rows in tile heights, m < 4 (unpacked path),
  // edges that are not multiples of the tiles, and the MLP's shapes.
  const shapes: [number, number, number][] = [
    [64, 256, 784], [784, 256, 64], [64, 784, 256], [1, 256, 784], [2, 1000, 300], [257, 9, 300], [300, 37, 41],
    [7, 333, 129], [130, 130, 130], [3, 20, 5000],
  ];
  // 900x900x840 is over 5 x 2^27 multiply-adds: at 2 threads it is cut into more chunks than two per thread (nn only).
  for (const kind of ['nn', 'nt', 'tn'] as const) {
    for (const [m, n, k] of kind === 'nn' ? [...shapes, [900, 900, 840] as [number, number, number]] : shapes) {
      for (const acc of [0, 1]) {
        it(`gemm_${kind} ${m}x${n}x${k} acc ${acc}`, () => {
          const results = COUNTS.map((t) => {
            const e = engines[t]!;
            const r = rng(m * 7 + n * 13 + k + acc);
            const a = e.tensor(Float32Array.from({ length: m * k }, () => r() * 2 - 1));
            const b = e.tensor(Float32Array.from({ length: k * n }, () => r() * 2 - 1));
            const c = e.tensor(Float32Array.from({ length: m * n }, () => r() * 2 - 1));
            const s = e.tensor(Math.ceil(e.exports.gemm_scratch_bytes(m, n, k) / 4));
            (e.exports as unknown as Record<string, Fn>)[`gemm_${kind}`]!(m, n, k, a.ptr, b.ptr, c.ptr, acc, s.ptr);
            const out = c.toArray();
            for (const x of [a, b, c, s]) x.dispose();
            return hash([out]);
          });
          expect(new Set(results).size).toBe(1);
        });
      }
    }
  }
});

describe('training: the same weights at every thread count', () => {
  const x = Float32Array.from({ length: 96 * 200 }, (_, i) => Math.sin(i * 0.37) * 2);
  const y = Int32Array.from({ length: 96 }, (_, i) => (i * 7) % 10);
  const cases = [
    { name: 'sgd', optimizer: 'sgd' },
    { name: 'adam + clipping + weight decay', optimizer: { name: 'adam', learningRate: 0.01, weightDecay: 0.01 }, clip: 0.5 },
    { name: 'momentum (nesterov)', optimizer: { name: 'momentum', nesterov: true } },
    { name: 'rmsprop', optimizer: 'rmsprop' },
    { name: 'adamW, frozen first layer', optimizer: 'adamW', freeze: true },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const hashes = [];
      for (const t of COUNTS) {
        const net = engines[t]!.network({ inputs: 200, seed: 5 }).dense(160, 'relu').dense(96, { name: 'prelu' }).dense(48, 'tanh')
          .dense(10, 'softmax')
          .build({ loss: 'crossEntropy', optimizer: c.optimizer as never, ...('clip' in c ? { clipNorm: c.clip } : {}) } as never);
        if ('freeze' in c) net.setTrainable('dense0', false);
        await net.fit(x, y, { epochs: 3, batchSize: 48 });
        for (let i = 0; i < 3; i++) net.trainBatch(x.subarray(0, 96 * 200), y);
        hashes.push(hash([...net.parameters().map((p) => p.data), net.predict(x)]));
        net.dispose();
      }
      expect(new Set(hashes).size, hashes.join('\n')).toBe(1);
    });
  }

  it('dropout, batchNorm and layerNorm layers, adamW with weight decay', async () => {
    const hashes = [];
    for (const t of COUNTS) {
      const net = engines[t]!.network({ inputs: 200, seed: 6 }).dense(160, 'relu').batchNorm().dropout(0.25).dense(96, 'tanh')
        .layerNorm().dense(10, 'softmax').build({ loss: 'crossEntropy', optimizer: { name: 'adamW', weightDecay: 0.05 } });
      await net.fit(x, y, { epochs: 3, batchSize: 48 });
      hashes.push(hash([...net.parameters().map((p) => p.data), net.predict(x)]));
      net.dispose();
    }
    expect(new Set(hashes).size, hashes.join('\n')).toBe(1);
  });

  it('the same bits as the single-thread baseline build (rectify.wasm) and at batch 1', async () => {
    const base = await createEngine();
    const hashes = [];
    for (const e of [base, engines[2]!, engines[4]!]) {
      const net = e.network({ inputs: 200, seed: 9 }).dense(128, 'relu').dense(10, 'softmax').build({ loss: 'crossEntropy' });
      await net.fit(x, y, { epochs: 2, batchSize: 64 });
      for (let i = 0; i < 5; i++) net.trainBatch(x.subarray(i * 200, (i + 1) * 200), y.subarray(i, i + 1));
      hashes.push(hash([...net.parameters().map((p) => p.data), net.predict(x), net.predict(x.subarray(0, 200))]));
      net.dispose();
    }
    base.dispose();
    expect(new Set(hashes).size).toBe(1);
  });
});

describe('lifecycle', () => {
  it("threads: 'auto' uses the processors the runtime reports", async () => {
    const e = await createEngine({ threads: 'auto' });
    expect(e.threads).toBeGreaterThanOrEqual(1);
    expect(e.threads).toBeLessThanOrEqual(16);
    e.dispose();
  });

  it('rejects a bad threads option before loading anything', async () => {
    for (const bad of [0, -1, 1.5, 65, '2', null, NaN]) {
      await expect(createEngine({ threads: bad as never })).rejects.toThrow(InvalidArgumentError);
    }
  });

  it('relaxedSimd and scalar run on one thread and say why', async () => {
    for (const o of [{ relaxedSimd: true }, { scalar: true }]) {
      const e = await createEngine({ ...o, threads: 2 });
      expect(e.threads).toBe(1);
      expect(e.threadsUnavailableReason).toMatch(/one thread/);
      e.dispose();
    }
  });

  it('dispose terminates the workers', async () => {
    const e = await createEngine({ threads: 3 });
    const exits = e.pool!.workers.map((w) => new Promise<number>((res) => w.on!('exit', (c) => res(c as number))));
    e.dispose();
    expect((await Promise.all(exits)).length).toBe(2);
  });

  it('a worker that dies is a WorkerThreadError on the next call, not a hang', async () => {
    const e = await createEngine({ threads: 2 });
    const net = e.network({ inputs: 200, seed: 1 }).dense(128, 'relu').dense(10, 'softmax').build({ loss: 'crossEntropy' });
    const x = new Float32Array(64 * 200).fill(0.5), y = new Int32Array(64);
    net.trainBatch(x, y);
    const w = e.pool!.workers[0]!;
    const exited = new Promise((res) => w.on!('exit', res));
    await w.terminate();
    await exited;
    expect(() => net.trainBatch(x, y)).toThrow(WorkerThreadError);
    expect(() => net.predict(x)).toThrow(/worker thread 1 stopped.*create a new one/);
    e.dispose();
  });

  // The test hook of assembly/nn/threads.ts (C_TEST, C_STALL): worker 1 stops in the middle of its next chunk of a
  // product (op 1), of bias + activation rows (2) or of the optimizer update (5), after writing part of it; how 1: as
  // a trap does (its host code sets its stopped word), how 2: it runs nothing more (the calling thread sees only that
  // it makes no progress; the bound is lowered to 2^24 spins for the test). The step it stops in must still give the
  // single-thread bits, every later call is a WorkerThreadError, and nothing hangs.
  const hookCases = [[1, 1], [2, 1], [5, 1], [1, 2], [2, 2], [5, 2]] as const;
  for (const [op, how] of hookCases) {
    it(`a worker that stops in the middle of a chunk (op ${op}, ${how === 1 ? 'says so' : 'silently'}): same bits, then WorkerThreadError`, async () => {
      const x = Float32Array.from({ length: 64 * 200 }, (_, i) => Math.sin(i * 0.11)), y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
      const build = (e: Engine) => e.network({ inputs: 200, seed: 3 }).dense(256, 'relu').dense(64, 'tanh').dense(10, 'softmax')
        .build({ loss: 'crossEntropy', optimizer: 'adam' });
      const ref = build(engines[1]!);
      const e = await createEngine({ threads: 2 });
      const net = build(e);
      const views = net.parameters().map((p) => p.data);
      const words = new Int32Array(e.arena.memory.buffer, e.pool!.ctl, 8);
      words[5] = how === 2 ? 1 << 24 : 0; // C_STALL
      words[3] = 1 | (op << 8) | (how << 16); // C_TEST: worker 1, op, how
      let steps = 0;
      for (; steps < 200 && e.pool!.dead === undefined; steps++) {
        expect(net.trainBatch(x, y)).toBe(ref.trainBatch(x, y));
        expect(hash(views)).toBe(hash(ref.parameters().map((p) => p.data)));
      }
      expect(e.pool!.dead).toMatch(/worker thread 1 stopped in the middle of a call/);
      expect(() => net.trainBatch(x, y)).toThrow(WorkerThreadError);
      expect(() => net.parameters()).toThrow(WorkerThreadError);
      expect(hash(views)).toBe(hash(ref.parameters().map((p) => p.data)));
      ref.dispose();
      e.dispose();
    });
  }

  it('a worker terminated right before a call: the call finishes with the same bits, the next one is a WorkerThreadError', async () => {
    const x = Float32Array.from({ length: 64 * 200 }, (_, i) => Math.cos(i * 0.07)), y = Int32Array.from({ length: 64 }, (_, i) => (i * 3) % 10);
    const build = (e: Engine) => e.network({ inputs: 200, seed: 4 }).dense(256, 'relu').dense(10, 'softmax').build({ loss: 'crossEntropy' });
    const ref = build(engines[1]!);
    const e = await createEngine({ threads: 2 });
    const net = build(e);
    new Int32Array(e.arena.memory.buffer, e.pool!.ctl, 8)[5] = 1 << 24; // C_STALL (test bound)
    expect(net.trainBatch(x, y)).toBe(ref.trainBatch(x, y));
    const views = net.parameters().map((p) => p.data);
    const w = e.pool!.workers[0]!;
    const exited = new Promise((res) => w.on!('exit', res));
    void w.terminate(); // takes effect while the next call runs, or before it: either way no hang and the same bits
    expect(net.trainBatch(x, y)).toBe(ref.trainBatch(x, y));
    expect(hash(views)).toBe(hash(ref.parameters().map((p) => p.data)));
    await exited;
    expect(() => net.trainBatch(x, y)).toThrow(WorkerThreadError);
    ref.dispose();
    e.dispose();
  });

  it('an idle engine with workers does not keep Node alive', async () => {
    const code = "import { createEngine } from './dist/index.js'; const e = await createEngine({ threads: 2 });" +
      "const n = e.network({ inputs: 200, seed: 1 }).dense(128, 'relu').dense(10, 'softmax').build({ loss: 'crossEntropy' });" +
      "n.trainBatch(new Float32Array(64 * 200).fill(1), new Int32Array(64)); console.log('threads', e.threads);";
    const out = await new Promise<string>((res, rej) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: new URL('..', import.meta.url).pathname });
      let s = '';
      p.stdout.on('data', (d) => { s += d; });
      p.stderr.on('data', (d) => { s += d; });
      const t = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`the process did not exit by itself:\n${s}`)); }, 60_000);
      p.on('close', (c) => { clearTimeout(t); if (c === 0) res(s); else rej(new Error(s)); });
    });
    expect(out.trim()).toBe('threads 2');
  });
});
