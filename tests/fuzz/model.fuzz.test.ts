// Model-file fuzzing (issue 8): mutated binaries and mutated JSON documents go to engine.loadNetwork. Every outcome
// is a load or a RectifyError; no plain error, no trap, no load of a version-2 or version-3 file whose checksum does not match, no
// leak, no memory growth, and a canary tensor and a reference network keep their bits. `npm test` runs the short
// budget; `npm run fuzz` the long one (>= 100,000 binaries and >= 10,000 JSON documents). Counts are printed.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { canonicalCrc, crc32 } from '../model-checksum.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, RectifyError, type Engine, type Network, type Tensor } from '../../dist/index.js';

import { runs, SEED, TIMEOUT } from './budget.js';


const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
const hex = (n: number) => n.toString(16).padStart(8, '0');

let engine: Engine;
let canary: Tensor;
let canaryBits: number[];
let reference: Network;
const probe = Float32Array.from([0.25, -1.5, 2, 0.125, 3, -0.5]);
let referenceBits: number[];
let binaries: Uint8Array[];
let documents: Record<string, unknown>[];
let baseline: { live: number; memory: number };

/** Outcomes of one suite. */
interface Tally { cases: number; loaded: number; typed: Record<string, number>; other: string[] }
const tallies: Record<string, Tally> = {};
const tally = (name: string): Tally => (tallies[name] ??= { cases: 0, loaded: 0, typed: {}, other: [] });

beforeAll(async () => {
  engine = await createEngine();
  canary = engine.tensor(Float32Array.from({ length: 64 }, (_, i) => (i - 31.5) / 7));
  canaryBits = bits(canary.data);
  reference = engine.network({ inputs: 3, seed: 5 }).dense(4, 'tanh').dense(2, 'softmax').build({ loss: 'crossEntropy' });
  referenceBits = bits(reference.predict(probe));
  const nets = [
    engine.network({ inputs: 3, seed: 4 }).dense(5, { name: 'prelu' }).dense(2, 'softmax').build({ loss: 'crossEntropy' }),
    engine.network({ inputs: 2, seed: 9 }).dense(3, { name: 'prelu', units: 3 }).dense(2, { name: 'elu', alpha: 0.5 }, { init: 'heUniform' })
      .dense(1, 'sigmoid').build({ loss: 'binaryCrossEntropy', optimizer: { name: 'adamW', learningRate: 0.01 }, clipNorm: 1 }),
  ];
  nets[1]!.trainBatch(Float32Array.from([1, 2, -1, 0.5]), Float32Array.from([1, 0]));
  // Version 3 with training state: a frozen layer, momentum moments over sbaf's parameter block, a step count.
  nets.push(engine.network({ inputs: 2, seed: 3 }).dense(3, { name: 'sbaf', domain: 'sigmoid' }, { trainable: false }).dense(2, 'softmax')
    .build({ loss: 'crossEntropy', optimizer: { name: 'momentum', nesterov: true } }));
  nets[2]!.trainBatch(Float32Array.from([1, 2, -1, 0.5]), [1, 0]);
  const files = ['model-v1', 'model-v2'];
  binaries = [...nets.map((n) => n.save()), ...files.map((f) => new Uint8Array(Buffer.from(fixture(`${f}.bin.b64`), 'base64')))];
  documents = [...nets.map((n) => JSON.parse(JSON.stringify(n.toJSON()))), ...files.map((f) => JSON.parse(fixture(`${f}.json`)))];
  for (const n of nets) n.dispose();
  // Warm up: load every base once, so later loads reuse memory and any growth is a finding.
  for (const b of binaries) engine.loadNetwork(b).dispose();
  for (const d of documents) engine.loadNetwork(d as never).dispose();
  const s = engine.memoryStats();
  baseline = { live: s.liveAllocations, memory: s.memoryBytes };
});

afterAll(() => {
  for (const [name, t] of Object.entries(tallies)) {
    console.log(`model fuzz, ${name}: ${t.cases} cases: ${t.loaded} loaded, ${Object.values(t.typed).reduce((a, b) => a + b, 0)} typed errors ` +
      `(${Object.entries(t.typed).map(([k, v]) => `${k} ${v}`).join(', ')}), ${t.other.length} other`);
  }
});

