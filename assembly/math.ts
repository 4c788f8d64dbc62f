// Shared vectorized f32 math for the kernels: exp, expm1, log, log1p, tanh, sigmoid, softplus, erfc.
//
// The exp family: ONE core (Cody-Waite reduction, n read with the magic-bias trick, the fitted polynomial EQ0..EQ4
// below, scaling by 2^n built in the exponent field) and variants named by their range and scaling:
//   vexp(x)                 e^x for every x; fast path for |x| <= 87, a two-step scaling for the rest (rare branch).
//   vexpNeg(x)              e^x for x <= 0 (or NaN), branch-free; subnormal results are rounded once.
//   vexpNegSplit(a, b)      e^(a + b) for a <= 0 and a small correction b (|b| <= 2) carried unevaluated: the
//                           reduction subtracts n ln2 from a before adding b, so a - n ln2 is exact and the error of
//                           a rounded a + b (|a| 2^-24 relative, 40 ulps at a = -80) never enters (softmax, gelu).
//   vexpNegSplit24(a, b)    2^24 e^(a + b), the same with the result scaled by 2^24: products x e^(a + b) formed
//                           before the final multiplication by 2^-24 stay out of the subnormal range (silu, gelu).
//   vexpShift(x, m)         e^(x - m) for a row constant m (|m| <= 88, x - m in [-86, 0]) without forming x - m: x is
//                           reduced on its own and e^-m, split 2^-k chi (1 + dl) by expShiftSetup in f64, is folded
//                           into the scaling (softmax: no two-sum, no clamp).
//   vexpm1core(x)           e^x - 1 for x <= 88, accurate near 0.
//   vsigmoid, vlogisticd    built on the same core (below).
// Accuracy of each variant against f64, measured by tests/math.test.ts (math_* probes, ~2.4-4.6 M inputs each: a
// bit-pattern sweep, a dense grid and every f32 next to 0 and +-1): vexp 0.99 ulp, vexpNeg 0.98, vexpNeg24 0.99,
// vexpNegSplit 1.10, vexpNegSplit24 1.09, vexpm1 1.69 (log 0.76, log1p 1.44).
//
// Every vector function `vX(v128): v128` has a scalar twin `sX(f32): f32` that performs the same IEEE operations in
// the same order, so a lane of the SIMD result and the scalar result are the same bits. Kernels use the scalar twin
// for tails, which keeps an element's result independent of its position.
//
// Nothing here calls JS Math: all of it compiles into the module, so the bits are the same on every engine.
// SIMD constants are read from `memory.data` tables: V8 rebuilds `f32x4.splat(constant)` on every loop iteration.
//
// Sources: exp and log follow the structure of Cephes expf/logf (S. Moshier, Cephes Math Library, 1984-1992):
// Cody-Waite range reduction and the published minimax polynomial coefficients. erfc follows the Chebyshev fit in
// Press et al., Numerical Recipes (2nd ed., section 6.2, fractional error < 1.2e-7 everywhere).

// ---------------------------------------------------------------------------------------------------------------
// Constant tables (each constant replicated in 4 lanes, 16-byte aligned)

// @ts-ignore: decorator
@inline function K(p: usize): v128 { return v128.load(p); }

// exp and expm1 share one core: x = n ln2 + r with |r| <= ln2/2 (slightly more after rounding), and
// q(r) = r + r^2 P(r) ~ e^r - 1 with P of degree 4. P was fitted for rectify in f64 (weighted least squares
// iterated towards minimax, Lawson's method) for the error of q relative to expm1(r) on [-0.3473, 0.3473], and
// rounded to f32: max relative error of q 1.7e-8 (about 0.15 ulp).
// n comes from the "magic bias" trick: t = x log2(e) + (1.5 * 2^23 + 127) rounds x log2(e) to an integer (ties to
// even) and leaves n + 127 in the low mantissa bits of t, so t - MAGIC is n as a float and t << 23 is 2^n as a float
// (valid for n in [-126, 127]): no float-to-int conversion (several instructions on x64) is needed.
// Above 88.72 e^x overflows: clamping at 89 keeps n small and still yields +Inf.
const EXP_HI = memory.data<f32>([89.0, 89.0, 89.0, 89.0], 16);
// Below -103.97 e^x rounds to 0.
const EXP_LO = memory.data<f32>([-104.0, -104.0, -104.0, -104.0], 16);
// |x| <= 87 has n in [-126, 126]: 2^n is a normal number and one scaling suffices (the fast path).
const EXP_FAST = memory.data<f32>([87.0, 87.0, 87.0, 87.0], 16);
const EXP_NFAST = memory.data<f32>([-87.0, -87.0, -87.0, -87.0], 16);
const LOG2E = memory.data<f32>([1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341], 16);
const MAGIC = memory.data<f32>([12583039.0, 12583039.0, 12583039.0, 12583039.0], 16);
// MAGIC + 64 (vexpNeg and the split variants scale by 2^(n + 64), then by 2^-64 or 2^-40).
const MAGIC_NEG = memory.data<f32>([12583103.0, 12583103.0, 12583103.0, 12583103.0], 16);
const TWO_M64 = memory.data<f32>([5.421010862427522e-20, 5.421010862427522e-20, 5.421010862427522e-20, 5.421010862427522e-20], 16);
// vexpNegSplit24: the same 2^(n + 64) scale, then 2^-40 (net 2^24). a is clamped at -125 (2^24 e^-125 rounds to 0),
// so n + 64 >= -118 stays normal even with b down to -2.
const TWO_M40 = memory.data<f32>([9.094947017729282e-13, 9.094947017729282e-13, 9.094947017729282e-13, 9.094947017729282e-13], 16);
const EXP24_LO = memory.data<f32>([-125.0, -125.0, -125.0, -125.0], 16);
const TWO_M24 = memory.data<f32>([5.9604644775390625e-8, 5.9604644775390625e-8, 5.9604644775390625e-8, 5.9604644775390625e-8], 16);
const ABSMASK = memory.data<i32>([0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff], 16);
// ln 2 split in two: C1 has few significant bits so n * C1 is exact for |n| < 2^9.
const LN2_HI = memory.data<f32>([0.693359375, 0.693359375, 0.693359375, 0.693359375], 16);
const LN2_LO = memory.data<f32>([-2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4], 16);
const EQ0 = memory.data<f32>([0.49999997020, 0.49999997020, 0.49999997020, 0.49999997020], 16);
const EQ1 = memory.data<f32>([0.16666541994, 0.16666541994, 0.16666541994, 0.16666541994], 16);
const EQ2 = memory.data<f32>([0.041667204350, 0.041667204350, 0.041667204350, 0.041667204350], 16);
const EQ3 = memory.data<f32>([0.0083666471764, 0.0083666471764, 0.0083666471764, 0.0083666471764], 16);
const EQ4 = memory.data<f32>([0.0013882494532, 0.0013882494532, 0.0013882494532, 0.0013882494532], 16);
const ONE = memory.data<f32>([1, 1, 1, 1], 16);
const HALF = memory.data<f32>([0.5, 0.5, 0.5, 0.5], 16);
const TWO = memory.data<f32>([2, 2, 2, 2], 16);
const MTWO = memory.data<f32>([-2, -2, -2, -2], 16);
const BIAS127 = memory.data<i32>([127, 127, 127, 127], 16);
// expm1: below -25 the result is -1 in f32 (e^-25 < 2^-36); above 88 it is e^x (which may overflow).
const EM1_LO = memory.data<f32>([-25.0, -25.0, -25.0, -25.0], 16);
const EM1_HI = memory.data<f32>([88.0, 88.0, 88.0, 88.0], 16);

