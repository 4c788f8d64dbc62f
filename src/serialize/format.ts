/**
 * The file formats of saved networks (the serializer's first half; src/serialize/load.ts rebuilds networks from
 * them). Saving and loading networks: JSON (`net.toJSON()`) and a compact binary form (`net.save()`), versioned, with a
 * bit-exact round trip and a CRC-32 over everything (version 2). Loading validates everything before anything is
 * allocated: a corrupt, truncated, oversized or hostile input gets a ModelFormatError, never a crash, a hang, a leak
 * or a write out of bounds. The byte layout and the version rules are in the README ("Saved models").
 * @module
 */
import { InvalidArgumentError, ModelFormatError, OutOfMemoryError, RectifyError } from '../errors.js';
import { findActivation } from '../activation-table.js';
import { BASE64_ALPHABET, base64Value } from '../util/base64.js';
import type { InitName, LayerKind, NetworkMetadata, NormalizedOptimizer, OptimizerName, ParameterView, SavedLayerSpec } from '../network/types.js';
import { INIT_CODES, KIND_CODES, LOSS_CODES, OPTIMIZER_CODES } from '../generated/abi.js';
import { momentSlots } from '../network/optimizer.js';
import { checkSchedule, type SchedulePosition } from '../network/schedule.js';
import { checkMetadata } from '../network/metadata.js';

/** @internal What saving reads of a network (the `Network` class has all of it). */
export interface SaveSource {
  readonly inputs: number;
  readonly seed: number;
  readonly loss: string;
  readonly optimizer: NormalizedOptimizer;
  readonly clipNorm: number;
  readonly layerSpecs: readonly SavedLayerSpec[];
  parameters(): ParameterView[];
  /** The state training depends on beyond the parameters (version 3). */
  trainingState(): SavedTraining;
  /** Version 4: the batchNorm running statistics (empty without batchNorm layers). */
  buffers(): readonly { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }[];
  /** Serving metadata (version 4). */
  readonly metadata: NetworkMetadata;
}

/**
 * @internal The training state of a network beyond its parameters: the optimizer's step count and bias-correction
 * powers, the learning rate in effect, the generator's four words, and every optimizer moment block.
 */
export interface SavedTraining {
  readonly training: TrainingJSON;
  /** Moment blocks in `optimizerState` order: per layer, per slot, weight [in, out], bias [out], params [np] when np > 0. */
  readonly moments: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array }[];
  /** Version 4: the position of the network's learning-rate schedule, when a scheduled fit ran. */
  readonly schedule?: SchedulePosition;
}

/**
 * The `schedule` field of a version-4 file: the schedule's settings (`name` and every setting, defaults filled in)
 * beside its position: the epochs it ran, the rate it started from (f32), reduce-on-plateau's epochs waited and best
 * monitored loss (absent while none).
 */
export interface ScheduleJSON {
  readonly name: string;
  readonly epoch: number;
  readonly base: number;
  readonly wait: number;
  readonly best?: number;
  readonly [setting: string]: unknown;
}

/** The `training` field of a version-3 file. */
export interface TrainingJSON {
  /** Optimizer steps taken (Adam's t). */
  readonly step: number;
  /** beta1^t and beta2^t as the kernels keep them (f32 values). */
  readonly beta1Power: number;
  readonly beta2Power: number;
  /** The learning rate in effect (f32 value; a schedule's position would travel beside it). */
  readonly learningRate: number;
  /** The seeded generator's state: four u32 words (xoshiro128**). */
  readonly rng: readonly number[];
}

/** The JSON form of a network. */
export interface NetworkJSON {
  readonly format: 'rectify-network';
  /** 4 is written; 3 (no layer kinds, l1/l2, schedule, metadata), 2 (no training state) and 1 (no checksum either) are still read. */
  readonly version: 1 | 2 | 3 | 4;
  readonly inputs: number;
  readonly seed: number;
  readonly loss: string;
  readonly optimizer: Record<string, unknown>;
  readonly clipNorm: number;
  /** Dense layers (units, activation, init?, trainable?) and, version 4, the other kinds (kind, units, settings, trainable?). */
  readonly layers: readonly SavedLayerSpec[];
  /** Values of parameters() in order, each as base64 of little-endian f32. */
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: string }[];
  /** Version 3: step count, bias-correction powers, learning rate in effect, generator state. */
  readonly training?: TrainingJSON;
  /** Version 3: the optimizer's moment blocks (same form as `parameters`). */
  readonly optimizerState?: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: string }[];
  /** Version 4: the learning-rate schedule's position (absent when no scheduled fit ran since the last reset). */
  readonly schedule?: ScheduleJSON;
  /** Version 4, only with batchNorm layers: their running statistics (`batchNorm<i>.runningMean`, `.runningVar`). */
  readonly buffers?: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: string }[];
  /** Version 4, optional: input names, class labels, training statistics (`net.metadata`). */
  readonly metadata?: NetworkMetadata;
  /**
   * Version 2: CRC-32 (8 lowercase hex digits) of the canonical form of every other field (keys sorted, no spaces,
   * UTF-8). Editing a value by hand without recomputing it makes the file unloadable.
   */
  readonly checksum?: string;
}

/** Options of `engine.loadNetwork`. */
export interface LoadOptions {
  /**
   * The most values the file may store (weights, biases, trainable activation parameters and, in version 3, the
   * optimizer's moments); larger files are rejected before anything is allocated. Default 16,777,216 (2^24, 64 MiB of f32 weights).
   */
  readonly maxParameters?: number;
}

