// Batch normalization (Ioffe & Szegedy 2015) of a rows x cols block, statistics per column (unit) over the rows:
//   mean = sum x / N, var = sum (x - mean)^2 / N (biased, as both PyTorch and Keras normalize with it),
//   r = 1 / sqrt(var + eps), xhat = (x - mean) r, y = xhat gamma + beta.
// Inference uses the running statistics in the same expression (mean -> running mean, var -> running var), so a
// batch whose statistics equal the running ones gives the same bits in both modes.
// Every loop walks the rows in order and the columns left to right (SIMD: four columns per vector, the tail one by
// one), so each column's sums are taken in the same order in the SIMD kernel and its scalar twin: same bits.
// stat: 3 cols f32, written by the forward pass: mean, var, r (the backward pass overwrites mean and var).

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

// @ts-ignore: decorator
@inline function fwd(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32, simd: bool): void {
  const mean = stat, vr = at(stat, cols), r = at(stat, 2 * cols);
  const nf = <f32>rows;
  memory.fill(stat, 0, <usize>(2 * cols) << 2);
  for (let i = 0; i < rows; i++) {
    const xr = at(x, i * cols);
    let j = 0;
    if (simd) for (; j + 4 <= cols; j += 4) v128.store(at(mean, j), f32x4.add(v128.load(at(mean, j)), v128.load(at(xr, j))));
    for (; j < cols; j++) store<f32>(at(mean, j), load<f32>(at(mean, j)) + load<f32>(at(xr, j)));
  }
  for (let j = 0; j < cols; j++) store<f32>(at(mean, j), load<f32>(at(mean, j)) / nf);
  for (let i = 0; i < rows; i++) {
    const xr = at(x, i * cols);
    let j = 0;
    if (simd) for (; j + 4 <= cols; j += 4) {
      const d = f32x4.sub(v128.load(at(xr, j)), v128.load(at(mean, j)));
      v128.store(at(vr, j), f32x4.add(v128.load(at(vr, j)), f32x4.mul(d, d)));
    }
    for (; j < cols; j++) { const d = load<f32>(at(xr, j)) - load<f32>(at(mean, j)); store<f32>(at(vr, j), load<f32>(at(vr, j)) + d * d); }
  }
  for (let j = 0; j < cols; j++) {
    const v = load<f32>(at(vr, j)) / nf;
    store<f32>(at(vr, j), v);
    store<f32>(at(r, j), <f32>1 / sqrt<f32>(v + eps));
  }
  affine(x, xhat, y, rows, cols, gamma, beta, mean, r, simd);
}

/** xhat = (x - m) r; y = xhat gamma + beta, per column m and r (xhat may be 0: not stored). */
function affine(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, m: usize, r: usize, simd: bool): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let j = 0;
    if (simd) for (; j + 4 <= cols; j += 4) {
      const h = f32x4.mul(f32x4.sub(v128.load(at(x, o + j)), v128.load(at(m, j))), v128.load(at(r, j)));
      if (xhat) v128.store(at(xhat, o + j), h);
      v128.store(at(y, o + j), f32x4.add(f32x4.mul(h, v128.load(at(gamma, j))), v128.load(at(beta, j))));
    }
    for (; j < cols; j++) {
      const h = (load<f32>(at(x, o + j)) - load<f32>(at(m, j))) * load<f32>(at(r, j));
      if (xhat) store<f32>(at(xhat, o + j), h);
      store<f32>(at(y, o + j), h * load<f32>(at(gamma, j)) + load<f32>(at(beta, j)));
    }
  }
}

/** Training forward with the batch statistics (written to stat). y may alias x; xhat must not. */
export function batchnorm_fwd(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32): void {
  fwd(x, xhat, y, rows, cols, gamma, beta, stat, eps, true);
}
export function batchnorm_fwd_scalar(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32): void {
  fwd(x, xhat, y, rows, cols, gamma, beta, stat, eps, false);
}

/**
 * Inference forward with the running statistics (running: cols means, then cols variances); scratch: cols f32
 * (receives 1 / sqrt(var + eps)).
 */
