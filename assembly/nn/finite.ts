// The finiteness check of the inputs of predict and trainBatch, on the copy the host has just placed in the network's
// input buffer and before any kernel reads it. A JS loop over the rows costs 1.5-3 ns per value (80-150 us per MLP
// batch of 64 x 784, 5-8% of a training step); this reads 4 values per trip. Read-only: it changes nothing.

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }
const EXP = memory.data<i32>([0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000], 16);

/** Index of the first NaN or +-Infinity among the n f32 values at p, or -1 when all are finite. */
export function first_nonfinite(p: usize, n: i32): i32 {
  const e = v128.load(EXP);
  let i = 0;
  // An f32 is NaN or infinite exactly when its exponent bits are all ones.
  while (i + 4 <= n && !v128.any_true(i32x4.eq(v128.and(v128.load(at(p, i)), e), e))) i += 4;
  // The rest (fewer than 4 values, or the vector that holds the first bad one) value by value.
  const r = first_nonfinite_scalar(at(p, i), n - i);
  return r < 0 ? -1 : i + r;
}

/** Scalar twin of first_nonfinite. */
export function first_nonfinite_scalar(p: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) if ((load<u32>(at(p, i)) & 0x7f800000) == 0x7f800000) return i;
  return -1;
}
