// Dense-layer matrix products (GEMM) and the two bias helpers.
//
// Layout: every matrix is row-major, contiguous f32; base pointers are 16-byte aligned (the kernels stay correct
// without that, only slower). Dimensions may be any value >= 0. `acc` = 0 overwrites C, 1 adds into C.
// C must not alias A or B (the packed path reads A and B after it has begun writing C).
//
//   gemm_nn(m, n, k, a, b, c, acc, s)   C[m,n] (+)= A[m,k]   B[k,n]
//   gemm_nt(m, n, k, a, b, c, acc, s)   C[m,n] (+)= A[m,k]   B[n,k]^T
//   gemm_tn(m, n, k, a, b, c, acc, s)   C[m,n] (+)= A[k,m]^T B[k,n]
//
// A dense layer stores W as [in, out] row-major. With X [rows, in], Z [rows, out]:
//   forward   Z  = X W + b    gemm_nn(rows, out, in, X, W, Z, 0, s); add_bias_rows(Z, b, rows, out)
//   backward  dX = dZ W^T     gemm_nt(rows, in, out, dZ, W, dX, 0, s)
//             dW = X^T dZ     gemm_tn(in, out, rows, X, dZ, dW, acc, s)   (acc = 1 accumulates over micro-batches)
//             db = sum_i dZ   sum_rows(dZ, db, rows, out, acc)
//
// `s` (scratch) is a 16-byte aligned buffer of at least gemm_scratch_bytes(m, n, k) bytes, used for packing (in the
// threads build, one part per thread: see assembly/nn/threads.ts).
//
// Algorithm. Large products pack B into 8-column panels ([kk][8], zero padded) and A into MR-row panels
// ([kk][MR], zero padded), one KC-deep slice of k at a time, then run an MR x 8 register tile (2 MR f32x4
// accumulators, A broadcast with v128.load32_splat). MR is 5 in the baseline build (separate mul and add: a 6x8 tile
// needs 12 accumulators + 2 B vectors + A + the product temporary = 16 xmm registers, and V8 spills) and 6 in the
// relaxed build (fused, no temporary). Measured in bench/gemm-tiles.js (see bench/README.md). The transposed variants
// differ only in how they pack, so all three run at the same speed. Edge tiles (m % MR, n % 8) compute into an MR x 8
// buffer and copy the valid part.
// Small products (m < 4, n < 8 or k < 4) skip packing and stream rows of B directly (a 1x16 register tile; B of nt is
// gathered lane by lane). Measured: from m, n >= 4, 8 the packed path is as fast or faster even at 8x8x8 and
// 16x16x16 (nt 16x16x16: 2.8x faster packed than gathered), so there is no separate n, k <= 16 rule; with k < 4
// (outer products: dW at batch 1) packing costs more than it saves (tn 256x256x1: 16 us unpacked, 29 us packed).
// tn with one column (dW of a one-output layer) runs four rows of C per vector instead (tnColumn), and k = 1 with
// n a multiple of 16 (nn, tn) keeps 16 columns of B in registers over all rows (outer16).
//
// Determinism and order: every path computes C[i,j] = (((c0 + a[i,0] b[0,j]) + a[i,1] b[1,j]) + ...) with c0 = 0
// or the old C, strictly in kk order (each k-slice continues from the accumulator the previous one stored).
// So the order depends on nothing but the shape, and in the baseline build (separate mul and add) every path gives
// the same bits as the naive triple loops. The relaxed build fuses each step (vmadd): still kk order, other bits.

import { vmadd } from '../math';
import { gemmRun, threadCount } from './threads';

// Depth of one k-slice (B panel 8 KB, A panel 5-6 KB: both stay in L1) and rows of A packed at once.
const KC: i32 = 256;
const MC: i32 = 240;
// Rows of the register tile (see above). MC is a multiple of both 5 and 6.
const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;

// @ts-ignore: decorator
@inline function imin(a: i32, b: i32): i32 { return a < b ? a : b; }
// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize { return p + (<usize>i << 2); }

