/**
 * `fromOnnx`: reads a feed-forward ONNX model (the MLPs that PyTorch, tf2onnx and skl2onnx write) into a rectify
 * network that predicts, trains further, saves and exports again.
 * @module
 */
// Types only, from the public entry (erased at compile time: the core is not bundled into rectify/onnx twice).
import type { ActivationSpec, BuildOptions, Engine, LossName, Network, NetworkBuilder } from '../index.js';
import { InvalidArgumentError, OutOfMemoryError, RectifyError } from '../errors.js';
import { OnnxError } from '../errors.js';
import { decodeModel, type OnnxModel, type OnnxNode, type OnnxTensor } from './model.js';
import { ACTIVATION_ONNX, type OnnxForm } from './forms.js';
import type { OnnxOpReader, OnnxPattern, OnnxPatternReader, OnnxReadNode } from '../activations/onnx-types.js';

/** Options of {@link fromOnnx}. */
export interface FromOnnxOptions {
  /** Loss for further training. Default: crossEntropy after softmax, binaryCrossEntropy after one sigmoid unit, else mse. */
  readonly loss?: LossName;
  /** Optimizer for further training (default as in `build`: Adam, learning rate 1e-3). */
  readonly optimizer?: BuildOptions['optimizer'];
  /** Seed of the network's generator (default 0). */
  readonly seed?: number;
  /** Rows the network's buffers hold at once (default as in `build`). */
  readonly capacity?: number;
}

/** Largest model file read (a dense network of 2^26 f32 parameters is 256 MiB). */
const MAX_BYTES = 2 ** 30;
const MAX_LAYERS = 1024;
const MAX_PARAMS = 2 ** 26;

interface Layer {
  readonly in: number;
  readonly out: number;
  /** Row-major [in, out], f64 until the network is built (folding happens in f64, rounded once to f32). */
  readonly W: Float64Array;
  readonly b: Float64Array;
  act?: Record<string, unknown>;
  /** A batchNorm or layerNorm layer: W and b hold gamma and beta ([out]); batchNorm's running statistics. */
  readonly kind?: 'batchNorm' | 'layerNorm';
  readonly eps?: number;
  readonly momentum?: number;
  readonly running?: Float32Array;
}

/** The ONNX forms of the table, gathered for reading: op readers by op type, subgraph readers, the identity row. */
interface Readers {
  readonly byOp: ReadonlyMap<string, readonly { readonly row: string; readonly reader: OnnxOpReader }[]>;
  readonly patterns: readonly { readonly row: string; readonly reader: OnnxPatternReader }[];
  /** Most nodes a pattern walks through from one of its nodes to its output (bounds the search for its output). */
  readonly depth: number;
  /** Most uses of the input in one pattern: a value with more users is no pattern's input. */
  readonly uses: number;
  readonly identity: string;
  readonly forms: ReadonlyMap<string, OnnxForm>;
}

function patternUses(p: OnnxPattern): number {
  if (p === 'x') return 1;
  if ('const' in p) return 0;
  if ('oneOf' in p) return Math.max(0, ...p.oneOf.map(patternUses));
  return p.inputs.reduce((a, q) => a + patternUses(q), 0);
}

function patternDepth(p: OnnxPattern): number {
  if (p === 'x' || 'const' in p) return 0;
  if ('oneOf' in p) return Math.max(0, ...p.oneOf.map(patternDepth));
  return 1 + Math.max(0, ...p.inputs.map(patternDepth));
}

