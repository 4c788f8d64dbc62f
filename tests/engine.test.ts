// The host API: typed errors for every kind of bad input (and the engine still works afterwards), tensors and memory
// growth, disposal, and the relaxed-SIMD fallback.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, DisposedError, InvalidArgumentError, InvalidParameterError, KernelError, OutOfMemoryError, RectifyError,
  ShapeError, Tensor, UnknownActivationError, WasmLoadError, createEngine, supportsRelaxedSimd, type Engine,
} from '../dist/index.js';

let engine: Engine;
beforeAll(async () => { engine = await createEngine(); });

/** After any error, the engine must still compute correctly. */
function stillWorks(): void {
  expect(Array.from(engine.activation('relu').forward(Float32Array.from([-1, 2])))).toEqual([0, 2]);
}

describe('bad input gets a typed error that says what to fix', () => {
  it.each([
    ['a misspelled name lists the valid names', () => engine.activation('rleu' as never), UnknownActivationError, /valid names: .*relu/],
    ['a spec without a name', () => engine.activation({} as never), UnknownActivationError, /valid names/],
    ['an unknown parameter', () => engine.activation({ name: 'elu', alhpa: 1 } as never), InvalidParameterError, /elu has no parameter "alhpa"; its parameters are: alpha/],
    ['NaN parameter', () => engine.activation({ name: 'elu', alpha: NaN }), InvalidParameterError, /alpha must be a number/],
    ['sbaf k <= 0', () => engine.activation({ name: 'sbaf', k: 0 }), InvalidParameterError, /k must be finite and in \(0/],
    ['sbaf alpha outside (0, 1)', () => engine.activation({ name: 'sbaf', alpha: 1 }), InvalidParameterError, /alpha must be finite and in \(0, 1\)/],
    ['hardTanh min >= max', () => engine.activation({ name: 'hardTanh', minVal: 1, maxVal: 1 }), InvalidParameterError, /minVal .* must be less than maxVal/],
    ['sbaf unknown domain', () => engine.activation({ name: 'sbaf', domain: 'wrap' } as never), InvalidParameterError, /domain must be/],
    ['prelu units not a whole number', () => engine.activation({ name: 'prelu', units: 2.5 }), InvalidParameterError, /units must be a whole number/],
    ['prelu alpha array of the wrong length', () => engine.activation({ name: 'prelu', units: 3, alpha: [1, 2] }), InvalidParameterError, /alpha needs 3 values, got 2/],
    ['x not a Float32Array', () => engine.activation('relu').forward([1, 2] as never), InvalidArgumentError, /Float32Array\.from/],
    ['dy of another length', () => engine.activation('tanh').backward(new Float32Array(4), new Float32Array(3)), ShapeError, /dy has 3 elements but x has 4/],
    ['out of another length', () => engine.activation('tanh').forward(new Float32Array(4), { out: new Float32Array(5) }), ShapeError, /out has 5 elements/],
    ['softmax rows x cols not the length', () => engine.activation('softmax').forward(new Float32Array(6), { rows: 4, cols: 2 }), ShapeError, /does not match the 6 elements/],
    ['per-unit prelu with the wrong number of columns', () => engine.activation({ name: 'prelu', units: 4 }).forward(new Float32Array(6), { cols: 3 }), ShapeError, /has 4 units but the input has 3 columns/],
    ['derivative of softmax', () => engine.activation('softmax').derivative(new Float32Array(3)), InvalidArgumentError, /use backward/],
    ['a negative tensor length', () => engine.tensor(-1), InvalidArgumentError, /tensor length/],
  ])('%s', (_what, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    stillWorks();
  });

  it('every error class is a RectifyError', () => {
    expect(() => engine.activation('nope' as never)).toThrow(RectifyError);
  });
});

describe('tensors and memory', () => {
  it('views are re-derived after the memory grows; nothing is silently detached', () => {
    const t = engine.tensor(Float32Array.from([1, -2, 3]));
    const before = engine.memoryStats();
    const big = engine.tensor(8 * 1024 * 1024); // 32 MiB: forces memory.grow
    expect(engine.memoryStats().grows).toBeGreaterThan(before.grows);
    expect(Array.from(t.data)).toEqual([1, -2, 3]);
    engine.activation('relu').forward(t, { out: t });
    expect(Array.from(t.data)).toEqual([1, 0, 3]);
    big.dispose(); t.dispose();
    expect(engine.memoryStats().usedBytes).toBeLessThanOrEqual(before.usedBytes);
  });

  it('disposed tensors, activations and engines throw DisposedError', async () => {
    const t = engine.tensor(4);
    t.dispose();
    expect(() => t.data).toThrow(DisposedError);
    const a = engine.activation('relu');
    a.dispose();
    expect(() => a.forward(new Float32Array(2))).toThrow(DisposedError);
    const other = await createEngine();
    const foreign = other.tensor(2);
    expect(() => engine.activation('relu').forward(foreign)).toThrow(/another engine/);
    other.dispose();
    expect(() => other.tensor(1)).toThrow(DisposedError);
  });

  it('scratch memory is returned after every call (no leak over 1,000 calls)', () => {
    const act = engine.activation('gelu');
    const x = new Float32Array(1000).map((_, i) => i / 100 - 5);
    act.forward(x);
    const used = engine.memoryStats().usedBytes;
    for (let i = 0; i < 1000; i++) { act.forward(x); act.backward(x, x); }
    expect(engine.memoryStats().usedBytes).toBe(used);
  });
});

describe('relaxed SIMD', () => {
  it('is used only on request and where the engine validates it', async () => {
    const base = await createEngine();
    expect(base.relaxedSimd).toBe(false);
    const r = await createEngine({ relaxedSimd: true });
    expect(r.relaxedSimd).toBe(supportsRelaxedSimd());
  });

  it('falls back to the baseline build cleanly where it is not supported (Node 20 without the flag)', () => {
    const script = `import('${new URL('../dist/index.js', import.meta.url).href}').then(async (m) => {
      const e = await m.createEngine({ relaxedSimd: true });
      const y = e.activation('tanh').forward(Float32Array.from([0.5]));
      console.log(JSON.stringify({ validates: m.supportsRelaxedSimd(), relaxed: e.relaxedSimd, unavailable: e.relaxedSimdUnavailable, y: y[0] }));
    });`;
    const major = Number(process.versions.node.split('.')[0]);
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim());
    if (major < 22) {
      expect(out).toMatchObject({ validates: false, relaxed: false, unavailable: true });
    }
    expect(out.y).toBe(engine.activation('tanh').forward(Float32Array.from([0.5]))[0]);
  });
});