// ---------------------------------------------------------------------------------------------------------------
// Naive twins: the algorithmic ground truth (plain triple loops, kk innermost, same order as the fast paths).

/** C[m,n] (+)= A[m,k] B[k,n], plain loops. */
export function gemm_nn_naive(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = acc ? load<f32>(at(c, i * n + j)) : 0;
      for (let p = 0; p < k; p++) s += load<f32>(at(a, i * k + p)) * load<f32>(at(b, p * n + j));
      store<f32>(at(c, i * n + j), s);
    }
  }
}
/** C[m,n] (+)= A[m,k] B[n,k]^T, plain loops. */
export function gemm_nt_naive(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = acc ? load<f32>(at(c, i * n + j)) : 0;
      for (let p = 0; p < k; p++) s += load<f32>(at(a, i * k + p)) * load<f32>(at(b, j * k + p));
      store<f32>(at(c, i * n + j), s);
    }
  }
}
/** C[m,n] (+)= A[k,m]^T B[k,n], plain loops. */
export function gemm_tn_naive(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s: f32 = acc ? load<f32>(at(c, i * n + j)) : 0;
      for (let p = 0; p < k; p++) s += load<f32>(at(a, p * m + i)) * load<f32>(at(b, p * n + j));
      store<f32>(at(c, i * n + j), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scratch layout: [B block: kcMax x roundup(n, 8)] [A block: roundup(min(m, MC), MR) x kcMax] [MR x 8 edge tile]

/** Rows of A packed for a block of min(m, MC) rows: rounded up to the tile height. */
// @ts-ignore: decorator
@inline function mpadOf(m: i32): i32 { const r = imin(m, MC); return (r + MR - 1) / MR * MR; }

/** Bytes of scratch the three gemm_* kernels need for this shape (at most 1 KiB x roundup(n, 8) + 240 KiB + 192: fits i32 for n < 2^21). */
export function gemm_scratch_bytes(m: i32, n: i32, k: i32): i32 {
  return scratchOne(m, n, k) * threadCount();
}

/** Scratch of one thread for this shape (a block of the product needs no more). */
export function scratchOne(m: i32, n: i32, k: i32): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 192;
  const kc = imin(k, KC);
  const npad = (n + 7) & ~7;
  return (kc * npad + mpadOf(m) * kc) * 4 + 192;
}

// ---------------------------------------------------------------------------------------------------------------
// Packing. A panel of width w (4 or 8) holds, for each kk of the slice, w consecutive values (zero padded).

/**
 * Panels from a source whose panel columns are contiguous: value (kk, col) at src[kk * ld + col].
 * (B of nn and tn, A of tn.)
 */
function packRows(src: usize, ld: i32, kc: i32, cols: i32, w: i32, dst: usize): void {
  const ldb = <usize>ld << 2;
  const wb = <usize>w << 2;
  for (let j = 0; j < cols; j += w) {
    const valid = imin(w, cols - j);
    let s = at(src, j);
    if (valid == w && w == 8) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += ldb; dst += 32;
      }
    } else if (valid == w && w >= 4) {
      // 5 or 6 columns (A of tn): one vector and the rest one by one.
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(s));
        for (let q = 4; q < w; q++) store<f32>(at(dst, q), load<f32>(at(s, q)));
        s += ldb; dst += wb;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        let q = 0;
        for (; q < valid; q++) store<f32>(at(dst, q), load<f32>(at(s, q)));
        for (; q < w; q++) store<f32>(at(dst, q), 0);
        s += ldb; dst += wb;
      }
    }
  }
}

/**
 * Panels from a source whose panel columns are rows: value (kk, col) at src[col * ld + kk].
 * (A of nn and nt, B of nt.) Full 4x4 blocks are transposed with shuffles.
 */