// log
const MANT_MASK = memory.data<i32>([0x007fffff, 0x007fffff, 0x007fffff, 0x007fffff], 16);
const HALF_BITS = memory.data<i32>([0x3f000000, 0x3f000000, 0x3f000000, 0x3f000000], 16);
const SQRTHF = memory.data<f32>([0.707106781186547524, 0.707106781186547524, 0.707106781186547524, 0.707106781186547524], 16);
const MIN_NORM = memory.data<f32>([1.17549435e-38, 1.17549435e-38, 1.17549435e-38, 1.17549435e-38], 16);
const TWO23 = memory.data<f32>([8388608.0, 8388608.0, 8388608.0, 8388608.0], 16);
const I126 = memory.data<i32>([126, 126, 126, 126], 16);
const I149 = memory.data<i32>([149, 149, 149, 149], 16);
const LP0 = memory.data<f32>([7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2, 7.0376836292e-2], 16);
const LP1 = memory.data<f32>([-1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1, -1.1514610310e-1], 16);
const LP2 = memory.data<f32>([1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1, 1.1676998740e-1], 16);
const LP3 = memory.data<f32>([-1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1, -1.2420140846e-1], 16);
const LP4 = memory.data<f32>([1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1, 1.4249322787e-1], 16);
const LP5 = memory.data<f32>([-1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1, -1.6668057665e-1], 16);
const LP6 = memory.data<f32>([2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1, 2.0000714765e-1], 16);
const LP7 = memory.data<f32>([-2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1, -2.4999993993e-1], 16);
const LP8 = memory.data<f32>([3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1, 3.3333331174e-1], 16);
const PINF = memory.data<f32>([Infinity, Infinity, Infinity, Infinity], 16);
const NINF = memory.data<f32>([-Infinity, -Infinity, -Infinity, -Infinity], 16);
const QNAN = memory.data<f32>([NaN, NaN, NaN, NaN], 16);
const ZERO = memory.data<f32>([0, 0, 0, 0], 16);
const SIGN = memory.data<i32>([0x80000000, 0x80000000, 0x80000000, 0x80000000], 16);

// erfc (Numerical Recipes erfcc): erfc(z) = t exp(-z^2 + R(t)), t = 1 / (1 + z/2), z >= 0.
const ER0 = memory.data<f32>([-1.26551223, -1.26551223, -1.26551223, -1.26551223], 16);
const ER1 = memory.data<f32>([1.00002368, 1.00002368, 1.00002368, 1.00002368], 16);
const ER2 = memory.data<f32>([0.37409196, 0.37409196, 0.37409196, 0.37409196], 16);
const ER3 = memory.data<f32>([0.09678418, 0.09678418, 0.09678418, 0.09678418], 16);
const ER4 = memory.data<f32>([-0.18628806, -0.18628806, -0.18628806, -0.18628806], 16);
const ER5 = memory.data<f32>([0.27886807, 0.27886807, 0.27886807, 0.27886807], 16);
const ER6 = memory.data<f32>([-1.13520398, -1.13520398, -1.13520398, -1.13520398], 16);
const ER7 = memory.data<f32>([1.48851587, 1.48851587, 1.48851587, 1.48851587], 16);
const ER8 = memory.data<f32>([-0.82215223, -0.82215223, -0.82215223, -0.82215223], 16);
const ER9 = memory.data<f32>([0.17087277, 0.17087277, 0.17087277, 0.17087277], 16);
const HI12 = memory.data<i32>([0xfffff000, 0xfffff000, 0xfffff000, 0xfffff000], 16);


/** Shared lane-replicated constants for kernel files (pointers into the table; load with `kload`). */
export const V_ONE: usize = ONE;
export const V_HALF: usize = HALF;
export const V_TWO: usize = TWO;
export const V_ZERO: usize = ZERO;
export const V_SIGN: usize = SIGN;
export const V_PINF: usize = PINF;
export const V_ABS: usize = ABSMASK;
/** Lane-replicated 2^-24 (undoes the scale of vexpNegSplit24). */
export const V_TWOM24: usize = TWO_M24;
/** Scalar 2^-24. */
export const S_TWOM24: f32 = 5.9604644775390625e-8;
/** Lane-replicated mask keeping the high 12 significant bits of an f32 (Dekker splitting). */
export const V_HI12: usize = HI12;

/** Loads a lane-replicated constant from a `memory.data` table. */
// @ts-ignore: decorator
@inline export function kload(p: usize): v128 { return K(p); }

/** Scalar read of a table entry (lane 0). */
// @ts-ignore: decorator
@inline function S(p: usize): f32 { return load<f32>(p); }

// ---------------------------------------------------------------------------------------------------------------
// Small helpers with identical scalar semantics

/** Scalar twin of f32x4.pmax(a, b): b if a < b, else a (NaN in a passes through). */
// @ts-ignore: decorator
@inline export function spmax(a: f32, b: f32): f32 { return a < b ? b : a; }
/** Scalar twin of f32x4.pmin(a, b): b if b < a, else a (NaN in a passes through). */
// @ts-ignore: decorator
@inline export function spmin(a: f32, b: f32): f32 { return b < a ? b : a; }
/** Horner step a*x + b without fusion in the baseline build; fused in the relaxed build. */
// @ts-ignore: decorator
@inline export function vmadd(a: v128, x: v128, b: v128, unfused: bool = false): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && !unfused) return f32x4.relaxed_madd(a, x, b);
  return f32x4.add(f32x4.mul(a, x), b);
}
/** Scalar twin of vmadd (never fused: the scalar twin is the bit-exact baseline reference). */
// @ts-ignore: decorator
@inline export function smadd(a: f32, x: f32, b: f32): f32 { return a * x + b; }

// ---------------------------------------------------------------------------------------------------------------
// exp

/**
 * The exp core: for x = n ln2 + r (n read from t = x log2(e) + MAGIC) and a scale s (2^n, or a part of it), returns
 * s (r + r^2 P(r)) + base, where r + r^2 P(r) ~ e^r - 1. With base = s this is s e^r, with base = s - 1 it is
 * s e^r - 1, with base = s + 1 it is s e^r + 1, each with two roundings at the end (s r and s r^2 are exact).
 * P is evaluated by Estrin's scheme and s is applied early: the chain is latency bound, and this keeps it short.
 */
// @ts-ignore: decorator
@inline function vcore(x: v128, t: v128, s: v128, base: v128): v128 { return vcoreb(x, t, s, base, K(MAGIC)); }
/** vcore with the magic constant given (MAGIC_NEG for vexpNeg and the split variants). */
// @ts-ignore: decorator
@inline function vcoreb(x: v128, t: v128, s: v128, base: v128, magic: v128): v128 {
  const fn = f32x4.sub(t, magic); // n as a float, exact
  return vpoly(f32x4.sub(f32x4.sub(x, f32x4.mul(fn, K(LN2_HI))), f32x4.mul(fn, K(LN2_LO))), s, base);
}
/**
 * The polynomial block of the exp core: s (r + r^2 P(r)) + base for the reduced argument r (Estrin's scheme).
 * uf (unfused): never fused, also in the relaxed build (the baseline's bits there).
 */
