// Helpers shared by the kernel files (not re-exported by assembly/index.ts): addressing, NaN pass-through, the
// exact-product error used before exponentials, and the lane-ordered reductions of the parameter gradients. Each
// SIMD helper has a scalar twin performing the same operations in the same order.

import { kload, V_HI12, V_SIGN, V_ZERO, vexpNeg, vlog1pUnit } from '../math';

/** Byte address of element i of the f32 array at p. */
// @ts-ignore: decorator
@inline export function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

/** Where x is NaN return x, otherwise r (SIMD). */
// @ts-ignore: decorator
@inline export function nanPass(x: v128, r: v128): v128 { return v128.bitselect(x, r, f32x4.ne(x, x)); }

// ---- exact products ---------------------------------------------------------------------------------------------

const T_MAX = memory.data<f32>([128, 128, 128, 128], 16);

/**
 * Rounding error of t = fl(x b), so that x b = t + err (Dekker's product with 12-bit halves; b = bh + bl split
 * the same way by the caller), unmasked: not finite where the product overflowed or x is not finite (SIMD).
 */
// @ts-ignore: decorator
@inline export function vprodErrRaw(x: v128, t: v128, bh: v128, bl: v128): v128 {
  const xh = v128.and(x, kload(V_HI12));
  const xl = f32x4.sub(x, xh);
  let e = f32x4.sub(f32x4.mul(xh, bh), t);
  e = f32x4.add(e, f32x4.mul(xh, bl));
  e = f32x4.add(e, f32x4.mul(xl, bh));
  return f32x4.add(e, f32x4.mul(xl, bl));
}
/** Scalar twin of vprodErrRaw. */
// @ts-ignore: decorator
@inline export function sprodErrRaw(x: f32, t: f32, bh: f32, bl: f32): f32 {
  const xh = reinterpret<f32>(reinterpret<i32>(x) & 0xfffff000);
  const xl = x - xh;
  let e = xh * bh - t;
  e = e + xh * bl;
  e = e + xl * bh;
  return e + xl * bl;
}
/**
 * vprodErrRaw, zero where |t| >= 128 (there e^-|t| is 0 anyway, and the error, up to half an ulp of t, must not
 * reach the exponential), where the product overflowed and where x is not finite (SIMD).
 */
// @ts-ignore: decorator
@inline export function vprodErr(x: v128, t: v128, bh: v128, bl: v128): v128 {
  return v128.and(vprodErrRaw(x, t, bh, bl), f32x4.lt(f32x4.abs(t), kload(T_MAX)));
}
/** Scalar twin of vprodErr. */
// @ts-ignore: decorator
@inline export function sprodErr(x: f32, t: f32, bh: f32, bl: f32): f32 {
  const e = sprodErrRaw(x, t, bh, bl);
  return abs<f32>(t) < load<f32>(T_MAX) ? e : 0;
}
/** The high 12 significant bits of a scalar (for splitting a parameter before the loop). */
// @ts-ignore: decorator
@inline export function shi12b(x: f32): f32 { return reinterpret<f32>(reinterpret<i32>(x) & 0xfffff000); }

// ---- lane-ordered reductions ------------------------------------------------------------------------------------
// A vector accumulator's lanes are folded in lane order, ((l0 + l1) + l2) + l3; the scalar twins keep one
// accumulator per lane (element i of the vector part goes to lane i % 4) and fold them the same way.

/** ((l0 + l1) + l2) + l3 of an f32x4, in f32. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return ((f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + f32x4.extract_lane(v, 2)) + f32x4.extract_lane(v, 3);
}
/** ((l0 + l1) + l2) + l3 of an f32x4, each lane promoted to f64 (exact) and summed in f64. */
// @ts-ignore: decorator
@inline export function hsum64(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1)
    + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}
/** Adds lanes 0-1 of an f32x4, promoted to f64 (exact), to an f64x2 accumulator. */
// @ts-ignore: decorator
@inline export function vacc64lo(acc: v128, v: v128): v128 { return f64x2.add(acc, f64x2.promote_low_f32x4(v)); }
/** Adds lanes 2-3 of an f32x4, promoted to f64 (exact), to an f64x2 accumulator. */
// @ts-ignore: decorator
@inline export function vacc64hi(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3)));
}
/** l0 + l1 + l2 + l3 of the two f64x2 accumulators of vacc64lo / vacc64hi (lanes 0..3 in order). */
// @ts-ignore: decorator
@inline export function fold64(lo: v128, hi: v128): f64 {
  return f64x2.extract_lane(lo, 0) + f64x2.extract_lane(lo, 1) + f64x2.extract_lane(hi, 0) + f64x2.extract_lane(hi, 1);
}

// ---- softplus and logSigmoid over an array ----------------------------------------------------------------------

/**
 * softplus(x) = max(x, 0) + log1p(e) with e = e^-|x|, or x where x > thr; with sgn = -0 (the sign bit) in every lane
 * the same on -x, negated: logSigmoid(x) = -softplus(-x) (thr = +Inf then). The xors are exact: the bits are those
 * of the direct forms.
 */
// @ts-ignore: decorator
@inline function softplusTail(x: v128, e: v128, thr: v128, sgn: v128): v128 {
  const r = v128.xor(f32x4.add(f32x4.pmax(v128.xor(x, sgn), kload(V_ZERO)), vlog1pUnit(e)), sgn);
  return v128.bitselect(x, r, f32x4.gt(x, thr));
}

/**
 * softplus (beta 1) or logSigmoid (neg: sgn = -0, thr = +Inf) over the whole vectors of x into y, see
 * softplusTail; returns how many elements it did (the caller finishes the tail with its scalar twin). Not inlined:
 * softplus and logSigmoid share this one copy. Two passes over blocks of 256 elements: e = e^-|x| into y, then the
 * log1p while the block is in L1. One fused pass runs 1.4x slower on Zen 5 (0.30 instead of 0.42 G elem/s,
 * bench/README.md): its loop body (an exponential, then a logarithm) is too long for the out-of-order window to
 * overlap iterations. The operations per element are those of the fused form, so are the bits. In place (x == y)
 * the first pass would overwrite x: one fused pass.
 */
export function softplusArray(x: usize, y: usize, n: i32, thrs: f32, neg: bool): i32 {
  const thr = f32x4.splat(thrs), sgn = i32x4.splat(neg ? 0x80000000 : 0);
  const nv = n & ~3;
  let i = 0;
  if (x == y) {
    for (; i < nv; i += 4) {
      const xv = v128.load(at(x, i));
      v128.store(at(y, i), softplusTail(xv, vexpNeg(v128.or(xv, kload(V_SIGN))), thr, sgn));
    }
    return nv;
  }
  while (i < nv) {
    const end = min(i + 256, nv);
    for (let j = i; j < end; j += 4) v128.store(at(y, j), vexpNeg(v128.or(v128.load(at(x, j)), kload(V_SIGN))));
    for (; i < end; i += 4) v128.store(at(y, i), softplusTail(v128.load(at(x, i)), v128.load(at(y, i)), thr, sgn));
  }
  return nv;
}