export function batchnorm_infer(x: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, running: usize, eps: f32, scratch: usize): void {
  for (let j = 0; j < cols; j++) store<f32>(at(scratch, j), <f32>1 / sqrt<f32>(load<f32>(at(running, cols + j)) + eps));
  affine(x, 0, y, rows, cols, gamma, beta, running, scratch, true);
}
export function batchnorm_infer_scalar(x: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, running: usize, eps: f32, scratch: usize): void {
  for (let j = 0; j < cols; j++) store<f32>(at(scratch, j), <f32>1 / sqrt<f32>(load<f32>(at(running, cols + j)) + eps));
  affine(x, 0, y, rows, cols, gamma, beta, running, scratch, false);
}

/**
 * Running statistics after a training forward (PyTorch's convention): running = (1 - momentum) running +
 * momentum batch, with the unbiased variance var N / (N - 1) (the biased one when N = 1).
 */
export function batchnorm_running(stat: usize, running: usize, rows: i32, cols: i32, momentum: f32): void {
  const keep = <f32>1 - momentum;
  const c: f32 = rows > 1 ? <f32>rows / <f32>(rows - 1) : 1;
  for (let j = 0; j < cols; j++) {
    const m = at(running, j), v = at(running, cols + j);
    store<f32>(m, keep * load<f32>(m) + momentum * load<f32>(at(stat, j)));
    store<f32>(v, keep * load<f32>(v) + momentum * (load<f32>(at(stat, cols + j)) * c));
  }
}

// @ts-ignore: decorator
@inline function bwd(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize, simd: bool): void {
  memory.fill(dgamma, 0, <usize>cols << 2);
  memory.fill(dbeta, 0, <usize>cols << 2);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let j = 0;
    if (simd) for (; j + 4 <= cols; j += 4) {
      const g = v128.load(at(dy, o + j));
      v128.store(at(dbeta, j), f32x4.add(v128.load(at(dbeta, j)), g));
      v128.store(at(dgamma, j), f32x4.add(v128.load(at(dgamma, j)), f32x4.mul(g, v128.load(at(xhat, o + j)))));
    }
    for (; j < cols; j++) {
      const g = load<f32>(at(dy, o + j));
      store<f32>(at(dbeta, j), load<f32>(at(dbeta, j)) + g);
      store<f32>(at(dgamma, j), load<f32>(at(dgamma, j)) + g * load<f32>(at(xhat, o + j)));
    }
  }
  // dx = gamma r ((dy - mean(dy)) - xhat mean(dy xhat)); a = mean(dy) and c = mean(dy xhat) replace mean and var.
  const a = stat, c = at(stat, cols), r = at(stat, 2 * cols);
  const nf = <f32>rows;
  for (let j = 0; j < cols; j++) {
    store<f32>(at(a, j), load<f32>(at(dbeta, j)) / nf);
    store<f32>(at(c, j), load<f32>(at(dgamma, j)) / nf);
  }
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let j = 0;
    if (simd) for (; j + 4 <= cols; j += 4) {
      const k = f32x4.mul(v128.load(at(gamma, j)), v128.load(at(r, j)));
      const t = f32x4.sub(f32x4.sub(v128.load(at(dy, o + j)), v128.load(at(a, j))), f32x4.mul(v128.load(at(xhat, o + j)), v128.load(at(c, j))));
      v128.store(at(dx, o + j), f32x4.mul(k, t));
    }
    for (; j < cols; j++) {
      const k = load<f32>(at(gamma, j)) * load<f32>(at(r, j));
      const t = (load<f32>(at(dy, o + j)) - load<f32>(at(a, j))) - load<f32>(at(xhat, o + j)) * load<f32>(at(c, j));
      store<f32>(at(dx, o + j), k * t);
    }
  }
}

/**
 * Backward of batchnorm_fwd (batch statistics): dgamma = sum dy xhat, dbeta = sum dy (written), and dx. dx may alias
 * dy. stat is the forward's; its mean and var are overwritten.
 */
export function batchnorm_bwd(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize): void {
  bwd(dy, xhat, dx, rows, cols, gamma, stat, dgamma, dbeta, true);
}
export function batchnorm_bwd_scalar(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize): void {
  bwd(dy, xhat, dx, rows, cols, gamma, stat, dgamma, dbeta, false);
}
