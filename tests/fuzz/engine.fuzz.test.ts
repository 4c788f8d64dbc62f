// Property-based suite over the public API of Engine, Activation and Tensor (issue 8). Each generated case is a
// sequence of calls on a fresh engine: every activation of the table with random specs (wrong ones included),
// random lengths (0, tails), Float32Arrays, tensors, views of engine memory, stale views, foreign-engine and
// disposed tensors, wrong option objects and wrong argument counts, on the baseline, scalar-twins and (where this
// Node validates it) relaxed-SIMD builds. After every call:
//   - only RectifyError subclasses escape;
//   - a canary tensor allocated first keeps its bits;
//   - a reference activation (elu, alpha 0.5, on fixed inputs) gives the same bits as before (a long-lived one and a
//     new one: a write into the data segment or into a parameter block shows here);
//   - wasm memory grows by at most what the call legitimately allocated (plus the arena's geometric step);
//   - live allocations return to the count before the call once what the call returned is disposed.
// `npm test` runs the short budget, `npm run fuzz` the long one (tests/fuzz/budget.ts); the seed is fixed.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ACTIVATIONS, Activation, RectifyError, Tensor, createEngine, supportsRelaxedSimd, type ActivationDef, type Engine,
} from '../../dist/index.js';
import { SEED, TIMEOUT, runs } from './budget.js';

const defs = ACTIVATIONS as readonly ActivationDef[];
const NAMES = [...defs.map((d) => d.name), ...defs.flatMap((d) => d.aliases ?? [])];
const PARAM_KEYS = [...new Set(defs.flatMap((d) => d.params.map((p) => p.name)))];

let module: WebAssembly.Module;
/** Engines a case may run on: the baseline build, the scalar twins, and relaxed SIMD where this Node validates it. */
const kinds: { name: string; options: () => Parameters<typeof createEngine>[0] }[] = [];
let foreign: Engine;
let dead: Engine;
beforeAll(async () => {
  const load = (file: string) => new WebAssembly.Module(readFileSync(new URL(`../../dist/${file}`, import.meta.url)));
  module = load('rectify.wasm');
  const twins = load('rectify-twins.wasm');
  kinds.push({ name: 'baseline', options: () => ({ wasm: module }) }, { name: 'scalar', options: () => ({ wasm: twins, scalar: true }) });
  if (supportsRelaxedSimd()) {
    const relaxed = load('rectify-relaxed.wasm');
    kinds.push({ name: 'relaxed', options: () => ({ relaxedSimd: true, relaxedWasm: relaxed }) });
  }
  foreign = await createEngine({ wasm: module });
  dead = await createEngine({ wasm: module });
  dead.dispose();
});

// ---------------------------------------------------------------------------------------------------------------
// Generators: plain data, turned into objects against the case's engine when the call runs.

const f32 = fc.float(); // every f32: NaN, -0, infinities, subnormals
const values = (max = 37) => fc.array(f32, { maxLength: max });

type InputDesc =
  | { k: 'f32' | 'tensor' | 'view' | 'stale' | 'disposed' | 'foreign' | 'deadEngine'; v: number[] }
  | { k: 'pool'; i: number }
  | { k: 'same' }
  | { k: 'junk'; v: unknown };

/** A Float32Array whose class lies about its length. */
class Lying extends Float32Array { override get length(): number { return 1 << 20; } }

const junk = fc.oneof(
  fc.constant(Object.create(Tensor.prototype)), fc.constant(new Lying(3)),
  fc.constantFrom(null, undefined, 0, 3, NaN, -1, 'x', true, 2n),
  fc.constant([1, 2, 3]), fc.constant({}), fc.constant({ length: 3 }), fc.constant(new Float64Array(3)),
  fc.constant(new Int32Array(2)), fc.constant(new ArrayBuffer(8)), fc.constant(new DataView(new ArrayBuffer(8))),
);