/** Loads `input` and records the outcome; `checksumOk` says whether the input's checksum matches (undefined: v1). */
function attempt(t: Tally, input: unknown, checksumOk: () => boolean | undefined): void {
  t.cases++;
  try {
    const net = engine.loadNetwork(input as never);
    t.loaded++;
    if (checksumOk() === false) t.other.push('loaded a version-2/3 file whose checksum does not match');
    const y = net.predict(new Float32Array(net.inputs * 2));
    if (!y.every((v) => Number.isFinite(v))) t.other.push('a loaded network predicts non-finite values');
    net.dispose();
  } catch (e) {
    if (e instanceof RectifyError) {
      // Refused by the checksum, or by the parser behind it.
      const key = `${e.name}${/CRC-32 is|its checksum is/.test(e.message) ? ' (checksum)' : ''}`;
      t.typed[key] = (t.typed[key] ?? 0) + 1;
    }
    else t.other.push(`plain ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : typeof e}`);
  }
  const s = engine.memoryStats();
  if (s.liveAllocations !== baseline.live) { t.other.push(`leak: ${s.liveAllocations - baseline.live} allocations`); baseline.live = s.liveAllocations; }
  if (s.memoryBytes !== baseline.memory) { t.other.push(`memory grew by ${s.memoryBytes - baseline.memory} bytes`); baseline.memory = s.memoryBytes; }
}

function engineIntact(): void {
  expect(bits(canary.data)).toEqual(canaryBits);
  expect(bits(reference.predict(probe))).toEqual(referenceBits);
}

// ---------------------------------------------------------------------------------------------------------------
// Edits of JSON values (a document, or a binary file's header).

type Path = (string | number)[];

function pathsOf(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((e, i) => pathsOf(e, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...at, k], out);
  return out;
}

/** Hostile replacement values: wrong types, non-finite and fractional numbers, prototype names, holes, getters, proxies. */
function hostile(kind: number, old: unknown): unknown {
  switch (kind) {
    case 0: return NaN;
    case 1: return Infinity;
    case 2: return -1;
    case 3: return typeof old === 'number' ? old + 0.5 : 1.5;
    case 4: return typeof old === 'number' ? old * 65536 : 2 ** 31;
    case 5: return 'toString';
    case 6: return '__proto__';
    case 7: return 'constructor';
    case 8: return null;
    case 9: return typeof old === 'number' ? String(old) : Number(old);
    case 10: return Array.isArray(old) ? Object.assign({}, old) : [old];
    case 11: { const a: unknown[] = Array.isArray(old) ? [...old] : [old, old]; a.length += 2; return a; } // holes at the end
    case 12: return Object.defineProperty({}, 'name', { enumerable: true, get() { throw new Error('getter'); } });
    case 13: return new Proxy(typeof old === 'object' && old !== null ? old : {}, { ownKeys() { throw new Error('trap'); } });
    case 14: return 'x'.repeat(1 << 20);
    case 15: return Array.isArray(old) ? [] : {};
    case 16: return Array.isArray(old) ? [...old, ...old] : { ...(old as object), extra: 1 };
    case 17: return -0;
    case 18: return undefined;
    default: return typeof old === 'number' ? -old : 0;
  }
}
const HOSTILE_KINDS = 20;

type JsonEdit =
  | { op: 'delete'; path: number }
  | { op: 'hostile'; path: number; kind: number }
  | { op: 'json'; path: number; value: unknown }
  | { op: 'char'; path: number; at: number; c: number };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), path: fc.nat() }),
  fc.record({ op: fc.constant('hostile' as const), path: fc.nat(), kind: fc.nat(HOSTILE_KINDS - 1) }),
  fc.record({ op: fc.constant('json' as const), path: fc.nat(), value: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('char' as const), path: fc.nat(), at: fc.nat(), c: fc.integer({ min: 32, max: 0x24ff }) }),
);

/** A deep copy of plain arrays and objects (holes, getters and '__proto__' keys kept); anything else is shared. */
function copy(v: unknown): unknown {
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) if (i in v) a[i] = copy(v[i]);
    return a;
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const o = {};
    for (const k of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k)!;
      Object.defineProperty(o, k, 'value' in d ? { ...d, value: copy(d.value) } : d);
    }
    return o;
  }
  return v;
}

/** Applies an edit to a deep copy of `doc` (paths are chosen among the copy's nodes, the root included). */
function applyEdit(doc: unknown, e: JsonEdit): unknown {
  try {
    return applyEditTo(doc, e);
  } catch {
    return doc; // an earlier edit left a proxy or a throwing getter on the way: keep the document as it is
  }
}

