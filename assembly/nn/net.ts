// A dense network as a plan in linear memory, and one wasm call per training step.
//
// The host (src/network/plan.ts) lays the plan out and owns every buffer; this file only walks it. A whole training step
// (forward, fused loss, backward, gradient clipping, optimizer update) is one call, so a tiny network at batch 1
// pays the JS -> wasm call cost once per step.
//
// Plan layout (32-bit words at `plan`):
//   header, HEADER_WORDS (64) words: H_*; layer l at plan + (HEADER_WORDS + LAYER_WORDS l) * 4, LAYER_WORDS (32)
//   words: L_*. All generated from scripts/gen-abi.mjs.
// Matrices are row-major; W is stored [in, out] so Z = X W + b (gemm_nn), dX = dZ W^T (gemm_nt), dW = X^T dZ (gemm_tn).

import { gemm_nn, gemm_nt, gemm_tn } from './gemm';
import { gemv_bias } from './gemv';
import { biasAct, actBwd, sumRows, updateLayers, blockUpdate } from './threads';
import { loss_mse, loss_bce_logits, loss_softmax_ce, loss_softmax_ce_labels, loss_weighted } from './loss';
import { sum_squares, scale_inplace, weight_penalty } from './optim';
import { act_fwd, act_bwd, act_pgrad } from './dispatch';
import { rng_bernoulli_mask } from './rng';
import { dropout_fwd, dropout_bwd } from './dropout';
import { batchnorm_fwd, batchnorm_infer, batchnorm_running, batchnorm_bwd } from './batchnorm';
import { layernorm_fwd, layernorm_bwd } from './layernorm';

// Plan word offsets (H_*, L_*), loss codes (LOSS_*) and optimizer codes (OPT_*): generated from the one ABI
// description in scripts/gen-abi.mjs, which src/network/plan.ts reads too.
import {
  HEADER_WORDS, LAYER_WORDS, H_LAYERS, H_INPUTS, H_LOSS, H_OPT, H_LR, H_B1, H_B2, H_EPS, H_WD, H_NESTEROV, H_CLIP, H_T,
  H_B1T, H_B2T, H_SCRATCH, H_DA, H_DB, H_DIAG, H_DIAG_ON, L_IN, L_OUT, L_W, L_B, L_ACT, L_P, L_PU, L_Z, L_Y, L_DZ, L_GW,
  L_GB, L_GP, L_NP, L_MASK, L_MW, L_VW, L_MB, L_VB, L_MP, L_VP, L_HASPG, L_LO, L_HI, L_FROZEN, LOSS_MSE, LOSS_BCE, LOSS_CE,
  OPT_SGD, OPT_MOMENTUM, OPT_RMSPROP, OPT_ADAMW, H_RNG, L_KIND, L_FA, L_FB, L_RM, L_STAT, KIND_DENSE, KIND_DROPOUT,
  KIND_BATCHNORM, L_L1, L_L2, H_SW,
} from '../generated/abi';

