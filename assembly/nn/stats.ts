// Per-feature statistics of training data (recorded by fit for serving: src/network/metadata.ts).

/**
 * Statistics of each column of rows x cols f32 values (row by row, rows >= 1), in f64: out holds 4 f64 per column,
 * [min, max, mean, std] (std: population standard deviation, from a second pass over the mean). Sums run in row
 * order, so the bits equal plain f64 code that adds in the same order.
 */
export function col_stats(x: usize, rows: i32, cols: i32, out: usize): void {
  const stride = <usize>cols << 2;
  for (let j = 0; j < cols; j++) {
    const o = out + (<usize>j << 5), v = <f64>load<f32>(x + (<usize>j << 2));
    store<f64>(o, v);
    store<f64>(o, v, 8);
    store<f64>(o, 0, 16);
    store<f64>(o, 0, 24);
  }
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * stride;
    for (let j = 0; j < cols; j++) {
      const o = out + (<usize>j << 5), v = <f64>load<f32>(row + (<usize>j << 2));
      if (v < load<f64>(o)) store<f64>(o, v);
      if (v > load<f64>(o, 8)) store<f64>(o, v, 8);
      store<f64>(o, load<f64>(o, 16) + v, 16);
    }
  }
  for (let j = 0; j < cols; j++) {
    const o = out + (<usize>j << 5);
    store<f64>(o, load<f64>(o, 16) / <f64>rows, 16);
  }
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * stride;
    for (let j = 0; j < cols; j++) {
      const o = out + (<usize>j << 5), d = <f64>load<f32>(row + (<usize>j << 2)) - load<f64>(o, 16);
      store<f64>(o, load<f64>(o, 24) + d * d, 24);
    }
  }
  for (let j = 0; j < cols; j++) {
    const o = out + (<usize>j << 5);
    store<f64>(o, sqrt<f64>(load<f64>(o, 24) / <f64>rows), 24);
  }
}
