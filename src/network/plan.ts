/**
 * The plan: the network as assembly/nn/net.ts reads it from linear memory (a header of 64 words, then 32 words per
 * layer), with the word offsets and the codes of losses, optimizers, initializers and kernel variants generated
 * from the one ABI description (scripts/gen-abi.mjs) that assembly/nn/net.ts reads too.
 * @module
 */
import type { Activation } from '../activation.js';
import type { ActivationDef } from '../activations/types.js';
import type { InitName, LayerSpec, LossName, NormalizedOptimizer, OptimizerName } from './types.js';

import {
  H, HEADER_WORDS, INIT_CODES as INITS, KIND_CODES, L, LAYER_WORDS, LOSS_CODES as LOSSES, OPTIMIZER_CODES as OPTIMIZERS,
  VARIANT_CODES,
} from '../generated/abi.js';

export { H, L, HEADER_WORDS, LAYER_WORDS, KIND_CODES };

// Name tables are Maps: a lookup never reaches Object.prototype ('toString', 'constructor', '__proto__').
/** Loss codes (generated from the ABI description, scripts/gen-abi.mjs). */
export const LOSS_CODES: ReadonlyMap<string, number> = new Map<LossName, number>(Object.entries(LOSSES) as [LossName, number][]);
/** Optimizer codes. */
export const OPTIMIZER_CODES: ReadonlyMap<string, number> = new Map<OptimizerName, number>(Object.entries(OPTIMIZERS) as [OptimizerName, number][]);
/** Weight initializer codes. */
export const INIT_CODES: ReadonlyMap<string, number> = new Map<InitName, number>(Object.entries(INITS) as [InitName, number][]);

/** Word index of layer `li`'s first word, relative to the plan. */
export function layerWord(li: number): number { return HEADER_WORDS + LAYER_WORDS * li; }

/** One layer's memory: its parameter blocks, gradients, optimizer moments and projection bounds (byte addresses). */
export interface LayerState {
  readonly spec: LayerSpec;
  readonly act: Activation;
  readonly def: ActivationDef;
  /** The activation's number (its row in ACTIVATIONS). */
  readonly id: number;
  readonly in: number;
  readonly out: number;
  readonly W: number;
  readonly b: number;
  readonly gW: number;
  readonly gb: number;
  readonly gP: number;
  readonly mask: number;
  readonly lo: number;
  readonly hi: number;
  readonly np: number;
  readonly hasPg: boolean;
  /** Moment blocks: [mW, mb, mP] per slot. */
  readonly opt: number[];
  /** Values in W and b: in x out and out (dense), out and out (batchNorm, layerNorm: gamma and beta), 0 (dropout). */
  readonly nw: number;
  readonly nb: number;
  /** batchNorm: running mean then running variance (2 out f32); else 0. */
  readonly rm: number;
}

/** The plan's size in bytes for `layers` layers. */
export function planBytes(layers: number): number { return (HEADER_WORDS + LAYER_WORDS * layers) * 4; }