/** Gathers the readers of every row, in table order (readers of one op are tried in that order). */
function gatherReaders(): Readers {
  const byOp = new Map<string, { row: string; reader: OnnxOpReader }[]>();
  const patterns: { row: string; reader: OnnxPatternReader }[] = [];
  const forms = new Map<string, OnnxForm>(Object.entries(ACTIVATION_ONNX));
  let identity = '', depth = 0, uses = 0;
  for (const [row, form] of forms) {
    if (form.identity) identity = row;
    for (const reader of form.read) {
      if ('patterns' in reader) {
        patterns.push({ row, reader });
        depth = Math.max(depth, ...reader.patterns.map(patternDepth));
        uses = Math.max(uses, ...reader.patterns.map(patternUses));
      } else {
        let list = byOp.get(reader.op);
        if (!list) byOp.set(reader.op, list = []);
        list.push({ row, reader });
      }
    }
  }
  return { byOp, patterns, depth, uses, identity, forms };
}

/**
 * Reads an ONNX model into a network of this engine. Supported: Gemm (transB, alpha, beta; transA = 0), MatMul + Add,
 * Flatten, Reshape to [N, features], Identity, Dropout (inference: nothing), BatchNormalization (inference: folded
 * into the preceding Gemm, or a batchNorm layer after an activation), LayerNormalization (last axis: a layerNorm layer),
 * and the activations' ops and subgraphs that the kernel table's ONNX forms read (the ONNX column of
 * docs/activations.md). Weights as raw_data or float_data (little-endian), in
 * initializers or Constant nodes. The network is a chain input -> layers -> output; anything else is an
 * {@link OnnxError} naming the op and the node.
 * @param engine the engine the network lives in
 * @param bytes the .onnx file
 * @throws OnnxError for a corrupt, truncated or hostile file or an unsupported graph; InvalidArgumentError for bad
 *   arguments; OutOfMemoryError if the engine cannot hold the network.
 */
export function fromOnnx(engine: Engine, bytes: Uint8Array | ArrayBuffer, options: FromOnnxOptions = {}): Network {
  if (engine === null || typeof engine !== 'object' || typeof (engine as { network?: unknown }).network !== 'function') {
    throw new InvalidArgumentError('fromOnnx: the first argument must be an Engine (from createEngine())');
  }
  const buf = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
  if (!(buf instanceof Uint8Array)) throw new InvalidArgumentError('fromOnnx: the model must be a Uint8Array or an ArrayBuffer of the .onnx file');
  if (buf.length > MAX_BYTES) throw new OnnxError(`the model is ${buf.length} bytes; rectify reads models up to ${MAX_BYTES} bytes`);
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('fromOnnx: options must be an object like { loss: "mse" }');
  for (const k of Object.keys(options)) {
    if (!['loss', 'optimizer', 'seed', 'capacity'].includes(k)) throw new InvalidArgumentError(`fromOnnx has no option "${k}"; its options: loss, optimizer, seed, capacity`);
  }
  const model = decodeModel(buf);
  const readers = gatherReaders();
  const { inputs, layers } = walk(model, Math.max(2 ** 20, buf.length), readers);
  return build(engine, inputs, layers, options, readers);
}

function nodeLabel(n: OnnxNode): string {
  return `${n.op} node ${n.name ? JSON.stringify(n.name) : `#${n.index}`}`;
}