const input: fc.Arbitrary<InputDesc> = fc.oneof(
  { weight: 6, arbitrary: values().map((v) => ({ k: 'f32' as const, v })) },
  { weight: 4, arbitrary: values().map((v) => ({ k: 'tensor' as const, v })) },
  { weight: 1, arbitrary: values().map((v) => ({ k: 'view' as const, v })) },
  { weight: 1, arbitrary: values(8).map((v) => ({ k: 'stale' as const, v })) },
  { weight: 1, arbitrary: values(8).map((v) => ({ k: 'disposed' as const, v })) },
  { weight: 1, arbitrary: values(8).map((v) => ({ k: 'foreign' as const, v })) },
  { weight: 1, arbitrary: values(8).map((v) => ({ k: 'deadEngine' as const, v })) },
  { weight: 2, arbitrary: fc.nat(5).map((i) => ({ k: 'pool' as const, i })) },
  { weight: 1, arbitrary: junk.map((v) => ({ k: 'junk' as const, v })) },
);
const second: fc.Arbitrary<InputDesc> = fc.oneof({ weight: 1, arbitrary: fc.constant({ k: 'same' as const }) }, { weight: 5, arbitrary: input });

const dim = fc.oneof(
  { weight: 6, arbitrary: fc.nat(40) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 0.5, NaN, Infinity, 2 ** 31, 2 ** 40, '3', null, undefined) },
);

type OptsDesc =
  | { k: 'omit' } | { k: 'undefined' } | { k: 'junk'; v: unknown } | { k: 'positional'; out: InputDesc }
  | { k: 'object'; out?: InputDesc; rows?: unknown; cols?: unknown; extra?: [string, unknown] };

const opts: fc.Arbitrary<OptsDesc> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ k: 'omit' as const }) },
  { weight: 1, arbitrary: fc.constant({ k: 'undefined' as const }) },
  { weight: 1, arbitrary: junk.map((v) => ({ k: 'junk' as const, v })) },
  { weight: 1, arbitrary: second.map((out) => ({ k: 'positional' as const, out })) },
  {
    weight: 5,
    arbitrary: fc.record({
      out: second, rows: dim, cols: dim,
      extra: fc.tuple(fc.constantFrom('outt', 'row', 'columns', 'units', '__proto__', 'constructor'), fc.constant(1)),
    }, { requiredKeys: [] }).map((o) => ({ k: 'object' as const, ...o })),
  },
);

/** Parameter values: mostly plausible, sometimes hostile. */
const paramValue = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0.05, max: 0.95, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: -4, max: 4, noNaN: true }) },
  { weight: 2, arbitrary: fc.constantFrom(0.5, 1, 0.25, 2, 0.01) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(NaN, Infinity, -Infinity, 0, -0, 1e39, 1e-45, 'a', null, true, [1], 'clamp', 'sigmoid', 'strict', 'wrap') },
  { weight: 1, arbitrary: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { maxLength: 5 }) },
);

/** A spec of one table row: its own parameters mostly (plausible values), sometimes foreign keys or hostile values. */
const specOf = (d: ActivationDef): fc.Arbitrary<unknown> => {
  const own = d.params.map((p) => p.name);
  const keys = fc.oneof(
    { weight: 6, arbitrary: own.length > 0 ? fc.constantFrom(...own) : fc.constant('alpha') },
    { weight: 1, arbitrary: fc.constantFrom(...PARAM_KEYS, 'units', 'domain', 'alhpa') },
  );
  return fc.record({
    name: fc.constantFrom(d.name, ...(d.aliases ?? [])),
    params: fc.dictionary(keys, paramValue, { maxKeys: 2 }),
    units: d.perUnit ? fc.option(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constantFrom<unknown>(0, -1, 2.5, 2 ** 30)), { nil: undefined, freq: 2 })
      : fc.constant(undefined),
    domain: d.name === 'sbaf' ? fc.option(fc.constantFrom<unknown>('clamp', 'sigmoid', 'strict', 'wrap', 1), { nil: undefined }) : fc.constant(undefined),
  }).map(({ name, params, units, domain }) => ({
    name, ...params, ...(units === undefined ? {} : { units }), ...(domain === undefined ? {} : { domain }),
  }));
};

const spec: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 6, arbitrary: fc.constantFrom(...defs).chain(specOf) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('rleu', '', 'toString', '__proto__', 'constructor', null, 42, [], {}, { name: 7 }, { name: 'hasOwnProperty' }) },
);

