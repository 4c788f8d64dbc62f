/**
 * `toOnnx`: a rectify network as a standard ONNX model in inference form (Gemm per dense layer, then its activation as
 * a native ONNX op or, where ONNX has none, a small subgraph of standard ops).
 * @module
 */
import type { Network } from '../index.js';
import type { OnnxAttr } from '../activations/onnx-types.js';
import { InvalidArgumentError } from '../errors.js';
import { OnnxError } from '../errors.js';
import { PbWriter } from './protobuf.js';
import { onnxForm } from './forms.js';

/** Options of {@link toOnnx}. */
export interface ToOnnxOptions {
  /**
   * ONNX opset of the default domain, 13 to 22. Default 17. Some activations have a native op only from a later
   * opset (Mish 18, Gelu 20, HardSwish 14); below it they are written as an equivalent subgraph.
   */
  readonly opset?: number;
  /** Name of the graph input (default `input`); its shape is [N, inputs] with a symbolic batch N. */
  readonly inputName?: string;
  /** Name of the graph output (default `output`). */
  readonly outputName?: string;
}

/** Lowest opset toOnnx writes (Softmax on one axis, Clip with min/max inputs). */
export const OPSET_MIN = 13;
/** Highest opset toOnnx writes. */
export const OPSET_MAX = 22;
/** Opset written when none is given. */
export const OPSET_DEFAULT = 17;

/** ONNX IR version that goes with an opset (IR 8 for opsets 13-18, 9 for 19-20, 10 for 21-22). */
function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

interface Attr extends OnnxAttr { readonly ints?: readonly number[] }
interface NodeDef { op: string; inputs: string[]; outputs: string[]; name: string; attrs: Attr[] }
interface Init { readonly name: string; readonly dims: readonly number[]; readonly data: Float32Array }

/** Collects nodes and f32 initializers with unique names. */
class Graph {
  readonly nodes: NodeDef[] = [];
  readonly inits: Init[] = [];
  private n = 0;
  private consts = new Map<string, string>();
  constructor(readonly opset: number) {}

  /** A fresh value name. */
  fresh(prefix: string): string { return `${prefix}_${this.n++}`; }

  /** Appends a node; returns its (single) output name. */
  node(op: string, inputs: string[], scope: string, attrs: Attr[] = []): string {
    const out = this.fresh(`${scope}/${op}`);
    this.nodes.push({ op, inputs, outputs: [out], name: `${scope}/${op}_${this.nodes.length}`, attrs });
    return out;
  }

  /** A float32 initializer. */
  tensor(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    this.inits.push({ name, dims, data: Float32Array.from(data as ArrayLike<number>) });
    return name;
  }

  /** A shared f32 scalar constant (shape []). */
  scalar(v: number): string {
    const key = Object.is(v, -0) ? '-0' : String(v);
    let name = this.consts.get(key);
    if (!name) {
      name = `const_${this.consts.size}`;
      this.tensor(name, [], [v]);
      this.consts.set(key, name);
    }
    return name;
  }
}

/** Everything emitted for one activation: its parameters (fixed ones from the spec, trainable ones from the weights). */
interface ActInput {
  readonly name: string;
  readonly spec: Record<string, unknown>;
  /** Trainable parameter blocks of the layer, by parameter name ([1] shared or [units]). */
  readonly learned: ReadonlyMap<string, Float32Array>;
}

/**
 * Writes the activation of one layer after value `x` with its row's form (src/activations/<family>.ts, `<FAMILY>_ONNX`);
 * returns the output value name. Every row has a form: FamilyOnnx makes a missing one a compile error.
 */
function emitActivation(g: Graph, a: ActInput, x: string, layer: number): string {
  const form = onnxForm(a.name);
  if (!form) throw new OnnxError(`toOnnx: activation ${JSON.stringify(a.name)} of layer ${layer} has no ONNX form`);
  const s = `dense${layer}/${a.name}`;
  const learned = (p: string): Float32Array => {
    const v = a.learned.get(p);
    if (!v) throw new OnnxError(`toOnnx: layer ${layer} (${a.name}) has no parameter ${p}`);
    return v;
  };
  return form.write({
    opset: g.opset,
    spec: a.spec,
    // net.toJSON() writes every fixed parameter (defaults included), with the canonical name.
    fixed: (p) => {
      const v = a.spec[p];
      if (typeof v !== 'number') throw new OnnxError(`toOnnx: layer ${layer} (${a.name}) has no value for its parameter ${p}`);
      return v;
    },
    op: (o, ins, attrs = []) => g.node(o, [...ins], s, [...attrs]),
    scalar: (v) => g.scalar(v),
    learned: (p) => {
      const v = learned(p);
      if (v.length !== 1) throw new OnnxError(`toOnnx: layer ${layer} (${a.name}) has no shared parameter ${p}`);
      return g.tensor(`dense${layer}.${p}`, [], [v[0]!]);
    },
    learnedVector: (p) => { const v = learned(p); return g.tensor(`dense${layer}.${p}`, [v.length], v); },
  }, x);
}

