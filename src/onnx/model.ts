/**
 * Decoding of the ONNX messages rectify reads (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto) into plain objects. Unknown fields are skipped; every size is checked against the bytes present
 * before anything is allocated.
 * @module
 */
import { OnnxError } from '../errors.js';
import { pushFloats, pushInts, readFields, str, Wire, type Field } from './protobuf.js';

/** A decoded tensor: float32 values (FLOAT, DOUBLE) or integers (INT32, INT64), with its dims. */
export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly floats?: Float32Array;
  readonly ints?: readonly number[];
}

/** A decoded attribute. */
export interface OnnxAttribute {
  readonly name: string;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
  readonly t?: OnnxTensor;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
}

/** A decoded node. */
export interface OnnxNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, OnnxAttribute>;
  /** Index in the graph's node list (for messages when the node has no name). */
  readonly index: number;
}

/** A decoded graph input or output: name and dims (a number, or undefined for a symbolic or unknown dimension). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly dims?: readonly (number | undefined)[];
}

/** A decoded model. */
export interface OnnxModel {
  readonly irVersion: number;
  /** Opset of the default ('' or 'ai.onnx') domain. */
  readonly opset: number;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** Limits that keep a hostile file from costing more than its size. */
const MAX_NODES = 100_000;
const MAX_DIMS = 8;

const FLOAT = 1, INT32 = 6, INT64 = 7, DOUBLE = 11;
const TYPE_NAMES: Record<number, string> = {
  1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16',
  11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 16: 'BFLOAT16',
};

/** Decodes an ONNX model (the bytes of a .onnx file). */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  let irVersion = 0, opset = -1, producer = '';
  let graph: Field | undefined;
  for (const f of readFields(bytes, 0, 'ModelProto')) {
    if (f.no === 1 && f.wire === Wire.Varint) irVersion = f.num;
    else if (f.no === 2 && f.wire === Wire.Len) producer = str(f, 'ModelProto.producer_name');
    else if (f.no === 7 && f.wire === Wire.Len) graph = f;
    else if (f.no === 8 && f.wire === Wire.Len) {
      let domain = '', version = 0;
      for (const g of readFields(f.bytes, f.at, 'OperatorSetIdProto')) {
        if (g.no === 1 && g.wire === Wire.Len) domain = str(g, 'opset_import.domain');
        else if (g.no === 2 && g.wire === Wire.Varint) version = g.num;
      }
      if (domain === '' || domain === 'ai.onnx') opset = version;
    }
  }
  if (!graph) throw new OnnxError(`not an ONNX model: no graph (${bytes.length} bytes; is this a .onnx file?)`);
  if (opset < 0) opset = 1; // no opset import: the ONNX rule is opset 1 of the default domain
  const nodes: OnnxNode[] = [];
  const initializers = new Map<string, OnnxTensor>();
  const inputs: OnnxValueInfo[] = [], outputs: OnnxValueInfo[] = [];
  for (const f of readFields(graph.bytes, graph.at, 'GraphProto')) {
    if (f.wire !== Wire.Len) continue;
    if (f.no === 1) {
      if (nodes.length >= MAX_NODES) throw new OnnxError(`the graph has more than ${MAX_NODES} nodes; rectify reads dense networks`);
      nodes.push(decodeNode(f, nodes.length));
    } else if (f.no === 5) {
      const t = decodeTensor(f, 'initializer');
      initializers.set(t.name, t);
    } else if (f.no === 11) inputs.push(decodeValueInfo(f));
    else if (f.no === 12) outputs.push(decodeValueInfo(f));
    else if (f.no === 15) throw new OnnxError('the graph has sparse initializers, which rectify does not read; store them as dense tensors');
  }
  return { irVersion, opset, producer, nodes, initializers, inputs, outputs };
}