// @ts-ignore: decorator
@inline function hi(plan: usize, w: i32): i32 { return load<i32>(plan + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function hf(plan: usize, w: i32): f32 { return load<f32>(plan + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function layer(plan: usize, l: i32): usize { return plan + (<usize>(HEADER_WORDS + LAYER_WORDS * l) << 2); }
// @ts-ignore: decorator
@inline function li(L: usize, w: i32): i32 { return load<i32>(L + (<usize>w << 2)); }
// @ts-ignore: decorator
@inline function lp(L: usize, w: i32): usize { return <usize>load<u32>(L + (<usize>w << 2)); }

/** Whether the last layer's activation is folded into the loss (sigmoid + bce, softmax + cross-entropy). */
// @ts-ignore: decorator
@inline function fused(plan: usize): bool { return hi(plan, H_LOSS) != LOSS_MSE; }

// @ts-ignore: decorator
@inline function lf(L: usize, w: i32): f32 { return load<f32>(L + (<usize>w << 2)); }
/** Values in a layer's weight block (dense: in x out; batchNorm, layerNorm: gamma; dropout: none) and bias block. */
// @ts-ignore: decorator
@inline function nw(L: usize): i32 { const k = li(L, L_KIND); return k == KIND_DENSE ? li(L, L_IN) * li(L, L_OUT) : k == KIND_DROPOUT ? 0 : li(L, L_OUT); }
// @ts-ignore: decorator
@inline function nb(L: usize): i32 { return li(L, L_KIND) == KIND_DROPOUT ? 0 : li(L, L_OUT); }

/**
 * Forward of a dropout, batchNorm or layerNorm layer; returns the next layer's input. mode 0: inference (dropout is
 * the identity, batchNorm uses its running statistics); 1: batch statistics, dropout kept whole (mask of ones), no
 * state changes (lossAndGradients); 2: training (masks drawn from the generator, running statistics updated).
 */
function layerFwd(plan: usize, L: usize, x: usize, rows: i32, mode: i32): usize {
  const kind = li(L, L_KIND), n = li(L, L_OUT), y = lp(L, L_Y), z = lp(L, L_Z), st = lp(L, L_STAT);
  if (kind == KIND_DROPOUT) {
    if (mode == 0) return x;
    if (mode == 2) rng_bernoulli_mask(<usize>hi(plan, H_RNG), z, rows * n, <f32>1 - lf(L, L_FA));
    else for (let i = 0; i < rows * n; i++) store<f32>(z + (<usize>i << 2), 1); // mode 1: nothing drawn
    dropout_fwd(x, z, y, rows * n);
  } else if (kind == KIND_BATCHNORM) {
    if (mode == 0) batchnorm_infer(x, y, rows, n, lp(L, L_W), lp(L, L_B), lp(L, L_RM), lf(L, L_FB), st);
    else {
      batchnorm_fwd(x, z, y, rows, n, lp(L, L_W), lp(L, L_B), st, lf(L, L_FB));
      if (mode == 2) batchnorm_running(st, lp(L, L_RM), rows, n, lf(L, L_FA));
    }
  } else layernorm_fwd(x, z, y, rows, n, lp(L, L_W), lp(L, L_B), st, lf(L, L_FB));
  return y;
}

/** Forward through every layer. `full`: also apply the last activation when the loss would fuse it. mode: see layerFwd. */
function forward(plan: usize, x: usize, rows: i32, full: bool, mode: i32 = 0): void {
  const n = hi(plan, H_LAYERS);
  const scratch = <usize>hi(plan, H_SCRATCH);
  let input = x;
  for (let l = 0; l < n; l++) {
    const L = layer(plan, l);
    if (li(L, L_KIND) != KIND_DENSE) { input = layerFwd(plan, L, input, rows, mode); continue; }
    const din = li(L, L_IN), dout = li(L, L_OUT);
    const apply = l < n - 1 || full || !fused(plan);
    if (rows == 1) {
      gemv_bias(dout, din, input, lp(L, L_W), lp(L, L_B), lp(L, L_Z)); // same bits, no packing, bias fused
      if (apply) act_fwd(li(L, L_ACT), lp(L, L_Z), lp(L, L_Y), rows, dout, lp(L, L_P), li(L, L_PU));
    } else {
      gemm_nn(rows, dout, din, input, lp(L, L_W), lp(L, L_Z), 0, scratch);
      biasAct(lp(L, L_Z), lp(L, L_B), lp(L, L_Y), rows, dout, li(L, L_ACT), lp(L, L_P), li(L, L_PU), apply); // assembly/nn/threads.ts
    }
    input = lp(L, L_Y);
  }
}

/** Output pointer after `net_forward`: the last layer's activation output. */
export function net_output(plan: usize): usize {
  return lp(layer(plan, hi(plan, H_LAYERS) - 1), L_Y);
}

/** Inference: y = net(x) for `rows` rows (rows <= the capacity the plan was sized for). */
export function net_forward(plan: usize, x: usize, rows: i32): void {
  forward(plan, x, rows, true);
}

/**
 * Loss of the last forward pass's output layer against targets `t` (f32 rows x outputs) or integer `labels`
 * (i32 rows, used when t == 0). Writes the gradient w.r.t. the last layer's pre-activation into its dZ when `grad`.
 */
function lossOf(plan: usize, t: usize, labels: usize, rows: i32, grad: bool): f64 {
  const L = layer(plan, hi(plan, H_LAYERS) - 1);
  const out = li(L, L_OUT);
  const kind = hi(plan, H_LOSS);
  const dz = grad ? lp(L, L_DZ) : 0;
  const sw = <usize>hi(plan, H_SW);
  if (sw && kind != LOSS_MSE) return loss_weighted(kind, lp(L, L_Z), t, labels, sw, rows, out, dz);
  if (kind == LOSS_CE) {
    if (t == 0) return loss_softmax_ce_labels(lp(L, L_Z), labels, rows, out, dz);
    return loss_softmax_ce(lp(L, L_Z), t, rows, out, dz);
  }
  if (kind == LOSS_BCE) return loss_bce_logits(lp(L, L_Z), t, rows, out, dz);
  // mse on the activation output; dL/dY goes to the ping-pong buffer, then through the activation's backward.
  const dy = grad ? <usize>hi(plan, H_DA) : 0;
  const loss = sw ? loss_weighted(kind, lp(L, L_Y), t, 0, sw, rows, out, dy) : loss_mse(lp(L, L_Y), t, rows, out, dy);
  if (grad) {
    act_bwd(li(L, L_ACT), lp(L, L_Z), lp(L, L_Y), dy, lp(L, L_DZ), rows, out, lp(L, L_P), li(L, L_PU));
    if (li(L, L_HASPG)) act_pgrad(li(L, L_ACT), lp(L, L_Z), dy, rows, out, lp(L, L_P), lp(L, L_GP), li(L, L_PU));
  }
  return loss;
}

/**
 * The layers' L1/L2 penalties (weights only) summed in layer order; with `grad` their gradients are added to gW
 * (after the backward pass wrote it). Exactly 0 for a network without penalties.
 */
function penalty(plan: usize, grad: bool): f64 {
  let s: f64 = 0;
  for (let l = 0, n = hi(plan, H_LAYERS); l < n; l++) {
    const L = layer(plan, l);
    const l1 = lf(L, L_L1), l2 = lf(L, L_L2);
    if (l1 != 0 || l2 != 0) s += weight_penalty(lp(L, L_W), grad ? lp(L, L_GW) : 0, li(L, L_IN) * li(L, L_OUT), l1, l2);
  }
  return s;
}

/** Evaluation: forward (with the full output activation) and the mean loss plus the L1/L2 penalties, no gradients. */
export function net_loss(plan: usize, x: usize, t: usize, labels: usize, rows: i32): f64 {
  forward(plan, x, rows, true);
  return lossOf(plan, t, labels, rows, false) + penalty(plan, false);
}

/**
 * Forward, loss and backward: fills every layer's gW, gb and (trainable activations) gP with the gradient of the
 * mean loss over the `rows` rows plus the L1/L2 penalties. Returns that loss. Does not update anything.
 */
export function net_gradients(plan: usize, x: usize, t: usize, labels: usize, rows: i32): f64 {
  return gradients(plan, x, t, labels, rows, 1);
}

function gradients(plan: usize, x: usize, t: usize, labels: usize, rows: i32, mode: i32): f64 {
  forward(plan, x, rows, true, mode);
  const loss = lossOf(plan, t, labels, rows, true);
  const n = hi(plan, H_LAYERS);
  const scratch = <usize>hi(plan, H_SCRATCH);
  let dyBuf = <usize>hi(plan, H_DB);
  let other = <usize>hi(plan, H_DA);
  for (let l = n - 1; l >= 0; l--) {
    const L = layer(plan, l);
    const din = li(L, L_IN), dout = li(L, L_OUT);
    const kind = li(L, L_KIND);
    if (kind != KIND_DENSE) {
      // Never the last layer (the builder ends every network with a dense layer). dx goes to the other buffer.
      if (kind == KIND_DROPOUT) dropout_bwd(dyBuf, lp(L, L_Z), other, rows * dout);
      else if (kind == KIND_BATCHNORM) batchnorm_bwd(dyBuf, lp(L, L_Z), other, rows, dout, lp(L, L_W), lp(L, L_STAT), lp(L, L_GW), lp(L, L_GB));
      else layernorm_bwd(dyBuf, lp(L, L_Z), other, rows, dout, lp(L, L_W), lp(L, L_STAT), lp(L, L_GW), lp(L, L_GB));
      const tmp = dyBuf; dyBuf = other; other = tmp;
      continue;
    }
    if (l < n - 1) {
      // dY of this layer was written into dyBuf by the layer above.
      actBwd(li(L, L_ACT), lp(L, L_Z), lp(L, L_Y), dyBuf, lp(L, L_DZ), rows, dout, lp(L, L_P), li(L, L_PU));
      if (li(L, L_HASPG)) act_pgrad(li(L, L_ACT), lp(L, L_Z), dyBuf, rows, dout, lp(L, L_P), lp(L, L_GP), li(L, L_PU));
    }
    const input = l == 0 ? x : lp(layer(plan, l - 1), L_Y);
    gemm_tn(din, dout, rows, input, lp(L, L_DZ), lp(L, L_GW), 0, scratch);
    sumRows(lp(L, L_DZ), lp(L, L_GB), rows, dout, 0);
    if (l > 0) {
      gemm_nt(rows, din, dout, lp(L, L_DZ), lp(L, L_W), other, 0, scratch);
      const tmp = dyBuf; dyBuf = other; other = tmp;
    }
  }
  return loss + penalty(plan, true);
}

/** Sum of squares of one layer's gradients (weights and bias; activation parameters too). */
function layerGradSq(L: usize): f64 {
  let s = sum_squares(lp(L, L_GW), nw(L)) + sum_squares(lp(L, L_GB), nb(L));
  if (li(L, L_HASPG)) s += sum_squares(lp(L, L_GP), li(L, L_NP));
  return s;
}

/**
 * One training step: gradients of the mean loss, optional clipping by global norm, one optimizer update.
 * Weight decay applies to weights only, never to biases or activation parameters (He et al. 2015 for PReLU).
 * Per-layer gradient norms are added to the diagnostics block (f64 per layer). Returns the loss before the update.
 */
export function net_train_step(plan: usize, x: usize, t: usize, labels: usize, rows: i32): f64 {
  const loss = gradients(plan, x, t, labels, rows, 2);
  const n = hi(plan, H_LAYERS);
  const diag = <usize>hi(plan, H_DIAG);
  const clip = hf(plan, H_CLIP);
  let total: f64 = 0;
  // Gradient norms: only when diagnostics are on (fit) or clipping needs the global norm.
  if (hi(plan, H_DIAG_ON) != 0 || clip > 0) {
    for (let l = 0; l < n; l++) {
      const L = layer(plan, l);
      const s = layerGradSq(L);
      if (!li(L, L_FROZEN)) total += s; // clipping sees the blocks that are updated (as Keras clips trainable variables)
      store<f64>(diag + (<usize>l << 3), load<f64>(diag + (<usize>l << 3)) + sqrt<f64>(s));
    }
  }
  if (clip > 0 && sqrt<f64>(total) > <f64>clip) {
    const s = <f32>(<f64>clip / sqrt<f64>(total));
    for (let l = 0; l < n; l++) {
      const L = layer(plan, l);
      scale_inplace(lp(L, L_GW), nw(L), s);
      scale_inplace(lp(L, L_GB), nb(L), s);
      if (li(L, L_HASPG)) scale_inplace(lp(L, L_GP), li(L, L_NP), s);
    }
  }
  // Step counter and Adam's bias-correction powers, in f32 inside the wasm (no JS Math.pow).
  store<i32>(plan + (<usize>H_T << 2), hi(plan, H_T) + 1);
  store<f32>(plan + (<usize>H_B1T << 2), hf(plan, H_B1T) * hf(plan, H_B1));
  store<f32>(plan + (<usize>H_B2T << 2), hf(plan, H_B2T) * hf(plan, H_B2));
  updateLayers(plan); // weights (decay wd) and biases of every unfrozen layer (assembly/nn/threads.ts)
  for (let l = 0; l < n; l++) {
    const L = layer(plan, l);
    if (li(L, L_FROZEN)) continue; // frozen: gradients flowed through it above, nothing of it changes
    if (li(L, L_HASPG)) {
      // Untrainable entries of the parameter block have a zero mask: their gradient is cleared before the update.
      const np = li(L, L_NP), gp = lp(L, L_GP), mask = lp(L, L_MASK);
      for (let i = 0; i < np; i++) store<f32>(gp + (<usize>i << 2), load<f32>(gp + (<usize>i << 2)) * load<f32>(mask + (<usize>i << 2)));
      blockUpdate(plan, lp(L, L_P), gp, lp(L, L_MP), lp(L, L_VP), np, 0);
      // Keep every parameter inside its valid range (sbaf alpha in (0, 1), k > 0, ...): projected gradient descent.
      const w = lp(L, L_P), lo = lp(L, L_LO), hi = lp(L, L_HI);
      for (let i = 0; i < np; i++) {
        const o = <usize>i << 2;
        store<f32>(w + o, min<f32>(max<f32>(load<f32>(w + o), load<f32>(lo + o)), load<f32>(hi + o)));
      }
    }
  }
  return loss;
}

/** dst[i, :] = src[idx[start + i], :] for i < count (mini-batch gather after a shuffle). */
export function gather_rows(src: usize, idx: usize, start: i32, count: i32, cols: i32, dst: usize): void {
  const bytes = <usize>cols << 2;
  for (let i = 0; i < count; i++) {
    const r = load<i32>(idx + (<usize>(start + i) << 2));
    memory.copy(dst + <usize>i * bytes, src + <usize>r * bytes, bytes);
  }
}

/** dst[i] = src[idx[start + i]] for i32 labels. */
export function gather_i32(src: usize, idx: usize, start: i32, count: i32, dst: usize): void {
  for (let i = 0; i < count; i++) {
    store<i32>(dst + (<usize>i << 2), load<i32>(src + (<usize>load<i32>(idx + (<usize>(start + i) << 2)) << 2)));
  }
}
