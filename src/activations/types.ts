/**
 * The shape of a kernel-table entry. The table itself is the `ACTIVATIONS` array in `activation-table.ts`, assembled from one
 * file per family; it drives the host, the tests and the benchmarks.
 * @module
 */

/** One numeric parameter of an activation. */
export interface ParamDef {
  /** Name as written in an activation spec, e.g. `alpha`. */
  readonly name: string;
  /** Default value. */
  readonly default: number;
  /** Smallest allowed value (inclusive unless `minExclusive`). */
  readonly min: number;
  /** Largest allowed value (inclusive unless `maxExclusive`). */
  readonly max: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** Whether gradient descent can learn it (the activation then has a `<name>_pgrad` kernel). */
  readonly trainable: boolean;
}

/** How a kernel walks its input. */
export type KernelKind =
  /** y[i] = f(x[i]); parameters are shared by every element (or per unit, when `perUnit` and `units` is given). */
  | 'elementwise'
  /** Row-wise over a rows x cols matrix (softmax, logSoftmax); backward takes the forward output. */
  | 'rowwise';

/** Domain policies of activations that are real only on [0, 1] (sbaf): clamp the input, pass it through a sigmoid, or refuse it. */
export type DomainPolicy = 'clamp' | 'sigmoid' | 'strict';

/** Weight initializers of a dense layer (`dense(units, activation, { init })`). */
export type InitName = 'zeros' | 'heNormal' | 'heUniform' | 'glorotNormal' | 'glorotUniform' | 'lecunNormal' | 'lecunUniform';

/**
 * Per-epoch diagnostics of `fit`: 'dead' counts units whose derivative is 0 on every probe row, 'saturated' the
 * (row, unit) pairs where |f'(z)| < 5% of |f'(0)|.
 */
export type Diagnostic = 'dead' | 'saturated';

/** One row of the kernel table. */
export interface ActivationDef {
  readonly name: string;
  /** Other accepted names (`swish` for `silu`). */
  readonly aliases?: readonly string[];
  readonly kind: KernelKind;
  readonly params: readonly ParamDef[];
  /** Parameters may be given one per unit (column): `{ name: 'prelu', units: 128 }` (kernels `<name>_pu_*`). */
  readonly perUnit?: boolean;
  /**
   * The function is real only on [0, 1] (sbaf): the spec takes `domain: 'clamp' | 'sigmoid' | 'strict'` (default
   * clamp); 'sigmoid' runs the `<name>_sigmoid_*` kernels, 'strict' refuses inputs outside [0, 1] with DomainError.
   */
  readonly sigmoidDomain?: boolean;
  /** Accepted error of the baseline build against the f64 reference, in ulps (0 = exact). */
  /** `floor`: errors are measured in ulps of max(|reference|, floor), for functions with roots. */
  readonly tolerance: { readonly forward: number; readonly backward: number; readonly paramGrad?: number; readonly floor?: number };
  /** Input range where the function is interesting (tests and benchmarks draw from it). */
  readonly range: readonly [number, number];
  /** True for functions that are exact in f32 (compared bit for bit). */
  readonly piecewiseLinear?: boolean;
  /** Default weight initializer of a dense layer with this activation (glorotUniform when absent). */
  readonly init?: InitName;
  /** The diagnostics fit reports for a layer with this activation (null figures when absent). */
  readonly diagnostics?: readonly Diagnostic[];
  /**
   * Relations between parameters that single ranges cannot express (hardTanh: minVal < maxVal): what is wrong, as
   * an error text, or undefined. Checked on every spec and setParams (per-unit parameters: on the first unit's values).
   */
  readonly check?: (params: Readonly<Record<string, number>>) => string | undefined;
}

/**
 * The documentation of one row, kept beside the rows of its family in a `<FAMILY>_DOCS` object that the engine does
 * not import (the `rectify/docs` entry and docs/activations.md read it).
 */
export interface ActivationDoc {
  /** Formula of f in plain text. */
  readonly formula: string;
  /** Formula of f' (and of the parameter derivatives) in plain text. */
  readonly derivative: string;
  /** Where the definition and its defaults come from, and where frameworks disagree. */
  readonly source: string;
  /** Per parameter: what it means and where its default comes from. */
  readonly params?: Readonly<Record<string, string>>;
}

type ParamDocsOf<D> = D extends { params: readonly [] } ? unknown
  : D extends { params: readonly { name: infer N extends string }[] } ? { readonly params: { readonly [K in N]: string } } : unknown;

/** The docs object of a family: one entry per row, with one text per parameter (a missing one is a compile error). */
export type FamilyDocs<F extends readonly ActivationDef[]> = {
  readonly [D in F[number] as D['name']]: ActivationDoc & ParamDocsOf<D>;
};
