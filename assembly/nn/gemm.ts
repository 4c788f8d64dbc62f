// Naive GEMM (plain triple loops): the ground truth, used until the packed SIMD kernels land.
export function gemm_scratch_bytes(m: i32, n: i32, k: i32): i32 { return 16; }
export function gemm_nn(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s: f32 = acc ? load<f32>(c + ((<usize>(i * n + j)) << 2)) : 0;
    for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(i * k + p)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
    store<f32>(c + ((<usize>(i * n + j)) << 2), s);
  }
}
export function gemm_nt(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s: f32 = acc ? load<f32>(c + ((<usize>(i * n + j)) << 2)) : 0;
    for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(i * k + p)) << 2)) * load<f32>(b + ((<usize>(j * k + p)) << 2));
    store<f32>(c + ((<usize>(i * n + j)) << 2), s);
  }
}
export function gemm_tn(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, acc: i32, scratch: usize): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s: f32 = acc ? load<f32>(c + ((<usize>(i * n + j)) << 2)) : 0;
    for (let p = 0; p < k; p++) s += load<f32>(a + ((<usize>(p * m + i)) << 2)) * load<f32>(b + ((<usize>(p * n + j)) << 2));
    store<f32>(c + ((<usize>(i * n + j)) << 2), s);
  }
}
export function add_bias_rows(c: usize, bias: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) store<f32>(c + ((<usize>(i * n + j)) << 2), load<f32>(c + ((<usize>(i * n + j)) << 2)) + load<f32>(bias + (<usize>j << 2)));
}
export function sum_rows(x: usize, out: usize, m: i32, n: i32, acc: i32): void {
  for (let j = 0; j < n; j++) {
    let s: f32 = acc ? load<f32>(out + (<usize>j << 2)) : 0;
    for (let i = 0; i < m; i++) s += load<f32>(x + ((<usize>(i * n + j)) << 2));
    store<f32>(out + (<usize>j << 2), s);
  }
}
