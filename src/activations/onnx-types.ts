/**
 * The shape of an activation's ONNX forms: how `toOnnx` writes it and how `fromOnnx` reads it back. Each family file
 * exports a `<FAMILY>_ONNX` record (typed {@link FamilyOnnx}: a row without its forms does not compile) that only
 * `src/onnx/` imports, so the core bundle does not carry it. Types only.
 * @module
 */
import type { ActivationDef } from './types.js';

/** An attribute of a written node: a float, an int or a string. */
export interface OnnxAttr {
  readonly name: string;
  readonly f?: number;
  readonly i?: number;
  readonly s?: string;
}

/** The graph builder a row's writer gets, for one dense layer's activation. */
export interface OnnxWriter {
  /** The opset being written (13 to 22): a form may use an op only from the opset that has it. */
  readonly opset: number;
  /** The layer's activation spec (options such as sbaf's `domain`). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** A fixed (not trainable) parameter: its value in the layer's spec (`net.toJSON()` writes every one). */
  fixed(param: string): number;
  /** Appends a node of the default domain; returns its output value. */
  op(type: string, inputs: readonly string[], attrs?: readonly OnnxAttr[]): string;
  /** A shared f32 scalar constant (shape []), written once per value. */
  scalar(value: number): string;
  /** A trainable parameter shared by the layer, as the initializer `dense<i>.<param>` of shape []. */
  learned(param: string): string;
  /** A trainable parameter as the initializer `dense<i>.<param>` of shape [n] (1 shared, or one per unit). */
  learnedVector(param: string): string;
}

/** A decoded constant input of a node being read: its values (f32) and dims. */
export interface OnnxConstant {
  readonly values: Float32Array;
  readonly dims: readonly number[];
}

/** One node being read, as a reader sees it. Every value a reader asks for is named in the error when none fits. */
export interface OnnxReadNode {
  /** The op type. */
  readonly op: string;
  /** The model's opset of the default domain. */
  readonly opset: number;
  /** A float attribute, or `dflt` when absent. */
  float<D extends number | undefined>(name: string, dflt: D): number | D;
  /** An int attribute, or `dflt` when absent. */
  int(name: string, dflt: number): number;
  /** A string attribute, or undefined. */
  string(name: string): string | undefined;
  /** The first value of constant input `k` (named `what` in messages), or undefined when the input is absent. */
  scalarInput(k: number, what: string): number | undefined;
  /** Constant input `k`; an OnnxError when it is absent or computed in the graph. */
  tensorInput(k: number, what: string): OnnxConstant;
  /** The number of features of the data the node works on (an OnnxError when the graph does not say). */
  width(): number;
  /** Throws an OnnxError: `<op> node "<name>" <message>`. */
  fail(message: string): never;
}

/** A spec read from ONNX: the row's name and its parameters. */
export type ReadSpec<N extends string> = { readonly name: N } & Readonly<Record<string, unknown>>;

/**
 * Reads one ONNX op as this row: returns the spec, undefined when the node is another row's (several rows may claim
 * one op: Clip is relu, relu6 or hardTanh), or `node.fail(...)` when the node can only be this row but does not fit.
 */
export interface OnnxOpReader<N extends string = string> {
  /** The op type claimed. */
  readonly op: string;
  /** What it reads, for messages and docs, e.g. `Clip(0, 6)`. */
  readonly accepts: string;
  read(node: OnnxReadNode): ReadSpec<N> | undefined;
}

/**
 * A subgraph pattern, matched from its output back to the activation's input: `'x'` is that input, `{ const }` a
 * scalar constant (equal, or within `rel` relative), `{ op, inputs }` a node (`commutative`: its two inputs in either
 * order), `{ oneOf }` any of the alternatives. Every value inside the match must feed only the match.
 */
export type OnnxPattern =
  | 'x'
  | { readonly const: number; readonly rel?: number }
  | { readonly op: string; readonly inputs: readonly OnnxPattern[]; readonly commutative?: boolean }
  | { readonly oneOf: readonly OnnxPattern[] };

/** Reads a subgraph (the arrangements exporters write) as this row. */
export interface OnnxPatternReader<N extends string = string> {
  /** The arrangements, tried in order. */
  readonly patterns: readonly OnnxPattern[];
  /** What it reads, for messages and docs. */
  readonly accepts: string;
  /** The spec a match reads as. */
  readonly spec: ReadSpec<N>;
}

/** The ONNX forms of one row. */
export interface OnnxForm<N extends string = string> {
  /**
   * Writes the activation after value `x` (the Gemm's output) and returns the output value; `x` itself for the
   * identity. Nodes and initializers are written in call order, so the bytes are fixed by this code.
   */
  write(w: OnnxWriter, x: string): string;
  /** How fromOnnx reads it back; empty when it does not (the form is a subgraph no exporter writes). */
  readonly read: readonly (OnnxOpReader<N> | OnnxPatternReader<N>)[];
  /** The row is the identity: fromOnnx gives a dense layer with no activation after it this row. */
  readonly identity?: true;
  /** The loss fromOnnx picks for a network ending in this row with `units` outputs (mse when none says). */
  readonly loss?: (units: number) => 'crossEntropy' | 'binaryCrossEntropy' | undefined;
}

/**
 * The documentation of one row's ONNX form, in a `<FAMILY>_ONNX_DOCS` record beside the forms that neither the core nor
 * `rectify/onnx` imports (docs/activations.md and tests/onnx read it).
 */
export interface OnnxFormDoc {
  /** How toOnnx writes it (`(nothing)` for the identity). */
  readonly out: string;
  /**
   * How close onnxruntime's run of the written form comes to `net.predict`, in f32 ulps of max(|y|, floor)
   * (tests/onnx/export.test.ts; 0 = bit for bit). A floor marks a tail where onnxruntime's kernel has an absolute
   * rather than relative error.
   */
  readonly ort: { readonly ulps: number; readonly floor: number };
}

/** The ONNX docs record of a family: one entry per row (a row without one is a compile error). */
export type FamilyOnnxDocs<F extends readonly ActivationDef[]> = {
  readonly [D in F[number] as D['name']]: OnnxFormDoc;
};

/** The ONNX record of a family: one form per row (a row without one is a compile error). */
export type FamilyOnnx<F extends readonly ActivationDef[]> = {
  readonly [D in F[number] as D['name']]: OnnxForm<D['name']>;
};