it('the kernel table is the one source of names: every row is reachable', () => {
  for (const d of ACTIVATIONS) expect(engine.activation(d.name as never).name).toBe(d.name);
  expect(engine.activation('swish').name).toBe('silu');
});

// ---------------------------------------------------------------------------------------------------------------
// Issue 8 (memory safety): nothing a caller passes reaches a kernel unvalidated, and nothing leaks.

/** Bits of a Float32Array (NaN payloads and signed zeros included). */
function bits(a: Float32Array): number[] { return Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength))); }

/** The reference value of the issue: elu{alpha: 0.5}(-3) = 0.5 (e^-3 - 1). */
const ELU_REF = Math.fround(0.5 * Math.expm1(-3));

describe('issue 8.1: a missing dy never runs a backward kernel with the forward layout', () => {
  it.each([
    ['tanh.backward(x)', (e: Engine, x: Float32Array) => e.activation('tanh').backward(x as never)],
    ['tanh.backward(x, undefined)', (e: Engine, x: Float32Array) => e.activation('tanh').backward(x, undefined as never)],
    ['tanh.backward(t) on a Tensor', (e: Engine, x: Float32Array) => { const t = e.tensor(x); try { e.activation('tanh').backward(t as never); } finally { t.dispose(); } }],
    ['prelu.paramGrads(x)', (e: Engine, x: Float32Array) => e.activation('prelu').paramGrads(x as never)],
    ['silu.paramGrads(x, { rows: 1 })', (e: Engine, x: Float32Array) => e.activation('silu').paramGrads(x, { rows: 1 } as never)],
    ['softmax.backward(x)', (e: Engine, x: Float32Array) => e.activation('softmax').backward(x as never)],
    ['logSoftmax.backward(x, {})', (e: Engine, x: Float32Array) => e.activation('logSoftmax').backward(x, {} as never)],
  ])('%s: typed error, the canary keeps its bits, elu{alpha: 0.5}(-3) stays -0.4751', async (_what, call) => {
    const e = await createEngine();
    const canary = e.tensor(Float32Array.from({ length: 64 }, (_, i) => i - 31.5));
    const before = bits(canary.data);
    const filler = e.tensor(1 << 20); // 4 MiB in use, as in the issue (the old code trapped after writing)
    const elu = e.activation({ name: 'elu', alpha: 0.5 });
    expect(elu.forward(Float32Array.from([-3]))[0]).toBe(ELU_REF);
    const stats = e.memoryStats();
    const x = Float32Array.from({ length: 16 }, (_, i) => i - 8);
    expect(() => call(e, x)).toThrow(RectifyError);
    expect(() => call(e, x)).toThrow(/dy/);
    expect(bits(canary.data)).toEqual(before);
    expect(elu.forward(Float32Array.from([-3]))[0]).toBe(ELU_REF);
    expect(e.activation({ name: 'elu', alpha: 0.5 }).forward(Float32Array.from([-3]))[0]).toBeCloseTo(-0.4751, 4);
    expect(e.memoryStats().usedBytes).toBeLessThanOrEqual(stats.usedBytes + 16 * 4); // the two probe activations
    filler.dispose();
  });
});