/** Default of {@link LoadOptions.maxParameters}. */
export const DEFAULT_MAX_PARAMETERS = 1 << 24;
const MAX_PARAMETERS_CAP = 1 << 28;
const MAGIC = [0x52, 0x43, 0x54, 0x46]; // "RCTF"
const VERSION = 4;
/** Upper bounds that keep a hostile file from asking for absurd work before its sizes are checked. */
const MAX_LAYERS = 1024;
const MAX_HEADER = 1 << 20;
const MAX_NAME = 64;
const MAX_SPEC_ARRAY = 1 << 16;
/** Rows the loaded network's buffers hold (the builder's default capacity). */
const CAPACITY = 256;
/** The names a file may use: those of the ABI description (scripts/gen-abi.mjs), the same the builder accepts. */
const LOSS_NAMES = Object.keys(LOSS_CODES);
const INIT_NAMES = Object.keys(INIT_CODES);
const OPTIMIZER_NAMES = Object.keys(OPTIMIZER_CODES);

/** The document without data and checksum (the binary header), from a live network. */
function describeNetwork(net: SaveSource) {
  const meta = net.metadata;
  return {
    format: 'rectify-network' as const, version: VERSION as 4, inputs: net.inputs, seed: net.seed, loss: net.loss,
    optimizer: { ...net.optimizer }, clipNorm: net.clipNorm, layers: net.layerSpecs.map((l) => ({ ...l })),
    ...(Object.keys(meta).length ? { metadata: meta } : {}),
  };
}

/** The `schedule` field of a saved file (undefined when the network has no schedule position). */
function scheduleJSON(p: SchedulePosition | undefined): { schedule?: ScheduleJSON } {
  return p ? { schedule: { ...p.spec, epoch: p.epoch, base: p.base, wait: p.wait, ...(p.best < Infinity ? { best: p.best } : {}) } } : {};
}

type Block = { readonly name: string; readonly shape: readonly number[]; readonly data: Float32Array };

/** The whole document of a live network, each stored block mapped by `f` (with its data, or its shape alone). */
function documentOf<T>(net: SaveSource, f: (p: Block) => T) {
  const ts = net.trainingState(), b = net.buffers();
  return {
    ...describeNetwork(net),
    parameters: net.parameters().map(f),
    training: { ...ts.training, rng: [...ts.training.rng] },
    optimizerState: ts.moments.map(f),
    ...scheduleJSON(ts.schedule),
    // The optional `buffers` field (version 4): present only when the network has batchNorm layers.
    ...(b.length ? { buffers: b.map(f) } : {}),
  };
}

/** @internal */
export function networkToJSON(net: SaveSource): NetworkJSON {
  const body = documentOf(net, (p) => ({ name: p.name, shape: [...p.shape], data: base64(littleEndian(p.data)) }));
  return { ...body, checksum: hex(canonicalCrc(body)) };
}

/**
 * @internal Binary form v4: "RCTF", u32 version, u32 header length, UTF-8 JSON header (the JSON form without `data`
 * and `checksum`), the f32 payload (parameters, then optimizer state), then the CRC-32 of all the bytes before it
 * (all integers little-endian).
 */
export function networkToBytes(net: SaveSource): Uint8Array {
  const ts = net.trainingState();
  const header = new TextEncoder().encode(JSON.stringify(documentOf(net, (p) => ({ name: p.name, shape: [...p.shape] }))));
  // Version 3: the payload holds the parameters, then the optimizer's moment blocks; version 4 then the buffers.
  const params: readonly { data: Float32Array }[] = [...net.parameters(), ...ts.moments, ...net.buffers()];
  const total = params.reduce((s, p) => s + p.data.length, 0);
  const out = new Uint8Array(12 + header.length + total * 4 + 4);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  let off = 12 + header.length;
  for (const p of params) {
    const d = p.data;
    for (let i = 0; i < d.length; i++, off += 4) dv.setFloat32(off, d[i]!, true);
  }
  dv.setUint32(off, crc32(out.subarray(0, off)), true);
  return out;
}

/** @internal What the loader hands to the builder. */
export interface ParsedNetwork {
  readonly json: NetworkJSON;
  readonly values: Float32Array[];
  /** Version 3: the optimizer's moment blocks, in `json.optimizerState` order (empty for older files). */
  readonly moments: Float32Array[];
  /** Version 4: the running statistics, in `json.buffers` order (empty without them). */
  readonly buffers: Float32Array[];
}

/** @internal The limits a load is checked against. */
export interface LoadBudget {
  readonly maxParameters: number;
  /** Bytes of WebAssembly memory the engine can still hand out. */
  readonly headroomBytes: number;
}

/** @internal Validates `loadNetwork`'s options (InvalidArgumentError) and returns maxParameters. */
export function checkLoadOptions(options: unknown): number {
  if (options === undefined) return DEFAULT_MAX_PARAMETERS;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new InvalidArgumentError(`loadNetwork options must be an object like { maxParameters: ${DEFAULT_MAX_PARAMETERS} }`);
  }
  for (const k of Object.keys(options)) {
    if (k !== 'maxParameters') throw new InvalidArgumentError(`loadNetwork has no option "${k}"; its options: maxParameters`);
  }
  const m = (options as LoadOptions).maxParameters;
  if (m === undefined) return DEFAULT_MAX_PARAMETERS;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_PARAMETERS_CAP) {
    throw new InvalidArgumentError(`maxParameters must be a whole number in [1, 2^28], got ${typeof m === 'number' ? m : typeof m}`);
  }
  return m;
}

