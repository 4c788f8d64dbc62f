/**
 * `rectify/docs`: the activation table with its documentation (formulas, derivatives, sources, what each parameter
 * means and where its default comes from). A separate entry, so the core download does not carry the texts; the
 * engine needs none of them. docs/activations.md is generated from it.
 * @module
 */
import { ACTIVATIONS as ROWS, findActivation } from './activation-table.js';
import { RELU_DOCS } from './activations/relu.js';
import { SBAF_DOCS } from './activations/sbaf.js';
import { SOFTMAX_DOCS } from './activations/softmax.js';
import { ELU_DOCS } from './activations/elu.js';
import { SIGMOID_DOCS } from './activations/sigmoid.js';
import { SILU_DOCS } from './activations/silu.js';
import { GELU_DOCS } from './activations/gelu.js';
import type { ActivationDef, ActivationDoc, ParamDef } from './activations/types.js';

export type { ActivationDoc } from './activations/types.js';

/** A parameter with its documentation. */
export interface DocumentedParamDef extends ParamDef {
  /** What it means and where the default comes from. */
  readonly doc: string;
}

/** A table row with its documentation: the row of `ACTIVATIONS` in `rectify` plus formula, derivative and source. */
export interface DocumentedActivationDef extends Omit<ActivationDef, 'params'> {
  readonly params: readonly DocumentedParamDef[];
  /** Formula of f in plain text. */
  readonly formula: string;
  /** Formula of f' (and of the parameter derivatives) in plain text. */
  readonly derivative: string;
  /** Where the definition and its defaults come from, and where frameworks disagree. */
  readonly source: string;
}

/** The documentation of every activation, by name. */
export const ACTIVATION_DOCS: Readonly<Record<string, ActivationDoc>> = {
  ...RELU_DOCS, ...SBAF_DOCS, ...SOFTMAX_DOCS, ...ELU_DOCS, ...SIGMOID_DOCS, ...SILU_DOCS, ...GELU_DOCS,
};

/** Every activation of `rectify`'s `ACTIVATIONS`, in the same order, with its documentation. */
export const ACTIVATIONS: readonly DocumentedActivationDef[] = (ROWS as readonly ActivationDef[]).map((d) => {
  const doc = ACTIVATION_DOCS[d.name]!;
  return {
    ...d, formula: doc.formula, derivative: doc.derivative, source: doc.source,
    params: d.params.map((p) => ({ ...p, doc: doc.params![p.name]! })),
  };
});

/** The documented row of an activation, by name or alias; undefined for an unknown name. */
export function activationDoc(name: string): DocumentedActivationDef | undefined {
  const d = findActivation(name);
  return d && ACTIVATIONS.find((a) => a.name === d.name);
}