// @ts-ignore: decorator
@inline function vpoly(r: v128, s: v128, base: v128, uf: bool = false): v128 {
  const r2 = f32x4.mul(r, r);
  const lo = vmadd(K(EQ1), r, K(EQ0), uf);
  const hi = vmadd(K(EQ4), r2, vmadd(K(EQ3), r, K(EQ2), uf), uf);
  const p = vmadd(hi, r2, lo, uf);
  return f32x4.add(vmadd(f32x4.mul(s, r2), p, f32x4.mul(s, r), uf), base);
}
/** Scalar twin of vcore. */
// @ts-ignore: decorator
@inline function score(x: f32, t: f32, s: f32, base: f32): f32 { return scoreb(x, t, s, base, S(MAGIC)); }
/** Scalar twin of vcoreb. */
// @ts-ignore: decorator
@inline function scoreb(x: f32, t: f32, s: f32, base: f32, magic: f32): f32 {
  const fn = t - magic;
  return spoly((x - fn * S(LN2_HI)) - fn * S(LN2_LO), s, base);
}
/** Scalar twin of vpoly. */
// @ts-ignore: decorator
@inline function spoly(r: f32, s: f32, base: f32): f32 {
  const r2 = r * r;
  const lo = smadd(S(EQ1), r, S(EQ0));
  const hi = smadd(S(EQ4), r2, smadd(S(EQ3), r, S(EQ2)));
  const p = smadd(hi, r2, lo);
  return smadd(s * r2, p, s * r) + base;
}

/** vcoreb with a correction b added to the reduced argument: r = (x - n ln2_hi) + b - n ln2_lo. */
// @ts-ignore: decorator
@inline function vcoreSplit(x: v128, b: v128, t: v128, s: v128, base: v128, magic: v128, uf: bool = false): v128 {
  const fn = f32x4.sub(t, magic);
  return vpoly(f32x4.sub(f32x4.add(f32x4.sub(x, f32x4.mul(fn, K(LN2_HI))), b), f32x4.mul(fn, K(LN2_LO))), s, base, uf);
}
/** Scalar twin of vcoreSplit. */
// @ts-ignore: decorator
@inline function scoreSplit(x: f32, b: f32, t: f32, s: f32, base: f32, magic: f32): f32 {
  const fn = t - magic;
  return spoly(((x - fn * S(LN2_HI)) + b) - fn * S(LN2_LO), s, base);
}

/**
 * The split variants: 2^(n + 64) e^r times post (2^-64 or 2^-40), a clamped at lo (-104 or -125). b is dropped where
 * a is below lo (a clamped argument must not take a correction sized for the unclamped one). NaN propagates.
 */
// @ts-ignore: decorator
@inline function vexpNegSplitK(a: v128, b: v128, lo: v128, post: v128, uf: bool = false): v128 {
  const ac = f32x4.pmax(a, lo);                                 // NaN passes through
  const bc = v128.and(b, f32x4.ge(a, lo));
  const t = vmadd(f32x4.add(ac, bc), K(LOG2E), K(MAGIC_NEG), uf);
  const s = i32x4.shl(t, 23);
  return f32x4.mul(vcoreSplit(ac, bc, t, s, s, K(MAGIC_NEG), uf), post);
}
/** Scalar twin of vexpNegSplitK. */
// @ts-ignore: decorator
@inline function sexpNegSplitK(a: f32, b: f32, lo: f32, post: f32): f32 {
  const ac = spmax(a, lo);
  const bc: f32 = a >= lo ? b : 0;
  const t = smadd(ac + bc, S(LOG2E), S(MAGIC_NEG));
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  return scoreSplit(ac, bc, t, s, s, S(MAGIC_NEG)) * post;
}

/**
 * e^(a + b) for a <= 0 (or NaN) and a correction |b| <= 2 (see the header); branch-free, subnormals rounded once.
 * unfused: no fused multiply-add even in the relaxed build, so it gives the baseline's bits (softmax).
 */
// @ts-ignore: decorator
@inline export function vexpNegSplit(a: v128, b: v128, unfused: bool = false): v128 {
  return vexpNegSplitK(a, b, K(EXP_LO), K(TWO_M64), unfused);
}
/** Scalar twin of vexpNegSplit. */
// @ts-ignore: decorator
@inline export function sexpNegSplit(a: f32, b: f32): f32 { return sexpNegSplitK(a, b, S(EXP_LO), S(TWO_M64)); }
/** 2^24 e^(a + b) for a <= 0 (or NaN) and |b| <= 2; 0 below a = -125. */
// @ts-ignore: decorator
@inline export function vexpNegSplit24(a: v128, b: v128): v128 { return vexpNegSplitK(a, b, K(EXP24_LO), K(TWO_M40)); }
/** Scalar twin of vexpNegSplit24. */
// @ts-ignore: decorator
@inline export function sexpNegSplit24(a: f32, b: f32): f32 { return sexpNegSplitK(a, b, S(EXP24_LO), S(TWO_M40)); }
/** 2^24 e^a for a <= 0 (or NaN): vexpNegSplit24(a, 0) without the correction's operations. */
// @ts-ignore: decorator
@inline export function vexpNeg24(a: v128): v128 {
  const ac = f32x4.pmax(a, K(EXP24_LO));
  const t = vmadd(ac, K(LOG2E), K(MAGIC_NEG));
  const s = i32x4.shl(t, 23);
  return f32x4.mul(vcoreb(ac, t, s, s, K(MAGIC_NEG)), K(TWO_M40));
}
/** Scalar twin of vexpNeg24. */
// @ts-ignore: decorator
@inline export function sexpNeg24(a: f32): f32 {
  const ac = spmax(a, S(EXP24_LO));
  const t = smadd(ac, S(LOG2E), S(MAGIC_NEG));
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  return scoreb(ac, t, s, s, S(MAGIC_NEG)) * S(TWO_M40);
}

/**
 * e^x for the lanes the fast path cannot scale (|x| > 87, Inf): clamps x to [-104, 89] and scales by 2^n in two
 * multiplications, 2^(n >> 1) then 2^(n - (n >> 1)), so a subnormal result is rounded once and overflow gives +Inf.
 */
// Inlined: a call inside a kernel loop makes V8 spill live vectors on the hot path around it.
// @ts-ignore: decorator
@inline function vexpSlow(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, K(EXP_LO)), K(EXP_HI));
  const t = vmadd(xc, K(LOG2E), K(MAGIC));
  const n = i32x4.sub(t, K(MAGIC)); // integer difference of the bit patterns: n
  const n1 = i32x4.shr_s(n, 1);
  const s1 = i32x4.shl(i32x4.add(n1, K(BIAS127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(n, n1), K(BIAS127)), 23);
  return f32x4.mul(vcore(xc, t, s1, s1), s2);
}
/** Scalar twin of vexpSlow. */
function sexpSlow(x: f32): f32 {
  const xc = spmin(spmax(x, S(EXP_LO)), S(EXP_HI));
  const t = smadd(xc, S(LOG2E), S(MAGIC));
  const n = reinterpret<i32>(t) - load<i32>(MAGIC);
  const n1 = n >> 1;
  const s1 = reinterpret<f32>((n1 + 127) << 23);
  const s2 = reinterpret<f32>(((n - n1) + 127) << 23);
  return score(xc, t, s1, s1) * s2;
}