describe('issue 8.13/8.17: call options', () => {
  const x = Float32Array.from([-1, 0.5, 2]);
  it.each([
    ['a Float32Array where the options belong', () => engine.activation('relu').forward(x, new Float32Array(3) as never), /\{ out \}/],
    ['a Tensor where the options belong', () => { const t = engine.tensor(3), u = engine.tensor(x); try { engine.activation('relu').forward(u, t as never); } finally { t.dispose(); u.dispose(); } }, /\{ out \}/],
    ['backward(x, dy, out) positional', () => engine.activation('tanh').backward(x, x, new Float32Array(3) as never), /backward\(x, dy, \{ out \}\)/],
    ['a misspelled key (outt)', () => engine.activation('relu').forward(x, { outt: new Float32Array(3) } as never), /unknown option "outt"; valid options: out, rows, cols/],
    ['null options', () => engine.activation('relu').forward(x, null as never), /options must be an object/],
    ['a number as options', () => engine.activation('relu').derivative(x, 3 as never), /options must be an object/],
    ['an array as options', () => engine.activation('softmax').forward(x, [] as never), /options must be an object/],
    ['out in paramGrads', () => engine.activation('prelu').paramGrads(x, x, { out: new Float32Array(3) } as never), /takes no out/],
    ['an extra argument', () => engine.activation('relu').forward(x, {}, {} as never), /takes 1 to 2 arguments, got 3/],
    ['rows past the i32 range', () => engine.activation('softmax').forward(new Float32Array(0), { rows: 2 ** 40, cols: 0 }), /rows must be a whole number in/],
    ['out: a view of the engine memory', () => { const t = engine.tensor(3); try { engine.activation('relu').forward(x, { out: t.data }); } finally { t.dispose(); } }, /pass the Tensor as out/],
    ['setParams(null)', () => engine.activation('elu').setParams(null as never), /setParams takes an object/],
    ['setParams with a null value', () => engine.activation({ name: 'prelu', units: 2 }).setParams({ alpha: null } as never), /alpha must be a number, got null/],
  ])('%s: InvalidArgumentError/InvalidParameterError, nothing leaks', (_what, call, message) => {
    const live = engine.memoryStats().liveAllocations;
    expect(call).toThrow(RectifyError);
    expect(call).toThrow(message);
    // Every call above creates one activation (its parameter block) that is not disposed: at most those remain.
    expect(engine.memoryStats().liveAllocations).toBeLessThanOrEqual(live + 2);
    stillWorks();
  });

  it('the positional out of the issue no longer allocates a new result per call', () => {
    const relu = engine.activation('relu');
    const t = engine.tensor(x), out = engine.tensor(3);
    const live = engine.memoryStats().liveAllocations;
    for (let i = 0; i < 100; i++) expect(() => relu.forward(t, out as never)).toThrow(InvalidArgumentError);
    expect(engine.memoryStats().liveAllocations).toBe(live);
    relu.forward(t, { out });
    expect(Array.from(out.data)).toEqual([0, 0.5, 2]);
    t.dispose(); out.dispose(); relu.dispose();
  });
});