function packCols(src: usize, ld: i32, kc: i32, cols: i32, w: i32, dst: usize): void {
  const ldb = <usize>ld << 2;
  const wb = <usize>w << 2;
  for (let j = 0; j < cols; j += w) {
    const valid = imin(w, cols - j);
    const panel = dst;
    let g = 0;
    // Groups of 4 full columns.
    for (; g + 4 <= valid; g += 4) {
      const r0 = src + <usize>(j + g) * ldb;
      const r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
      let d = panel + (<usize>g << 2);
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        const o = <usize>p << 2;
        const x0 = v128.load(r0 + o), x1 = v128.load(r1 + o), x2 = v128.load(r2 + o), x3 = v128.load(r3 + o);
        const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
        v128.store(d, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5)); d += wb;
        v128.store(d, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7)); d += wb;
        v128.store(d, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5)); d += wb;
        v128.store(d, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7)); d += wb;
      }
      for (; p < kc; p++) {
        const o = <usize>p << 2;
        store<f32>(d, load<f32>(r0 + o));
        store<f32>(d, load<f32>(r1 + o), 4);
        store<f32>(d, load<f32>(r2 + o), 8);
        store<f32>(d, load<f32>(r3 + o), 12);
        d += wb;
      }
    }
    // Remaining columns one at a time, then zero padding.
    for (; g < w; g++) {
      let d = panel + (<usize>g << 2);
      if (g < valid) {
        const r = src + <usize>(j + g) * ldb;
        for (let p = 0; p < kc; p++) { store<f32>(d, load<f32>(at(r, p))); d += wb; }
      } else {
        for (let p = 0; p < kc; p++) { store<f32>(d, 0); d += wb; }
      }
    }
    dst += <usize>kc * wb;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The register tiles: C[MR,8] (+)= Apanel[kc][MR] Bpanel[kc][8]. `load` starts from C, otherwise from zero.
// Per kk: two B vectors, MR broadcasts of A, 2 MR multiply-adds in a fixed order (each accumulator in kk order).

function tile5x8(pa: usize, pb: usize, kc: i32, pc: usize, ldc: usize, load: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, c40: v128, c41: v128;
  if (load) {
    c00 = v128.load(pc + 0 * ldc); c01 = v128.load(pc + 0 * ldc, 16);
    c10 = v128.load(pc + 1 * ldc); c11 = v128.load(pc + 1 * ldc, 16);
    c20 = v128.load(pc + 2 * ldc); c21 = v128.load(pc + 2 * ldc, 16);
    c30 = v128.load(pc + 3 * ldc); c31 = v128.load(pc + 3 * ldc, 16);
    c40 = v128.load(pc + 4 * ldc); c41 = v128.load(pc + 4 * ldc, 16);
  } else {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00; c40 = c00; c41 = c00;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = vmadd(a, b0, c00); c01 = vmadd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = vmadd(a, b0, c10); c11 = vmadd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = vmadd(a, b0, c20); c21 = vmadd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = vmadd(a, b0, c30); c31 = vmadd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = vmadd(a, b0, c40); c41 = vmadd(a, b1, c41);
    pa += 20; pb += 32;
  }
  v128.store(pc + 0 * ldc, c00); v128.store(pc + 0 * ldc, c01, 16);
  v128.store(pc + 1 * ldc, c10); v128.store(pc + 1 * ldc, c11, 16);
  v128.store(pc + 2 * ldc, c20); v128.store(pc + 2 * ldc, c21, 16);
  v128.store(pc + 3 * ldc, c30); v128.store(pc + 3 * ldc, c31, 16);
  v128.store(pc + 4 * ldc, c40); v128.store(pc + 4 * ldc, c41, 16);
}