/**
 * @internal Parses and validates either form against the budget; returns the header and the parameter values.
 * Every failure is a ModelFormatError (or OutOfMemoryError when a valid network does not fit); nothing is allocated
 * in the engine.
 */
export function parseSaved(src: unknown, budget: LoadBudget): ParsedNetwork {
  try {
    const bytes = bytesOf(src);
    if (bytes) return parseBytes(bytes, budget);
    let obj = src;
    if (typeof src === 'string') {
      const limit = MAX_HEADER + 6 * budget.maxParameters;
      if (src.length > limit) {
        throw new ModelFormatError(`the string has ${src.length} characters, too many for maxParameters ${budget.maxParameters}`);
      }
      try { obj = JSON.parse(src); } catch (e) { throw new ModelFormatError(`not a saved network: the string is not JSON (${messageOf(e)})`); }
    }
    return parseObject(obj, budget);
  } catch (e) {
    if (e instanceof RectifyError) throw e;
    // A proxy trap, a throwing getter or a stack overflow inside the input: the input is not plain data.
    throw new ModelFormatError(`not a saved network: reading it threw (${messageOf(e)}); pass net.toJSON(), its JSON string or net.save()`);
  }
}

// Intrinsic accessors: a typed array whose `buffer` or `length` was shadowed cannot lie to the loader.
const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array.prototype) as object;
const intrinsic = (proto: object, key: PropertyKey) => Object.getOwnPropertyDescriptor(proto, key)!.get!;
const taTag = intrinsic(TYPED_ARRAY, Symbol.toStringTag);
const taBuffer = intrinsic(TYPED_ARRAY, 'buffer');
const taOffset = intrinsic(TYPED_ARRAY, 'byteOffset');
const taLength = intrinsic(TYPED_ARRAY, 'byteLength');
const abLength = intrinsic(ArrayBuffer.prototype, 'byteLength');

/** The bytes of a Uint8Array or ArrayBuffer as a private copy; undefined for anything else. */
function bytesOf(src: unknown): Uint8Array | undefined {
  let view: Uint8Array;
  if (ArrayBuffer.isView(src)) {
    if (taTag.call(src) !== 'Uint8Array') {
      throw new ModelFormatError(`not a saved network: got a ${String(taTag.call(src) ?? 'DataView')}; pass net.save() bytes (Uint8Array or ArrayBuffer)`);
    }
    view = new Uint8Array(taBuffer.call(src) as ArrayBuffer, taOffset.call(src) as number, taLength.call(src) as number);
  } else if (src !== null && typeof src === 'object') {
    try { abLength.call(src); } catch { return undefined; }
    view = new Uint8Array(src as ArrayBuffer);
  } else return undefined;
  // A private copy: the caller's buffer (shared memory, or a view of the engine's own memory) cannot change under us.
  return view.slice();
}

function parseBytes(b: Uint8Array, budget: LoadBudget): ParsedNetwork {
  if (b.length < 12) throw new ModelFormatError(`not a saved network: ${b.length} bytes is shorter than the 12-byte header`);
  for (let i = 0; i < 4; i++) {
    if (b[i] !== MAGIC[i]) throw new ModelFormatError('not a saved network: the file does not start with "RCTF"');
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getUint32(4, true);
  if (!(version >= 1 && version <= VERSION)) {
    throw new ModelFormatError(`saved network version ${version} is not supported (1 to 4 are)`);
  }
  const limit = 16 + MAX_HEADER + 4 * budget.maxParameters;
  if (b.length > limit) {
    throw new ModelFormatError(`the file has ${b.length} bytes, too many for maxParameters ${budget.maxParameters}`);
  }
  let end = b.length;
  if (version >= 2) {
    if (b.length < 16) throw new ModelFormatError(`truncated file: ${b.length} bytes cannot hold the header and the checksum`);
    end = b.length - 4;
    const stored = dv.getUint32(end, true), actual = crc32(b.subarray(0, end));
    if (stored !== actual) {
      throw new ModelFormatError(`corrupt file: its CRC-32 is ${hex(actual)} but the file says ${hex(stored)}`);
    }
  }
  const hlen = dv.getUint32(8, true);
  if (hlen > MAX_HEADER || 12 + hlen > end) {
    throw new ModelFormatError(`truncated or corrupt file: the header claims ${hlen} bytes, the file has ${end - 12} after the magic`);
  }
  let obj: unknown;
  try { obj = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(12, 12 + hlen))); } catch (e) {
    throw new ModelFormatError(`corrupt header: ${messageOf(e)}`);
  }
  const json = readDocument(obj, false);
  if (json.version !== version) throw new ModelFormatError(`corrupt file: the header says version ${json.version}, the file ${version}`);
  const need = checkPlan(json, budget);
  const have = (end - 12 - hlen) / 4;
  if (have !== need) throw new ModelFormatError(`${have < need ? 'truncated' : 'corrupt'} file: ${need} parameter values expected, ${Math.floor(have)} present`);
  let off = 12 + hlen;
  const read = (p: { shape: readonly number[] }) => {
    const n = count(p.shape);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++, off += 4) v[i] = dv.getFloat32(off, true);
    return v;
  };
  const values = json.parameters.map(read);
  const moments = (json.optimizerState ?? []).map(read);
  const buffers = (json.buffers ?? []).map(read);
  checkValues(json, values, moments, buffers);
  return { json, values, moments, buffers };
}