describe('issue 8.13: tensors', () => {
  it.each([
    ['-1', -1, InvalidArgumentError], ['NaN', NaN, InvalidArgumentError], ['Infinity', Infinity, InvalidArgumentError],
    ['2.5', 2.5, InvalidArgumentError], ['1e12', 1e12, OutOfMemoryError], ['2^53', 2 ** 53, OutOfMemoryError],
    ['2^28 + 1 (past 1 GiB)', 2 ** 28 + 1, OutOfMemoryError],
    ['an array with a string', [1, 'a', 3], InvalidArgumentError], ['a sparse array', [1, , 3], InvalidArgumentError],
    ['an array with null', [null], InvalidArgumentError], ['an array with a BigInt', [1n], InvalidArgumentError],
    ['a BigInt64Array', new BigInt64Array(2), InvalidArgumentError], ['a DataView', new DataView(new ArrayBuffer(8)), InvalidArgumentError],
    ['{ length: -1 }', { length: -1 }, InvalidArgumentError], ['{ length: 1e12 }', { length: 1e12 }, OutOfMemoryError],
    ['{ length: NaN }', { length: NaN }, InvalidArgumentError], ['a string', '123', InvalidArgumentError],
    ['null', null, InvalidArgumentError], ['undefined', undefined, InvalidArgumentError],
    ['a fake Tensor', Object.create(Tensor.prototype), InvalidArgumentError],
  ])('engine.tensor(%s): typed error, no allocation, no growth', (_what, init, type) => {
    const before = engine.memoryStats();
    expect(() => engine.tensor(init as never)).toThrow(type);
    const after = engine.memoryStats();
    expect(after.liveAllocations).toBe(before.liveAllocations);
    expect(after.memoryBytes).toBe(before.memoryBytes);
    stillWorks();
  });

  it('engine.tensor(values) copies any numeric array-like (typed arrays converted)', () => {
    const t = engine.tensor(Int16Array.from([1, -2, 3]));
    expect(Array.from(t.data)).toEqual([1, -2, 3]);
    const u = engine.tensor({ length: 2, 0: 0.5, 1: -0.25 });
    expect(Array.from(u.data)).toEqual([0.5, -0.25]);
    const v = engine.tensor(t); // a copy of another tensor
    expect(Array.from(v.data)).toEqual([1, -2, 3]);
    expect(v.ptr).not.toBe(t.ptr);
    t.dispose(); u.dispose(); v.dispose();
    expect(() => engine.tensor(t)).toThrow(DisposedError);
  });

  it('tensor.data as input survives a call that grows the memory (it is copied before any allocation)', async () => {
    const e = await createEngine();
    const n = 1 << 20;
    const src = Float32Array.from({ length: n }, (_, i) => (i % 7) - 3);
    const t = e.tensor(src);
    const grows = e.memoryStats().grows;
    const y = e.activation('relu').forward(t.data); // scratch x and y: 8 MiB more, the memory must grow
    expect(e.memoryStats().grows).toBeGreaterThan(grows);
    expect(y.length).toBe(n);
    expect(y[3]).toBe(0); expect(y[4]).toBe(1); expect(y[6]).toBe(3);
    const t2 = e.tensor(t.data.subarray(0, 4)); // a view of the engine memory as values
    expect(Array.from(t2.data)).toEqual([-3, -2, -1, 0]);
  });

  it('a detached tensor.data view (read before the memory grew) is a typed error, not a TypeError', async () => {
    const e = await createEngine();
    const t = e.tensor(Float32Array.from([1, 2, 3]));
    const stale = t.data;
    e.tensor(1 << 20).dispose(); // grows the memory: `stale` is detached
    expect(stale.length).toBe(0);
    const relu = e.activation('relu');
    for (const call of [() => relu.forward(stale), () => relu.backward(new Float32Array(0), stale), () => relu.forward(new Float32Array(0), { out: stale }), () => e.tensor(stale)]) {
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(/detached.*read tensor.data again/);
    }
    expect(Array.from(relu.forward(t.data))).toEqual([1, 2, 3]);
  });

  it('the sizes kernels are told cannot be reassigned (t.length = n, act.units = n throw; the call stays in bounds)', () => {
    const t = engine.tensor(Float32Array.from([-1, 2]));
    const prelu = engine.activation({ name: 'prelu', units: 2, alpha: [0.5, 0.25] });
    expect(() => { (t as { length: number }).length = 1 << 20; }).toThrow(TypeError);
    expect(() => { (t as unknown as { ptr: number }).ptr = 0; }).toThrow(TypeError);
    expect(() => { (prelu as { units: number | undefined }).units = 1 << 20; }).toThrow(TypeError);
    expect(() => { (t as unknown as { alive: boolean }).alive = true; t.dispose(); t.data; }).toThrow(DisposedError);
    expect(t.length).toBe(2);
    expect(prelu.units).toBe(2);
    const x = Float32Array.from([-4, -4, 1, 1]);
    expect(Array.from(prelu.forward(x))).toEqual([-2, -1, 1, 1]);
    expect(Array.from(prelu.paramGrads(x, Float32Array.from([1, 1, 1, 1])).alpha as Float32Array)).toEqual([-4, -4]);
    prelu.dispose();
  });

  it('a fake Tensor or a Float32Array subclass lying about its length cannot steer a kernel', () => {
    class Lying extends Float32Array { override get length(): number { return 1 << 20; } }
    const relu = engine.activation('relu');
    const fake = Object.create(Tensor.prototype) as Tensor;
    expect(() => relu.forward(fake)).toThrow(/not made by engine.tensor\(\)/);
    expect(() => relu.forward(new Float32Array(1), fake as never)).toThrow(InvalidArgumentError);
    const live = engine.memoryStats().liveAllocations;
    expect(relu.forward(Lying.from([-1, 2, -3]) as Float32Array).length).toBe(3);
    const out = new Lying(3);
    relu.forward(Float32Array.from([-1, 2, -3]), { out });
    expect(Array.from(new Float32Array(out.buffer))).toEqual([0, 2, 0]);
    expect(engine.memoryStats().liveAllocations).toBe(live);
    relu.dispose();
  });

  it('an OutOfMemoryError in the middle of a call releases what the call had allocated', async () => {
    const e = await createEngine({ maxMemoryBytes: 1 << 20 });
    const x = new Float32Array(100_000); // 400 kB: x and dy fit, the output block does not
    const act = e.activation('tanh');
    const before = e.memoryStats();
    expect(() => act.backward(x, new Float32Array(100_000))).toThrow(OutOfMemoryError);
    expect(e.memoryStats().liveAllocations).toBe(before.liveAllocations);
    expect(e.memoryStats().usedBytes).toBe(before.usedBytes);
    expect(Array.from(act.forward(Float32Array.from([0])))).toEqual([0]);
  });
});