/**
 * Writes the network as an ONNX model (protobuf bytes): graph input `[N, inputs]` float32, one Gemm per dense layer
 * (weights [in, out] as stored, bias [out]) followed by its activation, graph output `[N, outputs]`. Native ONNX ops
 * are used where ONNX has the activation; the others are small subgraphs of standard
 * ops (each row's form: the ONNX column of docs/activations.md). The result runs in onnxruntime and other ONNX runtimes.
 * @throws InvalidArgumentError for a bad opset or option; OnnxError for an activation without an ONNX form;
 *   whatever `net.toJSON()` throws (a disposed or diverged network).
 */
export function toOnnx(net: Network, options: ToOnnxOptions = {}): Uint8Array {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('toOnnx: options must be an object like { opset: 17 }');
  for (const k of Object.keys(options)) {
    if (!['opset', 'inputName', 'outputName'].includes(k)) throw new InvalidArgumentError(`toOnnx has no option "${k}"; its options: opset, inputName, outputName`);
  }
  const opset = options.opset ?? OPSET_DEFAULT;
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < OPSET_MIN || opset > OPSET_MAX) {
    throw new InvalidArgumentError(`toOnnx: opset must be a whole number in [${OPSET_MIN}, ${OPSET_MAX}], got ${String(opset)}`);
  }
  const inputName = options.inputName ?? 'input', outputName = options.outputName ?? 'output';
  for (const [k, v] of [['inputName', inputName], ['outputName', outputName]] as const) {
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new InvalidArgumentError(`toOnnx: ${k} must be a non-empty string of at most 256 characters`);
  }
  if (inputName === outputName) throw new InvalidArgumentError('toOnnx: inputName and outputName must differ');
  if (net === null || typeof net !== 'object' || typeof (net as { toJSON?: unknown }).toJSON !== 'function') {
    throw new InvalidArgumentError('toOnnx: the first argument must be a rectify Network');
  }
  const json = net.toJSON();
  const params = net.parameters();
  const byName = new Map(params.map((p) => [p.name, p.data.slice()] as const));
  const g = new Graph(opset);
  let x = inputName;
  const buffers = new Map((net as unknown as { buffers(): { name: string; data: Float32Array }[] }).buffers().map((b) => [b.name, b.data.slice()] as const));
  json.layers.forEach((layer, i) => {
    const kind = layer.kind;
    if (kind === 'dropout') return; // the identity in inference
    if (kind === 'batchNorm' || kind === 'layerNorm') {
      x = emitNorm(g, kind, x, i, layer.units, layer.epsilon!, byName, buffers, layer.momentum);
      return;
    }
    if ((kind !== undefined && kind !== 'dense') || typeof layer.activation?.name !== 'string') {
      throw new OnnxError(`toOnnx: layer ${i} (${String(kind ?? 'unknown')}) has no ONNX form`);
    }
    const W = byName.get(`dense${i}.weight`), b = byName.get(`dense${i}.bias`);
    if (!W || !b) throw new OnnxError(`toOnnx: layer ${i} has no weight or bias`);
    const fanIn = W.length / layer.units;
    const z = g.node('Gemm', [x, g.tensor(`dense${i}.weight`, [fanIn, layer.units], W), g.tensor(`dense${i}.bias`, [layer.units], b)], `dense${i}`);
    const learned = new Map<string, Float32Array>();
    for (const [name, v] of byName) if (name.startsWith(`dense${i}.`) && !name.endsWith('.weight') && !name.endsWith('.bias')) learned.set(name.slice(`dense${i}.`.length), v);
    const name = String(layer.activation.name);
    x = emitActivation(g, { name, spec: layer.activation, learned }, z, i);
  });
  // The last value becomes the graph output: rename it (or add an Identity when the graph input is returned as is).
  const last = g.nodes.find((n) => n.outputs[0] === x)!;
  for (const n of g.nodes) n.inputs = n.inputs.map((v) => (v === x ? outputName : v));
  last.outputs = [outputName];
  return encodeModel(g, inputName, outputName, net.inputs, json.layers[json.layers.length - 1]!.units, opset);
}