function parseObject(obj: unknown, budget: LoadBudget): ParsedNetwork {
  const json = readDocument(obj, true);
  if (json.version >= 2) {
    const actual = hex(canonicalCrc(json));
    if (json.checksum !== actual) {
      throw new ModelFormatError(`corrupt saved network: its checksum is ${actual} but the file says ${json.checksum}`);
    }
  }
  checkPlan(json, budget);
  const decode = (list: string) => (p: { name: string; shape: readonly number[]; data: string }, i: number) => {
    const n = count(p.shape);
    const len = 4 * Math.ceil((4 * n) / 3);
    if (p.data.length !== len) {
      throw new ModelFormatError(`${list}[${i}] (${p.name}) has ${p.data.length} base64 characters, its shape [${p.shape.join(', ')}] needs ${len}`);
    }
    const bytes = unbase64(p.data, 4 * n, `${list}[${i}].data`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const v = new Float32Array(n);
    for (let k = 0; k < n; k++) v[k] = dv.getFloat32(k * 4, true);
    return v;
  };
  const values = json.parameters.map(decode('parameters'));
  const moments = (json.optimizerState ?? []).map(decode('optimizerState'));
  const buffers = (json.buffers ?? []).map(decode('buffers'));
  checkValues(json, values, moments, buffers);
  return { json, values, moments, buffers };
}

function count(shape: readonly number[]): number { return shape.reduce((a, b) => a * b, 1); }

/** @internal The message of a caught value, short, without trusting it (a getter may throw). */
export function messageOf(e: unknown): string {
  try {
    if (e instanceof Error) return String(e.message).slice(0, 200);
    return typeof e;
  } catch {
    return 'an exception';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Reading untrusted objects: own data properties only (a getter is never called), no holes, no prototype names, and
// a fresh plain copy of everything kept, so what was checked is what gets used.

/** Names that Object.prototype answers to ('toString', 'constructor', '__proto__', ...). */
function isPrototypeName(k: string): boolean { return k in Object.prototype; }

function isRecord(v: unknown): v is object { return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v); }

/** The value of an own data property (undefined when absent); accessors are refused without calling them. */
function own(o: object, key: string, path: string): unknown {
  const d = Object.getOwnPropertyDescriptor(o, key);
  if (d === undefined) return undefined;
  if (!('value' in d)) throw new ModelFormatError(`${path ? `${path}.` : ''}${key} is a getter; a saved network is plain data`);
  return d.value;
}

/** Own enumerable keys, each one of `allowed` (when given) and never a prototype name. */
function keysOf(o: object, path: string, allowed?: readonly string[]): string[] {
  const keys = Object.keys(o);
  if (keys.length > 64) throw new ModelFormatError(`${path} has ${keys.length} fields; a saved network has far fewer`);
  for (const k of keys) {
    if (allowed ? !allowed.includes(k) : isPrototypeName(k) || k.length > MAX_NAME) {
      throw new ModelFormatError(`${path} has an unknown field ${JSON.stringify(k.slice(0, MAX_NAME))}` +
        (allowed ? `; its fields: ${allowed.join(', ')}` : ''));
    }
  }
  return keys;
}

/** The elements of an array (a fresh dense copy); holes, getters and arrays longer than `max` are refused. */
function elements(v: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(v)) throw new ModelFormatError(`${path} must be an array`);
  const n = own(v, 'length', path);
  if (typeof n !== 'number' || n < min || n > max) throw new ModelFormatError(`${path} must hold ${min} to ${max} entries, it has ${String(n)}`);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const d = Object.getOwnPropertyDescriptor(v, i);
    if (d === undefined) throw new ModelFormatError(`${path}[${i}] is missing (a sparse array); every entry must be present`);
    if (!('value' in d)) throw new ModelFormatError(`${path}[${i}] is a getter; a saved network is plain data`);
    out.push(d.value);
  }
  return out;
}

function wholeIn(v: unknown, lo: number, hi: number): v is number { return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi; }

function nameString(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length < 1 || v.length > MAX_NAME) throw new ModelFormatError(`${path} must be a name (a string of 1 to ${MAX_NAME} characters)`);
  return v;
}

function oneOf(v: unknown, names: readonly string[], path: string): string {
  if (typeof v !== 'string' || !names.includes(v)) {
    throw new ModelFormatError(`${path} is ${typeof v === 'string' ? JSON.stringify(v.slice(0, MAX_NAME)) : typeof v}; valid: ${names.join(', ')}`);
  }
  return v;
}

/** A settings object (optimizer, activation spec): name plus finite numbers, booleans, short strings or number arrays. */
function settings(v: unknown, path: string): Record<string, unknown> {
  if (!isRecord(v)) throw new ModelFormatError(`${path} must be an object`);
  const out: Record<string, unknown> = {};
  for (const k of keysOf(v, path)) {
    const x = own(v, k, path);
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new ModelFormatError(`${path}.${k} must be a finite number`);
    } else if (typeof x === 'string') {
      nameString(x, `${path}.${k}`);
    } else if (Array.isArray(x)) {
      const a = elements(x, `${path}.${k}`, 1, MAX_SPEC_ARRAY);
      if (!a.every((e) => typeof e === 'number' && Number.isFinite(e))) throw new ModelFormatError(`${path}.${k} must hold finite numbers`);
      out[k] = a;
      continue;
    } else if (typeof x !== 'boolean') {
      throw new ModelFormatError(`${path}.${k} must be a number, a boolean or a name, got ${x === null ? 'null' : typeof x}`);
    }
    out[k] = x;
  }
  return out;
}