/** Turns the graph into a chain of dense layers. */
function walk(model: OnnxModel, identityBudget: number, readers: Readers): { inputs: number; layers: Layer[] } {
  const consts = new Map<string, OnnxTensor>(model.initializers);
  const nodes: OnnxNode[] = [];
  for (const n of model.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') throw new OnnxError(`${nodeLabel(n)} is in domain ${JSON.stringify(n.domain)}; rectify reads the standard ONNX domain only`);
    if (n.op === 'Constant') {
      const t = constantValue(n);
      if (n.outputs.length !== 1) throw new OnnxError(`${nodeLabel(n)} must have one output`);
      consts.set(n.outputs[0]!, t);
    } else nodes.push(n);
  }
  const graphInputs = model.inputs.filter((v) => !consts.has(v.name));
  if (graphInputs.length !== 1) {
    throw new OnnxError(`the graph has ${graphInputs.length} data inputs (${graphInputs.map((v) => v.name).join(', ') || 'none'}); rectify reads models with one input [N, features]`);
  }
  if (model.outputs.length !== 1) throw new OnnxError(`the graph has ${model.outputs.length} outputs; rectify reads models with one output`);
  const input = graphInputs[0]!, output = model.outputs[0]!.name;
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const i of n.inputs) {
      if (i === '' || consts.has(i)) continue;
      let list = consumers.get(i);
      if (!list) consumers.set(i, list = []);
      if (!list.includes(n)) list.push(n);
    }
  }
  const visited = new Set<OnnxNode>();
  const layers: Layer[] = [];
  let width: number | undefined;
  if (input.dims && input.dims.length >= 2 && input.dims.slice(1).every((d) => d !== undefined && d > 0)) {
    width = input.dims.slice(1).reduce<number>((a, d) => a * d!, 1);
  }
  let cur = input.name;
  const open = (): Layer | undefined => { const l = layers[layers.length - 1]; return l && l.act === undefined ? l : undefined; };
  const close = () => { const l = open(); if (l) l.act = { name: readers.identity }; };
  const addLayer = (l: Layer, n: OnnxNode) => {
    if (width !== undefined && l.in !== width) throw new OnnxError(`${nodeLabel(n)} takes ${l.in} features but its input has ${width}`);
    if (layers.length >= MAX_LAYERS) throw new OnnxError(`more than ${MAX_LAYERS} layers`);
    if (l.out > 65536) throw new OnnxError(`${nodeLabel(n)} has ${l.out} units; rectify's layers have at most 65536`);
    close();
    layers.push(l);
    width = l.out;
  };
  const addNorm = (l: Layer, n: OnnxNode) => {
    if (layers.length >= MAX_LAYERS) throw new OnnxError(`more than ${MAX_LAYERS} layers`);
    checkSize(1, l.out, n, layers);
    close();
    layers.push(l);
  };
  const needWidth = (n: OnnxNode): number => {
    if (width === undefined) throw new OnnxError(`${nodeLabel(n)} comes before any layer and the input's width is not in the graph; give the input a static shape [N, features]`);
    return width;
  };
  /** The layer an activation goes to: the open one, or a new identity layer. */
  const actLayer = (n: OnnxNode): Layer => {
    const l = open();
    if (l) return l;
    const w = needWidth(n);
    const id = identity(w, n, layers, identityBudget);
    addLayer(id, n);
    return id;
  };
  const constOf = (n: OnnxNode, k: number, what: string): OnnxTensor => {
    const name = n.inputs[k];
    const t = name === undefined || name === '' ? undefined : consts.get(name);
    if (!t) throw new OnnxError(`${nodeLabel(n)}: its ${what} (input ${k}) must be an initializer or a Constant; rectify reads fixed weights`);
    return t;
  };
  const floatsOf = (n: OnnxNode, k: number, what: string): Float32Array => {
    const t = constOf(n, k, what);
    if (t.floats) return t.floats;
    return Float32Array.from(t.ints!);
  };

  for (let step = 0; ; step++) {
    if (step > nodes.length + 1) throw new OnnxError('the graph does not lead from its input to its output (a cycle?)');
    const users = (consumers.get(cur) ?? []).filter((n) => !visited.has(n));
    if (users.length === 0) {
      if (cur !== output) throw new OnnxError(`the value ${JSON.stringify(cur)} is used by no node but is not the graph output ${JSON.stringify(output)}`);
      break;
    }
    if (cur === output) throw new OnnxError(`the graph output ${JSON.stringify(output)} is also used by ${nodeLabel(users[0]!)}; rectify reads chains that end at the output`);
    const sub = matchSubgraph(cur, users, consumers, consts, output, readers);
    if (sub) {
      for (const n of sub.nodes) visited.add(n);
      actLayer(sub.nodes[0]!).act = { ...sub.spec };
      cur = sub.output;
      continue;
    }
    if (users.length > 1) {
      throw new OnnxError(`the value ${JSON.stringify(cur)} is used by ${users.map(nodeLabel).join(' and ')}: rectify reads chains of layers, ` +
        `not branches (the only branches it knows are ${readers.patterns.map((p) => `${p.reader.accepts} (${p.row})`).join('; ') || 'none'})`);
    }
    const n = users[0]!;
    visited.add(n);
    if (n.inputs[0] !== cur) throw new OnnxError(`${nodeLabel(n)} takes the data as input ${n.inputs.indexOf(cur)}; rectify reads it as the first input`);
    for (let k = 1; k < n.inputs.length; k++) {
      const i = n.inputs[k]!;
      if (i !== '' && !consts.has(i)) throw new OnnxError(`${nodeLabel(n)}: its input ${k} (${JSON.stringify(i)}) is computed in the graph; rectify reads fixed weights`);
    }
    for (let k = 1; k < n.outputs.length; k++) {
      const o = n.outputs[k]!;
      if (o !== '' && (consumers.has(o) || o === output)) throw new OnnxError(`${nodeLabel(n)}: its output ${k} (${JSON.stringify(o)}) is used; rectify reads single-output ops (inference form)`);
    }
    if (n.outputs.length < 1 || n.outputs[0] === '') throw new OnnxError(`${nodeLabel(n)} has no output`);
    const attr = (name: string) => n.attrs.get(name);
    const fAttr = (name: string, d: number) => { const a = attr(name); return a?.f ?? d; };
    const iAttr = (name: string, d: number) => { const a = attr(name); return a?.i ?? d; };
    switch (n.op) {
      case 'Identity': break;
      case 'Dropout': {
        if (n.inputs[2]) {
          const t = constOf(n, 2, 'training_mode');
          if ((t.ints ?? Array.from(t.floats!)).some((v) => v !== 0)) throw new OnnxError(`${nodeLabel(n)} is in training mode; export the model in inference mode (PyTorch: the module in eval mode)`);
        }
        break;
      }
      case 'Flatten': {
        const axis = iAttr('axis', 1);
        if (axis !== 1) throw new OnnxError(`${nodeLabel(n)} flattens from axis ${axis}; rectify reads Flatten(axis=1) to [N, features]`);
        break;
      }
      case 'Reshape': {
        const s = constOf(n, 1, 'shape');
        const shape = s.ints ?? [];
        const ok = shape.length === 2 && (shape[0] === -1 || shape[0] === 0) && (shape[1] === -1 || (shape[1]! > 0 && (width === undefined || shape[1] === width)));
        if (!ok) throw new OnnxError(`${nodeLabel(n)} reshapes to [${shape.join(', ')}]; rectify reads Reshape to [N, features] ([-1, ${width ?? 'F'}] or [0, -1])`);
        if (width === undefined && shape[1]! > 0) width = shape[1];
        break;
      }
      case 'Gemm': {
        if (iAttr('transA', 0) !== 0) throw new OnnxError(`${nodeLabel(n)} has transA = 1; rectify reads Gemm with the data as A untransposed ([N, features])`);
        const transB = iAttr('transB', 0) !== 0;
        const alpha = fAttr('alpha', 1), beta = fAttr('beta', 1);
        const B = constOf(n, 1, 'weight B');
        if (B.dims.length !== 2 || !B.floats) throw new OnnxError(`${nodeLabel(n)}: B must be a 2-D float tensor, has dims [${B.dims.join(', ')}]`);
        const [r, c] = B.dims as [number, number];
        const fin = transB ? c : r, fout = transB ? r : c;
        checkSize(fin, fout, n, layers);
        const W = new Float64Array(fin * fout);
        for (let i = 0; i < fin; i++) for (let j = 0; j < fout; j++) W[i * fout + j] = alpha * B.floats[transB ? j * c + i : i * c + j]!;
        const b = new Float64Array(fout);
        if (n.inputs[2]) {
          const C = floatsOf(n, 2, 'bias C');
          const cd = constOf(n, 2, 'bias C').dims;
          const flat = cd.reduce((a, d) => a * d, 1);
          if (!(flat === 1 || (flat === fout && cd[cd.length - 1] === fout))) throw new OnnxError(`${nodeLabel(n)}: C has dims [${cd.join(', ')}]; rectify reads a bias of ${fout} values (or one)`);
          for (let j = 0; j < fout; j++) b[j] = beta * C[flat === 1 ? 0 : j]!;
        }
        addLayer({ in: fin, out: fout, W, b }, n);
        break;
      }
      case 'MatMul': {
        const B = constOf(n, 1, 'weight');
        if (B.dims.length !== 2 || !B.floats) throw new OnnxError(`${nodeLabel(n)}: the weight must be a 2-D float tensor, has dims [${B.dims.join(', ')}]`);
        const [fin, fout] = B.dims as [number, number];
        checkSize(fin, fout, n, layers);
        addLayer({ in: fin, out: fout, W: Float64Array.from(B.floats), b: new Float64Array(fout) }, n);
        break;
      }
      case 'Add': case 'Sub': {
        const C = constOf(n, 1, 'bias');
        const w = needWidth(n);
        const flat = C.dims.reduce((a, d) => a * d, 1);
        if (!C.floats || !(flat === 1 || (flat === w && C.dims[C.dims.length - 1] === w))) {
          throw new OnnxError(`${nodeLabel(n)}: rectify reads ${n.op} of a constant of ${w} values (a bias), got dims [${C.dims.join(', ')}]`);
        }
        const l = open() ?? (() => { const id = identity(w, n, layers, identityBudget); addLayer(id, n); return id; })();
        for (let j = 0; j < w; j++) l.b[j] = l.b[j]! + (n.op === 'Sub' ? -1 : 1) * C.floats[flat === 1 ? 0 : j]!;
        break;
      }
      case 'BatchNormalization': {
        if (iAttr('training_mode', 0) !== 0) throw new OnnxError(`${nodeLabel(n)} is in training mode; export the model in inference mode`);
        const eps = fAttr('epsilon', 1e-5);
        const scale = floatsOf(n, 1, 'scale'), bias = floatsOf(n, 2, 'B'), mean = floatsOf(n, 3, 'mean'), variance = floatsOf(n, 4, 'var');
        const w = width ?? scale.length;
        if (width === undefined) width = w;
        for (const [nm, t] of [['scale', scale], ['B', bias], ['mean', mean], ['var', variance]] as const) {
          if (t.length !== w) throw new OnnxError(`${nodeLabel(n)}: ${nm} has ${t.length} values, the data has ${w} features`);
        }
        const l = open();
        if (!l) {
          // After an activation (or first): a batchNorm layer with these running statistics (ONNX momentum = 1 - rectify's).
          for (let j = 0; j < w; j++) if (!(variance[j]! >= 0)) throw new OnnxError(`${nodeLabel(n)}: var is ${variance[j]} for feature ${j}; it must be >= 0`);
          const running = new Float32Array(2 * w);
          running.set(mean); running.set(variance, w);
          addNorm({ in: w, out: w, W: Float64Array.from(scale), b: Float64Array.from(bias), act: { name: readers.identity }, kind: 'batchNorm', eps, momentum: 1 - fAttr('momentum', 0.9), running }, n);
          break;
        }
        // y = s (x - mean) + B with s = scale / sqrt(var + eps), folded into the open layer.
        for (let j = 0; j < w; j++) {
          const v = variance[j]! + eps;
          if (!(v > 0)) throw new OnnxError(`${nodeLabel(n)}: var + epsilon is ${v} for feature ${j}; it must be > 0`);
          const s = scale[j]! / Math.sqrt(v);
          for (let i = 0; i < l.in; i++) l.W[i * w + j] = l.W[i * w + j]! * s;
          l.b[j] = (l.b[j]! - mean[j]!) * s + bias[j]!;
        }
        break;
      }
      case 'LayerNormalization': {
        const axis = iAttr('axis', -1), w = needWidth(n);
        if (axis !== -1 && axis !== 1) throw new OnnxError(`${nodeLabel(n)} normalizes from axis ${axis}; rectify reads LayerNormalization over the last axis of [N, features]`);
        const scale = floatsOf(n, 1, 'scale'), bias = n.inputs[2] ? floatsOf(n, 2, 'B') : new Float32Array(w);
        for (const [nm, t] of [['scale', scale], ['B', bias]] as const) {
          if (t.length !== w) throw new OnnxError(`${nodeLabel(n)}: ${nm} has ${t.length} values, the data has ${w} features`);
        }
        addNorm({ in: w, out: w, W: Float64Array.from(scale), b: Float64Array.from(bias), act: { name: readers.identity }, kind: 'layerNorm', eps: fAttr('epsilon', 1e-5) }, n);
        break;
      }
      default: {
        const claimants = readers.byOp.get(n.op);
        if (!claimants) {
          throw new OnnxError(`${nodeLabel(n)}: the op ${n.op} is not supported; rectify reads dense feed-forward models ` +
            '(see docs/onnx.md and the ONNX column of docs/activations.md for the supported ops)');
        }
        const seen = new Map<string, string>();
        const node: OnnxReadNode = {
          op: n.op,
          opset: model.opset,
          float: <D extends number | undefined>(name: string, d: D): number | D => {
            const f = attr(name)?.f;
            const v: number | D = f === undefined ? d : f;
            seen.set(name, `${name} ${v ?? 'none'}`);
            return v;
          },
          int: (name, d) => { const v = iAttr(name, d); seen.set(name, `${name} ${v}`); return v; },
          string: (name) => { const v = attr(name)?.s; seen.set(name, `${name} ${v === undefined ? 'none' : JSON.stringify(v)}`); return v; },
          scalarInput: (k, what) => {
            const v = n.inputs[k] ? floatsOf(n, k, what)[0] : undefined;
            seen.set(what, `${what} ${v ?? 'none'}`);
            return v;
          },
          tensorInput: (k, what) => ({ values: floatsOf(n, k, what), dims: constOf(n, k, what).dims }),
          width: () => needWidth(n),
          fail: (message) => { throw new OnnxError(`${nodeLabel(n)} ${message}`); },
        };
        let spec: Record<string, unknown> | undefined;
        for (const c of claimants) if ((spec = c.reader.read(node))) break;
        if (!spec) {
          throw new OnnxError(`${nodeLabel(n)} (${[...seen.values()].join(', ')}) is none of the forms rectify reads: ` +
            claimants.map((c) => `${c.reader.accepts} (${c.row})`).join(', '));
        }
        actLayer(n).act = { ...spec };
      }
    }
    cur = n.outputs[0]!;
  }
  close();
  if (layers.length === 0) throw new OnnxError('the graph has no Gemm or MatMul: there is no dense layer to read');
  return { inputs: layers[0]!.in, layers };
}