function decodeNode(f: Field, index: number): OnnxNode {
  const inputs: string[] = [], outputs: string[] = [];
  const attrs = new Map<string, OnnxAttribute>();
  let name = '', op = '', domain = '';
  for (const g of readFields(f.bytes, f.at, 'NodeProto')) {
    if (g.wire !== Wire.Len) continue;
    if (g.no === 1) inputs.push(str(g, 'NodeProto.input'));
    else if (g.no === 2) outputs.push(str(g, 'NodeProto.output'));
    else if (g.no === 3) name = str(g, 'NodeProto.name');
    else if (g.no === 4) op = str(g, 'NodeProto.op_type');
    else if (g.no === 7) domain = str(g, 'NodeProto.domain');
    else if (g.no === 5) { const a = decodeAttribute(g); attrs.set(a.name, a); }
  }
  return { name, op, domain, inputs, outputs, attrs, index };
}

function decodeAttribute(f: Field): OnnxAttribute {
  let name = '', fl: number | undefined, i: number | undefined, s: string | undefined, t: OnnxTensor | undefined;
  const floats: number[] = [], ints: number[] = [];
  for (const g of readFields(f.bytes, f.at, 'AttributeProto')) {
    if (g.no === 1 && g.wire === Wire.Len) name = str(g, 'AttributeProto.name');
    else if (g.no === 2 && g.wire === Wire.I32) fl = new DataView(g.bytes.buffer, g.bytes.byteOffset, 4).getFloat32(0, true);
    else if (g.no === 3 && g.wire === Wire.Varint) i = g.num;
    else if (g.no === 4 && g.wire === Wire.Len) s = str(g, 'AttributeProto.s');
    else if (g.no === 5 && g.wire === Wire.Len) t = decodeTensor(g, `attribute ${name}`);
    else if (g.no === 7) pushFloats(g, floats, 'AttributeProto.floats');
    else if (g.no === 8) pushInts(g, ints, 'AttributeProto.ints');
  }
  return { name, f: fl, i, s, t, floats, ints };
}

function decodeValueInfo(f: Field): OnnxValueInfo {
  let name = '';
  let dims: (number | undefined)[] | undefined;
  for (const g of readFields(f.bytes, f.at, 'ValueInfoProto')) {
    if (g.no === 1 && g.wire === Wire.Len) name = str(g, 'ValueInfoProto.name');
    else if (g.no === 2 && g.wire === Wire.Len) {
      for (const tp of readFields(g.bytes, g.at, 'TypeProto')) {
        if (tp.no !== 1 || tp.wire !== Wire.Len) continue; // tensor_type
        for (const tt of readFields(tp.bytes, tp.at, 'TypeProto.Tensor')) {
          if (tt.no !== 2 || tt.wire !== Wire.Len) continue; // shape
          dims = [];
          for (const d of readFields(tt.bytes, tt.at, 'TensorShapeProto')) {
            if (d.no !== 1 || d.wire !== Wire.Len) continue;
            if (dims.length >= MAX_DIMS) throw new OnnxError(`value ${name} has more than ${MAX_DIMS} dimensions`);
            let v: number | undefined;
            for (const dv of readFields(d.bytes, d.at, 'Dimension')) if (dv.no === 1 && dv.wire === Wire.Varint) v = dv.num;
            dims.push(v);
          }
        }
      }
    }
  }
  return { name, dims };
}

