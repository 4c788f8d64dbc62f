// Inverted dropout (Srivastava et al. 2014, scaled at training time as in PyTorch and Keras): in training each unit
// is kept with probability keep = 1 - rate and scaled by 1 / keep, so inference is the identity. The mask (0 or
// 1 / keep per element) is drawn by rng_bernoulli_mask (./rng) from the network's seeded generator; these kernels
// apply it. A dropped NaN or infinity gives NaN (x * 0), as in PyTorch. dx may alias dy, y may alias x.

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

function mul(a: usize, m: usize, out: usize, n: i32, simd: bool): void {
  let i = 0;
  if (simd) for (; i + 4 <= n; i += 4) v128.store(at(out, i), f32x4.mul(v128.load(at(a, i)), v128.load(at(m, i))));
  for (; i < n; i++) store<f32>(at(out, i), load<f32>(at(a, i)) * load<f32>(at(m, i)));
}

/** Forward: y[i] = x[i] * mask[i]. */
export function dropout_fwd(x: usize, mask: usize, y: usize, n: i32): void { mul(x, mask, y, n, true); }
export function dropout_fwd_scalar(x: usize, mask: usize, y: usize, n: i32): void { mul(x, mask, y, n, false); }

/** Backward: dx[i] = dy[i] * mask[i] (the same mask as the forward pass). */
export function dropout_bwd(dy: usize, mask: usize, dx: usize, n: i32): void { mul(dy, mask, dx, n, true); }
export function dropout_bwd_scalar(dy: usize, mask: usize, dx: usize, n: i32): void { mul(dy, mask, dx, n, false); }
