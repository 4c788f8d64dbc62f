/**
 * The one rule that names an activation's kernels: `<name>[_pu|_sigmoid]_<fwd|bwd|pgrad>[_scalar]`. The host calls
 * what it returns, and scripts/gen-abi.mjs (which bundles this file) writes the wasm dispatch and
 * src/generated/kernels.ts with it; that generated file lists every name the table implies as `ExportName`s, so a
 * row whose kernel the module does not export fails to compile.
 *
 * It also lists every kernel the host calls ({@link hostKernels}). The shipped builds export the i-th of them as
 * {@link shortExportName}(i) (scripts/gen-release-index.mjs), the twins build under its own name; the engine maps
 * the short names back at load, so host code, tests and benchmarks only ever see the readable names.
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

/** Exports src/network/ calls (besides the activation kernels). */
const NETWORK_KERNELS = [
  'col_stats', 'count_correct', 'first_nonfinite', 'gather_i32', 'gather_rows', 'gemm_scratch_bytes', 'init_weights',
  'net_forward', 'net_gradients', 'net_loss', 'net_output', 'net_train_step', 'rng_permutation', 'rng_seed',
] as const satisfies readonly ExportName[];

/**
 * Every kernel the host calls, in a fixed order: the network's, then each row's (every variant; the scalar twins
 * with `scalar`). A module without one of them fails at load, naming it.
 */
export function hostKernels(table: readonly ActivationDef[], scalar: boolean): ExportName[] {
  return [...NETWORK_KERNELS, ...table.flatMap((def) => variantsOf(def).flatMap((v) => Object.values(kernelSet(def, v, scalar))))];
}

/**
 * The name under which the shipped builds export the i-th of {@link hostKernels}(table, false): `_` and i in base 36
 * (about 350 bytes less brotli than the readable names).
 */
export function shortExportName(i: number): string { return `_${i.toString(36)}`; }

/** Names of one variant's kernels: forward, backward and, with a trainable parameter, the parameter gradient. */
export function kernelSet(def: ActivationDef, variant: Variant, scalar = false): KernelSet {
  const name = (op: string) => `${def.name}${SUFFIX[variant]}_${op}${scalar ? '_scalar' : ''}` as ExportName;
  return { fwd: name('fwd'), bwd: name('bwd'), ...(def.params.some((p) => p.trainable) ? { pgrad: name('pgrad') } : {}) };
}