const TOP_FIELDS = ['format', 'version', 'inputs', 'seed', 'loss', 'optimizer', 'clipNorm', 'layers', 'parameters'];
/** Version 3 adds the training state. */
const TOP_FIELDS_V3 = [...TOP_FIELDS, 'training', 'optimizerState'];
/** Version 4 adds the buffers (batchNorm running statistics), layer kinds, layers' l1 / l2 and the schedule position; and the serving metadata. */
const TOP_FIELDS_V4 = [...TOP_FIELDS_V3, 'buffers', 'schedule', 'metadata'];
/** Layer kinds a version-4 file may name (dense layers have no `kind`). */
const KINDS = Object.keys(KIND_CODES).filter((k) => k !== 'dense');

/** Checks the document's structure and types (not yet its sizes) and returns a plain copy. */
function readDocument(o: unknown, withData: boolean): NetworkJSON {
  if (!isRecord(o)) throw new ModelFormatError('not a saved network: expected an object from net.toJSON(), its JSON string or the bytes of net.save()');
  const at = (k: string) => own(o, k, '');
  const format = at('format');
  if (format !== 'rectify-network') {
    throw new ModelFormatError(`not a saved network: format is ${typeof format === 'string' ? JSON.stringify(format.slice(0, MAX_NAME)) : typeof format}, expected "rectify-network"`);
  }
  const version = at('version');
  if (version !== 1 && version !== 2 && version !== 3 && version !== 4) {
    throw new ModelFormatError(`saved network version ${typeof version === 'number' ? version : typeof version} is not supported (1 to 4 are)`);
  }
  // Version 2 and 3 JSON carry their checksum; the binary header and version 1 carry none.
  const hasChecksum = withData && version >= 2;
  const fields = version === 4 ? TOP_FIELDS_V4 : version === 3 ? TOP_FIELDS_V3 : TOP_FIELDS;
  keysOf(o, 'the saved network', hasChecksum ? [...fields, 'checksum'] : fields);
  let checksum: string | undefined;
  if (hasChecksum) {
    const c = at('checksum');
    if (typeof c !== 'string' || !/^[0-9a-f]{8}$/.test(c)) throw new ModelFormatError('checksum must be 8 lowercase hex digits (the CRC-32 written by net.toJSON())');
    checksum = c;
  }
  const inputs = at('inputs'), seed = at('seed'), clipNorm = at('clipNorm');
  if (!wholeIn(inputs, 1, 1 << 20)) throw new ModelFormatError('inputs must be a whole number in [1, 2^20]');
  if (!wholeIn(seed, 0, 0xffffffff)) throw new ModelFormatError('seed must be a whole number in [0, 2^32)');
  const loss = oneOf(at('loss'), LOSS_NAMES, 'loss');
  const optimizer = settings(at('optimizer'), 'optimizer');
  oneOf(optimizer.name, OPTIMIZER_NAMES, 'optimizer.name');
  if (typeof clipNorm !== 'number' || !Number.isFinite(clipNorm) || clipNorm < 0) throw new ModelFormatError('clipNorm must be a finite number >= 0');
  const layers = elements(at('layers'), 'layers', 1, MAX_LAYERS).map((l, i) => {
    const path = `layers[${i}]`;
    if (!isRecord(l)) throw new ModelFormatError(`${path} must be { units, activation: { name, ... }, init? }`);
    if (version === 4 && own(l, 'kind', path) !== undefined) return otherLayer(l, path);
    keysOf(l, path, ['units', 'activation', 'init', ...(version >= 3 ? ['trainable'] : []), ...(version >= 4 ? ['l1', 'l2'] : [])]);
    const units = own(l, 'units', path), init = own(l, 'init', path), trainable = own(l, 'trainable', path);
    const pen: { l1?: number; l2?: number } = {};
    for (const k of ['l1', 'l2'] as const) {
      const v = own(l, k, path);
      if (v === undefined) continue;
      if (!isF32(v) || !(v > 0)) throw new ModelFormatError(`${path}.${k} must be an f32 value > 0 (or absent)`);
      pen[k] = v;
    }
    if (trainable !== undefined && trainable !== false) throw new ModelFormatError(`${path}.trainable must be false (a frozen layer) or absent`);
    if (!wholeIn(units, 1, 1 << 16)) throw new ModelFormatError(`${path}.units must be a whole number in [1, 65536]`);
    const activation = settings(own(l, 'activation', path), `${path}.activation`);
    const def = typeof activation.name === 'string' ? findActivation(activation.name) : undefined;
    if (!def) throw new ModelFormatError(`${path}.activation.name ${typeof activation.name === 'string' ? `"${activation.name}" is not a known activation` : 'is missing'}`);
    if (activation.units !== undefined && activation.units !== units) {
      throw new ModelFormatError(`${path}.activation.units must equal the layer's units (${units})`);
    }
    return {
      units, activation, ...(init !== undefined ? { init: oneOf(init, INIT_NAMES, `${path}.init`) as InitName } : {}),
      ...(trainable === false ? { trainable: false as const } : {}), ...pen,
    };
  });
  const blocks = (list: string, max: number) => elements(at(list), list, 0, max).map((p, i) => {
    const path = `${list}[${i}]`;
    if (!isRecord(p)) throw new ModelFormatError(`${path} must be { name, shape${withData ? ', data' : ''} }`);
    keysOf(p, path, withData ? ['name', 'shape', 'data'] : ['name', 'shape']);
    const name = nameString(own(p, 'name', path), `${path}.name`);
    const shape = elements(own(p, 'shape', path), `${path}.shape`, 1, 2);
    if (!shape.every((d) => wholeIn(d, 1, 1 << 20))) throw new ModelFormatError(`${path}.shape must be [n] or [rows, cols] of whole numbers in [1, 2^20]`);
    const data = withData ? own(p, 'data', path) : '';
    if (typeof data !== 'string') throw new ModelFormatError(`${path}.data must be a base64 string`);
    return { name, shape: shape as number[], data };
  });
  const parameters = blocks('parameters', MAX_LAYERS * 8);
  let extra = {};
  if (version >= 3) {
    const t = at('training');
    if (!isRecord(t)) throw new ModelFormatError('training must be { step, beta1Power, beta2Power, learningRate, rng }');
    keysOf(t, 'training', ['step', 'beta1Power', 'beta2Power', 'learningRate', 'rng']);
    const step = own(t, 'step', 'training'), b1 = own(t, 'beta1Power', 'training'), b2 = own(t, 'beta2Power', 'training');
    const lr = own(t, 'learningRate', 'training');
    if (!wholeIn(step, 0, 0x7fffffff)) throw new ModelFormatError('training.step must be a whole number in [0, 2^31)');
    for (const [k, v] of [['beta1Power', b1], ['beta2Power', b2]] as const) {
      if (typeof v !== 'number' || !(v >= 0 && v <= 1) || Math.fround(v) !== v) throw new ModelFormatError(`training.${k} must be an f32 value in [0, 1]`);
    }
    if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr) || Math.fround(lr) !== lr) {
      throw new ModelFormatError('training.learningRate must be a finite f32 value > 0');
    }
    const rng = elements(own(t, 'rng', 'training'), 'training.rng', 4, 4);
    if (!rng.every((w) => wholeIn(w, 0, 0xffffffff)) || rng.every((w) => w === 0)) {
      throw new ModelFormatError('training.rng must be four whole numbers in [0, 2^32), not all zero');
    }
    extra = {
      training: { step, beta1Power: b1, beta2Power: b2, learningRate: lr, rng: rng as number[] },
      optimizerState: blocks('optimizerState', MAX_LAYERS * 8),
      ...(own(o, 'buffers', '') !== undefined ? { buffers: blocks('buffers', MAX_LAYERS * 2) } : {}),
      ...(version === 4 && at('schedule') !== undefined ? { schedule: readSchedule(at('schedule')) } : {}),
    };
  }
  if (layers.length && layers[layers.length - 1]!.kind) throw new ModelFormatError('the last layer must be dense');
  // Version 4: the serving metadata, checked against the widths (outputs: the last layer's units).
  const meta = at('metadata');
  if (meta !== undefined) extra = { ...extra, metadata: checkMetadata(meta, inputs, layers[layers.length - 1]!.units, ModelFormatError) };
  return {
    format, version, inputs, seed, loss, optimizer, clipNorm, layers, parameters, ...extra, ...(checksum !== undefined ? { checksum } : {}),
  };
}