/** The value of a Constant node as a tensor. */
function constantValue(n: OnnxNode): OnnxTensor {
  const a = [...n.attrs.values()][0];
  if (n.attrs.size !== 1 || !a) throw new OnnxError(`${nodeLabel(n)} must have exactly one value attribute`);
  switch (a.name) {
    case 'value': if (a.t) return a.t; break;
    case 'value_float': if (a.f !== undefined) return { name: '', dims: [], floats: Float32Array.of(a.f) }; break;
    case 'value_floats': return { name: '', dims: [a.floats!.length], floats: Float32Array.from(a.floats!) };
    case 'value_int': if (a.i !== undefined) return { name: '', dims: [], ints: [a.i] }; break;
    case 'value_ints': return { name: '', dims: [a.ints!.length], ints: a.ints! };
  }
  throw new OnnxError(`${nodeLabel(n)}: its attribute ${JSON.stringify(a.name)} is not a tensor rectify reads (value, value_float(s), value_int(s))`);
}

function checkSize(fin: number, fout: number, n: OnnxNode, layers: readonly Layer[]): void {
  if (fin < 1 || fout < 1) throw new OnnxError(`${nodeLabel(n)}: the weight has an empty dimension`);
  const total = layers.reduce((s, l) => s + (l.kind ? 2 * l.out : l.in * l.out + l.out), 0) + fin * fout + fout;
  if (total > MAX_PARAMS) throw new OnnxError(`the network would have more than ${MAX_PARAMS} parameters; rectify refuses to allocate it`);
}

