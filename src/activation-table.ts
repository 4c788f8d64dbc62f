/**
 * THE kernel table: one row per activation, assembled from one file per family. The host, the tests and the
 * benchmarks iterate it, so adding a row adds the activation everywhere (and its tests fail until it has a
 * reference in tests/reference/).
 * @module
 */
import { RELU_FAMILY } from './activations/relu.js';
import { SBAF_FAMILY } from './activations/sbaf.js';
import { SOFTMAX_FAMILY } from './activations/softmax.js';
import { ELU_FAMILY } from './activations/elu.js';
import { SIGMOID_FAMILY } from './activations/sigmoid.js';
import { SILU_FAMILY } from './activations/silu.js';
import { GELU_FAMILY } from './activations/gelu.js';
import type { ActivationDef, DomainPolicy, ParamDef } from './activations/types.js';
import { describe } from './util/describe.js';

export type { ActivationDef, ParamDef, KernelKind, DomainPolicy, Diagnostic, InitName } from './activations/types.js';

/** Every activation rectify implements, with its parameters, defaults, sources and tolerances. */
export const ACTIVATIONS = [
  ...RELU_FAMILY,
  ...SBAF_FAMILY,
  ...SOFTMAX_FAMILY,
  ...ELU_FAMILY,
  ...SIGMOID_FAMILY,
  ...SILU_FAMILY,
  ...GELU_FAMILY,
] as const satisfies readonly ActivationDef[];

type Table = typeof ACTIVATIONS[number];

/** Name of an activation (aliases included). */
export type ActivationName = Table['name'] | AliasOf<Table>;
type AliasOf<D> = D extends { aliases: readonly (infer A)[] } ? A : never;

type ParamNames<D> = D extends { params: readonly (infer P)[] } ? (P extends { name: infer N extends string } ? N : never) : never;
/** Per-unit rows (`perUnit: true`) take `units` and one value per unit for each parameter. */
type PerUnitExtras<D> = D extends { perUnit: true } ? { readonly units?: number } : unknown;
/** Rows real only on [0, 1] (`sigmoidDomain: true`) take a domain policy. */
type DomainExtras<D> = D extends { sigmoidDomain: true } ? { readonly domain?: DomainPolicy } : unknown;
type ParamValue<D> = D extends { perUnit: true } ? number | ArrayLike<number> : number;
type SpecOf<D> = D extends { name: infer N extends string }
  ? { readonly name: N | (D extends { aliases: readonly (infer A)[] } ? A : never) }
    & { readonly [K in ParamNames<D>]?: ParamValue<D> }
    & PerUnitExtras<D> & DomainExtras<D>
  : never;

/**
 * Options some activations take beyond their numeric parameters, derived from their table rows: per-unit rows
 * (`perUnit`) take `units` and per-unit values, sbaf-like rows (`sigmoidDomain`) take `domain`.
 */
export type ActivationExtras = {
  readonly [D in Table as D extends { perUnit: true } | { sigmoidDomain: true } ? D['name'] : never]:
    PerUnitExtras<D> & DomainExtras<D> & (D extends { perUnit: true } ? { readonly [K in ParamNames<D>]?: ParamValue<D> } : unknown);
};

/**
 * An activation spec: a discriminated union on `name`. A misspelled name or parameter is a compile error.
 * @example { name: 'elu', alpha: 0.5 }
 */
export type ActivationSpec = SpecOf<Table>;

const byName = new Map<string, ActivationDef>();
for (const d of ACTIVATIONS as readonly ActivationDef[]) {
  byName.set(d.name, d);
  for (const a of d.aliases ?? []) byName.set(a, d);
}

/** Looks up a table row by name or alias. */
export function findActivation(name: string): ActivationDef | undefined { return byName.get(name); }

/** Every accepted name, aliases included, sorted. */
export function activationNames(): string[] { return [...byName.keys()].sort(); }

/** @internal Checks a parameter value against its definition; returns an error text or undefined. */
export function checkParam(p: ParamDef, v: number): string | undefined {
  if (typeof v !== 'number' || Number.isNaN(v)) return `must be a number, got ${describe(v)}`;
  const lo = p.minExclusive ? v <= p.min : v < p.min;
  const hi = p.maxExclusive ? v >= p.max : v > p.max;
  if (lo || hi || !Number.isFinite(v)) {
    const l = p.min === -Infinity ? '(-Infinity' : `${p.minExclusive ? '(' : '['}${p.min}`;
    const h = p.max === Infinity ? 'Infinity)' : `${p.max}${p.maxExclusive ? ')' : ']'}`;
    return `must be finite and in ${l}, ${h}, got ${v}`;
  }
  // The kernels read f32: a finite f64 beyond the f32 range would become +-Infinity inside the wasm.
  if (!Number.isFinite(Math.fround(v))) return `must be finite in f32 (|v| < 3.4e38), got ${v}`;
  return undefined;
}