describe('issue 8.13: activations are finalized like tensors', () => {
  /** Forces a full GC and lets FinalizationRegistry callbacks run. */
  async function collect(): Promise<void> {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (let i = 0; i < 4; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); }
  }

  it('100,000 engine.activation("relu").forward(x) calls do not leave 100,000 live allocations', async () => {
    const e = await createEngine();
    const x = Float32Array.from([-1, 1]);
    const base = e.memoryStats().liveAllocations;
    for (let i = 0; i < 100_000; i++) e.activation('relu').forward(x);
    await collect();
    // Only what the last few (not yet collected) objects hold may remain.
    expect(e.memoryStats().liveAllocations - base).toBeLessThan(1000);
  });

  it('with explicit dispose the count stays exactly at the baseline, and a finalizer never frees twice', async () => {
    const e = await createEngine();
    const x = Float32Array.from([-1, 1]);
    const base = e.memoryStats().liveAllocations;
    for (let i = 0; i < 10_000; i++) { const a = e.activation('relu'); a.forward(x); a.dispose(); }
    expect(e.memoryStats().liveAllocations).toBe(base);
    const keep = e.tensor(Float32Array.from([7, 8]));
    await collect(); // disposed activations were unregistered: nothing releases keep's block
    const again = e.tensor(2); // would reuse keep's block if it had been freed
    expect(Array.from(keep.data)).toEqual([7, 8]);
    expect(again.ptr).not.toBe(keep.ptr);
  });
});

/** A minimal wasm binary: memory, `heap_base` (returns 1024), and every other name a function that traps. */
function trappingModule(names: readonly string[]): Uint8Array {
  const leb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
  const str = (s: string): number[] => [...leb(s.length), ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
  const exports: number[] = [...leb(names.length + 2), ...str('memory'), 2, 0, ...str('heap_base'), 0, 1];
  for (const n of names) exports.push(...str(n), 0, 0);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 0, 0, 0x60, 0, 1, 0x7f]), // () -> (), () -> i32
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0, 1]),
    ...section(7, exports),
    ...section(10, [2, 3, 0, 0x00, 0x0b, 5, 0, 0x41, 0x80, 0x08, 0x0b]), // unreachable; i32.const 1024
  ]);
}