/**
 * e^x with a relative error of about 1 ulp. Overflows to +Inf above 88.72, gives subnormals and 0 below -87.3,
 * NaN propagates. Fast path: e^x = 2^n q + 2^n (one rounding); lanes with |x| > 87 take vexpSlow (only when a
 * vector holds one).
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  const t = vmadd(x, K(LOG2E), K(MAGIC));
  const s = i32x4.shl(t, 23);
  let y = vcore(x, t, s, s);
  const out = v128.or(f32x4.gt(x, K(EXP_FAST)), f32x4.lt(x, K(EXP_NFAST)));
  if (v128.any_true(out)) y = v128.bitselect(vexpSlow(x), y, out);
  return y;
}

/**
 * e^x for x <= 0 (or NaN) without a data-dependent branch: x is clamped at -104 and scaled by 2^(n + 64), a normal
 * number for every n in [-150, 0], then multiplied by 2^-64 (exact unless the result is subnormal, which it then
 * rounds). MAGIC_NEG carries the extra 64 in its low bits.
 */
// @ts-ignore: decorator
@inline export function vexpNeg(x: v128): v128 {
  const xc = f32x4.pmax(x, K(EXP_LO)); // NaN passes through
  const t = vmadd(xc, K(LOG2E), K(MAGIC_NEG));
  const s = i32x4.shl(t, 23);
  return f32x4.mul(vcoreb(xc, t, s, s, K(MAGIC_NEG)), K(TWO_M64));
}
/** Scalar twin of vexpNeg. */
// @ts-ignore: decorator
@inline export function sexpNeg(x: f32): f32 {
  const xc = spmax(x, S(EXP_LO));
  const t = smadd(xc, S(LOG2E), S(MAGIC_NEG));
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  return scoreb(xc, t, s, s, S(MAGIC_NEG)) * S(TWO_M64);
}

/**
 * e^(x - m) for a constant m given by expShiftSetup (mk, chi, dl), without forming x - m: x is reduced on its own,
 * x = N ln2 + r, and e^(x - m) = 2^(N - k) chi e^(r + dl), where 2^-k chi (1 + dl) = e^-m to f64 accuracy. No
 * rounding of x - m enters (unlike exp(fl(x - m)), off by |x - m|/2 ulps), so no two-sum correction is needed.
 * Valid while 2^(N - k) is normal and N small: |m| <= 88 and x - m in [-86, 0] (softmax's rows, checked per row).
 * Never fused (uf), also in the relaxed build: softmax's bits are the same in both builds.
 */
// @ts-ignore: decorator
@inline export function vexpShift(x: v128, mk: v128, chi: v128, dl: v128): v128 {
  const t = vmadd(x, K(LOG2E), mk, true); // low bits: N - k + 127
  const s = f32x4.mul(i32x4.shl(t, 23), chi);
  return vcoreSplit(x, dl, t, s, s, mk, true);
}
/** Scalar twin of vexpShift. */
// @ts-ignore: decorator
@inline export function sexpShift(x: f32, mk: f32, chi: f32, dl: f32): f32 {
  const t = smadd(x, S(LOG2E), mk);
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23) * chi;
  return scoreSplit(x, dl, t, s, s, mk);
}
/**
 * The row constants of vexpShift for m (|m| <= 88), written to out[0..2] as f32: mk = MAGIC - k with
 * k = nearest(m log2(e)), chi = f32(c) and dl = f32((c - chi) / chi) for c = e^(k ln2 - m) in [0.7, 1.42], by its
 * Taylor polynomial of degree 8 in f64 (|k ln2 - m| <= 0.35: relative error < 2.1e-10, 0.004 ulp of an f32 result).
 * Scalar f64 arithmetic only.
 */
export function expShiftSetup(m: f32, out: usize): void {
  const k = nearest(<f64>m * 1.4426950408889634);
  const h = k * 0.6931471805599453 - <f64>m;
  let c = 2.48015873015873e-5 * h + 1.984126984126984e-4;
  c = c * h + 1.388888888888889e-3;
  c = c * h + 8.333333333333333e-3;
  c = c * h + 4.1666666666666664e-2;
  c = c * h + 0.16666666666666666;
  c = c * h + 0.5;
  c = c * h + 1.0;
  c = c * h + 1.0;
  const chi = <f32>c;
  store<f32>(out, <f32>(<f64>12583039.0 - k));
  store<f32>(out, chi, 4);
  store<f32>(out, <f32>((c - <f64>chi) / <f64>chi), 8);
}

/** Scalar twin of vexp. */
// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  let y: f32;
  if (x > S(EXP_FAST) || x < S(EXP_NFAST)) {
    y = sexpSlow(x);
  } else {
    const t = smadd(x, S(LOG2E), S(MAGIC));
    const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
    y = score(x, t, s, s);
  }
  return y;
}

// ---------------------------------------------------------------------------------------------------------------
// expm1

/**
 * e^x - 1 for x <= 88 (or NaN): 2^n q + (2^n - 1). For n = 0 (|x| < 0.35) this is q itself, accurate near 0;
 * 2^n q is exact and 2^n - 1 is exact for n >= -24. x is clamped below at -25, where the result is -1.
 */
// @ts-ignore: decorator
@inline export function vexpm1core(x: v128): v128 {
  const xc = f32x4.pmax(x, K(EM1_LO)); // NaN passes through
  const t = vmadd(xc, K(LOG2E), K(MAGIC));
  const s = i32x4.shl(t, 23);
  return vcore(xc, t, s, f32x4.sub(s, K(ONE)));
}
/** Scalar twin of vexpm1core. */
// @ts-ignore: decorator
@inline export function sexpm1core(x: f32): f32 {
  const xc = spmax(x, S(EM1_LO));
  const t = smadd(xc, S(LOG2E), S(MAGIC));
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  return score(xc, t, s, s - 1.0);
}

/** e^x - 1, accurate near 0 (about 1-2 ulp everywhere); +Inf above 88.72, -1 below -17.4, NaN propagates. */
// @ts-ignore: decorator
@inline export function vexpm1(x: v128): v128 {
  let y = vexpm1core(x);
  const big = f32x4.gt(x, K(EM1_HI));
  if (v128.any_true(big)) y = v128.bitselect(vexpSlow(x), y, big); // e^x - 1 = e^x in f32 there
  return y;
}

/** Scalar twin of vexpm1. */
// @ts-ignore: decorator
@inline export function sexpm1(x: f32): f32 {
  return x > S(EM1_HI) ? sexpSlow(x) : sexpm1core(x);
}

// ---------------------------------------------------------------------------------------------------------------
// log

