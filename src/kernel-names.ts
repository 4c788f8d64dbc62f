/**
 * The one rule that names an activation's kernels: `<name>[_pu|_sigmoid]_<fwd|bwd|pgrad>[_scalar]`. The host calls
 * what it returns, and scripts/gen-abi.mjs (which bundles this file) writes the wasm dispatch and
 * src/generated/kernels.ts with it; that generated file lists every name the table implies as `ExportName`s, so a
 * row whose kernel the module does not export fails to compile.
 * @module
 */
import type { ActivationDef } from './activations/types.js';
import type { ExportName } from './generated/abi.js';

/** Which kernels an activation runs: its shared-parameter kernels, or its per-unit or sigmoid-domain variants. */
export type Variant = 'none' | 'perUnit' | 'sigmoidDomain';

/** The kernels of one variant of an activation. */
export interface KernelSet { readonly fwd: ExportName; readonly bwd: ExportName; readonly pgrad?: ExportName }

const SUFFIX: Readonly<Record<Variant, string>> = { none: '', perUnit: '_pu', sigmoidDomain: '_sigmoid' };

/** The variants a row has: always 'none'; 'perUnit' and 'sigmoidDomain' where the row says so. */
export function variantsOf(def: ActivationDef): Variant[] {
  return ['none', ...(def.perUnit ? ['perUnit' as const] : []), ...(def.sigmoidDomain ? ['sigmoidDomain' as const] : [])];
}

/** Names of one variant's kernels: forward, backward and, with a trainable parameter, the parameter gradient. */
export function kernelSet(def: ActivationDef, variant: Variant, scalar = false): KernelSet {
  const name = (op: string) => `${def.name}${SUFFIX[variant]}_${op}${scalar ? '_scalar' : ''}` as ExportName;
  return { fwd: name('fwd'), bwd: name('bwd'), ...(def.params.some((p) => p.trainable) ? { pgrad: name('pgrad') } : {}) };
}