/** A dense layer y = x (where an activation, bias or BatchNormalization comes with no open layer before it). */
function identity(w: number, n: OnnxNode, layers: readonly Layer[], budget: number): Layer {
  // An identity layer is not in the file: its w^2 weights are bounded by the file's size (or 2^20), so a tiny file
  // cannot ask for a giant allocation.
  if (w * w > budget) {
    throw new OnnxError(`${nodeLabel(n)} needs an identity layer of ${w} x ${w} (it follows no Gemm/MatMul); rectify refuses ` +
      `identity layers with more weights than the file has bytes (${budget})`);
  }
  checkSize(w, w, n, layers);
  const W = new Float64Array(w * w);
  for (let i = 0; i < w; i++) W[i * w + i] = 1;
  return { in: w, out: w, W, b: new Float64Array(w) };
}

/**
 * Finds a subgraph form of a row (OnnxPatternReader, e.g. gelu's Erf form) that starts at value `x`: the patterns are
 * matched from a candidate output back to `x`; the candidates are the nodes reached from x's users through values
 * with a single consumer, at most as deep as the deepest pattern. A match must take every user of x, and each value
 * inside it must feed only the match (and not be the graph output).
 */
function matchSubgraph(x: string, users: readonly OnnxNode[], consumers: ReadonlyMap<string, OnnxNode[]>,
  consts: ReadonlyMap<string, OnnxTensor>, output: string, readers: Readers): { nodes: OnnxNode[]; output: string; spec: Record<string, unknown> } | undefined {
  // A match takes every user of x, and no pattern uses x more than readers.uses times.
  if (readers.patterns.length === 0 || users.length > readers.uses) return undefined;
  const producer = new Map<string, OnnxNode>();
  const candidates = new Set<OnnxNode>();
  let frontier = [...users];
  for (let d = 0; d < readers.depth && frontier.length > 0; d++) {
    const next: OnnxNode[] = [];
    for (const n of frontier) {
      if (candidates.has(n) || !n.outputs[0]) continue;
      candidates.add(n);
      producer.set(n.outputs[0], n);
      const c = consumers.get(n.outputs[0]);
      if (c && c.length === 1 && n.outputs[0] !== output) next.push(c[0]!);
    }
    frontier = next;
  }
  // Every match: the nodes it takes (undefined when the pattern does not fit value v).
  const match = (v: string, p: OnnxPattern): OnnxNode[][] => {
    if (p === 'x') return v === x ? [[]] : [];
    if ('const' in p) {
      const t = consts.get(v);
      const c = t?.floats && t.floats.length === 1 ? t.floats[0]! : undefined;
      const ok = c !== undefined && (p.rel === undefined ? c === p.const : Math.abs(c - p.const) <= p.rel * Math.abs(p.const));
      return ok ? [[]] : [];
    }
    if ('oneOf' in p) return p.oneOf.flatMap((q) => match(v, q));
    const n = producer.get(v);
    if (!n || n.op !== p.op || n.inputs.length !== p.inputs.length) return [];
    const orders = p.commutative && p.inputs.length === 2 ? [p.inputs, [p.inputs[1]!, p.inputs[0]!]] : [p.inputs];
    const out: OnnxNode[][] = [];
    for (const order of orders) {
      let partial: OnnxNode[][] = [[n]];
      order.forEach((q, k) => { partial = partial.flatMap((m) => match(n.inputs[k]!, q).map((r) => [...m, ...r])); });
      out.push(...partial);
    }
    return out;
  };
  for (const { row, reader } of readers.patterns) {
    for (const root of candidates) {
      for (const p of reader.patterns) {
        for (const nodes of match(root.outputs[0]!, p)) {
          const inside = new Set(nodes);
          if (!users.every((u) => inside.has(u))) continue;
          const closed = nodes.every((m) => m === root || (m.outputs[0] !== output && (consumers.get(m.outputs[0]!) ?? []).every((c) => inside.has(c))));
          if (!closed) continue;
          // Nodes in graph order, so the first one labels an identity layer as before.
          const ordered = [...inside].sort((a, b) => a.index - b.index);
          return { nodes: ordered, output: root.outputs[0]!, spec: { ...reader.spec, name: row } };
        }
      }
    }
  }
  return undefined;
}