/** Natural logarithm: log(0) = -Inf, log(x < 0) = NaN, log(+Inf) = +Inf; subnormals are handled exactly. */
// @ts-ignore: decorator
@inline export function vlog(x: v128): v128 {
  // Scale subnormals into the normal range and remember the 23 extra exponent steps.
  const sub = f32x4.lt(x, K(MIN_NORM));
  const xs = v128.bitselect(f32x4.mul(x, K(TWO23)), x, sub);
  const bits = xs;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), v128.bitselect(K(I149), K(I126), sub));
  let m = v128.or(v128.and(bits, K(MANT_MASK)), K(HALF_BITS)); // m in [0.5, 1)
  const lo = f32x4.lt(m, K(SQRTHF));
  e = i32x4.add(e, lo); // lo lanes are -1
  // m < sqrt(1/2): f = 2m - 1, else f = m - 1
  const f = f32x4.sub(f32x4.add(m, v128.and(m, lo)), K(ONE));
  const fe = f32x4.convert_i32x4_s(e);
  const z = f32x4.mul(f, f);
  let p = vmadd(K(LP0), f, K(LP1));
  p = vmadd(p, f, K(LP2));
  p = vmadd(p, f, K(LP3));
  p = vmadd(p, f, K(LP4));
  p = vmadd(p, f, K(LP5));
  p = vmadd(p, f, K(LP6));
  p = vmadd(p, f, K(LP7));
  p = vmadd(p, f, K(LP8));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = vmadd(fe, K(LN2_LO), y);
  y = f32x4.sub(y, f32x4.mul(z, K(HALF)));
  let r = f32x4.add(f, y);
  r = vmadd(fe, K(LN2_HI), r);
  // Special values: x == 0 -> -Inf, x < 0 or NaN -> NaN, +Inf -> +Inf.
  r = v128.bitselect(K(NINF), r, f32x4.eq(x, K(ZERO)));
  r = v128.bitselect(K(PINF), r, f32x4.eq(x, K(PINF)));
  r = v128.bitselect(K(QNAN), r, v128.or(f32x4.lt(x, K(ZERO)), f32x4.ne(x, x)));
  return r;
}

/** Scalar twin of vlog. */
// @ts-ignore: decorator
@inline export function slog(x: f32): f32 {
  const sub = x < S(MIN_NORM);
  const xs = sub ? x * S(TWO23) : x;
  const bits = reinterpret<i32>(xs);
  let e = <i32>(<u32>bits >> 23) - (sub ? 149 : 126);
  let m = reinterpret<f32>((bits & 0x007fffff) | 0x3f000000);
  const lo = m < S(SQRTHF);
  if (lo) e -= 1;
  const f = (m + (lo ? m : 0.0)) - 1.0;
  const fe = <f32>e;
  const z = f * f;
  let p = smadd(S(LP0), f, S(LP1));
  p = smadd(p, f, S(LP2));
  p = smadd(p, f, S(LP3));
  p = smadd(p, f, S(LP4));
  p = smadd(p, f, S(LP5));
  p = smadd(p, f, S(LP6));
  p = smadd(p, f, S(LP7));
  p = smadd(p, f, S(LP8));
  let y = (p * f) * z;
  y = smadd(fe, S(LN2_LO), y);
  y = y - z * 0.5;
  let r = f + y;
  r = smadd(fe, S(LN2_HI), r);
  if (x == 0) r = -Infinity;
  if (x == Infinity) r = Infinity;
  if (x < 0 || x != x) r = NaN;
  return r;
}

/** log(1 + x), accurate near 0: log(w) - ((w - 1) - x) / w with w = 1 + x (the rounding of w is corrected). */
// @ts-ignore: decorator
@inline export function vlog1p(x: v128): v128 {
  const w = f32x4.add(x, K(ONE));
  const c = f32x4.div(f32x4.sub(f32x4.sub(w, K(ONE)), x), w);
  const r = f32x4.sub(vlog(w), c);
  // w == 1 (|x| below half an ulp of 1): log1p(x) = x; w == +Inf: +Inf (c would be NaN).
  const r1 = v128.bitselect(x, r, f32x4.eq(w, K(ONE)));
  const r2 = v128.bitselect(K(NINF), r1, f32x4.eq(w, K(ZERO)));
  return v128.bitselect(K(PINF), r2, f32x4.eq(w, K(PINF)));
}

/** Scalar twin of vlog1p. */
// @ts-ignore: decorator
@inline export function slog1p(x: f32): f32 {
  const w = x + 1.0;
  const c = ((w - 1.0) - x) / w;
  const r = slog(w) - c;
  if (w == Infinity) return Infinity;
  if (w == 0) return -Infinity;
  return w == 1.0 ? x : r;
}

const SQRT2M1 = memory.data<f32>([0.41421356237309503, 0.41421356237309503, 0.41421356237309503, 0.41421356237309503], 16);

/**
 * log(1 + e) for e in [0, 1] (or NaN), the log1p of softplus and logSigmoid (e = e^-|x|). No special cases and no
 * division: for e < sqrt2 - 1, 1 + e = 1 + f with f = e exactly; otherwise 1 + e = 2 (1 + f) with f = (e - 1) / 2
 * (e - 1 is exact for e >= 1/2 and off by at most 2^-26 below, ~0.2 ulp of the result). Then the Cephes logf
 * polynomial on f in [sqrt(1/2) - 1, sqrt2 - 1], as vlog. NaN propagates through the arithmetic.
 * Below e = 2^-24 the result is e itself (log1p(e) = e (1 - e/2 + ...) rounds to e; the polynomial gives the same
 * bits): such lanes are computed from 2^-24 and replaced, because e^2 and e^4 of a tiny e are subnormal, and every
 * operation on a subnormal costs a microcode assist on x86 (softplus at x > 21: 0.2 instead of 0.3 G elem/s).
 */
// @ts-ignore: decorator
@inline export function vlog1pUnit(e0: v128): v128 {
  const e = f32x4.pmax(e0, K(TWO_M24)); // NaN passes through
  const lo = f32x4.lt(e, K(SQRT2M1));
  const f = v128.bitselect(e, f32x4.mul(f32x4.sub(e, K(ONE)), K(HALF)), lo);
  const fe = v128.andnot(K(ONE), lo); // the exponent k as a float: 0 or 1
  const z = f32x4.mul(f, f);
  // The degree-8 polynomial by Estrin's scheme (dependency depth 8 instead of Horner's 16: the kernels using this
  // are latency bound): p = (q0 + z q1) + z^2 ((q2 + z q3) + z^2 LP0), q0 = LP7 f + LP8, ..., q3 = LP1 f + LP2.
  const z2 = f32x4.mul(z, z);
  const q0 = vmadd(K(LP7), f, K(LP8)), q1 = vmadd(K(LP5), f, K(LP6));
  const q2 = vmadd(K(LP3), f, K(LP4)), q3 = vmadd(K(LP1), f, K(LP2));
  const p = vmadd(vmadd(z2, K(LP0), vmadd(q3, z, q2)), z2, vmadd(q1, z, q0));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = vmadd(fe, K(LN2_LO), y);
  y = f32x4.sub(y, f32x4.mul(z, K(HALF)));
  const r = f32x4.add(f, y);
  return v128.bitselect(e0, vmadd(fe, K(LN2_HI), r), f32x4.lt(e0, K(TWO_M24)));
}
/** Scalar twin of vlog1pUnit. */
// @ts-ignore: decorator
@inline export function slog1pUnit(e0: f32): f32 {
  const e = spmax(e0, S(TWO_M24));
  const lo = e < S(SQRT2M1);
  const f = lo ? e : (e - 1.0) * 0.5;
  const fe: f32 = lo ? 0 : 1;
  const z = f * f;
  const z2 = z * z;
  const q0 = smadd(S(LP7), f, S(LP8)), q1 = smadd(S(LP5), f, S(LP6));
  const q2 = smadd(S(LP3), f, S(LP4)), q3 = smadd(S(LP1), f, S(LP2));
  const p = smadd(smadd(z2, S(LP0), smadd(q3, z, q2)), z2, smadd(q1, z, q0));
  let y = (p * f) * z;
  y = smadd(fe, S(LN2_LO), y);
  y = y - z * 0.5;
  const r = f + y;
  return e0 < S(TWO_M24) ? e0 : smadd(fe, S(LN2_HI), r);
}

