// Activation kernels by number, for the network's single-call training step.
// The number of an activation is its index in the kernel table (ACTIVATIONS in src/kernels.ts); tests/dispatch.test.ts
// checks, for every table row, that dispatching by number gives the same bits as the named export.
// `v` selects a variant: 1 = per-unit parameters (one per column), 2 = sbaf's sigmoid domain policy.

import * as relu from '../activations/relu';
import * as sbaf from '../activations/sbaf';
import * as softmax from '../activations/softmax';
import * as elu from '../activations/elu';
import * as sigmoid from '../activations/sigmoid';

/** y = f(x) for a rows x cols block. */
export function act_fwd(id: i32, x: usize, y: usize, rows: i32, cols: i32, p: usize, v: i32): void {
  const n = rows * cols;
  switch (id) {
    case 0: relu.linear_fwd(x, y, n, p); break;
    case 1: relu.relu_fwd(x, y, n, p); break;
    case 2: relu.relu6_fwd(x, y, n, p); break;
    case 3: relu.leakyRelu_fwd(x, y, n, p); break;
    case 4: if (v == 1) relu.prelu_pu_fwd(x, y, rows, cols, p); else relu.prelu_fwd(x, y, n, p); break;
    case 5: relu.hardTanh_fwd(x, y, n, p); break;
    case 6: if (v == 2) sbaf.sbaf_sigmoid_fwd(x, y, n, p); else sbaf.sbaf_fwd(x, y, n, p); break;
    case 7: sbaf.arelu_fwd(x, y, n, p); break;
    case 8: softmax.softmax_fwd(x, y, rows, cols); break;
    case 9: softmax.logSoftmax_fwd(x, y, rows, cols); break;
    case 10: elu.elu_fwd(x, y, n, p); break;
    case 11: elu.celu_fwd(x, y, n, p); break;
    case 12: elu.selu_fwd(x, y, n, p); break;
    case 13: sigmoid.sigmoid_fwd(x, y, n, p); break;
    case 14: sigmoid.logSigmoid_fwd(x, y, n, p); break;
    case 15: sigmoid.hardSigmoid_fwd(x, y, n, p); break;
    case 16: sigmoid.tanh_fwd(x, y, n, p); break;
    case 17: sigmoid.softsign_fwd(x, y, n, p); break;
    default: unreachable();
  }
}

/** dx = dy * f'(x) (row-wise activations use the forward output y instead of x). */
export function act_bwd(id: i32, x: usize, y: usize, dy: usize, dx: usize, rows: i32, cols: i32, p: usize, v: i32): void {
  const n = rows * cols;
  switch (id) {
    case 0: relu.linear_bwd(x, dy, dx, n, p); break;
    case 1: relu.relu_bwd(x, dy, dx, n, p); break;
    case 2: relu.relu6_bwd(x, dy, dx, n, p); break;
    case 3: relu.leakyRelu_bwd(x, dy, dx, n, p); break;
    case 4: if (v == 1) relu.prelu_pu_bwd(x, dy, dx, rows, cols, p); else relu.prelu_bwd(x, dy, dx, n, p); break;
    case 5: relu.hardTanh_bwd(x, dy, dx, n, p); break;
    case 6: if (v == 2) sbaf.sbaf_sigmoid_bwd(x, dy, dx, n, p); else sbaf.sbaf_bwd(x, dy, dx, n, p); break;
    case 7: sbaf.arelu_bwd(x, dy, dx, n, p); break;
    case 8: softmax.softmax_bwd(y, dy, dx, rows, cols); break;
    case 9: softmax.logSoftmax_bwd(y, dy, dx, rows, cols); break;
    case 10: elu.elu_bwd(x, dy, dx, n, p); break;
    case 11: elu.celu_bwd(x, dy, dx, n, p); break;
    case 12: elu.selu_bwd(x, dy, dx, n, p); break;
    case 13: sigmoid.sigmoid_bwd(x, dy, dx, n, p); break;
    case 14: sigmoid.logSigmoid_bwd(x, dy, dx, n, p); break;
    case 15: sigmoid.hardSigmoid_bwd(x, dy, dx, n, p); break;
    case 16: sigmoid.tanh_bwd(x, dy, dx, n, p); break;
    case 17: sigmoid.softsign_bwd(x, dy, dx, n, p); break;
    default: unreachable();
  }
}

/** Gradients of the trainable activation parameters (written to g). */
export function act_pgrad(id: i32, x: usize, dy: usize, rows: i32, cols: i32, p: usize, g: usize, v: i32): void {
  const n = rows * cols;
  switch (id) {
    case 4: if (v == 1) relu.prelu_pu_pgrad(x, dy, rows, cols, p, g); else relu.prelu_pgrad(x, dy, n, p, g); break;
    case 6: if (v == 2) sbaf.sbaf_sigmoid_pgrad(x, dy, n, p, g); else sbaf.sbaf_pgrad(x, dy, n, p, g); break;
    case 7: sbaf.arelu_pgrad(x, dy, n, p, g); break;
    default: break; // no trainable parameters
  }
}