/** Checks a version-4 `schedule` field: its settings as fit checks them, whole epoch and wait, f32 base, finite best. */
function readSchedule(v: unknown): ScheduleJSON {
  const { epoch, base, wait, best, ...spec } = settings(v, 'schedule');
  if (!wholeIn(epoch, 0, 1e9) || !wholeIn(wait, 0, 1e9) || !isF32(base) || !(base > 0) || !(best === undefined || typeof best === 'number')) {
    throw new ModelFormatError('schedule: epoch and wait must be whole numbers >= 0, base an f32 > 0, best a number or absent');
  }
  try {
    return { ...checkSchedule(spec, 1), epoch, base, wait, ...(best !== undefined ? { best } : {}) };
  } catch (e) { throw new ModelFormatError(`schedule: ${messageOf(e)}`); }
}

/** A finite f32 value. */
function isF32(v: unknown): v is number { return typeof v === 'number' && Number.isFinite(v) && Math.fround(v) === v; }

/** A version-4 layer of another kind than dense: { kind, units, rate | momentum and epsilon | epsilon, trainable? }. */
function otherLayer(l: object, path: string): SavedLayerSpec {
  const kind = oneOf(own(l, 'kind', path), KINDS, `${path}.kind`) as LayerKind;
  const names = kind === 'dropout' ? ['rate'] : kind === 'batchNorm' ? ['momentum', 'epsilon'] : ['epsilon'];
  keysOf(l, path, ['kind', 'units', 'trainable', ...names]);
  const units = own(l, 'units', path), trainable = own(l, 'trainable', path);
  if (!wholeIn(units, 1, 1 << 16)) throw new ModelFormatError(`${path}.units must be a whole number in [1, 65536]`);
  if (trainable !== undefined && trainable !== false) throw new ModelFormatError(`${path}.trainable must be false (a frozen layer) or absent`);
  const out: Record<string, unknown> = { kind, units, ...(trainable === false ? { trainable } : {}) };
  for (const k of names) {
    const v = own(l, k, path);
    // The builder checks the ranges (a bad value becomes a ModelFormatError when the network is rebuilt).
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelFormatError(`${path}.${k} must be a finite number`);
    out[k] = v;
  }
  return out as unknown as SavedLayerSpec;
}