// ---------------------------------------------------------------------------------------------------------------
// sigmoid, tanh, softplus

/**
 * 1 / (1 + e^-x) as 2^-64 / (2^-64 + E) with E = e^-x 2^-64: no select between the two halves, and no overflow or
 * underflow in between. x is clamped to [-104, 40] (sigmoid is 1 above 40 and rounds to 0 below -104), so
 * E = 2^(n - 64) e^r with n in [-58, 150] is a normal number; the quotient rounds once, subnormal results included.
 * For x < 0 this is e^x / (e^x + 1) scaled, for x >= 0 1 / (1 + e^-x): no cancellation on either side.
 * The exponential of z = -x is reduced without forming z: n from x (-log2 e) and r = (n (-ln2_hi) - x) - n ln2_lo,
 * the same values (and bits) as the core's (z - n ln2_hi) - n ln2_lo, one operation (the negation) fewer.
 */
// @ts-ignore: decorator
@inline export function vsigmoid(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, K(SIG_NHI)), K(SIG_NLO)); // NaN passes through
  const t = vmadd(xc, K(NLOG2E), K(MAGIC_SIG));
  const s = i32x4.shl(t, 23);
  const fn = f32x4.sub(t, K(MAGIC_SIG));
  const r = f32x4.sub(f32x4.sub(f32x4.mul(fn, K(NLN2_HI)), xc), f32x4.mul(fn, K(LN2_LO)));
  const e = vpoly(r, s, s);
  return f32x4.div(K(TWO_M64), f32x4.add(K(TWO_M64), e));
}
const SIG_NHI = memory.data<f32>([-104.0, -104.0, -104.0, -104.0], 16);
const SIG_NLO = memory.data<f32>([40.0, 40.0, 40.0, 40.0], 16);
const NLOG2E = memory.data<f32>([-1.44269504088896341, -1.44269504088896341, -1.44269504088896341, -1.44269504088896341], 16);
const NLN2_HI = memory.data<f32>([-0.693359375, -0.693359375, -0.693359375, -0.693359375], 16);
// MAGIC - 64: t << 23 is 2^(n - 64).
const MAGIC_SIG = memory.data<f32>([12582975.0, 12582975.0, 12582975.0, 12582975.0], 16);

/** Scalar twin of vsigmoid. */
// @ts-ignore: decorator
@inline export function ssigmoid(x: f32): f32 {
  const xc = spmin(spmax(x, S(SIG_NHI)), S(SIG_NLO));
  const t = smadd(xc, S(NLOG2E), S(MAGIC_SIG));
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  const fn = t - S(MAGIC_SIG);
  const e = spoly((fn * S(NLN2_HI) - xc) - fn * S(LN2_LO), s, s);
  return S(TWO_M64) / (S(TWO_M64) + e);
}

/**
 * tanh(x) = -m / (m + 2) with m = expm1(-2|x|) in (-1, 0], and the sign of x copied back: odd, exact at +-0 and
 * for subnormals, +-1 at +-Inf and for |x| >= 9.01 (m = -1). expm1 of a non-positive argument never overflows.
 */
// @ts-ignore: decorator
@inline export function vtanh(x: v128): v128 {
  const m = vexpm1core(f32x4.mul(v128.and(x, K(ABSMASK)), K(MTWO)));
  // t = m / (m + 2) = -tanh|x| (or +0); force its sign negative, then flip it unless x is negative.
  const t = v128.or(f32x4.div(m, f32x4.add(m, K(TWO))), K(SIGN));
  return v128.xor(t, v128.andnot(K(SIGN), x));
}

/** Scalar twin of vtanh. */
// @ts-ignore: decorator
@inline export function stanh(x: f32): f32 {
  const m = sexpm1core(abs<f32>(x) * -2.0);
  const t = reinterpret<i32>(m / (m + 2.0)) | 0x80000000;
  return reinterpret<f32>(t ^ (0x80000000 & ~reinterpret<i32>(x)));
}

/**
 * The logistic density e^y / (1 + e^y)^2 for y <= 0 (or NaN): sigmoid'(x) at y = -|x|, and tanh'(x) / 4 at
 * y = -2|x|. e^y from the branch-free vexpNeg; e^y <= 1, so (1 + e^y)^2 <= 4 never overflows and a subnormal e^y
 * gives a subnormal density, rounded once by the division.
 */
// @ts-ignore: decorator
@inline export function vlogisticd(y: v128): v128 {
  const e = vexpNeg(y);
  const d = f32x4.add(e, K(ONE));
  return f32x4.div(e, f32x4.mul(d, d));
}

/** Scalar twin of vlogisticd. */
// @ts-ignore: decorator
@inline export function slogisticd(y: f32): f32 {
  const e = sexpNeg(y);
  const d = e + 1.0;
  return e / (d * d);
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|) (branch-free vexpNeg, vlog1pUnit); NaN propagates. */
// @ts-ignore: decorator
@inline export function vsoftplus(x: v128): v128 {
  const e = vexpNeg(v128.or(x, K(SIGN)));
  return f32x4.add(f32x4.pmax(x, K(ZERO)), vlog1pUnit(e));
}

/** Scalar twin of vsoftplus. */
// @ts-ignore: decorator
@inline export function ssoftplus(x: f32): f32 {
  const e = sexpNeg(reinterpret<f32>(reinterpret<i32>(x) | 0x80000000));
  return spmax(x, 0.0) + slog1pUnit(e);
}

// ---------------------------------------------------------------------------------------------------------------
// erfc on z >= 0 with z^2 supplied split as (hi + lo) so large arguments keep their accuracy.

/**
 * erfc(z) for z >= 0, given z and z^2 = z2hi + z2lo exactly (callers split x so that z2hi is exact).
 * Relative error of the fit: < 1.2e-7 (Numerical Recipes erfcc).
 */