/** Writes everything of the plan that does not depend on the row capacity. */
export function writePlanStatic(buf: ArrayBufferLike, plan: number, net: {
  inputs: number; loss: LossName; optimizer: NormalizedOptimizer; clipNorm: number; diag: number; rng: number; layers: readonly LayerState[];
}): void {
  const i32 = new Int32Array(buf), f32 = new Float32Array(buf);
  const P = plan >> 2;
  const o = net.optimizer;
  i32[P + H.LAYERS] = net.layers.length;
  i32[P + H.INPUTS] = net.inputs;
  i32[P + H.LOSS] = LOSS_CODES.get(net.loss)!;
  i32[P + H.OPT] = OPTIMIZER_CODES.get(o.name)!;
  f32[P + H.LR] = o.learningRate;
  f32[P + H.B1] = (o.beta1 ?? o.momentum ?? 0) as number;
  f32[P + H.B2] = (o.beta2 ?? o.rho ?? 0) as number;
  f32[P + H.EPS] = (o.epsilon ?? 0) as number;
  f32[P + H.WD] = o.weightDecay;
  i32[P + H.NESTEROV] = o.nesterov ? 1 : 0;
  f32[P + H.CLIP] = net.clipNorm;
  i32[P + H.T] = 0; f32[P + H.B1T] = 1; f32[P + H.B2T] = 1;
  i32[P + H.DIAG] = net.diag;
  i32[P + H.RNG] = net.rng;
  net.layers.forEach((l, li) => {
    const base = P + layerWord(li);
    i32[base + L.IN] = l.in; i32[base + L.OUT] = l.out; i32[base + L.W] = l.W; i32[base + L.B] = l.b;
    i32[base + L.ACT] = l.id; i32[base + L.P] = l.act.paramPtr;
    // Kernel variant: per-unit parameters, or sbaf's sigmoid domain policy (see assembly/nn/dispatch.ts).
    i32[base + L.PU] = l.act.units !== undefined ? VARIANT_CODES.perUnit : l.act.domain === 'sigmoid' ? VARIANT_CODES.sigmoidDomain : VARIANT_CODES.none;
    i32[base + L.GW] = l.gW; i32[base + L.GB] = l.gb; i32[base + L.GP] = l.gP; i32[base + L.NP] = l.np;
    i32[base + L.MASK] = l.mask; i32[base + L.HASPG] = l.hasPg ? 1 : 0; i32[base + L.LO] = l.lo; i32[base + L.HI] = l.hi;
    i32[base + L.FROZEN] = l.spec.trainable === false ? 1 : 0;
    f32[base + L.L1] = l.spec.l1 ?? 0; f32[base + L.L2] = l.spec.l2 ?? 0;
    const k = l.spec.kind;
    i32[base + L.KIND] = k ? KIND_CODES[k] : KIND_CODES.dense;
    f32[base + L.FA] = (k === 'dropout' ? l.spec.rate : l.spec.momentum) ?? 0;
    f32[base + L.FB] = l.spec.epsilon ?? 0;
    i32[base + L.RM] = l.rm;
    const [mW = 0, mb = 0, mP = 0, vW = 0, vb = 0, vP = 0] = l.opt;
    i32[base + L.MW] = mW; i32[base + L.MB] = mb; i32[base + L.MP] = mP;
    i32[base + L.VW] = vW; i32[base + L.VB] = vb; i32[base + L.VP] = vP;
  });
}

/** Row buffers of one capacity: per layer Z, Y, dZ, and the shared scratch and ping-pong gradient buffers. */
export interface RowPointers {
  readonly rows: number;
  readonly scratch: number;
  readonly dA: number;
  readonly dB: number;
  readonly layers: readonly { readonly Z: number; readonly Y: number; readonly dZ: number; readonly stat: number }[];
}

/** Points the plan at a new set of row buffers. */
export function writeRowPointers(buf: ArrayBufferLike, plan: number, r: RowPointers): void {
  const P = plan >> 2;
  const i32 = new Int32Array(buf);
  i32[P + H.CAPACITY] = r.rows; i32[P + H.SCRATCH] = r.scratch; i32[P + H.DA] = r.dA; i32[P + H.DB] = r.dB;
  r.layers.forEach((b, li) => {
    const base = P + layerWord(li);
    i32[base + L.Z] = b.Z; i32[base + L.Y] = b.Y; i32[base + L.DZ] = b.dZ; i32[base + L.STAT] = b.stat;
  });
}

/** A parameter bound as an f32: infinite bounds become the largest finite f32, exclusive ones move one step inside. */
export function boundF32(v: number, exclusive: boolean, dir: 1 | -1): number {
  const MAX = 3.4028234663852886e38;
  if (!Number.isFinite(v)) return v > 0 ? MAX : -MAX;
  const f = new Float32Array([v]);
  if (!exclusive) return f[0]!;
  const u = new Int32Array(f.buffer);
  if (f[0] === 0) { u[0] = dir > 0 ? 1 : -2147483647; return f[0]!; }
  // Moving the bit pattern by one moves away from zero for positive numbers and toward it for negative ones.
  u[0]! += (f[0]! > 0) === (dir > 0) ? 1 : -1;
  return f[0]!;
}

// The generated codes name exactly what the API accepts: a loss, optimizer or initializer missing from the ABI
// description is a compile error here.
LOSSES satisfies Record<LossName, number>;
OPTIMIZERS satisfies Record<OptimizerName, number>;
INITS satisfies Record<InitName, number>;