/**
 * Checks the parameter list against the one the layers imply and the network's size against the budget, before
 * anything is allocated. Returns the number of parameter values.
 */
function checkPlan(json: NetworkJSON, budget: LoadBudget): number {
  const expected: { name: string; shape: number[] }[] = [];
  const slots = momentSlots(json.optimizer.name as OptimizerName);
  const expectedState: { name: string; shape: number[] }[] = [];
  let fanIn = json.inputs, params = 0, sumUnits = 0, maxWidth = json.inputs, perLayer = 0;
  const expectedBuffers: { name: string; shape: number[] }[] = [];
  json.layers.forEach((l, i) => {
    if (l.kind) {
      // Version 4: dropout (nothing stored), batchNorm and layerNorm (gamma, beta; batchNorm running statistics).
      if (l.units !== fanIn) throw new ModelFormatError(`layers[${i}] (${l.kind}) has ${l.units} units but its input has ${fanIn}`);
      if (l.kind !== 'dropout') {
        const shape = [l.units];
        expected.push({ name: `${l.kind}${i}.gamma`, shape }, { name: `${l.kind}${i}.beta`, shape });
        for (let s = 0; s < slots; s++) expectedState.push({ name: `${l.kind}${i}.gamma.moment${s}`, shape }, { name: `${l.kind}${i}.beta.moment${s}`, shape });
        if (l.kind === 'batchNorm') expectedBuffers.push({ name: `batchNorm${i}.runningMean`, shape }, { name: `batchNorm${i}.runningVar`, shape });
        params += 2 * l.units;
      }
      perLayer += 7 + 4 * l.units;
      sumUnits += l.units + 1;
      return;
    }
    const def = findActivation(l.activation!.name as string)!;
    const width = def.perUnit && typeof l.activation!.units === 'number' ? l.activation!.units : 1;
    expected.push({ name: `dense${i}.weight`, shape: [fanIn, l.units] }, { name: `dense${i}.bias`, shape: [l.units] });
    params += fanIn * l.units + l.units;
    for (const p of def.params) {
      if (!p.trainable) continue;
      expected.push({ name: `dense${i}.${p.name}`, shape: [width] });
      params += width;
    }
    perLayer += 3 * Math.max(1, def.params.length * width);
    const np = def.params.length * width;
    for (let s = 0; s < slots; s++) {
      expectedState.push({ name: `dense${i}.weight.moment${s}`, shape: [fanIn, l.units] }, { name: `dense${i}.bias.moment${s}`, shape: [l.units] });
      if (np > 0) expectedState.push({ name: `dense${i}.params.moment${s}`, shape: [np] });
    }
    sumUnits += l.units;
    if (l.units > maxWidth) maxWidth = l.units;
    fanIn = l.units;
  });
  // Version 3 stores the optimizer state too; maxParameters bounds every value the file holds.
  const stored = json.version >= 3 ? params + [...expectedState, ...expectedBuffers].reduce((s, e) => s + count(e.shape), 0) : params;
  if (stored > budget.maxParameters) {
    throw new ModelFormatError(`the saved network has ${params} parameters${stored > params ? ` and ${stored - params} optimizer state values` : ''}, ` +
      `more than maxParameters (${budget.maxParameters}); pass a larger maxParameters to loadNetwork`);
  }
  // Each stored list must name and shape exactly the blocks the layers imply.
  const match = (list: 'parameters' | 'optimizerState', want: { name: string; shape: number[] }[], what: string) => {
    const have = json[list]!;
    if (have.length !== want.length) throw new ModelFormatError(`the file has ${have.length} ${what} blocks, its layers${list === 'parameters' ? '' : ` and optimizer ${json.optimizer.name as string}`} need ${want.length}`);
    have.forEach((p, i) => {
      const e = want[i]!;
      if (p.name !== e.name || p.shape.length !== e.shape.length || p.shape.some((d, k) => d !== e.shape[k])) {
        throw new ModelFormatError(`${list}[${i}] is ${p.name} [${p.shape.join('x')}] in the file but its layers need ${e.name} [${e.shape.join('x')}]`);
      }
      values += count(p.shape);
    });
  };
  let values = 0;
  match('parameters', expected, 'parameter');
  const bufs = json.buffers ?? [];
  if (json.version === 4 && (bufs.length !== expectedBuffers.length || bufs.some((b, i) => b.name !== expectedBuffers[i]!.name || b.shape.length !== 1 || b.shape[0] !== expectedBuffers[i]!.shape[0]))) {
    throw new ModelFormatError(`buffers must be ${expectedBuffers.map((b) => `${b.name} [${b.shape[0]}]`).join(', ') || 'absent (no batchNorm layer)'}`);
  }
  values += bufs.reduce((s, b) => s + count(b.shape), 0);
  if (json.version >= 3) match('optimizerState', expectedState, 'optimizer state');
  // What the builder will allocate: parameters, gradients and optimizer state; masks and bounds; row buffers for
  // CAPACITY rows (three per layer, two of the widest layer, inputs, targets, losses, classes); GEMM scratch
  // (KC = MC = 256 in assembly/nn/gemm.ts); the plan. 16 bytes of rounding per block.
  const floats = params * (2 + slots) + perLayer +
    CAPACITY * (3 * sumUnits + 2 * maxWidth + json.inputs + json.layers[json.layers.length - 1]!.units + 2) +
    256 * (maxWidth + 8 + 260) + 64 + 32 * json.layers.length;
  const bytes = 4 * floats + 16 * (16 + 3 * slots) * json.layers.length;
  if (bytes > budget.headroomBytes) {
    throw new OutOfMemoryError(`the saved network needs ~${bytes} bytes of memory, the engine has ${budget.headroomBytes} left; ` +
      'dispose objects or raise maxMemoryBytes');
  }
  return values;
}

