/**
 * Saving and loading networks: JSON (`net.toJSON()`) and a compact binary form (`net.save()`), versioned, with a
 * bit-exact round trip. Loading validates everything: a corrupt, truncated or hostile file gets a ModelFormatError,
 * never a crash, a hang or a write out of bounds.
 * @module
 */
import { ModelFormatError, RectifyError } from './errors.js';
import type { Network, BuildOptions, InitName } from './network.js';

/** The JSON form of a network. */
export interface NetworkJSON {
  readonly format: 'rectify-network';
  readonly version: 1;
  readonly inputs: number;
  readonly seed: number;
  readonly loss: string;
  readonly optimizer: Record<string, unknown>;
  readonly clipNorm: number;
  readonly layers: readonly { readonly units: number; readonly activation: Record<string, unknown>; readonly init?: InitName }[];
  /** Values of parameters() in order, each as base64 of little-endian f32. */
  readonly parameters: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: string }[];
}

const MAGIC = [0x52, 0x43, 0x54, 0x46]; // "RCTF"
const VERSION = 1;
/** Upper bounds that keep a hostile file from asking for absurd memory. */
const MAX_LAYERS = 1024;
const MAX_PARAMS = 1 << 26;
const MAX_HEADER = 1 << 20;

/** @internal */
export function networkToJSON(net: Network): NetworkJSON {
  return {
    format: 'rectify-network', version: VERSION, inputs: net.inputs, seed: net.seed, loss: net.loss,
    optimizer: { ...net.optimizer }, clipNorm: net.clipNorm, layers: net.layerSpecs.map((l) => ({ ...l })),
    parameters: net.parameters().map((p) => ({ name: p.name, shape: [...p.shape], data: base64(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)) })),
  };
}

/** @internal Binary form: "RCTF", u32 version, u32 header length, UTF-8 JSON header without data, then the f32 payload. */
export function networkToBytes(net: Network): Uint8Array {
  const json = networkToJSON(net);
  const params = net.parameters();
  const header = new TextEncoder().encode(JSON.stringify({ ...json, parameters: json.parameters.map((p) => ({ name: p.name, shape: p.shape })) }));
  const total = params.reduce((s, p) => s + p.data.length, 0);
  const out = new Uint8Array(12 + header.length + total * 4);
  out.set(MAGIC, 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(4, VERSION, true);
  dv.setUint32(8, header.length, true);
  out.set(header, 12);
  let off = 12 + header.length;
  for (const p of params) {
    for (let i = 0; i < p.data.length; i++, off += 4) dv.setFloat32(off, p.data[i]!, true);
  }
  return out;
}

/** @internal Parses and validates either form; returns the header and the parameter values. */
export function parseSaved(src: unknown): { json: NetworkJSON; values: Float32Array[] } {
  if (src instanceof Uint8Array || src instanceof ArrayBuffer) return parseBytes(src instanceof ArrayBuffer ? new Uint8Array(src) : src);
  let obj = src;
  if (typeof src === 'string') {
    try { obj = JSON.parse(src); } catch (e) { throw new ModelFormatError(`not a saved network: the string is not JSON (${(e as Error).message})`); }
  }
  const json = checkHeader(obj);
  const values = json.parameters.map((p, i) => {
    if (typeof p.data !== 'string') throw new ModelFormatError(`parameters[${i}].data must be a base64 string`);
    const bytes = unbase64(p.data, `parameters[${i}].data`);
    const n = count(p.shape);
    if (bytes.length !== n * 4) throw new ModelFormatError(`parameters[${i}] (${p.name}) has ${bytes.length} bytes, its shape needs ${n * 4}`);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float32Array.from({ length: n }, (_, k) => dv.getFloat32(k * 4, true));
  });
  checkValues(json, values);
  return { json, values };
}

function parseBytes(b: Uint8Array): { json: NetworkJSON; values: Float32Array[] } {
  if (b.length < 12) throw new ModelFormatError(`not a saved network: ${b.length} bytes is shorter than the 12-byte header`);
  for (let i = 0; i < 4; i++) {
    if (b[i] !== MAGIC[i]) throw new ModelFormatError('not a saved network: the file does not start with "RCTF"');
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== VERSION) throw new ModelFormatError(`saved network version ${version} is not supported (this rectify reads version ${VERSION})`);
  const hlen = dv.getUint32(8, true);
  if (hlen > MAX_HEADER || 12 + hlen > b.length) throw new ModelFormatError(`truncated or corrupt file: the header claims ${hlen} bytes, the file has ${b.length - 12} after the magic`);
  let obj: unknown;
  try { obj = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(12, 12 + hlen))); } catch (e) {
    throw new ModelFormatError(`corrupt header: ${(e as Error).message}`);
  }
  const json = checkHeader(obj, false);
  const need = json.parameters.reduce((s, p) => s + count(p.shape), 0);
  const have = (b.length - 12 - hlen) / 4;
  if (have !== need) throw new ModelFormatError(`${have < need ? 'truncated' : 'corrupt'} file: ${need} parameter values expected, ${Math.floor(have)} present`);
  let off = 12 + hlen;
  const values = json.parameters.map((p) => {
    const n = count(p.shape);
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++, off += 4) v[i] = dv.getFloat32(off, true);
    return v;
  });
  checkValues(json, values);
  return { json, values };
}

