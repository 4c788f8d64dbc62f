/** An f64 reference of one activation: the ground truth the kernels are measured against. */
export interface Reference {
  /** f(x) in f64. p holds every parameter (defaults filled in). */
  f(x: number, p: Record<string, number>): number;
  /** f'(x) in f64. */
  df(x: number, p: Record<string, number>): number;
  /**
   * What the backward kernel computes from dy (default dy * df(x)). Piecewise-linear kernels select
   * (x in the sloped piece ? slope * dy : 0) and pass a NaN x through.
   */
  bwd?(x: number, dy: number, p: Record<string, number>): number;
  /** d f / d param for each trainable parameter. */
  dp?(x: number, p: Record<string, number>): Record<string, number>;
  /** Row-wise ops: the whole row at once (f64), and the vector-Jacobian product. */
  row?(x: Float64Array, p: Record<string, number>): Float64Array;
  rowVjp?(x: Float64Array, dy: Float64Array, p: Record<string, number>): Float64Array;
  /** Parameter sets to test besides the defaults. */
  cases?: Record<string, number>[];
  /** Points where f is not differentiable (finite differences skip a neighbourhood of them). */
  kinks?(p: Record<string, number>): number[];
}