/** The loss the last layer's activation asks for (its form's `loss`), else mse. */
function defaultLoss(layers: readonly Layer[], readers: Readers): LossName {
  const last = layers[layers.length - 1]!;
  const name = last.act?.name;
  return (typeof name === 'string' ? readers.forms.get(name)?.loss?.(last.out) : undefined) ?? 'mse';
}

function build(engine: Engine, inputs: number, layers: Layer[], options: FromOnnxOptions, readers: Readers): Network {
  if (!(inputs >= 1 && inputs <= 2 ** 20)) throw new OnnxError(`the model takes ${inputs} features; rectify reads 1 to 2^20`);
  let net: Network | undefined;
  try {
    let b = engine.network({ inputs, ...(options.seed !== undefined ? { seed: options.seed } : {}) }) as NetworkBuilder<number, number>;
    for (const l of layers) {
      if (l.kind === 'batchNorm') b = b.batchNorm({ epsilon: l.eps!, momentum: Math.min(1, Math.max(0, l.momentum!)) });
      else if (l.kind === 'layerNorm') b = b.layerNorm({ epsilon: l.eps! });
      else b = b.dense(l.out, l.act as unknown as ActivationSpec);
    }
    net = b.build({
      loss: options.loss ?? defaultLoss(layers, readers),
      ...(options.optimizer !== undefined ? { optimizer: options.optimizer } : {}),
      ...(options.capacity !== undefined ? { capacity: options.capacity } : {}),
    });
    const ps = net.parameters();
    const bufs = (net as unknown as { buffers(): { name: string; data: Float32Array }[] }).buffers();
    layers.forEach((l, i) => {
      const [w, bn] = l.kind ? [`${l.kind}${i}.gamma`, `${l.kind}${i}.beta`] : [`dense${i}.weight`, `dense${i}.bias`];
      ps.find((p) => p.name === w)!.data.set(l.W);
      ps.find((p) => p.name === bn)!.data.set(l.b);
      if (l.running) {
        bufs.find((v) => v.name === `batchNorm${i}.runningMean`)!.data.set(l.running.subarray(0, l.out));
        bufs.find((v) => v.name === `batchNorm${i}.runningVar`)!.data.set(l.running.subarray(l.out));
      }
    });
    for (const p of ps) {
      for (let k = 0; k < p.data.length; k++) {
        if (!Number.isFinite(p.data[k]!)) throw new OnnxError(`the weights of ${p.name} hold a non-finite value (at ${k}) after reading the model`);
      }
    }
    return net;
  } catch (e) {
    net?.dispose();
    if (e instanceof OnnxError || e instanceof OutOfMemoryError || !(e instanceof RectifyError)) throw e;
    if (e instanceof InvalidArgumentError && /loss|optimizer|seed|capacity/i.test(e.message)) throw e;
    throw new OnnxError(`the model maps to a network rectify cannot build: ${e.message}`);
  }
}