function applyEditTo(doc: unknown, e: JsonEdit): unknown {
  const root = { v: copy(doc) };
  const paths = pathsOf(root.v);
  const path = ['v', ...paths[e.path % paths.length]!];
  let parent: Record<string | number, unknown> = root as never;
  for (const k of path.slice(0, -1)) parent = parent[k] as never;
  const key = path[path.length - 1]!;
  const old = parent[key];
  if (e.op === 'delete') {
    if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
    else delete parent[key];
  } else if (e.op === 'hostile') parent[key] = hostile(e.kind, old);
  else if (e.op === 'json') parent[key] = e.value;
  else if (typeof old === 'string' && old.length > 0) {
    const i = e.at % old.length;
    parent[key] = old.slice(0, i) + String.fromCharCode(e.c) + old.slice(i + 1);
  } else parent[key] = typeof old === 'number' ? old + 1 : String(e.c);
  return root.v;
}

/** Whether a JSON document's checksum matches its content (undefined for version 1 or unreadable documents). */
function documentChecksumOk(doc: unknown): boolean | undefined {
  try {
    const d = typeof doc === 'string' ? JSON.parse(doc) : doc;
    if (d?.version !== 2 && d?.version !== 3 && d?.version !== 4) return undefined;
    return d.checksum === hex(canonicalCrc(d));
  } catch { return undefined; }
}

// ---------------------------------------------------------------------------------------------------------------
// Binary mutations.

type BinaryMutation =
  | { kind: 'flip'; bits: number[] }
  | { kind: 'set'; at: [number, number][] }
  | { kind: 'truncate'; to: number }
  | { kind: 'extend'; tail: Uint8Array }
  | { kind: 'splice'; at: number; del: number; ins: Uint8Array }
  | { kind: 'resealed'; at: [number, number][] }
  | { kind: 'header'; edit: JsonEdit; fixLength: boolean }
  | { kind: 'payload'; at: number; value: number }
  | { kind: 'lengthField'; value: number };

const byteEdits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
const binaryMutation: fc.Arbitrary<BinaryMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('set' as const), at: byteEdits }),
  fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }),
  fc.record({ kind: fc.constant('extend' as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), del: fc.nat(32), ins: fc.uint8Array({ maxLength: 32 }) }),
  // The next four recompute the CRC of a version-2 or version-3 file, so the parser behind the checksum is what gets tested.
  fc.record({ kind: fc.constant('resealed' as const), at: byteEdits }),
  fc.record({ kind: fc.constant('header' as const), edit: jsonEdit, fixLength: fc.boolean() }),
  fc.record({ kind: fc.constant('payload' as const), at: fc.nat(), value: fc.constantFrom(NaN, Infinity, -Infinity, 3.4028234663852886e38, -0, 1e-45, 1e30) }),
  fc.record({ kind: fc.constant('lengthField' as const), value: fc.oneof(fc.nat(2000), fc.constantFrom(0xffffffff, 0x80000000, 1 << 20, (1 << 20) + 1)) }),
);

/** Whether a file carries a CRC-32 trailer (versions 2 to 4). */
const isV2 = (b: Uint8Array) => b.length >= 8 && [2, 3, 4].includes(new DataView(b.buffer, b.byteOffset).getUint32(4, true));

/** Recomputes the trailing CRC-32 of a version-2 file (a version-1 file has none). */
function reseal(b: Uint8Array, v2: boolean): Uint8Array {
  if (!v2 || b.length < 4) return b;
  new DataView(b.buffer, b.byteOffset).setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return b;
}