/** Decodes a TensorProto: FLOAT or DOUBLE become float32 values, INT32 and INT64 integers; anything else is refused. */
export function decodeTensor(f: Field, what: string): OnnxTensor {
  const dims: number[] = [];
  let type = 0, name = '', raw: Uint8Array | undefined;
  const floatData: number[] = [], intData: number[] = [], doubleFields: Field[] = [];
  for (const g of readFields(f.bytes, f.at, 'TensorProto')) {
    if (g.no === 1) pushInts(g, dims, 'TensorProto.dims');
    else if (g.no === 2 && g.wire === Wire.Varint) type = g.num;
    else if (g.no === 4) pushFloats(g, floatData, 'TensorProto.float_data');
    else if (g.no === 5 || g.no === 7) pushInts(g, intData, 'TensorProto.int_data');
    else if (g.no === 8 && g.wire === Wire.Len) name = str(g, 'TensorProto.name');
    else if (g.no === 9 && g.wire === Wire.Len) raw = g.bytes;
    else if (g.no === 10) doubleFields.push(g);
    else if (g.no === 14 && g.wire === Wire.Varint && g.num === 1) {
      throw new OnnxError(`tensor ${JSON.stringify(name)} (${what}) is stored in an external file; rectify reads self-contained models (save with all tensors inside the .onnx)`);
    } else if (g.no === 3) throw new OnnxError(`tensor ${JSON.stringify(name)} (${what}) is segmented; rectify does not read segmented tensors`);
  }
  const label = `tensor ${JSON.stringify(name)} (${what})`;
  if (dims.length > MAX_DIMS) throw new OnnxError(`${label} has ${dims.length} dimensions (at most ${MAX_DIMS})`);
  let count = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new OnnxError(`${label} has a negative dimension ${d}`);
    count *= d;
    // The values must be in the file: no tensor has more elements than the file has bytes.
    if (count > f.bytes.length * 8) throw new OnnxError(`${label}: its dims ${dims.join('x')} need more values than the file holds`);
  }
  const elemSize = type === FLOAT || type === INT32 ? 4 : type === INT64 || type === DOUBLE ? 8 : 0;
  if (elemSize === 0) {
    throw new OnnxError(`${label} has data type ${TYPE_NAMES[type] ?? type}; rectify reads FLOAT (and DOUBLE, INT32, INT64 constants)`);
  }
  if (raw) {
    if (raw.length !== count * elemSize) throw new OnnxError(`${label}: raw_data has ${raw.length} bytes, its dims ${dims.join('x') || '(scalar)'} need ${count * elemSize}`);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === FLOAT) return { name, dims, floats: Float32Array.from({ length: count }, (_, i) => dv.getFloat32(i * 4, true)) };
    if (type === DOUBLE) return { name, dims, floats: Float32Array.from({ length: count }, (_, i) => dv.getFloat64(i * 8, true)) };
    if (type === INT32) return { name, dims, ints: Array.from({ length: count }, (_, i) => dv.getInt32(i * 4, true)) };
    return { name, dims, ints: Array.from({ length: count }, (_, i) => int64(dv, i * 8, label)) };
  }
  if (type === FLOAT) {
    if (floatData.length !== count) throw new OnnxError(`${label}: float_data has ${floatData.length} values, its dims need ${count}`);
    return { name, dims, floats: Float32Array.from(floatData) };
  }
  if (type === DOUBLE) {
    const d: number[] = [];
    for (const g of doubleFields) {
      if (g.wire === Wire.I64) d.push(new DataView(g.bytes.buffer, g.bytes.byteOffset, 8).getFloat64(0, true));
      else if (g.wire === Wire.Len && g.bytes.length % 8 === 0) {
        const dv = new DataView(g.bytes.buffer, g.bytes.byteOffset, g.bytes.byteLength);
        for (let i = 0; i < g.bytes.length; i += 8) d.push(dv.getFloat64(i, true));
      } else throw new OnnxError(`${label}: corrupt double_data`);
    }
    if (d.length !== count) throw new OnnxError(`${label}: double_data has ${d.length} values, its dims need ${count}`);
    return { name, dims, floats: Float32Array.from(d) };
  }
  if (intData.length !== count) throw new OnnxError(`${label}: has ${intData.length} integer values, its dims need ${count}`);
  return { name, dims, ints: intData };
}

function int64(dv: DataView, at: number, label: string): number {
  const lo = dv.getUint32(at, true), hi = dv.getInt32(at + 4, true);
  const v = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(v)) throw new OnnxError(`${label}: an int64 value beyond 2^53`);
  return v;
}