function checkValues(json: NetworkJSON, values: Float32Array[], moments: Float32Array[], buffers: Float32Array[]): void {
  const check = (list: 'parameters' | 'optimizerState' | 'buffers', vs: Float32Array[]) => vs.forEach((v, i) => {
    for (let k = 0; k < v.length; k++) {
      // A running variance must be >= 0 (odd buffers are variances).
      if (!Number.isFinite(v[k]!) || (list === 'buffers' && i % 2 === 1 && v[k]! < 0)) {
        throw new ModelFormatError(`${list}[${i}] (${json[list]![i]!.name}) holds a ${Number.isFinite(v[k]!) ? 'negative' : 'non-finite'} value at ${k}`);
      }
    }
  });
  check('parameters', values);
  check('optimizerState', moments);
  check('buffers', buffers);
}

/** The bytes of f32 values, little-endian whatever the platform. */
function littleEndian(d: Float32Array): Uint8Array {
  const out = new Uint8Array(d.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) dv.setFloat32(i * 4, d[i]!, true);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF; the zlib/PNG one).

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** @internal A running CRC-32: start with 0xffffffff, feed bytes, xor with 0xffffffff at the end. */
function crcUpdate(c: number, b: Uint8Array): number {
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** @internal CRC-32 of some bytes (crc32("123456789") = 0xcbf43926). */
export function crc32(b: Uint8Array): number { return (crcUpdate(0xffffffff, b) ^ 0xffffffff) >>> 0; }

function hex(n: number): string { return (n >>> 0).toString(16).padStart(8, '0'); }

/**
 * @internal CRC-32 of the canonical form of a JSON document without its `checksum`: JSON.stringify of every value,
 * object keys sorted by UTF-16 code units at every level, no whitespace, UTF-8. Fed piece by piece (no big string).
 */
export function canonicalCrc(doc: object): number {
  const enc = new TextEncoder();
  let c = 0xffffffff;
  const feed = (s: string) => { c = crcUpdate(c, enc.encode(s)); };
  const walk = (v: unknown, top: boolean): void => {
    if (Array.isArray(v)) {
      feed('[');
      v.forEach((e, i) => { if (i) feed(','); walk(e, false); });
      feed(']');
    } else if (v !== null && typeof v === 'object') {
      feed('{');
      const keys = Object.keys(v).filter((k) => !(top && k === 'checksum') && (v as Record<string, unknown>)[k] !== undefined).sort();
      keys.forEach((k, i) => { feed((i ? ',' : '') + JSON.stringify(k) + ':'); walk((v as Record<string, unknown>)[k], false); });
      feed('}');
    } else feed(JSON.stringify(v));
  };
  walk(doc, true);
  return (c ^ 0xffffffff) >>> 0;
}


/** Base64 without Buffer or btoa (works everywhere): ASCII bytes, decoded to a string once. */
function base64(b: Uint8Array): string {
  const out = new Uint8Array(4 * Math.ceil(b.length / 3));
  for (let i = 0, o = 0; i < b.length; i += 3, o += 4) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out[o] = BASE64_ALPHABET.charCodeAt((n >> 18) & 63);
    out[o + 1] = BASE64_ALPHABET.charCodeAt((n >> 12) & 63);
    out[o + 2] = i + 1 < b.length ? BASE64_ALPHABET.charCodeAt((n >> 6) & 63) : 61;
    out[o + 3] = i + 2 < b.length ? BASE64_ALPHABET.charCodeAt(n & 63) : 61;
  }
  return new TextDecoder().decode(out);
}

/** Decodes base64 that must hold exactly `n` bytes (the caller checked the length: 4 * ceil(n / 3)). */
function unbase64(s: string, n: number, what: string): Uint8Array {
  const pad = (3 - (n % 3)) % 3;
  const out = new Uint8Array(n);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const c = s.charCodeAt(i + k);
      let d: number;
      if (i + k >= s.length - pad) {
        if (c !== 61) throw new ModelFormatError(`${what} is not valid base64 (it must end with ${pad} "=")`);
        d = 0;
      } else {
        d = base64Value(c);
        if (d < 0) throw new ModelFormatError(`${what} is not valid base64 (character ${i + k})`);
      }
      v = (v << 6) | d;
    }
    if (o < n) out[o++] = (v >> 16) & 255;
    if (o < n) out[o++] = (v >> 8) & 255;
    if (o < n) out[o++] = v & 255;
  }
  return out;
}
