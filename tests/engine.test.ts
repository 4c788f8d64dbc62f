// The host API: typed errors for every kind of bad input (and the engine still works afterwards), tensors and memory
// growth, disposal, and the relaxed-SIMD fallback.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, DisposedError, InvalidArgumentError, InvalidParameterError, RectifyError, ShapeError, UnknownActivationError,
  createEngine, supportsRelaxedSimd, type Engine,
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
    ['prelu alpha array of the wrong length', () => engine.activation({ name: 'prelu', units: 3, alpha: [1, 2] }), InvalidParameterError, /alpha has 2 values but units is 3/],
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
