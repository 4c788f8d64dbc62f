// Layer normalization (Ba, Kiros & Hinton 2016) of a rows x cols block, statistics per row over its cols features,
// with a per-feature affine map (PyTorch's nn.LayerNorm over the last axis, Keras' LayerNormalization(axis=-1)):
//   mean = sum x / n, var = sum (x - mean)^2 / n, r = 1 / sqrt(var + eps), xhat = (x - mean) r, y = xhat gamma + beta.
// Same in training and inference. A row's sums are taken in the SIMD kernel's order by both kernels: four lane sums
// over the full blocks of four, combined as (l0 + l1) + (l2 + l3), then the tail element by element: same bits.
// stat: rows f32, r per row (written by the forward pass, read by the backward pass).

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Sum over a row of f(a[j], b[j]) in the fixed lane order (op 0: a - m squared; 1: a; 2: a b; 3: a g b, g = gamma). */
function rowSum(a: usize, b: usize, g: usize, m: f32, cols: i32, op: i32, simd: bool): f32 {
  let j = 0;
  let l0: f32 = 0, l1: f32 = 0, l2: f32 = 0, l3: f32 = 0;
  if (simd) {
    let acc = f32x4.splat(0);
    const mv = f32x4.splat(m);
    for (; j + 4 <= cols; j += 4) {
      const av = v128.load(at(a, j));
      let t: v128;
      if (op == 0) { const d = f32x4.sub(av, mv); t = f32x4.mul(d, d); }
      else if (op == 1) t = av;
      else if (op == 2) t = f32x4.mul(av, v128.load(at(b, j)));
      else t = f32x4.mul(f32x4.mul(av, v128.load(at(g, j))), v128.load(at(b, j)));
      acc = f32x4.add(acc, t);
    }
    l0 = f32x4.extract_lane(acc, 0); l1 = f32x4.extract_lane(acc, 1); l2 = f32x4.extract_lane(acc, 2); l3 = f32x4.extract_lane(acc, 3);
  } else {
    for (; j + 4 <= cols; j += 4) {
      l0 += term(a, b, g, m, j, op); l1 += term(a, b, g, m, j + 1, op);
      l2 += term(a, b, g, m, j + 2, op); l3 += term(a, b, g, m, j + 3, op);
    }
  }
  let s = (l0 + l1) + (l2 + l3);
  for (; j < cols; j++) s += term(a, b, g, m, j, op);
  return s;
}

// @ts-ignore: decorator
@inline function term(a: usize, b: usize, g: usize, m: f32, j: i32, op: i32): f32 {
  const v = load<f32>(at(a, j));
  if (op == 0) { const d = v - m; return d * d; }
  if (op == 1) return v;
  if (op == 2) return v * load<f32>(at(b, j));
  return v * load<f32>(at(g, j)) * load<f32>(at(b, j));
}

// @ts-ignore: decorator
@inline function fwd(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32, simd: bool): void {
  const nf = <f32>cols;
  for (let i = 0; i < rows; i++) {
    const o = i * cols, xr = at(x, o), hr = at(xhat, o), yr = at(y, o);
    const m = rowSum(xr, 0, 0, 0, cols, 1, simd) / nf;
    const r = <f32>1 / sqrt<f32>(rowSum(xr, 0, 0, m, cols, 0, simd) / nf + eps);
    store<f32>(at(stat, i), r);
    let j = 0;
    if (simd) {
      const mv = f32x4.splat(m), rv = f32x4.splat(r);
      for (; j + 4 <= cols; j += 4) {
        const h = f32x4.mul(f32x4.sub(v128.load(at(xr, j)), mv), rv);
        v128.store(at(hr, j), h);
        v128.store(at(yr, j), f32x4.add(f32x4.mul(h, v128.load(at(gamma, j))), v128.load(at(beta, j))));
      }
    }
    for (; j < cols; j++) {
      const h = (load<f32>(at(xr, j)) - m) * r;
      store<f32>(at(hr, j), h);
      store<f32>(at(yr, j), h * load<f32>(at(gamma, j)) + load<f32>(at(beta, j)));
    }
  }
}

/** Forward (training and inference alike). xhat must not alias x; y may. */
export function layernorm_fwd(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32): void {
  fwd(x, xhat, y, rows, cols, gamma, beta, stat, eps, true);
}
export function layernorm_fwd_scalar(x: usize, xhat: usize, y: usize, rows: i32, cols: i32, gamma: usize, beta: usize, stat: usize, eps: f32): void {
  fwd(x, xhat, y, rows, cols, gamma, beta, stat, eps, false);
}

// @ts-ignore: decorator
@inline function bwd(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize, simd: bool): void {
  memory.fill(dgamma, 0, <usize>cols << 2);
  memory.fill(dbeta, 0, <usize>cols << 2);
  const nf = <f32>cols;
  for (let i = 0; i < rows; i++) {
    const o = i * cols, gr = at(dy, o), hr = at(xhat, o), dr = at(dx, o);
    // g = dy gamma; dx = r ((g - mean(g)) - xhat mean(g xhat)).
    const r = load<f32>(at(stat, i));
    const s1 = rowSum(gr, gamma, 0, 0, cols, 2, simd) / nf;
    const s2 = rowSum(gr, hr, gamma, 0, cols, 3, simd) / nf;
    let j = 0;
    if (simd) {
      const av = f32x4.splat(s1), cv = f32x4.splat(s2), rv = f32x4.splat(r);
      for (; j + 4 <= cols; j += 4) {
        const g = v128.load(at(gr, j)), h = v128.load(at(hr, j));
        v128.store(at(dbeta, j), f32x4.add(v128.load(at(dbeta, j)), g));
        v128.store(at(dgamma, j), f32x4.add(v128.load(at(dgamma, j)), f32x4.mul(g, h)));
        const t = f32x4.sub(f32x4.sub(f32x4.mul(g, v128.load(at(gamma, j))), av), f32x4.mul(h, cv));
        v128.store(at(dr, j), f32x4.mul(rv, t));
      }
    }
    for (; j < cols; j++) {
      const g = load<f32>(at(gr, j)), h = load<f32>(at(hr, j));
      store<f32>(at(dbeta, j), load<f32>(at(dbeta, j)) + g);
      store<f32>(at(dgamma, j), load<f32>(at(dgamma, j)) + g * h);
      store<f32>(at(dr, j), r * ((g * load<f32>(at(gamma, j)) - s1) - h * s2));
    }
  }
}

/**
 * Backward: dgamma = sum over rows of dy xhat, dbeta = sum of dy (written, not accumulated), and dx. dx may alias dy.
 */
export function layernorm_bwd(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize): void {
  bwd(dy, xhat, dx, rows, cols, gamma, stat, dgamma, dbeta, true);
}
export function layernorm_bwd_scalar(dy: usize, xhat: usize, dx: usize, rows: i32, cols: i32, gamma: usize, stat: usize, dgamma: usize, dbeta: usize): void {
  bwd(dy, xhat, dx, rows, cols, gamma, stat, dgamma, dbeta, false);
}