/**
 * A batchNorm layer as BatchNormalization (inference form: its running statistics; ONNX's momentum is 1 - rectify's),
 * a layerNorm layer as LayerNormalization (opset 17+, last axis) or, below 17, its subgraph of standard ops.
 */
function emitNorm(g: Graph, kind: 'batchNorm' | 'layerNorm', x: string, i: number, units: number, eps: number,
  byName: ReadonlyMap<string, Float32Array>, buffers: ReadonlyMap<string, Float32Array>, momentum?: number): string {
  const s = `${kind}${i}`;
  const t = (n: string, data: Float32Array | undefined) => g.tensor(`${s}.${n}`, [units], data!);
  const gamma = t('gamma', byName.get(`${s}.gamma`)), beta = t('beta', byName.get(`${s}.beta`));
  const op = (o: string, ins: string[], attrs: Attr[] = []) => g.node(o, ins, s, attrs);
  if (kind === 'batchNorm') {
    return op('BatchNormalization', [x, gamma, beta, t('runningMean', buffers.get(`${s}.runningMean`)), t('runningVar', buffers.get(`${s}.runningVar`))],
      [{ name: 'epsilon', f: eps }, { name: 'momentum', f: 1 - momentum! }]);
  }
  if (g.opset >= 17) return op('LayerNormalization', [x, gamma, beta], [{ name: 'axis', i: -1 }, { name: 'epsilon', f: eps }]);
  const mean = (v: string) => op('ReduceMean', [v], [{ name: 'axes', ints: [-1] }, { name: 'keepdims', i: 1 }]);
  const d = op('Sub', [x, mean(x)]);
  const r = op('Sqrt', [op('Add', [mean(op('Mul', [d, d])), g.scalar(eps)])]);
  return op('Add', [op('Mul', [op('Div', [d, r]), gamma]), beta]);
}

function encodeModel(g: Graph, input: string, output: string, inputs: number, outputs: number, opset: number): Uint8Array {
  const graph = new PbWriter();
  for (const n of g.nodes) {
    const w = new PbWriter();
    for (const i of n.inputs) w.string(1, i);
    for (const o of n.outputs) w.string(2, o);
    w.string(3, n.name).string(4, n.op);
    for (const a of n.attrs) {
      const at = new PbWriter().string(1, a.name);
      if (a.f !== undefined) at.float(2, a.f).int(20, 1);
      else if (a.i !== undefined) at.int(3, a.i).int(20, 2);
      else if (a.ints) { for (const v of a.ints) at.int(8, v); at.int(20, 7); }
      else at.bytes(4, new TextEncoder().encode(a.s ?? '')).int(20, 3);
      w.message(5, at);
    }
    graph.message(1, w);
  }
  graph.string(2, 'rectify');
  for (const t of g.inits) {
    const w = new PbWriter();
    for (const d of t.dims) w.int(1, d);
    w.int(2, 1); // FLOAT
    w.string(8, t.name);
    const raw = new Uint8Array(t.data.length * 4);
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < t.data.length; i++) dv.setFloat32(i * 4, t.data[i]!, true);
    w.bytes(9, raw);
    graph.message(5, w);
  }
  graph.message(11, valueInfo(input, inputs));
  graph.message(12, valueInfo(output, outputs));
  const model = new PbWriter();
  model.int(1, irVersionFor(opset));
  model.string(2, 'rectify');
  model.message(7, graph);
  model.message(8, new PbWriter().string(1, '').int(2, opset));
  return model.finish();
}

/** ValueInfoProto of a float32 [N, width] tensor with a symbolic batch dimension. */
function valueInfo(name: string, width: number): PbWriter {
  const shape = new PbWriter().message(1, new PbWriter().string(2, 'N')).message(1, new PbWriter().int(1, width));
  const tensorType = new PbWriter().int(1, 1).message(2, shape);
  return new PbWriter().string(1, name).message(2, new PbWriter().message(1, tensorType));
}