function tile6x8(pa: usize, pb: usize, kc: i32, pc: usize, ldc: usize, load: bool): void {
  let c00: v128, c01: v128, c10: v128, c11: v128, c20: v128, c21: v128, c30: v128, c31: v128, c40: v128, c41: v128, c50: v128, c51: v128;
  if (load) {
    c00 = v128.load(pc + 0 * ldc); c01 = v128.load(pc + 0 * ldc, 16);
    c10 = v128.load(pc + 1 * ldc); c11 = v128.load(pc + 1 * ldc, 16);
    c20 = v128.load(pc + 2 * ldc); c21 = v128.load(pc + 2 * ldc, 16);
    c30 = v128.load(pc + 3 * ldc); c31 = v128.load(pc + 3 * ldc, 16);
    c40 = v128.load(pc + 4 * ldc); c41 = v128.load(pc + 4 * ldc, 16);
    c50 = v128.load(pc + 5 * ldc); c51 = v128.load(pc + 5 * ldc, 16);
  } else {
    c00 = f32x4.splat(0); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00; c31 = c00; c40 = c00; c41 = c00; c50 = c00; c51 = c00;
  }
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = vmadd(a, b0, c00); c01 = vmadd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = vmadd(a, b0, c10); c11 = vmadd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = vmadd(a, b0, c20); c21 = vmadd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = vmadd(a, b0, c30); c31 = vmadd(a, b1, c31);
    a = v128.load32_splat(pa, 16);
    c40 = vmadd(a, b0, c40); c41 = vmadd(a, b1, c41);
    a = v128.load32_splat(pa, 20);
    c50 = vmadd(a, b0, c50); c51 = vmadd(a, b1, c51);
    pa += 24; pb += 32;
  }
  v128.store(pc + 0 * ldc, c00); v128.store(pc + 0 * ldc, c01, 16);
  v128.store(pc + 1 * ldc, c10); v128.store(pc + 1 * ldc, c11, 16);
  v128.store(pc + 2 * ldc, c20); v128.store(pc + 2 * ldc, c21, 16);
  v128.store(pc + 3 * ldc, c30); v128.store(pc + 3 * ldc, c31, 16);
  v128.store(pc + 4 * ldc, c40); v128.store(pc + 4 * ldc, c41, 16);
  v128.store(pc + 5 * ldc, c50); v128.store(pc + 5 * ldc, c51, 16);
}

/** The tile of this build (MR x 8). */
// @ts-ignore: decorator
@inline function tile(pa: usize, pb: usize, kc: i32, pc: usize, ldc: usize, load: bool): void {
  if (MR == 6) tile6x8(pa, pb, kc, pc, ldc, load);
  else tile5x8(pa, pb, kc, pc, ldc, load);
}

/**
 * The packed path. aCols: A(i, kk) at a[i lda + kk] (nn, nt); otherwise at a[kk lda + i] (tn). bCols: B(kk, j) at
 * b[j ldb + kk] (nt); otherwise at b[kk ldb + j]. C(i, j) at c[i ldc + j]. (Leading dimensions in elements: a block of
 * a larger product, as one thread's share, is a product of its own.)
 */