describe('issue 8.14: createEngine checks its options and its module', () => {
  const baselineBytes = () => readFileSync(new URL('../dist/rectify.wasm', import.meta.url));

  it.each([
    ['empty bytes', { wasm: new Uint8Array(0) }, WasmLoadError, /could not load/],
    ['bytes that are not wasm', { wasm: new Uint8Array([1, 2, 3, 4]) }, WasmLoadError, /could not load/],
    ['a module without rectify\'s exports', { wasm: new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]) }, WasmLoadError, /no memory export/],
    ['a module with memory only', { wasm: Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, ...new TextEncoder().encode('memory'), 2, 0]) }, WasmLoadError, /no export "heap_base"/],
    ['scalar: true with the baseline build (no twins)', { scalar: true, wasm: 'BASELINE' }, WasmLoadError, /no export "linear_fwd_scalar"/],
    ['a URL that does not exist', { wasm: new URL('./nowhere.wasm', import.meta.url) }, WasmLoadError, /could not load/],
    ['null', null, InvalidArgumentError, /takes an options object/],
    ['a number', 3, InvalidArgumentError, /takes an options object/],
    ['a misspelled key', { wsam: new Uint8Array(0) }, InvalidArgumentError, /no option "wsam"; its options: wasm, relaxedSimd/],
    ['wasm: null', { wasm: null }, InvalidArgumentError, /wasm: null is not a WebAssembly.Module/],
    ['wasm: 42', { wasm: 42 }, InvalidArgumentError, /wasm: number 42 is not/],
    ['wasm: {}', { wasm: {} }, InvalidArgumentError, /wasm: an object/],
    ['relaxedWasm: []', { relaxedWasm: [] }, InvalidArgumentError, /relaxedWasm: an array/],
    ['scalar: "yes"', { scalar: 'yes' }, InvalidArgumentError, /scalar must be true or false/],
    ['relaxedSimd: 1', { relaxedSimd: 1 }, InvalidArgumentError, /relaxedSimd must be true or false/],
    ['maxMemoryBytes: "1"', { maxMemoryBytes: '1' }, InvalidArgumentError, /maxMemoryBytes must be a number/],
    ['maxMemoryBytes: NaN', { maxMemoryBytes: NaN }, InvalidArgumentError, /maxMemoryBytes must be a number/],
    ['maxMemoryBytes: 2 GiB', { maxMemoryBytes: 2 ** 31 }, InvalidArgumentError, /maxMemoryBytes must be a number/],
    ['scalar and relaxedSimd', { scalar: true, relaxedSimd: true }, InvalidArgumentError, /cannot be combined/],
  ])('%s: rejects with a typed error', async (_what, options, type, message) => {
    const o = options !== null && typeof options === 'object' && (options as { wasm?: unknown }).wasm === 'BASELINE'
      ? { ...options, wasm: baselineBytes() } : options;
    const p = createEngine(o as never);
    await expect(p).rejects.toThrow(type);
    await expect(p).rejects.toThrow(message);
  });

  it('a kernel that traps anyway becomes a KernelError, and the call leaks nothing', async () => {
    const names = WebAssembly.Module.exports(new WebAssembly.Module(baselineBytes()))
      .filter((d) => d.kind === 'function' && d.name !== 'heap_base').map((d) => d.name);
    const e = await createEngine({ wasm: trappingModule(names) });
    const t = e.tensor(Float32Array.from([1, 2]));
    const live = e.memoryStats().liveAllocations;
    const relu = e.activation('relu');
    expect(() => relu.forward(t)).toThrow(KernelError);
    expect(() => relu.forward(t)).toThrow(/relu_fwd failed .*rectify bug/);
    expect(() => relu.backward(Float32Array.from([1]), Float32Array.from([1]))).toThrow(KernelError);
    expect(() => e.activation('prelu').paramGrads(t, t)).toThrow(KernelError);
    relu.dispose();
    expect(e.memoryStats().liveAllocations).toBeLessThanOrEqual(live + 1); // the undisposed prelu's parameters
  });
});