function count(shape: readonly number[]): number { return shape.reduce((a, b) => a * b, 1); }

function isObj(v: unknown): v is Record<string, unknown> { return v !== null && typeof v === 'object' && !Array.isArray(v); }

function wholeIn(v: unknown, lo: number, hi: number): v is number { return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi; }

function checkHeader(o: unknown, withData = true): NetworkJSON {
  if (!isObj(o)) throw new ModelFormatError('not a saved network: expected an object');
  if (o.format !== 'rectify-network') throw new ModelFormatError(`not a saved network: format is ${JSON.stringify(o.format)}, expected "rectify-network"`);
  if (o.version !== VERSION) throw new ModelFormatError(`saved network version ${JSON.stringify(o.version)} is not supported (this rectify reads version ${VERSION})`);
  if (!wholeIn(o.inputs, 1, 1 << 20)) throw new ModelFormatError('inputs must be a whole number in [1, 2^20]');
  if (!wholeIn(o.seed, 0, 0xffffffff)) throw new ModelFormatError('seed must be a whole number in [0, 2^32)');
  if (typeof o.loss !== 'string') throw new ModelFormatError('loss must be a string');
  if (!isObj(o.optimizer)) throw new ModelFormatError('optimizer must be an object');
  if (typeof o.clipNorm !== 'number' || !(o.clipNorm >= 0)) throw new ModelFormatError('clipNorm must be a number >= 0');
  if (!Array.isArray(o.layers) || o.layers.length < 1 || o.layers.length > MAX_LAYERS) throw new ModelFormatError(`layers must be an array of 1 to ${MAX_LAYERS} layers`);
  let total = 0, fanIn = o.inputs;
  o.layers.forEach((l: unknown, i: number) => {
    if (!isObj(l) || !wholeIn(l.units, 1, 1 << 16) || !isObj(l.activation) || typeof l.activation.name !== 'string') {
      throw new ModelFormatError(`layers[${i}] must be { units: 1..65536, activation: { name, ... } }`);
    }
    total += (fanIn as number) * l.units + l.units;
    if (total > MAX_PARAMS) throw new ModelFormatError(`the network would have more than ${MAX_PARAMS} parameters; refusing to allocate it`);
    fanIn = l.units;
  });
  if (!Array.isArray(o.parameters) || o.parameters.length > MAX_LAYERS * 8) throw new ModelFormatError('parameters must be an array');
  let n = 0;
  o.parameters.forEach((p: unknown, i: number) => {
    if (!isObj(p) || typeof p.name !== 'string' || !Array.isArray(p.shape) || p.shape.length < 1 || p.shape.length > 2 ||
      !p.shape.every((d) => wholeIn(d, 1, 1 << 20))) {
      throw new ModelFormatError(`parameters[${i}] must be { name, shape: [d] or [d0, d1]${withData ? ', data' : ''} }`);
    }
    n += count(p.shape as number[]);
    if (n > MAX_PARAMS + MAX_LAYERS * (1 << 16)) throw new ModelFormatError('too many parameter values');
  });
  return o as unknown as NetworkJSON;
}

function checkValues(json: NetworkJSON, values: Float32Array[]): void {
  values.forEach((v, i) => {
    for (let k = 0; k < v.length; k++) {
      if (!Number.isFinite(v[k]!)) throw new ModelFormatError(`parameters[${i}] (${json.parameters[i]!.name}) holds a non-finite value at ${k}`);
    }
  });
}

/** @internal Rebuilds a network from a parsed file; shape mismatches become ModelFormatError. */
export function rebuild<N extends Network>(
  build: (json: NetworkJSON, options: BuildOptions) => N, parsed: { json: NetworkJSON; values: Float32Array[] },
): N {
  const { json, values } = parsed;
  let net: N;
  try {
    net = build(json, { loss: json.loss as BuildOptions['loss'], optimizer: json.optimizer as unknown as BuildOptions['optimizer'], clipNorm: json.clipNorm });
  } catch (e) {
    if (e instanceof RectifyError && !(e instanceof ModelFormatError)) throw new ModelFormatError(`the saved network is not valid: ${e.message}`);
    throw e;
  }
  const params = net.parameters();
  if (params.length !== values.length) {
    net.dispose();
    throw new ModelFormatError(`the file has ${values.length} parameter blocks, its layers need ${params.length}`);
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!, saved = json.parameters[i]!;
    if (p.name !== saved.name || p.data.length !== values[i]!.length) {
      net.dispose();
      throw new ModelFormatError(`parameter ${i} is ${saved.name} [${saved.shape.join('x')}] in the file but ${p.name} [${p.shape.join('x')}] in the network`);
    }
    p.data.set(values[i]!);
  }
  return net;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without Buffer or btoa (works everywhere). */
function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return s;
}

function unbase64(s: string, what: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new ModelFormatError(`${what} is not valid base64`);
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  for (let i = 0, o = 0; i < s.length; i += 4) {
    const n = (B64.indexOf(s[i]!) << 18) | (B64.indexOf(s[i + 1]!) << 12) | ((B64.indexOf(s[i + 2]!) & 63) << 6) | (B64.indexOf(s[i + 3]!) & 63);
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