// @ts-ignore: decorator
@inline export function verfc2(z: v128, z2hi: v128, z2lo: v128): v128 {
  const t = f32x4.div(K(ONE), vmadd(z, K(HALF), K(ONE)));
  let p = vmadd(K(ER9), t, K(ER8));
  p = vmadd(p, t, K(ER7));
  p = vmadd(p, t, K(ER6));
  p = vmadd(p, t, K(ER5));
  p = vmadd(p, t, K(ER4));
  p = vmadd(p, t, K(ER3));
  p = vmadd(p, t, K(ER2));
  p = vmadd(p, t, K(ER1));
  p = vmadd(p, t, K(ER0));
  // exp(-z2hi) exactly reduced, times exp(R(t) - z2lo): both arguments are accurate.
  return f32x4.mul(t, f32x4.mul(vexp(f32x4.neg(z2hi)), vexp(f32x4.sub(p, z2lo))));
}

/** Scalar twin of verfc2. */
// @ts-ignore: decorator
@inline export function serfc2(z: f32, z2hi: f32, z2lo: f32): f32 {
  const t = <f32>1.0 / smadd(z, 0.5, 1.0);
  let p = smadd(S(ER9), t, S(ER8));
  p = smadd(p, t, S(ER7));
  p = smadd(p, t, S(ER6));
  p = smadd(p, t, S(ER5));
  p = smadd(p, t, S(ER4));
  p = smadd(p, t, S(ER3));
  p = smadd(p, t, S(ER2));
  p = smadd(p, t, S(ER1));
  p = smadd(p, t, S(ER0));
  return t * (sexp(-z2hi) * sexp(p - z2lo));
}

/** Splits x into hi (12 significant bits, so hi*hi is exact) and lo = x - hi. Returns hi; lo = x - hi. */
// @ts-ignore: decorator
@inline export function vhi12(x: v128): v128 { return v128.and(x, K(HI12)); }
/** Scalar twin of vhi12. */
// @ts-ignore: decorator
@inline export function shi12(x: f32): f32 { return reinterpret<f32>(reinterpret<i32>(x) & 0xfffff000); }

// ---------------------------------------------------------------------------------------------------------------
// Exported element-wise probes (used by the tests to measure the math library itself).

/** y[i] = exp(x[i]) (SIMD body, scalar tail). */
export function math_exp(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), vexp(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sexp(load<f32>(x + (<usize>i << 2))));
}
/** y[i] = exp(x[i]), scalar only. */
export function math_exp_scalar(x: usize, y: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), sexp(load<f32>(x + (<usize>i << 2))));
}
/** y[i] = expm1(x[i]). */
export function math_expm1(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), vexpm1(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), sexpm1(load<f32>(x + (<usize>i << 2))));
}
/** y[i] = log(x[i]). */
export function math_log(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), vlog(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), slog(load<f32>(x + (<usize>i << 2))));
}
/** y[i] = log1p(x[i]). */
export function math_log1p(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + (<usize>i << 2), vlog1p(v128.load(x + (<usize>i << 2))));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), slog1p(load<f32>(x + (<usize>i << 2))));
}

// The variants of the exp family on their own domain (x <= 0; the split variants take b = x 2^-6, an exact f32
// correction up to |b| = 2 that a + b in f32 could not hold). y[i] as the variant returns it (2^24-scaled ones too).
// Inputs outside the domain are clamped into it first (x > 0 gives e^0): the runtimes probe feeds every math_*
// export the same [-20, 20] inputs, and the variants' results outside their domain are unspecified.
// @ts-ignore: decorator
@inline function probe(x: usize, y: usize, n: i32, which: i32): void {
  const c = f32x4.splat(0.015625);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = f32x4.pmin(v128.load(x + (<usize>i << 2)), K(ZERO)); // NaN passes through
    let r: v128;
    if (which == 0) r = vexpNeg(v);
    else if (which == 1) r = vexpNeg24(v);
    else if (which == 2) r = vexpNegSplit(v, f32x4.mul(v, c));
    else r = vexpNegSplit24(v, f32x4.mul(v, c));
    v128.store(y + (<usize>i << 2), r);
  }
  for (; i < n; i++) {
    const v = spmin(load<f32>(x + (<usize>i << 2)), 0);
    let r: f32;
    if (which == 0) r = sexpNeg(v);
    else if (which == 1) r = sexpNeg24(v);
    else if (which == 2) r = sexpNegSplit(v, v * <f32>0.015625);
    else r = sexpNegSplit24(v, v * <f32>0.015625);
    store<f32>(y + (<usize>i << 2), r);
  }
}
/** y[i] = log(1 + x[i]) by vlog1pUnit (x in [0, 1]; others are clamped into it, NaN passes). */
export function math_log1punit(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = f32x4.pmin(f32x4.pmax(v128.load(x + (<usize>i << 2)), K(ZERO)), K(ONE));
    v128.store(y + (<usize>i << 2), vlog1pUnit(v));
  }
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), slog1pUnit(spmin(spmax(load<f32>(x + (<usize>i << 2)), 0), 1)));
}
const SHIFT_PROBE = memory.data(16, 16);
/**
 * y[i] = e^(x[i] - m) by vexpShift with m = f32(10.3) (x in [m - 86, m]; others are clamped into it, NaN passes).
 */
export function math_expshift(x: usize, y: usize, n: i32): void {
  const ms: f32 = 10.3, lo: f32 = ms - 86;
  expShiftSetup(ms, SHIFT_PROBE);
  const mk = v128.load32_splat(SHIFT_PROBE), chi = v128.load32_splat(SHIFT_PROBE, 4), dl = v128.load32_splat(SHIFT_PROBE, 8);
  const l = f32x4.splat(lo), h = f32x4.splat(ms);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    v128.store(y + (<usize>i << 2), vexpShift(f32x4.pmin(f32x4.pmax(v128.load(x + (<usize>i << 2)), l), h), mk, chi, dl));
  }
  for (; i < n; i++) {
    const v = spmin(spmax(load<f32>(x + (<usize>i << 2)), lo), ms);
    store<f32>(y + (<usize>i << 2), sexpShift(v, load<f32>(SHIFT_PROBE), load<f32>(SHIFT_PROBE, 4), load<f32>(SHIFT_PROBE, 8)));
  }
}
/** y[i] = e^x[i] by vexpNeg (x <= 0). */
export function math_expneg(x: usize, y: usize, n: i32): void { probe(x, y, n, 0); }
/** y[i] = 2^24 e^x[i] by vexpNeg24 (x <= 0). */
export function math_expneg24(x: usize, y: usize, n: i32): void { probe(x, y, n, 1); }
/** y[i] = e^(x[i] + x[i] 2^-6) by vexpNegSplit (x <= 0). */
export function math_expnegsplit(x: usize, y: usize, n: i32): void { probe(x, y, n, 2); }
/** y[i] = 2^24 e^(x[i] + x[i] 2^-6) by vexpNegSplit24 (x <= 0). */
export function math_expnegsplit24(x: usize, y: usize, n: i32): void { probe(x, y, n, 3); }