type Command =
  | { c: 'call'; spec: unknown; method: 'forward' | 'derivative' | 'backward' | 'paramGrads'; x: InputDesc; dy: InputDesc; opts: OptsDesc; argc: number | undefined }
  | { c: 'setParams'; spec: unknown; values: unknown }
  | { c: 'params'; spec: unknown; dispose: boolean }
  | { c: 'tensor'; init: unknown; desc: InputDesc | undefined }
  | { c: 'tensorOp'; i: number; op: 'data' | 'toArray' | 'dispose' | 'disposed' | 'length' }
  | { c: 'poolAct'; i: number; op: 'forward' | 'dispose' | 'params' }
  | { c: 'engine'; op: 'memoryStats' | 'network' | 'loadNetwork' | 'dead'; arg: unknown };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      c: fc.constant('call' as const), spec,
      method: fc.constantFrom('forward' as const, 'derivative' as const, 'backward' as const, 'paramGrads' as const),
      x: input, dy: second, opts,
      argc: fc.option(fc.nat(4), { nil: undefined, freq: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('setParams' as const), spec,
      values: fc.oneof(fc.dictionary(fc.constantFrom(...PARAM_KEYS, 'units', 'nope'), paramValue, { maxKeys: 2 }), junk),
    }),
  },
  { weight: 1, arbitrary: fc.record({ c: fc.constant('params' as const), spec, dispose: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      c: fc.constant('tensor' as const),
      init: fc.oneof(
        fc.nat(64), fc.constantFrom<unknown>(-1, 2.5, NaN, Infinity, 2 ** 20, 2 ** 28 + 1, 1e12, 2 ** 53, '4', null, undefined),
        values(), fc.array(fc.oneof(f32, junk), { maxLength: 5 }), junk,
        fc.constantFrom<unknown>({ length: -1 }, { length: 1e12 }, { length: 2, 0: 1 }, new BigInt64Array(1)),
      ),
      desc: fc.option(input, { nil: undefined, freq: 4 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      c: fc.constant('tensorOp' as const), i: fc.nat(5),
      op: fc.constantFrom('data' as const, 'toArray' as const, 'dispose' as const, 'disposed' as const, 'length' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ c: fc.constant('poolAct' as const), i: fc.nat(2), op: fc.constantFrom('forward' as const, 'dispose' as const, 'params' as const) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      c: fc.constant('engine' as const),
      op: fc.constantFrom('memoryStats' as const, 'network' as const, 'loadNetwork' as const, 'dead' as const),
      arg: fc.oneof(junk, fc.record({ inputs: dim, seed: dim }, { requiredKeys: [] }), fc.string({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 40 })),
    }),
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Running a case.

function bits(a: Float32Array): number[] { return Array.from(new Uint32Array(Float32Array.from(a).buffer)); }

const CANARY = Float32Array.from([1, -2, 0.5, -0, NaN, Infinity, -Infinity, 1e-45, 3.4e38, -7, ...Array.from({ length: 54 }, (_, i) => i * 0.37 - 9)]);
const REF_X = Float32Array.from([-3, -1, -0.5, -1e-3, 0, 0.25, 2, 30, -20, NaN, -Infinity, 1e-40, -88, 5, -5, 0.1, -0.1]);
const REF_SPEC = { name: 'elu', alpha: 0.5 } as const;

interface Case {
  readonly e: Engine;
  readonly canary: Tensor;
  readonly canaryBits: number[];
  readonly ref: Activation;
  readonly refBits: number[];
  readonly pool: Tensor[];
  readonly acts: Activation[];
}

async function newCase(kind: number): Promise<Case> {
  const e = await createEngine(kinds[kind % kinds.length]!.options());
  const canary = e.tensor(CANARY);
  const ref = e.activation(REF_SPEC);
  const refBits = bits(ref.forward(REF_X));
  const pool = [0, 1, 3, 4, 5, 17].map((n, i) => e.tensor(Float32Array.from({ length: n }, (_, j) => (j + i) * 0.5 - 2)));
  const acts = [e.activation('tanh'), e.activation({ name: 'prelu', units: 1 }), e.activation('softmax')];
  return { e, canary, canaryBits: bits(canary.data), ref, refBits, pool, acts };
}

/** Turns a descriptor into an argument; `made` collects what must be disposed after the call. */
function materialize(k: Case, d: InputDesc, x: unknown, made: Tensor[]): unknown {
  const { e } = k;
  switch (d.k) {
    case 'f32': return Float32Array.from(d.v);
    case 'tensor': { const t = e.tensor(Float32Array.from(d.v)); made.push(t); return t; }
    case 'view': { const t = e.tensor(Float32Array.from(d.v)); made.push(t); return t.data; }
    case 'stale': {
      const t = e.tensor(Float32Array.from(d.v)); made.push(t);
      const view = t.data;
      const big = e.tensor(e.memoryStats().memoryBytes / 4); big.dispose(); // grows the memory: `view` is detached
      return view;
    }
    case 'disposed': { const t = e.tensor(Float32Array.from(d.v)); t.dispose(); return t; }
    case 'foreign': return foreign.tensor(Float32Array.from(d.v)); // live, but of another engine
    case 'deadEngine': return Float32Array.from(d.v);
    case 'pool': return k.pool[d.i];
    case 'same': return x;
    case 'junk': return d.v;
  }
}

function elements(v: unknown): number {
  try { return v instanceof Float32Array || v instanceof Tensor ? Math.min(v.length, 1 << 16) : 0; } catch { return 0; } // fakes
}

/** Runs one command and returns what it produced (to dispose) and the bytes it may legitimately have allocated. */
function execute(k: Case, cmd: Command, made: Tensor[], acts: Activation[]): { result: unknown; legit: number } {
  const { e } = k;
  const act = (s: unknown) => { const a = e.activation(s as never); acts.push(a); return a; };
  switch (cmd.c) {
    case 'call': {
      const x = materialize(k, cmd.x, undefined, made);
      const dy = materialize(k, cmd.dy, x, made);
      const args: unknown[] = [x];
      if (cmd.method === 'backward' || cmd.method === 'paramGrads') args.push(dy);
      let legit = 16 * (elements(x) + elements(dy)) + 4096;
      if (cmd.opts.k !== 'omit') {
        const o = cmd.opts;
        if (o.k === 'undefined') args.push(undefined);
        else if (o.k === 'junk') args.push(o.v);
        else if (o.k === 'positional') args.push(materialize(k, o.out, x, made));
        else {
          const obj: Record<string, unknown> = {};
          if (o.out !== undefined) { obj.out = materialize(k, o.out, x, made); legit += 4 * elements(obj.out); }
          if ('rows' in o) obj.rows = o.rows;
          if ('cols' in o) obj.cols = o.cols;
          if (o.extra) Object.defineProperty(obj, o.extra[0], { value: o.extra[1], enumerable: true });
          args.push(obj);
        }
      }
      // An activation of a disposed engine: every call must say so.
      if (cmd.x.k === 'deadEngine') return { result: dead.activation(cmd.spec as never), legit };
      const a = act(cmd.spec);
      const argv = cmd.argc === undefined ? args : args.slice(0, cmd.argc).concat(new Array(Math.max(0, cmd.argc - args.length)).fill({}));
      return { result: (a[cmd.method] as (...v: unknown[]) => unknown).apply(a, argv), legit };
    }
    case 'setParams': {
      const a = act(cmd.spec);
      a.setParams(cmd.values as never);
      return { result: a.params, legit: 4096 };
    }
    case 'params': {
      const a = act(cmd.spec);
      if (cmd.dispose) { a.dispose(); return { result: (() => a.params)(), legit: 4096 }; }
      return { result: a.params, legit: 4096 };
    }
    case 'tensor': {
      const init = cmd.desc !== undefined ? materialize(k, cmd.desc, undefined, made) : cmd.init;
      const n = typeof init === 'number' ? init : elements(init) || (Array.isArray(init) ? init.length : 0);
      return { result: e.tensor(init as never), legit: 4 * n + 4096 };
    }
    case 'tensorOp': {
      const t = k.pool[cmd.i]!;
      if (cmd.op === 'dispose') { t.dispose(); return { result: undefined, legit: 0 }; }
      return { result: cmd.op === 'data' ? t.data : cmd.op === 'toArray' ? t.toArray() : cmd.op === 'disposed' ? t.disposed : t.length, legit: 0 };
    }
    case 'poolAct': {
      const a = k.acts[cmd.i]!;
      if (cmd.op === 'dispose') { a.dispose(); return { result: undefined, legit: 0 }; }
      if (cmd.op === 'params') return { result: a.params, legit: 0 };
      return { result: a.forward(Float32Array.from([-1, 0, 1])), legit: 4096 };
    }
    case 'engine': {
      if (cmd.op === 'memoryStats') return { result: e.memoryStats(), legit: 0 };
      if (cmd.op === 'dead') return { result: dead.tensor(cmd.arg as never), legit: 0 };
      if (cmd.op === 'network') {
        const b = e.network(cmd.arg as never);
        return { result: b.dense(3, 'relu'), legit: 4096 };
      }
      return { result: e.loadNetwork(cmd.arg as never), legit: 1 << 20 };
    }
  }
}

/** Live allocations the case's own objects hold (canary, reference, pool tensors and activations still alive). */
function owned(k: Case): number {
  return 2 + k.pool.filter((t) => !t.disposed).length + k.acts.filter((a) => { try { a.params; return true; } catch { return false; } }).length;
}

/** Outcomes of the generated calls (printed, so a generator that only ever produces errors shows). */
const outcomes = new Map<string, number>();

async function runCase(kind: number, cmds: readonly Command[]): Promise<void> {
  const k = await newCase(kind);
  for (const [step, cmd] of cmds.entries()) {
    const where = `${kinds[kind % kinds.length]!.name} engine, step ${step}: ${JSON.stringify(cmd, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`;
    const made: Tensor[] = [];
    const acts: Activation[] = [];
    let out: { result: unknown; legit: number } | undefined;
    let before = k.e.memoryStats();
    let error: unknown;
    try {
      // Inputs are made first and counted in `before`: only the call itself is measured.
      out = execute(k, cmd, made, acts);
    } catch (e) {
      error = e;
    }
    const outcome = error === undefined ? 'ok' : (error as Error).name;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (error !== undefined && !(error instanceof RectifyError)) {
      throw new Error(`${where}: a non-RectifyError escaped: ${String(error)}`);
    }
    // What the call returned: disposed before live allocations are counted.
    const result = out?.result;
    if (result instanceof Tensor && !k.pool.includes(result) && !made.includes(result)) {
      expect(result.length, where).toBeGreaterThanOrEqual(0);
      result.dispose();
    }
    if (result instanceof Float32Array && cmd.c === 'call' && cmd.x.k === 'f32') {
      expect(result.length, where).toBe((cmd.x as { v: number[] }).v.length);
    }
    if (result instanceof Activation) result.dispose();
    for (const a of acts) a.dispose();
    for (const t of made) t.dispose();
    const after = k.e.memoryStats();
    // Invariants.
    expect(bits(k.canary.data), `${where}: the canary changed`).toEqual(k.canaryBits);
    expect(bits(k.ref.forward(REF_X)), `${where}: the reference activation changed`).toEqual(k.refBits);
    const fresh = k.e.activation(REF_SPEC);
    expect(bits(fresh.forward(REF_X)), `${where}: a new reference activation differs`).toEqual(k.refBits);
    fresh.dispose();
    expect(after.liveAllocations, `${where}: live allocations after disposing what the call returned`).toBe(owned(k));
    // The stale-view input grows the memory on purpose before the call: measure from there.
    if (cmd.c === 'call' && [cmd.x, cmd.dy, cmd.opts.k === 'object' ? cmd.opts.out : undefined].some((d) => d?.k === 'stale')) before = after;
    if (cmd.c === 'tensor' && cmd.desc?.k === 'stale') before = after;
    const allowance = (out?.legit ?? 4096) + (before.memoryBytes >> 3) + 2 * 65536;
    expect(after.memoryBytes - before.memoryBytes, `${where}: the memory grew too much`).toBeLessThanOrEqual(allowance);
  }
  k.e.dispose();
}

describe('engine, activations and tensors under generated calls', () => {
  it('only RectifyErrors escape; canary, reference, memory and allocations are intact after every call', async () => {
    await fc.assert(fc.asyncProperty(fc.nat(2), fc.array(command, { minLength: 1, maxLength: 8 }), runCase),
      { numRuns: runs(600, 40_000), seed: SEED });
    console.log(`engine fuzz: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(100); // the generators reach the working paths too
  }, TIMEOUT);

  it('finds defect 1 of issue 8 (a backward call without dy) as a property: a reduced generator', async () => {
    // The same invariants on the calls of defect 1 alone, so a regression shows even if the budget shrinks.
    const missingDy = fc.record({
      c: fc.constant('call' as const), spec: fc.constantFrom('tanh', 'prelu', 'softmax', 'silu', { name: 'elu', alpha: 0.5 }),
      method: fc.constantFrom('backward' as const, 'paramGrads' as const), x: values().map((v) => ({ k: 'f32' as const, v })),
      dy: fc.constant({ k: 'same' as const }), opts: fc.constant({ k: 'omit' as const }), argc: fc.constantFrom(1, 2),
    });
    await fc.assert(fc.asyncProperty(fc.nat(2), fc.array(missingDy, { minLength: 1, maxLength: 3 }), runCase), { numRuns: runs(20, 500), seed: SEED });
  }, TIMEOUT);
});