function mutate(base: Uint8Array, m: BinaryMutation): Uint8Array {
  const v2 = isV2(base);
  const b = base.slice();
  const hlen = new DataView(b.buffer).getUint32(8, true);
  switch (m.kind) {
    case 'flip': for (const i of m.bits) b[(i >> 3) % b.length]! ^= 1 << (i & 7); return b;
    case 'set': for (const [i, v] of m.at) b[i % b.length] = v; return b;
    case 'truncate': return b.slice(0, m.to % b.length);
    case 'extend': { const out = new Uint8Array(b.length + m.tail.length); out.set(b); out.set(m.tail, b.length); return out; }
    case 'splice': {
      const at = m.at % b.length;
      return Uint8Array.from([...b.subarray(0, at), ...m.ins, ...b.subarray(Math.min(b.length, at + m.del))]);
    }
    case 'resealed': for (const [i, v] of m.at) b[i % (v2 ? b.length - 4 : b.length)] = v; return reseal(b, v2);
    case 'lengthField': new DataView(b.buffer).setUint32(8, m.value, true); return reseal(b, v2);
    case 'payload': {
      const payload = b.length - 12 - hlen - (v2 ? 4 : 0);
      new DataView(b.buffer).setFloat32(12 + hlen + 4 * (m.at % (payload / 4)), m.value, true);
      return reseal(b, v2);
    }
    case 'header': {
      const header = JSON.parse(new TextDecoder().decode(b.subarray(12, 12 + hlen)));
      let text: string | undefined;
      try { text = JSON.stringify(applyEdit(header, m.edit)); } catch { /* a proxy or getter that throws: keep the header */ }
      const enc = new TextEncoder().encode(text ?? '');
      const out = new Uint8Array(b.length - hlen + enc.length);
      out.set(b.subarray(0, 12));
      out.set(enc, 12);
      out.set(b.subarray(12 + hlen), 12 + enc.length);
      if (m.fixLength) new DataView(out.buffer).setUint32(8, enc.length, true);
      return reseal(out, v2);
    }
  }
}

function binaryChecksumOk(b: Uint8Array): boolean | undefined {
  if (b.length < 16 || !isV2(b)) return undefined;
  return new DataView(b.buffer, b.byteOffset).getUint32(b.length - 4, true) === crc32(b.subarray(0, b.length - 4));
}

describe('model files, fuzzed', () => {
  it('mutated binaries: typed errors or loads, never a plain error, a trap, a leak or a load with a bad checksum', () => {
    const t = tally('binaries');
    const started = performance.now();
    fc.assert(fc.property(fc.nat(binaries.length - 1), binaryMutation, (which, m) => {
      const b = mutate(binaries[which]!, m);
      attempt(t, b, () => binaryChecksumOk(b));
      if (t.cases % 5000 === 0) engineIntact();
    }), { numRuns: runs(10_000, 100_000), seed: SEED });
    console.log(`model fuzz, binaries: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(t.other.slice(0, 10)).toEqual([]);
    expect(t.cases).toBe(runs(10_000, 100_000));
    // The mutations reach both outcomes: the parser is exercised, not only the checksum.
    expect(t.loaded).toBeGreaterThan(0);
    expect(t.typed.ModelFormatError).toBeGreaterThan(0);
    expect(t.typed['ModelFormatError (checksum)']).toBeGreaterThan(0);
    engineIntact();
  }, TIMEOUT);

  it('every version-2 or version-3 binary with a byte changed and its CRC not recomputed is refused', () => {
    const t = tally('v2/v3 byte changes, CRC kept');
    // The three networks saved now (version 4) and the version-2 fixture; index 3 is the version-1 fixture (no CRC).
    fc.assert(fc.property(fc.constantFrom(0, 1, 2, 4), byteEdits, (which, edits) => {
      const base = binaries[which]!;
      const b = base.slice();
      for (const [i, v] of edits) b[i % b.length] = v;
      const changed = b.some((v, i) => v !== base[i]);
      attempt(t, b, () => (changed ? false : undefined));
    }), { numRuns: runs(1000, 20_000), seed: SEED + 1 });
    expect(t.other.slice(0, 10)).toEqual([]);
    engineIntact();
  }, TIMEOUT);

  it('mutated JSON documents (objects and strings): typed errors or loads, never a load with a bad checksum', () => {
    const t = tally('JSON');
    const started = performance.now();
    fc.assert(fc.property(
      fc.nat(documents.length - 1), fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.boolean(),
      (which, edits, resign, asString) => {
        let doc = documents[which]! as unknown;
        for (const e of edits) doc = applyEdit(doc, e);
        if (resign && doc !== null && typeof doc === 'object' && [2, 3, 4].includes((doc as { version?: unknown }).version as number)) {
          try { doc = { ...(doc as object), checksum: hex(canonicalCrc(doc as object)) }; } catch { /* not plain: keep it */ }
        }
        let input: unknown = doc;
        if (asString) { try { input = JSON.stringify(doc) ?? doc; } catch { /* keep the object */ } }
        attempt(t, input, () => documentChecksumOk(input));
        if (t.cases % 2000 === 0) engineIntact();
      },
    ), { numRuns: runs(3000, 10_000), seed: SEED + 2 });
    console.log(`model fuzz, JSON: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    expect(t.other.slice(0, 10)).toEqual([]);
    expect(t.loaded).toBeGreaterThan(0);
    engineIntact();
  }, TIMEOUT);
});