function gemmPacked(m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc4: usize, acc: i32,
  scratch: usize, aCols: bool, bCols: bool): void {
  const kcMax = imin(k, KC);
  const npad = (n + 7) & ~7;
  const bpack = scratch;
  const apack = bpack + (<usize>(kcMax * npad) << 2);
  const edge = apack + (<usize>(mpadOf(m) * kcMax) << 2);
  const ldc = ldc4;
  for (let kb = 0; kb < k; kb += KC) {
    const kc = imin(KC, k - kb);
    const ld = acc != 0 || kb > 0;
    if (bCols) packCols(at(b, kb), ldb, kc, n, 8, bpack);
    else packRows(at(b, kb * ldb), ldb, kc, n, 8, bpack);
    for (let ib = 0; ib < m; ib += MC) {
      const mc = imin(MC, m - ib);
      if (aCols) packCols(at(a, ib * lda + kb), lda, kc, mc, MR, apack);
      else packRows(at(a, kb * lda + ib), lda, kc, mc, MR, apack);
      for (let j = 0; j < n; j += 8) {
        const nr = imin(8, n - j);
        const pb = bpack + <usize>(j * kc) * 4;
        for (let it = 0; it < mc; it += MR) {
          const i = ib + it;
          const mr = imin(MR, m - i);
          const pa = apack + <usize>(it * kc) * 4;
          const pc = c + <usize>i * ldc + (<usize>j << 2);
          if (mr == MR && nr == 8) {
            tile(pa, pb, kc, pc, ldc, ld);
          } else {
            if (ld) {
              for (let r = 0; r < MR; r++) {
                for (let q = 0; q < 8; q++) {
                  store<f32>(at(edge, r * 8 + q), r < mr && q < nr ? load<f32>(pc + <usize>r * ldc + (<usize>q << 2)) : 0);
                }
              }
            }
            tile(pa, pb, kc, edge, 32, ld);
            for (let r = 0; r < mr; r++) {
              for (let q = 0; q < nr; q++) store<f32>(pc + <usize>r * ldc + (<usize>q << 2), load<f32>(at(edge, r * 8 + q)));
            }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small path: no packing. Row i of C is built from rows of B scaled by A[i,kk] (a 1x16 register tile), in kk order.
// A(i, kk) is at a + i*ars + kk*acs. B(kk, j) is at b + kk*bks + j*bjs; bjs == 4 means B rows are contiguous,
// otherwise the four values of a vector are gathered lane by lane (B of nt).

// @ts-ignore: decorator
@inline function loadB(p: usize, bjs: usize): v128 {
  if (bjs == 4) return v128.load(p);
  let v = v128.load32_zero(p);
  v = v128.load32_lane(p + bjs, v, 1);
  v = v128.load32_lane(p + bjs * 2, v, 2);
  return v128.load32_lane(p + bjs * 3, v, 3);
}

// @ts-ignore: decorator
@inline function gemmSmallT(m: i32, n: i32, k: i32, a: usize, ars: usize, acs: usize, b: usize, bks: usize,
  bjs: usize, c: usize, ldc: usize, acc: i32): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < m; i++) {
    const crow = c + <usize>i * ldc;
    const arow = a + <usize>i * ars;
    let j = 0;
    for (; j + 16 <= n; j += 16) {
      const pc = at(crow, j);
      let v0 = zero, v1 = zero, v2 = zero, v3 = zero;
      if (acc) { v0 = v128.load(pc); v1 = v128.load(pc, 16); v2 = v128.load(pc, 32); v3 = v128.load(pc, 48); }
      let pa = arow, pb = b + <usize>j * bjs;
      for (let p = 0; p < k; p++) {
        const s = v128.load32_splat(pa);
        v0 = vmadd(s, loadB(pb, bjs), v0);
        v1 = vmadd(s, loadB(pb + bjs * 4, bjs), v1);
        v2 = vmadd(s, loadB(pb + bjs * 8, bjs), v2);
        v3 = vmadd(s, loadB(pb + bjs * 12, bjs), v3);
        pa += acs; pb += bks;
      }
      v128.store(pc, v0); v128.store(pc, v1, 16); v128.store(pc, v2, 32); v128.store(pc, v3, 48);
    }
    for (; j + 4 <= n; j += 4) {
      const pc = at(crow, j);
      let v0 = acc ? v128.load(pc) : zero;
      let pa = arow, pb = b + <usize>j * bjs;
      for (let p = 0; p < k; p++) {
        v0 = vmadd(v128.load32_splat(pa), loadB(pb, bjs), v0);
        pa += acs; pb += bks;
      }
      v128.store(pc, v0);
    }
    // Last columns. The relaxed build uses lane 0 of the same (fused) vector operation, so every column of C is
    // rounded alike; the baseline build uses scalar mul and add, which give the same bits as the vector lanes.
    for (; j < n; j++) {
      const pc = at(crow, j);
      let pa = arow, pb = b + <usize>j * bjs;
      if (ASC_FEATURE_RELAXED_SIMD) {
        let v0 = acc ? v128.load32_zero(pc) : zero;
        for (let p = 0; p < k; p++) {
          v0 = vmadd(v128.load32_zero(pa), v128.load32_zero(pb), v0);
          pa += acs; pb += bks;
        }
        v128.store32_lane(pc, v0, 0);
      } else {
        let s: f32 = acc ? load<f32>(pc) : 0;
        for (let p = 0; p < k; p++) {
          s += load<f32>(pa) * load<f32>(pb);
          pa += acs; pb += bks;
        }
        store<f32>(pc, s);
      }
    }
  }
}

/**
 * tn with one column (dW of a layer with one output, e.g. a regression network's last layer):
 * C[i] (+)= sum_kk A[kk, i] B[kk], in kk order. A's rows are contiguous in i, so four rows of C are computed at a
 * time (gemmSmallT would run each row of C alone as its scalar tail, a chain of k scalar steps per row); the same
 * operation per element, so the same bits in both builds.
 */
function tnColumn(m: i32, k: i32, a: usize, la: usize, b: usize, lb: usize, c: usize, lc: usize, acc: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  if (lc == 4) {
    for (; i + 4 <= m; i += 4) {
      const pc = at(c, i);
      let v = acc ? v128.load(pc) : zero;
      let pa = at(a, i), pb = b;
      for (let p = 0; p < k; p++) {
        v = vmadd(v128.load(pa), v128.load32_splat(pb), v);
        pa += la; pb += lb;
      }
      v128.store(pc, v);
    }
  }
  // The other rows one by one, as lane 0 of the same vector operation (separate mul and add in the baseline build:
  // the bits of a scalar step; fused in the relaxed build, as every other element).
  for (; i < m; i++) {
    const pc = c + <usize>i * lc;
    let v = acc ? v128.load32_zero(pc) : zero;
    let pa = at(a, i), pb = b;
    for (let p = 0; p < k; p++) {
      v = vmadd(v128.load32_zero(pa), v128.load32_zero(pb), v);
      pa += la; pb += lb;
    }
    v128.store32_lane(pc, v, 0);
  }
}

/**
 * k = 1 with n a multiple of 16 and B's row contiguous (nn, tn: dW at batch 1, an outer product):
 * C[i, j] (+)= A(i, 0) B(0, j), A(i, 0) at a + i ars. Each 16 columns of B stay in registers across all rows of C
 * (gemmSmallT reloads them for every row and runs a kk loop of one step); the same single step per element.
 */
function outer16(m: i32, n: i32, a: usize, ars: usize, b: usize, c: usize, ldc: usize, acc: i32): void {
  const zero = f32x4.splat(0);
  for (let j = 0; j < n; j += 16) {
    const pb = at(b, j);
    const b0 = v128.load(pb), b1 = v128.load(pb, 16), b2 = v128.load(pb, 32), b3 = v128.load(pb, 48);
    let pa = a, pc = at(c, j);
    for (let i = 0; i < m; i++) {
      const s = v128.load32_splat(pa);
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      if (acc) { c0 = v128.load(pc); c1 = v128.load(pc, 16); c2 = v128.load(pc, 32); c3 = v128.load(pc, 48); }
      v128.store(pc, vmadd(s, b0, c0)); v128.store(pc, vmadd(s, b1, c1), 16);
      v128.store(pc, vmadd(s, b2, c2), 32); v128.store(pc, vmadd(s, b3, c3), 48);
      pa += ars; pc += ldc;
    }
  }
}

// @ts-ignore: decorator
@inline function isSmall(m: i32, n: i32, k: i32): bool { return m < 4 || n < 8 || k < 4; }

/**
 * Any of the three products on strided operands (leading dimensions in elements; see gemmPacked), kind 0 nn, 1 nt,
 * 2 tn. m, n, k >= 1. The exported kernels call it on the whole product, each thread of the threads build on its block.
 */
export function gemmAny(kind: i32, m: i32, n: i32, k: i32, a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  acc: i32, scratch: usize): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  if (isSmall(m, n, k)) {
    if (k == 1 && kind != 1 && (n & 15) == 0) outer16(m, n, a, kind == 2 ? 4 : la, b, c, lc, acc);
    else if (kind == 1) gemmSmallT(m, n, k, a, la, 4, b, 4, lb, c, lc, acc);
    else if (kind == 2) {
      if (n == 1) tnColumn(m, k, a, la, b, lb, c, lc, acc);
      else gemmSmallT(m, n, k, a, 4, la, b, lb, 4, c, lc, acc);
    }
    else gemmSmallT(m, n, k, a, la, 4, b, lb, 4, c, lc, acc);
  } else gemmPacked(m, n, k, a, lda, b, ldb, c, lc, acc, scratch, kind != 2, kind == 1);
}

/** k = 0 or an empty C: C = 0 (acc = 0) or unchanged. Returns true when nothing is left to do. */
// @ts-ignore: decorator
@inline function trivial(m: i32, n: i32, k: i32, c: usize, acc: i32): bool {
  if (m <= 0 || n <= 0) return true;
  if (k <= 0) {
    if (!acc) memory.fill(c, 0, <usize>(m * n) << 2);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// The kernels.

/** C[m,n] (+)= A[m,k] B[k,n]. */
export function gemm_nn(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  if (!trivial(m, n, k, c, acc)) gemmRun(0, m, n, k, a, k, b, n, c, acc, scratch);
}

/** C[m,n] (+)= A[m,k] B[n,k]^T. */
export function gemm_nt(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  if (!trivial(m, n, k, c, acc)) gemmRun(1, m, n, k, a, k, b, k, c, acc, scratch);
}

/** C[m,n] (+)= A[k,m]^T B[k,n]. */
export function gemm_tn(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  if (!trivial(m, n, k, c, acc)) gemmRun(2, m, n, k, a, m, b, n, c, acc, scratch);
}

// ---------------------------------------------------------------------------------------------------------------
// Bias helpers.

/** C[i,:] += bias[:] for each of the m rows of C[m,n]. */
export function add_bias_rows(c: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>(i * n) * 4;
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(at(row, j), f32x4.add(v128.load(at(row, j)), v128.load(at(bias, j))));
    for (; j < n; j++) store<f32>(at(row, j), load<f32>(at(row, j)) + load<f32>(at(bias, j)));
  }
}

/** out[j] (+)= sum_i x[i,j] over the m rows of x[m,n], summed in row order (the bias gradient). */
export function sum_rows(x: usize, out: usize, m: i32, n: i32, acc: i32): void {
  sumCols(x, out, m, n, n, acc);
}

/** sum_rows on the n columns of a block whose rows are `ldx` elements apart (one thread's columns). */
export function sumCols(x: usize, out: usize, m: i32, n: i32, ldx: i32, acc: i32): void {
  const ld = <usize>ldx << 2;
  const zero = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const po = at(out, j);
    let v0 = zero, v1 = zero, v2 = zero, v3 = zero;
    if (acc) { v0 = v128.load(po); v1 = v128.load(po, 16); v2 = v128.load(po, 32); v3 = v128.load(po, 48); }
    let p = at(x, j);
    for (let i = 0; i < m; i++) {
      v0 = f32x4.add(v0, v128.load(p)); v1 = f32x4.add(v1, v128.load(p, 16));
      v2 = f32x4.add(v2, v128.load(p, 32)); v3 = f32x4.add(v3, v128.load(p, 48));
      p += ld;
    }
    v128.store(po, v0); v128.store(po, v1, 16); v128.store(po, v2, 32); v128.store(po, v3, 48);
  }
  for (; j + 4 <= n; j += 4) {
    const po = at(out, j);
    let v0 = acc ? v128.load(po) : zero;
    let p = at(x, j);
    for (let i = 0; i < m; i++) { v0 = f32x4.add(v0, v128.load(p)); p += ld; }
    v128.store(po, v0);
  }
  for (; j < n; j++) {
    let s: f32 = acc ? load<f32>(at(out, j)) : 0;
    let p = at(x, j);
    for (let i = 0; i < m; i++) { s += load<f32>(p); p += ld; }
    store<f32>(at(out, j), s);
  }
}