// ---- Called (not inlined) copies for the slow kernels (sbaf, arelu) ----------------------------------------------
// Those kernels spend ~100 cycles per 4 lanes, so a call per step costs little, while an inlined copy of the vector
// math in each of their kernels costs kilobytes of the download. Same operations in the same order: same bits.
// Binaryen inlines only small or single-caller functions at -Os/shrinkLevel 2; these are neither (see DEVELOPING).
/** vexp as a called function. */
export function vexpC(x: v128): v128 { return vexp(x); }
/** sexp as a called function. */
export function sexpC(x: f32): f32 { return sexp(x); }
/** vlog as a called function. */
export function vlogC(x: v128): v128 { return vlog(x); }
/** slog as a called function. */
export function slogC(x: f32): f32 { return slog(x); }
/** vlog1p as a called function. */
export function vlog1pC(x: v128): v128 { return vlog1p(x); }
/** slog1p as a called function. */
export function slog1pC(x: f32): f32 { return slog1p(x); }
/** vsoftplus as a called function. */
export function vsoftplusC(x: v128): v128 { return vsoftplus(x); }
/** ssoftplus as a called function. */
export function ssoftplusC(x: f32): f32 { return ssoftplus(x); }

// ---- For gelu (assembly/activations/gelu.ts): 2^48 e^(-a^2/2), and a scaling by 2^-48 without subnormal operands ----
// vexpHalfSq48 is the exp core of the split variants with its argument -a^2/2 carried exactly, for 0 <= a <= 15 (NaN
// propagates): a = h + l with h of 12 significant bits, a^2 = h^2 + l (h + a), h^2 exact; the reduction subtracts
// n ln2 from -h^2/2 before adding -l (h + a)/2. n is read from the rounded a^2 (-log2(e)/2) (its rounding moves r by
// < 1e-4, well inside the polynomial's fitted range), so t does not wait for the split; no clamp is needed
// (-a^2/2 >= -112.5). The result is scaled by 2^48 (not 2^24): it stays a normal number down to a = 15, and so do the
// products gelu forms from it; only the final scaling by 2^-48 reaches the subnormal range, and vscaleM48 does that
// one without a subnormal operand or result (x86 takes a microcode assist on each: gelu on [-15, 6] ran at half speed).
const MHALF_LOG2E = memory.data<f32>([-0.7213475204444817, -0.7213475204444817, -0.7213475204444817, -0.7213475204444817], 16);
const MHALF_ = memory.data<f32>([-0.5, -0.5, -0.5, -0.5], 16);
const TWO_M16 = memory.data<f32>([1.52587890625e-5, 1.52587890625e-5, 1.52587890625e-5, 1.52587890625e-5], 16);
const TWO_M48 = memory.data<f32>([3.552713678800501e-15, 3.552713678800501e-15, 3.552713678800501e-15, 3.552713678800501e-15], 16);
const TWO_M78 = memory.data<f32>([3.308722450212111e-24, 3.308722450212111e-24, 3.308722450212111e-24, 3.308722450212111e-24], 16);
const MIN_NORM_BITS = memory.data<i32>([0x00800000, 0x00800000, 0x00800000, 0x00800000], 16);
/** Lane-replicated 2^-48 (undoes the scale of vexpHalfSq48). */
export const V_TWOM48: usize = TWO_M48;
/** Lane-replicated 2^-78 (below it, v 2^-48 is subnormal). */
export const V_TWOM78: usize = TWO_M78;
/** Lane-replicated 2^48. */
export const V_TWO48: usize = memory.data<f32>([281474976710656.0, 281474976710656.0, 281474976710656.0, 281474976710656.0], 16);

/** 2^48 e^(-a^2/2) for a in [0, 15] (or NaN), the argument's rounding error carried into the reduction (SIMD). */
// @ts-ignore: decorator
@inline export function vexpHalfSq48(a: v128): v128 {
  const t = vmadd(f32x4.mul(a, a), K(MHALF_LOG2E), K(MAGIC_NEG));
  const h = v128.and(a, K(HI12));
  const l = f32x4.sub(a, h);
  const s = i32x4.shl(t, 23);
  return f32x4.mul(vcoreSplit(f32x4.mul(f32x4.mul(h, h), K(MHALF_)), f32x4.mul(f32x4.mul(l, f32x4.add(h, a)), K(MHALF_)),
    t, s, s, K(MAGIC_NEG)), K(TWO_M16));
}
/** Scalar twin of vexpHalfSq48. */
// @ts-ignore: decorator
@inline export function sexpHalfSq48(a: f32): f32 {
  const t = smadd(a * a, S(MHALF_LOG2E), S(MAGIC_NEG));
  const h = reinterpret<f32>(reinterpret<i32>(a) & 0xfffff000);
  const l = a - h;
  const s = reinterpret<f32>(reinterpret<i32>(t) << 23);
  return scoreSplit((h * h) * <f32>-0.5, (l * (h + a)) * <f32>-0.5, t, s, s, S(MAGIC_NEG)) * S(TWO_M16);
}

/**
 * v 2^-48, correctly rounded (the bits of f32x4.mul(v, 2^-48)), without a subnormal operand or result where the
 * product is subnormal: there (|v| < 2^-78) fl(|v| + 2^-78) 2^-48 lies in [2^-126, 2^-125), whose spacing is the
 * subnormal one, and subtracting 2^-126 from its bits leaves the rounded subnormal (ties to even included).
 */
// @ts-ignore: decorator
@inline export function vscaleM48(v: v128): v128 {
  const av = v128.and(v, K(ABSMASK));
  const tiny = f32x4.lt(av, K(TWO_M78));
  const nrm = f32x4.mul(f32x4.pmax(av, K(TWO_M78)), K(TWO_M48));
  const sub = i32x4.sub(f32x4.mul(f32x4.add(av, K(TWO_M78)), K(TWO_M48)), K(MIN_NORM_BITS));
  return v128.or(v128.bitselect(sub, nrm, tiny), v128.and(v, K(SIGN)));
}
/** Scalar twin of vscaleM48. */
// @ts-ignore: decorator
@inline export function sscaleM48(v: f32): f32 {
  const av = abs<f32>(v);
  const nrm = spmax(av, S(TWO_M78)) * S(TWO_M48);
  const sub = reinterpret<f32>(reinterpret<i32>((av + S(TWO_M78)) * S(TWO_M48)) - 0x00800000);
  return reinterpret<f32>(reinterpret<i32>(av < S(TWO_M78) ? sub : nrm) | (reinterpret<i32>(v) & 0x80000000));
}
/** vscaleM48 for v >= 0 (or NaN): no sign to strip and restore. */
// @ts-ignore: decorator
@inline export function vscaleM48Pos(v: v128): v128 {
  const nrm = f32x4.mul(f32x4.pmax(v, K(TWO_M78)), K(TWO_M48));
  const sub = i32x4.sub(f32x4.mul(f32x4.add(v, K(TWO_M78)), K(TWO_M48)), K(MIN_NORM_BITS));
  return v128.bitselect(sub, nrm, f32x4.lt(v, K(TWO_M78)));
}
/** Scalar twin of vscaleM48Pos. */
// @ts-ignore: decorator
@inline export function sscaleM48Pos(v: f32): f32 {
  const nrm = spmax(v, S(TWO_M78)) * S(TWO_M48);
  const sub = reinterpret<f32>(reinterpret<i32>((v + S(TWO_M78)) * S(TWO_M48)) - 0x00800000);
  return v < S(TWO_M78) ? sub : nrm;
}
